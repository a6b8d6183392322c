"""Field-level precision and recall of `wrapcheck extract` on labelled wraps.

    python bench/extract_accuracy.py        # tests/data/articles: a table per article and the totals
    python bench/extract_accuracy.py --corpus DIR [--labels tests/data/real] [--split dev|holdout|all] [--details]
                                            # any folder of article texts <id>.txt whose figures are
                                            # labelled in LABELS/<id>.csv (with LABELS/MANIFEST.toml)

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
    from wrapcheck.numbers import ParseError
    from wrapcheck.registry import load_registry

    registry = load_registry()
    out = {}
    for r in rows:
        inst = registry.resolve(r["instrument"], r.get("date") or None)
        name = inst.name if inst else r["instrument"]
        for f in FIELDS:
            if (r.get(f) or "").strip():
                try:
                    out[(r["source"], name, f)] = figure(f, r[f], name)
                except ParseError:
                    out[(r["source"], name, f)] = ("unreadable", r[f])
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


def corpus(texts: Path, labels: Path, split: str = "dev") -> list[tuple[Path, dict, list[dict]]]:
    """(article, meta, labelled rows) of every labelled wrap whose text is in ``texts``."""
    manifest = tomllib.loads((labels / "MANIFEST.toml").read_text(encoding="utf-8"))["wrap"]
    out = []
    for name, meta in sorted(manifest.items()):
        article = texts / f"{name}.txt"
        if split not in ("all", meta.get("split")) or not article.exists():
            continue
        rows = list(csv.DictReader((labels / f"{name}.csv").open(encoding="utf-8")))
        out.append((article, {"date": meta["date"], "source": name, "language": meta.get("language", "")}, rows))
    return out


def score(items) -> tuple[list[tuple[str, int, int, int]], float, float, list[str]]:
    """Per article (name, right, wrong or extra, missed), precision, recall and the differences."""
    from wrapcheck.extract import extract_file

    per_article, diffs = [], []
    tp = fp = fn = 0
    for article, meta, rows in items:
        try:
            got = cells(extract_file(article, meta["date"], meta["source"]).rows)
        except ValueError as exc:
            got = {}
            diffs.append(f"{article.name}: {exc}")
        want = cells(rows)
        a_tp = sum(1 for k, v in got.items() if want.get(k) == v)
        a_fp, a_fn = len(got) - a_tp, len(want) - a_tp
        per_article.append((article.stem, a_tp, a_fp, a_fn))
        tp, fp, fn = tp + a_tp, fp + a_fp, fn + a_fn
        diffs += [f"{article.stem} {k} got {got.get(k)} want {want.get(k)}" for k in sorted(set(got) | set(want), key=str)
                  if got.get(k) != want.get(k)]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return per_article, precision, recall, diffs


def details(name: str) -> None:
    from wrapcheck.extract import extract_file

    meta = tomllib.loads((ARTICLES / f"{name}.meta.toml").read_text())
    article = next(p for p in ARTICLES.glob(f"{name}.*") if p.suffix in (".txt", ".md", ".html"))
    got = cells(extract_file(article, meta["date"], meta["source"]).rows)
    want = cells(list(csv.DictReader((ARTICLES / f"{name}.expected.csv").open(encoding="utf-8"))))
    for k in sorted(set(got) | set(want)):
        if got.get(k) != want.get(k):
            print(name, k, "got", got.get(k), "want", want.get(k))


def main_corpus(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--labels", type=Path, default=ROOT / "tests" / "data" / "real")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args(argv)
    items = corpus(args.corpus, args.labels, args.split)
    for language in sorted({m["language"] for _, m, _ in items}) + ["all"]:
        chosen = [i for i in items if language in ("all", i[1]["language"])]
        rows, precision, recall, diffs = score(chosen)
        total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
        print(f"{args.split} {language}: {len(rows)} wraps, {total[0]} right, {total[1]} wrong or extra, {total[2]} missed: "
              f"precision {precision:.1%}, recall {recall:.1%}")
        if args.details and language == "all":
            print("\n".join(diffs))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    if "--corpus" in sys.argv:
        main_corpus(sys.argv[1:])
        sys.exit(0)
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
