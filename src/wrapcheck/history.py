"""What history says: the consensus record of every (instrument, session) the run has seen.

History is every session file validated in the run, every file under --history, and the official
reference files (--reference), which win wherever they report a figure. Elsewhere the record is the
value most sources agree with (within their written precision), when that is a strict majority;
sources that split evenly leave the figure unknown ("disputed") rather than guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wrapcheck.rules import FLOAT_GUARD, Grouped, disagreeing_pairs, intervals_meet

RECORD_FIELDS = ("close", "change_level", "change_pct", "individual_net", "foreign_net", "institution_net",
                 "advancers", "decliners")


def consensus(table: pd.DataFrame, reference: pd.DataFrame | None = None, fields=RECORD_FIELDS) -> pd.DataFrame:
    """A frame indexed by (instrument, date) with, per field, the value, its half-width (``__hw``) and
    where it came from (``__from``: reference, agreed, majority or disputed)."""
    groups = Groups(table, reference)
    return groups.frame({field: groups.field(field) for field in fields})


def _field_consensus(table: pd.DataFrame, field: str) -> pd.DataFrame:
    return consensus(table, None, (field,))


class Groups:
    """Every (instrument, date) of the history rows and the reference rows, numbered in sorted order once,
    so that each field's consensus is a few array operations over the same numbers."""

    def __init__(self, table: pd.DataFrame, reference: pd.DataFrame | None = None, official: pd.DataFrame | None = None):
        self.table = table
        self.reference = reference if reference is not None and len(reference) else None
        self.official = official if official is not None and len(official) else None
        tables = [table] + [t for t in (self.reference, self.official) if t is not None]
        instruments = np.concatenate([t["instrument"].to_numpy(dtype=object) for t in tables])
        dates = np.concatenate([t["date"].to_numpy(dtype=object) for t in tables])
        inst_code, _ = pd.factorize(instruments)
        date_code, _ = pd.factorize(dates)
        key = inst_code.astype(np.int64) * (int(date_code.max(initial=0)) + 2) + date_code  # one integer per pair
        group, uniques = pd.factorize(key)
        first = np.full(len(uniques), len(key), dtype=np.int64)
        np.minimum.at(first, group, np.arange(len(key)))  # a row of each pair, for its names
        index = pd.MultiIndex.from_arrays([instruments[first], dates[first]], names=["instrument", "date"])
        order = index.argsort()  # as sort_index orders the record
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        self.index = index[order]
        group = rank[group]
        self.of_table = group[:len(table)]
        n_ref = len(self.reference) if self.reference is not None else 0
        self.of_reference = group[len(table):len(table) + n_ref]
        self.of_official = group[len(table) + n_ref:]

    def field(self, field: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(value, half-width, origin) of ``field`` for every pair; NaN, NaN, None where nobody reported it.
        The reference wins wherever it reports the field."""
        value, hw, origin = _agreed(self.table, self.of_table, field, len(self.index))
        if self.reference is not None:
            ref_value, ref_hw, ref_origin = _agreed(self.reference, self.of_reference, field, len(self.index))
            official = ref_origin != None  # noqa: E711 (elementwise)
            value[official], hw[official], origin[official] = ref_value[official], ref_hw[official], "reference"
        if self.official is not None and field in self.official.columns:
            # The official record fills what the user's files leave unknown or disputed.
            at = self.of_official
            gap = (origin[at] == None) | (origin[at] == "disputed")  # noqa: E711 (elementwise)
            gap &= self.official[field].notna().to_numpy()
            value[at[gap]] = self.official[field].to_numpy(dtype=float)[gap]
            hw[at[gap]] = self.official[field + "__hw"].to_numpy(dtype=float)[gap]
            origin[at[gap]] = self.official["official_origin"].to_numpy(dtype=object)[gap]
        return value, hw, origin

    def frame(self, columns: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> pd.DataFrame:
        """The record of these fields: one row per pair for which any of them is known, in sorted order."""
        known = np.zeros(len(self.index), dtype=bool)
        for _, _, origin in columns.values():
            known |= origin != None  # noqa: E711 (elementwise)
        data = {}
        for field, (value, hw, origin) in columns.items():
            data[field], data[field + "__hw"], data[field + "__from"] = value[known], hw[known], origin[known]
        return pd.DataFrame(data, index=self.index[known])


def _agreed(table: pd.DataFrame, group: np.ndarray, field: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One field's consensus per group (of ``n``) over ``table``'s rows (their groups: ``group``)."""
    out_value, out_hw, out_origin = np.full(n, np.nan), np.full(n, np.nan), np.full(n, None, dtype=object)
    if field not in table.columns:
        return out_value, out_hw, out_origin
    present = table[field].notna().to_numpy()
    if not present.any():
        return out_value, out_hw, out_origin
    group = group[present]
    value = table[field].to_numpy(dtype=float)[present]
    hw = table[field + "__hw"].to_numpy(dtype=float)[present]
    lo, hi = value - hw - FLOAT_GUARD(value), value + hw
    consistent = intervals_meet(group, lo, hi)
    # Agreeing groups: the most precise report stands for all of them (sorted by group, then half-width,
    # stable, a group's first row is its most precise report).
    order = np.lexsort((hw, group))
    firsts = order[np.r_[True, group[order][1:] != group[order][:-1]]]
    first = firsts[consistent[firsts]]
    at = group[first]
    out_value[at], out_hw[at], out_origin[at] = value[first], hw[first], "agreed"
    if not consistent.all():
        # A group whose reports disagree: each report agrees with its group's reports less those that
        # disagree with it (itself included: it counts its own report); the report that most agree with
        # stands (the most precise among equals, then the first), if they are more than half the group.
        odd = ~consistent
        v, h, g = value[odd], hw[odd], group[odd]
        disagreeing = np.zeros(len(v), dtype=np.int64)
        for left, *_ in disagreeing_pairs(g, v, h):
            disagreeing += np.bincount(left, minlength=len(v))
        grouped = Grouped(g)
        size = grouped.spread(grouped.sizes)
        agreeing = size - disagreeing
        order = np.lexsort((h, -agreeing, g))
        best = order[np.r_[True, g[order][1:] != g[order][:-1]]]
        majority = agreeing[best] * 2 > size[best]
        at = g[best]
        out_value[at] = np.where(majority, v[best], np.nan)
        out_hw[at] = h[best]
        out_origin[at] = np.where(majority, "majority", "disputed")
    return out_value, out_hw, out_origin


def after(record: pd.DataFrame, day: str) -> np.ndarray:
    """Which (instrument, date) pairs of ``record`` are of sessions after ``day`` (ISO text); a pair
    without a date counts as after (it belongs to no session checked before)."""
    dates = pd.Series(record.index.get_level_values("date").to_numpy(dtype=object), dtype="string")
    return (dates > day).fillna(True).to_numpy(dtype=bool)


def lookup(record: pd.DataFrame, instruments, dates, field: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, half-width, origin) of ``field`` at each (instrument, date); NaN / "" where unknown."""
    index = pd.MultiIndex.from_arrays([np.asarray(instruments, dtype=object), np.asarray(dates, dtype=object)])
    if field not in record.columns or record.empty:
        n = len(index)
        return np.full(n, np.nan), np.full(n, np.nan), np.full(n, "", dtype=object)
    hit = record.reindex(index)
    origin = hit[field + "__from"].to_numpy(dtype=object)
    origin = np.where(pd.isna(origin), "", origin)
    return hit[field].to_numpy(dtype=float), hit[field + "__hw"].to_numpy(dtype=float), origin


class HistoryView:
    """Per-instrument look-ups on the consensus record and the official record, for the claim rules
    (H002, H003)."""

    def __init__(self, record: pd.DataFrame, calendar, official=None):
        self.calendar = calendar
        self.official = official  # wrapcheck.official.OfficialRecord, or None
        self.closes: dict[str, dict[str, float]] = {}
        self.changes: dict[str, dict[str, float]] = {}
        self.flows: dict[tuple[str, str], dict[str, float]] = {}
        if not record.empty:
            for field, target in (("close", self.closes), ("change_level", self.changes)):
                if field in record.columns:
                    known = record[field].dropna()
                    for (instrument, day), value in known.items():
                        target.setdefault(instrument, {})[day] = float(value)
            for field in ("individual_net", "foreign_net", "institution_net"):
                if field in record.columns:
                    known = record[field].dropna()
                    for (instrument, day), value in known.items():
                        self.flows.setdefault((instrument, field), {})[day] = float(value)

    def close(self, instrument: str, day: str) -> float | None:
        known = self.closes.get(instrument, {}).get(day)
        if known is None and self.official is not None:
            hit = self.official.figure(instrument, day)
            known = hit[0] if hit else None
        return known

    def intraday(self, instrument: str, day: str, field: str) -> tuple[float, float, str] | None:
        """The session's official high or low (value, half-width, origin), where published."""
        return self.official.figure(instrument, day, field) if self.official is not None else None

    def previous(self, day: str, n: int = 1) -> str:
        return str(self.calendar.previous(np.datetime64(day, "D"), n))

    def direction(self, instrument: str, day: str) -> int | None:
        """+1 / -1 / 0 for the session's change, from the change on record or from two closes."""
        change = self.changes.get(instrument, {}).get(day)
        if change is None:
            today, before = self.close(instrument, day), self.close(instrument, self.previous(day))
            if today is None or before is None:
                return None
            change = today - before
        return int(np.sign(round(change, 9)))

    def max_close_before(self, instrument: str, day: str) -> tuple[float | None, bool]:
        """(highest close before ``day``, exact?). Exact when the official series holds every session
        from its start (and the known high before it) up to ``day``, the sessions after its end being
        on record; otherwise the highest close known, a lower bound (None if none is known)."""
        known = [v for d, v in self.closes.get(instrument, {}).items() if d < day]
        lower = max(known) if known else None
        series = self.official.series.get(instrument) if self.official is not None and self.official.covers(instrument) else None
        if series is None or series.start >= day:
            return lower, False
        best = series.highest_close_before(day)
        best = best if lower is None else max(best, lower)
        if day <= series.end:
            return best, True
        after_end = self.calendar.between(np.datetime64(series.end, "D") + 1, np.datetime64(day, "D") - 1)
        closes = [self.close(instrument, str(d)) for d in after_end]
        if all(c is not None for c in closes):
            return max([best, *closes]), True
        return best, False

    def series_note(self, instrument: str) -> str:
        """" (official closes: Bank of Korea ECOS ...)" when the official series knows the instrument."""
        if self.official is None or not self.official.covers(instrument):
            return ""
        s = self.official.series[instrument]
        return f" ({self.official.origin(s, len(s.dates) - 1).replace('official close', 'official closes')}, from {s.start})"

    def data_end(self, instrument: str) -> str | None:
        return self.official.end(instrument) if self.official is not None else None

    def flow(self, instrument: str, field: str, day: str) -> float | None:
        return self.flows.get((instrument, field), {}).get(day)
