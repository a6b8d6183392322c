"""The won-dollar rate, as wire copy, Korean newsrooms' English and Korean wraps write it.

The contract's sign: + means more won per dollar. "The won weakened" and "the dollar rose" are both +.
"""

from __future__ import annotations

import re

from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.recognizers.common import NUM, signed

_PER_DOLLAR = r"(?:won\s+)?(?:per|a|against\s+the|to\s+the|versus\s+the)\s+(?:U\.S\.\s+|US\s+)?(?:dollar|greenback)"
_WON = r"the\s+(?:South\s+)?(?:Korean\s+|local\s+)?(?:won|currency)"
# "at 3:30 p.m.", "as of 3:30 p.m. Wednesday": a time between the level and its move
_UNTIL_COMMA = r"(?:[^,.]|\.(?=m\.)|(?<=\.m)\.){0,60}?"
_WEAKER = ("weaker", "lower", "softer")


_WON_WORDS = re.compile(
    rf"{_WON}\s+(?:(?:also|further|continued\s+to|extended\s+its)\s+)?(?P<word>rose|gained|strengthened|appreciated|firmed|rallied|advanced|climbed|rebounded|surged|soared|jumped|"
    r"was\s+rising|rising|rose\s+in\s+value|fell|weakened|plunged|slumped|was\s+falling|falling|slipped|slid|lost|depreciated|dropped|declined|plummeted|tumbled|sank|eased|slip|losing\s+streak)", re.I)


def won_direction(text: str) -> int | None:
    """Which way the article says the won went (+1: weaker, the rate up; -1: stronger), when its words
    agree; wire copy's "closed at 1,382.4 won, up 2.5 won" means the won's value in a wrap whose lede
    says the won rose."""
    signs = {-1 if m["word"].lower().startswith(("rose", "gained", "strength", "apprec", "firm", "rall", "adv", "climb", "rebound", "surg",
                                                 "soar", "jump", "was rising", "rising")) else 1
             for m in _WON_WORDS.finditer(text)}
    return signs.pop() if len(signs) == 1 else None


def _rate(ctx: Context, m: re.Match, fields: dict[str, str]):
    """The rate's reading of ``m``, unless an earlier recognizer read those words."""
    if ctx.claim(m.span()):
        yield Found("USD/KRW", fields, ctx.sentence, m.span())


_QUOTED_VS_PREVIOUS = re.compile(
    rf"(?P<subj>{_WON})\s+(?:was\s+quoted|ended(?:\s+onshore\s+trade)?|closed|finished)\s+at\s+(?P<close>{NUM})\s+{_PER_DOLLAR}"
    rf"(?:\s+on the onshore settlement platform)?,\s+(?P<pct>{NUM})\s*(?:%|per cent|percent)\s+(?P<pdir>higher|firmer|stronger|weaker|lower|softer)\s+"
    rf"than\s+(?:its\s+previous\s+close|the\s+previous\s+session)\s+(?:at|of)\s+(?P<prior>{NUM})", re.I)


_QUOTED_VS_DAY = re.compile(
    rf"(?P<subj>{_WON})\s+(?:was\s+quoted|ended|closed|finished)\s+at\s+(?P<close>{NUM})\s+{_PER_DOLLAR}{_UNTIL_COMMA},\s+"
    rf"(?P<pdir>up|down|higher|lower|stronger|weaker|firmer|softer)\s+(?P<pct>{NUM})\s*(?:%|per cent|percent)\s+(?:compared\s+(?:to|with)|from|against)\s+"
    rf"(?:\w+'s|its|the\s+previous(?:\s+session's)?)\s+close\s+(?:of|at)\s+(?P<prior>{NUM})", re.I)


@recognizer("fx-quoted-against-previous-close")
def quoted_against_previous_close(ctx: Context):
    """The won at a level and a percent against the previous close: "the won was quoted at 1,380.5 per
    dollar, 0.12% weaker than its previous close at 1,378.9" (a weaker won is a higher rate), "the won
    was quoted at 1,171.2 to the dollar at the conclusion of onshore trade, up 0.4 percent compared to
    Monday's close of 1,175.9"."""
    for m in [*_QUOTED_VS_PREVIOUS.finditer(ctx.sentence), *_QUOTED_VS_DAY.finditer(ctx.sentence)]:
        weaker = m["pdir"].lower() in _WEAKER + ("down",)
        yield from _rate(ctx, m, {"close": m["close"], "prior_close": m["prior"], "change_pct": signed(m["pct"], not weaker) + "%"})


_WON_AT = re.compile(
    rf"(?P<subj>{_WON})\s+(?:(?:was\s+)?(?:quoted|closed|ended|finished|traded|trading|settled)\s+at|ended\s+onshore\s+trade\s+at|"
    rf"(?:was\s+)?trading\s+at|weaken(?:ed|s)\s+to|strengthen(?:ed|s)\s+to|fell\s+to|rose\s+to|closes\s+at)\s+(?P<close>{NUM})\s*{_PER_DOLLAR}"
    rf"(?:{_UNTIL_COMMA}(?:,|\s+-+|\s+\u2014)\s*(?P<dir>up|down|weakening|strengthening|rising|falling|gaining|losing)\s+(?:by\s+)?(?P<chg>{NUM})\s*won"
    rf"|{_UNTIL_COMMA},\s*(?P<chg2>{NUM})\s*won\s+(?P<dir2>weaker|stronger|higher|lower)\s+than"
    rf"|{_UNTIL_COMMA},\s*marking\s+an?\s+(?P<dir3>increase|rise|gain|decrease|decline|drop|fall)\s+of\s+(?P<chg3>{NUM})\s*won)?", re.I)


_WON_PCT_AT = re.compile(rf"(?P<subj>{_WON})\s+(?:closed|ended|finished)\s+(?P<pct>{NUM})\s*(?:%|percent|per\s+cent)\s+(?P<pdir>higher|lower|stronger|weaker)\s+at\s+(?P<close>{NUM})\s*{_PER_DOLLAR}", re.I)


@recognizer("fx-won-percent-at-level")
def won_percent_at_level(ctx: Context):
    """The won's percent move and level: "the won closed 0.8 percent higher at 1,171 per dollar" (a higher
    won is a lower rate)."""
    for m in _WON_PCT_AT.finditer(ctx.sentence):
        weaker = m["pdir"].lower() in ("lower", "weaker")
        yield from _rate(ctx, m, {"close": m["close"], "change_pct": signed(m["pct"], not weaker) + "%"})


@recognizer("fx-won-at-level")
def won_at_level(ctx: Context):
    """The won at a level per dollar, with its move in won: "the won closed at 1,402.0 per dollar,
    down 3.1 won" (the won down: the rate up)."""
    for m in _WON_AT.finditer(ctx.sentence):
        fields = {"close": m["close"]}
        if m["chg"]:
            word = m["dir"].lower()
            rate_up = word in ("down", "weakening", "falling", "losing")  # the won's value went down
            if word in ("up", "down") and ctx.won_moved is not None:
                rate_up = ctx.won_moved > 0  # "up 2.5 won" says how far, the article says which way
            fields["change"] = signed(m["chg"], not rate_up)
        elif m["chg2"]:  # "3.1 won weaker than the previous close": the won's value, so weaker is a higher rate
            fields["change"] = signed(m["chg2"], m["dir2"].lower() not in ("weaker", "lower"))
        elif m["chg3"]:  # "marking an increase of 25.7 won": the won's value rose, the rate fell
            fields["change"] = signed(m["chg3"], m["dir3"].lower() in ("increase", "rise", "gain"))
        yield from _rate(ctx, m, fields)


_WON_MOVE_TO = re.compile(
    rf"(?P<subj>{_WON}|the\s+won[-/]dollar\s+(?:exchange\s+)?rate)(?:,\s+[^,]{{1,40}},)?\s+(?P<dir>weakened|strengthened|fell|rose|gained|lost|climbed|dropped|declined|slid|edged\s+up|edged\s+down)\s+"
    rf"(?:by\s+)?(?P<chg>{NUM})\s*won(?:\s+(?:against|versus|to)\s+the\s+(?:U\.S\.\s+)?(?:dollar|greenback))?(?:\s+from\s+the\s+previous\s+(?:day|session))?,?\s+"
    rf"(?:to\s+(?:end|close|finish)(?:\s+the\s+(?:session|day))?\s+at|to\s+close\s+at|closing\s+at|ending(?:\s+the\s+(?:session|day))?\s+at|to)\s+(?P<close>{NUM})", re.I)


@recognizer("fx-won-move-to-level")
def won_move_to_level(ctx: Context):
    """The move in won first, then the level: "the local currency weakened 4.2 won against the dollar,
    to end the session at 1,131.5 won", "the won-dollar exchange rate, meanwhile, rose by 2.1 won from
    the previous day to close at 1,119.8 won per U.S. dollar"."""
    for m in _WON_MOVE_TO.finditer(ctx.sentence):
        word, rate = m["dir"].lower(), "rate" in m["subj"].lower()
        up_word = word in ("rose", "gained", "climbed", "strengthened", "edged up")
        rate_up = up_word if rate else not up_word
        yield from _rate(ctx, m, {"close": m["close"], "change": signed(m["chg"], not rate_up)})


_IT_MOVED = re.compile(rf"^(?:It|The\s+rate)\s+(?P<dir>rose|fell|gained|lost|climbed|dropped|declined|jumped|slid|edged\s+up|edged\s+down)\s+(?:by\s+)?(?P<chg>{NUM})\s*won\b", re.I)
_RATE_LEVEL = re.compile(rf"won-dollar\s+(?:exchange\s+)?rate\b[^.]*?\b(?:closed|ended|finished|stood)\s+at\s+{NUM}\s*won", re.I)


@recognizer("fx-rate-then-it-moved")
def rate_then_it_moved(ctx: Context):
    """The rate's move in the sentence after its level: "The won-dollar exchange rate closed at 1,390.2
    won. It rose 4.4 won from the previous session." ("it" is the rate, so "rose" is +)."""
    m = _IT_MOVED.match(ctx.sentence)
    if m and _RATE_LEVEL.search(ctx.previous) and ctx.claim(m.span()):
        up = m["dir"].lower() in ("rose", "gained", "climbed", "jumped", "edged up")
        yield Found("USD/KRW", {"change": signed(m["chg"], not up)}, ctx.sentence, m.span())


_DOLLAR_MOVE = re.compile(
    rf"(?P<subj>the\s+(?:U\.S\.\s+)?dollar)\s+\w+(?:\s+\w+)?,\s+(?P<dir>rising|falling|gaining|losing|up|down)\s+(?P<chg>{NUM})\s*won\s+to\s+(?P<close>{NUM})", re.I)


@recognizer("fx-dollar-move-to-level")
def dollar_move_to_level(ctx: Context):
    """The dollar's move in won to a level: "the dollar firmed, gaining 2.4 won to 1,398.1"."""
    for m in _DOLLAR_MOVE.finditer(ctx.sentence):
        rate_up = m["dir"].lower() in ("rising", "gaining", "up")
        yield from _rate(ctx, m, {"close": m["close"], "change": signed(m["chg"], not rate_up)})


_WON_CLOSING_AT = re.compile(rf"(?P<subj>the\s+(?:Korean\s+)?won)\b[^.]*?closing\s+at\s+(?P<close>{NUM})\s*won", re.I)


@recognizer("fx-won-closing-at")
def won_closing_at(ctx: Context):
    """A level in won after the won's move: "the won lost ground to the dollar, closing at 1,455.3 won"."""
    for m in _WON_CLOSING_AT.finditer(ctx.sentence):
        yield from _rate(ctx, m, {"close": m["close"]})


_RATE_AT = re.compile(
    rf"(?P<subj>the\s+won-dollar\s+(?:exchange\s+)?rate|the\s+(?:exchange\s+)?rate\s+of\s+the\s+won\s+(?:against|to)\s+the\s+dollar)\s+"
    rf"(?:stood\s+at|closed\s+at|ended\s+(?:the\s+day\s+|trading\s+)?at|finished\s+at|fell\s+to|rose\s+to|was\s+at|was)\s+(?P<close>{NUM})\s*won"
    rf"(?:(?:[^,.]|\.(?=m\.)|(?<=\.m)\.)*?,\s*(?P<dir>up|down)\s+(?P<chg>{NUM})\s*won)?", re.I)


@recognizer("fx-won-dollar-rate")
def won_dollar_rate(ctx: Context):
    """The rate named as a rate: "the won-dollar exchange rate closed at 1,390.2 won as of 3:30 p.m.,
    up 4.4 won from the previous day"."""
    for m in _RATE_AT.finditer(ctx.sentence):
        fields = {"close": m["close"]}
        if m["chg"]:
            fields["change"] = signed(m["chg"], m["dir"].lower() == "down")
        yield from _rate(ctx, m, fields)


_KOREAN = re.compile(
    rf"(?P<subj>환율)[은는이]?[^.]*?(?P<chg>{NUM})\s*원\s*(?:\(\s*(?P<pct>{NUM})\s*%\s*\)|\([^)]*\))?\s*"
    rf"(?P<dir>오른|내린|상승한|하락한|급등한|급락한|높은|낮은|떨어진|뛴)\s*(?:달러당\s*)?(?P<close>{NUM})\s*원")


_KO_PRIOR = re.compile(rf"전\s*(?:거래)?일\s*(?:종가\s*)?\(\s*(?P<prior>{NUM})\s*원?\s*\)")


@recognizer("fx-korean")
def korean(ctx: Context):
    """원/달러 환율 with its move in won: "원·달러 환율은 전 거래일보다 2.5원 오른 1,401.5원에 마감했다"."""
    for m in _KOREAN.finditer(ctx.sentence):
        rate_up = m["dir"] in ("오른", "상승한", "급등한", "높은", "뛴")
        fields = {"close": m["close"], "change": signed(m["chg"], not rate_up)}
        prior = _KO_PRIOR.search(m.group())
        if prior:
            fields["prior_close"] = prior["prior"]
        if m["pct"]:
            fields["change_pct"] = signed(m["pct"], not rate_up) + "%"
        yield from _rate(ctx, m, fields)
