"""Treasury yields: a level in percent, a move in basis points, or the previous day's level."""

from __future__ import annotations

import re

from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.recognizers.common import DOWN, DOWNING, NUM, UP, UPING, is_down, signed

_YEARS = {"one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "twenty": 20, "thirty": 30, "fifty": 50}
TENOR = {**{w: f"KTB {n}Y" for w, n in _YEARS.items()}, **{str(n): f"KTB {n}Y" for n in _YEARS.values()}}
_TENOR = r"(?P<tenor>one|two|three|five|ten|twenty|thirty|fifty|1|2|3|5|10|20|30|50)-year\s+(?:Korean\s+)?(?:Treasury\s+|treasury\s+|government\s+)?(?:bond\s+|note\s+)?"
_PERCENT = r"\s*(?:per cent|percent|%)"
_BP = r"\s*(?P<unit>basis\s+points?|bps?|bp|percentage\s+points?|%p)(?![\w])"


def _bp(change: str, down: bool, unit: str) -> str:
    """A yield's move as written, in basis points or (for "percentage point") as %p."""
    return signed(change, down) + ("%p" if unit.lower().startswith(("percentage", "%p")) else "bp")

_VERSUS_PREVIOUS = re.compile(
    rf"{_TENOR}yielded\s+(?P<close>{NUM}){_PERCENT},?\s+(?:versus|higher than|lower than|compared with)\s+the previous day's\s+(?P<prior>{NUM}){_PERCENT}", re.I)


@recognizer("yield-versus-previous-day")
def versus_previous_day(ctx: Context):
    """A level against the day before: "the three-year Treasury yielded 2.61 percent, versus the
    previous day's 2.64 percent"."""
    for m in _VERSUS_PREVIOUS.finditer(ctx.sentence):
        if ctx.claim(m.span()):
            yield Found(TENOR[m["tenor"].lower()], {"close": m["close"] + "%", "prior_close": m["prior"] + "%"}, ctx.sentence, m.span())


_MOVE_TO_LEVEL = re.compile(
    rf"{_TENOR}yields?\s+(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING})\s+(?:by\s+)?(?P<chg>{NUM}){_BP}\s+to\s+(?P<close>{NUM}){_PERCENT}", re.I)
_LEVEL_AND_MOVE = re.compile(
    rf"{_TENOR}yields?\s+(?:closed|ended|finished|stood)\s+at\s+(?P<close>{NUM}){_PERCENT},?\s+(?P<dir>{UPING}|{DOWNING})\s+(?:by\s+)?(?P<chg>{NUM}){_BP}", re.I)


@recognizer("yield-move-and-level")
def move_and_level(ctx: Context):
    """A move in basis points with the level: "the 10-year yield fell 3.5 basis points to 2.98%",
    "the three-year yield closed at 2.71 percent, up 2 bps"."""
    for pattern in (_MOVE_TO_LEVEL, _LEVEL_AND_MOVE):
        for m in pattern.finditer(ctx.sentence):
            if ctx.claim(m.span()):
                fields = {"close": m["close"] + "%", "change": _bp(m["chg"], is_down(m["dir"]), m["unit"])}
                yield Found(TENOR[m["tenor"].lower()], fields, ctx.sentence, m.span())


_ON_TENOR = (r"(?:yield|return)s?\s+on\s+(?:the\s+)?(?:benchmark\s+)?(?P<tenor>one|two|three|five|ten|twenty|thirty|fifty|1|2|3|5|10|20|30|50)-year\s+"
             r"(?:Korean\s+)?(?:Treasurys|Treasuries|Treasury\s+bonds?|Treasury\s+notes?|government\s+bonds?|bonds?|notes?)\s+")
_ON_MOVE = re.compile(rf"{_ON_TENOR}(?P<dir>{UP}|{DOWN})\s+(?:by\s+)?(?P<chg>{NUM}){_BP}\s+to\s+(?P<close>{NUM}){_PERCENT}", re.I)


@recognizer("yield-on-bonds-move")
def on_bonds_move(ctx: Context):
    """The yield named by the bond: "the yield on three-year Treasurys rose 3.2 basis points to 2.91
    percent", "the return on the benchmark five-year government bonds climbed 2 basis points to 3.1 percent"."""
    for m in _ON_MOVE.finditer(ctx.sentence):
        if ctx.claim(m.span()):
            fields = {"close": m["close"] + "%", "change": _bp(m["chg"], is_down(m["dir"]), m["unit"])}
            yield Found(TENOR[m["tenor"].lower()], fields, ctx.sentence, m.span())


_LEVEL = re.compile(
    rf"{_TENOR}yields?\s+(?:rises|rose|falls|fell|stood|stands|closed|ended|finished|climbed|slipped)\s+(?:at|to)\s+(?P<close>{NUM}){_PERCENT}", re.I)


@recognizer("yield-level")
def level(ctx: Context):
    """A level only: "the five-year yield rose to 3.05%"."""
    for m in _LEVEL.finditer(ctx.sentence):
        if ctx.claim(m.span()):
            yield Found(TENOR[m["tenor"].lower()], {"close": m["close"] + "%"}, ctx.sentence, m.span())


_KO_TENOR = r"(?P<n>1|2|3|5|10|20|30|50)\s*년\s*(?:물|만기)"
_KO_MOVE = (rf"(?:전\s*(?:거래)?일\s*(?:보다|대비)\s*)?(?P<chg>{NUM})\s*bp\s*(?:\([^)]*\))?\s*(?P<dir>상승|하락|오른|내린|올라|내려)한?\s*"
            rf"(?:연\s*)?(?P<close>{NUM})\s*%")
_KO_ONE = re.compile(rf"(?:국고채\s*)?{_KO_TENOR}\s*(?:국고채\s*)?(?:금리|수익률)?\s*(?:은|는|도|가|이)?\s*{_KO_MOVE}")
_KO_EACH = re.compile(rf"(?P<tenors>(?:국고채\s*)?\d+\s*년물(?:\s*,\s*\d+\s*년물)+)\s*(?:금리)?(?:은|는|도)?\s*각각\s*"
                      rf"(?P<chgs>{NUM}\s*bp(?:\s*,\s*{NUM}\s*bp)+)\s*(?P<dir>상승|하락)한\s*(?P<closes>{NUM}\s*%(?:\s*,\s*{NUM}\s*%)+)")


@recognizer("yield-korean")
def korean(ctx: Context):
    """국고채 금리: "3년 만기 국고채 금리는 전 거래일보다 4.2bp(1bp=0.01%p) 상승한 연 3.118%에 마감했다",
    "국고채 30년물, 50년물 금리는 각각 2.1bp, 1.9bp 하락한 3.201%, 3.188%에 마감했다"."""
    for m in _KO_EACH.finditer(ctx.sentence):
        tenors, chgs, closes = re.findall(r"(\d+)\s*년물", m["tenors"]), re.findall(NUM, m["chgs"]), re.findall(NUM, m["closes"])
        if len(tenors) == len(chgs) == len(closes) and all(t in TENOR for t in tenors) and ctx.claim(m.span()):
            down = m["dir"] == "하락"
            for t, c, level_ in zip(tenors, chgs, closes):
                yield Found(TENOR[t], {"close": level_ + "%", "change": signed(c, down) + "bp"}, ctx.sentence, m.span())
    for m in _KO_ONE.finditer(ctx.sentence):
        if ctx.claim(m.span()):
            down = m["dir"] in ("하락", "내린", "내려")
            yield Found(TENOR[m["n"]], {"close": m["close"] + "%", "change": signed(m["chg"], down) + "bp"}, ctx.sentence, m.span())
