"""Index lines: the close with its move in points and percent, in the orders wraps write them.

Which index a line speaks of is the last index name before the figures (KOSPI when none is named).
An opening level ("...으로 출발했다") is not the close.
"""

from __future__ import annotations

import re

from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.markets import INDEX_NAME as _INDEX_NAME, index_of
from wrapcheck.recognizers.common import DOWN, DOWNING, NUM, PCT, UP, UPING, is_down, signed

# "to 4,797.55", "to close at", "to finish at an all-time high of", "to a new record high of", "to close at a record"
_TO_LEVEL = (r"(?:on\s+\w+\s+|from\s+the\s+previous\s+(?:day|session|trading\s+day)\s+|from\s+(?:a|the)\s+day\s+(?:ago|before|earlier)\s+|over\s+the\s+same\s+period\s+|from\s+\w+'s\s+clos(?:e|ing)\s+)?"
             r"(?:to\s+(?:close\s+at\s+|finish\s+(?:transaction\s+|trading\s+)?at\s+|end\s+(?:\w+day\s+)?at\s+|settle\s+at\s+|reach\s+|hit\s+)?|closing\s+at\s+|ending\s+(?:the\s+day\s+)?at\s+|finishing\s+at\s+|settling\s+at\s+)"
             r"(?:(?:a|an)\s+)?(?:(?:new|fresh|another)\s+)?(?:(?:record|all-time|historic|yearly|annual|52-week|\d+-(?:month|year))\s+)?(?:(?:closing\s+)?(?:high|low)\s+)?(?:of\s+)?")
_POINTS = r"\s*points?"

_PATTERNS: dict[str, list[re.Pattern]] = {
    "index-closed-direction-points-percent": [
        # ended 3.88 points or 0.15 per cent lower at 2,539.15
        re.compile(rf"(?:closed|was|ended|finished)\s+(?P<chg>{NUM}){_POINTS},?\s+or\s+(?P<pct>{NUM})\s*{PCT},?\s+(?P<dir>up|down|higher|lower)\s+at\s+(?P<close>{NUM})", re.I),
        # closed up 24.67 points, or 1.02%, at 2,442.51
        re.compile(rf"(?:closed|was|ended|finished)\s+(?P<dir>up|down|higher|lower)\s+(?P<chg>{NUM}){_POINTS},?\s+or\s+(?P<pct>{NUM})\s*{PCT},?\s+at\s+(?P<close>{NUM})", re.I),
        # closed up 0.91%, or 23.78 points, at 2,625.58
        re.compile(rf"(?:closed|was|ended|finished)\s+(?P<dir>up|down|higher|lower)\s+(?P<pct>{NUM})\s*{PCT},?\s+or\s+(?P<chg>{NUM}){_POINTS},?\s+at\s+(?P<close>{NUM})", re.I),
    ],
    "index-move-to-level": [
        # rose 74.45 points, or 1.58 percent, to 4,797.55 / to a new record high of
        re.compile(rf"(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING})\s+(?:by\s+)?(?P<chg>{NUM}){_POINTS},?\s+(?:or\s+)?(?P<pct>{NUM})\s*{PCT},?\s+{_TO_LEVEL}(?P<close>{NUM})"
                   rf"(?:\s+from\s+the\s+previous\s+session's\s+(?P<prior>{NUM}))?", re.I),
        # rose 67.96 points (1.52 percent) on Tuesday to close at a record 4,525.48
        re.compile(rf"(?P<dir>{UP}|{DOWN})\s+(?:by\s+)?(?P<chg>{NUM}){_POINTS}\s*\(\s*(?P<pct>{NUM})\s*{PCT}\s*\),?\s+{_TO_LEVEL}(?P<close>{NUM})", re.I),
        # declined 1.34 percent, or 35.36 points, to 2,569.32
        re.compile(rf"(?P<dir>{UP}|{DOWN})\s+(?:by\s+)?(?P<pct>{NUM})\s*{PCT},?\s+or\s+(?P<chg>{NUM}){_POINTS},?\s+{_TO_LEVEL}(?P<close>{NUM})", re.I),
    ],
    "index-level-then-move": [
        # closed at 4,840.74, gaining 43.19 points, or 0.9 percent / finished at 4,525.48, up 67.96 points (1.52%)
        re.compile(rf"(?:closed|finished|ended|settled)(?:\s+(?:trading|the\s+day|the\s+session))?\s+at\s+(?:(?:a|an)\s+)?(?:(?:new|fresh)\s+)?(?:(?:record|all-time)\s+)?(?:high\s+)?(?:of\s+)?(?P<close>{NUM})(?:\s*points)?(?:,|\s+-+|\s+\u2014)?\s+"
                   rf"(?P<dir>{UPING}|{DOWNING})\s+(?:by\s+)?(?P<chg>{NUM}){_POINTS},?\s*(?:\(|or\s+)(?P<pct>{NUM})\s*(?:%|percent)", re.I),
        # the KOSDAQ finished at 1,064.41, up 7.09% from the previous trading day
        re.compile(rf"(?:closed|finished|ended|settled)\s+at\s+(?P<close>{NUM})(?:\s*points)?,\s+(?P<dir>up|down|higher|lower)\s+(?P<pct>{NUM})\s*{PCT}(?!\s*\(|,?\s+or\s+\d)", re.I),
        # with the KOSPI closing 7,484.41, -8.29%
        re.compile(rf"(?:closed|closing|finished|ended)\s+(?:at\s+)?(?P<close>{NUM}),\s*(?P<dir>[-+\u2212])\s?(?P<pct>{NUM})\s*%", re.I),
        # closed at 2,534.79 on the 16th, up 16.54 points or 0.66 percent, from 2,518.25 on the previous trading day
        re.compile(rf"(?:closed|finished|ended)\s+at\s+(?P<close>{NUM})(?:\s*points)?\s+on\s+the\s+(?:\d+(?:st|nd|rd|th)|same\s+day),?\s+(?P<dir>{UPING}|{DOWNING})\s+"
                   rf"(?P<chg>{NUM}){_POINTS},?\s+or\s+(?P<pct>{NUM})\s*{PCT}(?:,?\s+from\s+(?P<prior>{NUM}))?", re.I),
        # closed at 2,197.67 points, down 0.30 percent, or 6.54 points, from the previous session
        re.compile(rf"(?:closed|finished|ended|settled)\s+at\s+(?P<close>{NUM})(?:\s*points)?,?\s+(?P<dir>{UPING}|{DOWNING})\s+(?:by\s+)?(?P<pct>{NUM})\s*{PCT},?\s+or\s+(?P<chg>{NUM}){_POINTS}", re.I),
        # closed at 2591.34, down 1.6% (42.11 points) from the previous day
        re.compile(rf"(?:closed|finished|ended)\s+at\s+(?P<close>{NUM}),?\s+(?P<dir>up|down)\s+(?P<pct>{NUM})\s*%\s*\(\s*(?P<chg>{NUM}){_POINTS}\s*\)", re.I),
        # closed at 1,012.51, down 22.31 points (2.16%) / closed down at 3,097.92, down 35.72 points (-1.14%)
        re.compile(rf"(?:closed|finished|ended|settled)(?:\s+(?:up|down|higher|lower))?\s+at\s+(?P<close>{NUM}),?\s+(?P<dir>up|down)\s+(?P<chg>{NUM}){_POINTS}\s*\(\s*[-+]?(?P<pct>{NUM})\s*%\s*\)"
                   rf"(?:\s+from\s+the\s+previous\s+(?:trading\s+)?(?:day|session)\s*\(\s*(?P<prior>{NUM})\s*\))?", re.I),
    ],
    "index-percent-to-level": [
        # closed 0.9 percent up at 4,952.53 / finished 3.8 percent lower at 1,869.45 points
        re.compile(rf"(?:closed|finished|ended)\s+(?P<pct>{NUM})\s*(?:percent|%)\s+(?P<dir>up|higher|down|lower)\s+at\s+(?P<close>{NUM})", re.I),
        # closed up 0.8 percent at 2,027.08 points / finished down 6.6 percent at 462.69
        re.compile(rf"(?:closed|finished|ended|closing|ending|finishing)(?:\s+the\s+(?:day|year|week|session))?\s+(?P<dir>up|higher|down|lower)\s+(?P<pct>{NUM})\s*(?:percent|%)\s+at\s+(?P<close>{NUM})", re.I),
        # slipping 0.16 percent to 955.97 / fell 1.2% from the previous day to close at 2,480.10
        re.compile(rf"(?P<dir>{UPING}|{DOWNING}|{UP}|{DOWN})\s+(?:by\s+)?(?P<pct>{NUM})\s*(?:percent|%)\s+{_TO_LEVEL}"
                   rf"(?P<close>{NUM})(?!\d|[,.]\d|\s*(?:million\s+)?won|\s*(?:to|per|against|versus)\s+the\s+(?:U\.?S\.?\s+)?dollar)", re.I),
    ],
    "index-korean": [
        # 코스피는 전 거래일보다 12.30포인트(0.52%) 오른 2,380.15에
        re.compile(rf"(?:(?:전\s*거래일|전날|전일)\s*(?:종가\s*)?\((?P<prior>{NUM})\)\s*(?:보다|대비)\s*)?(?P<chg>{NUM})\s*(?:포인트|p)?\s*(?:\(p\))?\s*\(\s*[-+\u2212]?(?P<pct>{NUM})\s*%?p?\s*\)\s*"
                   rf"(?P<dir>오른|상승한|급등한|뛴|높은|내린|하락한|급락한|떨어진|낮은)\s*(?P<close>{NUM})(?!\s*원)"
                   r"(?![\d.])(?!\s*(?:포인트)?(?:에|으로|로)?\s*(?:거래를\s*|장을\s*)?(?:시작|출발|개장))"),
        # 코스닥 지수는 739.23으로 전 거래일 대비 3.13 포인트(+0.43%) 상승하며
        re.compile(rf"(?P<close>{NUM})\s*(?:으로|로)\s*(?:전\s*(?:거래)?일|전날)\s*(?:대비|보다)\s*(?P<chg>{NUM})\s*(?:포인트|p)\s*\(\s*[-+\u2212]?(?P<pct>{NUM})\s*%\s*\)\s*"
                   r"(?P<dir>상승|하락|올랐|내렸|오르|내리)"),
        # 코스닥 지수 또한 전날보다 1.62% 상승한 913.12로
        re.compile(rf"(?:전\s*(?:거래)?일|전날)\s*(?:대비|보다)\s*[-+\u2212]?(?P<pct>{NUM})\s*%\s*(?P<dir>오른|상승한|급등한|뛴|내린|하락한|급락한|떨어진)\s*(?P<close>{NUM})(?![\d.]|\s*원)"
                   r"(?!\s*(?:포인트)?(?:에|으로|로)?\s*(?:거래를\s*|장을\s*)?(?:시작|출발|개장))"),
        # 코스닥 지수는 전일대비 0.72포인트, 0.23% 오른 308.20에
        re.compile(rf"(?:전\s*(?:거래)?일|전날)\s*(?:대비|보다)\s*(?P<chg>{NUM})\s*(?:포인트|p)\s*,\s*(?P<pct>{NUM})\s*%\s*(?P<dir>오른|상승한|급등한|뛴|내린|하락한|급락한|떨어진)\s*(?P<close>{NUM})"
                   r"(?![\d.])(?!\s*(?:포인트)?(?:에|으로|로)?\s*(?:거래를\s*|장을\s*)?(?:시작|출발|개장))"),
        # 코스닥 지수는 전일대비 0.11%, 0.78포인트 내린 703.99에
        re.compile(rf"(?:전\s*(?:거래)?일|전날)\s*(?:대비|보다)\s*(?P<pct>{NUM})\s*%\s*,\s*(?P<chg>{NUM})\s*(?:포인트|p)\s*(?P<dir>오른|상승한|급등한|뛴|내린|하락한|급락한|떨어진)\s*(?P<close>{NUM})"
                   r"(?![\d.])(?!\s*(?:포인트)?(?:에|으로|로)?\s*(?:거래를\s*|장을\s*)?(?:시작|출발|개장))"),
        # 코스피지수는 31일 전 거래일보다 4.41포인트 떨어진 2160.23으로 / 4.60포인트 오른 619.28에 (points only)
        re.compile(rf"(?P<chg>{NUM})\s*포인트\s*(?P<dir>오른|상승한|급등한|뛴|높은|내린|하락한|급락한|떨어진|낮은)\s*(?P<close>{NUM})(?![\d.])\s*(?:포인트)?(?:에|으로|로)"
                   r"(?!\s*(?:거래를\s*|장을\s*)?(?:시작|출발|개장))"),
        # 코스피지수는 전날보다 0.60%(11.75포인트) 내린 1,946.12에
        re.compile(rf"(?P<pct>{NUM})\s*%\s*\(\s*(?P<chg>{NUM})\s*(?:포인트|p)\s*\)\s*(?P<dir>오른|상승한|급등한|뛴|내린|하락한|급락한|떨어진)\s*(?P<close>{NUM})"
                   r"(?![\d.])(?!\s*(?:포인트)?(?:에|으로|로)?\s*(?:거래를\s*|장을\s*)?(?:시작|출발|개장))"),
    ],
}


_WEEK_OR_MORE = re.compile(r"\b(?:for|on|over)\s+the\s+(?:week|month|year|quarter)\b|\b(?:this|last)\s+(?:week|month|year)\b|\bso\s+far\s+this\b", re.I)


def _clause_start(sentence: str, at: int) -> int:
    return max([m.end() for m in re.finditer(r"[.;]\s", sentence[:at])] + [0])


def _index_lines(name: str):
    def find(ctx: Context):
        for pattern in _PATTERNS[name]:
            for m in pattern.finditer(ctx.sentence):
                first_figure = m.start() + (re.search(r"\d", m.group()) or m).start()  # a subject inside the match counts
                index = index_of(ctx.sentence, first_figure, ctx.market)
                if index is None or _WEEK_OR_MORE.search(ctx.sentence, _clause_start(ctx.sentence, m.start()), m.start()) or not ctx.claim(m.span()):
                    continue  # another market, or "For the week, the index fell 0.3 per cent"
                down = is_down(m["dir"].lower())
                g = m.groupdict()
                fields = {k: v for k, v in (("close", g.get("close")), ("change_pct", g.get("pct") and signed(g["pct"], down) + "%")) if v}
                if g.get("chg"):
                    fields["change"] = signed(g["chg"], down)
                if g.get("prior"):
                    fields["prior_close"] = g["prior"]
                yield Found(index, fields, ctx.sentence, m.span())
    return find


_PATTERNS["index-points-only"] = [
    # advanced 19.21 points to 1,415.1 / lost 6.55 points from the previous session, to close at 705.85
    re.compile(rf"(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING})\s+(?:by\s+)?(?P<chg>{NUM}){_POINTS}(?:\s+from\s+the\s+previous\s+(?:session|day|trading\s+day))?,?\s+"
               rf"{_TO_LEVEL}(?P<close>{NUM})(?!\d|[.,]\d|\s*(?:won|%|percent))", re.I),
    # fell to 2,042.32 points, losing 9.85 points
    re.compile(rf"(?:{UP}|{DOWN})\s+to\s+(?P<close>{NUM})(?:\s*points)?,?\s+(?P<dir>{UPING}|{DOWNING}|shedding|adding)\s+(?:by\s+)?(?P<chg>{NUM}){_POINTS}", re.I),
    # closed the day 35.08 points lower to end at 2,274.49
    re.compile(rf"(?:closed|ended|finished)(?:\s+the\s+(?:day|session))?\s+(?P<chg>{NUM}){_POINTS}\s+(?P<dir>higher|lower|up|down),?\s+(?:to\s+(?:end|close|finish)\s+at|at|to)\s+(?P<close>{NUM})", re.I),
]
_PATTERNS["index-percent-only"] = [
    # The KOSPI lost 1.52 percent on Thursday / South Korean stocks closed 1.38 percent higher Monday
    re.compile(rf"(?:KOSPI\)?|Kospi|KOSDAQ\)?|Kosdaq|[Ii]ndex\)?|stocks|shares)\s+(?P<dir>{UP}|{DOWN})\s+(?:by\s+)?(?P<pct>{NUM})\s*{PCT}(?!,?\s+or\b|\s+to\b|\s*\(|\s+intraday|\s+during|\s+in\s+early)"),
    re.compile(rf"(?:KOSPI\)?|Kospi|KOSDAQ\)?|Kosdaq|[Ii]ndex\)?|stocks|shares)\s+(?:closed|ended|finished)\s+(?P<pct>{NUM})\s*{PCT}\s+(?P<dir>higher|lower|up|down)(?!\s+at\b)"),
]

_PATTERNS["index-move-without-level"] = [
    # rose 5.97 points, or 0.26 percent on Tuesday. (the level in the next sentence: index-it-closed-at)
    re.compile(rf"(?:KOSPI\)?|Kospi|KOSDAQ|Kosdaq|[Ii]ndex\)?|bourse)\s+(?:also\s+)?(?:\w+,\s+)?(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING})\s+(?:by\s+)?(?P<chg>{NUM}){_POINTS},?\s+or\s+(?P<pct>{NUM})\s*{PCT}"
               r"(?!,?\s+(?:to|at)\b)"),
]

_DOCS = {
    "index-closed-direction-points-percent": 'The close after a move in both units: "closed up 12.10 points, or 0.48%, at 2,530.20".',
    "index-move-to-level": 'A move in points and percent to the level: "rose 30.12 points, or 1.1 percent, to a new record high of 2,790.45".',
    "index-level-then-move": 'The level first, then the move: "finished at 2,601.33, down 9.87 points (0.38%)".',
    "index-percent-to-level": 'A percent-only move to the level: "fell 1.2% from the previous day to close at 2,480.10".',
    "index-points-only": 'A move in points to the level: "advanced 12.40 points to 1,602.3", "fell to 2,040.10 points, losing 8.75 points".',
    "index-percent-only": 'A percent with no level: "the KOSPI lost 1.1 percent on Thursday", "stocks closed 0.9 percent higher".',
    "index-move-without-level": 'A move with no level in its sentence: "the KOSPI rose 5.97 points, or 0.26 percent on Tuesday."',
    "index-korean": 'Korean index lines: "코스피는 전 거래일보다 12.30포인트(0.52%) 오른 2,380.15에 마감했다".',
}
for _name, _doc in _DOCS.items():
    _find = _index_lines(_name)
    _find.__doc__ = _doc
    _find.__module__ = __name__
    recognizer(_name)(_find)

_CLOSE_ONLY = re.compile(rf"(?:KOSPI|Kospi|KOSDAQ|Kosdaq|index)\s+(?:closes|closed|ended|finished)\s+at\s+(?:a\s+(?:record|fresh high|new high)\s+)?(?P<close>{NUM})(?!\d|[.,]\d)(?!\s*(?:won|%))")


@recognizer("index-close-only")
def close_only(ctx: Context):
    """A close with no move: "the KOSPI closed at a record 2,812.04"."""
    for m in _CLOSE_ONLY.finditer(ctx.sentence):
        index = index_of(ctx.sentence, m.end(), ctx.market)
        if index is not None and ctx.claim(m.span()):
            yield Found(index, {"close": m["close"]}, ctx.sentence, m.span())


_IT_CLOSED = re.compile(rf"^It\s+(?:ended|closed|finished|settled)(?:\s+the\s+(?:day|session))?\s+at\s+(?P<close>{NUM})(?!\d|[.,]\d)(?!\s*(?:won|%))", re.I)


@recognizer("index-it-closed-at")
def it_closed_at(ctx: Context):
    """The level in the sentence after the move: "The KOSPI rose 5.97 points, or 0.26 percent on Tuesday.
    It ended the day at 2,308.98." (the index of the sentence before)."""
    m = _IT_CLOSED.match(ctx.sentence)
    if m and _INDEX_NAME.search(ctx.previous) and ctx.claim(m.span()):
        index = index_of(ctx.previous, len(ctx.previous), ctx.market) or ctx.market
        yield Found(index, {"close": m["close"]}, ctx.sentence, m.span())
