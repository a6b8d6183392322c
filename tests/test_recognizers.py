"""Each recognizer of the extractor against its labelled cases (tests/cases/recognizers/<module>.toml):
every recognizer has a case it reads and a near miss it leaves alone, and reads exactly what is labelled."""

import tomllib
from pathlib import Path

import pytest

from wrapcheck.recognizers import REGISTRY, run_one

CASES = Path(__file__).parent / "cases" / "recognizers"


def _cases():
    for path in sorted(CASES.glob("*.toml")):
        for k, case in enumerate(tomllib.loads(path.read_text(encoding="utf-8"))["case"]):
            yield pytest.param(case, id=f"{path.stem}-{k}-{case['recognizer']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_recognizer_reads_its_case(case):
    found = run_one(case["recognizer"], case["sentence"], case.get("session", "2025-03-28"), case.get("market", "KOSPI"),
                    case.get("previous", ""))
    got = sorted(({"instrument": f.instrument, **f.fields} for f in found), key=lambda d: d["instrument"])
    assert got == sorted(case["expect"], key=lambda d: d["instrument"])


def test_every_recognizer_has_a_reading_and_a_near_miss():
    cases = [c.values[0] for c in _cases()]
    for name, recognizer in REGISTRY.items():
        own = [c for c in cases if c["recognizer"] == name]
        assert any(c["expect"] for c in own), f"{name}: no case it reads"
        assert any(not c["expect"] for c in own) or name in _WHOLE_SENTENCE, f"{name}: no near miss"
        assert (CASES / f"{recognizer.module}.toml").exists()
        assert recognizer.doc, f"{name}: no docstring"
    assert {c["recognizer"] for c in cases} <= set(REGISTRY), "a case names no recognizer"


_WHOLE_SENTENCE: set[str] = set()
