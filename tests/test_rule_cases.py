"""One parametrized runner over tests/cases/<CODE>.toml (sqlfluff's std_rule_cases, in TOML).

A case starts from the seed fixture (or its own `csv`), applies its edits, runs only its rule and
asserts the status of the target row, and a substring of the message where given. `official = false`
runs the case without the official record (schemas/reference), on the user's files alone.
"""

import csv
import io
import tomllib
from pathlib import Path

import pytest

from conftest import SEED, find, read_rows, write_rows
from wrapcheck.engine import validate_paths

CASES_DIR = Path(__file__).parent / "cases"
ROOT = Path(__file__).resolve().parents[1]


def load_cases():
    for path in sorted(CASES_DIR.glob("*.toml")):
        code = path.stem
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            yield pytest.param(code, case, id=f"{code}-{case['name']}")


def build(case, tmp_path: Path) -> Path:
    if "csv" in case:
        rows = list(csv.DictReader(io.StringIO(case["csv"].strip() + "\n")))
    else:
        rows = read_rows(SEED)
    for edit in case.get("edit", []):
        row = find(rows, edit["source"], edit["instrument"])
        row.update(edit.get("set", {}))
        for column, (old, new) in edit.get("replace", {}).items():
            assert old in row[column], f"{old!r} not in {column}"
            row[column] = row[column].replace(old, new)
    for extra in case.get("append", []):
        row = dict(find(rows, extra["source"], extra["instrument"]))
        row.update(extra.get("set", {}))
        rows.append(row)
    return write_rows(tmp_path / "case.csv", rows)


def side_file(case, key: str, tmp_path: Path):
    """history / reference: a folder of the repository ("fixtures") or an inline CSV."""
    if key in case:
        return ROOT / case[key]
    if key + "_csv" in case:
        path = tmp_path / key / f"{key}.csv"
        path.parent.mkdir()
        path.write_text(case[key + "_csv"].strip() + "\n", encoding="utf-8")
        return path
    return None


@pytest.mark.parametrize(("code", "case"), list(load_cases()))
def test_rule_case(code, case, tmp_path):
    path = build(case, tmp_path)
    report = validate_paths(path, select=[code], history=side_file(case, "history", tmp_path),
                            reference=side_file(case, "reference", tmp_path), official=case.get("official", True))
    target = case["target"]
    table = report.table
    mine = report.results.join(table[["source", "instrument", "instrument_text"]], on="idx")
    mine = mine[(mine["code"] == code) & (mine["source"] == target["source"])
                & ((mine["instrument"] == target["instrument"]) | (mine["instrument_text"] == target["instrument"]))]
    assert len(mine) >= 1, f"no {code} result for {target}"
    statuses = sorted(set(mine["status"]))
    assert statuses == [case["expect"]], f"{code} on {target}: {statuses}: {list(mine['message'])}"
    if "message" in case:
        assert any(case["message"] in m for m in mine["message"]), list(mine["message"])
    if case["expect"] == "fail":
        assert report.exit_code() == (1 if report.rules[code].severity == "error" else 0)
