"""The result record and the report that holds them.

Rules produce their outcomes column-wise (one frame per rule over the whole table, see engine.py);
:class:`Result` is the one immutable record a user or a reporter sees for one
(date, source, instrument, rule). The report materialises them on demand, per source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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
    rows: tuple[int, ...] = ()  # CSV row numbers (the header is row 1)
    file: str = ""

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


def is_failing(status: str, severity: str, fail_on: str = "error") -> bool:
    """A crash (error) always counts; a fail counts when its severity reaches ``fail_on``."""
    if status == Status.ERROR:
        return True
    if status != Status.FAIL:
        return False
    return severity == Severity.ERROR or fail_on == Severity.WARNING


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
    table: pd.DataFrame  # the loaded session rows (see loader.py)
    raw: pd.DataFrame  # the same rows' cells as written
    results: pd.DataFrame  # columns: idx, code, status, observed, expected, difference, tolerance, message
    rules: dict[str, Any]  # code -> Rule
    fail_on: str = "error"
    notes: list[str] = field(default_factory=list)  # file-level notes, e.g. unchecked extra columns

    # -- aggregates -------------------------------------------------------------------------
    def status_counts(self) -> dict[str, int]:
        counts = self.results["status"].value_counts()
        return {s.value: int(counts.get(s.value, 0)) for s in Status}

    def failing_mask(self) -> pd.Series:
        sev = self.results["code"].map({c: str(r.severity) for c, r in self.rules.items()})
        status = self.results["status"]
        bad = status.eq(Status.ERROR)
        bad |= status.eq(Status.FAIL) & (sev.eq(Severity.ERROR) | (self.fail_on == Severity.WARNING))
        return bad

    def exit_code(self) -> int:
        return 1 if bool(self.failing_mask().any()) else 0

    # -- per source ---------------------------------------------------------------------------
    def source_reports(self) -> list[SourceReport]:
        res = self.results
        if res.empty:
            return []
        keys = self.table.loc[res["idx"].to_numpy(), ["date", "source"]].reset_index(drop=True)
        res = res.reset_index(drop=True)
        out = []
        for (date, source), positions in keys.groupby(["date", "source"], sort=True, dropna=False).indices.items():
            out.append(self._source_report(str(date), str(source), res.iloc[positions]))
        return out

    def _source_report(self, date: str, source: str, res: pd.DataFrame) -> SourceReport:
        table, raw = self.table, self.raw
        results: list[Result] = []
        failing = warned = False
        counts = {s.value: 0 for s in Status}
        for idx, code, status, observed, expected, diff, tol, message in zip(
            res["idx"].to_numpy(), res["code"].to_numpy(), res["status"].to_numpy(), res["observed"].to_numpy(),
            res["expected"].to_numpy(), res["difference"].to_numpy(), res["tolerance"].to_numpy(),
            res["message"].to_numpy(),
        ):
            rule = self.rules[code]
            cells = {c: raw.at[idx, c] for c in rule.fields if c in raw.columns and raw.at[idx, c] != ""}
            severity = Severity(rule.severity)
            counts[status] += 1
            if is_failing(status, severity, self.fail_on):
                failing = True
            elif status == Status.FAIL:
                warned = True
            results.append(
                Result(
                    date=date,
                    source=source,
                    instrument=str(table.at[idx, "instrument"]),
                    code=code,
                    name=rule.name,
                    severity=severity,
                    status=Status(status),
                    observed=observed,
                    expected=expected,
                    difference=diff,
                    tolerance=tol,
                    message=str(message),
                    cells=cells,
                    rows=(int(table.at[idx, "_row"]),),
                    file=str(table.at[idx, "_file"]),
                )
            )
        verdict = Verdict.FAIL if failing else Verdict.WARN if warned else Verdict.PASS
        return SourceReport(date, source, verdict, results, counts)

    def to_dict(self) -> dict[str, Any]:
        sources = [s.to_dict() for s in self.source_reports()]
        return {
            "version": __version__,
            "files": self.files,
            "sources": sources,
            "summary": self.summary(sources),
        }

    def summary(self, sources: list[dict] | None = None) -> dict[str, Any]:
        if sources is None:
            sources = [s.to_dict() for s in self.source_reports()]
        verdicts = [s["verdict"] for s in sources]
        return {
            "rows": int(len(self.table)),
            "sources": len(sources),
            "verdict": "fail" if self.exit_code() else "pass",
            "verdicts": {v.value: verdicts.count(v.value) for v in Verdict},
            "results": self.status_counts(),
            "fail_on": self.fail_on,
            "notes": self.notes,
        }
