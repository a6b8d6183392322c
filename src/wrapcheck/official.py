"""The official record: daily closes (and highs and lows) of indices, yields and stocks as published.

Shipped in schemas/reference/official_daily.csv (provenance in its README and sources.toml); rows that
`wrapcheck data update` fetched into the user's cache (official_daily.csv, stocks/<code>.csv) add to
it and replace shipped rows of the same instrument and date. Figures keep the precision they are
published with. The record is read on first use, and only for the instruments a run names.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from wrapcheck.resources import cache_dir, data_dir

FIELDS = ("open", "high", "low", "close")
UPDATE_HINT = "run `wrapcheck data update`"


@dataclass(frozen=True)
class Series:
    """One instrument's official days, sorted by date."""

    instrument: str
    dates: np.ndarray  # ISO text, sorted
    values: dict[str, np.ndarray]  # field -> float (NaN where not published)
    halfwidths: dict[str, np.ndarray]
    sources: np.ndarray  # a source tag per day
    prior_high: tuple[float, str] | None  # the highest close before the series starts (value, date)

    @property
    def start(self) -> str:
        return str(self.dates[0])

    @property
    def end(self) -> str:
        return str(self.dates[-1])

    def at(self, day: str) -> int | None:
        i = int(np.searchsorted(self.dates, day))
        return i if i < len(self.dates) and self.dates[i] == day else None

    def highest_close_before(self, day: str) -> float | None:
        """The highest close of the series before ``day``, with the known high before it began."""
        i = int(np.searchsorted(self.dates, day))
        known = self.values["close"][:i]
        known = known[~np.isnan(known)]
        best = float(known.max()) if len(known) else None
        if self.prior_high is not None:
            best = self.prior_high[0] if best is None else max(best, self.prior_high[0])
        return best


class _LazySeries(dict):
    def __init__(self, record: "OfficialRecord"):
        super().__init__()
        self.record = record

    def __contains__(self, name) -> bool:
        return name in self.record.all_names

    def __missing__(self, name: str) -> Series:
        if name not in self.record.all_names:
            raise KeyError(name)
        self[name] = made = _series(name, self.record.table, self.record.priors.get(name))
        return made

    def get(self, name, default=None):
        return self[name] if name in self.record.all_names else default

    def __iter__(self):
        return iter(sorted(self.record.all_names))


class OfficialRecord:
    """Look-ups on the official series; says where each figure came from."""

    def __init__(self, table, priors: dict, sources: dict[str, str], fetched: set[str]):
        self.table = table  # every row, as text (Arrow); a Series is made the first time it is asked for
        # Series a wrap's figure can be held to; the others (compare = false) serve plausibility only.
        self.all_names = set(table["instrument"].unique().to_pylist())
        self.names = {n for n in self.all_names if priors.get(n, {}).get("compare", True)}
        self.priors = priors
        self.series = _LazySeries(self)
        self.sources = sources  # tag -> publisher's description
        self.fetched = fetched  # tags of rows fetched by `wrapcheck data update`

    def covers(self, instrument: str) -> bool:
        return instrument in self.names

    def end(self, instrument: str) -> str | None:
        s = self.series.get(instrument) if instrument in self.names else None
        return s.end if s is not None else None

    def figure(self, instrument: str, day: str, field: str = "close") -> tuple[float, float, str] | None:
        """(value, half-width, origin) of one official figure, or None."""
        s = self.series.get(instrument) if instrument in self.names else None
        i = s.at(day) if s is not None else None
        if i is None or np.isnan(s.values[field][i]):
            return None
        return float(s.values[field][i]), float(s.halfwidths[field][i]), self.origin(s, i, field)

    def lookup(self, instruments, dates, field: str = "close", among: set[str] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(value, half-width, origin) per (instrument, date); NaN / "" where there is no official figure.
        ``among``: the series to look in (default: those a wrap's figure is held to)."""
        instruments, dates = np.asarray(instruments, dtype=object), np.asarray(dates, dtype=object)
        n = len(instruments)
        value, hw, origin = np.full(n, np.nan), np.full(n, np.nan), np.full(n, "", dtype=object)
        for name in set(instruments.tolist()) & (self.names if among is None else among):
            s = self.series[name]
            rows = np.flatnonzero(instruments == name)
            days = dates[rows].astype(str)
            at = np.searchsorted(s.dates, days)
            hit = (at < len(s.dates)) & (s.dates[np.minimum(at, len(s.dates) - 1)] == days)
            rows, at = rows[hit], at[hit]
            value[rows], hw[rows] = s.values[field][at], s.halfwidths[field][at]
            if len(rows):  # worded once per source tag, not per row
                origin[rows] = np.where(np.isnan(value[rows]), "", self._origins(s, at, field))
        return value, hw, origin

    def origin(self, s: Series, i: int, field: str = "close") -> str:
        tags = str(s.sources[i]).split("+")  # "ecos+yahoo": the close from the first, open/high/low from the last
        tag = tags[0] if field == "close" else tags[-1]
        publisher = self.sources.get(tag, tag)
        how = "fetched" if str(s.sources[i]) in self.fetched else "as shipped"
        return f"official {field}, {publisher}, {how} through {s.end}"

    def rows(self, instruments, first: str, last: str) -> pd.DataFrame:
        """The official closes of ``instruments`` from ``first`` to ``last`` as history rows
        (instrument, date, close, close__hw), for the consensus record."""
        parts = []
        for name in sorted(set(instruments) & self.names):
            s = self.series[name]
            lo, hi = np.searchsorted(s.dates, first), np.searchsorted(s.dates, last, side="right")
            close = s.values["close"][lo:hi]
            keep = ~np.isnan(close)
            parts.append(pd.DataFrame({"instrument": name, "date": s.dates[lo:hi][keep], "close": close[keep],
                                       "close__hw": s.halfwidths["close"][lo:hi][keep],
                                       "official_origin": self._origins(s, np.flatnonzero(keep) + lo)}))
        if not parts:
            return pd.DataFrame({"instrument": [], "date": [], "close": [], "close__hw": [], "official_origin": []})
        return pd.concat(parts, ignore_index=True)

    def _origins(self, s: Series, at: np.ndarray, field: str = "close") -> np.ndarray:
        tags, which = np.unique(s.sources[at], return_inverse=True)
        words = np.array([self.origin(s, int(at[np.argmax(which == k)]), field) for k in range(len(tags))], dtype=object)
        return words[which.reshape(-1)] if len(at) else np.zeros(0, dtype=object)

    def bands(self) -> dict[str, float]:
        """Series that are not the figure wraps quote, with how far a printed figure may plausibly be
        from them (percentage points for a yield)."""
        return {n: float(self.priors[n]["plausible_within"]) for n in self.all_names - self.names
                if "plausible_within" in self.priors.get(n, {})}

    def nearby(self, instruments, dates) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(value, half-width, origin, band) of the plausibility-only series at each (instrument, date)."""
        instruments = np.asarray(instruments, dtype=object)
        n = len(instruments)
        band = np.full(n, np.nan)
        out = [np.full(n, np.nan), np.full(n, np.nan), np.full(n, "", dtype=object)]
        for name, width in self.bands().items():
            at = instruments == name
            if not at.any():
                continue
            value, hw, origin = self.lookup(instruments[at], np.asarray(dates, dtype=object)[at], among={name})
            out[0][at], out[1][at], out[2][at], band[at] = value, hw, origin, width
        return out[0], out[1], out[2], band

    def beyond(self, instrument: str, day: str) -> str | None:
        """A sentence for a session after the data's end ("no official close for ..."), else None."""
        end = self.end(instrument)
        if end is None or day <= end:
            return None
        return f"no official close for {day}: data end {end}; {UPDATE_HINT}"


def _read_daily(path: Path):
    """The file as an Arrow table of text columns (figures as written)."""
    import pyarrow.csv as pacsv

    names = ("instrument", "date", *FIELDS, "source")
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={c: "string" for c in names}, strings_can_be_null=True, include_columns=list(names)))


def _values(texts) -> tuple[np.ndarray, np.ndarray]:
    """Figures as published (an Arrow text column), and the half-width their decimals imply."""
    import pyarrow.compute as pc

    text = pc.replace_substring(pc.fill_null(texts, ""), ",", "")
    value = pc.cast(pc.if_else(pc.equal(text, ""), None, text), "float64").to_numpy(zero_copy_only=False)
    point = pc.find_substring(text, ".").to_numpy(zero_copy_only=False)
    length = pc.utf8_length(text).to_numpy(zero_copy_only=False)
    decimals = np.where(point >= 0, length - point - 1, 0)
    return np.asarray(value, dtype=float), 0.5 * 10.0 ** -decimals.astype(float)


def _read_stocks(folder: Path) -> list[pd.DataFrame]:
    """Fetched daily prices of stocks (stocks/<code>.csv), named by the registry."""
    if not folder.is_dir():
        return []
    from wrapcheck.registry import load_registry

    registry, parts = load_registry(), []
    for path in sorted(folder.glob("*.csv")):
        inst = registry.resolve(path.stem)
        if inst is None:
            continue
        parts.append(_read_daily_stock(path, inst.name))
    return parts


def _read_daily_stock(path: Path, name: str):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = ("date", *FIELDS, "source")
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={c: "string" for c in names}, strings_can_be_null=True, include_columns=list(names)))
    return table.add_column(0, "instrument", pa.array([name] * len(table), pa.string()))


def _series(name: str, table, prior: dict | None) -> Series:
    """One instrument's rows of ``table`` (later rows win per date) as a Series."""
    import pyarrow.compute as pc

    table = table.filter(pc.equal(table["instrument"], name))
    dates = table["date"].to_numpy(zero_copy_only=False).astype(str)
    order = np.argsort(dates, kind="stable")
    last = np.r_[dates[order][1:] != dates[order][:-1], True]  # the last row of each date
    keep = order[last]
    values, halves = {}, {}
    for field in FIELDS:
        v, h = _values(table[field])
        values[field], halves[field] = v[keep], h[keep]
    sources = np.asarray(pc.fill_null(table["source"], "").to_numpy(zero_copy_only=False), dtype=str)[keep]
    prior_high = None
    if prior:
        from wrapcheck.numbers import LEVEL, parse_figure

        prior_high = (parse_figure(prior["prior_high"], LEVEL).value, prior["prior_high_date"]) if "prior_high" in prior else None
    return Series(name, dates[keep], values, halves, sources, prior_high)


@cache
def load_official() -> OfficialRecord:
    import pyarrow as pa

    folder = data_dir("schemas") / "reference"
    with open(folder / "sources.toml", "rb") as fh:
        meta = tomllib.load(fh)
    sources = {tag: spec["publisher"] for tag, spec in meta.get("source", {}).items()}
    tables, fetched = [_read_daily(folder / "official_daily.csv")], set()
    cached = cache_dir()
    extra = [_read_daily(cached / "official_daily.csv")] if (cached / "official_daily.csv").exists() else []
    for table in extra + _read_stocks(cached / "stocks"):
        fetched |= set(table["source"].drop_null().unique().to_pylist())
        tables.append(table)
    table = pa.concat_tables(tables)  # later tables win per (instrument, date): see _series
    return OfficialRecord(table, meta.get("series", {}), sources, fetched)
