"""Engine semantics: skips name what they needed, crashes are errors, nothing passes silently."""

from pathlib import Path

import numpy as np
import pytest

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


class AnswersOk(Rule):
    code = "Z903"
    name = "answers-ok"

    def check(self, rows, ctx):
        from wrapcheck.rules import outcome

        out = outcome(rows.index, np.ones(len(rows), dtype=bool))
        out["status"] = out["status"].astype(object).where(np.arange(len(rows)) > 0, "ok")  # one row: not a status
        return out


def test_an_unknown_status_is_an_error_and_no_row_drops_out():
    loaded = load([SEED])
    report = run(loaded, {"Z903": AnswersOk()})
    assert len(report.results) == len(loaded.table)
    assert report.status_counts() == {"pass": 0, "fail": 0, "skip": 0, "error": len(loaded.table)}
    assert report.results["message"].str.contains("Z903.check returned status 'ok'").all()
    assert report.exit_code() == 1


def test_results_are_listed_by_source_then_row_then_rule():
    loaded = load([SEED])
    report = run(loaded, {"Z901": Crashes(), "Z902": AnswersHalf()})
    res, starts = report._ordered()
    key = list(zip(res["date"].astype(str), res["source"].astype(str), res["idx"], res["code"].astype(str)))
    assert key == sorted(key) and len(key) == 2 * len(loaded.table)


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


def test_shipped_calendar_equals_exchange_calendars():
    """schemas/calendars/XKRX.toml is generated, not hand-written: it still matches the pinned library."""
    import tomllib

    from wrapcheck.calendar import generate
    from wrapcheck.resources import data_dir

    with open(data_dir("schemas") / "calendars" / "XKRX.toml", "rb") as fh:
        shipped = tomllib.load(fh)
    fresh = generate(start=shipped["first_session"], end="2027-12-31")
    assert shipped["closed_weekdays"] == fresh["closed_weekdays"]
    assert shipped["exchange_calendars_version"] == fresh["exchange_calendars_version"]


def test_overrides_close_sessions_the_library_keeps():
    from wrapcheck.calendar import load_calendar

    cal = load_calendar()
    assert not cal.is_session("2026-06-03") and not cal.is_session("2026-07-17")
    assert str(cal.previous("2026-01-06")) == "2026-01-05" and cal.count("2026-01-04", "2026-01-05") == 1


def test_results_kept_as_counts_only_count_and_list_as_all_do():
    """An archive audit listing failures keeps passes and skips as (row, rule, status) only: the counts,
    verdicts, exit code and the failures listed are those of a run that keeps every result."""
    from wrapcheck.engine import select_rules
    from wrapcheck.reporters.columnar import document_text
    from wrapcheck.reporters.markdown import skip_groups

    loaded = load([SEED])
    full = run(loaded, select_rules())
    lean = run(loaded, select_rules(), detail=("fail", "error"))
    counts = full.status_counts()
    assert counts["pass"] and counts["skip"] and counts["fail"]  # the seed has all three (C002 fails)
    assert set(lean.results["status"].astype(str)) == {"fail"} and len(lean.results) == counts["fail"]
    assert lean.status_counts() == counts and lean.summary() == full.summary() and lean.exit_code() == 1
    assert lean.source_dicts(("fail", "error")) == full.source_dicts(("fail", "error"))
    assert document_text(lean, "failures") == document_text(full, "failures")
    assert lean.detailed() == ("fail", "error")
    with pytest.raises(ValueError, match="not pass, skip"):
        lean.source_dicts()
    with pytest.raises(ValueError, match="skip"):
        skip_groups(lean)
    # Skips kept in brief (idx, rule, message) group as when kept whole, and are no more than that.
    brief = run(loaded, select_rules(), detail=("fail", "error"), brief=("skip",))
    assert skip_groups(brief) == skip_groups(full) and len(skip_groups(full))
    assert brief.status_counts() == counts and brief.detailed() == ("fail", "error")
    assert document_text(brief, "failures") == document_text(full, "failures")
    assert list(brief.briefs.columns) == ["idx", "code", "status", "message"] and len(brief.briefs) == counts["skip"]


def test_history_consensus_agreed_majority_disputed_and_reference(tmp_path):
    """The record per (instrument, date): agreeing sources give their most precise figure, a strict
    majority wins over an outlier, an even split is left unknown, and the official reference wins."""
    from conftest import write_rows
    from wrapcheck.history import consensus

    def rows(*closes):
        return [{"date": "2026-01-05", "source": f"s{k}", "instrument": inst, "close": close}
                for k, (inst, close) in enumerate(closes)]

    sessions = load([write_rows(tmp_path / "s.csv", rows(
        ("KOSPI", "4,457.52"), ("KOSPI", "4,457.5"), ("KOSPI", "4,457.52"),  # agree: the two decimals stand
        ("KOSDAQ", "945.57"), ("KOSDAQ", "945.57"), ("KOSDAQ", "954.57"),  # two against one
        ("USD/KRW", "1,443.80"), ("USD/KRW", "1,434.80"),  # one against one
        ("Samsung Electronics", "138,100"), ("Samsung Electronics", "138,100"),  # two against two:
        ("Samsung Electronics", "139,100"), ("Samsung Electronics", "139,100"),  # an even split
        ("SK Hynix", "700,000"), ("SK Hynix", "700,000"), ("SK Hynix", "701,000"),  # two of five agree:
        ("SK Hynix", "702,000"), ("SK Hynix", "703,000"),  # the most, not a majority
        ("Hyundai Motor", "250,000"), ("Hyundai Motor", "250,000"), ("Hyundai Motor", "250,000"),  # three of five
        ("Hyundai Motor", "251,000"), ("Hyundai Motor", "252,000"),
        ("KOSPI 200", "640.01")))])
    official = load([write_rows(tmp_path / "r.csv", rows(("KOSPI 200", "641.00")))])
    record = consensus(sessions.table, official.table, ("close", "change_pct"))
    assert list(record.index) == sorted(record.index)
    got = {inst: (row["close"], row["close__hw"], row["close__from"]) for (inst, _), row in record.iterrows()}
    assert got["KOSPI"] == (4457.52, 0.005, "agreed")
    assert got["KOSDAQ"] == (945.57, 0.005, "majority")
    assert np.isnan(got["USD/KRW"][0]) and got["USD/KRW"][2] == "disputed"
    # A value counts each report agreeing with it once, however many report it alike (counted per pair
    # of identical reports, two of five had been a "majority" and an even split decided).
    assert np.isnan(got["Samsung Electronics"][0]) and got["Samsung Electronics"][2] == "disputed"
    assert np.isnan(got["SK Hynix"][0]) and got["SK Hynix"][2] == "disputed"
    assert got["Hyundai Motor"] == (250000.0, 0.5, "majority")
    assert got["KOSPI 200"] == (641.0, 0.005, "reference")
    assert record["change_pct__from"].isna().all()  # nobody reported it
    only_close = consensus(sessions.table, None, ("close",))
    assert only_close.loc[("KOSPI 200", "2026-01-05"), "close__from"] == "agreed"
    assert len(consensus(sessions.table, None, ("change_pct",))) == 0


def test_warm_up_prepares_slow_imports_in_the_background_on_big_input_only(monkeypatch):
    import threading

    from wrapcheck import engine

    rules = engine.select_rules(["S003", "A002"])
    calls = []
    s003 = type(rules["S003"])
    prepare = s003.prepare
    monkeypatch.setattr(s003, "prepare", lambda self: (calls.append(threading.current_thread().name), prepare(self)))
    assert engine.warm_up(rules, [Path(SEED)]) is None  # one small file: no thread (it would slow the start)
    monkeypatch.setattr(engine, "WARM_UP_BYTES", 0)
    engine.warm_up(rules, [Path(SEED)]).join()
    assert calls == ["wrapcheck-warm-up"]  # A002 has nothing to prepare


def test_a_failing_warm_up_changes_no_result(monkeypatch):
    from wrapcheck import engine

    cold = engine.validate_paths(SEED, select=["S003"])
    monkeypatch.setattr(engine, "WARM_UP_BYTES", 0)
    s003 = type(engine.select_rules(["S003"])["S003"])
    monkeypatch.setattr(s003, "prepare", lambda self: 1 / 0)
    warmed = engine.validate_paths(SEED, select=["S003"])
    assert warmed.results.equals(cold.results) and (cold.results["status"] == "pass").any()


def test_x001_fails_alike_whether_or_not_passes_are_kept(mutate):
    """X001 words the majority's notes only when passes are kept (Context.keeps); its failures, with
    their figures and messages, are the same either way."""
    from wrapcheck.engine import select_rules

    loaded = load([mutate("summary", "KOSPI", close="4,552.48")])
    full = run(loaded, select_rules(["X001"]))
    lean = run(loaded, select_rules(["X001"]), detail=("fail", "error"))

    def failures(report):
        return report.results[report.results["status"] == "fail"].reset_index(drop=True)

    assert len(failures(full)) and failures(full).equals(failures(lean))
    assert "disagrees with" in failures(lean)["message"].iloc[0]
    passes = full.results[full.results["status"] == "pass"]["message"]
    assert passes.str.contains("odd source out: summary", regex=False).any()  # the full run names the odd one out


def test_disagreeing_pairs_are_the_pairs_agree_rejects():
    """X001 and the history consensus find a figure's disagreeing reports from sorted interval ends
    (rules.disagreeing_pairs); they are exactly the ordered pairs of a group that ``agree`` rejects, pair
    by pair, intervals that only touch (597.55 and 597.56 at two decimals) and the float guard included,
    and each run of candidates stays within its bound."""
    from wrapcheck.rules import agree, disagreeing_pairs

    rng = np.random.default_rng(5)
    for trial in range(300):
        n = int(rng.integers(0, 300))
        group = rng.integers(0, int(rng.integers(1, 40)), n)
        decimals = rng.integers(0, 3, n)  # written to 0, 1 or 2 decimals: the half-widths of "597", "597.6", "597.55"
        scale = float(rng.choice([1.0, 1000.0, 1e6]))
        value = np.round(scale * (597 + rng.integers(-3, 4, n) / 100.0), 2)
        value = np.choose(decimals, [np.round(value, d) for d in range(3)])
        hw = 0.5 * 10.0 ** -decimals.astype(float)
        if trial % 3 == 0:  # figures an ulp apart: only the guard tells them apart from a gap
            value = value + rng.choice([0.0, 1e-13, -1e-13], n) * scale
        elif trial % 3 == 1:  # touching figures moved by about the guard: some pairs it absorbs, some not
            value = value + rng.choice([0.0, 0.6, 0.9, 1.1, 1.6, 2.5, -1.1], n) * 1e-9 * np.abs(value)
        bound = int(rng.integers(1, 500))
        runs = list(disagreeing_pairs(group, value, hw, bound))
        assert all(len(left) <= bound or len(np.unique(left)) == 1 for left, *_ in runs)
        got = set()
        for left, right, difference, tolerance in runs:
            got |= set(zip(left.tolist(), right.tolist()))
            _, expected_difference, expected_tolerance = agree(value[left], hw[left], value[right], hw[right])
            assert np.array_equal(difference, expected_difference) and np.array_equal(tolerance, expected_tolerance)
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        i, j = i.ravel(), j.ravel()
        same = group[i] == group[j]
        ok, _, _ = agree(value[i[same]], hw[i[same]], value[j[same]], hw[j[same]])
        expected = set(zip(i[same][~ok].tolist(), j[same][~ok].tolist()))
        assert got == expected, trial
        assert sum(len(left) for left, *_ in runs) == len(expected)  # each pair once
