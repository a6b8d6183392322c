"""Instruments and market profiles: schemas/instruments.toml (indices, the won, yields and the stocks
the text extractor names), the exchange's listing (schemas/reference/listing.csv, every KOSPI, KOSDAQ
and KONEX stock) and the press and former names of schemas/reference/aliases.csv, with their dates.

A name resolves in this order: instruments.toml (name or alias), a dated alias whose period covers the
session ("Hyundai Heavy Industries" was code 009540 until 2019), the listing's code, Korean names and
English name, an undated alias, then the same with "Holdings" / 홀딩스 dropped or added. Names are
compared by :func:`name_key`: case, spacing, punctuation and corporate suffixes do not count.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from wrapcheck.resources import cache_dir, data_dir

KINDS = ("index", "stock", "fx", "yield")
SUFFIX_WORDS = {"co", "ltd", "inc", "corp", "corporation", "company", "limited", "incorporated", "incorporation",
                "plc", "주식회사", "주", "보통주", "common", "shares", "stock"}
PREFERRED_WORDS = {"pref", "prefs", "preferred", "pfd", "pr", "1p", "2p", "3p", "2pb", "3pb", "우", "우선주", "1우선주", "2우선주b"}
HOLDING_WORDS = ("holdings", "홀딩스", "지주")


@dataclass(frozen=True)
class Instrument:
    name: str
    kind: str
    market: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    code: str | None = None
    listed: str = ""  # the listing date (ISO) of a listed stock, when known


@dataclass(frozen=True)
class Alias:
    code: str
    alias: str
    valid_from: str  # ISO date or ""
    valid_to: str
    note: str
    market: str = ""  # a delisted code's market (listed codes take theirs from the listing)

    def covers(self, day: str | None) -> bool:
        return day is not None and (not self.valid_from or self.valid_from <= day) and (not self.valid_to or day <= self.valid_to)


_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*[(\[]\s*(?P<code>A?\d{6})\s*[)\]]$")
_PARENTHESES = re.compile(r"^(?P<outer>.+?)\s*\((?P<inner>[^()]+)\)$")


def _index_key(name: str) -> str:
    key = name_key(name)
    for suffix in ("지수", "index"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def name_key(name: str) -> str:
    """One key for the ways a name is written: "KoreaZinc" = "Korea Zinc", "LGCHEM,LTD" = "LG Chem",
    "Samsung Electronics Co., Ltd." = "samsung electronics", "AJ네트웍스보통주" = "AJ네트웍스"."""
    text = unicodedata.normalize("NFKC", str(name)).casefold().replace("(주)", " ").replace("㈜", " ").replace(" and ", " & ")
    text = re.sub(r"보통주$", "", text.strip())
    words = [w for w in re.split(r"[^\w&]+|_", text) if w]
    while len(words) > 1 and words[-1] in SUFFIX_WORDS:
        words.pop()
    return "".join(words)


def _split_preferred(name: str) -> tuple[str, bool]:
    """("samsungelectronics", True) for "Samsung Electronics Pref." / "삼성전자 우선주" / "(1P)" forms."""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    words = [w for w in re.split(r"[^\w&]+|_", text) if w]
    preferred = False
    while len(words) > 1 and (words[-1] in PREFERRED_WORDS or words[-1] in SUFFIX_WORDS):
        preferred |= words[-1] in PREFERRED_WORDS
        words.pop()
    if len(words) == 1 and re.search(r"\d?우(선주)?b?$", words[0]) and re.search(r"[가-힣]", words[0]):
        base = re.sub(r"\d?우(선주)?b?$", "", words[0])
        return (base, True) if base else (words[0], False)
    return name_key(" ".join(words)), preferred


_KIND_WORDS = (
    ("yield", re.compile(r"yield|treasur|\bktb\b|bond|국고채|금리", re.IGNORECASE)),
    ("fx", re.compile(r"\b(won|krw|usd|jpy|cny|eur|yen|yuan|euro|dollar)\b|환율|/krw|krw/", re.IGNORECASE)),
    ("index", re.compile(r"\b(kospi|kosdaq|krx|index|composite|futures)\b|지수|코스피|코스닥", re.IGNORECASE)),
)


def guess_kind(name: str) -> str:
    """The kind an unknown name suggests ("KOSPI 200 futures": index), or "" when it suggests none."""
    for kind, pattern in _KIND_WORDS:
        if pattern.search(str(name)):
            return kind
    return ""


def normalize_name(name: str) -> str:
    """Kept for callers that match whole phrases: case, spacing and hyphen variants only."""
    text = re.sub(r"[\u2010-\u2015\u2212_]", "-", str(name)).casefold()
    return re.sub(r"\s+", " ", text).strip()


def display_name(name_en: str, short_ko: str) -> str:
    """A readable English name from the listing's ("KIA CORPORATION" -> "Kia", "KoreaZinc" -> "Korea Zinc")."""
    name = name_en.strip()
    if not name:
        return short_ko.strip()
    if " " not in name and re.search(r"[a-z][A-Z]", name):
        name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    words = re.split(r"\s+", re.sub(r",", " ", name))
    while len(words) > 1 and re.sub(r"[^\w]", "", words[-1]).casefold() in SUFFIX_WORDS:
        words.pop()
    return " ".join(_readable(w) for w in words).strip(" ,.")


_GROUPS = ("LG", "SK", "CJ", "GS", "LS", "HD", "KB", "DB", "HL")


def _readable(word: str) -> str:
    """An all-caps word as the press writes it: NAVER -> Naver, LGCHEM -> LG Chem; short ones (KIA,
    HLB, KT&G) and words with digits stay as they are."""
    if not word.isupper() or re.search(r"\d", word) or len(re.sub(r"[^A-Z]", "", word)) <= 4:
        return word
    for group in _GROUPS:
        if word.startswith(group) and len(word) >= len(group) + 4 and word[len(group):].isalpha():
            return f"{group} {word[len(group):].title()}"
    return word.title()


@dataclass
class Registry:
    instruments: dict[str, Instrument]
    markets: dict[str, dict]
    _lookup: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _keyed(self) -> dict[str, str]:
        """The file's names and aliases by their spacing-free key, "index" / 지수 dropped (코스피 지수 = 코스피)."""
        out: dict[str, str] = {}
        for inst in self.instruments.values():
            for alias in (inst.name, *inst.aliases):
                out.setdefault(_index_key(alias), inst.name)
        return out

    # -- resolving names ----------------------------------------------------------------------------
    def resolve(self, name: str, day: str | None = None) -> Instrument | None:
        """The instrument ``name`` meant on ``day`` (ISO; None: today's names first), or None."""
        text = str(name).strip()
        found = self.instruments.get(self._lookup.get(normalize_name(text), ""))
        if found is not None or not text:
            return found
        coded = _WITH_CODE.match(text)  # 삼성전자(005930): the code decides
        if coded:
            return self.resolve(coded["code"][-6:], day) or self.resolve(coded["name"], day)
        found = self.instruments.get(self._keyed.get(_index_key(text), ""))
        if found is not None:
            return found
        found = self._listed(text, day)
        inner = _PARENTHESES.match(text) if found is None else None  # "Korea Composite Stock Price Index (KOSPI)"
        if inner:
            return self.resolve(inner["outer"], day) or self.resolve(inner["inner"], day)
        return found

    def in_file(self, name: str) -> bool:
        """Is ``name`` a name or alias of instruments.toml (whose names never depend on the date)?"""
        return normalize_name(str(name).strip()) in self._lookup

    def get(self, canonical: str) -> Instrument | None:
        """The instrument of a canonical name (as resolve returns it), from the file or the listing
        (which gives a stock of the file its listing date)."""
        inst = self.instruments.get(canonical)
        if inst is not None and inst.code and inst.kind == "stock":
            return self.stocks.by_code.get(inst.code, inst)
        return inst or self.stocks.by_name.get(canonical)

    def is_dated(self, name: str) -> bool:
        """Does what ``name`` means depend on the date (an alias with a period)?"""
        return name_key(name) in self.stocks.dated_keys

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        """The closest known names, for "did you mean" (the listing built afresh: a rare path)."""
        names = self._names_by_key
        close = difflib.get_close_matches(name_key(name), list(names), n=n, cutoff=0.72)
        return list(dict.fromkeys(names[c] for c in close))

    @cached_property
    def _names_by_key(self) -> dict[str, str]:
        """Every known name by its key, for suggestions (the listing built afresh once: the JSON copy has
        no display names)."""
        full = Listing.load({i.code: i.name for i in self.instruments.values() if i.code})
        return {**full.names_by_key, **{name_key(k): k for k in self.instruments}}

    def known_names(self) -> list[str]:
        return sorted({*self.instruments, *self.stocks.by_name})

    def _listed(self, text: str, day: str | None) -> Instrument | None:
        stocks = self.stocks
        key = name_key(text)
        code = stocks.dated_code(key, day) or stocks.code_of(key)
        if code is None:
            base, preferred = _split_preferred(text)
            if preferred:
                code = stocks.preferred.get(base) or stocks.preferred.get(stocks.to_common(base))
        if code is None:
            code = stocks.holding_variant(key)
        if code is None:
            code = stocks.unique_prefix(key)
        if code is None and re.fullmatch(r"[aA]?\d{6}", text):
            code = text[-6:] if text[-6:] in stocks.by_code else None
        if code is None:
            return None
        return self.instruments.get(stocks.toml_of.get(code, "")) or stocks.by_code.get(code)

    @cached_property
    def stocks(self) -> "Listing":
        return Listing.cached({i.code: i.name for i in self.instruments.values() if i.code})

    # -- market profiles ----------------------------------------------------------------------------
    def market(self, name: str) -> dict:
        return self.markets.get(name, {})

    def market_values(self, markets: pd.Series, key: str, position: int | None = None) -> np.ndarray:
        """A market-profile setting for each row of ``markets`` (NaN where its market has none)."""
        def value(market: str) -> float:
            got = self.market(market).get(key)
            if got is None:
                return np.nan
            return float(got[position] if position is not None else got)

        from wrapcheck.rules import codes_of

        codes, distinct = codes_of(markets)  # per distinct market, then by code: no map over every row
        return np.array([value(m) for m in distinct.tolist()] + [np.nan], dtype=float)[codes]


@dataclass
class Listing:
    """Every listed stock by code, and the keys its names are found by (built on first use: a run whose
    names are all in instruments.toml never reads the listing)."""

    by_code: dict[str, Instrument] = field(default_factory=dict)
    by_name: dict[str, Instrument] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # name key -> code, today's names
    preferred: dict[str, str] = field(default_factory=dict)  # a common stock's name key -> its first preferred
    common_keys: dict[str, set[str]] = field(default_factory=dict)  # a common stock's code -> its name keys
    aliases: dict[str, list[Alias]] = field(default_factory=dict)  # name key -> aliases (dated or not)
    toml_of: dict[str, str] = field(default_factory=dict)  # code -> canonical name in instruments.toml
    names_by_key: dict[str, str] = field(default_factory=dict)  # for suggestions; not in the JSON copy
    casing: dict[str, str] = field(default_factory=dict)  # code -> the press's casing of its name (while loading)

    @cached_property
    def dated_keys(self) -> set[str]:
        return {k for k, v in self.aliases.items() if any(a.valid_from or a.valid_to for a in v)}

    def dated_code(self, key: str, day: str | None) -> str | None:
        covering = [a for a in self.aliases.get(key, ()) if (a.valid_from or a.valid_to) and a.covers(day)]
        return covering[0].code if covering else None

    def code_of(self, key: str) -> str | None:
        """Today's names first, then the aliases: an open-ended one, else the latest period's."""
        if key in self.keys:
            return self.keys[key]
        entries = self.aliases.get(key)
        if not entries:
            return None
        open_ended = [a for a in entries if not a.valid_to]
        return (open_ended or sorted(entries, key=lambda a: a.valid_to))[-1].code

    def to_common(self, key: str) -> str:
        """A name key under which the preferred shares of ``key``'s company are filed."""
        code = self.code_of(key)
        return next(iter(self.common_keys.get(code, ())), key) if code else key

    def unique_prefix(self, key: str) -> str | None:
        """A cut-short name ("HD Hyundai Heavy", "Hanwha System") that begins exactly one company's
        name; long enough (10 characters of its key) not to be a guess."""
        if len(key) < 10:
            return None
        codes = {code for k, code in self.keys.items() if k.startswith(key)}
        return codes.pop() if len(codes) == 1 else None

    def holding_variant(self, key: str) -> str | None:
        for word in HOLDING_WORDS:
            if key.endswith(word) and len(key) > len(word):
                found = self.code_of(key[: -len(word)])
            else:
                found = self.code_of(key + word)
            if found:
                return found
        return None

    @classmethod
    def cached(cls, toml_codes: dict[str, str]) -> "Listing":
        """The listing, from a JSON copy in the user's cache when its sources are unchanged (building it
        normalizes some 10,000 names: 80 ms of a CI gate's start; reading the copy takes a tenth)."""
        import json

        sources = [data_dir("schemas") / "reference" / n for n in ("listing.csv", "aliases.csv")]
        sources += [cache_dir() / "listing.csv", Path(__file__)]
        signature = [[str(p), *(p.stat()[6:9] if p.exists() else ())] for p in sources] + [sorted(toml_codes.items())]
        copy = cache_dir() / "index" / "listing.json"
        try:
            saved = json.loads(copy.read_text(encoding="utf-8"))
            if saved["signature"] == json.loads(json.dumps(signature)):
                return cls.from_json(saved)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        listing = cls.load(toml_codes)
        try:
            copy.parent.mkdir(parents=True, exist_ok=True)
            temporary = copy.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"signature": signature, **listing.to_json()}, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, copy)
        except OSError:
            pass  # a read-only cache only costs the next start the build again
        return listing

    def to_json(self) -> dict:
        return {"stocks": [[i.name, i.market, i.code, i.listed, i.name in self.by_name] for i in self.by_code.values()],
                "keys": self.keys, "preferred": self.preferred, "common_keys": {c: sorted(k) for c, k in self.common_keys.items()},
                "aliases": {k: [[a.code, a.alias, a.valid_from, a.valid_to, a.note, a.market] for a in v] for k, v in self.aliases.items()},
                "toml_of": self.toml_of}

    @classmethod
    def from_json(cls, data: dict) -> "Listing":
        listing = cls(keys=data["keys"], preferred=data["preferred"], toml_of=data["toml_of"],
                      common_keys={c: set(k) for c, k in data["common_keys"].items()},
                      aliases={k: [Alias(*a) for a in v] for k, v in data["aliases"].items()})
        for name, market, code, listed, named in data["stocks"]:
            inst = Instrument(name=name, kind="stock", market=market, code=code, listed=listed)
            listing.by_code[code] = inst
            if named:
                listing.by_name[name] = inst
        return listing

    @classmethod
    def load(cls, toml_codes: dict[str, str]) -> "Listing":
        listing = cls(toml_of=dict(toml_codes))
        rows = _read_csv(data_dir("schemas") / "reference" / "listing.csv")
        fetched = cache_dir() / "listing.csv"
        if fetched.exists():  # `wrapcheck data update`: a newer listing adds and replaces codes
            rows = list({r["code"]: r for r in rows + _read_csv(fetched)}.values())
        aliases = _read_aliases()
        # The press's casing of a listing name ("Kia" for KIA CORPORATION), from an open-ended alias.
        listing.casing = {a.code: a.alias for a in aliases if not a.valid_to and a.alias.isascii()}
        commons = [r for r in rows if not _is_preferred(r)]
        for r in commons + [r for r in rows if _is_preferred(r)]:
            listing._add_row(r)
        for alias in aliases:
            listing.aliases.setdefault(name_key(alias.alias), []).append(alias)
            listing._ensure_code(alias)
        return listing

    def _add_row(self, r: dict) -> None:
        code = r["code"].strip().zfill(6)
        names = [r.get("name_ko", ""), r.get("short_ko", ""), r.get("name_en", "")]
        display = self.toml_of.get(code) or self._display(code, r)
        if display in self.by_name:
            display = f"{display} ({code})"
        inst = Instrument(name=display, kind="stock", market=r.get("market", "") or "", code=code,
                          listed=(r.get("listed") or "").strip())
        self.by_code[code] = inst
        if code not in self.toml_of:
            self.by_name[display] = inst
        keys = {name_key(n) for n in names + [display, code] if n and n.strip()}
        for key in keys:
            self.keys.setdefault(key, code)
            self.names_by_key.setdefault(key, display)
        if _is_preferred(r):
            for key in self.common_keys.get(code[:5] + "0", ()):
                self.preferred.setdefault(key, code)
        else:
            self.common_keys[code] = keys

    def _display(self, code: str, row: dict) -> str:
        if _is_preferred(row) and code[:5] + "0" in self.by_code:
            kind = re.search(r"\((\d?P\w?)\)", row.get("name_en") or "")
            tag = "" if kind is None or kind[1] == "1P" else " " + kind[1]
            return f"{self.by_code[code[:5] + '0'].name} Pref{tag}"
        shown = display_name(row.get("name_en", ""), row.get("short_ko", "") or row.get("name_ko", ""))
        press = self.casing.get(code)
        return press if press and name_key(press) == name_key(shown) else shown

    def _ensure_code(self, alias: Alias) -> None:
        """A delisted company (Celltrion Healthcare) is known by its aliases alone."""
        if alias.code in self.by_code:
            return
        taken = alias.alias in self.by_name or name_key(alias.alias) in self.keys
        name = f"{alias.alias} ({alias.code})" if taken else alias.alias  # old Samsung C&T is not today's
        inst = Instrument(name=name, kind="stock", market=alias.market, code=alias.code)
        self.by_code[alias.code] = inst
        self.by_name.setdefault(name, inst)
        self.names_by_key.setdefault(name_key(alias.alias), alias.alias)


def _is_preferred(row: dict) -> bool:
    return "우선주" in (row.get("share_class") or "") or bool(re.search(r"\(\d?P\w?\)", row.get("name_en") or ""))


def _read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _read_aliases() -> list[Alias]:
    path = data_dir("schemas") / "reference" / "aliases.csv"
    if not path.exists():
        return []
    out = []
    for r in _read_csv(path):
        code = (r.get("code") or "").strip()
        if code and (r.get("alias") or "").strip():
            out.append(Alias(code.zfill(6), r["alias"].strip(), (r.get("valid_from") or "").strip(),
                             (r.get("valid_to") or "").strip(), (r.get("note") or "").strip(), (r.get("market") or "").strip()))
    return out


@cache
def load_registry() -> Registry:
    folder = data_dir("schemas")
    with open(folder / "instruments.toml", "rb") as fh:
        raw = tomllib.load(fh)["instrument"]
    with open(folder / "markets.toml", "rb") as fh:
        markets = tomllib.load(fh)["market"]
    instruments: dict[str, Instrument] = {}
    lookup: dict[str, str] = {}
    for name, spec in raw.items():
        if spec["kind"] not in KINDS:
            raise ValueError(f"schemas/instruments.toml: {name}: kind must be one of {KINDS}")
        if spec["market"] not in markets:
            raise ValueError(f"schemas/instruments.toml: {name}: unknown market {spec['market']!r}")
        inst = Instrument(name=name, kind=spec["kind"], market=spec["market"], aliases=tuple(spec.get("aliases", ())),
                          mentions=tuple(spec.get("mentions", ())), code=spec.get("code"))
        instruments[name] = inst
        for alias in (name, *inst.aliases):
            key = normalize_name(alias)
            if lookup.get(key, name) != name:
                raise ValueError(f"schemas/instruments.toml: alias {alias!r} names both {lookup[key]} and {name}")
            lookup[key] = name
    return Registry(instruments, markets, lookup)
