"""Read numbers as written: value, the unit they are in, and the precision the text claims.

"1.52" claims two decimals, so it stands for any true value in [1.515, 1.525]; "1.8 trillion" stands
for [1.75, 1.85] trillion. A :class:`Figure` carries the value in the column's canonical unit and the
half-width of that interval, so every comparison can use the rounding the text implies (either
tie-breaking rule: the interval is closed) instead of a fixed epsilon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Canonical units of the session CSV contract, by column.
LEVEL = "level"  # close, prior_close: points / won / won per dollar / percent (yield)
CHANGE = "change"  # like level, but a yield's change is in basis points
PERCENT = "percent"  # change_pct
KRW_BN = "krw_bn"  # investor flows and turnover: KRW billion
SHARES = "shares"  # volume
COUNT = "count"  # advancers, decliners, unchanged, issues_traded

NUMERIC_COLUMNS: dict[str, str] = {
    "close": LEVEL,
    "prior_close": LEVEL,
    "change": CHANGE,
    "change_pct": PERCENT,
    "individual_net": KRW_BN,
    "foreign_net": KRW_BN,
    "institution_net": KRW_BN,
    "other_net": KRW_BN,
    "turnover": KRW_BN,
    "volume": SHARES,
    "advancers": COUNT,
    "decliners": COUNT,
    "unchanged": COUNT,
    "issues_traded": COUNT,
}

MINUS_SIGNS = "\u2212\u2012\u2013\u2014\u2015\ufe63\uff0d-"  # "-" last: safe inside a [...] class
FULLWIDTH = str.maketrans("０１２３４５６７８９，．＋－％", "0123456789,.+-%")

# Multiplier words, as a power of ten of the plain number.
_MULTIPLIERS = {
    "thousand": 3, "k": 3,
    "million": 6, "mn": 6, "mil": 6, "m": 6,
    "billion": 9, "bn": 9, "bil": 9, "b": 9,
    "trillion": 12, "tn": 12, "trn": 12, "tril": 12,
}
# Unit words that say nothing about scale; they are accepted and dropped.
_UNIT_WORDS = {
    "won", "krw", "원", "points", "point", "pts", "pt", "p", "shares", "share", "issues", "stocks",
    "per", "dollar", "u.s.", "us", "usd", "percent", "pct", "%", "korean",
    "개", "개사", "종목", "개 종목", "주", "포인트",  # Korean counters and units: 876개, 507개사, 13만주, 708.75포인트
}
_BP_WORDS = {"bp", "bps", "basis"}

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_FIGURE = re.compile(
    rf"^(?P<sign>[+{MINUS_SIGNS}])?\s*(?P<num>{_NUMBER})\s*(?P<rest>.*?)\s*$", re.IGNORECASE
)
_KOREAN_GROUP = re.compile(r"(\d[\d,]*(?:\.\d+)?)(조|억|만)")
_KOREAN_THOUSANDS = re.compile(r"(\d)천(\d{0,3})")


class ParseError(ValueError):
    """A cell that cannot be read as a figure; the message says why."""


def clip(text: str, limit: int = 60) -> str:
    """A cell quoted in a message: whole when short, else its start and its length."""
    text = str(text)
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text):,} characters)"


@dataclass(frozen=True, slots=True)
class Figure:
    value: float
    halfwidth: float  # half a unit of the last written digit, in the canonical unit
    decimals: int  # decimals as written, before scaling
    basis_points: bool = False  # the text said bp (or %p, converted to bp)


def _decimals(num: str) -> int:
    return len(num) - num.index(".") - 1 if "." in num else 0


def _scaled(num: str, exponent: int) -> tuple[float, float, int]:
    """Value and half-width of a plain number string times 10**exponent."""
    try:
        d = Decimal(num.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise ParseError(f"not a number: {num!r}") from exc
    places = _decimals(num)
    scale = Decimal(10) ** exponent
    half = Decimal(5) * Decimal(10) ** (-places - 1) * scale
    return float(d * scale), float(half), places


def _korean_amount(text: str) -> tuple[Decimal, Decimal] | None:
    """25조2700억원 / 6,188억원 / 6천188억원 / 597억5500만원, in won, with the half-width of the last group."""
    t = text.replace(" ", "").removesuffix("원").removesuffix("주")
    t = _KOREAN_THOUSANDS.sub(lambda m: m[1] + m[2].rjust(3, "0"), t)  # 6천188억 -> 6188억
    pos, total, half = 0, Decimal(0), None
    units = {"조": Decimal(10) ** 12, "억": Decimal(10) ** 8, "만": Decimal(10) ** 4}
    for m in _KOREAN_GROUP.finditer(t):
        if m.start() != pos:
            return None
        number_text, unit = m.groups()
        total += Decimal(number_text.replace(",", "")) * units[unit]
        half = Decimal(5) * Decimal(10) ** (-_decimals(number_text) - 1) * units[unit]
        pos = m.end()
    ones = re.fullmatch(r"\d[\d,]*", t[pos:]) if half is not None and pos < len(t) else None
    if ones:  # a price to the won: 7만2700원
        total, half, pos = total + Decimal(ones.group().replace(",", "")), Decimal("0.5"), len(t)
    if half is None or pos != len(t):
        return None
    return total, half


def parse_figure(text: str, unit: str) -> Figure:
    """Parse one cell or phrase as written into its canonical ``unit``.

    >>> parse_figure("597.55 billion won", KRW_BN)
    Figure(value=597.55, halfwidth=0.005, decimals=2, basis_points=False)
    >>> parse_figure("1.8 trillion", KRW_BN).halfwidth
    50.0
    """
    raw = text
    t = text.strip().translate(FULLWIDTH)
    if not t:
        raise ParseError("empty")
    negative = False
    if t.startswith("(") and t.endswith(")"):  # accounting style (618.83)
        negative, t = True, t[1:-1].strip()
    if any(ch in t for ch in "조억만") and unit in (KRW_BN, SHARES, COUNT, LEVEL, CHANGE):
        sign = 1.0
        if t[0] in "+" + MINUS_SIGNS:
            sign = -1.0 if t[0] != "+" else 1.0
            t = t[1:].strip()
        parsed = _korean_amount(t)
        if parsed is None:
            raise ParseError(f"cannot read Korean amount {clip(raw)}")
        won, half = parsed
        factor = Decimal("1e-9") if unit == KRW_BN else Decimal(1)  # prices and changes: in won
        value = float(won * factor) * sign * (-1 if negative else 1)
        return Figure(value, float(half * factor), 0)
    m = _FIGURE.match(t)
    if not m or _SPELLED_HINT.search(m.group("rest") or ""):
        spelled = parse_spelled(t, unit)
        if spelled is not None:
            return spelled
        raise ParseError(f"not a number: {clip(raw)}")
    sign, num, rest = m.group("sign"), m.group("num"), m.group("rest")
    words = [w for w in re.split(r"[\s()]+", rest.lower()) if w]
    exponent, basis_points, percent_points = 0, False, False
    for i, w in enumerate(words):
        if w in _MULTIPLIERS and (unit in (KRW_BN, SHARES) or (unit == LEVEL and _MULTIPLIERS[w] in (3, 6) and len(w) > 1)):
            if exponent:
                raise ParseError(f"two multipliers in {clip(raw)}")
            exponent = _MULTIPLIERS[w]
        elif w in _BP_WORDS or (w == "points" and i > 0 and words[i - 1] == "basis"):
            basis_points = True
        elif w in ("%p", "%pt", "%pts", "ppt", "pp"):
            percent_points = True
        elif w.endswith("%") and w.strip("%") == "":
            continue
        elif w in _UNIT_WORDS:
            continue
        else:
            raise ParseError(f"unknown unit {clip(w, 20)} in {clip(raw)}")
    if unit == KRW_BN:
        exponent = exponent - 9 if exponent else 0  # a bare flow is already in billions
    if unit == COUNT and ("." in num):
        raise ParseError(f"a count must be a whole number: {clip(raw)}")
    value, half, places = _scaled(num, exponent)
    if percent_points:  # 0.015%p of a yield = 1.5 bp
        value, half, basis_points = value * 100, half * 100, True
    if (sign and sign != "+") or negative:
        value = -value
    return Figure(value, half, places, basis_points)


def format_number(value: float, decimals: int | None = None) -> str:
    """Thousands separators, and no more decimals than needed (or exactly ``decimals``)."""
    if value != value:  # NaN
        return "n/a"
    if decimals is None:
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return f"{value:,.{decimals}f}"


def decimals_of_halfwidth(halfwidth: float) -> int:
    """The number of decimals a half-width stands for (0.005 -> 2)."""
    if not halfwidth or halfwidth != halfwidth or halfwidth >= 0.5:
        return 0
    d = 0
    h = halfwidth * 2
    while h < 0.999999 and d < 12:
        h *= 10
        d += 1
    return d


# -- spelled-out numbers, as radio scripts write them -----------------------------------------------
_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALE_WORDS = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_SPELLED_HINT = re.compile(r"\b(" + "|".join([*_SMALL, *_TENS, "hundred", "point"]) + r")\b|\d-(?:thousand|point|million|billion|trillion)", re.IGNORECASE)
_SPELLED_SKIP = {"and", "won", "krw", "points", "point-", "percent", "pct", "shares", "share", "per", "dollar", "a", "basis"}


def parse_spelled(text: str, unit: str) -> Figure | None:
    """"four-thousand-525-point-48" -> 4525.48 (two decimals); "one trillion won and 369 billion won"
    -> 1,369 billion won, precise to the billion. None when the text is not a spelled-out number."""
    if not _SPELLED_HINT.search(text):
        return None
    tokens = [t for t in re.split(r"[\s\-–]+", text.strip().lower().rstrip(".")) if t]
    negative = bool(tokens) and tokens[0] in ("minus", "negative")
    if negative:
        tokens = tokens[1:]
    total, current, last_exponent = Decimal(0), Decimal(0), 0
    fraction: list[str] | None = None
    basis_points = False
    for i, tok in enumerate(tokens):
        tok = tok.replace(",", "")
        if tok == "point" and fraction is None and i + 1 < len(tokens) and tokens[i + 1] not in _SPELLED_SKIP:
            fraction = []
            continue
        if fraction is not None:
            if tok.isdigit():
                fraction.append(tok)
            elif tok in _SMALL and _SMALL[tok] < 10:
                fraction.append(str(_SMALL[tok]))
            elif tok in _SPELLED_SKIP or tok in ("points", "percent", "%"):
                continue
            else:
                return None
            continue
        if tok.isdigit():
            current += Decimal(tok)
            last_exponent = 0
        elif tok in _SMALL:
            current += _SMALL[tok]
            last_exponent = 0
        elif tok in _TENS:
            current += _TENS[tok]
            last_exponent = 0
        elif tok == "hundred":
            current = (current or 1) * 100
            last_exponent = 2 if last_exponent == 0 and current % 100 == 0 else last_exponent
        elif tok in _SCALE_WORDS:
            exponent = _SCALE_WORDS[tok]
            total += (current or 1) * Decimal(10) ** exponent
            current, last_exponent = Decimal(0), exponent
        elif tok in ("basis",):
            basis_points = True
        elif tok in _SPELLED_SKIP or tok in ("%", "bp", "bps"):
            basis_points = basis_points or tok in ("bp", "bps")
            continue
        else:
            return None
    value = total + current
    decimals = 0
    if fraction:
        digits = "".join(fraction)
        value += Decimal("0." + digits)
        decimals = len(digits)
        half = Decimal(5) * Decimal(10) ** (-decimals - 1)
    else:
        # the last group written sets the precision: "... and 369 billion" is precise to the billion
        half = Decimal(5) * Decimal(10) ** (last_exponent - 1) if current == 0 and last_exponent else Decimal("0.5")
    if unit == KRW_BN and total >= 10**6:  # written in won
        value, half = value / Decimal(10) ** 9, half / Decimal(10) ** 9
    if negative:
        value = -value
    return Figure(float(value), float(half), decimals, basis_points)
