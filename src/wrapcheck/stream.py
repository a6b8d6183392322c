"""Archive audits in chunks of sessions: memory bounded by the chunk, not by the archive.

An archive kept as files in date order (a file or a folder per session, or files of consecutive date
ranges) is read a chunk of files at a time (the next while this one is checked). Each chunk's rows are
checked as one table, and what the report needs of them is kept: the results counted per (date,
source, rule, status) for the counts and verdicts, the figures and messages of the results an output
lists, the cells those results echo, and five row keys (date, source, instrument, file, row). The
rest of the chunk is freed once it is checked.

Every rule compares rows of one instrument on one session (X001: the sources of that session, which a
chunk holds whole), or looks back at earlier sessions through the consensus record (the rules with
``reads_history``: H001-H003). The record of the sessions already checked is carried from chunk to
chunk and stands for their rows. So the results are those of one table, row for row, provided each
session is checked in one chunk and every chunk's sessions come after the last chunk's:

- a chunk whose last session's rows end it holds them back: they are read again and checked with the
  next chunk (files cut within sessions, as an export cuts part-00001.csv, part-00002.csv: a session
  runs from one file into the next);
- a chunk that still holds a session on or before one of the chunk checked just before (files of the
  same dates in two chunks: a folder of files per source and month) is checked again together with
  it: what was kept of that one is taken back, and both are read as one chunk.
When a chunk reaches further back, or merging would read more than MERGED_AT_MOST planned chunks as
one, the files are not in date order: ``check_in_chunks`` gives up (returns None), and the archive is
checked whole.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wrapcheck.history import after
from wrapcheck.loader import LoadedTable, _all_blank, arrow_text, load
from wrapcheck.model import STATUS_NAMES, Report, status_numbers
from wrapcheck.rules import codes_of

CHUNK_BYTES = 16 * 2**20  # of session files per chunk: ~250,000 rows of a typical archive
MERGED_AT_MOST = 4  # planned chunks read again as one: each merge reads them all again


def plan_chunks(files: list[Path], chunk_bytes: int = CHUNK_BYTES) -> list[list[Path]]:
    """Consecutive files in chunks of about ``chunk_bytes``. A folder's files stay in one chunk when the
    folder fits (an archive kept as a folder per session keeps each session whole); a folder bigger
    than a chunk is cut between files, but not between consecutive files whose names give the same
    date (a session kept as a file per source). An unreadable size counts as nothing: the loader words it."""
    units: list[list[tuple[Path, int]]] = []
    folder: list[tuple[Path, int]] = []

    def close_folder() -> None:
        if sum(size for _, size in folder) <= chunk_bytes:
            units.append(list(folder))
        else:  # cut between files, but not between files named for the same session (2026-01-06_yonhap.csv)
            for entry in folder:
                day = _named_date(entry[0].name)
                if units and day is not None and _named_date(units[-1][-1][0].name) == day and units[-1][-1][0].parent == entry[0].parent:
                    units[-1].append(entry)
                else:
                    units.append([entry])
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


_NAMED_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def _named_date(name: str) -> str | None:
    """The session a file's name gives (2026-01-06 or 20260106), if any."""
    found = _NAMED_DATE.search(name)
    return "-".join(found.groups()) if found else None


def _held_back(loaded: LoadedTable, last: str) -> tuple[LoadedTable | None, LoadedTable | None]:
    """``loaded`` cut before its last session when that session's rows end it, one after another (files
    in date order, the next chunk may go on with it): (the rows before, None if there are none; the
    session's rows, read again with the next chunk: load(after=)). The files and notes stay with the
    rows before, checked first; with none before, everything is held, files and notes included. A last
    session whose rows lie elsewhere too (a file per source) is not held: (loaded, None)."""
    codes, distinct = codes_of(loaded.table["date"])
    of_last = codes == int(np.flatnonzero(distinct.astype(str) == last)[0])
    others = np.flatnonzero(~of_last)
    at = int(others[-1]) + 1 if len(others) else 0
    if at == 0:
        return None, loaded
    if of_last[:at].any():
        return loaded, None
    errors = loaded.parse_errors["idx"].to_numpy().astype(np.int64) if len(loaded.parse_errors) else np.zeros(0, np.int64)
    head = replace(loaded, table=loaded.table.iloc[:at], raw=loaded.raw.iloc[:at],
                   parse_errors=loaded.parse_errors[errors < at].reset_index(drop=True))
    # The held rows copied out of the chunk's arrays (a slice would keep them all) and only what
    # load(after=) reads: cells as written, file and row.
    files = loaded.table["_file"]
    table = pd.DataFrame({"_file": pd.Categorical.from_codes(files.cat.codes.to_numpy()[at:].copy(), categories=files.cat.categories),
                          "_row": loaded.table["_row"].to_numpy()[at:].copy()})
    raw = pd.DataFrame({c: loaded.raw[c].iloc[at:].to_numpy(dtype=object).copy() for c in loaded.raw.columns
                        if not _all_blank(loaded.raw[c])}, index=pd.RangeIndex(len(table)))
    return head, LoadedTable(table, raw, loaded.parse_errors.iloc[:0], [], [], dict(loaded.missing_columns))


def _date_range(table: pd.DataFrame) -> tuple[str | None, str | None]:
    """The first and last session (ISO text) among the rows that have one."""
    codes, distinct = codes_of(table["date"])  # the few distinct dates, not every row's
    used = np.unique(codes)
    values = [str(v) for v in distinct[used[used >= 0]] if str(v)]
    return (min(values), max(values)) if values else (None, None)


class _Growing:
    """An array appended to chunk by chunk, in one block that doubles when full. Blocks are at least
    33 MiB, which the C allocator maps apart from its heap (glibc maps anything over 32 MiB) and the
    kernel backs only where written: the chunks' own arrays, freed in the heap, are then reused whole.
    Kept in many small arrays instead, between a chunk's blocks, they pinned the heap: 10^7 rows grew by
    20 MiB a chunk for 4 MiB of data."""

    MIN_BYTES = 33 * 2**20

    def __init__(self, dtype):
        self.data = np.empty(0, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        need = self.size + len(values)
        if need > len(self.data):
            grown = np.empty(max(2 * need, self.MIN_BYTES // self.data.itemsize + 1), dtype=self.data.dtype)
            grown[:self.size] = self.data[:self.size]
            self.data = grown
        self.data[self.size:need] = values
        self.size = need

    def array(self) -> np.ndarray:
        return self.data[:self.size]


class _Labels:
    """A categorical column appended to chunk by chunk: each chunk's categories numbered once for all."""

    def __init__(self):
        self.number: dict = {}
        self.codes = _Growing(np.int8)

    def extend(self, column: pd.Series) -> None:
        column = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
        numbers = [self.number.setdefault(c, len(self.number)) for c in column.cat.categories]
        dtype = np.min_scalar_type(-max(len(self.number), 1))  # the narrowest signed type (codes of 10^7 rows)
        if dtype.itemsize > self.codes.data.itemsize:
            self.codes.data = self.codes.data.astype(dtype)
        self.codes.extend(np.array(numbers + [-1], dtype=dtype)[column.cat.codes.to_numpy()])  # -1: missing

    def categorical(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes.array(), categories=pd.Index(list(self.number), dtype=object))

    def mark(self) -> tuple[int, int]:
        return len(self.number), self.codes.size

    def rollback(self, mark: tuple[int, int]) -> None:
        """Back to ``mark``: the values and categories appended since are gone."""
        categories, self.codes.size = mark
        for category in list(self.number)[categories:]:
            del self.number[category]


@dataclass
class _Kept:
    """What the report needs of the chunks checked so far: the row keys and the outcome counts in
    growing columns (_Growing), the few listed results and their cells chunk by chunk."""

    keys: dict = field(default_factory=lambda: {"date": _Labels(), "source": _Labels(), "instrument": _Labels(),
                                                 "_row": _Growing(np.int32), "_file": _Labels()})
    counts: dict = field(default_factory=lambda: {"idx": _Growing(np.int64), "code": _Growing(np.int8),
                                                   "status": _Growing(np.int8), "n": _Growing(np.int32)})
    raw: list[pa.Table] = field(default_factory=list)  # cells of the rows whose results are listed
    raw_idx: list[np.ndarray] = field(default_factory=list)  # those rows' numbers in the archive
    results: list[pd.DataFrame] = field(default_factory=list)
    briefs: list[pd.DataFrame] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: int = 0

    def add(self, report: Report) -> None:
        offset, n = self.rows, len(report.table)
        for column, kept in self.keys.items():
            if isinstance(kept, _Labels):
                kept.extend(report.table[column])
            else:
                values = report.table[column].to_numpy()
                if len(values) and values.max() > np.iinfo(kept.data.dtype).max:
                    kept.data = kept.data.astype(np.int64)
                kept.extend(values)
        for column, values in _counted(report, offset).items():
            self.counts[column].extend(values)
        listed = np.unique(report.results["idx"].to_numpy())
        taken = pa.array(listed)
        self.raw.append(pa.table({c: pc.take(arrow_text(report.raw[c]), taken) for c in report.raw.columns}))
        self.raw_idx.append(listed + offset)
        listed_only = report.outcomes is not None  # else every result is listed: nothing small to pin
        self.results.append(_in_arrow(_shifted(report.results, offset)) if listed_only else _shifted(report.results, offset))
        if report.briefs is not None:
            self.briefs.append(_in_arrow(_shifted(report.briefs, offset)))
        self.files += report.files
        self.notes += report.notes
        self.rows += n

    def mark(self) -> tuple:
        """Where the kept pieces end now; ``rollback`` takes back whatever chunks were added since."""
        return ({c: kept.mark() if isinstance(kept, _Labels) else kept.size for c, kept in self.keys.items()},
                {c: kept.size for c, kept in self.counts.items()},
                len(self.raw), len(self.results), len(self.briefs), len(self.files), len(self.notes), self.rows)

    def rollback(self, mark: tuple) -> None:
        keys, counts, raw, results, briefs, files, notes, self.rows = mark
        for column, kept in self.keys.items():
            if isinstance(kept, _Labels):
                kept.rollback(keys[column])
            else:
                kept.size = keys[column]
        for column, kept in self.counts.items():
            kept.size = counts[column]
        del self.raw[raw:], self.raw_idx[raw:], self.results[results:], self.briefs[briefs:]
        del self.files[files:], self.notes[notes:]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({c: kept.categorical() if isinstance(kept, _Labels) else kept.array() for c, kept in self.keys.items()},
                            copy=False)

    def outcomes(self, categories: list[str]) -> pd.DataFrame:
        arrays = {c: kept.array() for c, kept in self.counts.items()}
        return pd.DataFrame({"idx": arrays["idx"], "code": pd.Categorical.from_codes(arrays["code"], categories=categories),
                             "status": pd.Categorical.from_codes(arrays["status"], categories=STATUS_NAMES),
                             "n": arrays["n"]}, copy=False)


def _counted(report: Report, offset: int) -> dict[str, np.ndarray]:
    """A chunk's outcomes as counts: one per (date, source, rule, status) that has results, with ``n``
    results and a row of that (date, source) as ``idx``. Every count and verdict is made of these
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
    return {"idx": first_row[pair] + offset, "code": code, "status": status, "n": counts[present]}


class _Heap:
    """Hands the freed pages of past chunks back to the system (glibc's malloc_trim) when the process has
    grown by ``slack`` since it last did. What is kept of each chunk lies among the blocks its table and
    rules freed, and the next chunk's arrays do not all fit those holes: 10^7 rows grew by 20 MiB a
    chunk for 4 MiB kept (1.26 GB by the end; 0.45 GB trimmed). Trimming after every chunk cost 0.3 s of
    page faults at 10^6 rows, hence the slack. Without glibc or /proc: nothing, or a trim per chunk."""

    def __init__(self, slack: int = 64 * 2**20):
        self.slack = slack
        self.trimmed_at: int | None = None

    @staticmethod
    def _resident() -> int | None:
        try:
            with open("/proc/self/statm", "rb") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError, AttributeError):
            return None

    def after_chunk(self) -> None:
        resident = self._resident()
        if resident is not None and self.trimmed_at is None:
            self.trimmed_at = resident  # the first chunk's working set: the next ones reuse it
            return
        if resident is None or resident > self.trimmed_at + self.slack:
            try:
                import ctypes

                ctypes.CDLL(None).malloc_trim(0)
            except (OSError, AttributeError):
                pass
            self.trimmed_at = self._resident()


def _in_arrow(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns in Arrow, dictionary-encoded: kept as Python strings, a chunk's few
    thousand messages each pinned a block of the interpreter's small-object memory among the chunk's
    freed millions (10^7 rows: +5 MiB a chunk). They become Python strings again when the chunks are
    merged, each distinct text once (_texts): 6.7 million skips share a few hundred messages."""
    frame = frame.copy(deep=False)
    for column in frame.columns:
        if frame[column].dtype == object:
            text = pa.array(frame[column].to_numpy(), type=pa.large_string(), from_pandas=True)
            frame[column] = pd.Series(pd.arrays.ArrowExtensionArray(text.dictionary_encode()), index=frame.index, copy=False)
    return frame


def _texts(column: pd.Series) -> np.ndarray:
    """A column _in_arrow encoded, as Python strings (None where there was none): each distinct one once."""
    encoded = column.array._pa_array.combine_chunks()
    words = np.append(encoded.dictionary.to_numpy(zero_copy_only=False), None)
    return words[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)]


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
        elif isinstance(pieces[0][column].dtype, pd.ArrowDtype):  # text kept in Arrow: Python strings again
            texts = {k: _texts(pieces[k][column]) for k in {k for _, k, _, _ in spans}}
            columns[column] = pd.Series(np.concatenate([texts[k][a:b] for _, k, a, b in spans]), dtype=object, copy=False)
        else:
            dtype = pieces[0][column].dtype
            columns[column] = pd.Series(np.concatenate([pieces[k][column].to_numpy()[a:b] for _, k, a, b in spans]),
                                        dtype=dtype, copy=False)
    return pd.DataFrame(columns, copy=False)


def _cells(pieces: list[pa.Table]) -> pd.DataFrame:
    """The listed rows' cells as written, as text (a column a chunk lacks is blank, as in one table)."""
    columns = list(dict.fromkeys(c for p in pieces for c in p.column_names))
    out = {}
    for c in columns:
        parts = [p[c].to_numpy() if c in p.column_names else np.full(p.num_rows, "", dtype=object) for p in pieces]
        out[c] = pd.Series(np.concatenate(parts) if parts else np.zeros(0, dtype=object), dtype=object, copy=False)
    return pd.DataFrame(out, copy=False)


def check_in_chunks(chunks: list[list[Path]], rules: dict, fail_on: str = "error", history=None, reference=None,
                    encoding: str | None = None, progress=None, session: str | None = None,
                    detail: tuple[str, ...] | None = None, brief: tuple[str, ...] | None = None,
                    official: bool = True) -> Report | None:
    """Check ``chunks`` of session files one after another (see the module's docstring); None when the
    files are not in date order (a chunk holds a session on or before one of the chunks before the last,
    or merging chunks would read more than MERGED_AT_MOST of them as one)."""
    from wrapcheck.engine import run

    carry = any(getattr(rule, "reads_history", False) for rule in rules.values())
    kept = _Kept()
    heap = _Heap()
    earlier, until = None, None
    categories = None
    held = None  # rows read and not checked yet: the last chunk's last session
    unchecked_from = (0, None)  # where the rows not checked yet begin: a planned chunk, after the rows held then
    last_checked = None  # unchecked_from, kept.mark(), earlier and until as they were before the last check

    def read(files: list[Path], held: LoadedTable | None):
        return load(files, encoding, None, session, files=files, after=held)

    # The next chunk is read while this one is checked (Arrow parses without the interpreter's lock):
    # 10^6 rows, six rules, 2.7 -> 2.4 s, the time of one table, for one more chunk in memory (+90 MiB).
    reader = ThreadPoolExecutor(1, thread_name_prefix="wrapcheck-next-chunk")
    upcoming = reader.submit(read, chunks[0], None)
    try:
        for number in range(1, len(chunks) + 1):
            if progress:
                progress(f"reading chunk {number} of {len(chunks)}", number - 1, len(chunks))
            loaded, upcoming = upcoming.result(), None
            first, last = _date_range(loaded.table)
            if until is not None and first is not None and first <= until:
                # Sessions of the chunk checked last: that one again, with this one.
                unchecked_from, mark, earlier, until = last_checked
                start, held = unchecked_from
                if (until is not None and first <= until) or number - start > MERGED_AT_MOST:
                    return None
                kept.rollback(mark)
                del loaded
                loaded = read([path for planned in chunks[start:number] for path in planned], held)
                first, last = _date_range(loaded.table)
            held = None
            if number < len(chunks) and last is not None:
                loaded, held = _held_back(loaded, last)
            if number < len(chunks):
                upcoming = reader.submit(read, chunks[number], held)
            if loaded is None:  # one session so far: read on
                continue
            if held is not None:
                first, last = _date_range(loaded.table)
            last_checked = (unchecked_from, kept.mark(), earlier, until)
            unchecked_from = (number, held)
            if progress:
                progress(f"checking chunk {number} of {len(chunks)}", number - 1, len(chunks))
            report = run(loaded, rules, fail_on=fail_on, history=history, reference=reference, detail=detail, brief=brief,
                         earlier=(earlier, until) if earlier is not None else None, whole_record=carry and last is not None,
                         official=official)
            if carry and last is not None:
                earlier = report.record[~after(report.record, last)]  # later ones: --history only so far
            if last is not None:
                until = last if until is None else max(until, last)
            categories = list(report.results["code"].cat.categories)
            kept.add(report)
            del loaded, report
            heap.after_chunk()
    finally:
        if upcoming is not None:
            upcoming.cancel()
        reader.shutdown(wait=True)
    if categories is None:
        return None
    table = kept.table()
    raw_rows = np.full(len(table), -1, dtype=np.int32 if len(table) < 2**31 else np.int64)
    listed = np.concatenate(kept.raw_idx) if kept.raw_idx else np.zeros(0, dtype=np.int64)
    raw_rows[listed] = np.arange(len(listed))
    results = _by_rule(kept.results, categories)
    outcomes = kept.outcomes(categories) if detail is not None else None
    if outcomes is not None and int(outcomes["n"].sum()) == len(results):
        outcomes = None  # every result kept in detail, as run() leaves it
    briefs = _by_rule(kept.briefs, categories) if kept.briefs else None
    return Report(files=kept.files, table=table, raw=_cells(kept.raw), results=results, rules=rules,
                  outcomes=outcomes, briefs=briefs, fail_on=fail_on, notes=kept.notes, raw_rows=raw_rows)
