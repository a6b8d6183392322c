"""Extract session-CSV rows from the prose of a market wrap (English and Korean).

`wrapcheck extract ARTICLE` prints the rows; `validate ARTICLE.txt` (or .md / .html) extracts and
validates in one step. Every figure keeps the text it was written as (so its precision travels with
it) and the sentence it came from (the row's `statement`). Every other number of the article that is a
figure (not a date, time, tenor, index name or ordinal) is returned in `unextracted` with its sentence
and line, never dropped silently.

The patterns follow the wire styles of Yonhap, the Korea Herald, JoongAng Daily and Reuters, radio
scripts with spelled-out numbers (normalized first), aggregator summaries whose sentences cite their
sources ([1][2]: one row set per cited source plus the summary itself), and Yonhap's Korean style.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from wrapcheck.numbers import parse_spelled, LEVEL
from wrapcheck.registry import load_registry
from wrapcheck.text import MONTHS

from wrapcheck.reader import ARTICLE_SUFFIXES  # noqa: F401  (re-exported: the loader reads it from reader)
LINE = "_line"  # the article line a row's first figure is on: the row's location in reports
COLUMNS = ["date", "source", "instrument", "kind", "outlet", "title", "close", "change", "change_pct", "prior_close",
           "individual_net", "foreign_net", "institution_net", "advancers", "decliners", "unchanged",
           "issues_traded", "volume", "turnover", "statement"]

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
KNUM = r"(?:(?:\d[\d,]*조\s*)?(?:\d[\d,]*천)?\d*[\d,]*억\s*(?:\d[\d,]*천)?\d*만?\s*원|\d[\d,]*조\s*원)(?!대)"
AMOUNT = rf"(?:{NUM})\s*(?:million|billion|trillion|bn|tn)\s*won"
UP = r"rose|gained|added|climbed|jumped|advanced|increased|surged|soared|rallied|edged up|was up|were up|moved up|went up|spiked|shot up|hiked|rebounded|spurted"
DOWN = r"fell|dropped|lost|declined|slid|shed|slipped|decreased|plunged|tumbled|sank|edged down|was down|were down|moved down|went down|retreated|eased|dipped|shot down|plummeted|skidded|sagged"
UPING = r"rising|gaining|adding|climbing|jumping|advancing|surging|soaring|up|higher"
DOWNING = r"falling|losing|shedding|dropping|sliding|slipping|declining|down|lower"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "br", "li", "div", "h1", "h2", "h3", "tr"):
            self.parts.append("\n")


def article_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm"):
        parser = _Text()
        parser.feed(raw)
        raw = html.unescape("".join(parser.parts))
    elif path.suffix.lower() in (".md", ".markdown"):
        raw = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", raw)  # [text](link) -> text
        raw = re.sub(r"^[#>*\-\s]+", "", raw, flags=re.M)
    return raw.replace("\u2011", "-").replace("\u2212", "-").replace("\u00a0", " ")


# -- spelled-out numbers (radio scripts) are rewritten as digits before matching --------------------
_SPELLED_RUN = re.compile(
    r"\b(?:(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|point|\d+)(?![\w])-?)+"
    r"(?<=[\w])", re.IGNORECASE)


def despell(text: str) -> str:
    def repl(m: re.Match) -> str:
        phrase = m.group()
        if not re.search(r"point|thousand|hundred|[a-z]", phrase, re.I) or not re.search(r"[-]", phrase):
            return phrase
        figure = parse_spelled(phrase, LEVEL)
        if figure is None:
            return phrase
        return f"{figure.value:,.{figure.decimals}f}"

    return _SPELLED_RUN.sub(repl, text)


# -- sentences, dates, sources --------------------------------------------------------------------
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z가-힣\"'(0-9-])|\n+")
_CITE = re.compile(r"\[(\d+)\]")


def split_sentences(text: str) -> list[str]:
    return [s for s, _ in sentences_with_lines(text)]


def sentences_with_lines(text: str) -> list[tuple[str, int]]:
    """The sentences of ``text`` with the line (1-based) each begins on."""
    out, start = [], 0
    for m in list(_SPLIT.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        piece = text[start:end]
        if piece.strip():
            offset = start + len(piece) - len(piece.lstrip())
            out.append((piece.strip(), text.count("\n", 0, offset) + 1))
        if m:
            start = m.end()
    return out


def find_session_date(text: str) -> str | None:
    m = re.search(r"\b(20\d\d)-(\d\d)-(\d\d)\b", text)
    candidates = []
    if m:
        candidates.append(date(int(m[1]), int(m[2]), int(m[3])))
    for m in re.finditer(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),?\s+(20\d\d)\b", text):
        try:
            candidates.append(date(int(m[3]), MONTHS[m[1].lower()], int(m[2])))
        except ValueError:
            continue
    m = re.search(r"(20\d\d)년\s*(\d{1,2})월\s*(\d{1,2})일", text)
    if m:
        candidates.append(date(int(m[1]), int(m[2]), int(m[3])))
    if not candidates:
        return None
    timeline = re.findall(r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", text, re.M)
    return (max(candidates) if timeline else candidates[0]).isoformat()


def cited_sources(text: str) -> dict[str, str]:
    """[1] Yonhap: ... -> {"1": "yonhap-1"} from an aggregator's source list."""
    out = {}
    for m in re.finditer(r"^\s*\[?(\d+)\]?\.?\s*\n?\s*([A-Z][\w .&-]{1,40}?):", text, re.M):
        out[m[1]] = f"{re.sub(r'[^a-z0-9]+', '-', m[2].lower()).strip('-')}-{m[1]}"
    return out


# -- the patterns --------------------------------------------------------------------------------
@dataclass
class Found:
    instrument: str
    fields: dict[str, str]
    sentence: str
    span: tuple[int, int] = (0, 0)


def _signed(value: str, negative: bool) -> str:
    value = value.strip()
    return ("-" if negative else "+") + value.lstrip("+-")


INDEX_NAMES = {"kospi": "KOSPI", "kosdaq": "KOSDAQ", "코스피": "KOSPI", "코스닥": "KOSDAQ"}


def _index_of(sentence: str, before: int) -> str:
    """The index a sentence speaks of, by the last index name before ``before`` (KOSPI by default)."""
    names = [(m.start(), m.group().lower()) for m in re.finditer(r"kospi|kosdaq|코스피|코스닥|secondary bourse|tech-heavy", sentence[:before], re.I)]
    if not names:
        return "KOSPI"
    last = names[-1][1]
    return "KOSDAQ" if last in ("kosdaq", "코스닥", "secondary bourse", "tech-heavy") else "KOSPI"


PCT = r"(?:percent|per cent|%)"
INDEX_PATTERNS = [
    # closed up 24.67 points, or 1.02%, at 2,442.51 / was down 3.36 points or 0.13 per cent at 2,537.15
    re.compile(rf"(?:closed|was|ended|finished)\s+(?P<dir>up|down|higher|lower)\s+(?P<chg>{NUM})\s*points?,?\s+or\s+(?P<pct>{NUM})\s*{PCT},?\s+at\s+(?P<close>{NUM})", re.I),
    # rose 74.45 points, or 1.58 percent, to 4,797.55 / to close at / to reach
    re.compile(rf"(?P<dir>{UP}|{DOWN})\s+(?P<chg>{NUM})\s*points?,?\s+(?:or\s+)?(?P<pct>{NUM})\s*{PCT},?\s+(?:on \w+\s+)?to\s+(?:close at\s+|finish at\s+|end at\s+|reach\s+|settle at\s+)?(?P<close>{NUM})", re.I),
    # closed at 4,840.74, gaining 43.19 points, or 0.9 percent / finished at 4,525.48, up 67.96 points (1.52%)
    re.compile(rf"(?:closed|finished|ended|settled)\s+at\s+(?P<close>{NUM}),?\s+(?P<dir>{UPING}|{DOWNING}|advancing)\s+(?P<chg>{NUM})\s*points?,?\s*(?:\(|or\s+)(?P<pct>{NUM})\s*(?:%|percent)", re.I),
    # closed 0.9 percent up at 4,952.53
    re.compile(rf"closed\s+(?P<pct>{NUM})\s*(?:percent|%)\s+(?P<dir>up|higher|down|lower)\s+at\s+(?P<close>{NUM})", re.I),
    # slipping 0.16 percent to 955.97
    re.compile(rf"(?P<dir>{UPING}|{DOWNING}|{UP}|{DOWN})\s+(?P<pct>{NUM})\s*(?:percent|%)\s+to\s+(?P<close>{NUM})(?!\d|[,.]\d|\s*(?:million\s+)?won)", re.I),
    # declined 1.34 percent, or 35.36 points, to 2,569.32
    re.compile(rf"(?P<dir>{UP}|{DOWN})\s+(?P<pct>{NUM})\s*{PCT},?\s+or\s+(?P<chg>{NUM})\s*points?,?\s+(?:on \w+\s+)?to\s+(?:close at\s+|finish at\s+|end at\s+)?(?P<close>{NUM})", re.I),
    # closed up 0.91%, or 23.78 points, at 2,625.58
    re.compile(rf"(?:closed|was|ended|finished)\s+(?P<dir>up|down|higher|lower)\s+(?P<pct>{NUM})\s*{PCT},?\s+or\s+(?P<chg>{NUM})\s*points?,?\s+at\s+(?P<close>{NUM})", re.I),
    # closed at 1,012.51, down 22.31 points (2.16%) / closed down at 3,097.92, down 35.72 points (-1.14%)
    re.compile(rf"(?:closed|finished|ended|settled)(?:\s+(?:up|down|higher|lower))?\s+at\s+(?P<close>{NUM}),?\s+(?P<dir>up|down)\s+(?P<chg>{NUM})\s*points?\s*\(\s*[-+]?(?P<pct>{NUM})\s*%\s*\)", re.I),
    # 코스피는 전 거래일보다 67.96포인트(1.52%) 오른 4,525.48에
    re.compile(rf"(?:전\s*거래일\s*(?:종가\s*)?\((?P<prior>{NUM})\)\s*(?:보다|대비)\s*)?(?P<chg>{NUM})\s*(?:포인트|p)\s*\(\s*[-+\u2212]?(?P<pct>{NUM})\s*%?p?\s*\)\s*(?P<dir>오른|상승한|급등한|뛴|내린|하락한|급락한|떨어진)\s*(?P<close>{NUM})"
               r"(?![\d.])(?!\s*(?:포인트)?(?:에|으로|로)?\s*(?:거래를\s*|장을\s*)?(?:시작|출발|개장))"),  # an opening level is not the close
]
CLOSE_ONLY = re.compile(rf"(?:KOSPI|Kospi|KOSDAQ|Kosdaq|index)\s+(?:closes|closed|ended|finished)\s+at\s+(?:a\s+(?:record|fresh high|new high)\s+)?(?P<close>{NUM})(?!\s*(?:won|%))")
YIELD_LEVEL = re.compile(rf"(?P<tenor>three|five|ten|3|5|10)-year\s+(?:Treasury\s+|government bond\s+)?yield\s+(?:rises|rose|falls|fell|stood|stands|closed|ended)\s+(?:at|to)\s+(?P<close>{NUM})\s*%", re.I)
KO_DOWN = ("내린", "하락한", "급락한", "떨어진", "내렸", "하락")

FLOW_WHO = {"individual": "individual_net", "individuals": "individual_net", "retail": "individual_net",
            "foreign": "foreign_net", "foreigners": "foreign_net", "institutions": "institution_net",
            "institutional": "institution_net", "institution": "institution_net", "개인": "individual_net",
            "외국인": "foreign_net", "기관": "institution_net"}
_WHO = r"individual investors|individuals|retail investors|retail|foreign investors|foreigners|foreign|institutional investors|institutions|institutional"
FLOW_BUY = re.compile(r"bought|buy|purchas|net buyers|scooped|snapped|net purchases|inflows|순매수|매수|사들", re.I)
FLOW_SELL = re.compile(r"sold|sell|selling|net sellers|offload|off-load|dump|outflows|net selling|순매도|매도|팔아", re.I)


def _who(word: str) -> str | None:
    w = word.lower().split()[0]
    return FLOW_WHO.get(w)


def _flows(sentence: str) -> list[tuple[str, str, str, int]]:
    """(field, amount as written, sign word, position) for each category with an amount."""
    out = []
    ko = re.search(r"[가-힣]", sentence) is not None
    if ko:
        # 외국인이 2천858억원, 개인이 1천404억원어치를 각각 팔아치웠다 / 외국인은 6천188억원을 순매도
        listed = re.search(rf"(?P<whos>(?:(?:외국인|개인|기관)(?:과|와|,)?\s*)+)(?:이|은|는)?\s*(?:각각?|각)\s*(?P<amts>(?:{KNUM}(?:[,\s]|과|와)*)+)", sentence)
        if listed:
            whos = re.findall(r"외국인|개인|기관", listed["whos"])
            amts = re.findall(KNUM, listed["amts"])
            tail = sentence[listed.end():]
            for who, amt in zip(whos, amts):
                out.append((FLOW_WHO[who], amt, tail, listed.start()))
            sentence = sentence[: listed.start()] + " " * (listed.end() - listed.start()) + sentence[listed.end():]
        pairs = list(re.finditer(rf"(?P<who>외국인|개인|기관)(?:은|이|과|도|의)?\s*(?:[^,.\d외개기]{{0,12}}?\s*)(?P<amt>{KNUM})", sentence))
        for p in pairs:
            tail = sentence[p.end(): p.end() + 40]
            nxt = [q.start() for q in pairs if q.start() > p.start()]
            segment = sentence[p.end(): nxt[0]] if nxt else sentence[p.end():]
            word = segment if (FLOW_BUY.search(segment) or FLOW_SELL.search(segment)) else sentence[p.end():]
            out.append((FLOW_WHO[p["who"]], p["amt"], word or tail, p.start()))
        return out
    if "respectively" in sentence.lower():
        # "..., while foreign and institutional investors bought 405 billion won and 338 billion won, respectively":
        # the categories and amounts of the clause that says respectively, in order.
        for clause in re.split(r",\s*while\s+|;\s*|\.\s+", sentence):
            if "respectively" not in clause.lower():
                continue
            first_amount = re.search(AMOUNT, clause, re.I)
            if not first_amount:
                continue
            names = [m.group() for m in re.finditer(rf"\b(?:{_WHO})\b", clause[: first_amount.start()], re.I)]
            fields = [f for f in dict.fromkeys(_who(w) for w in names) if f]
            amounts = [m.group() for m in re.finditer(AMOUNT, clause, re.I)]
            if len(fields) == len(amounts) and fields:
                out += [(f, a, clause, 0) for f, a in zip(fields, amounts)]
                sentence = sentence.replace(clause, " ")
                break
        # "Retail investors were net buyers with 1.2 trillion won. Foreigners and institutions were net sellers, each ..."
    whos = list(re.finditer(rf"\b(?:{_WHO})\b", sentence, re.I))
    for k, who in enumerate(whos):
        end = whos[k + 1].start() if k + 1 < len(whos) else len(sentence)
        segment = sentence[who.end(): end]
        amount = re.search(AMOUNT, segment, re.I)
        if amount and amount.start() <= 60 and not _COMBINED.search(segment[: amount.start()]):
            out.append((_who(who.group()), amount.group(), segment[: amount.start()] or segment, who.start()))
    return out


# "institutions and foreigners' purchases valued at a combined 464 billion won": two groups' sum, neither's figure
_COMBINED = re.compile(r"\b(?:combined|together|in total|altogether)\b", re.I)


BREADTH_PATTERNS = [
    (re.compile(r"(?P<a>gainers|winners|advancers|decliners|losers)\s+(?:\w+ly\s+)?(?:outnumbered|outnumber|outpaced|outpacing|beating|beat|outnumbering)\s+(?P<b>gainers|winners|advancers|decliners|losers)\s+(?P<n1>\d[\d,]*)\s+to\s+(?P<n2>\d[\d,]*)", re.I), "pair"),
    # with 512 losers compared to 371 gainers / 371 gainers against 512 losers
    (re.compile(r"(?P<n1>\d[\d,]*)\s+(?P<a>gainers|winners|advancers|decliners|losers|rising stocks|falling stocks)\s+(?:compared\s+(?:to|with)|against|versus|vs\.?)\s+(?P<n2>\d[\d,]*)\s+(?P<b>gainers|winners|advancers|decliners|losers|rising stocks|falling stocks)", re.I), "pair"),
    (re.compile(r"(?P<n1>\d[\d,]*)\s+stocks?\s+gaining(?:\s+ground)?\s+against\s+(?P<n2>\d[\d,]*)\s+that\s+declined(?:\s+out of a total of\s+(?P<n3>\d[\d,]*)\s+traded issues)?", re.I), "adv-dec-total"),
    (re.compile(r"Of the total\s+(?P<n3>\d[\d,]*)\s+(?:issues traded|traded issues),\s+(?P<n1>\d[\d,]*)\s+shares (?:rose|advanced)(?:,\s+while\s+(?P<n2>\d[\d,]*)\s+declined)?", re.I), "total-adv"),
    (re.compile(r"of the total traded issues of\s+(?P<n3>\d[\d,]*),\s+the number of advancing shares was\s+(?P<n1>\d[\d,]*)", re.I), "total-adv"),
]
_HEDGE = r"(?:(?:about|around|some|nearly|roughly|approximately|over|more than)\s+)?"
VOLUME = re.compile(rf"(?:trade|trading)\s+volume\s+(?:during the session on the \w+ index\s+)?(?:was(?:\s+\w+){{1,2}}\s+at|reache?d?s?|stood at|came to|hit|was)\s+(?:a\s+\w+\s+)?"
                    rf"{_HEDGE}(?P<vol>{NUM}\s*(?:million|billion)?\s*shares)?\s*(?:worth\s+|valued at\s+|\()?{_HEDGE}(?P<turn>{NUM}\s*(?:trillion|billion)\s*won)?", re.I)
# "Around 1.23 billion shares worth some 9.62 trillion won changed hands", "volume of 1.58 billion shares worth 30.73 trillion won"
VOLUME_WORTH = re.compile(rf"{_HEDGE}(?P<vol>{NUM}\s*(?:million|billion)\s*shares)\s+(?:worth|valued at)\s+{_HEDGE}(?P<turn>{NUM}\s*(?:trillion|billion)\s*won)", re.I)
TURNOVER_KO = re.compile(rf"유가증권시장\s*거래대금은\s*(?P<turn>{KNUM})")
YIELD_VS = re.compile(rf"(?P<tenor>three|five|ten|3|5|10)-year\s+(?:Korean\s+)?(?:treasury\s+|Treasury\s+|government\s+)?(?:bond\s+)?yielded\s+(?P<close>{NUM})\s*(?:per cent|percent|%),?\s+(?:versus|higher than|lower than|compared with)\s+the previous day's\s+(?P<prior>{NUM})\s*(?:per cent|percent|%)", re.I)
YIELD = re.compile(rf"(?P<tenor>three|five|ten|3|5|10)-year\s+(?:Korean\s+)?(?:Treasury\s+|treasury\s+|government\s+)?(?:bond\s+)?yield\s+(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING}|climbing|rising)\s+(?:by\s+)?(?P<chg>{NUM})\s*basis points?\s+to\s+(?P<close>{NUM})\s*%", re.I)
TENOR = {"three": "KTB 3Y", "3": "KTB 3Y", "five": "KTB 5Y", "5": "KTB 5Y", "ten": "KTB 10Y", "10": "KTB 10Y"}
FX_PATTERNS = [
    # The won was quoted at 1,432.2 per dollar on the onshore settlement platform, 0.04% higher than its previous close at 1,432.8
    re.compile(rf"(?P<subj>the (?:Korean )?won)\s+was quoted at\s+(?P<close>{NUM})\s+per (?:US |U\.S\. )?dollar on the onshore settlement platform,\s+(?P<pct>{NUM})\s*(?:%|per cent|percent)\s+(?P<pdir>higher|firmer|stronger|weaker|lower|softer)\s+than its previous close (?:at|of)\s+(?P<prior>{NUM})", re.I),
    # The won weakened to 1,445.50 per U.S. dollar, down 1.7 won / was quoted at 1,473.6 per dollar, weakening by 3.9 won
    re.compile(rf"(?P<subj>the (?:Korean |local )?(?:won|currency))\s+(?:(?:was\s+)?(?:quoted|closed|ended|finished|traded|trading)\s+at|weaken(?:ed|s) to|strengthen(?:ed|s) to|fell to|rose to|closes at)\s+(?P<close>{NUM})\s*(?:won\s+)?(?:per|a|against the)\s+(?:U\.S\.\s+|US\s+)?(?:dollar|greenback)(?:,\s*(?P<dir>up|down|weakening|strengthening|rising|falling|gaining|losing)\s+(?:by\s+)?(?P<chg>{NUM})\s*won)?", re.I),
    # the dollar strengthened slightly, rising 1.7 won to 1,445.5
    re.compile(rf"(?P<subj>the (?:U\.S\. )?dollar)\s+\w+(?:\s+\w+)?,\s+(?P<dir>rising|falling|gaining|losing|up|down)\s+(?P<chg>{NUM})\s*won\s+to\s+(?P<close>{NUM})", re.I),
    # gained strength against the greenback, closing at 1,469.7 won
    re.compile(rf"(?P<subj>the (?:Korean )?won)\b[^.]*?closing at\s+(?P<close>{NUM})\s*won", re.I),
    # the won-dollar rate stood at 1,440.3 won as of 3:30 p.m., down 9.5 won / the won-dollar exchange rate fell to 1,471.3 won
    re.compile(rf"(?P<subj>the won-dollar (?:exchange )?rate)\s+(?:stood at|closed at|ended at|finished at|fell to|rose to|was at|was)\s+(?P<close>{NUM})\s*won"
               rf"(?:(?:[^,.]|\.(?=m\.)|(?<=\.m)\.)*?,\s*(?P<dir>up|down)\s+(?P<chg>{NUM})\s*won)?", re.I),
    # 원/달러 환율은 전 거래일 종가보다 0.4원 내린 1,322.6원에
    re.compile(rf"(?P<subj>환율)[은는이]?[^.]*?(?P<chg>{NUM})\s*원\s*(?P<dir>오른|내린|상승한|하락한|급등한|급락한|높은|낮은)\s*(?:달러당\s*)?(?P<close>{NUM})\s*원"),
]


def _stock_names() -> dict[str, str]:
    registry = load_registry()
    names = {}
    for inst in registry.instruments.values():
        if inst.kind == "stock":
            for alias in (inst.name, *inst.aliases, *inst.mentions):
                if len(alias) >= 3 and not alias.isdigit():
                    names[alias] = inst.name
    return names


def _stock_patterns():
    names = _stock_names()
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    patterns = [
        re.compile(rf"(?P<name>{alternation})\s+(?:shares\s+)?(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING}|soared|soaring|jumping)\s+(?P<pct>{NUM})\s*(?:percent|%)(?:\s+to\s+(?P<close>{NUM})\s*won)?"),
        re.compile(rf"(?P<name>{alternation})\s*\((?P<dir>up|down)\s+(?P<pct>{NUM})%\)"),
        re.compile(rf"(?P<name>{alternation})\s*\((?P<sign>[-+]?)(?P<pct>{NUM})%\)"),
        re.compile(rf"(?P<name>{alternation})\s+(?P<dir>{UP}|{DOWN}|traded (?:higher|lower))\s+to\s+(?P<close>{NUM})\s*won"),
    ]
    return names, patterns


@dataclass
class Extraction:
    rows: list[dict[str, str]]
    unextracted: list["Unplaced"] = field(default_factory=list)
    session: str | None = None


@dataclass(frozen=True)
class Unplaced:
    """A number of the article that no extracted figure holds: its text, why, its sentence and line."""

    number: str
    sentence: str
    line: int
    why: str = "not placed"

    def __str__(self) -> str:
        return f"line {self.line}: {self.number!r} ({self.why}) in {self.sentence!r}"


# Numbers that are not figures of the session: dates, times, tenors and periods, index names, ordinals.
_NOT_FIGURES = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:\s*-\s*\d{1,2})?(?:,?\s+(?:19|20)\d\d)?"
    r"|\b(?:19|20)\d\d-\d\d-\d\d\b|\b(?:19|20)\d\d\b|\d{1,2}:\d\d|\b\d{1,2}\s*(?:a\.m\.|p\.m\.)"
    r"|\b\d+(?:st|nd|rd|th)\b|\b\d+-(?:year|month|week|day|session|trading-day)s?\b|\b\d+\s*(?:years?|months?|weeks?)\b"
    r"|(?:KOSPI|Kospi|KOSDAQ|Kosdaq|KRX|S&P|Nikkei|Stoxx|코스피|코스닥)\s*\d{2,3}\b"
    r"|\d+\s*(?:년물|년|월|일|시|분|거래일|개월|주(?:간|째)?)(?![\d,])"
)
_FIGURE_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?(?:\s?(?:조|억|만|천)\s?\d[\d,]*)*(?:\s?(?:조|억|만|천))?")


def unplaced_numbers(plain: str, placed: str) -> list[tuple[str, str]]:
    """(number, why) for each number of a sentence that is a figure and that no extracted value holds;
    a level named by a threshold phrase ("crossing the 4,500 threshold") is a claim H002 reads."""
    from wrapcheck.claims import THRESHOLD

    masked = _NOT_FIGURES.sub(lambda m: " " * len(m.group()), plain)
    levels = [m.span("level") for m in THRESHOLD.finditer(masked)]
    out = []
    for m in _FIGURE_TOKEN.finditer(masked):
        number = m.group().rstrip(",")
        if number and number not in placed and number.replace(",", "") not in placed.replace(",", ""):
            claim = any(a <= m.start() < b for a, b in levels)
            out.append((number, "a threshold claim, read by H002" if claim else "not placed"))
    return out


def extract_text(text: str, session: str | None = None, source: str | None = None, outlet: str = "") -> Extraction:
    text = text.replace("\u2011", "-").replace("\u2013", "-").replace("\u2019", "'")
    session = session or find_session_date(text)
    if session is None:
        raise ValueError("cannot tell the session date from the article; give --date YYYY-MM-DD")
    sources_list = cited_sources(text)
    own = source or "article"
    names, stock_patterns = _stock_names(), _stock_patterns()[1]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    unextracted = []
    context = "KOSPI"
    for raw_sentence, line in sentences_with_lines(text):
        if re.match(r"^\s*\[?\d+\]?\.?\s*$", raw_sentence):
            continue
        cites = _CITE.findall(raw_sentence)
        other_session = False
        if re.match(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:-\d{1,2})?,\s+20\d\d\s*-", raw_sentence):
            dated = find_session_date(raw_sentence.split(" - ")[0] if " - " in raw_sentence else raw_sentence)
            other_session = dated != session  # a timeline line about another session: a claim, not the day's figures
        sentence = _CITE.sub("", raw_sentence)
        plain = re.sub(r"\bKRW\b", "won", despell(sentence))  # "555.6 billion KRW"
        context = market_of(plain, context)
        found = [] if other_session else _match_sentence(plain, names, stock_patterns, context, session)
        targets = [own] + [sources_list.get(c, f"source-{c}") for c in cites if sources_list]
        if other_session:
            # A timeline line's date is the aggregator's own wording, whatever it cites.
            _attach_claim(rows, [own] if other_session else targets, session, context, sentence, line)
        if other_session:
            unextracted += [Unplaced(n, sentence.strip(), line, "another session") for n, _ in unplaced_numbers(plain, "")]
            continue
        for f in found:
            for target in dict.fromkeys(targets):
                row = rows.setdefault((target, f.instrument), {"date": session, "source": target, "instrument": f.instrument,
                                                               LINE: str(line)})
                for k, v in f.fields.items():
                    row.setdefault(k, v)
                statement = row.get("statement", "")
                if sentence.strip() not in statement:
                    row["statement"] = (statement + "\n" + sentence.strip()).strip()
        placed = " ".join(v for f in found for v in f.fields.values())
        unextracted += [Unplaced(n, sentence.strip(), line, why) for n, why in unplaced_numbers(plain, placed)]
    ordered = sorted(rows.values(), key=lambda r: (r["source"] != own, r["source"], r["instrument"]))
    for r in ordered:
        if outlet:
            r.setdefault("outlet", outlet)
    return Extraction(ordered, unextracted, session)


def _attach_claim(rows: dict, targets: list[str], session: str, market: str, sentence: str, line: int = 1) -> None:
    """A dated timeline line about another session still reaches the claim rules (C002 checks its
    dates): it joins the statement of the source's index row."""
    for target in dict.fromkeys(targets):
        row = rows.setdefault((target, market), {"date": session, "source": target, "instrument": market, LINE: str(line)})
        statement = row.get("statement", "")
        if sentence.strip() and sentence.strip() not in statement:
            row["statement"] = (statement + "\n" + sentence.strip()).strip()


def market_of(sentence: str, previous: str) -> str:
    """Which market flows and breadth belong to: the one the sentence names, else the last one named."""
    kosdaq = re.search(r"kosdaq|코스닥|secondary bourse", sentence, re.I)
    kospi = re.search(r"kospi|코스피|유가증권|main board|benchmark", sentence, re.I)
    if kosdaq and not kospi:
        return "KOSDAQ"
    if kospi and not kosdaq:
        return "KOSPI"
    return previous


def _match_sentence(sentence: str, names: dict[str, str], stock_patterns, context: str = "KOSPI",
                    session: str | None = None) -> list[Found]:
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(span) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in taken)

    for pattern in FX_PATTERNS:
        for m in pattern.finditer(sentence):
            if not free(m.span()):
                continue
            taken.append(m.span())
            fields = {"close": m["close"]}
            if m.groupdict().get("prior"):
                fields["prior_close"] = m["prior"]
                weaker = m["pdir"].lower() in ("weaker", "lower", "softer")  # the won's value: a weaker won is a higher rate
                fields["change_pct"] = _signed(m["pct"], not weaker) + "%"
            if m.groupdict().get("chg"):
                subj, word = m["subj"].lower(), (m["dir"] or "").lower()
                rate_up = word in ("오른", "상승한", "급등한", "높은") if subj == "환율" else (
                    word in ("rising", "gaining", "up") if "dollar" in subj else word in ("down", "weakening", "falling", "losing"))
                fields["change"] = _signed(m["chg"], not rate_up)
            found.append(Found("USD/KRW", fields, sentence, m.span()))
    for m in YIELD_VS.finditer(sentence):
        taken.append(m.span())
        found.append(Found(TENOR[m["tenor"].lower()], {"close": m["close"] + "%", "prior_close": m["prior"] + "%"}, sentence, m.span()))
    for m in YIELD.finditer(sentence):
        if not free(m.span()):
            continue
        taken.append(m.span())
        down = re.fullmatch(rf"{DOWN}|{DOWNING}", m["dir"], re.I) is not None
        found.append(Found(TENOR[m["tenor"].lower()], {"close": m["close"] + "%", "change": _signed(m["chg"], down) + "bp"}, sentence, m.span()))
    for m in YIELD_LEVEL.finditer(sentence):
        if free(m.span()):
            taken.append(m.span())
            found.append(Found(TENOR[m["tenor"].lower()], {"close": m["close"] + "%"}, sentence, m.span()))
    for pattern in stock_patterns:
        for m in pattern.finditer(sentence):
            if not free(m.span()):
                continue
            taken.append(m.span())
            groups = m.groupdict()
            word = (groups.get("dir") or "").lower()
            down = bool(re.fullmatch(rf"{DOWN}|{DOWNING}|traded lower", word)) or groups.get("sign") == "-"
            fields = {}
            if groups.get("pct"):
                fields["change_pct"] = _signed(groups["pct"], down) + "%"
            if groups.get("close"):
                fields["close"] = groups["close"]
            found.append(Found(_on_the_day(m["name"], names[m["name"]], session), fields, sentence, m.span()))
    for f in listed_stocks(sentence, session, free):  # names as they were on the session's date
        taken.append(f.span)
        found.append(f)
    for pattern in INDEX_PATTERNS:
        for m in pattern.finditer(sentence):
            if not free(m.span()):
                continue
            taken.append(m.span())
            word = m["dir"].lower()
            down = bool(re.fullmatch(rf"{DOWN}|{DOWNING}", word)) or word in KO_DOWN
            fields = {"close": m["close"], "change_pct": _signed(m["pct"], down) + "%"}
            if m.groupdict().get("chg"):
                fields["change"] = _signed(m["chg"], down)
            if m.groupdict().get("prior"):
                fields["prior_close"] = m["prior"]
            found.append(Found(_index_of(sentence, m.start() + 1), fields, sentence, m.span()))
    for m in CLOSE_ONLY.finditer(sentence):
        if free(m.span()):
            taken.append(m.span())
            found.append(Found(_index_of(sentence, m.end()), {"close": m["close"]}, sentence, m.span()))
    market = context
    flows = _flows(sentence)
    if flows:
        fields = {}
        for f, amount, word, _ in flows:
            if f is None or f in fields:
                continue
            sells, buys = FLOW_SELL.search(word), FLOW_BUY.search(word)
            negative = bool(sells) and (not buys or sells.start() < buys.start())
            fields[f] = _signed(amount, negative)
        if fields:
            found.append(Found(market, fields, sentence))
    for pattern, kind in BREADTH_PATTERNS:
        m = pattern.search(sentence)
        if not m:
            continue
        g = {k: v.replace(",", "") for k, v in m.groupdict().items() if v}
        if kind == "pair":
            first = "advancers" if m["a"].lower() in ("gainers", "winners", "advancers", "rising stocks") else "decliners"
            second = "decliners" if first == "advancers" else "advancers"
            fields = {first: g["n1"], second: g["n2"]}
        elif kind == "adv-dec-total":
            fields = {"advancers": g["n1"], "decliners": g["n2"], **({"issues_traded": g["n3"]} if "n3" in g else {})}
        else:
            fields = {"issues_traded": g["n3"], "advancers": g["n1"], **({"decliners": g["n2"]} if "n2" in g else {})}
        found.append(Found(market, fields, sentence))
    m = VOLUME.search(sentence)
    if not (m and (m["vol"] or m["turn"])):
        m = VOLUME_WORTH.search(sentence)
    if m and (m["vol"] or m["turn"]):
        fields = {}
        if m["vol"]:
            fields["volume"] = m["vol"].replace(" shares", "")
        if m["turn"]:
            fields["turnover"] = m["turn"]
        found.append(Found(market, fields, sentence))
    m = TURNOVER_KO.search(sentence)
    if m:
        found.append(Found("KOSPI", {"turnover": m["turn"].replace(" ", "")}, sentence))
    return _merge(found)


# Any listed stock, named as the listing or the press names it and resolved through the registry:
# "Kia rose 3.1 percent", "LG Chem (-1.2%)", "셀트리온은 4.18% 올랐다", "삼성전자(-1.2%)".
_VERB_WORDS = "|".join(sorted({w.split()[0] for w in (UP + "|" + DOWN + "|" + UPING + "|" + DOWNING).split("|")}
                              | {"closed", "ended", "finished", "traded", "was", "were", "also", "shares", "to", "at", "by"}))
_NAME_EN = rf"(?P<name>[A-Z][\w&.'-]*(?:\s+(?:[A-Z0-9][\w&.'-]*|(?!(?:{_VERB_WORDS})\b)[a-z][a-z]+|&|and|of)){{0,5}})"
_ASIDE = r"(?:,\s+[^,]{1,100},)?\s+(?:also\s+)?"  # "Korea Zinc, the largest zinc smelter, plunged ..."
_NAME_KO = r"(?P<name>[가-힣A-Za-z][가-힣A-Za-z0-9&]*(?:\s?[가-힣A-Za-z0-9&]+)?)(?:\(\d{6}\))?"
_TO_WON = rf"(?:\s+(?:to|at)\s+(?:close\s+at\s+|set\s+a\s+new\s+record\s+at\s+|(?:a\s+)?(?:new\s+)?(?:record|all-time)(?:\s+high)?(?:\s+of)?\s+)?(?P<close>{NUM}(?:\s+million)?)\s*won)?"
LISTED_PATTERNS = [
    re.compile(rf"{_NAME_EN}{_ASIDE}(?:shares\s+)?(?P<dir>{UP}|{DOWN}|{UPING}|{DOWNING}|soared|jumping)\s+(?:by\s+)?(?P<pct>{NUM})\s*(?:percent|per cent|%)"
               + _TO_WON),
    # Samsung Electronics ended trading down 2.59% at 60,700 won / closed the market down 3.72% at 199,300 won
    re.compile(rf"{_NAME_EN}\s+(?:closed|ended|finished)(?:\s+(?:the\s+market|trading|the\s+session))?\s+(?P<dir>up|down|higher|lower)\s+(?:by\s+)?(?P<pct>{NUM})\s*(?:percent|%)"
               + _TO_WON),
    # Theborn Korea closed at 30,050 won, up 4.34%
    re.compile(rf"{_NAME_EN}\s+(?:closed|ended|finished)\s+at\s+(?P<close>{NUM})\s*won,?\s+(?P<dir>up|down)\s+(?P<pct>{NUM})\s*(?:percent|%)"),
    re.compile(rf"{_NAME_EN}\s*\((?P<sign>[-+])?(?P<pct>{NUM})\s*%\)"),
    re.compile(rf"{_NAME_EN}\s*\((?P<dir>up|down)\s+(?P<pct>{NUM})\s*%\)"),
    # 삼성전자는 전 거래일 대비 500원(0.60%) 내린 8만3000원에
    re.compile(rf"{_NAME_KO}(?:은|는|이|가)?\s*(?:전\s*거래일\s*(?:대비|보다)\s*)?(?P<chg>{NUM})\s*원\s*\(\s*(?P<pct>{NUM})\s*%\s*\)\s*"
               r"(?P<dir>오른|올랐|상승한|내린|내렸|하락한|급등한|급락한)\s*(?P<close>\d[\d,]*(?:만\s?\d[\d,]*)?|\d+만)\s?원"),
    re.compile(rf"{_NAME_KO}(?:은|는|이|가|도)?\s*(?:전\s*거래일\s*(?:대비|보다)\s*)?(?P<pct>{NUM})\s*%\s*(?P<dir>오른|올랐|상승|내린|내렸|하락|급등|급락|떨어|뛰)"
               r"(?:[가-힣]*\s+(?P<close>\d[\d,]*(?:만\s?\d[\d,]*)?|\d+만)\s?원)?"),
    re.compile(rf"{_NAME_KO}\s*\((?P<sign>[-+\u2212])(?P<pct>{NUM})\s*%\)"),
]
# 카카오게임즈(5.53%)와 씨젠(0.78%)은 상승했다: unsigned percents take the sign of the clause's verb
_KO_UNSIGNED = re.compile(rf"{_NAME_KO}\s*\((?P<pct>{NUM})\s*%\)")
_KO_VERB = re.compile(r"(상승|올랐|오른|오르|강세|뛰|급등)|(하락|내렸|내린|떨어|약세|급락)")
# 기아·현대차는 각각 14.98%, 6.21% 하락했다
_KO_EACH = re.compile(rf"(?P<names>[가-힣A-Za-z0-9&]+(?:\s*[·,]\s*[가-힣A-Za-z0-9&]+)+)(?:은|는|이|가)?\s*각각\s*(?P<pcts>(?:{NUM})\s*%(?:\s*,\s*(?:{NUM})\s*%)+)\s*(?P<dir>상승|올랐|오른|하락|내렸|내린|떨어)")
_KO_UP = ("오른", "올랐", "상승", "급등", "뛰")


# LG Energy Solution and LG Chem rose 2.33% and 5.12%, respectively / Naver and Kakao were up 1.55% and up 2.60%, respectively
RESPECTIVELY = re.compile(
    rf"{_NAME_EN.replace('(?P<name>', '(?P<n1>')}\s+and\s+(?:[a-z][\w-]*\s+){{0,3}}{_NAME_EN.replace('(?P<name>', '(?P<n2>')}{_ASIDE}(?:shares\s+)?(?P<dir>{UP}|{DOWN})\s+(?:by\s+)?"
    rf"(?P<p1>{NUM})\s*(?:percent|%)\s+and\s+(?:up\s+|down\s+)?(?P<p2>{NUM})\s*(?:percent|%)"
    rf"(?:\s+to\s+(?P<c1>{NUM}(?:\s+million)?)\s*won\s+and\s+(?P<c2>{NUM}(?:\s+million)?)\s*won)?,?\s+respectively")


def _on_the_day(written: str, canonical: str, session: str | None) -> str:
    """The company a name meant on the session's date ("Hyundai Heavy Industries" in 2017: code 009540)."""
    registry = load_registry()
    if session and registry.is_dated(written):
        inst = registry.resolve(written, session)
        if inst is not None:
            return inst.name
    return canonical


def _respectively(sentence: str, day: str | None, free, registry) -> list[Found]:
    out = []
    for m in RESPECTIVELY.finditer(sentence):
        first, second = _resolve_tail(registry, m["n1"], day), _resolve_tail(registry, m["n2"], day)
        if not free(m.span()) or first is None or second is None or first.kind != "stock" or second.kind != "stock":
            continue
        down = bool(re.fullmatch(DOWN, m["dir"].lower()))
        for inst, pct, close in ((first, m["p1"], m["c1"]), (second, m["p2"], m["c2"])):
            fields = {"change_pct": _signed(pct, down) + "%", **({"close": close} if close else {})}
            out.append(Found(inst.name, fields, sentence, m.span()))
    return out


def listed_stocks(sentence: str, day: str | None, free) -> list[Found]:
    """Stocks of the listing that the toml-named patterns did not catch."""
    registry = load_registry()
    out = _respectively(sentence, day, free, registry)
    spans = [f.span for f in out]

    def still_free(span) -> bool:
        return free(span) and all(span[1] <= a or span[0] >= b for a, b in spans)

    out += _korean_lists(sentence, day, still_free, registry)
    spans = [f.span for f in out]
    for pattern in LISTED_PATTERNS:
        for m in pattern.finditer(sentence):
            if not still_free(m.span()):
                continue
            inst = _resolve_tail(registry, m["name"], day)
            if inst is None or inst.kind != "stock":
                continue
            word = (m.groupdict().get("dir") or "").lower()
            down = (m.groupdict().get("sign") or "") in ("-", "\u2212") or bool(re.fullmatch(rf"{DOWN}|{DOWNING}", word)) or (
                bool(word) and not re.fullmatch(rf"{UP}|{UPING}|soared|jumping", word) and not word.startswith(_KO_UP))
            fields = {"change_pct": _signed(m["pct"], down) + "%"}
            if m.groupdict().get("chg"):
                fields["change"] = _signed(m["chg"], down)
            if m.groupdict().get("close"):
                fields["close"] = m["close"]
            out.append(Found(inst.name, fields, sentence, m.span()))
    return out


def _korean_lists(sentence: str, day: str | None, free, registry) -> list[Found]:
    """Korean lists: "기아·현대차는 각각 14.98%, 6.21% 하락했다", "카카오게임즈(5.53%)와 씨젠(0.78%)은 상승했다"."""
    out = []
    for m in _KO_EACH.finditer(sentence):
        names = re.split(r"\s*[·,]\s*", m["names"])
        pcts = re.findall(NUM, m["pcts"])
        insts = [_resolve_tail(registry, n, day) for n in names]
        if len(names) != len(pcts) or any(i is None or i.kind != "stock" for i in insts) or not free(m.span()):
            continue
        down = not m["dir"].startswith(_KO_UP)
        out += [Found(i.name, {"change_pct": _signed(p, down) + "%"}, sentence, m.span()) for i, p in zip(insts, pcts)]
    for m in _KO_UNSIGNED.finditer(sentence):
        verb = _KO_VERB.search(sentence, m.end())
        inst = _resolve_tail(registry, m["name"], day)
        if verb is None or inst is None or inst.kind != "stock" or not free(m.span()) or any(f.instrument == inst.name for f in out):
            continue
        down = verb.group(2) is not None
        if "제외" in sentence[m.end(): verb.start()]:  # "카카오(0.44%)를 제외하고 일제히 하락": the exception went the other way
            down = not down
        out.append(Found(inst.name, {"change_pct": _signed(m["pct"], down) + "%"}, sentence, m.span()))
    return out


def _resolve_tail(registry, name: str, day: str | None):
    """The longest tail of ``name`` that is a known name ("Chipmaker Samsung Electronics" -> Samsung Electronics)."""
    words = name.split()
    for start in range(len(words)):
        tail = " ".join(words[start:])
        for candidate in (tail, re.sub(r"(은|는|이|가|도|의)$", "", tail)):
            inst = registry.resolve(candidate, day) if candidate else None
            if inst is not None:
                return inst
    return None


def _merge(found: list[Found]) -> list[Found]:
    merged: dict[str, Found] = {}
    for f in found:
        if f.instrument in merged:
            for k, v in f.fields.items():
                merged[f.instrument].fields.setdefault(k, v)
        else:
            merged[f.instrument] = Found(f.instrument, dict(f.fields), f.sentence)
    return list(merged.values())


def extract_file(path: Path, session: str | None = None, source: str | None = None) -> Extraction:
    text = article_text(path)
    return extract_text(text, session, source or re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-"))


def write_csv(extraction: Extraction, stream) -> None:
    import csv

    writer = csv.DictWriter(stream, COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in extraction.rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
