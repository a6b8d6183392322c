"""Field-level precision and recall of `wrapcheck extract` on the labelled wraps in tests/data/articles.

    python bench/extract_accuracy.py        # a table per article and the totals

A field counts as right when the extracted figure reads (value and written precision) the same as the
labelled one, for the same source and instrument.
"""

from __future__ import annotations

import csv
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "tests" / "data" / "articles"
FIELDS = ["close", "change", "change_pct", "prior_close", "individual_net", "foreign_net", "institution_net",
          "advancers", "decliners", "issues_traded", "volume", "turnover"]


def figure(field: str, text: str, instrument: str):
    from wrapcheck.numbers import NUMERIC_COLUMNS, parse_figure

    f = parse_figure(text, NUMERIC_COLUMNS[field])
    return round(f.value, 9), round(f.halfwidth, 12)


def cells(rows) -> dict[tuple[str, str, str], tuple[float, float]]:
    from wrapcheck.registry import load_registry

    registry = load_registry()
    out = {}
    for r in rows:
        inst = registry.resolve(r["instrument"])
        name = inst.name if inst else r["instrument"]
        for f in FIELDS:
            if r.get(f, "").strip():
                out[(r["source"], name, f)] = figure(f, r[f], name)
    return out


def evaluate() -> tuple[list[tuple[str, int, int, int]], float, float]:
    from wrapcheck.extract import extract_file

    per_article = []
    tp = fp = fn = 0
    for expected_path in sorted(ARTICLES.glob("*.expected.csv")):
        name = expected_path.name.removesuffix(".expected.csv")
        meta = tomllib.loads((ARTICLES / f"{name}.meta.toml").read_text())
        article = next(p for p in ARTICLES.glob(f"{name}.*") if p.suffix in (".txt", ".md", ".html"))
        if name == "seed-summary":
            article = ROOT.parent / "shared" / "seed" / "2026-01-06-kospi-summary.txt"
            article = article if article.exists() else ARTICLES / "seed-summary.txt"
        got = cells(extract_file(article, meta["date"], meta["source"]).rows)
        want = cells(list(csv.DictReader(expected_path.open(encoding="utf-8"))))
        a_tp = sum(1 for k, v in got.items() if want.get(k) == v)
        a_fp, a_fn = len(got) - a_tp, len(want) - a_tp
        per_article.append((name, a_tp, a_fp, a_fn))
        tp, fp, fn = tp + a_tp, fp + a_fp, fn + a_fn
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return per_article, precision, recall


def details(name: str) -> None:
    from wrapcheck.extract import extract_file

    meta = tomllib.loads((ARTICLES / f"{name}.meta.toml").read_text())
    article = next(p for p in ARTICLES.glob(f"{name}.*") if p.suffix in (".txt", ".md", ".html"))
    got = cells(extract_file(article, meta["date"], meta["source"]).rows)
    want = cells(list(csv.DictReader((ARTICLES / f"{name}.expected.csv").open(encoding="utf-8"))))
    for k in sorted(set(got) | set(want)):
        if got.get(k) != want.get(k):
            print(name, k, "got", got.get(k), "want", want.get(k))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    rows, precision, recall = evaluate()
    print("| article | right | wrong or extra | missed |\n|---|---|---|---|")
    for name, a, b, c in rows:
        print(f"| {name} | {a} | {b} | {c} |")
    total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
    print(f"| **all {len(rows)}** | {total[0]} | {total[1]} | {total[2]} |")
    print(f"\nprecision {precision:.1%}, recall {recall:.1%}")
    if "--details" in sys.argv:
        for name, a, b, c in rows:
            if b or c:
                details(name)
