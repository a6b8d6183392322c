"""Property tests (hypothesis): printed numbers round-trip with their precision, and any bytes either
load, with every row reported, or fail with a one-line LoadError."""

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wrapcheck.engine import run, select_rules
from wrapcheck.loader import LoadError, load
from wrapcheck.numbers import CHANGE, KRW_BN, LEVEL, PERCENT, SHARES, parse_figure

decimals = st.integers(min_value=0, max_value=4)
magnitudes = st.integers(min_value=0, max_value=10**9)


def printed(units: int, places: int, separators: bool) -> str:
    text = f"{Decimal(units).scaleb(-places):,.{places}f}" if separators else f"{Decimal(units).scaleb(-places):.{places}f}"
    return text


@given(magnitudes, decimals, st.booleans(), st.sampled_from(["", "+", "-", "\u2212"]),
       st.sampled_from([(LEVEL, ""), (CHANGE, " points"), (PERCENT, "%"), (LEVEL, " won"), (KRW_BN, " billion won")]))
def test_plain_numbers_round_trip(units, places, separators, sign, unit_suffix):
    unit, suffix = unit_suffix
    text = sign + printed(units, places, separators) + suffix
    figure = parse_figure(text, unit)
    expected = float(Decimal(units).scaleb(-places)) * (-1 if sign in ("-", "\u2212") else 1)
    assert figure.value == expected or abs(figure.value - expected) <= 1e-12 * max(1, abs(expected))
    assert figure.halfwidth == float(Decimal(5).scaleb(-places - 1))
    assert figure.decimals == places


@given(magnitudes, st.integers(min_value=0, max_value=2), st.sampled_from([("million", 6), ("billion", 9), ("trillion", 12)]))
def test_multipliers_scale_value_and_precision(units, places, word_exponent):
    word, exponent = word_exponent
    text = f"{printed(units, places, True)} {word}"
    figure = parse_figure(text, SHARES)
    value = Decimal(units).scaleb(-places) * Decimal(10) ** exponent
    assert abs(figure.value - float(value)) <= 1e-9 * max(1.0, float(value))
    assert figure.halfwidth == float(Decimal(5).scaleb(-places - 1 + exponent))


@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=9999), st.integers(min_value=1, max_value=9999))
def test_korean_amounts_round_trip(jo, eok, man):
    text = (f"{jo}조" if jo else "") + f"{eok}억{man}만원"
    figure = parse_figure(text, KRW_BN)
    won = jo * 10**12 + eok * 10**8 + man * 10**4
    assert abs(figure.value - won / 1e9) <= 1e-9 * max(1, won / 1e9)
    assert figure.halfwidth == 0.5 * 10**4 / 1e9  # precise to the last unit written: 만


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600))
def test_any_bytes_load_or_fail_cleanly(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    check_loads_or_fails(path)


header = st.sampled_from(["date,source,instrument,close,change,change_pct",
                          "date;source;instrument;close;advancers;statement",
                          "date\tsource\tinstrument\tforeign_net\tturnover"])
cell = st.one_of(st.text(max_size=12), st.sampled_from(["4,525.48", "-618.83bn", "1.52%", "n/a", "6천188억원", "\"a,b\"", "2026-01-06", "KOSPI"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header, st.lists(st.lists(cell, min_size=1, max_size=7), max_size=6))
def test_csv_like_text_loads_or_fails_cleanly(tmp_path, head, rows):
    delimiter = ";" if ";" in head else "\t" if "\t" in head else ","
    text = head + "\n" + "\n".join(delimiter.join(r) for r in rows) + "\n"
    path = tmp_path / "fuzz.csv"
    path.write_text(text, encoding="utf-8")
    check_loads_or_fails(path)


def check_loads_or_fails(path: Path) -> None:
    try:
        loaded = load([path])
    except LoadError as exc:
        message = str(exc)
        assert "\n" not in message and str(path) in message
        return
    report = run(loaded, select_rules())
    # nothing lost: every row read has results
    assert set(report.results["idx"]) == set(loaded.table.index)
