"""The session's net buying and selling by individuals, foreigners and institutions (see investors.py)."""

from __future__ import annotations

from wrapcheck.investors import flow_mentions
from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.recognizers.common import signed
from wrapcheck.markets import index_of


@recognizer("flows-by-clause")
def flows_by_clause(ctx: Context):
    """Each category's amount with the sign its clause gives it: "retail investors scooped up 512.3
    billion won, while foreigners and institutions sold 402.1 billion won and 97.6 billion won,
    respectively", "net sales of 81.2 billion won by institutions", "외국인은 3천412억원을 순매도했다".
    The figures belong to the market the sentence (or the last one before it) names."""
    by_market: dict[str, dict[str, str]] = {}
    for mention in flow_mentions(ctx.sentence):
        # the market named last before the investors ("the KOSPI fell on 2.2 trillion won of foreign
        # selling, while the KOSDAQ rose"), else the paragraph's
        market = index_of(ctx.sentence, mention.start, ctx.market) or ctx.market
        fields = by_market.setdefault(market, {})
        if mention.amount and mention.column not in fields:
            fields[mention.column] = signed(mention.amount, mention.sign == -1)
    for market, fields in by_market.items():
        if fields:
            yield Found(market, fields, ctx.sentence)
