"""The streak / span / sum and record / threshold parsers on real phrasings (H002, H003)."""

import pytest

from wrapcheck.claims import level_claims, span_claims

SESSION = "2026-01-22"


@pytest.mark.parametrize(
    ("sentence", "kind", "n", "direction"),
    [
        ("The KOSPI rose for a third straight session.", "streak", 3, 1),
        ("It was the 10th consecutive day of gains for the index.", "streak", 10, 1),
        ("Stocks fell for the fifth consecutive trading day.", "streak", 5, -1),
        ("The index extended its 12-session winning streak.", "streak", 12, 1),
        ("KOSPI Nears 4,800 Milestone as 10-Day Bull Run Sets New All-Time High", "streak", 10, 1),
        ("The KOSPI has risen three sessions in a row.", "streak", 3, 1),
        ("Shares declined for two straight sessions.", "streak", 2, -1),
        ("The won weakened for a fourth consecutive session.", "streak", 4, 0),
        ("The KOSPI rose, snapping a four-day losing streak.", "snap", 4, -1),
        ("It was the index's first gain in five sessions.", "first-in", 5, 1),
        ("The KOSPI has gained on all but one of the 15 trading days so far this year.", "all-but", 15, 1),
        ("The index crossed 5,000 just 9 trading days after topping 4,500 on Jan 6.", "days-after", 9, 0),
        ("After purchasing more than 2.8 trillion won over the prior two sessions, foreigners became net sellers.", "sum", 2, 1),
        ("Foreigners sold about 1.3 trillion won over the past three sessions.", "sum", 3, -1),
    ],
)
def test_span_phrasings(sentence, kind, n, direction):
    claims = span_claims(sentence, SESSION)
    assert [(c.kind, c.n) for c in claims] == [(kind, n)]
    if direction:
        assert claims[0].direction == direction


def test_sum_claim_details():
    (claim,) = span_claims("After purchasing more than 2.8 trillion won over the prior two sessions, foreigners "
                           "became net sellers.", SESSION)
    assert (claim.field, claim.amount, claim.halfwidth, claim.comparison, claim.span) == ("foreign_net", 2800.0, 50.0, ">=", "prior")


def test_days_after_reads_the_date():
    (claim,) = span_claims("The index crossed 5,000 just 9 trading days after topping 4,500 on Jan 6.", SESSION)
    assert claim.since == "2026-01-06"


def test_timeline_lines_about_other_days_are_not_read_as_the_session():
    assert span_claims("Jan 4-5, 2026 - Foreign investors bought 2.8 trillion won over the past two sessions.", SESSION) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KOSPI closes above 4,500 for first time as tech stocks drive gains", [("first-above", 4500.0, "session")]),
        ("The KOSPI closed at a record high.", [("record", None, "session")]),
        ("extending the momentum that had lifted it above 4,400 the day before", [("above", 4400.0, "previous")]),
        ("Jan 5, 2026 - The KOSPI breaks the 4,400 mark for the first time.", [("first-above", 4400.0, "2026-01-05")]),
        ("Foreigners bought 2.8 trillion won.", []),
    ],
)
def test_level_claims(text, expected):
    got = [(c.kind, c.level, c.target) for c in level_claims(text, "2026-01-06", 4525.48)]
    assert got == expected


def test_an_earlier_weekdays_record_is_a_claim_about_that_day():
    """Met in a real wrap (rbtfl, 2026-06-26, a Friday): "The sell-off reversed Wednesday's record high"."""
    from wrapcheck.claims import level_claims
    from wrapcheck.text import weekday_mentions

    (claim,) = level_claims("The sell-off reversed Wednesday's record high.", "2026-06-26")
    assert (claim.kind, claim.target) == ("record", "2026-06-24")
    assert weekday_mentions("The sell-off reversed Wednesday's record high.", "2026-06-26") == []
    assert weekday_mentions("Stocks closed higher on Friday.", "2026-06-26") == [("Friday", "Stocks closed higher on Friday.")]


def test_last_friday_at_the_start_of_a_sentence_is_not_the_session():
    """Met in a real wrap (ksinq, 2026-06-08, a Monday): "Last Friday (June 5), Seoul looked like ..."."""
    from wrapcheck.text import weekday_mentions

    assert weekday_mentions("Last Friday (June 5), Seoul looked like it would trip its circuit-breaker.", "2026-06-08") == []
