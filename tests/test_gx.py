"""Great Expectations interop (issue 7): the exported suite, and the GX engine agreeing with ours."""

import json
import subprocess
import sys

import pytest

from conftest import SEED, find, read_rows, write_rows
from wrapcheck.engine import validate_paths

gx = pytest.importorskip("great_expectations")
from wrapcheck.gx import EXPRESSIBLE, NOT_EXPRESSIBLE  # noqa: E402

MUTATIONS = [
    ("summary", "KOSPI", {"change_pct": "1.62%"}),
    ("summary", "KOSPI", {"foreign_net": "+618.83 billion won"}),
    ("summary", "KOSPI", {"institution_net": "68.93 billion won"}),
    ("summary", "KOSPI", {"close": "45,254.8"}),
    ("yonhap-1", "KOSPI", {"prior_close": "4,475.52"}),
    ("yonhap-1", "KOSPI", {"change_pct": "-1.52%"}),
    ("yonhap-1", "KOSPI", {"turnover": "25.27 billion won"}),
    ("yonhap-1", "KOSPI", {"decliners": "4,820", "issues_traded": "900"}),
    ("yonhap-1", "KOSPI", {"date": "2026-01-04"}),
    ("yonhap-2", "SK Hynix", {"change_pct": "+31.2%"}),
    ("yonhap-2", "USD/KRW", {"close": "14,455.0"}),
    ("yonhap-2", "KTB 3Y", {"instrument": "KTB 3OY"}),
]


def statuses(report):
    res = report.results[report.results["code"].isin(EXPRESSIBLE)]
    return sorted(zip(res["idx"], res["code"], res["status"]))


def test_engines_agree_on_the_seed_and_its_mutations(tmp_path):
    cases = [SEED]
    for n, (source, instrument, cells) in enumerate(MUTATIONS):
        rows = read_rows()
        find(rows, source, instrument).update(cells)
        cases.append(write_rows(tmp_path / f"m{n}.csv", rows))
    for path in cases:
        local = validate_paths(path, select=list(EXPRESSIBLE))
        through_gx = validate_paths(path, select=list(EXPRESSIBLE), engine="gx")
        assert statuses(local) == statuses(through_gx), path
    # and the mutations are caught by both: every one fails at least one expressible rule
    for path in cases[1:]:
        report = validate_paths(path, select=list(EXPRESSIBLE), engine="gx")
        assert (report.results["status"] == "fail").any(), path


def test_gx_engine_reports_through_every_reporter(tmp_path):
    rows = read_rows()
    find(rows, "summary", "KOSPI")["change_pct"] = "1.62%"
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(write_rows(tmp_path / "s.csv", rows)),
                          "--engine", "gx", "--no-reports", "--format", "json", "--format", f"junit={tmp_path / 'j.xml'}"],
                         capture_output=True, text=True)
    assert out.returncode == 1
    document = json.loads(out.stdout)
    a002 = [r for s in document["sources"] for r in s["results"] if r["code"] == "A002" and r["status"] == "fail"]
    assert len(a002) == 1 and "Great Expectations" in a002[0]["message"] and "a002_ratio" in a002[0]["message"]
    assert "A002 percent-change-matches" in (tmp_path / "j.xml").read_text()
    assert any("engine gx" in n for n in document["summary"]["notes"])


def test_export_gx_suite_and_what_it_cannot_express(tmp_path):
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "export-gx", "--out", str(tmp_path), "--frame", str(SEED)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    suite = json.loads((tmp_path / "wrapcheck_suite.json").read_text())
    types = {e["type"] for e in suite["expectations"]}
    assert {"expect_column_values_to_be_between", "expect_compound_columns_to_be_unique",
            "expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set"} <= types
    codes = {e["meta"]["wrapcheck_code"] for e in suite["expectations"]}
    assert codes == set(EXPRESSIBLE)
    gx.ExpectationSuite(**{k: suite[k] for k in ("name", "expectations")})  # GX reads it back
    listed = json.loads((tmp_path / "not_expressible.json").read_text())
    assert {x["code"] for x in listed} == set(NOT_EXPRESSIBLE) and all(x["why"] for x in listed)
    assert "a002_ratio" in (tmp_path / "gx_frame.csv").read_text().splitlines()[0]


def test_gx_data_docs(tmp_path):
    validate_paths(SEED, select=["A", "S"], engine="gx", gx_docs=tmp_path / "docs")
    assert (tmp_path / "docs" / "index.html").exists()
