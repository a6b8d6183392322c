"""Trading volume (shares) and turnover (won), with hedges ("about", "some") and verbs ("hit", "valued at")."""

from __future__ import annotations

import re

from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.recognizers.common import KNUM, NUM

_HEDGE = r"(?:(?:about|around|some|nearly|roughly|approximately|over|more than|a light|a heavy)\s+)?"
_VOLUME = re.compile(
    rf"(?:trade|trading)\s+volume\s+(?:during the session on the \w+ index\s+)?(?:was(?:\s+\w+){{1,2}}\s+at|reache?d?s?|stood at|came to|hit|totaled|was)\s+(?:a\s+\w+\s+)?"
    rf"{_HEDGE}(?P<vol>{NUM}\s*(?:million|billion)?\s*shares)?\s*(?:worth\s+|valued at\s+|\()?{_HEDGE}(?P<turn>{NUM}\s*(?:trillion|billion)\s*won)?", re.I)
_WITH_EXCHANGED = re.compile(rf"(?:trade|trading)\s+volume\s+was\s+\w+,\s+with\s+{_HEDGE}(?P<vol>{NUM}\s*(?:million|billion)\s*shares)\s+(?:exchanged|traded|changing\s+hands),?\s+"
                             rf"(?:valued\s+at|worth)\s+{_HEDGE}(?P<turn>{NUM}\s*(?:trillion|billion)\s*won)", re.I)
_WORTH = re.compile(rf"{_HEDGE}(?P<vol>{NUM}\s*(?:million|billion)\s*shares)\s+(?:worth|valued at)\s+{_HEDGE}(?P<turn>{NUM}\s*(?:trillion|billion)\s*won)", re.I)


@recognizer("volume-and-turnover")
def volume_and_turnover(ctx: Context):
    """"Trading volume was moderate at about 412.5 million shares worth some 7.9 trillion won", "Around
    1.1 billion shares worth 9.4 trillion won changed hands", "trading volume hit 1.2 billion shares"."""
    m = _VOLUME.search(ctx.sentence)
    if not (m and (m["vol"] or m["turn"])):
        m = _WITH_EXCHANGED.search(ctx.sentence) or _WORTH.search(ctx.sentence)
    if m and (m["vol"] or m["turn"]):
        fields = {}
        if m["vol"]:
            fields["volume"] = re.sub(r"\s*shares$", "", m["vol"])
        if m["turn"]:
            fields["turnover"] = m["turn"]
        yield Found(ctx.market, fields, ctx.sentence)


_TURNOVER_KO = re.compile(rf"유가증권시장\s*거래대금은\s*(?P<turn>{KNUM})")


@recognizer("turnover-korean")
def turnover_korean(ctx: Context):
    """"유가증권시장 거래대금은 11조2천억원": the main board's turnover."""
    m = _TURNOVER_KO.search(ctx.sentence)
    if m:
        yield Found("KOSPI", {"turnover": m["turn"].replace(" ", "")}, ctx.sentence)


_KO_VOLUME = re.compile(r"거래량(?:은|이)?\s*(?:약\s*)?(?P<vol>\d[\d,]*\s*억\s*(?:\d[\d,]*\s*만)?\s*(?:\d[\d,]*\s*)?주|\d[\d,]*\s*만\s*주)")
_KO_TURNOVER = re.compile(rf"거래대금(?:은|이)?\s*(?:약\s*)?(?P<turn>{KNUM})")


@recognizer("volume-and-turnover-korean")
def volume_and_turnover_korean(ctx: Context):
    """"거래량은 4억2100만주, 거래대금은 5조3200억원으로 집계됐다" for the market of the paragraph."""
    fields = {}
    m = _KO_VOLUME.search(ctx.sentence)
    if m:
        fields["volume"] = m["vol"].replace(" ", "")
    m = _KO_TURNOVER.search(ctx.sentence)
    if m and not _TURNOVER_KO.search(ctx.sentence):
        fields["turnover"] = m["turn"].replace(" ", "")
    if fields:
        yield Found(ctx.market, fields, ctx.sentence)
