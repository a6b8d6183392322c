"""Numbers are read as written: value, unit and the precision the text claims."""

import pytest

from wrapcheck.numbers import CHANGE, COUNT, KRW_BN, LEVEL, PERCENT, SHARES, ParseError, parse_figure


@pytest.mark.parametrize(
    ("text", "unit", "value", "halfwidth"),
    [
        ("4,525.48", LEVEL, 4525.48, 0.005),
        ("+67.96", CHANGE, 67.96, 0.005),
        ("1.52%", PERCENT, 1.52, 0.005),
        ("1.5", PERCENT, 1.5, 0.05),
        ("597.55 billion won", KRW_BN, 597.55, 0.005),
        ("-618.83bn", KRW_BN, -618.83, 0.005),
        ("\u2212618.83", KRW_BN, -618.83, 0.005),
        ("1.8 trillion", KRW_BN, 1800.0, 50.0),
        ("25.27 trillion won", KRW_BN, 25270.0, 5.0),
        ("492.84 million", SHARES, 492_840_000.0, 5000.0),
        ("+1.5bp", CHANGE, 1.5, 0.05),
        ("0.015%p", CHANGE, 1.5, 0.05),
        ("(618.83)", KRW_BN, -618.83, 0.005),
        ("6,188억원", KRW_BN, 618.8, 0.05),
        ("6천188억원", KRW_BN, 618.8, 0.05),
        ("25조2700억원", KRW_BN, 25270.0, 0.05),
        ("597억5500만원", KRW_BN, 59.755, 0.000005),
        ("１，４４５．５０", LEVEL, 1445.5, 0.005),
        ("482", COUNT, 482.0, 0.5),
    ],
)
def test_parse_figure(text, unit, value, halfwidth):
    figure = parse_figure(text, unit)
    assert figure.value == pytest.approx(value, rel=1e-12)
    assert figure.halfwidth == pytest.approx(halfwidth, rel=1e-12)


@pytest.mark.parametrize(("text", "unit"), [("4.525,48", LEVEL), ("n/a", LEVEL), ("12 apples", LEVEL),
                                             ("1.8 trillion", LEVEL), ("394.5", COUNT), ("", LEVEL)])
def test_unreadable(text, unit):
    with pytest.raises(ParseError):
        parse_figure(text, unit)


def test_basis_points_flag():
    assert parse_figure("+1.5bp", CHANGE).basis_points
    assert parse_figure("1.5 basis points", CHANGE).basis_points
    assert not parse_figure("1.5", CHANGE).basis_points


def test_fmt_memo_keeps_the_sign_of_zero():
    """fmt is memoized; -0.0 == 0.0, so the memo must not hand one's wording to the other."""
    from wrapcheck.rules import fmt

    assert fmt(0.0, 0.005) == "0.00" and fmt(-0.0, 0.005) == "-0.00"
    assert fmt(-0.0, 0.005) == "-0.00" and fmt(0.0, 0.005) == "0.00"


CELLS = ["4,525.48", "+67.96", "-67.96", "1.52%", "1.5", "597.55 billion won", "-618.83bn", "\u2212618.83", "1.8 trillion",
         "25.27 trillion won", "492.84 million", "+1.5bp", "-3 bps", "1.5 basis points", "0.015%p", "(618.83)", "6,188억원",
         "25조2700억원", "１，４４５．５０", "٤٥٢٥", "482", "394.5", "1,2345", "4.525,48", "n/a", "12 apples", "+ 1.5 %",
         "1.8\u3000trillion", "2,600 won", "1.8 TRILLION", "3 mn", "0.5 thousand", "inf", "nan", "1e3", "+", "."]


@pytest.mark.parametrize("slice_rows", [1 << 17, 5])
@pytest.mark.parametrize("unit", [LEVEL, CHANGE, PERCENT, KRW_BN, SHARES, COUNT])
def test_column_parser_reads_each_cell_as_parse_figure_does(unit, slice_rows, monkeypatch):
    """The loader reads whole columns in Arrow kernels (plain numbers, then common unit forms), slice by
    slice, and only the rest cell by cell; every cell must read exactly as parse_figure reads it, or
    fail alike, whatever slice it falls in (blank runs make whole slices empty)."""
    import math

    import pandas as pd

    from wrapcheck import loader

    monkeypatch.setattr(loader, "SLICE_ROWS", slice_rows)
    cells = [*CELLS[:7], *[""] * 11, *CELLS[7:], "  "]
    values, halves, bp, errors = loader._parse_numeric(pd.Series(cells, dtype="str"), unit)
    for pos, cell in enumerate(cells):
        if not cell.strip():
            assert pos not in errors and math.isnan(values[pos]) and math.isnan(halves[pos]), repr(cell)
            continue
        try:
            figure = parse_figure(cell, unit)
        except ParseError:
            assert pos in errors, cell
            continue
        if not (math.isfinite(figure.value) and math.isfinite(figure.halfwidth)):
            assert pos in errors, cell
            continue
        assert pos not in errors, (cell, errors.get(pos))
        assert (values[pos], halves[pos], bp[pos]) == pytest.approx((figure.value, figure.halfwidth, figure.basis_points),
                                                                     rel=1e-12), cell
