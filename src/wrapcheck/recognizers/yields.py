"""Treasury yields: a level in percent, a move in basis points, or the previous day's level."""

from __future__ import annotations

import re

from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.recognizers.common import DOWN, DOWNING, NUM, UP, UPING, is_down, signed

TENOR = {"three": "KTB 3Y", "3": "KTB 3Y", "five": "KTB 5Y", "5": "KTB 5Y", "ten": "KTB 10Y", "10": "KTB 10Y"}
_TENOR = r"(?P<tenor>three|five|ten|3|5|10)-year\s+(?:Korean\s+)?(?:Treasury\s+|treasury\s+|government\s+)?(?:bond\s+|note\s+)?"
_PERCENT = r"\s*(?:per cent|percent|%)"
_BP = r"\s*(?:basis\s+points?|bps?|bp)\b"

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
                fields = {"close": m["close"] + "%", "change": signed(m["chg"], is_down(m["dir"])) + "bp"}
                yield Found(TENOR[m["tenor"].lower()], fields, ctx.sentence, m.span())


_ON_TENOR = (r"(?:yield|return)s?\s+on\s+(?:the\s+)?(?:benchmark\s+)?(?P<tenor>three|five|ten|3|5|10)-year\s+"
             r"(?:Korean\s+)?(?:Treasurys|Treasuries|Treasury\s+bonds|Treasury\s+notes|government\s+bonds|bonds|notes)\s+")
_ON_MOVE = re.compile(rf"{_ON_TENOR}(?P<dir>{UP}|{DOWN})\s+(?:by\s+)?(?P<chg>{NUM}){_BP}\s+to\s+(?P<close>{NUM}){_PERCENT}", re.I)


@recognizer("yield-on-bonds-move")
def on_bonds_move(ctx: Context):
    """The yield named by the bond: "the yield on three-year Treasurys rose 3.2 basis points to 2.91
    percent", "the return on the benchmark five-year government bonds climbed 2 basis points to 3.1 percent"."""
    for m in _ON_MOVE.finditer(ctx.sentence):
        if ctx.claim(m.span()):
            fields = {"close": m["close"] + "%", "change": signed(m["chg"], is_down(m["dir"])) + "bp"}
            yield Found(TENOR[m["tenor"].lower()], fields, ctx.sentence, m.span())


_LEVEL = re.compile(
    rf"{_TENOR}yields?\s+(?:rises|rose|falls|fell|stood|stands|closed|ended|finished|climbed|slipped)\s+(?:at|to)\s+(?P<close>{NUM}){_PERCENT}", re.I)


@recognizer("yield-level")
def level(ctx: Context):
    """A level only: "the five-year yield rose to 3.05%"."""
    for m in _LEVEL.finditer(ctx.sentence):
        if ctx.claim(m.span()):
            yield Found(TENOR[m["tenor"].lower()], {"close": m["close"] + "%"}, ctx.sentence, m.span())
