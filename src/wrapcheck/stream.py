"""Archive audits in chunks of sessions: memory bounded by the chunk, not by the archive.

An archive kept as files in date order (a file or a folder per session, or files of consecutive date
ranges) is read a chunk of files at a time. Each chunk's rows are checked as one table, and what the
report needs of them is kept: every result's rule and status (for the counts and verdicts), the figures
and messages of the results an output lists, the cells those results echo, and five row keys (date,
source, instrument, file, row). The rest of the chunk is freed before the next is read.

Every rule compares rows of one instrument on one session (X001: the sources of that session, which a
chunk holds whole), or looks back at earlier sessions through the consensus record (the rules with
``reads_history``: H001-H003). The record of the sessions already checked is carried from chunk to
chunk and stands for their rows. So the results are those of one table, row for row, provided every
chunk's sessions come after the last chunk's: when a chunk holds a session on or before one already
checked, the files are not in date order and ``check_in_chunks`` gives up (returns None), and the
archive is checked whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wrapcheck.loader import load
from wrapcheck.model import STATUS_NAMES, Report, status_numbers

CHUNK_BYTES = 16 * 2**20  # of session files per chunk: ~250,000 rows of a typical archive
REPORT_KEYS = ("date", "source", "instrument", "_row", "_file")  # what reporters read of the table


def plan_chunks(files: list[Path], chunk_bytes: int = CHUNK_BYTES) -> list[list[Path]]:
    """Consecutive files in chunks of about ``chunk_bytes``. A folder's files stay in one chunk when the
    folder fits (an archive kept as a folder per session keeps each session whole); a folder bigger
    than a chunk is cut between files. An unreadable size counts as nothing: the loader words it."""
    units: list[list[tuple[Path, int]]] = []
    folder: list[tuple[Path, int]] = []

    def close_folder() -> None:
        if sum(size for _, size in folder) <= chunk_bytes:
            units.append(list(folder))
        else:
            units.extend([entry] for entry in folder)
        folder.clear()

    for path in files:
        if folder and folder[-1][0].parent != path.parent:
            close_folder()
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        folder.append((path, size))
    if folder:
        close_folder()
    chunks: list[list[Path]] = []
    size = 0
    for unit in units:
        unit_size = sum(s for _, s in unit)
        if chunks and size + unit_size <= chunk_bytes:
            chunks[-1].extend(p for p, _ in unit)
            size += unit_size
        else:
            chunks.append([p for p, _ in unit])
            size = unit_size
    return chunks


def _date_range(table: pd.DataFrame) -> tuple[str | None, str | None]:
    """The first and last session (ISO text) among the rows that have one."""
    dates = table["date"]
    if isinstance(dates.dtype, pd.CategoricalDtype):
        used = np.unique(dates.cat.codes.to_numpy())
        values = np.asarray(dates.cat.categories, dtype=object)[used[used >= 0]]
    else:
        values = dates.dropna().unique()
    values = [str(v) for v in values if str(v)]
    return (min(values), max(values)) if values else (None, None)


@dataclass
class _Kept:
    """What the report needs of the chunks checked so far, chunk by chunk."""

    keys: list[pd.DataFrame] = field(default_factory=list)  # REPORT_KEYS of every row
    raw: list[pd.DataFrame] = field(default_factory=list)  # cells of the rows whose results are listed
    raw_idx: list[np.ndarray] = field(default_factory=list)  # those rows' numbers in the archive
    results: list[pd.DataFrame] = field(default_factory=list)
    outcomes: list[pd.DataFrame] = field(default_factory=list)
    briefs: list[pd.DataFrame] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: int = 0

    def add(self, report: Report) -> None:
        offset, n = self.rows, len(report.table)
        keys = report.table[[c for c in REPORT_KEYS if c in report.table.columns]].reset_index(drop=True)
        if "_row" in keys.columns and len(keys) and keys["_row"].max() < 2**31:
            keys["_row"] = keys["_row"].astype(np.int32)  # a file's row number: half the bytes of 10^6 int64
        self.keys.append(keys)
        listed = np.unique(report.results["idx"].to_numpy())
        self.raw.append(report.raw.take(listed).reset_index(drop=True))
        self.raw_idx.append(listed + offset)
        self.results.append(_shifted(report.results, offset))
        self.outcomes.append(_counted(report, offset))
        if report.briefs is not None:
            self.briefs.append(_shifted(report.briefs, offset))
        self.files += report.files
        self.notes += report.notes
        self.rows += n


def _counted(report: Report, offset: int) -> pd.DataFrame:
    """A chunk's outcomes as counts: one row per (date, source, rule, status) that has results, with
    ``n`` results and a row of that (date, source) as ``idx``. Every count and verdict is made of these
    (Report._tally); 10^6 rows and 22 rules have 22 million outcomes, 240 MiB kept one by one."""
    outcomes = report.all_outcomes()
    pair_of_row, pairs = report._source_keys
    n_codes = len(outcomes["code"].cat.categories)
    key = pair_of_row[outcomes["idx"].to_numpy()].astype(np.int64)
    combined = (key * n_codes + outcomes["code"].cat.codes.to_numpy()) * len(STATUS_NAMES) + status_numbers(outcomes["status"])
    counts = np.bincount(combined)
    present = np.flatnonzero(counts)
    pair, rest = np.divmod(present, n_codes * len(STATUS_NAMES))
    code, status = np.divmod(rest, len(STATUS_NAMES))
    first_row = np.empty(len(pairs), dtype=np.int64)
    first_row[pair_of_row[::-1]] = np.arange(len(pair_of_row) - 1, -1, -1)  # the last write wins: the first row
    return pd.DataFrame({"idx": first_row[pair] + offset,
                         "code": pd.Categorical.from_codes(code, categories=outcomes["code"].cat.categories),
                         "status": pd.Categorical.from_codes(status, categories=STATUS_NAMES),
                         "n": counts[present].astype(np.int32)}, copy=False)


def _shifted(frame: pd.DataFrame, offset: int) -> pd.DataFrame:
    frame = frame.copy(deep=False)
    frame["idx"] = frame["idx"].to_numpy() + offset
    return frame


def _by_rule(pieces: list[pd.DataFrame], categories: list[str]) -> pd.DataFrame:
    """The chunks' results as the engine orders one table's: rule by rule, each rule's rows in archive
    order. Each chunk's are in that order already, so this is a merge, not a sort."""
    if not any(len(p) for p in pieces):
        return pieces[0]
    pieces = [p for p in pieces if len(p)]
    spans = []  # (rule, piece, start, stop)
    for k, piece in enumerate(pieces):
        codes = piece["code"].cat.codes.to_numpy()
        bounds = np.searchsorted(codes, np.arange(len(categories) + 1))
        spans += [(r, k, int(bounds[r]), int(bounds[r + 1])) for r in range(len(categories)) if bounds[r + 1] > bounds[r]]
    spans.sort(key=lambda s: (s[0], s[1]))
    columns = {}
    for column in pieces[0].columns:
        if column == "code":
            columns[column] = pd.Categorical.from_codes(
                np.concatenate([pieces[k]["code"].cat.codes.to_numpy()[a:b] for _, k, a, b in spans]), categories=categories)
        elif column == "status":
            first = pieces[0]["status"]
            columns[column] = pd.Categorical.from_codes(
                np.concatenate([pieces[k]["status"].cat.codes.to_numpy()[a:b] for _, k, a, b in spans]),
                categories=first.cat.categories)
        else:
            dtype = pieces[0][column].dtype
            columns[column] = pd.Series(np.concatenate([pieces[k][column].to_numpy()[a:b] for _, k, a, b in spans]),
                                        dtype=dtype, copy=False)
    return pd.DataFrame(columns, copy=False)


def _keys_table(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    """The row keys of every chunk as one table (categories united, not widened to text)."""
    from pandas.api.types import union_categoricals

    out = {}
    for column in pieces[0].columns:
        values = [p[column] for p in pieces]
        if all(isinstance(v.dtype, pd.CategoricalDtype) for v in values):
            out[column] = pd.Series(union_categoricals(values), copy=False)
        else:
            out[column] = pd.Series(np.concatenate([v.to_numpy() for v in values]), copy=False)
    return pd.DataFrame(out, copy=False)


def _cells(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    """The listed rows' cells as written, as text (a column a chunk lacks is blank, as in one table)."""
    columns = list(dict.fromkeys(c for p in pieces for c in p.columns))
    out = {}
    for c in columns:
        parts = [p[c].astype(object).to_numpy() if c in p.columns else np.full(len(p), "", dtype=object) for p in pieces]
        out[c] = pd.Series(np.concatenate(parts) if parts else np.zeros(0, dtype=object), dtype=object, copy=False)
    return pd.DataFrame(out, copy=False)


def check_in_chunks(chunks: list[list[Path]], rules: dict, fail_on: str = "error", history=None, reference=None,
                    encoding: str | None = None, progress=None, session: str | None = None,
                    detail: tuple[str, ...] | None = None, brief: tuple[str, ...] | None = None) -> Report | None:
    """Check ``chunks`` of session files one after another (see the module's docstring); None when a
    chunk holds a session on or before one already checked (the files are not in date order)."""
    from wrapcheck.engine import run
    carry = any(getattr(rule, "reads_history", False) for rule in rules.values())
    kept = _Kept()
    earlier, until = None, None
    categories = None
    for number, files in enumerate(chunks, start=1):
        if progress:
            progress(f"reading chunk {number} of {len(chunks)}", number - 1, len(chunks))
        loaded = load(files, encoding, None, session, files=files)
        first, last = _date_range(loaded.table)
        if until is not None and first is not None and first <= until:
            return None
        if progress:
            progress(f"checking chunk {number} of {len(chunks)}", number - 1, len(chunks))
        report = run(loaded, rules, fail_on=fail_on, history=history, reference=reference, detail=detail, brief=brief,
                     earlier=(earlier, until) if earlier is not None else None, whole_record=carry and last is not None)
        if carry and last is not None:
            record = report.record
            dates = pd.Series(record.index.get_level_values("date").to_numpy(dtype=object), dtype="string")
            earlier = record[(dates <= last).fillna(False).to_numpy(dtype=bool)]  # later ones: --history only so far
        if last is not None:
            until = last if until is None else max(until, last)
        categories = list(report.results["code"].cat.categories)
        kept.add(report)
        del loaded, report
    if categories is None:
        return None
    table = _keys_table(kept.keys)
    kept.keys.clear()
    raw_rows = np.full(len(table), -1, dtype=np.int32 if len(table) < 2**31 else np.int64)
    listed = np.concatenate(kept.raw_idx) if kept.raw_idx else np.zeros(0, dtype=np.int64)
    raw_rows[listed] = np.arange(len(listed))
    results = _by_rule(kept.results, categories)
    outcomes = None
    if detail is not None:
        outcomes = pd.DataFrame({
            "idx": np.concatenate([o["idx"].to_numpy() for o in kept.outcomes]),
            "code": pd.Categorical.from_codes(np.concatenate([o["code"].cat.codes.to_numpy() for o in kept.outcomes]), categories=categories),
            "status": pd.Categorical.from_codes(np.concatenate([o["status"].cat.codes.to_numpy() for o in kept.outcomes]), categories=STATUS_NAMES),
            "n": np.concatenate([o["n"].to_numpy() for o in kept.outcomes])}, copy=False)
        kept.outcomes.clear()
        if int(outcomes["n"].sum()) == len(results):
            outcomes = None  # every result kept in detail, as run() leaves it
    briefs = _by_rule(kept.briefs, categories) if kept.briefs else None
    return Report(files=kept.files, table=table, raw=_cells(kept.raw), results=results, rules=rules,
                  outcomes=outcomes, briefs=briefs, fail_on=fail_on, notes=kept.notes, raw_rows=raw_rows)
