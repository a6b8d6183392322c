"""Extract session-CSV rows from the prose of a market wrap (English and Korean).

`wrapcheck extract ARTICLE` prints the rows; `validate ARTICLE.txt` (or .md / .html) extracts and
validates in one step. Every figure keeps the text it was written as (so its precision travels with
it) and the sentence it came from (the row's `statement`). Every other number of the article that is a
figure (not a date, time, tenor, index name or ordinal) is returned in `unextracted` with its sentence
and line, never dropped silently.

Each sentence goes through the recognizers (wrapcheck.recognizers: one small reader per structure
real wraps use, each with labelled cases). Radio scripts' spelled-out numbers are rewritten as digits
first. An aggregator's sentence that cites its sources ([1][2]) is the aggregator's own figure: its
rows belong to the summary alone, and the citations are kept as notes, so a typo in the summary fails
the summary, not the wire copies it cites.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from wrapcheck.numbers import LEVEL, parse_spelled
from wrapcheck.recognizers import recognize, won_direction
from wrapcheck.segment import Sentence, sentences
from wrapcheck.text import MONTHS

from wrapcheck.reader import ARTICLE_SUFFIXES  # noqa: F401  (re-exported: the loader reads it from reader)
LINE = "_line"  # the article line a row's first figure is on: the row's location in reports
COLUMN = "_column"  # and the column its sentence starts at
COLUMNS = ["date", "source", "instrument", "kind", "outlet", "title", "close", "change", "change_pct", "prior_close",
           "individual_net", "foreign_net", "institution_net", "advancers", "decliners", "unchanged",
           "issues_traded", "volume", "turnover", "statement"]


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
_CITE = re.compile(r"\[(\d+)\]")


def split_sentences(text: str) -> list[str]:
    return [s.text for s in sentences(text)]


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


@dataclass
class Extraction:
    rows: list[dict[str, str]]
    unextracted: list["Unplaced"] = field(default_factory=list)
    session: str | None = None
    citations: list["Citation"] = field(default_factory=list)


@dataclass(frozen=True)
class Citation:
    """An aggregator's sentence and the sources its marks ([1][2]) name."""

    sentence: str
    line: int
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Unplaced:
    """A number of the article that no extracted figure holds: its text, why, its sentence and line."""

    number: str
    sentence: str
    line: int
    why: str = "not placed"
    column: int = 1

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.number!r} ({self.why}) in {self.sentence!r}"


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


_TIMELINE = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:-\d{1,2})?,\s+20\d\d\s*-")
_SOURCE_MARK = re.compile(r"^\s*\[?\d+\]?\.?\s*$")


def extract_text(text: str, session: str | None = None, source: str | None = None, outlet: str = "") -> Extraction:
    text = text.replace("\u2011", "-").replace("\u2013", "-").replace("\u2019", "'")
    session = session or find_session_date(text)
    if session is None:
        raise ValueError("cannot tell the session date from the article; give --date YYYY-MM-DD")
    listed_sources = cited_sources(text)
    own = source or "article"
    out = Extraction([], [], session)
    rows: dict[str, dict[str, str]] = {}
    market = lead = "KOSPI"
    won_moved = won_direction(text)
    line, paragraph = 0, None
    claims: list[tuple[str, str | None]] = []  # (sentence, the index it speaks of)
    previous = ""
    for sentence in sentences(text):
        if _SOURCE_MARK.match(sentence.text):
            continue
        cites = _CITE.findall(sentence.text)
        if cites and listed_sources:
            out.citations.append(Citation(sentence.text, sentence.line, tuple(listed_sources.get(c, f"source-{c}") for c in cites)))
        written = _CITE.sub("", sentence.text).strip()
        plain = re.sub(r"\bKRW\b", "won", despell(written))  # "555.6 billion KRW"
        if _HANGUL.search(plain):
            market = _korean_market(plain, market)  # Korean: the market a sentence makes its subject or scene
        else:  # English: the market a sentence names, else the first its paragraph named, else the wrap's lead
            if sentence.line != line:
                paragraph = None
            named = market_named(plain)
            paragraph = named if named and _TOPIC.match(plain) else paragraph or named  # "On the Kosdaq, ..." sets the topic
            market = named or paragraph or lead
        line = sentence.line
        if not rows:
            lead = market
        elsewhere = _not_the_close(written, session)
        if elsewhere:
            _add_statement(rows, own, session, market, written, sentence)  # a claim C002 reads, not the day's figures
            out.unextracted += [Unplaced(n, written, sentence.line, elsewhere, sentence.column) for n, _ in unplaced_numbers(plain, "")]
            continue
        found = recognize(plain, session, market, won_moved, previous)
        if not _HANGUL.search(plain) or re.search(r"[다요][.!]?\s*$", plain):
            previous = plain  # a Korean list cut into verbless pieces keeps the sentence that gave its verb
        if not found and _is_claim(written):
            claims.append((written, _claim_market(written)))  # no figure, but a claim the claim rules read
        for f in found:
            row = _add_statement(rows, own, session, f.instrument, written, sentence)
            for k, v in f.fields.items():
                if k not in row or _more_precise(k, v, row[k]):
                    row[k] = v
        placed = " ".join(v for f in found for v in f.fields.values())
        out.unextracted += [Unplaced(n, written, sentence.line, why, sentence.column) for n, why in unplaced_numbers(plain, placed)]
    _attach_claims(rows, claims, lead)
    if won_moved is not None and "USD/KRW" in rows:
        _add_won_direction(rows["USD/KRW"], text)
    out.rows = sorted(rows.values(), key=lambda r: r["instrument"])
    for r in out.rows:
        if outlet:
            r.setdefault("outlet", outlet)
    return out


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_TOPIC = re.compile(r"^(?:On|In)\s+the\s+(?:tech-heavy\s+|secondary\s+)?(?:KOSDAQ|Kosdaq|KOSPI|Kospi|main\s+board|secondary)", re.I)


def _more_precise(field: str, new: str, old: str) -> bool:
    """A later, more precise figure within the rounding of an earlier one replaces it ("about 2.2
    trillion won" in the lede, "2.2373 trillion won" in the body)."""
    from wrapcheck.numbers import NUMERIC_COLUMNS, ParseError, parse_figure

    try:
        a, b = parse_figure(new, NUMERIC_COLUMNS[field]), parse_figure(old, NUMERIC_COLUMNS[field])
    except (ParseError, KeyError):
        return False
    truncated = b.decimals == 0 and b.halfwidth == 0.5 and int(a.value) == int(b.value)  # a headline's "jumps 14%"
    return a.halfwidth < b.halfwidth and (abs(a.value - b.value) <= b.halfwidth + a.halfwidth or truncated)


_INTRADAY_LEAD = re.compile(r"^(?:During\s+(?:the\s+)?(?:session|day|trading)|Intraday|In\s+(?:early|morning)\s+trad(?:e|ing)|장중|장\s*초반)\b", re.I)
_OTHER_DAY_LEAD = re.compile(r"^(?:(?:Last|On|Earlier\s+on)\s+(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|Yesterday\b|The\s+day\s+before\b)")


_DATELINE = re.compile(r"^\s*[A-Z][A-Z ]+,\s+[A-Z][a-z]{2}[a-z]*\.?\s+\d{1,2}\s*\(")
_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday)"
# "Seoul shares ended lower Monday", "South Korean stocks closed higher on Friday": the close, on a weekday
_WEEKDAY_OF_MARKET = re.compile(
    rf"\b(?:shares|stocks|KOSPI|Kospi|KOSDAQ|Kosdaq)\s+(?:\w+\s+){{0,2}}(?:closed|ended|finished|rose|fell|gained|lost|advanced|declined|slid|dropped|"
    rf"climbed|jumped|tumbled|rallied|retreated)\b[^.;]{{0,40}}?\b(?:on\s+)?{_DAYS}\b(?!')")


_CLOSE_CLAIM = re.compile(r"\b(?:KOSPI|Kospi|KOSDAQ|Kosdaq|index|shares|stocks)\s+(?:\w+\s+){0,2}(?:closed|closes|ended|ends|finished|finishes|settled)\b[^.;]{0,30}?"
                          r"\b(?:above|below|past|over|at\s+a\s+record|at\s+an\s+all-time|at\s+a\s+fresh)\b")


def _is_claim(sentence: str) -> bool:
    """A sentence with no figure that still says something checkable: a wire dateline, a weekday of
    the market, or where the index closed against a level or its record ("closed above 5,000")."""
    return bool(_DATELINE.match(sentence) or _WEEKDAY_OF_MARKET.search(sentence) or _CLOSE_CLAIM.search(sentence))


def _claim_market(sentence: str) -> str | None:
    """The index a close claim is about ("when the KOSPI closed at a record high" in a KOSDAQ wrap);
    None: the wrap's lead index."""
    m = _CLOSE_CLAIM.search(sentence)
    return market_named(m.group()) if m else None


def _attach_claims(rows: dict, claims: list, lead: str) -> None:
    """Figure-less sentences about the session join their index's statement (the lead's for a dateline
    or a weekday; the dateline first, where C002 reads it), so "on Friday" in a Tuesday wrap is caught
    from the text. A claim about an index the article gives no figure for is left as written."""
    for written, market in reversed(claims):
        row = rows.get(market or lead)
        if row is not None and written not in row.get("statement", ""):
            row["statement"] = (written + "\n" + row.get("statement", "")).strip()


def _add_won_direction(row: dict[str, str], text: str) -> None:
    """The sentence that says which way the won went joins the rate's statement: its "up 2.5 won" was
    read by it, and the claim rules must read the same."""
    if won_direction(row.get("statement", "")) is not None:
        return
    for sentence in sentences(text):
        if won_direction(sentence.text) is not None:
            row["statement"] = (sentence.text + "\n" + row.get("statement", "")).strip()
            return


def _not_the_close(sentence: str, session: str) -> str | None:
    """Why a sentence's figures are not the session's close, or None: "another session" for a timeline
    line dated another day ("Jan 4-5, 2026 - ...") or a sentence that opens on another day ("Last
    Friday (June 5), the KOSPI closed 8,160.59 ..."), "intraday" for one that opens on the session's
    path ("During the session, ...")."""
    if _INTRADAY_LEAD.match(sentence):
        return "intraday"  # "During the session, SK hynix rose to 700,000 won": not the close
    lead = _OTHER_DAY_LEAD.match(sentence)
    if lead:
        other = lead["day"] is None or lead["day"] != date.fromisoformat(session).strftime("%A")
        return "another session" if other else None
    if not _TIMELINE.match(sentence):
        return None
    dated = find_session_date(sentence.split(" - ")[0] if " - " in sentence else sentence)
    return "another session" if dated != session else None


def _add_statement(rows: dict, source: str, session: str, instrument: str, written: str, at: Sentence) -> dict[str, str]:
    """The row of ``instrument`` (made at the first sentence that names it), with ``written`` joined
    to its statement: the claim rules read every sentence a row's figures came from."""
    row = rows.setdefault(instrument, {"date": session, "source": source, "instrument": instrument,
                                       LINE: str(at.line), COLUMN: str(at.column)})
    statement = row.get("statement", "")
    if written and written not in statement:
        row["statement"] = (statement + "\n" + written).strip()
    return row


_KO_MARKET_TOPIC = re.compile(r"(코스피|코스닥|유가증권)\s*(?:지수|시장|200)?\s*(?:은|는|이|가|에서|에선|에서는|도|시장|역시|또한)(?![가-힣])")


def _korean_market(sentence: str, previous: str) -> str:
    """A Korean sentence moves the flows and breadth that follow to a market only where it makes the
    market its subject or its scene ("코스닥 지수는", "유가증권시장에서"), not a passing mention
    ("코스피 약세에도 불구하고 ...")."""
    found = [m for m in _KO_MARKET_TOPIC.finditer(sentence)]
    if not found:
        return previous
    name = found[0].group(1)
    return "KOSDAQ" if name == "코스닥" else "KOSPI"


def market_named(sentence: str) -> str | None:
    """The market an English sentence names (not in a contrast: "Unlike the KOSPI, ..."), if only one."""
    sentence = re.sub(r"\b(?:unlike|compared\s+(?:with|to)|in\s+contrast\s+(?:to|with))\s+(?:the\s+)?(?:kospi|kosdaq)(?:\s+market)?", " ", sentence, flags=re.I)
    kosdaq = re.search(r"kosdaq|secondary bourse", sentence, re.I)
    kospi = re.search(r"kospi|main board|benchmark", sentence, re.I)
    if kosdaq and not kospi:
        return "KOSDAQ"
    if kospi and not kosdaq:
        return "KOSPI"
    return None


def extract_file(path: Path, session: str | None = None, source: str | None = None) -> Extraction:
    text = article_text(path)
    return extract_text(text, session, source or re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-"))


def write_csv(extraction: Extraction, stream) -> None:
    import csv

    writer = csv.DictWriter(stream, COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in extraction.rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
