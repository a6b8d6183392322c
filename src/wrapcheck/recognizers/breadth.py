"""Advancing and declining issues, in either order and with the nouns wraps use."""

from __future__ import annotations

import re

from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.words import alternation, listed

_ADVANCE = listed("breadth", "advance")
_SIDE = alternation(_ADVANCE + listed("breadth", "decline"))
_COUNT = r"\d[\d,]*"
_PAIR = [
    # winners slightly outnumbered losers 473 to 401
    re.compile(rf"(?P<a>{_SIDE})\s+(?:\w+ly\s+|far\s+|well\s+)?(?:outnumbered|outnumber|outnumbers|outpaced|outpacing|beating|beat|outnumbering|topped)\s+"
               rf"(?P<b>{_SIDE})\s+(?:by\s+)?(?P<n1>{_COUNT})\s*(?:to|-|:|versus|vs\.?)\s*(?P<n2>{_COUNT})", re.I),
    # with 512 losers compared to 371 gainers / 371 gainers against 512 losers
    re.compile(rf"(?P<n1>{_COUNT})\s+(?P<a>{_SIDE})\s+(?:compared\s+(?:to|with)|against|versus|vs\.?|and)\s+(?P<n2>{_COUNT})\s+(?P<b>{_SIDE})", re.I),
]


def _side(word: str) -> str:
    return "advancers" if " ".join(word.lower().split()) in {w.lower() for w in _ADVANCE} else "decliners"


@recognizer("breadth-pair")
def pair(ctx: Context):
    """Both sides, either first: "gainers outnumbered losers 502 to 361", "with 488 losers compared to
    390 gainers"."""
    for pattern in _PAIR:
        m = pattern.search(ctx.sentence)
        if m and _side(m["a"]) != _side(m["b"]):
            yield Found(ctx.market, {_side(m["a"]): m["n1"].replace(",", ""), _side(m["b"]): m["n2"].replace(",", "")}, ctx.sentence)
            return


_TOTALS = [
    (re.compile(rf"(?P<adv>{_COUNT})\s+stocks?\s+gaining(?:\s+ground)?\s+against\s+(?P<dec>{_COUNT})\s+that\s+declined(?:\s+out of a total of\s+(?P<total>{_COUNT})\s+traded issues)?", re.I)),
    (re.compile(rf"Of the total\s+(?P<total>{_COUNT})\s+(?:issues traded|traded issues),\s+(?P<adv>{_COUNT})\s+shares (?:rose|advanced)(?:,\s+while\s+(?P<dec>{_COUNT})\s+declined)?", re.I)),
    (re.compile(rf"(?:prices\s+)?fell\s+for\s+(?P<dec>{_COUNT})\s+stocks,?\s+while\s+(?:only\s+)?(?P<adv>{_COUNT})\s+rose", re.I)),
    (re.compile(rf"of the total traded issues of\s+(?P<total>{_COUNT}),\s+the number of advancing shares was\s+(?P<adv>{_COUNT})", re.I)),
]


@recognizer("breadth-with-total")
def with_total(ctx: Context):
    """Counts of a total: "412 stocks gaining ground against 455 that declined out of a total of 934
    traded issues", "Of the total 931 issues traded, 500 shares rose, while 380 declined"."""
    for pattern in _TOTALS:
        m = pattern.search(ctx.sentence)
        if m:
            keys = {"adv": "advancers", "dec": "decliners", "total": "issues_traded"}
            yield Found(ctx.market, {keys[k]: v.replace(",", "") for k, v in m.groupdict().items() if v}, ctx.sentence)
            return


_KO_COUNT = r"(?P<{}>\d[\d,]*)\s*(?:개사|개\s*종목|개|종목)"
_KO_SIDES = {
    "advancers": [re.compile(r"(?:주가가\s*)?오른\s*종목(?:은|이|수는)?\s*" + _KO_COUNT.format("n")),
                  re.compile(r"상승\s*(?:종목(?:\s*수)?\s*(?:은|는|이)?\s*)?(?:상한가\s*\d+\s*개\s*(?:를\s*)?포함(?:해|한)?\s*)?" + _KO_COUNT.format("n")),
                  re.compile(_KO_COUNT.format("n") + r"\s*(?:종목)?(?:이|은|는)?\s*(?:올랐|상승)")],
    "decliners": [re.compile(r"(?:주가가\s*)?내린\s*종목(?:은|이|수는)?\s*" + _KO_COUNT.format("n")),
                  re.compile(r"하락\s*(?:종목(?:\s*수)?\s*(?:은|는|이)?\s*)?(?:하한가\s*\d+\s*개\s*(?:를\s*)?포함(?:해|한)?\s*)?" + _KO_COUNT.format("n")),
                  re.compile(_KO_COUNT.format("n") + r"\s*(?:종목)?(?:이|은|는)?\s*(?:떨어|내렸|내리|내린|하락)")],
    "unchanged": [re.compile(r"보합(?:권)?\s*(?:종목(?:\s*수)?\s*(?:은|는|이)?\s*)?" + _KO_COUNT.format("n"))],
}


_KO_SUBSET = re.compile(r"상위\s*\d*\s*개?\s*종목|시가총액|시총")


@recognizer("breadth-korean")
def korean(ctx: Context):
    """Korean counts by side: "상승 종목은 상한가 2개 포함 318개, 하락 종목은 541개로 집계됐다", "412개 종목이
    올랐고 391개 종목은 떨어졌다", "상승 1,102개, 하락 498개, 보합 61개 종목"."""
    if _KO_SUBSET.search(ctx.sentence):
        return  # "시가총액 상위 20개 종목 가운데 12종목이 하락": the top stocks, not the market's breadth
    fields = {}
    for side, patterns in _KO_SIDES.items():
        for pattern in patterns:
            m = pattern.search(ctx.sentence)
            if m:
                fields[side] = m["n"].replace(",", "")
                break
    if "advancers" in fields or "decliners" in fields:
        yield Found(ctx.market, fields, ctx.sentence)
