"""Every rule has a code, a kebab name, documentation and cases, and lives in its own file."""

import inspect
import re
import tomllib
from pathlib import Path

import pytest

from wrapcheck.engine import discover_rules

CASES = Path(__file__).parent / "cases"
RULES = discover_rules()


def test_the_issue_rule_codes_exist():
    expected = {"S001", "S002", "S003", "S004", "A001", "A002", "A003", "F001", "F002", "B001", "B002", "D001", "V001", "X001"}
    assert expected <= set(RULES)


@pytest.mark.parametrize("code", list(RULES))
def test_rule_is_documented(code):
    rule = RULES[code]
    assert re.fullmatch(r"[A-Z]\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", rule.name), rule.name
    assert rule.severity in ("error", "warning")
    doc = inspect.getdoc(type(rule)) or ""
    for heading in ("What it checks:", "Why:", "Example:"):
        assert heading in doc, f"{code} docstring lacks {heading!r}"
    path = Path(inspect.getfile(type(rule)))
    assert path.parent.name == "checks" and path.name.startswith(code + "_")
    assert path.stem[5:].replace("_", "-") == rule.name, "the file is named after the rule"


@pytest.mark.parametrize("code", list(RULES))
def test_rule_has_passing_and_failing_cases(code):
    path = CASES / f"{code}.toml"
    assert path.exists(), f"no cases for {code}"
    expects = {case["expect"] for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]}
    assert {"pass", "fail"} <= expects


def test_rule_names_are_unique():
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


def test_no_top_level_checks_or_schemas_package():
    root = Path(__file__).resolve().parents[1]
    for name in ("checks", "schemas"):
        assert not (root / name / "__init__.py").exists()


@pytest.mark.parametrize("code", sorted(discover_rules()))
def test_a_rule_that_reads_other_sessions_says_so(code):
    """An archive checked in chunks carries the consensus record only when a selected rule declares
    ``reads_history`` (stream.py): a rule reading the record without saying so would miss the sessions
    of earlier chunks."""
    rule = discover_rules()[code]
    source = inspect.getsource(type(rule))
    reads = re.search(r"ctx\.(history|record_of|record)\b", source) is not None
    assert reads == rule.reads_history, f"{code}: reads the record: {reads}, declares reads_history: {rule.reads_history}"


SITUATIONS = {  # issue 17: what a rule that reads the registry or the record must be shown to handle
    "new-instrument": "a listed stock (or, for an index rule, an index) the old 12-name registry did not know",
    "former-name": "a renamed company under its former name",
    "unknown-name": "a name wrapcheck does not know",
    "beyond-data-end": "a session after the official data's end",
}
READS_MARKET_DATA = re.compile(r"ctx\.(registry|official|history|record_of|profile_values|market)|reads_history = True|TickGrid|daily_limit")


def reads_market_data(code: str) -> bool:
    return bool(READS_MARKET_DATA.search(Path(inspect.getfile(type(RULES[code]))).read_text(encoding="utf-8")))


@pytest.mark.parametrize("code", [c for c in RULES if reads_market_data(c)])
def test_a_rule_that_reads_the_registry_or_the_record_has_the_four_cases(code):
    cases = tomllib.loads((CASES / f"{code}.toml").read_text(encoding="utf-8"))["case"]
    covered = {tag for case in cases for tag in case.get("covers", [])}
    source = Path(inspect.getfile(type(RULES[code]))).read_text(encoding="utf-8")
    reads_record = RULES[code].reads_history or "ctx.official" in source
    needed = set(SITUATIONS) if reads_record else {"new-instrument", "former-name", "unknown-name"}
    if RULES[code].kinds is not None and "stock" not in RULES[code].kinds:
        needed -= {"former-name", "new-instrument"}  # an index rule sees no company; its profile is the market's
    assert needed <= covered, f"{code} lacks cases for: " + "; ".join(SITUATIONS[t] for t in sorted(needed - covered))


def test_every_rule_is_either_run_by_gx_or_said_why_not():
    from wrapcheck.gx import EXPRESSIBLE, NOT_EXPRESSIBLE

    assert set(RULES) == set(EXPRESSIBLE) | set(NOT_EXPRESSIBLE)
    assert not set(EXPRESSIBLE) & set(NOT_EXPRESSIBLE)
