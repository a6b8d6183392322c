"""Pass / fail / skip / error per rule on labelled wraps, to see false alarms and skips at a glance.

    python bench/rule_outcomes.py                      # tests/data/articles (the expected CSVs)
    python bench/rule_outcomes.py tests/data/real      # the real wraps, dev split
    python bench/rule_outcomes.py tests/data/real --split holdout
    python bench/rule_outcomes.py --articles           # the article texts themselves, extracted and checked
    python bench/rule_outcomes.py ... --no-official    # without the official record (as before issue 17)
    python bench/rule_outcomes.py ... --json out.json  # the counts and every failure, for a closing note
    python bench/rule_outcomes.py tests/data/real --corpus DIR --split fresh-dev
                                                       # the real articles' texts (DIR/<id>.txt, kept outside
                                                       # the repository) beside their labelled figures: a
                                                       # failure on the text that its labels do not give is
                                                       # caused by extraction (or a claim only the prose makes)

Each labelled CSV is validated alone, as a desk would check one story. The table counts results per
rule; the listing names every failure and, with --skips, the reasons of the skips.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def labelled_files(folder: Path, split: str | None, articles: bool = False) -> list[tuple[Path, str | None]]:
    """(file, session date to pass) for each labelled wrap: its expected CSV, or with ``articles`` the text."""
    if articles:
        out = []
        for expected in sorted(folder.glob("*.expected.csv")):
            name = expected.name.removesuffix(".expected.csv")
            meta = tomllib.loads((folder / f"{name}.meta.toml").read_text(encoding="utf-8"))
            text = next((p for p in sorted(folder.glob(f"{name}.*")) if p.suffix in (".txt", ".md", ".html")), None)
            if text is not None:
                out.append((text, meta["date"]))
        return out
    if (folder / "MANIFEST.toml").exists():
        manifest = tomllib.loads((folder / "MANIFEST.toml").read_text(encoding="utf-8"))["wrap"]
        names = [name for name, meta in manifest.items() if split in (None, "all", meta.get("split"))]
        return [(folder / f"{name}.csv", None) for name in sorted(names) if (folder / f"{name}.csv").exists()]
    return [(p, None) for p in sorted(folder.glob("*.expected.csv"))]


def outcomes(files: list[tuple[Path, str | None]], official: bool = True) -> tuple[dict, list[dict]]:
    from wrapcheck.engine import validate_paths

    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    listed = []
    from wrapcheck.reader import ReadError

    for path, day in files:
        try:
            report = validate_paths([path], session=day, official=official)
        except ReadError as exc:
            listed.append({"file": path.name, "instrument": "", "code": "-", "status": "unread", "message": str(exc)})
            continue
        data = json.loads(report_json(report))
        for source in data["sources"]:
            for r in source["results"]:
                counts[r["code"]][r["status"]] += 1
                if r["status"] != "pass":
                    listed.append({"file": path.name, "instrument": r["instrument"], "code": r["code"],
                                   "status": r["status"], "message": r["message"]})
    return counts, listed


def report_json(report) -> str:
    from wrapcheck.reporters.columnar import document_text

    return document_text(report)


def compare_texts(folder: Path, corpus: Path, split: str, official: bool = True) -> int:
    """Failures on each article text against failures on its labelled figures."""
    manifest = tomllib.loads((folder / "MANIFEST.toml").read_text(encoding="utf-8"))["wrap"]
    names = [n for n, m in sorted(manifest.items()) if split in ("all", m.get("split")) and (corpus / f"{n}.txt").exists()]
    only_text, both, only_labels = [], [], []
    for name in names:
        day = manifest[name]["date"]
        _, text_fails = outcomes([(corpus / f"{name}.txt", day)], official)
        _, label_fails = outcomes([(folder / f"{name}.csv", None)], official)
        key = lambda r: (r["code"], r["instrument"].split("(")[0].strip())
        labelled = {key(r) for r in label_fails if r["status"] in ("fail", "error")}
        texted = {key(r) for r in text_fails if r["status"] in ("fail", "error")}
        for r in text_fails:
            if r["status"] in ("fail", "error"):
                (both if key(r) in labelled else only_text).append((name, r))
        only_labels += [(name, code, inst) for code, inst in sorted(labelled - texted)]
    print(f"{len(names)} article(s) of split {split}: {len(both)} failure(s) on the text that the labels also give, "
          f"{len(only_text)} on the text only, {len(only_labels)} on the labels only")
    for title, items in (("text only", only_text), ("text and labels", both)):
        for name, r in items:
            print(f"  {title:15} {r['code']} {name} {r['instrument']}: {r['message'][:200]}")
    for name, code, inst in only_labels:
        print(f"  {'labels only':15} {code} {name} {inst}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT / "tests" / "data" / "articles"))
    parser.add_argument("--split", default="dev", help="dev, holdout or all (real wraps only)")
    parser.add_argument("--skips", action="store_true", help="list the skips' reasons too")
    parser.add_argument("--articles", action="store_true", help="check the article texts, not the expected CSVs")
    parser.add_argument("--no-official", action="store_true", help="without the official record")
    parser.add_argument("--json", help="write the counts and the listing to this file")
    parser.add_argument("--corpus", help="a folder of the real articles' texts: compare their failures with their labels'")
    args = parser.parse_args(argv)
    if args.corpus:
        return compare_texts(Path(args.folder), Path(args.corpus), args.split, official=not args.no_official)
    files = labelled_files(Path(args.folder), args.split, args.articles)
    counts, listed = outcomes(files, official=not args.no_official)
    print(f"{len(files)} file(s) in {args.folder}" + (f" (split {args.split})" if (Path(args.folder) / 'MANIFEST.toml').exists() else ""))
    print(f"{'rule':6} {'pass':>5} {'fail':>5} {'skip':>5} {'error':>5}")
    for code in sorted(counts):
        c = counts[code]
        print(f"{code:6} {c['pass']:5} {c['fail']:5} {c['skip']:5} {c['error']:5}")
    total = sum(counts.values(), collections.Counter())
    print(f"{'all':6} {total['pass']:5} {total['fail']:5} {total['skip']:5} {total['error']:5}")
    for item in listed:
        if item["status"] != "skip" or args.skips:
            print(f"  {item['status']:5} {item['code']} {item['file']} {item['instrument']}: {item['message']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"counts": {k: dict(v) for k, v in counts.items()}, "listed": listed},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
