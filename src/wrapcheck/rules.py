"""What a rule is, and the helpers rules share.

A rule is one small class in one file under checks/, named ``<CODE>_<kebab-name-with-underscores>.py``.
It declares its code, kebab name, severity, the kinds of instrument it applies to and the fields it
needs (``requires``: all of them; ``requires_any``: at least one). The engine skips, with the list
of what is missing, every row that lacks them, and calls :meth:`Rule.check` once with every row
that has them: rules are vectorized over the whole table, never a Python loop per row over numbers.
Those rows carry the row keys (loader.ROW_KEYS: file, row, date, source, instrument, kind, market) and
the declared fields (``also_reads`` too) with their half-widths ``<field>__hw``: a rule reads what it
declares, and the whole table is ``ctx.table`` (an archive checked in chunks: a chunk of whole
sessions, stream.py). Other sessions are read through the consensus record (``ctx.record_of``,
``ctx.history``) by rules that declare ``reads_history``: the record of earlier chunks reaches them.

``check`` returns a frame indexed like (a subset of) its input with the columns of :data:`OUTCOME`.
A row the rule leaves out of its answer becomes an *error* result: nothing passes silently.
"""

from __future__ import annotations

import math
from functools import cached_property, lru_cache
from typing import Any, Callable, ClassVar

import numpy as np
import pandas as pd

from wrapcheck.model import STATUS_NAMES, Status

OUTCOME = ("status", "observed", "expected", "difference", "tolerance", "message")
STATUSES = STATUS_NAMES  # one category list everywhere (Status order), so frames concatenate as categoricals


class Context:
    """What a rule may read besides its rows: the whole table, the registry, the loader's findings,
    history (other sessions' consensus record), official reference figures and the trading calendar."""

    def __init__(self, loaded, registry, history=None, reference=None, official=True):
        self.use_official = official  # the shipped (and fetched) official record, under the user's files
        self.loaded = loaded
        self.table = loaded.table
        self.raw = loaded.raw
        self.registry = registry
        self.history_only = history  # LoadedTable of --history files (not validated)
        self.reference = reference  # LoadedTable of --reference files
        self.detail: tuple[str, ...] | None = None  # statuses whose results keep figures and messages (None: all)
        # The consensus record of the sessions up to ``earlier_until`` (ISO date), from the chunks of an
        # archive checked before this one (stream.py): it stands for those sessions' rows, gone by now.
        self.earlier: pd.DataFrame | None = None
        self.earlier_until: str | None = None

    def keeps(self, status: str) -> bool:
        """Will results of ``status`` keep their figures and messages? With ``--results failures`` and no
        reports, passes are only counted: a rule need not word what no output shows."""
        return self.detail is None or status in self.detail

    @cached_property
    def calendar(self):
        from wrapcheck.calendar import load_calendar

        return load_calendar()

    @cached_property
    def history(self):
        """Look-ups for the claim rules: closes, directions, flows and the highest close before a date."""
        from wrapcheck.history import RECORD_FIELDS, HistoryView

        return HistoryView(self.record_of(RECORD_FIELDS), self.calendar, self.official)

    @cached_property
    def official(self):
        """The official record (wrapcheck.official), or None when switched off (--no-official)."""
        if not self.use_official:
            return None
        from wrapcheck.official import load_official

        return load_official()

    def official_rows(self) -> pd.DataFrame | None:
        """The official closes of the instruments the run names, over its dates and the year before
        them (streaks and "this year" counts reach back), as history rows."""
        if self.official is None or not len(self._history_rows):
            return None
        rows = self._history_rows
        names = set(pd.unique(rows["instrument"].astype(object)).tolist()) & self.official.names
        if not names:
            return None
        days = pd.Series(pd.unique(rows["date"].astype(object)), dtype=object).dropna().astype(str)
        days = days[days.str.match(r"^\d{4}-\d{2}-\d{2}$")]
        if days.empty:
            return None
        first = (pd.Timestamp(days.min()) - pd.Timedelta(days=400)).strftime("%Y-%m-%d")
        return self.official.rows(names, first, days.max())

    @cached_property
    def _history_rows(self) -> pd.DataFrame:
        tables = [self.table] + ([self.history_only.table] if self.history_only is not None else [])
        tables = [t for t in tables if len(t)]
        return pd.concat(tables, ignore_index=True) if len(tables) > 1 else (tables[0] if tables else self.table)

    @cached_property
    def _groups(self):
        from wrapcheck.history import Groups

        return Groups(self._history_rows, self.reference.table if self.reference is not None else None, self.official_rows())

    def record_of(self, fields) -> pd.DataFrame:
        """Consensus per (instrument, date) of ``fields`` over every session seen; the reference wins.
        Computed per field, once, and only for the fields a rule asks for."""
        cache = self.__dict__.setdefault("_records", {})
        for field in fields:
            if field not in cache:
                cache[field] = self._groups.field(field)
        frame = self._groups.frame({f: cache[f] for f in fields})
        return frame if self.earlier is None else self._with_earlier(frame, list(fields))

    def _with_earlier(self, frame: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
        """``frame`` with the sessions up to ``earlier_until`` taken from the earlier record: here they
        have only --history rows, there they had every row."""
        columns = [c for f in fields for c in (f, f + "__hw", f + "__from")]
        earlier = self.earlier.reindex(columns=columns)
        known = np.zeros(len(earlier), dtype=bool)
        for f in fields:
            known |= earlier[f + "__from"].notna().to_numpy()
        from wrapcheck.history import after

        return pd.concat([earlier[known], frame[after(frame, self.earlier_until)]])  # look-ups go by label: no need to sort

    @property
    def record(self) -> pd.DataFrame:
        """Every field computed so far (for the HTML charts)."""
        cache = self.__dict__.get("_records", {})
        return self._groups.frame(cache) if cache else pd.DataFrame()

    def market(self, name: str) -> dict:
        return self.registry.market(name)

    def profile_values(self, rows: pd.DataFrame, key: str, position: int | None = None) -> np.ndarray:
        """A market-profile setting for each row (NaN where its market has none)."""
        return self.registry.market_values(rows["market"], key, position)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = "error"
    kinds: ClassVar[tuple[str, ...] | None] = None  # None: every kind
    requires: ClassVar[tuple[str, ...]] = ()
    requires_any: ClassVar[tuple[tuple[str, ...], ...]] = ()  # groups: at least one field of each group
    also_reads: ClassVar[tuple[str, ...]] = ()  # optional fields echoed in results when present
    reads_history: ClassVar[bool] = False  # reads other sessions (ctx.record_of, ctx.history): see stream.py

    @property
    def fields(self) -> tuple[str, ...]:
        grouped = [f for group in self.requires_any for f in group]
        return tuple(dict.fromkeys((*self.requires, *grouped, *self.also_reads)))

    @classmethod
    def summary(cls) -> str:
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def check(self, rows: pd.DataFrame, ctx: Context) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare(self) -> None:
        """Import what ``check`` needs that is slow to import (the engine calls this in a background
        thread while the files load). Errors are left for ``check`` to meet and report."""


# -- outcome builders -------------------------------------------------------------------------------

def text_of(rows: pd.DataFrame) -> pd.Series:
    """A row's own words: its title, then its statement."""
    title = rows["title"].fillna("").astype(str).str.strip()
    statement = rows["statement"].fillna("").astype(str).str.strip()
    return (title + "\n" + statement).str.strip()


def codes_of(values) -> tuple[np.ndarray, np.ndarray]:
    """Text values as (a code per value, the distinct values): a categorical's own codes, else by
    hashing. Code -1 is a missing value. Rules then work on the few distinct dates or names."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), np.asarray(values.cat.categories, dtype=object)
    codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    return codes, np.asarray(distinct, dtype=object)


def sign_of(value: np.ndarray, halfwidth: np.ndarray) -> np.ndarray:
    """+1/-1 when the written figure's whole interval is on one side of zero, else 0."""
    v, h = np.asarray(value, dtype=float), np.nan_to_num(np.asarray(halfwidth, dtype=float))
    return np.where(v - h > 0, 1, np.where(v + h < 0, -1, 0))


def FLOAT_GUARD(*values: np.ndarray) -> np.ndarray:
    """Binary floating point cannot hold 0.01 exactly; this absorbs representation error only
    (1e-9 relative), it is not a tolerance: tolerances come from the written precision."""
    scale = np.ones_like(np.asarray(values[0], dtype=float))
    for v in values:
        scale = np.fmax(scale, np.abs(np.asarray(v, dtype=float)))
    return 1e-9 * scale


def outcome(
    index: pd.Index,
    passed: np.ndarray,
    observed: Any = np.nan,
    expected: Any = np.nan,
    difference: Any = np.nan,
    tolerance: Any = np.nan,
    message: Callable[[np.ndarray], list[str]] | None = None,
    skipped: np.ndarray | None = None,
    skip_message: Callable[[np.ndarray], list[str]] | str = "",
    pass_message: str = "",
) -> pd.DataFrame:
    """Build a rule's answer. ``message(positions)`` is called only for failing positions, so the
    cost of wording stays with the failures; ``skipped`` marks rows the rule found nothing to check in."""
    n = len(index)
    passed = np.asarray(passed, dtype=bool)
    # Status codes into STATUSES (pass, fail, skip): one byte per row, no string per row.
    status = np.where(passed, np.int8(0), np.int8(1)).astype(np.int8)
    messages = np.full(n, pass_message, dtype=object)
    if skipped is not None and skipped.any():
        status[skipped] = 2
        where = np.flatnonzero(skipped)
        messages[where] = skip_message if isinstance(skip_message, str) else skip_message(where)
    failing = np.flatnonzero(status == 1)
    if len(failing) and message is not None:
        messages[failing] = message(failing)
    # Object columns stay object: Arrow-backed strings copy the whole column on every single-cell write.
    frame = pd.DataFrame(
        {
            "status": pd.Series(pd.Categorical.from_codes(status, categories=STATUSES), index=index),
            "observed": _column(observed, index),
            "expected": _column(expected, index),
            "difference": _column(difference, index),
            "tolerance": _column(tolerance, index),
            "message": pd.Series(messages, index=index, dtype=object),
        },
        index=index,
    )
    return frame


def judge_rows(rows: pd.DataFrame, judge: Callable[[int], tuple], skip_message: str) -> pd.DataFrame:
    """For rules that read each row's text: ``judge(i)`` returns (what it read, problems[, note]), with
    problems None when the row cannot be judged (a skip) and [] when every claim holds. The optional
    note is the message of a passing or skipped row (a skip without one gets ``skip_message``)."""
    n = len(rows)
    ok, skipped = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    observed = np.full(n, "", dtype=object)
    notes: dict[int, str] = {}
    passed: dict[int, str] = {}
    for i in range(n):
        observed[i], problems, *note = judge(i)
        note = note[0] if note else ""
        if problems is None:
            skipped[i] = True
            notes[i] = note or skip_message
        elif problems:
            ok[i], notes[i] = False, "; ".join(problems)
        elif note:
            passed[i] = note
    result = outcome(rows.index, ok, observed=observed, message=lambda where: [notes[i] for i in where],
                     skipped=skipped, skip_message=lambda where: [notes[i] for i in where])
    if passed:  # passing rows that say what they proved
        messages = result["message"].to_numpy(dtype=object).copy()
        messages[list(passed)] = list(passed.values())
        result["message"] = pd.Series(messages, index=result.index, dtype=object)
    return result


def _column(value: Any, index: pd.Index) -> pd.Series:
    """A result column; words stay object (pandas would infer its Arrow string type: a copy per column)."""
    if isinstance(value, pd.Series):
        value = value.to_numpy()
    if np.ndim(value) == 0:
        value = np.full(len(index), value, dtype=object if isinstance(value, str) else float)
    value = np.asarray(value)
    return pd.Series(value, index=index, dtype=value.dtype, copy=False)


class Grouped:
    """Rows sorted by group once, for reductions per group spread back to the rows."""

    def __init__(self, group: np.ndarray):
        self.order = np.argsort(group, kind="stable")
        ordered = group[self.order]
        self.starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else np.zeros(0, dtype=int)
        self.sizes = np.diff(np.r_[self.starts, len(ordered)])

    def reduce(self, ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
        """``ufunc`` over each group's values (np.maximum: each group's largest)."""
        return ufunc.reduceat(values[self.order], self.starts) if len(self.starts) else np.zeros(0, dtype=values.dtype)

    def spread(self, per_group: np.ndarray) -> np.ndarray:
        """Each row's group's value."""
        out = np.empty(len(self.order), dtype=per_group.dtype)
        out[self.order] = np.repeat(per_group, self.sizes)
        return out

    def intervals_meet(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Per group: do all its intervals [lo, hi] share a common point? Intervals that meet pairwise
        share one (Helly, in one dimension), so a group agrees when its largest lower end is below its
        smallest upper end: no pairs needed."""
        return self.reduce(np.maximum, lo) <= self.reduce(np.minimum, hi)


PAIRS_AT_ONCE = 1 << 21  # candidate pairs made at a time (memory stays bounded however a group splits)


def _positions(sorted_group: np.ndarray, sorted_value: np.ndarray, group: np.ndarray, value: np.ndarray,
               after_equal: bool) -> np.ndarray:
    """np.searchsorted with the key (group, value) on an array sorted by it: for each query, how many
    sorted entries come before (group, value); ``after_equal``: equal entries count as before (side
    "right"). One merge sort of entries and queries together, no loop per group."""
    n = len(sorted_group)
    is_query = np.r_[np.zeros(n, dtype=bool), np.ones(len(group), dtype=bool)]
    tie = is_query if after_equal else ~is_query  # at equal keys, which come first
    order = np.lexsort((tie, np.r_[sorted_value, value], np.r_[sorted_group, group]))
    query = is_query[order]
    entries_before = np.cumsum(~query) - ~query
    out = np.empty(len(group), dtype=np.int64)
    out[order[query] - n] = entries_before[query]
    return out


def disagreeing_pairs(group: np.ndarray, value: np.ndarray, hw: np.ndarray, max_pairs: int = PAIRS_AT_ONCE):
    """Every ordered pair (i, j) of entries of the same group whose written figures admit no common true
    value (``agree`` is false), in runs of at most ``max_pairs`` candidates (or one entry's): (left,
    right, difference, tolerance), the last two as ``agree`` gives them.

    Found from each group's sorted interval ends rather than by pairing every entry with every other:
    j disagrees with i only if its interval starts above i's end or ends below i's start, by more than
    the float guard, so the candidates for i are a tail of the group sorted by lower end and a head of
    it sorted by upper end. Candidates are taken with half the smallest guard a pair can have (so none
    is missed for rounding) and kept where ``agree`` says no, pair by pair. The work grows with the
    pairs that disagree, not with the square of the group: a figure that 139 sources report, one of
    them wrongly, has 276 such pairs, not 19,321."""
    n = len(group)
    if not n:
        return
    lo, hi = value - hw, value + hw
    margin = 0.5e-9 * np.fmax(1.0, np.abs(value))  # FLOAT_GUARD(v_i, v_j) >= 2 * margin_i for every j
    by_lo, by_hi = np.lexsort((lo, group)), np.lexsort((hi, group))
    sorted_group = group[by_lo]  # the same in both orders: sorted by group first
    group_start = np.searchsorted(sorted_group, group, side="left")
    group_end = np.searchsorted(sorted_group, group, side="right")
    above_from = _positions(sorted_group, lo[by_lo], group, hi + margin, after_equal=True)  # lo_j > hi_i + margin
    below_to = _positions(group[by_hi], hi[by_hi], group, lo - margin, after_equal=False)  # hi_j < lo_i - margin
    above, below = group_end - above_from, below_to - group_start
    candidates_before = np.r_[0, np.cumsum(above + below)]
    start = 0
    while start < n:
        stop = int(np.searchsorted(candidates_before, candidates_before[start] + max_pairs, side="right")) - 1
        stop = min(max(stop, start + 1), n)
        entries = np.arange(start, stop)
        left, right = [], []
        for first, count, order in ((above_from, above, by_lo), (group_start, below, by_hi)):
            c = count[entries]
            offset = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c)
            left.append(np.repeat(entries, c))
            right.append(order[np.repeat(first[entries], c) + offset])
        left, right = np.concatenate(left), np.concatenate(right)
        ok, difference, tolerance = agree(value[left], hw[left], value[right], hw[right])
        yield left[~ok], right[~ok], difference[~ok], tolerance[~ok]
        start = stop


def intervals_meet(group: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per row: do all intervals [lo, hi] of its group share a common point (Grouped.intervals_meet)?"""
    grouped = Grouped(group)
    return grouped.spread(grouped.intervals_meet(lo, hi))


def agree(a: np.ndarray, a_hw: np.ndarray, b: np.ndarray, b_hw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Do two written figures admit a common true value? Returns (agree, difference, tolerance)."""
    difference = a - b
    tolerance = a_hw + b_hw
    ok = np.abs(difference) <= tolerance + FLOAT_GUARD(a, b)
    return ok, difference, tolerance


def fmt(value: float, halfwidth: float | None = None) -> str:
    """Format a figure with the decimals its half-width implies."""
    value = float(value)
    # -0.0 == 0.0, so the sign is part of the memo's key ("-0.00" as written stays "-0.00").
    return _fmt(value, None if halfwidth is None else float(halfwidth), math.copysign(1.0, value) < 0)


@lru_cache(maxsize=1 << 16)  # messages on an archive repeat the same figures thousands of times
def _fmt(value: float, halfwidth: float | None, negative: bool) -> str:
    from wrapcheck.numbers import decimals_of_halfwidth, format_number

    if halfwidth is None or halfwidth != halfwidth:
        return format_number(value)
    return format_number(value, decimals_of_halfwidth(halfwidth))
