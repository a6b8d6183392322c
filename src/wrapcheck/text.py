"""Reading claims out of a source's own sentences: direction words, investor-flow words, breadth.

Only sentences about the session itself count: a sentence dated another day ("Jan 4-5, 2026 - ...")
and a clause about another period ("over the prior two sessions", "the day before") are set aside,
so that "after a two-day buying spree, foreigners became net sellers" claims selling, not both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from wrapcheck.investors import flow_mentions
from wrapcheck.registry import Instrument, load_registry
from wrapcheck.segment import sentences as _segments
from wrapcheck.words import investor_categories, listed, number_words, ordinal_words, whole_words

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'",
                         "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u202f": " "})
_CITATION = re.compile(r"\[\d+\]")
_CLAUSE = re.compile(r";|(?<!\d),|,(?!\d)|\s[\u2013\u2014]\s|\s+-\s+")
_DATE_PREFIX = re.compile(
    r"^\s*(?P<month>[A-Z][a-z]{2})[a-z]*\.?\s+(?P<d1>\d{1,2})(?:\s*[-\u2013]\s*(?P<d2>\d{1,2}))?,?\s+(?P<year>\d{4})\s*[\u2013\u2014:-]\s*"
)
OTHER_PERIOD = re.compile(
    whole_words(listed("periods", "other"))
    + r"|\b(?:past (?:\w+ )?(?:sessions|days|weeks|months)|(?:two|three|four|five|\d+)-(?:day|session|week))\b",
    re.IGNORECASE,
)
INTRADAY = re.compile(whole_words(listed("periods", "intraday")), re.IGNORECASE)


def normalize(text: str) -> str:
    return _CITATION.sub("", str(text).translate(_DASHES))


def sentence_date(sentence: str) -> tuple[date, date] | None:
    """The date (or date range) a timeline-style sentence starts with: "Jan 4-5, 2026 - ..."."""
    m = _DATE_PREFIX.match(sentence)
    if not m or m["month"].lower() not in MONTHS:
        return None
    month, year = MONTHS[m["month"].lower()], int(m["year"])
    try:
        first = date(year, month, int(m["d1"]))
        last = date(year, month, int(m["d2"])) if m["d2"] else first
    except ValueError:
        return None
    return first, last


def sentences(text: str) -> list[str]:
    return list(_sentences(text))


@lru_cache(maxsize=1 << 16)
def _sentences(text: str) -> tuple[str, ...]:
    # Every claim rule reads the same statements: cut each once.
    return tuple(s.text for s in _segments(normalize(text)))


def session_sentences(text: str, session: str) -> list[str]:
    """The sentences about the session itself, date prefixes removed."""
    out = []
    for s in sentences(text):
        dated = sentence_date(s)
        if dated is not None:
            if dated != (date.fromisoformat(session),) * 2:
                continue
            s = _DATE_PREFIX.sub("", s, count=1)
        out.append(s)
    return out


def clauses(sentence: str) -> list[tuple[int, str]]:
    """(offset, clause) pairs; commas inside numbers (4,525.48) do not split."""
    out, start = [], 0
    for m in _CLAUSE.finditer(sentence):
        out.append((start, sentence[start:m.start()]))
        start = m.end()
    out.append((start, sentence[start:]))
    return out


def attributed(sentence: str, marks: list[tuple[int, str, str]], pattern: re.Pattern):
    """Each match of ``pattern`` in the sentence's clauses about the session, with the nearest mark
    (position, kind, text) before it in the sentence, or None: "who did what" by proximity."""
    for offset, clause in clauses(sentence):
        if OTHER_PERIOD.search(clause):
            continue
        for m in pattern.finditer(clause):
            pos = offset + m.start()
            before = [mk for mk in marks if mk[0] < pos]
            yield clause, m, (before[-1] if before else None)


# -- direction ------------------------------------------------------------------------------------
_UP = {w.lower() for w in listed("direction", "up") + listed("direction", "up_participles")}
_DOWN = {w.lower() for w in listed("direction", "down") + listed("direction", "down_participles")}
DIRECTION = re.compile(whole_words(sorted(_UP | _DOWN)), re.IGNORECASE)
GROUP_NOUNS = ["stocks", "shares of", "shipbuilders", "chipmakers", "automakers", "brokerages", "investors",
               "foreigners", "institutions", "individuals", "decliners", "advancers", "gainers", "losers",
               "bond market", "bonds", "yields", "yield", "bond yield", "currency"]
# "per dollar", "against the won": the counter-currency, not the subject.
_DOLLAR_AS_UNIT = re.compile(
    r"\b(?:per|against|versus|vs\.?|to)\s+(?:the\s+)?(?:U\.?S\.?\s+|Korean\s+)?(?:dollars?|won|greenback)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    sign: int  # +1 / -1 in the convention of the row's `change` (for fx: the rate)
    word: str
    subject: str
    sentence: str


def fx_subject(mention: str) -> str:
    m = mention.lower()
    if "rate" in m or "/" in m or "환율" in m:
        return "rate"
    if "dollar" in m or "greenback" in m:
        return "dollar"
    return "won"


@cache
def _mentions() -> tuple[re.Pattern, dict[str, frozenset[str]]]:
    """One pattern for every instrument mention and group noun, and who each mention names
    (compiled once: a pattern per instrument cost a tenth of a second at start-up)."""
    registry = load_registry()
    owners: dict[str, set[str]] = {}
    for inst in registry.instruments.values():
        aliases = [a for a in inst.aliases if len(a) >= 3 and not a.isdigit()] if inst.kind == "stock" else []
        for mention in (*inst.mentions, inst.name, *aliases):  # "POSCO retreated": a stock is a subject by any of its names
            owners.setdefault(mention.lower(), set()).add(inst.name)
    for noun in GROUP_NOUNS:
        owners.setdefault(noun.lower(), set())
    return re.compile(whole_words(list(owners)), re.IGNORECASE), {k: frozenset(v) for k, v in owners.items()}


_PROPER_NAME = re.compile(r"\b[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3}")


def _other_listed_names(sentence: str, instrument: Instrument, session: str, marks) -> list[tuple[int, str, str]]:
    """Listed companies the sentence names that the registry's phrases do not ("while top steelmaker
    POSCO retreated"): subjects of their own, so their words are not ``instrument``'s."""
    registry = load_registry()
    taken = {start for start, _, _ in marks}
    out = []
    for m in _PROPER_NAME.finditer(sentence):
        if m.start() in taken:
            continue
        words = m.group().split()
        for k in range(len(words)):
            inst = registry.resolve(" ".join(words[k:]), session)
            if inst is not None:
                if inst.name != instrument.name:
                    out.append((m.start(), "other", m.group()))
                break
    return out


def direction_claims(text: str, session: str, instrument: Instrument) -> list[Claim]:
    """Direction words about ``instrument``: each word belongs to the nearest subject before it in
    its sentence. For the won the subject sets the convention: "the won weakened" and "the dollar
    strengthened" both mean the rate rose."""
    pattern, owners = _mentions()
    claims = []
    for sentence in session_sentences(text, session):
        masked = _DOLLAR_AS_UNIT.sub(lambda m: " " * len(m.group()), sentence)
        marks = [(m.start(), "own" if instrument.name in owners[m.group().lower()] else "other", m.group())
                 for m in pattern.finditer(masked)]
        marks = sorted(marks + _other_listed_names(masked, instrument, session, marks))
        for clause, m, nearest in attributed(masked, marks, DIRECTION):
            if nearest is None or nearest[1] != "own":
                continue
            lead = clause[:m.start()].lower()
            if re.search(r"\b(?:after|before)\s*$", lead):
                continue  # "closed higher after falling early", "rebounding after falling for four sessions": an earlier move
            if INTRADAY.search(clause) and not re.search(r"\b(?:clos|finish|end)", clause, re.I):
                continue  # "which had dipped to 2,617.78 early in trading": the intraday path, not the close
            if re.search(r"\b(?:after|before)\s+(?:opening|opened|starting|trading)\s*$", lead):
                continue  # "gained 0.1 percent after opening lower": the open, not the close
            word = " ".join(m.group().lower().split())
            sign = 1 if word in _UP else -1
            subject = nearest[2]
            if instrument.kind == "fx" and fx_subject(subject) == "won":
                sign = -sign  # the won's value moves against the rate
            claims.append(Claim(sign, word, subject, sentence))
    return claims


# -- investor flows -------------------------------------------------------------------------------
FLOW_CATEGORIES = investor_categories()


def flow_claims(text: str, session: str, market: str | None = None) -> dict[str, list[Claim]]:
    """Buying and selling words per investor category, read clause by clause (wrapcheck.investors):
    the same reading the extractor gives each category's figure. With ``market``, words about
    investors in another market the sentence names ("..., while on the KOSDAQ foreigners bought") are
    left out."""
    from wrapcheck.markets import index_of

    out: dict[str, list[Claim]] = {k: [] for k in FLOW_CATEGORIES}
    for sentence in session_sentences(text, session):
        for m in flow_mentions(sentence):
            if market is not None and index_of(sentence, m.start, market) not in (market, None):
                continue
            if m.sign is not None:
                out[m.column].append(Claim(m.sign, m.word, sentence[m.start:].split(" ")[0], sentence))
    return out


# -- breadth --------------------------------------------------------------------------------------
ADVANCE = listed("breadth", "advance")
DECLINE = listed("breadth", "decline")
_SIDE = f"(?:{whole_words(ADVANCE + DECLINE)})"
_BEAT = r"(?:outnumbered|outnumber|outnumbers|outnumbering|outpaced|outpace|outpaces|outpacing|beat|beats|beating|outstripped|outstrip|topped|led)"
COMPARISON = re.compile(
    rf"(?P<a>{_SIDE})\s+{_BEAT}\s+(?P<b>{_SIDE})(?:\s+by)?\s+(?P<n1>\d{1,3}(?:,\d{3})+|\d+)\s*(?:to|-|:|\u2013|versus|vs\.?)\s*(?P<n2>\d{1,3}(?:,\d{3})+|\d+)",
    re.IGNORECASE,
)
POLARITY = {
    -1: re.compile(r"\b(breadth weakness|weak(?:er)? (?:market )?breadth|poor (?:market )?breadth|negative (?:market )?breadth|narrow (?:market )?breadth|breadth (?:was|remained) (?:weak|negative|poor))\b", re.IGNORECASE),
    1: re.compile(r"\b(broad-based (?:gains|rally|advance|buying)|broad (?:gains|rally)|strong (?:market )?breadth|positive (?:market )?breadth|breadth (?:was|remained) (?:strong|positive))\b", re.IGNORECASE),
    0: re.compile(r"\b(mixed (?:market )?breadth|breadth (?:was|remained) mixed)\b", re.IGNORECASE),
}
MIXED_RATIO = 2.0  # "mixed breadth": neither side more than twice the other


def side_of(word: str) -> str:
    return "advancers" if word.lower() in {w.lower() for w in ADVANCE} else "decliners"


@dataclass(frozen=True)
class BreadthComparison:
    winner: str  # "advancers" | "decliners"
    loser: str
    first: int  # the numbers in the order written
    second: int
    phrase: str


def breadth_claims(text: str, session: str) -> tuple[list[BreadthComparison], list[tuple[int, str]]]:
    comparisons, polarities = [], []
    for sentence in session_sentences(text, session):
        for m in COMPARISON.finditer(sentence):
            comparisons.append(BreadthComparison(
                side_of(m["a"]), side_of(m["b"]), int(m["n1"].replace(",", "")), int(m["n2"].replace(",", "")), m.group()))
        for polarity, pattern in POLARITY.items():
            polarities.extend((polarity, m.group()) for m in pattern.finditer(sentence))
    return comparisons, polarities


# -- dates, weekdays and session counts (C002) ------------------------------------------------------
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(r"\b(?P<lead>(?i:last|since|through|until|before|after|next|previous|on|from))?\s*(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?P<poss>'s)?")
_DATELINE = re.compile(r"^\s*[A-Z][A-Z ]+,\s+(?P<month>[A-Z][a-z]{2})[a-z]*\.?\s+(?P<day>\d{1,2})\s*\(")
NUMBER_WORDS = number_words()
ORDINALS = ordinal_words()
_COUNT = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
SESSION_COUNT = re.compile(
    rf"\b(?:across|over|in|for|during)\s+(?:the\s+)?(?:past\s+|prior\s+|previous\s+|last\s+)?{_COUNT}\s+(?:trading\s+)?(?:sessions|session|trading days|days)\b"
    rf"|\b{_COUNT}-(?:session|day|trading-day)\b",
    re.IGNORECASE,
)
MARKET_ACTION = re.compile(r"\b(clos\w*|rose|rise\w*|fell|fall\w*|gain\w*|los\w*|break\w*|broke|trad\w*|session\w*|bought|buy\w*|sold|sell\w*|accumulat\w*|end\w*)\b", re.IGNORECASE)


def number_value(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word, ORDINALS.get(word))


@dataclass(frozen=True)
class DatedSentence:
    first: date
    last: date
    sentence: str
    claimed_sessions: int | None  # "across two sessions" in the sentence
    market_action: bool


def dated_sentences(text: str) -> list[DatedSentence]:
    out = []
    for s in sentences(text):
        dated = sentence_date(s)
        if dated is None:
            continue
        m = SESSION_COUNT.search(s)
        claimed = number_value(m.group(1) or m.group(2)) if m else None
        out.append(DatedSentence(dated[0], dated[1], s, claimed, bool(MARKET_ACTION.search(s))))
    return out


def last_weekday_before(session: str, name: str) -> str:
    """The latest date before ``session`` that fell on weekday ``name`` (ISO)."""
    from datetime import timedelta

    day = date.fromisoformat(session) - timedelta(days=1)
    while WEEKDAYS[day.weekday()] != name.lower():
        day -= timedelta(days=1)
    return day.isoformat()


def day_before_name(session: str) -> str:
    """The weekday of the trading day before ``session`` as wraps name it (Friday for a Monday)."""
    from datetime import date, timedelta

    day = date.fromisoformat(session)
    day -= timedelta(days=3 if day.weekday() == 0 else 1)
    return WEEKDAYS[day.weekday()]


_ABROAD = re.compile(r"(?<![\w.])(?:U\.S\.|US|American|Wall Street|Dow|Nasdaq|S&P|Federal|Fed|Trump|Biden|China|Chinese|Japan|Japanese|"
                     r"Europe|European|Washington|Beijing|Tokyo|overnight)(?![\w])")
_OUR_MARKET = re.compile(r"\b(?:KOSPI|Kospi|KOSDAQ|Kosdaq|Seoul|South Korean|Korean (?:stocks|shares|won)|the won|local (?:stocks|shares|currency)|"
                         r"benchmark)\b|코스피|코스닥")


def weekday_mentions(text: str, session: str) -> list[tuple[str, str]]:
    """(weekday, sentence) for weekdays used of the session itself: "on Friday", "Friday's close";
    not "last Friday", "since Friday", nor in a sentence dated another day."""
    out = []
    before = day_before_name(session)
    for s in session_sentences(text, session):
        for m in _WEEKDAY.finditer(s):
            lead = (m["lead"] or "").lower()
            if lead in ("last", "since", "through", "until", "before", "after", "next", "previous", "from"):
                continue
            if m["poss"] and m["day"].lower() != WEEKDAYS[date.fromisoformat(session).weekday()]:
                continue  # "reverses Thursday's record" in a Friday wrap: an earlier session, not this one
            clause = next((c for off, c in clauses(s) if off <= m.start() < off + len(c) + 1), s)
            if re.search(r"\b(?!(?:clos|end|finish|trad|rose|fell|gain|los)\w*)\w+ed\s+$", s[:m.start("day")]) and not m["lead"]:
                continue  # "its buyback that expired Wednesday": the date of an event, not of the session
            if _ABROAD.search(s) and not _OUR_MARKET.search(s):
                continue  # "On Saturday the U.S. federal government was partially shut down": not the session
            if re.search(r"\b(?:than|after|following|since|from|against|compared|versus|vs)\b", clause, re.I) and m["day"].lower() == before:
                continue  # "3.1 won weaker than at the close on Tuesday", "after turning net buyers on Tuesday"
            if OTHER_PERIOD.search(clause):
                continue
            out.append((m["day"], s))
    return out


def dateline(text: str) -> tuple[int, int] | None:
    """(month, day) of a wire dateline: "SEOUL, Jan. 6 (Yonhap) --"."""
    m = _DATELINE.match(normalize(text))
    if not m or m["month"].lower() not in MONTHS:
        return None
    return MONTHS[m["month"].lower()], int(m["day"])
