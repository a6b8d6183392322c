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
