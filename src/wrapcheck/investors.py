"""Who bought and who sold: investor flows read clause by clause, for the extractor and for F002.

A figure belongs to the investor group its clause makes the subject or the agent of:
- "foreigners and institutions bought 405 billion won and 338 billion won, respectively" (in order);
- "net sales of 120 billion won by institutions and 45 billion won by retail investors" (the agent
  after "by"), and "the net selling by A and B, which amounted to X and Y, respectively";
- "foreigners bought 300 billion won" (the subject; "foreigners and institutions were net sellers"
  share the predicate).
Clauses about another period ("over the past two sessions", "so far this year"), flows into one stock
("400 billion won of SK hynix") and subgroups ("pension funds", "brokerages") are not the session's
market flows of a category. "Net sales", "offloaded" and "dumped" are selling; a negated word ("did
not sell") is no claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from wrapcheck.words import alternation, investor_categories, listed, whole_words

_AMOUNT = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:million|billion|trillion|bn|tn)\s*(?:Korean\s+)?won"
# 6,188억원, 25조2700억원, and a bare 2,180억 before a verb or a list ("각각 2,180억, 1,066억 매수한")
_KAMOUNT = (r"(?:(?=\d)(?:\d[\d,]*조\s*)?(?:\d[\d,]*천)?(?:\d[\d,]*)?억\s*(?:\d[\d,]*천)?\d*만?\s*원|\d[\d,]*조\s*원"
            r"|(?:\d[\d,]*조\s*)?\d[\d,]*억(?=\s*(?:,|어치|순매|매수|매도|을|를)))(?!대)")
_NOT_INVESTORS = r"(?!\s+(?:exchange|currency|currencies|ministry|minister|policy|affairs|media|reserves|demand|markets?\b))"
_SEGMENT_BREAK = re.compile(r";\s*|,?\s+while\s+|,?\s+whereas\s+|,\s+but\s+|(?<![A-Z])\.\s+", re.I)  # not "U.S. dollars"
_COMBINED = re.compile(r"\b(?:combined|together|in total|altogether|jointly)\b", re.I)
_CLAUSE = re.compile(r"(?<!\d),|,(?!\d)|\s[\u2013\u2014]\s|\s+-\s+")
_VAGUE = re.compile(r"\b(?:more than|over|nearly|almost|less than|at least|under|upward of|in excess of)\s+(?:a\s+net\s+)?$", re.I)
_KO_VAGUE = re.compile(r"^\s*(?:이|을|가|를)?\s*(?:이상|넘게|넘는|넘어|가까이|안팎|이하|미만|육박|대\b)")
_QUOTED = re.compile(r'["\u201c][^"\u201c\u201d]{12,}["\u201d]')
_SPAN_OF_PERIODS = re.compile(r"\b(?:for|over|in)\s+(?:the\s+)?(?:past\s+|last\s+)?(?:two|three|four|five|six|\d+)\s+(?:consecutive\s+|straight\s+)?(?:months|weeks|years)\b"
                              r"|\bin\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b", re.I)
_HYPHENED_PERIOD = re.compile(r"\b(?:two|three|four|five|six|seven|\d+)-(?:day|session|week|month)\b", re.I)


@dataclass(frozen=True)
class FlowMention:
    column: str  # individual_net | foreign_net | institution_net
    sign: int | None  # +1 buying, -1 selling, None when no word of its clause says
    word: str  # the buying or selling word ("" when none)
    amount: str | None  # the amount as written, None when the clause gives none
    start: int  # where the investor word is in the sentence


@cache
def _patterns() -> dict[str, re.Pattern]:
    categories = investor_categories()
    english = {c: [w for w in names if w.isascii()] for c, names in categories.items()}
    korean = {c: [w for w in names if not w.isascii()] for c, names in categories.items()}
    who = "|".join(f"(?P<{c}>(?<![\\w-])(?:{alternation(ws)})(?![\\w-]){_NOT_INVESTORS})" for c, ws in english.items())
    sub = whole_words([w for w in listed("investors", "subgroups") if w.isascii()])
    return {
        "who": re.compile(f"{who}|(?P<sub>{sub})", re.I),
        "who_ko": re.compile("|".join(f"(?P<{c}>{alternation(ws)})" for c, ws in korean.items())
                             + "|(?P<sub>" + alternation([w for w in listed("investors", "subgroups") if not w.isascii()]) + ")"),
        "buy": re.compile(whole_words([w for w in listed("flows", "buy") if w.isascii()]), re.I),
        "sell": re.compile(whole_words([w for w in listed("flows", "sell") if w.isascii()]), re.I),
        "buy_ko": re.compile(alternation([w for w in listed("flows", "buy") if not w.isascii()])),
        "sell_ko": re.compile(alternation([w for w in listed("flows", "sell") if not w.isascii()])),
        "negated": re.compile(r"(?:\b(?:" + alternation(listed("flows", "negators")) + r")\b|n't)\s+(?:\w+\s+){0,2}$", re.I),
        "period": re.compile(whole_words(listed("periods", "other")), re.I),
        "not_market": re.compile(alternation(listed("flows", "not_market")), re.I),
        "amount": re.compile(_AMOUNT, re.I),
        "amount_ko": re.compile(_KAMOUNT),
        # "400 billion won of SK hynix", "50 billion won worth of Samsung Electronics shares"
        "one_stock": re.compile(rf"(?i:{_AMOUNT})\s+(?:worth\s+)?(?:of|in)\s+(?!(?:the\s+)?(?:local|Korean|domestic|Seoul|KOSPI|Kospi|KOSDAQ|Kosdaq)\b)"
                                r"(?:shares\s+(?:of|in)\s+)?[A-Z]"),
    }


def flow_mentions(sentence: str) -> list[FlowMention]:
    """Each investor category the sentence makes buy or sell, with its amount where the clause gives one."""
    if re.search(r"[\uac00-\ud7a3]", sentence):
        return _korean(sentence)
    masked = _mask_other_periods(sentence)
    out: list[FlowMention] = []
    offset = 0
    for piece in _SEGMENT_BREAK.split(masked):
        start = masked.index(piece, offset) if piece else offset
        offset = start + len(piece)
        out += [FlowMention(m.column, m.sign, m.word, m.amount, m.start + start) for m in _segment(piece)]
    return out


def _mask_other_periods(sentence: str) -> str:
    """Blank the comma clauses about another period and about one stock, keeping positions."""
    p = _patterns()
    chars, start = list(sentence), 0
    for quote in _QUOTED.finditer(sentence):  # an analyst's words: "whether foreigners will stop selling ..."
        chars[quote.start():quote.end()] = " " * (quote.end() - quote.start())
    futures = p["not_market"].search(sentence)
    if futures:  # "selling 1.25 trillion won in the futures market alone, while institutions bought ...": all futures
        begin = max([m.end() for m in _CLAUSE.finditer(sentence, 0, futures.start())] + [0])
        chars[begin:] = " " * (len(sentence) - begin)
    for m in [*_CLAUSE.finditer(sentence), None]:
        end = m.start() if m else len(sentence)
        clause = sentence[start:end]
        if (p["period"].search(clause) or _HYPHENED_PERIOD.search(clause) or _SPAN_OF_PERIODS.search(clause) or p["one_stock"].search(clause)
                or p["not_market"].search(clause)):
            chars[start:end] = " " * (end - start)
        start = m.end() if m else end
    return "".join(chars)


def _sign_words(text: str) -> list[tuple[int, str]]:
    """(+1 buying / -1 selling, word) for each such word of ``text`` no negation governs, in order."""
    p = _patterns()
    words = sorted([(m.start(), 1, m.group()) for m in p["buy"].finditer(text)]
                   + [(m.start(), -1, m.group()) for m in p["sell"].finditer(text)])
    return [(sign, word) for pos, sign, word in words if not p["negated"].search(text[:pos])]


def _sign_word(text: str) -> tuple[int | None, str]:
    """The first buying or selling word of ``text``."""
    return next(iter(_sign_words(text)), (None, ""))


def _segment(text: str) -> list[FlowMention]:
    p = _patterns()
    whos = [(m.start(), m.end(), m.lastgroup if m.lastgroup != "sub" else None) for m in p["who"].finditer(text)]
    if not any(c for _, _, c in whos):
        return []
    taken: set[int] = set()
    out = _respectively(text, whos, taken)
    out += _passive(text, [w for w in whos if w[0] not in {m.start for m in out}], taken)
    out += _active(text, whos, taken, {m.start for m in out})
    return out


_RESPECTIVELY = re.compile(r"\brespectively\b|\beach\b(?=\s*[.,;]|\s*$)", re.I)  # "... 88.2 billion won and 9.3 billion won each."


def _respectively(text: str, whos, taken: set[int]) -> list[FlowMention]:
    marker = _RESPECTIVELY.search(text)
    if marker is None:
        return []
    end = marker.start()
    amounts = [m for m in _patterns()["amount"].finditer(text[:end])]
    columns, firsts = [], []
    for start, _, column in whos:
        if column and start < end and column not in columns:
            columns.append(column)
            firsts.append(start)
    if not amounts or len(columns) != len(amounts):
        return []
    taken.update(m.start() for m in amounts)
    # each amount takes the last buying or selling word before it: "individuals bought X and
    # foreigners and institutions sold Y and Z, respectively"
    return [FlowMention(c, *_last_sign_word(text[:a.start()]), a.group(), s) for c, a, s in zip(columns, amounts, firsts)]


_JOINED_AGENT = re.compile(r"\w+(?:\s+investors)?\s+(?:and|as well as)\s+(?:by\s+)?(?:the\s+)?(?:individual|retail|foreign|institution|overseas|offshore)", re.I)
_AGENT_AMOUNT = re.compile(rf"(?P<amt>{_AMOUNT})(?:\s+(?:worth\s+)?of\s+(?:local\s+)?(?:stocks|shares|equities))?(?:\s+(?:sold|bought|purchased|offloaded|dumped))?"
                           r"\s+by\s+(?:the\s+)?$", re.I)
# "net buying by foreign investors reached 190 billion won": the amount after the agent
_AMOUNT_AFTER_AGENT = re.compile(rf"^\s*(?:reached|totaled|totalled|amounted\s+to|stood\s+at|came\s+to|of)\s+(?:a\s+net\s+)?(?P<amt>{_AMOUNT})", re.I)
# "exceeded 700 billion won": a bound, not the figure


def _passive(text: str, whos, taken: set[int]) -> list[FlowMention]:
    """"net sales of X by A and Y by B", "net selling by foreigners": the agent after "by"."""
    out = []
    for start, _, column in whos:
        lead = text[:start]
        if not column or not re.search(r"\bby\s+(?:the\s+)?$|\b(?:sales|purchases|buying|selling)\s+of\s+(?:the\s+)?$", lead, re.I):
            continue  # the agent: "net sales of X by A", "net selling by foreigners", "the net sales of foreigners"
        before = _AGENT_AMOUNT.search(lead)
        if before is not None:
            taken.add(before.start())
            if _COMBINED.search(lead[max(0, before.start() - 14):before.start()]) or _JOINED_AGENT.match(text, start):
                before = None  # "a combined 894.4 billion won by retail investors and institutions": two groups' sum
        after = None if before is not None else _AMOUNT_AFTER_AGENT.match(text[_who_end(text, start):])
        if after is not None:
            taken.add(_who_end(text, start) + after.start("amt"))
        sign, word = _last_sign_word(lead)
        if sign is not None:
            amount = before["amt"] if before else after["amt"] if after else None
            out.append(FlowMention(column, sign, word, amount, start))
    return out


def _who_end(text: str, start: int) -> int:
    m = _patterns()["who"].match(text, start)
    return m.end() if m else start


def _last_sign_word(text: str) -> tuple[int | None, str]:
    """The buying or selling word nearest before a figure ("sold early, before veering to a net
    purchase of 14.3 billion won": a purchase)."""
    return next(reversed(_sign_words(text)), (None, ""))


def _active(text: str, whos, taken: set[int], done: set[int]) -> list[FlowMention]:
    """The subject's own predicate: the words from the investor word to the next one."""
    p = _patterns()
    found: list[FlowMention | None] = []
    for k, (start, end, column) in enumerate(whos):
        if not column or start in done:
            found.append(None)
            continue
        stop = whos[k + 1][0] if k + 1 < len(whos) else len(text)
        segment = text[end:stop]
        amount = p["amount"].search(segment)
        if amount and (amount.start() > 140 or end + amount.start() in taken or _COMBINED.search(segment[: amount.start()])
                       or _VAGUE.search(segment[: amount.start()])):
            amount = None
        sign, word = _last_sign_word(segment[: amount.start()]) if amount else _sign_word(segment)
        if sign is None and amount:
            sign, word = _sign_word(segment[amount.end():])  # "foreigners ... 300 billion won in net selling"
        found.append(FlowMention(column, sign, word, amount.group() if amount else None, start))
    # "foreigners and institutions were net sellers": a subject joined to the next shares its predicate
    for k in range(len(found) - 2, -1, -1):
        here, after = found[k], found[k + 1]
        if here and after and here.sign is None and here.amount is None and re.fullmatch(
                r"\s*(?:'s?)?\s*(?:,|and|as well as|and the|or)?\s*(?:the\s+)?", text[whos[k][1]:whos[k + 1][0]], re.I):
            found[k] = FlowMention(here.column, after.sign, after.word, None, here.start)
            if after.amount:  # "foreign investors and institutions ... buying a net 298.6 billion won": their sum
                found[k + 1] = FlowMention(after.column, after.sign, after.word, None, after.start)
    return [f for f in found if f and (f.sign is not None or f.amount)]


def _korean(sentence: str) -> list[FlowMention]:
    """외국인이 2천858억원, 개인이 1천404억원어치를 각각 팔아치웠다 / 외국인은 6천188억원을 순매수."""
    p = _patterns()
    out = []
    listed_ = re.search(rf"(?P<whos>(?:외국인|개인|기관)(?:\s*투자자들?|투자가)?(?:(?:과|와|,|·|ㆍ)\s*(?:외국인|개인|기관)(?:\s*투자자들?|투자가)?)+)(?:이|은|는|도)?\s*(?:각각?\s*|각\s*)?"
                        rf"(?P<amts>{_KAMOUNT}(?:(?:[,\s]|과|와)*{_KAMOUNT})+)", sentence)
    if listed_:
        tail = sentence[listed_.end():]
        sign, word = _korean_sign(tail)
        whos = [m for m in p["who_ko"].finditer(listed_["whos"]) if m.lastgroup != "sub"]
        futures = p["not_market"].search(sentence[max(0, listed_.start() - 20): listed_.start()])
        amounts = [m.group() for m in p["amount_ko"].finditer(sentence, listed_.start("amts")) if m.start() < listed_.end("amts")]
        for who, amt in ([] if futures else zip(whos, amounts)):
            out.append(FlowMention(who.lastgroup, sign, word, amt, listed_.start()))
        sentence = sentence[: listed_.start()] + " " * (listed_.end() - listed_.start()) + sentence[listed_.end():]
    whos = list(p["who_ko"].finditer(sentence))
    for k, who in enumerate(whos):
        if who.lastgroup == "sub":
            continue
        stop = whos[k + 1].start() if k + 1 < len(whos) else len(sentence)
        segment = sentence[who.end(): stop]
        amount = re.match(rf"(?:만이|만|은|이|과|도|의|가|는)?\s*(?:[^,.\d외개기]{{0,20}}?\s*|[^.\d외개기]{{0,16}}?,\s*)(?P<amt>{_KAMOUNT})", segment)
        if amount and re.search(r"[가-힣A-Za-z0-9)]+(?:를|을)\s", segment[: amount.start("amt")]):
            continue  # "외국인은 두산에너빌리티를 2390억원 순매수": one stock's flow, not the market's
        if amount and _KO_VAGUE.match(segment[amount.end():]):
            amount = None  # "1000억원 이상": not a figure
        if amount and k and re.fullmatch(r"\s*(?:투자자들?)?\s*(?:과|와)\s*", sentence[whos[k - 1].end(): who.start()]) and amount.start() < 4:
            amount = None  # "외국인과 기관의 1조원": the two groups' sum
        lead = sentence[max(whos[k - 1].end() if k else 0, who.start() - 8): who.start()]  # "이 기간 외국인은"; not "사흘 동안 순매도하던 외국인은"
        if p["period"].search(lead + " " + (segment[: amount.end()] if amount else segment[:20])):
            continue  # "이 기간 외국인은 ... 순매수", "외국인은 이번 주 1조원을 순매수": another period's figure
        if p["not_market"].search(sentence[max(0, who.start() - 20): who.start()]):
            continue  # "선물시장에서는 기관과 개인이 ...": futures, not the stock market
        sign, word = _korean_sign(segment)
        if sign is None:
            sign, word = _korean_sign(sentence[who.end():])  # "외국인이 X, 기관이 Y 순매수하며": the predicate comes last
        if not amount and word not in ("순매수", "순매도"):
            continue  # "외국인 매수세가 몰리며": a stock's buying interest, not the market's net figure
        if amount or sign is not None:
            out.append(FlowMention(who.lastgroup, sign, word, amount["amt"] if amount else None, who.start()))
    return out


def _korean_sign(text: str) -> tuple[int | None, str]:
    p = _patterns()
    sells, buys = p["sell_ko"].search(text), p["buy_ko"].search(text)
    if sells and (not buys or sells.start() < buys.start()):
        return -1, sells.group()
    if buys:
        return 1, buys.group()
    return None, ""
