"""Listed stocks: a percent move, a won move, a close in won; one stock, lists and "respectively".

Names are resolved through the instrument registry as of the session's date ("Hyundai Heavy
Industries" in 2017 is code 009540), by the longest known tail of the words before the verb
("chipmaker Samsung Electronics").
"""

from __future__ import annotations

import re
from functools import cache

from wrapcheck.recognizers.base import Context, Found, recognizer
from wrapcheck.recognizers.common import DOWN, DOWNING, KO_DOWN, KO_UP, NUM, UP, UPING, is_down, is_up, signed, verb_words
from wrapcheck.registry import load_registry
from wrapcheck.words import alternation

_PCT = r"(?:percent|per cent|%)"


@cache
def _known_names() -> tuple[dict[str, str], re.Pattern | None]:
    names = {}
    for inst in load_registry().instruments.values():
        if inst.kind == "stock":
            for alias in (inst.name, *inst.aliases, *inst.mentions):
                if len(alias) >= 3 and not alias.isdigit():
                    names[alias] = inst.name
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return names, (re.compile(alternation) if names else None)


def _on_the_day(written: str, canonical: str, session: str | None) -> str:
    registry = load_registry()
    if session and registry.is_dated(written):
        inst = registry.resolve(written, session)
        if inst is not None:
            return inst.name
    return canonical


def resolve_tail(name: str, day: str | None):
    """The stock the longest known tail of ``name`` is ("Chipmaker Samsung Electronics" -> Samsung Electronics)."""
    registry = load_registry()
    words = name.split()
    for start in range(len(words)):
        tail = " ".join(words[start:])
        for candidate in (tail, re.sub(r"(은|는|이|가|도|의)$", "", tail)):
            inst = registry.resolve(candidate, day) if candidate else None
            if inst is not None:
                return inst if inst.kind == "stock" else None
    return None


def resolve_name(name: str, day: str | None):
    """The stock named by the words of ``name`` that a sentence begins with, however many words
    follow it ("LG Chem swung between gains and losses" -> LG Chem)."""
    words = name.split()
    for end in range(len(words), 0, -1):
        if end < len(words) and not (re.search(r"(은|는|이|가|도)$", words[end - 1]) or words[end][:1].islower()):
            continue  # "CJ E&M" is not "CJ": a name is cut only where a particle or a verb ends it
        inst = resolve_tail(" ".join(words[:end]), day)
        if inst is not None:
            return inst
    return None


def _fields(pct: str | None, down: bool, close: str | None = None, change: str | None = None) -> dict[str, str]:
    fields = {}
    if pct:
        fields["change_pct"] = signed(pct, down) + "%"
    if change:
        fields["change"] = signed(change, down)
    if close:
        fields["close"] = close
    return fields


_TO_WON = (rf"(?:(?:\s+(?:to|at)|,?\s+ending\s+at|,?\s+closing\s+at)\s+(?:close\s+at\s+|reach\s+|end\s+at\s+|finish\s+at\s+|set\s+a\s+new\s+record\s+at\s+|"
           rf"(?:an?\s+)?(?:new\s+)?(?:record|all-time|52-week|yearly|annual|fresh)(?:\s+(?:high|low))?(?:\s+of)?\s+)?"
           rf"(?P<close>{NUM}(?:\s+million)?)\s*won)?")
_AFTER_OPEN = r"(?:\s+after\s+(?:opening|starting)\s+(?:higher|lower))?"  # "gained 0.1 percent after opening lower to close at ..."


@cache
def _named_patterns() -> list[re.Pattern]:
    names = _known_names()[1]
    if names is None:
        return []
    n = f"(?P<name>{names.pattern})"
    return [
        re.compile(rf"{n}\s+(?:shares\s+)?(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING})\s+(?:by\s+)?(?P<pct>{NUM})\s*{_PCT}{_AFTER_OPEN}" + _TO_WON),
        re.compile(rf"{n}\s*\((?P<dir>up|down)\s+(?P<pct>{NUM})%\)"),
        re.compile(rf"{n}\s*\((?P<sign>[-+]?)(?P<pct>{NUM})%\)"),
        re.compile(rf"{n}\s+(?P<dir>{UP}|{DOWN}|traded (?:higher|lower))\s+to\s+(?P<close>{NUM})\s*won"),
    ]


@recognizer("stock-named-move")
def named_move(ctx: Context):
    """A stock the registry names in full, with its move: "Samsung Electronics rose 1.2 percent to
    61,000 won", "SK hynix (-0.8%)", "LG Chem (up 2.1%)"."""
    names = _known_names()[0]
    for pattern in _named_patterns():
        for m in pattern.finditer(ctx.sentence):
            g = m.groupdict()
            unsigned = not g.get("dir") and not g.get("sign")
            if unsigned and _HANGUL.search(ctx.sentence):
                continue  # "SK하이닉스(1.81%) ... 내렸다": the clause's verb gives the sign (stock-korean-unsigned)
            if not ctx.claim(m.span()):
                continue
            down = is_down((g.get("dir") or "").replace("traded ", "")) or g.get("sign") == "-"
            if unsigned:
                down = _sentence_direction(ctx.sentence, m.start()) < 0
            yield Found(_on_the_day(m["name"], names[m["name"]], ctx.session), _fields(g.get("pct"), down, g.get("close")), ctx.sentence, m.span())


_NAME_EN = rf"(?P<name>[A-Z][\w&.'-]*(?:\s+(?:[A-Z0-9][\w&.'-]*|(?!(?:{verb_words()})\b)[a-z][a-z]+|&|and|of)){{0,5}})"
# "Korea Zinc, the zinc smelter, plunged ...", "LG Chem was also among the few gainers, climbing ..."
_ASIDE = r"(?:,\s+[^,]{1,100},(?:\s+[^,\s]{1,20},)?|\s+was\s+(?:also\s+)?among\s+[^,]{1,40},)?\s+(?:also\s+)?"
_NAME_KO = r"(?P<name>[가-힣A-Za-z][가-힣A-Za-z0-9&]*(?:\s?[가-힣A-Za-z&][가-힣A-Za-z0-9&]*)?)(?:\(\d{6}\)|\s*\((?:KS|KQ|KRX):\d{6}\))?"
_KO_CLOSE = r"(?P<close>\d[\d,]*(?:만\s?\d[\d,]*)?|\d+만)\s?원"

_RESPECTIVELY = re.compile(
    rf"{_NAME_EN.replace('(?P<name>', '(?P<n1>')}\s+and\s+(?:[a-z][\w-]*\s+){{0,3}}{_NAME_EN.replace('(?P<name>', '(?P<n2>')}(?:,\s+(?:which|that)\s+(?:ended|closed|finished)\s+|{_ASIDE}(?:shares\s+)?)"
    rf"(?P<dir>{UP}|{DOWN}|up|down|higher|lower)\s+(?:by\s+)?(?P<p1>{NUM})\s*{_PCT}\s+and\s+(?:up\s+|down\s+)?(?P<p2>{NUM})\s*{_PCT}"
    rf"(?:\s+to\s+(?:close\s+at\s+)?(?P<c1>{NUM}(?:\s+million)?)(?:\s*won)?\s+and\s+(?P<c2>{NUM}(?:\s+million)?)\s*won)?,?\s+respectively")


@recognizer("stock-respectively")
def respectively(ctx: Context):
    """Two stocks, one verb, figures in order: "Naver and Kakao gained 1.5% and 2.5%, respectively",
    "... decreased 1.2 percent and 0.4 percent to 1.02 million won and 190,500 won, respectively"."""
    for m in _RESPECTIVELY.finditer(ctx.sentence):
        first, second = resolve_tail(m["n1"], ctx.session), resolve_tail(m["n2"], ctx.session)
        if first is None or second is None or not ctx.claim(m.span()):
            continue
        down = is_down(m["dir"])
        for inst, pct, close in ((first, m["p1"], m["c1"]), (second, m["p2"], m["c2"])):
            yield Found(inst.name, _fields(pct, down, close), ctx.sentence, m.span())


_KO_JOIN = r"\s*[·,]\s*|(?<=[가-힣A-Za-z0-9])(?:와|과)\s+"
_KO_EACH = re.compile(
    rf"(?P<names>[가-힣A-Za-z0-9&]+(?:(?:{_KO_JOIN})[가-힣A-Za-z0-9&]+)+)(?:은|는|이|가)?\s*각각\s*(?P<pcts>(?:{NUM})\s*%(?:\s*,\s*(?:{NUM})\s*%)+)\s*씩?\s*"
    r"(?P<dir>상승|올랐|오른|하락|내렸|내린|떨어)")


@recognizer("stock-korean-each")
def korean_each(ctx: Context):
    """Korean lists with 각각: "기아·현대차는 각각 1.5%, 2.5% 하락했다"."""
    for m in _KO_EACH.finditer(ctx.sentence):
        names = re.split(_KO_JOIN, m["names"])
        pcts = re.findall(NUM, m["pcts"])
        insts = [resolve_tail(n, ctx.session) for n in names]
        if len(names) != len(pcts) or any(i is None for i in insts) or not ctx.claim(m.span()):
            continue
        down = not m["dir"].startswith(KO_UP)
        yield from (Found(i.name, _fields(p, down), ctx.sentence, m.span()) for i, p in zip(insts, pcts))


_KO_ALL = re.compile(r"일제히|모두|대부분|전반적으로")
_KO_UNSIGNED = re.compile(rf"{_NAME_KO}\s*\((?P<pct>{NUM})\s*%\)")
_KO_VERB = re.compile(f"({alternation(list(KO_UP))})|({alternation(list(KO_DOWN))})")  # schemas/words.toml


@recognizer("stock-korean-unsigned")
def korean_unsigned(ctx: Context):
    """Unsigned Korean percents take their clause's verb: "카카오게임즈(3.1%)와 씨젠(0.7%)은 상승했다";
    the exception of "...을 제외하고 일제히 하락" went the other way."""
    seen = set()
    lead_verbs = list(_KO_VERB.finditer(ctx.previous)) if _KO_ALL.search(ctx.previous) else []
    for m in _KO_UNSIGNED.finditer(ctx.sentence):
        verb = _KO_VERB.search(ctx.sentence, m.end())
        if verb is None and lead_verbs:  # "상위종목은 일제히 하락했다. 삼성전자(1.10%) LG화학(5.46%) ...": the list after its verb
            verb = lead_verbs[-1]
        inst = resolve_tail(m["name"], ctx.session)
        if verb is None or inst is None or inst.name in seen or not ctx.free(m.span()):
            continue
        down = verb.group(2) is not None
        if verb.string is ctx.sentence and "제외" in ctx.sentence[m.end(): verb.start()]:
            down = not down
        ctx.claim(m.span())
        seen.add(inst.name)
        yield Found(inst.name, _fields(m["pct"], down), ctx.sentence, m.span())


_WON_FIRST = [
    # rose 30,700 won (7.21%) to close at 550,000 won / fell 1,200 won, or 2.1 percent, to 55,300 won
    re.compile(rf"{_NAME_EN}{_ASIDE}(?:shares\s+)?(?P<dir>{UP}|{DOWN})\s+(?:by\s+)?(?P<chg>{NUM})\s*won\s*(?:\(\s*(?P<pct>{NUM})\s*%\s*\)|,?\s+or\s+(?P<pct2>{NUM})\s*{_PCT},?)"
               rf"\s+to\s+(?:close\s+at\s+|end\s+at\s+|finish\s+at\s+)?(?P<close>{NUM})\s*won"),
    # closed up 2,500 won (1.3%) at 195,500 won
    re.compile(rf"{_NAME_EN}\s+(?:closed|ended|finished)\s+(?P<dir>up|down|higher|lower)\s+(?P<chg>{NUM})\s*won\s*\(\s*(?P<pct>{NUM})\s*%\s*\)\s+at\s+(?P<close>{NUM})\s*won"),
    # attempted to rebound during trading but ultimately closed down 0.14%
    re.compile(rf"{_NAME_EN}\s+[^.]{{0,80}}?\b(?:but|before|and)\s+(?:ultimately\s+|eventually\s+|finally\s+)?(?:closed|closing|ended|ending|finished|finishing)\s+"
               rf"(?P<dir>up|down|higher|lower)\s+(?P<pct>{NUM})\s*%(?P<close>)"),
    # rose ... before closing at 81,200 won (up 1.6%)
    re.compile(rf"{_NAME_EN}\s+[^.]{{0,80}}?\bbefore\s+closing\s+at\s+(?P<close>{NUM})\s*won\s*\(\s*(?P<dir>up|down)\s+(?P<pct>{NUM})\s*%\s*\)"),
]


@recognizer("stock-won-change-first")
def won_change_first(ctx: Context):
    """A stock line that leads with the won change: "Hanmi Semiconductor rose 8,400 won (6.25%) to close
    at 142,800 won", "Kia closed down 1,100 won (1.2%) at 90,400 won", "... before closing at 81,200
    won (up 1.6%)"."""
    for pattern in _WON_FIRST:
        for m in pattern.finditer(ctx.sentence):
            inst = resolve_name(m["name"], ctx.session)
            if inst is None or not ctx.claim(m.span()):
                continue
            g = m.groupdict()
            yield Found(inst.name, _fields(g.get("pct") or g.get("pct2"), is_down(m["dir"]), m["close"] or None, g.get("chg")), ctx.sentence, m.span())


_KO_PRICE = r"\d+만\s?\d[\d,]*|\d+만|\d[\d,]*"
# "삼천당제약은 공급 계약 소식에 전일 대비" ... "오른 16만8500원": the name, an aside, the comparison; the verb, the close
_KO_LEAD = (rf"{_NAME_KO}(?:은|는|이|가|도)?\s*(?:[^\d()%.]{{0,40}}?\s)?"
            r"(?:전\s*(?:거래)?일\s*(?:종가\s*)?(?:대비|보다)\s*|전날\s*(?:대비|보다)\s*)?")
_KO_TAIL = (r"(?P<dir>오른|올랐|상승한|상승하|상승|내린|내렸|하락한|하락하|하락|급등한|급락한|떨어진|떨어졌)"
            rf"(?:[가-힣]*\s*(?P<close>{_KO_PRICE})\s?원)?")
_KO_WON_MOVE = re.compile(rf"{_KO_LEAD}(?P<chg>{_KO_PRICE})\s*원\s*\(\s*(?P<sign>[-+\u2212\uff0d])?\s*(?P<pct>{NUM})\s*%\s*\)\s*{_KO_TAIL}")
_KO_PCT_WON = re.compile(rf"{_KO_LEAD}[-+\u2212]?(?P<pct>{NUM})\s*%\s*\(\s*(?P<chg>{_KO_PRICE})\s*원\s*\)\s*{_KO_TAIL}")


@recognizer("stock-korean-won-move")
def korean_won_move(ctx: Context):
    """A Korean stock line with its won move: "삼천당제약은 공급 계약 소식에 전일 대비 2만1000원(14.2%) 오른
    16만8500원에 마감했다", "HLB는 1500원(-2.1%) 하락한 7만100원", "리노공업도 3100원(1.6%) 상승하면서"."""
    for m in [*_KO_WON_MOVE.finditer(ctx.sentence), *_KO_PCT_WON.finditer(ctx.sentence)]:
        inst = resolve_name(m["name"], ctx.session)
        if inst is None or not ctx.claim(m.span()):
            continue
        down = not m["dir"].startswith(KO_UP) or (m.groupdict().get("sign") or "") in ("-", "\u2212", "\uff0d")
        yield Found(inst.name, _fields(m["pct"], down, m["close"], m["chg"]), ctx.sentence, m.span())


_LISTED = [
    re.compile(rf"{_NAME_EN}{_ASIDE}(?:shares\s+|saw\s+its\s+shares\s+)?(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING})\s+(?:by\s+(?:the\s+daily\s+(?:price\s+)?limit\s+of\s+)?)?(?P<pct>{NUM})\s*{_PCT}{_AFTER_OPEN}" + _TO_WON),
    # ended trading down 2.59% at 60,700 won / closed the market down 3.72% at 199,300 won
    re.compile(rf"{_NAME_EN}\s+(?:closed|ended|finished)(?:\s+(?:the\s+market|trading|the\s+session))?\s+(?P<dir>up|down|higher|lower)\s+(?:by\s+)?(?P<pct>{NUM})\s*{_PCT}" + _TO_WON),
    # closed at 30,050 won, up 4.34% / ended trading at 68,900 won, down 1.01% from the previous day
    re.compile(rf"{_NAME_EN}\s+(?:(?:closed|ended|finished)(?:\s+trading|\s+the\s+day)?\s+at|recorded)\s+(?P<close>{NUM})\s*won,?\s+(?P<dir>up|down)\s+(?P<pct>{NUM})\s*{_PCT}"),
    # finished 0.13 percent higher at 74,700 won
    re.compile(rf"{_NAME_EN}{_ASIDE}(?:closed|ended|finished)\s+(?P<pct>{NUM})\s*{_PCT}\s+(?P<dir>higher|lower|up|down)\s+at\s+(?P<close>{NUM})\s*won"),
    re.compile(rf"{_NAME_EN}\s*\((?P<sign>[-+])?(?P<pct>{NUM})\s*(?:%|percent|per\s+cent)\)"),
    re.compile(rf"{_NAME_EN}\s*\((?P<dir>up|down)\s+(?P<pct>{NUM})\s*%\)"),
    # 삼성전자는 전 거래일 대비 500원(0.60%) 내린 8만3000원에
    re.compile(rf"{_NAME_KO}(?:은|는|이|가)?\s*(?:전\s*거래일\s*(?:대비|보다)\s*)?(?P<chg>{NUM})\s*원\s*\(\s*(?P<pct>{NUM})\s*%\s*\)\s*"
               rf"(?P<dir>오른|올랐|상승한|내린|내렸|하락한|급등한|급락한)\s*{_KO_CLOSE}"),
    re.compile(rf"{_NAME_KO}(?:은|는|이|가|도)?\s*(?:전\s*거래일\s*(?:대비|보다)\s*)?[-+\u2212]?(?P<pct>{NUM})\s*%\s*(?P<dir>오른|올랐|상승|내린|내렸|하락|급등|급락|떨어|뛰)"
               rf"(?:[가-힣]*\s+{_KO_CLOSE})?"),
    re.compile(rf"{_NAME_KO}\s*\((?P<sign>[-+\u2212])(?P<pct>{NUM})\s*%\)"),
]


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_DIRECTION_WORD = re.compile(rf"\b(?:{UP}|{DOWN})\b", re.I)


_CLAUSE_BREAK = re.compile(r",?\s+while\s+|;\s*|,\s+but\s+|,\s+whereas\s+", re.I)


def _sentence_direction(sentence: str, at: int) -> int:
    """The direction of an unsigned percent in a list: the verb that ends its clause ("..., while Celltrion
    (0.15%) and Hyundai Motor (0.28%) fell"), else the last verb before it ("also edged up, including
    PearlAbyss (2.91 percent)"); +1 when neither says."""
    start = max([m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, at)] + [0])
    ends = [m.start() for m in _CLAUSE_BREAK.finditer(sentence, at)]
    end = ends[0] if ends else len(sentence)
    after = list(_DIRECTION_WORD.finditer(sentence, at, end))
    earlier = list(_DIRECTION_WORD.finditer(sentence, start, at))
    word = after[-1] if after and after[-1].end() >= end - 2 else earlier[-1] if earlier else None
    return -1 if word is not None and is_down(word.group()) else 1


def _unread_stocks(ctx: Context, patterns, resolve):
    """(match, stock) for each match of ``patterns`` no earlier recognizer read, whose name is a stock."""
    for pattern in patterns:
        for m in pattern.finditer(ctx.sentence):
            if ctx.free(m.span()):
                inst = resolve(m["name"], ctx.session)
                if inst is not None:
                    yield m, inst


@recognizer("stock-listed-move")
def listed_move(ctx: Context):
    """Any listed stock by the names the listing and the press use: "Kia rose 3.1 percent",
    "LG Chem (-1.2%)", "Theborn Korea closed at 30,050 won, up 4.34%", "셀트리온은 4.18% 올랐다",
    "삼성전자(-1.2%)"."""
    for m, inst in _unread_stocks(ctx, _LISTED, resolve_tail):
        g = m.groupdict()
        word = (g.get("dir") or "").lower()
        down = (g.get("sign") or "") in ("-", "\u2212") or (bool(word) and not word.startswith(KO_UP) and not is_up(word))
        if not word and not g.get("sign"):
            if _HANGUL.search(ctx.sentence):
                continue  # a Korean list's sign is its verb's (stock-korean-unsigned)
            down = _sentence_direction(ctx.sentence, m.start()) < 0  # "Other firms also edged up, including PearlAbyss (2.91 percent)"
        ctx.claim(m.span())
        yield Found(inst.name, _fields(m["pct"], down, g.get("close"), g.get("chg")), ctx.sentence, m.span())


_KO_VAGUE = r"(?!\s*(?:p\b|포인트|넘게|넘는|이상|가까이|안팎|가량|대\b|대의|내외|이하|미만))"  # "3% 넘게 올랐다": not a figure
_KO_ITEM = re.compile(rf"{_NAME_KO}(?:은|는|이|가|도)?\s*(?P<sign>[-+\u2212\uff0d\u2015])?\s*(?P<pct>{NUM})\s*%{_KO_VAGUE}")
_KO_AFTER_ASIDE = re.compile(rf"{_NAME_KO}(?:은|는|이|가)\s+[^%.]{{1,60}}?[,\s]\s*(?P<pct>{NUM})\s*%\s*(?P<dir>상승|올랐|오른|뛰|급등|하락|내렸|내린|떨어|급락)"
                             rf"(?:[가-힣]*\s+{_KO_CLOSE})?")


@recognizer("stock-korean-list")
def korean_list(ctx: Context):
    """Korean lists of percents with one verb at the end: "셀트리온은 1.2%, LG화학은 2.3% 각각 하락했다",
    "현대차는 1.1%, 한국전력은 0.9% 올랐다", "LG에너지솔루션 －0.5%, 현대차 －1.3% 등이 약세", and a name whose
    percent follows an aside: "SK하이닉스는 실적 우려에 52주 신저가를 경신, 3.1% 하락했다"."""
    for m, inst in _unread_stocks(ctx, (_KO_ITEM, _KO_AFTER_ASIDE), resolve_name):
        sign = m.groupdict().get("sign")
        if sign:
            down = sign != "+"
        else:
            verb = _KO_VERB.search(ctx.sentence, m.start("pct"))
            if verb is None:
                continue
            down = verb.group(2) is not None
        ctx.claim(m.span())
        yield Found(inst.name, _fields(m["pct"], down, m.groupdict().get("close")), ctx.sentence, m.span())


_FLAT = re.compile(rf"{_NAME_EN}{_ASIDE}(?:remained|stayed|closed|ended|finished|was)\s+(?:flat|unchanged)\s+at\s+(?P<close>{NUM})\s*won")


@recognizer("stock-flat-at")
def flat_at(ctx: Context):
    """A stock that did not move: "Samsung Electronics remained flat at 61,300 won" (its close only)."""
    for m in _FLAT.finditer(ctx.sentence):
        inst = resolve_tail(m["name"], ctx.session)
        if inst is not None and ctx.claim(m.span()):
            yield Found(inst.name, {"close": m["close"]}, ctx.sentence, m.span())
