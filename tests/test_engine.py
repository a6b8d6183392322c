"""Engine semantics: skips name what they needed, crashes are errors, nothing passes silently."""

import numpy as np
import pandas as pd

from conftest import SEED
from wrapcheck.engine import run, run_rule
from wrapcheck.loader import load
from wrapcheck.registry import load_registry
from wrapcheck.rules import Context, Rule


class Crashes(Rule):
    code = "Z901"
    name = "always-crashes"
    requires = ("close",)

    def check(self, rows, ctx):
        raise ZeroDivisionError("boom")


class AnswersHalf(Rule):
    code = "Z902"
    name = "answers-half"

    def check(self, rows, ctx):
        from wrapcheck.rules import outcome

        half = rows.index[: len(rows) // 2]
        return outcome(half, np.ones(len(half), dtype=bool))


def test_a_crashing_rule_is_an_error_never_a_pass():
    loaded = load([SEED])
    report = run(loaded, {"Z901": Crashes()})
    statuses = set(report.results["status"])
    assert statuses == {"error", "skip"}
    errors = report.results[report.results["status"] == "error"]
    assert errors["message"].str.contains("ZeroDivisionError: boom").all()
    assert report.exit_code() == 1


def test_rows_a_rule_does_not_answer_become_errors():
    loaded = load([SEED])
    out = run_rule(AnswersHalf(), Context(loaded, load_registry()))
    assert (out["status"] == "error").sum() == len(loaded.table) - len(loaded.table) // 2


def test_skip_names_the_missing_fields():
    loaded = load([SEED])
    report = run(loaded, {"Z901": Crashes()})
    skipped = report.results[report.results["status"] == "skip"]
    assert len(skipped) == 8 * 3 - 12  # the stock rows have no close
    assert skipped["message"].eq("skipped: needs close; missing or unreadable: close").all()


def test_unknown_columns_are_kept_and_noted(tmp_path):
    from conftest import read_rows, write_rows

    rows = [{**r, "desk_note": "checked by J."} for r in read_rows()]
    loaded = load([write_rows(tmp_path / "extra.csv", rows)])
    assert (loaded.raw["desk_note"] == "checked by J.").all()
    assert any("unchecked extra column(s) kept as written: desk_note" in n for n in loaded.notes)
