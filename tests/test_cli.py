"""The command line as a user runs it: exit codes, reports on disk, stdout formats."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import SEED
from wrapcheck.cli import app
from wrapcheck.engine import validate_paths

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_seed_fails_only_c002_on_the_summary_and_writes_reports(tmp_path):
    result = run("validate", SEED, "--reports", tmp_path, "--format", "json", "--html")
    assert result.exit_code == 1, result.output
    failing = {(s["source"], r["instrument"], r["code"]) for s in json.loads(result.output)["sources"]
               for r in s["results"] if r["status"] in ("fail", "error")}
    assert failing == {("summary", "KOSPI", "C002")}
    day = tmp_path / "2026-01-06"
    names = sorted(p.name for p in day.iterdir())
    # The day's summary is summary.*; the source called "summary" gets summary-source.*
    assert names == ["index.html", "summary-source.html", "summary-source.json", "summary-source.md", "summary.json",
                     "summary.md", "yonhap-1.html", "yonhap-1.json", "yonhap-1.md", "yonhap-2.html", "yonhap-2.json", "yonhap-2.md"]
    assert (tmp_path / "index.html").exists()
    assert json.loads((day / "summary-source.json").read_text())["source"] == "summary"
    assert json.loads((day / "summary.json").read_text())["summary"]["sources"] == 3
    markdown = (day / "summary-source.md").read_text()
    assert "**FAIL**" in markdown and "C002" in markdown and "## Skipped checks" in markdown
    source = json.loads((day / "yonhap-1.json").read_text())
    assert source["source"] == "yonhap-1" and source["verdict"] == "pass"
    assert {r["code"] for r in source["results"]} >= {"A002", "F001", "B001", "V001", "X001"}


@pytest.mark.parametrize(
    ("source", "instrument", "cells", "code"),
    [
        ("summary", "KOSPI", {"close": "4,552.48"}, "X001"),
        ("summary", "KOSPI", {"change_pct": "1.62%"}, "A002"),
        ("summary", "KOSPI", {"foreign_net": "+618.83 billion won"}, "F001"),
        ("summary", "KOSPI", {"advancers": "482", "decliners": "394"}, "B002"),
        ("yonhap-2", "KOSPI", {"close": "4,525.98"}, "X001"),
    ],
)
def test_one_figure_change_exits_1_naming_the_code(mutate, source, instrument, cells, code):
    path = mutate(source, instrument, **cells)
    result = run("validate", path, "--no-reports", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    failing = {(s["source"], r["code"]) for s in document["sources"] for r in s["results"] if r["status"] == "fail"}
    assert (source, code) in failing


def test_weakened_to_strengthened_fails_d001(tmp_path, seed_rows):
    from conftest import find, write_rows

    row = find(seed_rows, "summary", "USD/KRW")
    row["statement"] = row["statement"].replace("weakened", "strengthened")
    path = write_rows(tmp_path / "s.csv", seed_rows)
    result = run("validate", path, "--no-reports", "--format", "json")
    assert result.exit_code == 1
    codes = {r["code"] for s in json.loads(result.output)["sources"] for r in s["results"] if r["status"] == "fail"}
    assert codes == {"D001", "C002"}  # C002: the seed's own wrong timeline line


@pytest.mark.parametrize("results", ["all", "problems", "failures"])
@pytest.mark.parametrize("cells", [{}, {"change_pct": "1.62%", "statement": 'He said "up" \\ \t <b>'}])
def test_json_output_equals_the_python_api(mutate, results, cells):
    path = mutate("summary", "KOSPI", **cells)
    result = run("validate", path, "--no-reports", "--format", "json", "--results", results)
    assert json.loads(result.output) == json.loads(json.dumps(validate_paths(path).to_dict(results)))


def test_every_input_row_appears_in_the_report(mutate):
    document = validate_paths(mutate("summary", "KOSPI", close="not a number")).to_dict()
    rows = {(r["file"], r["rows"][0]) for s in document["sources"] for r in s["results"]}
    assert len(rows) == 24


def test_select_and_ignore_by_prefix():
    document = json.loads(run("validate", SEED, "--no-reports", "--format", "json", "--select", "A,F001", "--ignore", "A003").output)
    codes = {r["code"] for s in document["sources"] for r in s["results"]}
    assert codes == {"A001", "A002", "F001"}


def test_fail_on_warning_is_accepted():
    assert run("validate", SEED, "--no-reports", "--fail-on", "warning", "--ignore", "C002").exit_code == 0


def test_missing_file_is_one_line_and_exit_2(tmp_path):
    result = run("validate", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "nope.csv: no such file or directory" in result.output


def test_directory_without_csv_exit_2(tmp_path):
    result = run("validate", tmp_path)
    assert result.exit_code == 2 and "no session files" in result.output


def test_empty_file_exit_2(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    result = run("validate", path)
    assert result.exit_code == 2 and "empty.csv: empty file" in result.output


def test_report_file_names_stay_inside_the_reports_folder(tmp_path, seed_rows):
    from conftest import write_rows

    seed_rows[0]["source"] = "../../etc/x"
    seed_rows[1]["source"] = "CON"
    path = write_rows(tmp_path / "s.csv", seed_rows)
    out = tmp_path / "out"
    run("validate", path, "--reports", out)
    written = [p.resolve() for p in out.rglob("*") if p.is_file()]
    assert written and all(out.resolve() in p.parents for p in written)
    assert (out / "2026-01-06" / "etc_x.json").exists() and (out / "2026-01-06" / "_CON.json").exists()


def test_rules_and_rule_commands():
    listing = run("rules")
    assert listing.exit_code == 0
    for code in ("S001", "A002", "X001"):
        assert code in listing.output
    doc = run("rule", "a002")
    assert doc.exit_code == 0
    assert "percent-change-matches" in doc.output and "What it checks:" in doc.output
    assert run("rule", "Z999").exit_code == 2


def test_console_scripts_installed(tmp_path):
    bindir = Path(sys.executable).parent
    out = subprocess.run([bindir / "validate", SEED, "--reports", tmp_path, "--ignore", "C002"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([bindir / "wrapcheck", "rules"], capture_output=True, text=True)
    assert out.returncode == 0 and "D001" in out.stdout


def test_default_path_does_not_import_great_expectations():
    code = "import sys, wrapcheck.cli, wrapcheck.engine; wrapcheck.engine.validate_paths(%r); print('great_expectations' in sys.modules)" % str(SEED)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_an_english_session_file_does_not_load_the_korean_segmenter():
    """kiwipiepy (a 105 MB model) cuts Korean sentences only; the seed's English statements never load it."""
    code = ("import sys, wrapcheck.engine; wrapcheck.engine.validate_paths(%r); "
            "print([m for m in ('kiwipiepy',) if m in sys.modules])") % str(SEED)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_console_script_keeps_pandera_from_importing_hypothesis():
    """Pandera loads hypothesis (0.15 s) for data synthesis when it is installed, as it is in the test
    environment; the `validate` script never synthesizes data, and still runs S003 through Pandera."""
    code = ("import sys, typer; from wrapcheck import cli; sys.argv = ['validate', %r, '--no-reports', '--select', 'S003']\n"
            "cli._as_console_script()\n"  # validate_main, without its exit (the prints below must run)
            "try: typer.run(cli.validate)\nexcept SystemExit as e: print('exit', e.code)\n"
            "print('hypothesis', sys.modules.get('hypothesis') is not None)\n"
            "print('pandera ran', 'pandera.backends.pandas.register' in sys.modules)\n"
            "import gc; print('frozen', gc.get_freeze_count() > 0)\n"
            "from numpy._core.multiarray import _set_madvise_hugepage as huge; print('huge pages', huge(False))\n"
            "import pyarrow; print('arrow pool', pyarrow.default_memory_pool().backend_name)") % str(SEED)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "exit 0" in out.stdout and "hypothesis False" in out.stdout, out.stdout + out.stderr
    assert "pandera ran True" in out.stdout, out.stdout
    assert "frozen True" in out.stdout, out.stdout  # the imports' objects left out of every collection
    assert "huge pages False" in out.stdout, out.stdout  # numpy no longer madvises huge pages
    assert "arrow pool system" in out.stdout, out.stdout  # Arrow allocates through glibc, not mimalloc


def test_a_host_process_keeps_its_collector():
    import gc

    before = gc.get_freeze_count()
    result = CliRunner().invoke(app, ["validate", str(SEED), "--no-reports"])
    assert result.exit_code == 1, result.output  # the seed's wrong timeline line (C002)
    assert gc.get_freeze_count() == before


def test_chunked_json_equals_whole(mutate):
    from wrapcheck.reporters.columnar import source_texts

    report = validate_paths(mutate("summary", "KOSPI", change_pct="1.62%"))
    whole = [json.loads(t) for _, t in source_texts(report, chunk=10**6)]
    for chunk in (1, 7, 40):
        assert [json.loads(t) for _, t in source_texts(report, chunk=chunk)] == whole


def test_json_strings_are_written_as_json_dumps_writes_them():
    """Report texts are escaped in bulk with Arrow; they must be the very bytes json.dumps gives."""
    from wrapcheck.reporters.columnar import _quoted

    words = ['plain', 'quote " and \\ back', 'tab\tnew\nline\rcr', 'bell\x07 back\b feed\f nul\x00', '원화 6,188억원', None]
    expected = [None if w is None else json.dumps(w, ensure_ascii=False) for w in words]
    assert _quoted(np.array(words, dtype=object)).to_pylist() == expected


def test_sources_without_listed_results_keep_their_place(mutate):
    """--results failures lists results for a few sources; every source still appears, in order."""
    from wrapcheck.reporters.columnar import document_text

    report = validate_paths(mutate("summary", "KOSPI", change_pct="1.62%"))
    document = json.loads(document_text(report, "failures"))
    assert document == json.loads(json.dumps(report.to_dict("failures")))
    keys = [(s["date"], s["source"]) for s in document["sources"]]
    assert keys == sorted(keys) and len(keys) == document["summary"]["sources"]
    assert any(s["results"] for s in document["sources"]) and any(not s["results"] for s in document["sources"])


@pytest.mark.parametrize("results, outputs, reports, kept", [
    ("all", [("console", None)], True, None),  # the default: every result, in the JSON reports
    ("all", [("json", None)], False, None),
    ("all", [("console", None)], False, ("fail", "error")),  # the console lists failures only
    ("failures", [("json", None)], False, ("fail", "error")),
    ("failures", [("console", None)], True, ("fail", "error")),  # the Markdown reports' skips: in brief
    ("problems", [("json", None)], False, ("fail", "skip", "error")),
    ("failures", [("junit", Path("j.xml")), ("github", None)], False, ("fail", "skip", "error")),
])
def test_results_kept_in_detail_are_those_some_output_lists(results, outputs, reports, kept):
    from wrapcheck.cli import _detail

    assert _detail(results, outputs, reports) == kept


@pytest.mark.parametrize(("results", "outputs", "reports", "brief"), [
    ("failures", [("console", None)], True, ("skip",)),  # per-source Markdown and HTML group the skips
    ("failures", [("markdown", None)], False, ("skip",)),
    ("failures", [("json", None)], False, None),  # nothing reads the skips
    ("problems", [("console", None)], True, None),  # the JSON reports list the skips: kept in detail
    ("failures", [("junit", Path("j.xml"))], True, None),  # JUnit reads skipped results whole
    ("all", [("console", None)], True, None),  # every result in detail
])
def test_skips_a_report_only_groups_are_kept_in_brief(results, outputs, reports, brief):
    from wrapcheck.cli import _brief

    assert _brief(results, outputs, reports) == brief


def test_console_scripts_exit_at_once_with_everything_written(tmp_path):
    """The scripts end the process without tearing the interpreter down (~0.1 s): what they print down a
    pipe and the files they write are complete, and the exit code is the command's."""
    bindir = Path(sys.executable).parent
    junit = tmp_path / "out.xml"
    out = subprocess.run([bindir / "validate", SEED, "--no-reports", "--format", "json", "--format", f"junit={junit}"],
                         capture_output=True, text=True)
    assert out.returncode == 1, out.stderr  # the seed's C002
    assert json.loads(out.stdout) == json.loads(json.dumps(validate_paths(SEED).to_dict()))
    assert junit.read_text(encoding="utf-8").rstrip().endswith("</testsuites>")
    out = subprocess.run([bindir / "validate", tmp_path / "absent.csv"], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.strip().endswith("no such file or directory"), out.stderr
    out = subprocess.run([bindir / "wrapcheck", "version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip(), out.stderr
