"""The result record and the report that holds them.

Rules produce their outcomes column-wise (one frame per rule over the whole table, see engine.py);
:class:`Result` is the one immutable record a user or a reporter sees for one
(date, source, instrument, rule). The report materialises them on demand, per source.
"""

from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from enum import StrEnum
from typing import Any, Iterable

import numpy as np
import pandas as pd

from wrapcheck import __version__


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"  # only warning-severity checks failed
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Result:
    """One rule's verdict on one source's claims about one instrument on one date."""

    date: str
    source: str
    instrument: str
    code: str
    name: str
    severity: Severity
    status: Status
    observed: Any
    expected: Any
    difference: float | None
    tolerance: float | None
    message: str
    cells: dict[str, str] = field(default_factory=dict)  # the input cells the rule read, as written
    rows: tuple[int, ...] = ()  # CSV row numbers (the header is row 1); an article's line
    file: str = ""
    column: int | None = None  # an article's column (its sentence's first character), None for a CSV cell

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "source": self.source,
            "instrument": self.instrument,
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "status": str(self.status),
            "observed": _clean(self.observed),
            "expected": _clean(self.expected),
            "difference": _clean(self.difference),
            "tolerance": _clean(self.tolerance),
            "message": self.message,
            "cells": self.cells,
            "rows": list(self.rows),
            "file": self.file,
        }


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and None become null, numpy scalars plain Python."""
    if value is None:
        return None
    if isinstance(value, float) or hasattr(value, "dtype"):
        value = float(value) if not isinstance(value, str) else value
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return None
        return value
    return value


@contextmanager
def _no_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# What a report lists, by --results: every result, all but passes, or only what fails the run.
RESULT_SETS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "problems": ("fail", "error", "skip"),
    "failures": ("fail", "error"),
}


CELL_LIMIT = 2000  # characters of a cell echoed in a result; longer ones are cut, saying how long they were


def clip_cell(text: str) -> str:
    return text if len(text) <= CELL_LIMIT else f"{text[:CELL_LIMIT]}... [{len(text):,} characters]"


STATUS_NAMES = [s.value for s in Status]


def status_numbers(column: pd.Series) -> np.ndarray:
    """Statuses as their numbers in :class:`Status` order (pass 0, fail 1, skip 2, error 3); -1 for any
    other value. A categorical of exactly those categories is read through its codes."""
    if isinstance(column.dtype, pd.CategoricalDtype) and list(column.cat.categories) == STATUS_NAMES:
        return column.cat.codes.to_numpy().astype(np.int8)
    return pd.Categorical(column, categories=STATUS_NAMES).codes.astype(np.int8)


def labels_at(column: pd.Series, idx: np.ndarray) -> np.ndarray:
    """The values of a table column at rows ``idx`` (a categorical is read through its codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = np.asarray(column.cat.categories, dtype=object)
        codes = column.cat.codes.to_numpy()[idx]
        return np.where(codes >= 0, categories[np.maximum(codes, 0)], None)
    return column.to_numpy(dtype=object)[idx]


def _index_type(count: int) -> type:
    """The integer type that numbers ``count`` things: int32 unless that is too narrow."""
    return np.int32 if count < 2**31 else np.int64


def _unique_sorted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by hashing, then sorting only the few distinct values
    (np.unique sorts all 10^6+ of an archive's rows). Small non-negative integers (a row's date and
    source as one number) go through a table of every possible value instead: no hash table."""
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if low >= 0 and high < 4 * len(values) + 1024:
            seen = np.zeros(high + 1, dtype=bool)
            seen[values] = True
            rank = (np.cumsum(seen) - 1).astype(_index_type(high + 1))  # int32 codes: half of 10^7 int64
            return np.flatnonzero(seen).astype(values.dtype), rank[values]
    codes, uniques = pd.factorize(values)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return np.asarray(uniques)[order], rank[codes]


def _sorted_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a text column numbered in sorted order of its values, and those values (as text)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = np.asarray(column.cat.categories.astype(str), dtype=object)
        codes = column.cat.codes.to_numpy()  # int8-int32: sorted in place of 10^6 int64
        used = np.unique(codes)
        labels = np.where(used >= 0, categories[np.maximum(used, 0)], "")  # -1: missing, read as ""
        values, rank = np.unique(labels.astype(str), return_inverse=True)
        by_code = np.zeros(len(categories) + 1, dtype=_index_type(len(values)))
        by_code[used] = rank.reshape(-1)  # code -1 lands in the last place, as it reads it
        return by_code[codes], values.astype(object)
    codes, values = pd.factorize(column.astype(str).to_numpy(dtype=object), sort=True)
    return codes.astype(np.int64), np.asarray(values, dtype=object)


def _json_column(column: pd.Series) -> list[Any]:
    """Floats stay floats, NaN/inf become None, text stays text."""
    values = column.to_numpy()
    if values.dtype.kind == "f":
        out = values.astype(object)
        out[~np.isfinite(values)] = None
        return out.tolist()
    return [_clean(v) for v in values.tolist()]


@dataclass
class SourceReport:
    date: str
    source: str
    verdict: Verdict
    results: list[Result]
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "source": self.source,
            "verdict": str(self.verdict),
            "counts": self.counts,
            "results": [r.to_dict() for r in self.results],
        }


@dataclass
class Report:
    """Everything one validation run found. ``results`` is columnar: one row per Result."""

    files: list[str]
    table: pd.DataFrame  # the loaded session rows (see loader.py); checked in chunks: their keys only (stream.py)
    raw: pd.DataFrame  # the same rows' cells as written (checked in chunks: those of listed results, see raw_rows)
    results: pd.DataFrame  # columns: idx, code, status, observed, expected, difference, tolerance, message
    rules: dict[str, Any]  # code -> Rule
    fail_on: str = "error"
    notes: list[str] = field(default_factory=list)  # file-level notes, e.g. unchecked extra columns
    record: pd.DataFrame | None = None  # the history consensus, when a rule needed it (for charts)
    # idx, code and status of every result, when ``results`` keeps the details of some statuses only
    # (engine.run's ``detail``: an archive audit listing failures keeps its millions of passes as counts);
    # checked in chunks, one row per (date, source, rule, status) with ``n``, the results it stands for
    outcomes: pd.DataFrame | None = None
    # idx, code, status and message of results kept for their messages only (engine.run's ``brief``: the
    # skips a per-source report groups by reason, millions on an archive, without their other columns)
    briefs: pd.DataFrame | None = None
    # When ``raw`` holds only the rows whose results are listed (an archive checked in chunks: stream.py),
    # each table row's position in it (-1: not kept); None: ``raw`` has every row of ``table``.
    raw_rows: np.ndarray | None = None

    def raw_positions(self, idx: np.ndarray) -> np.ndarray:
        """The positions in ``raw`` of table rows ``idx``."""
        return idx if self.raw_rows is None else self.raw_rows[idx]

    def messages(self, status: str) -> pd.DataFrame:
        """idx, code and message of every result of ``status``, from the results kept in detail or in brief.
        ValueError if neither kept them."""
        if status in self.detailed():
            res = self.results
        elif self.briefs is not None and self._briefed(status):
            res = self.briefs
        else:
            raise ValueError(f"the {status} results' messages were not kept: run with detail or brief including {status}")
        return res.loc[res["status"].eq(status).to_numpy(), ["idx", "code", "message"]]

    def _briefed(self, status: str) -> bool:
        """Does ``briefs`` hold every result of ``status``?"""
        number = STATUS_NAMES.index(status)
        held = int((status_numbers(self.briefs["status"]) == number).sum())
        return held == self._tally(self._status_codes(), len(STATUS_NAMES))[number]

    def all_outcomes(self) -> pd.DataFrame:
        """idx, code and status of every result (what counts, verdicts and the exit code are made of); with a
        column ``n`` when a row stands for n results of one rule and status on one (date, source)."""
        return self.results if self.outcomes is None else self.outcomes

    def _tally(self, values: np.ndarray, length: int) -> np.ndarray:
        """How many results have each of ``values`` (one per outcome row): np.bincount, weighted by ``n``."""
        outcomes = self.all_outcomes()
        if "n" not in outcomes.columns:
            return np.bincount(values, minlength=length)
        return np.bincount(values, weights=outcomes["n"].to_numpy(), minlength=length).round().astype(np.int64)

    def detailed(self) -> tuple[str, ...]:
        """The statuses whose results are kept with figures and messages."""
        if self.outcomes is None:
            return tuple(STATUS_NAMES)
        return self._kept("detailed", self._detailed_statuses)

    def _detailed_statuses(self) -> tuple[str, ...]:
        listed = np.bincount(status_numbers(self.results["status"]).astype(np.int64), minlength=len(STATUS_NAMES))
        every = self._tally(self._status_codes(), len(STATUS_NAMES))
        return tuple(name for name, a, b in zip(STATUS_NAMES, listed, every) if a == b)

    # -- aggregates -------------------------------------------------------------------------
    def _kept(self, name: str, compute):
        """``compute()``, kept until fail_on or the results change: the exit code, counts, verdicts and
        every reporter ask for the same aggregates over millions of results."""
        cache = self.__dict__.setdefault("_kept_values", {})
        key = (name, self.fail_on, len(self.results), None if self.outcomes is None else len(self.outcomes))
        if key not in cache:
            for stale in [k for k in cache if k[0] == name]:
                del cache[stale]
            cache[key] = compute()
        return cache[key]

    def _status_codes(self) -> np.ndarray:
        """Each result's status as its number in :class:`Status` order."""
        return self._kept("status", lambda: status_numbers(self.all_outcomes()["status"]))  # int8: 10^7 of them

    def status_counts(self) -> dict[str, int]:
        counts = self._tally(self._status_codes(), len(Status)).tolist()
        return {s.value: n for s, n in zip(Status, counts)}

    def failing_mask(self) -> np.ndarray:
        """Which results fail the run."""
        return self._kept("failing", self._failing_mask)

    def _failing_mask(self) -> np.ndarray:
        """Errors, and fails of error-severity rules (of every rule with --fail-on warning): judged per rule
        code, then looked up by each result's code."""
        code = pd.Categorical(self.all_outcomes()["code"])
        fails_run = np.array([str(self.rules[c].severity) == Severity.ERROR or self.fail_on == Severity.WARNING
                              if c in self.rules else True for c in code.categories] + [True], dtype=bool)
        status = self._status_codes()
        return (status == 3) | ((status == 1) & fails_run[code.codes])  # 1: fail, 3: error; code -1 reads the last

    def exit_code(self) -> int:
        return 1 if bool(self.failing_mask().any()) else 0

    # -- per source ---------------------------------------------------------------------------
    @cached_property
    def _source_keys(self) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """A number per table row for its (date, source), in sorted order, and the pairs themselves."""
        return self._source_index[0], self._source_index[1]

    @cached_property
    def _source_index(self):
        """(row -> pair number, pairs, pair -> date code, pair -> source code, dates, sources), from the
        columns' codes: an archive has millions of rows but only thousands of (date, source) pairs."""
        d_codes, dates = _sorted_codes(self.table["date"])
        s_codes, sources = _sorted_codes(self.table["source"])
        width = max(len(sources), 1)
        combined = d_codes.astype(_index_type(len(dates) * width), copy=False)
        combined *= width  # in place: 10^7 rows make each of these arrays 40-80 MB
        combined += s_codes
        del d_codes, s_codes
        uniques, codes = _unique_sorted(combined)
        del combined
        pair_date, pair_source = uniques // width, uniques % width
        pairs = list(zip(dates[pair_date].tolist(), sources[pair_source].tolist()))
        return codes.reshape(-1), pairs, pair_date, pair_source, dates, sources

    def _keys(self, idx: np.ndarray) -> tuple[pd.Categorical, pd.Categorical]:
        codes, _, pair_date, pair_source, dates, sources = self._source_index
        key = codes[idx]
        return (pd.Categorical.from_codes(pair_date[key], categories=pd.Index(dates, dtype=object)),
                pd.Categorical.from_codes(pair_source[key], categories=pd.Index(sources, dtype=object)))

    def _ordered(self, statuses: Iterable[str] | None = None,
                 sources: Iterable[tuple[str, str]] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
        """Results (of the given statuses, of the given (date, source) pairs) with their date and source,
        sorted by (date, source, row, rule), and where each source starts."""
        res = self.results
        codes, pairs = self._source_keys
        keep = None
        wanted_names = [Status(x).value for x in (statuses if statuses is not None else STATUS_NAMES)]
        lacking = [x for x in wanted_names if x not in self.detailed()]
        if lacking:
            raise ValueError(f"this report keeps the results of {', '.join(self.detailed()) or 'no'} status in detail, "
                             f"not {', '.join(lacking)} (run with detail=None to keep all)")
        if statuses is not None:
            wanted = np.isin(np.arange(len(STATUS_NAMES)), [STATUS_NAMES.index(x) for x in wanted_names])
            status = self._status_codes() if self.outcomes is None else status_numbers(res["status"])
            keep = wanted[status]
        if sources is not None:
            sources = set(sources)
            chosen = np.array([p in sources for p in pairs], dtype=bool)
            keep = chosen[codes[res["idx"].to_numpy()]] & (True if keep is None else keep)
        if keep is not None:
            res = res[keep]
        idx = res["idx"].to_numpy()
        key = codes[idx].astype(np.int64)
        rule = res["code"].cat.codes.to_numpy().astype(np.int64)  # categories are in rule order
        n_rows, n_rules = (int(idx.max()) + 1 if len(idx) else 1), len(res["code"].cat.categories) + 1
        order = np.argsort((key * n_rows + idx) * n_rules + rule, kind="stable")  # one int64 sort key
        res = res.iloc[order].reset_index(drop=True)
        res["date"], res["source"] = self._keys(res["idx"].to_numpy())
        key = key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.array([], dtype=int)
        return res, starts

    def columns_at(self, idx: np.ndarray) -> list[int]:
        """The location column of rows ``idx`` (0 where unknown: a session file's cells)."""
        if "_col" not in self.table:
            return [0] * len(idx)
        return self.table["_col"].to_numpy()[idx].tolist()

    def _result_dicts(self, res: pd.DataFrame) -> list[dict[str, Any]]:
        """Every result as a dictionary, built column-wise (the report of a big archive has millions)."""
        table, raw = self.table, self.raw
        idx = res["idx"].to_numpy()
        codes = res["code"].to_numpy()
        cells: list[dict[str, str]] = [{}] * len(res)
        for code in pd.unique(codes):
            where = np.flatnonzero(codes == code)
            fields = [f for f in self.rules[code].fields if f in raw.columns]
            if not fields:
                continue
            columns = [raw[f].take(self.raw_positions(idx[where])).tolist() for f in fields]  # take, then convert: not the whole column
            for k, values in zip(where.tolist(), zip(*columns)):
                cells[k] = {f: clip_cell(v) for f, v in zip(fields, values) if v != ""}
        name = {c: r.name for c, r in self.rules.items()}
        severity = {c: str(r.severity) for c, r in self.rules.items()}
        numbers = {c: _json_column(res[c]) for c in ("observed", "expected", "difference", "tolerance")}
        for c in ("observed", "expected"):  # words where the rule gave words
            numbers[c] = [t if isinstance(t, str) else n for n, t in zip(numbers[c], res[c + "_text"].tolist())]
        with _no_gc():  # millions of small dicts: the cyclic collector would rescan them over and over
            return [
                {"date": d, "source": s, "instrument": i, "code": c, "name": name[c], "severity": severity[c], "status": st,
                 "observed": o, "expected": e, "difference": df, "tolerance": tl, "message": m, "cells": ce,
                 "rows": [r], "file": f, "column": col or None}
                for d, s, i, c, st, o, e, df, tl, m, ce, r, f, col in zip(
                res["date"].tolist(), res["source"].tolist(), table["instrument"].to_numpy()[idx].tolist(),
                codes.tolist(), res["status"].tolist(), numbers["observed"], numbers["expected"],
                numbers["difference"], numbers["tolerance"], res["message"].tolist(), cells,
                table["_row"].to_numpy()[idx].tolist(), labels_at(table["_file"], idx).tolist(), self.columns_at(idx))
            ]

    def _counts_by_source(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Counts of every result per (date, source), and the verdict, in (date, source) order (the pairs
        are numbered in sorted order)."""
        return self._kept("counts", self._count_by_source)

    def _count_by_source(self) -> dict[tuple[str, str], dict[str, Any]]:
        present, verdicts, counts = self._source_counts()
        _, pairs = self._source_keys
        # Plain status names: enum look-ups per source would cost more than the counting.
        return {pairs[k]: {"verdict": v, "counts": dict(zip(STATUS_NAMES, row))}
                for k, v, row in zip(present.tolist(), verdicts.tolist(), counts.tolist())}

    def _source_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every (date, source) with results, in order: its pair number, its verdict and its counts
        by status (a row of pass, fail, skip, error)."""
        return self._kept("source counts", self._count_source_arrays)

    def _count_source_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        codes, pairs = self._source_keys
        key = codes[self.all_outcomes()["idx"].to_numpy()]
        status = self._status_codes()
        n = len(pairs)
        counts = self._tally((key if 4 * n < 2**31 else key.astype(np.int64)) * 4 + status, 4 * n).reshape(n, 4)
        failing = self.failing_mask()
        warned = (status == 1) & ~failing
        any_failing, any_warned = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        any_failing[key[failing]] = True  # (a bincount weighted by them made a float per result)
        any_warned[key[warned]] = True
        present = np.flatnonzero(counts.sum(axis=1) > 0)
        verdicts = np.where(any_failing, Verdict.FAIL.value, np.where(any_warned, Verdict.WARN.value, Verdict.PASS.value))
        return present, verdicts[present].astype(object), counts[present]

    def _rule_counts(self) -> dict[tuple[str, str, str], int]:
        """How many results each rule gave each (date, source)."""
        return self._kept("rule counts", self._count_by_rule)

    def _count_by_rule(self) -> dict[tuple[str, str, str], int]:
        codes, pairs = self._source_keys
        outcomes = self.all_outcomes()
        key = codes[outcomes["idx"].to_numpy()]
        frame = pd.DataFrame({"key": key, "code": outcomes["code"].to_numpy(),
                              "n": outcomes["n"].to_numpy() if "n" in outcomes.columns else 1})
        counts = frame.groupby(["key", "code"])["n"].sum()
        return {(*pairs[k], c): int(n) for (k, c), n in counts.items()}

    def source_dicts(self, statuses: Iterable[str] | None = None,
                     sources: Iterable[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
        """One dictionary per (date, source): verdict, counts of all its results, and its results
        (only those of the given statuses, when given). ``sources``: only these (date, source) pairs."""
        if sources is not None:
            sources = set(sources)
        res, starts = self._ordered(statuses, sources)
        records = self._result_dicts(res)
        bounds = np.r_[starts, len(res)].astype(int).tolist()
        by_key = {(records[a]["date"], records[a]["source"]): records[a:b] for a, b in zip(bounds[:-1], bounds[1:])}
        return [{"date": date, "source": source, **info, "results": by_key.get((date, source), [])}
                for (date, source), info in sorted(self._counts_by_source().items())
                if sources is None or (date, source) in sources]

    def source_reports(self) -> list[SourceReport]:
        """The same as :meth:`source_dicts`, as immutable :class:`Result` records."""
        out = []
        for s in self.source_dicts():
            results = [Result(**{**r, "severity": Severity(r["severity"]), "status": Status(r["status"]),
                                 "rows": tuple(r["rows"])}) for r in s["results"]]
            out.append(SourceReport(s["date"], s["source"], Verdict(s["verdict"]), results, s["counts"]))
        return out

    def to_dict(self, results: str = "all") -> dict[str, Any]:
        """The whole report as JSON-ready data. ``results``: all, problems (no passes) or failures
        (fail and error only); the counts always cover every result."""
        sources = self.source_dicts(RESULT_SETS[results])
        return {"version": __version__, "files": self.files, "sources": sources, "summary": self.summary(sources)}

    def summary(self, sources: list[dict] | None = None) -> dict[str, Any]:
        if sources is None:  # counted from the verdict array: an archive has ~10^5 sources
            verdicts = self._source_counts()[1]
            tally = {v.value: int(np.count_nonzero(verdicts == v.value)) for v in Verdict}
        else:
            verdicts = [s["verdict"] for s in sources]
            tally = {v.value: verdicts.count(v.value) for v in Verdict}
        return {
            "rows": int(len(self.table)),
            "sources": len(verdicts),
            "verdict": "fail" if self.exit_code() else "pass",
            "verdicts": tally,
            "results": self.status_counts(),
            "fail_on": self.fail_on,
            "notes": self.notes,
        }
