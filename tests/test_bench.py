"""make compare's contenders do wrapcheck's job: on a plain archive with a slip planted for every rule,
the floor and the naive Pandera schema find the very rows wrapcheck fails, rule by rule (issue 8)."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from wrapcheck.engine import validate_paths

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import compare  # noqa: E402


def test_contenders_fail_the_rows_wrapcheck_fails(tmp_path):
    folder = compare.plain_archive(20_000, tmp_path / "plain")
    report = validate_paths(folder, select=compare.CODES)
    failed = report.results[report.results["status"] == "fail"].join(report.table[["_file", "_row"]], on="idx")
    ours = {code: set(zip(group["_file"].astype(str), group["_row"])) for code, group in failed.groupby("code", observed=True)}

    files = sorted(folder.glob("*.csv"))
    frames = [pd.read_csv(p, dtype={"date": str, "source": str, "instrument": str, "statement": str}) for p in files]
    keys = [(str(p), row) for p, frame in zip(files, frames) for row in range(2, len(frame) + 2)]
    flags = compare._derived(pd.concat(frames, ignore_index=True))
    for code in compare.CODES:
        theirs = {keys[i] for i in np.flatnonzero(flags[code])}
        assert theirs == ours.get(code, set()), code
        assert theirs, f"{code}: the plain archive plants no slip this rule catches"
    counts = {code: len(ours.get(code, ())) for code in compare.CODES}
    assert compare.run_floor(folder) == counts
    assert compare.run_pandera(folder) == counts
