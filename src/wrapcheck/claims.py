"""Claims about other sessions, read from a source's sentences: records and thresholds (H002),
streaks, spans and sums over sessions (H003).

Each parser returns small records with the phrase they came from; the rules evaluate them against
the history record and the trading calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from wrapcheck.words import listed, whole_words
from wrapcheck.text import (
    FLOW_CATEGORIES,
    MONTHS,
    NUMBER_WORDS,
    ORDINALS,
    WEEKDAYS,
    clauses,
    last_weekday_before,
    number_value,
    sentence_date,
    sentences,
)

_LEVEL = r"(?P<level>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{3,}(?:\.\d+)?)"
THRESHOLD = re.compile(
    r"\b(?P<verb>above|past|over|cross(?:ing|ed|es)?|break(?:ing|s)?|broke|surpass(?:ing|ed|es)?|top(?:ped|s|ping)?|through|beyond|hit(?:ting|s)?)"
    rf"\s+(?:the\s+)?{_LEVEL}(?:-point|\s*points?)?(?:\s+(?:mark|level|threshold|line|barrier|milestone))?",
    re.IGNORECASE,
)
# "for the first time" (ever), not "for the first time in two years" or "... since July 2015"
FIRST_TIME = re.compile(r"\bfor (?:the )?first time\b(?!\s+(?:in|since)\b)|\bfirst[- ]ever\b", re.IGNORECASE)
RECORD = re.compile(
    r"\b(record[- ]setting|record high|record close|record closing high|all-time high|fresh high|fresh record|"
    r"new high|new record high|historic high|at a record|to a record|record-high)\b",
    re.IGNORECASE,
)
# Moves during the session, not at its close: judged against the day's high or low.
DURING = re.compile(r"\b(during (?:the )?(?:trading|session|day)|intraday|briefly|in (?:early|late|morning|afternoon) trading|"
                    r"at one point|earlier in the (?:day|session)|mid-?session)\b|장중", re.IGNORECASE)
AS_FAR = re.compile(rf"\b(?:as (?P<side>high|low) as|(?:an? |its )?intraday (?P<side2>high|low) of)\s+{_LEVEL}", re.IGNORECASE)
_EARLIER_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'s\b", re.IGNORECASE)
_NEGATED_LEVEL = re.compile(r"\b(?:fail(?:ed|s|ing)?\s+to|fell\s+short\s+of|short\s+of|did\s+not|didn't|could\s+not|couldn't|not)\b[^,;]{0,40}$", re.IGNORECASE)
DAY_BEFORE = re.compile(r"\b(the day before|a day earlier|the previous (?:day|session|trading day)|yesterday)\b", re.IGNORECASE)


@dataclass(frozen=True)
class LevelClaim:
    kind: str  # "above" | "first-above" | "record" | "intraday-above" | "intraday-high" | "intraday-low"
    level: float | None
    target: str  # "session" | "previous" | an ISO date
    phrase: str
    written: str = ""  # the level as written (its decimals are its precision)


def level_claims(text: str, session: str, scale: float | None = None) -> list[LevelClaim]:
    """Record and threshold claims. ``scale`` (the row's close) keeps thresholds to plausible levels,
    so "2.8 trillion" is not read as a level."""
    out: list[LevelClaim] = []
    session_day = date.fromisoformat(session)
    for s in sentences(text):
        dated = sentence_date(s)
        target_date = None
        if dated is not None:
            if dated[0] != dated[1] or dated[0] > session_day:
                continue  # ranges carry no level claims; C002 reports dates after the session
            target_date = dated[0].isoformat()
        for _, clause in clauses(s):
            target = target_date or ("previous" if DAY_BEFORE.search(clause) else "session")
            earlier = _EARLIER_WEEKDAY.search(clause)  # "reversed Wednesday's record high" in a Friday wrap
            if target == "session" and earlier and earlier[1].lower() != WEEKDAYS[session_day.weekday()]:
                target = last_weekday_before(session, earlier[1])
            if target == session:
                target = "session"
            first = bool(FIRST_TIME.search(clause))
            during = bool(DURING.search(clause))
            extremes = list(AS_FAR.finditer(clause))
            for m in extremes:
                side = (m["side"] or m["side2"]).lower()
                out.append(LevelClaim("intraday-" + side, float(m["level"].replace(",", "")), target, m.group(), m["level"]))
            for m in THRESHOLD.finditer(clause):
                level = float(m["level"].replace(",", ""))
                if scale and not (0.5 * scale <= level <= 1.5 * scale):
                    continue
                if any(e.start() <= m.start() < e.end() for e in extremes):
                    continue
                if _NEGATED_LEVEL.search(clause[: m.start()]):
                    continue  # "failed to establish itself above the 5,000 level": no claim that it closed there
                kind = "intraday-above" if during else "first-above" if first else "above"
                out.append(LevelClaim(kind, level, target, m.group(), m["level"]))
            for m in RECORD.finditer(clause):
                if re.search(r"\b(?:from|off|below)\s+(?:a|an|its|the)?\s*$", clause[: m.start()], re.IGNORECASE):
                    continue  # "falls 1.62% from record high": the record was an earlier session's
                if re.match(r"\s+(?:since|in\s+(?:\d+|a|over|more|nearly|about))\b", clause[m.end():], re.IGNORECASE):
                    continue  # "a record high since the dot-com bubble": the highest in a while, not ever
                out.append(LevelClaim("record", None, target, m.group()))
    return out


# -- streaks, spans and sums (H003) ---------------------------------------------------------------
_NUM = r"(?P<n>\d+|" + "|".join(list(NUMBER_WORDS) + list(ORDINALS)) + r")"
_UNIT = r"(?:trading\s+)?(?:sessions?|days?|trading days?)"
UP_WORDS = re.compile(whole_words(listed("direction", "up") + listed("direction", "up_participles") + listed("direction", "up_nouns")), re.IGNORECASE)
DOWN_WORDS = re.compile(whole_words(listed("direction", "down") + listed("direction", "down_participles") + listed("direction", "down_nouns")), re.IGNORECASE)

STREAK_PATTERNS = [
    # "third straight session", "10th consecutive day of gains", "for a fifth consecutive trading day"
    re.compile(rf"\b(?P<n>\d+(?:st|nd|rd|th)|{'|'.join(ORDINALS)})\s+(?:straight|consecutive)\s+{_UNIT}", re.IGNORECASE),
    # "three straight sessions", "for 5 consecutive days"
    re.compile(rf"\b{_NUM}\s+(?:straight|consecutive)\s+{_UNIT}", re.IGNORECASE),
    # "a 12-session winning streak", "10-day bull run", "four-day losing streak"
    re.compile(rf"\b{_NUM}-(?:session|day|trading-day)\s+(?P<dir>winning|losing|bull|bear|rally|losing)?\s*(?:streak|run|rally|slide|winning streak|losing streak)", re.IGNORECASE),
    # "three sessions in a row", "for two days in a row"
    re.compile(rf"\b{_NUM}\s+{_UNIT}\s+in\s+a\s+row", re.IGNORECASE),
]
SNAP = re.compile(rf"\b(?:snapp\w*|end\w*|break\w*|halt\w*)\s+(?:a|its|the|their)\s+{_NUM}-(?:session|day|trading-day)\s+"
                  r"(?:(?P<dir>winning|losing)\s+streak|(?P<run>rally|rise|gain|advance|winning\s+run|slide|fall|decline|drop|slump|losing\s+run))", re.IGNORECASE)
FIRST_IN = re.compile(rf"\bfirst\s+(?P<dir>gain|rise|advance|loss|fall|decline|drop)\s+in\s+{_NUM}\s+{_UNIT}", re.IGNORECASE)
ALL_BUT = re.compile(rf"\ball but\s+(?P<k>\d+|{'|'.join(NUMBER_WORDS)})\s+of the\s+(?P<m>\d+|{'|'.join(NUMBER_WORDS)})\s+trading days\s+(?:so far\s+)?this year", re.IGNORECASE)
DAYS_AFTER = re.compile(
    rf"\b{_NUM}\s+(?:trading days|sessions)\s+after\s+.*?\b(?:on\s+)?(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?P<day>\d{{1,2}})(?:,\s*(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)
_AMOUNT = r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>trillion|billion)\s+won"
SUM_OVER = re.compile(
    rf"(?P<cmp>more than|over|above|at least|nearly|almost|about|around|some|less than|under)?\s*{_AMOUNT}"
    rf"(?:\s+\w+){{0,6}}?\s+(?:over|in|across|during)\s+the\s+(?P<span>past|prior|previous|last)\s+{_NUM}\s+{_UNIT}",
    re.IGNORECASE,
)
_CATEGORY = re.compile("|".join(f"(?P<{k}>{whole_words(v)})" for k, v in FLOW_CATEGORIES.items()), re.IGNORECASE)
_BUY = re.compile(whole_words(listed("flows", "buy")), re.IGNORECASE)
_SELL = re.compile(whole_words(listed("flows", "sell")), re.IGNORECASE)


_FLOW_STREAK = re.compile(whole_words(listed("flows", "buy") + listed("flows", "sell") + ["binge", "spree", "streak of buying", "streak of selling"])
                          + r"[^.;]*$", re.IGNORECASE)


_AFTER_RUN = re.compile(r"\bafter\s+(?P<verb>\w+ing)\s+(?:for\s+)?(?:a\s+|the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class SpanClaim:
    kind: str  # "streak" | "snap" | "first-in" | "all-but" | "days-after" | "sum"
    n: int
    direction: int  # +1 gains, -1 losses, 0 from the session's own sign
    phrase: str
    k: int = 0  # all-but: the exceptions
    since: str = ""  # days-after: ISO date
    field: str = ""  # sum: the flow column
    amount: float = 0.0  # sum: KRW billion
    halfwidth: float = 0.0
    comparison: str = "="  # sum: ">=", "<=", "="
    span: str = ""  # sum: past / prior / previous / last


def _n(text: str) -> int:
    text = text.lower()
    stripped = re.sub(r"(st|nd|rd|th)$", "", text)
    return int(stripped) if stripped.isdigit() else number_value(text)


def _direction(text: str) -> int:
    if UP_WORDS.search(text) and not DOWN_WORDS.search(text):
        return 1
    if DOWN_WORDS.search(text) and not UP_WORDS.search(text):
        return -1
    return 0


def span_claims(text: str, session: str) -> list[SpanClaim]:
    out: list[SpanClaim] = []
    year = date.fromisoformat(session).year
    for s in sentences(text):
        dated = sentence_date(s)
        if dated is not None and dated[1].isoformat() != session:
            continue  # timeline lines about other days: their own sessions, not checked here
        taken: list[tuple[int, int]] = []

        def free(m) -> bool:
            return all(m.end() <= a or m.start() >= b for a, b in taken)

        for m in SNAP.finditer(s):
            taken.append(m.span())
            run = (m["dir"] or m["run"]).lower()  # "snapping a three-day rally": three gains before this fall
            out.append(SpanClaim("snap", _n(m["n"]), 1 if run.startswith(("winning", "rally", "rise", "gain", "advance")) else -1, m.group()))
        for m in FIRST_IN.finditer(s):
            taken.append(m.span())
            up = m["dir"].lower() in ("gain", "rise", "advance")
            out.append(SpanClaim("first-in", _n(m["n"]), 1 if up else -1, m.group()))
        for pattern in STREAK_PATTERNS:
            for m in pattern.finditer(s):
                if not free(m):
                    continue
                taken.append(m.span())
                window = s[max(0, m.start() - 40): m.end() + 30]
                if _FLOW_STREAK.search(s[max(0, m.start() - 60): m.start()]):
                    continue  # "foreigners were net buyers for a ninth straight session": a buying streak, not the index's
                before_today = _AFTER_RUN.search(s[max(0, m.start() - 40): m.start()])
                if before_today:  # "rebounding after falling for four consecutive sessions": the run before this session
                    out.append(SpanClaim("snap", _n(m["n"]), 1 if UP_WORDS.fullmatch(before_today["verb"]) else -1, m.group()))
                    continue
                named = (m.groupdict().get("dir") or "").lower()
                direction = 1 if named in ("winning", "bull", "rally") else -1 if named in ("losing", "bear") else _direction(window)
                out.append(SpanClaim("streak", _n(m["n"]), direction, m.group()))
        for m in ALL_BUT.finditer(s):
            out.append(SpanClaim("all-but", _n(m["m"]), _direction(s), m.group(), k=_n(m["k"])))
        for m in DAYS_AFTER.finditer(s):
            y = int(m["year"]) if m["year"] else year
            since = date(y, MONTHS[m["month"][:3].lower()], int(m["day"]))
            if since.isoformat() > session:
                since = date(y - 1, since.month, since.day)
            out.append(SpanClaim("days-after", _n(m["n"]), 0, m.group(), since=since.isoformat()))
        for m in SUM_OVER.finditer(s):
            categories = [(abs(c.start() - m.start()), c.lastgroup) for c in _CATEGORY.finditer(s)]
            if not categories:
                continue
            field = min(categories)[1]
            before = s[: m.start()]
            buys, sells = list(_BUY.finditer(before + m.group())), list(_SELL.finditer(before + m.group()))
            last_buy = buys[-1].start() if buys else -1
            last_sell = sells[-1].start() if sells else -1
            sign = 1 if last_buy > last_sell else -1 if last_sell > last_buy else 0
            if sign == 0:
                continue
            scale = 1000.0 if m["unit"].lower() == "trillion" else 1.0
            decimals = len(m["amount"].split(".")[1]) if "." in m["amount"] else 0
            cmp = (m["cmp"] or "").lower()
            comparison = ">=" if cmp in ("more than", "over", "above", "at least") else "<=" if cmp in ("less than", "under", "nearly", "almost") else "="
            out.append(SpanClaim("sum", _n(m["n"]), sign, m.group().strip(), field=field,
                                 amount=float(m["amount"]) * scale, halfwidth=0.5 * 10 ** -decimals * scale,
                                 comparison=comparison, span=m["span"].lower()))
    return out
