"""Read session CSV files into one table, numbers as written.

The table has, per row: ``_file``, ``_row`` (CSV row number, header = 1), ``date`` (ISO text),
``source``, ``instrument`` (canonical name, or as written when it cannot be resolved), ``kind``,
``market``, every numeric column of the contract as float (NaN when empty or unreadable) with its
half-width in ``<column>__hw``, and ``title``/``statement`` text. ``raw`` keeps every cell as written.
Unreadable cells are listed in ``parse_errors`` (rule S002); nothing is dropped.
"""

from __future__ import annotations

import os
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wrapcheck.numbers import CHANGE, COUNT, KRW_BN, NUMERIC_COLUMNS, SHARES, ParseError, clip, parse_figure
from wrapcheck.reader import (ARTICLE_SUFFIXES, BATCH_BYTES, SESSION_SUFFIXES, ReadError, arrow_cells, header_columns,
                             plain_parts, read_batch, read_cells)
from wrapcheck.registry import KINDS, guess_kind, load_registry

REQUIRED_COLUMNS = ("date", "source", "instrument")
TEXT_COLUMNS = ("kind", "outlet", "title", "url", "statement")
KNOWN_COLUMNS = (*REQUIRED_COLUMNS, *TEXT_COLUMNS, *NUMERIC_COLUMNS)

PARALLEL_ROWS = 50_000  # below this, starting threads costs more than it saves
# A numeric column is parsed in slices: the kernels' copies (trimmed text, filtered text, lengths) of one
# slice are in memory at a time, not of the whole column (~100 MiB a column at 10^6 rows, two at once).
SLICE_ROWS = 1 << 17
PARALLEL_FILES = 16  # from this many files on, they are read side by side
_PLAIN = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
# The common written forms, read column-wise: sign, number, an optional multiplier and unit word.
_COMMON = (
    r"^(?P<sign>[+\-\u2212]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<mult>thousand|million|billion|trillion|bn|tn|mn)?\s*"
    r"(?P<unit>%|won|krw|points|pts|shares|bp|bps|basis points)?$"
)
# The same for Arrow's RE2: ASCII digits (others go to parse_figure), and \s widened to what Python's
# \s (str.isspace) matches.
_COMMON_RE2 = _COMMON.replace("\\u2212", "\u2212").replace("\\s", "[\\s\\x0B\\x1C-\\x1F\\x{85}\\pZ]")
_MULT_EXP = {"": 0, "thousand": 3, "million": 6, "mn": 6, "billion": 9, "bn": 9, "trillion": 12, "tn": 12}


LoadError = ReadError  # one exception for every unreadable input
ARTICLE_LINE = "_line"  # wrapcheck.extract.LINE: the column an article's rows carry their line in
ARTICLE_COLUMN = "_column"  # wrapcheck.extract.COLUMN: and the column (character) their sentence starts at


@dataclass
class LoadedTable:
    table: pd.DataFrame
    raw: pd.DataFrame
    parse_errors: pd.DataFrame  # idx, column, text, reason
    files: list[str]
    notes: list[str] = field(default_factory=list)
    missing_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file -> required columns absent


def discover(paths: list[str | Path]) -> list[Path]:
    """Files named directly, and every session file under the directories named (symbolic links to
    directories followed, each directory once), sorted."""
    found: list[Path] = []
    for p in map(Path, paths):
        try:
            mode = p.stat().st_mode
        except OSError:
            mode = 0
        if stat.S_ISDIR(mode):
            files = _session_files(p)
            if not files:
                raise LoadError(f"{p}: no session files ({', '.join('*' + s for s in SESSION_SUFFIXES)}) or articles "
                                f"({', '.join('*' + s for s in ARTICLE_SUFFIXES)}) in this directory")
            found.extend(files)
        elif stat.S_ISREG(mode):
            found.append(p)
        else:
            raise LoadError(f"{p}: no such file or directory")
    return found


def _session_files(folder: Path) -> list[Path]:
    """Session files below ``folder``, in path order. os.scandir gives each entry's type with the
    directory listing (Path.rglob took 1.2 s for 83,000 files, this 0.5 s)."""
    seen: set[str] = set()
    found: list[str] = []
    drafts: list[str] = []
    pending = [str(folder)]
    while pending:
        directory = pending.pop()
        real = os.path.realpath(directory)
        if real in seen:  # a link back to a directory already walked
            continue
        seen.add(real)
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # unreadable: nothing in it can be listed, as Path.rglob skips it
        for entry in entries:
            if entry.is_dir():
                pending.append(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in SESSION_SUFFIXES and entry.is_file():
                found.append(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES and entry.is_file():
                drafts.append(entry.path)
    # A folder of drafts (articles and no session files) is checked article by article.
    return sorted(map(Path, found or drafts), key=lambda path: path.parts)


# Columns the loader derives from a field, given to every rule that declares the field.
DERIVED_COLUMNS = {"change": ("change_level",)}
# Who reported what, where and when: the columns every rule's rows carry besides its own fields.
ROW_KEYS = ("_file", "_row", "source", "instrument_text", "date", "instrument", "resolved", "kind", "market")


def arrow_text(text: pd.Series, combine: bool = True) -> pa.Array | pa.ChunkedArray:
    """A text column as one Arrow string array (no copy when pandas already holds it in Arrow).
    ``combine=False`` leaves a column read from many files in its chunks (for a take of a few rows)."""
    try:
        arr = pa.array(text.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, UnicodeError):
        arr = pa.array(text.astype(str).to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray) and combine:
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()  # one chunk: no copy
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else pc.cast(arr, pa.large_string())


def present_text(arr: pa.Array) -> np.ndarray:
    """Which cells hold more than white space."""
    return _bools(pc.not_equal(pc.utf8_trim_whitespace(pc.fill_null(arr, "")), ""))


def _bools(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool)


def _parse_numeric(text: pd.Series, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str]]:
    """Values, half-widths and bp flags of one column; unreadable positions -> reason.

    Plain numbers ("4525.48", "+67.96", "4,525.48") are read in Arrow's compute kernels, column-wise;
    the common unit forms with one regex; what is left, cell by cell, by numbers.parse_figure."""
    n = len(text)
    if _all_blank(text):
        return _nothing_written(n)
    column = arrow_text(text, combine=False)  # a column in pieces (one per file or batch) stays so
    values = np.full(n, np.nan)
    halves = np.full(n, np.nan)
    bp = np.zeros(n, dtype=bool)
    present = np.zeros(n, dtype=bool)
    for start in range(0, n, SLICE_ROWS):  # views: each slice writes its part of the arrays
        end = min(start + SLICE_ROWS, n)
        cells = column.slice(start, end - start)
        cells = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells  # a slice's copy, if any
        _parse_slice(cells, unit, values[start:end], halves[start:end], bp[start:end], present[start:end])
    if not present.any():
        return _nothing_written(n)
    errors: dict[int, str] = {}
    cache: dict[str, object] = {}
    for pos in np.flatnonzero(present & np.isnan(halves)):
        cell = text.iat[pos]
        got = cache.get(cell)
        if got is None:
            try:
                got = parse_figure(cell, unit)
            except ParseError as exc:
                got = str(exc)
            cache[cell] = got
        if isinstance(got, str):
            errors[pos] = got
        else:
            values[pos], halves[pos], bp[pos] = got.value, got.halfwidth, got.basis_points
    bad_float = present & ~np.isfinite(values)
    if errors:
        bad_float[list(errors)] = False
    for pos in np.flatnonzero(bad_float):
        errors[pos] = f"not a finite number: {clip(text.iat[pos])}"
    return values, halves, bp, errors


def _parse_slice(cells: pa.Array, unit: str, values: np.ndarray, halves: np.ndarray, bp: np.ndarray, present: np.ndarray) -> None:
    """Fill in one slice of a column: which cells hold something (``present``), and the values and
    half-widths of those written as plain numbers or in a common unit form (the rest stay NaN)."""
    arrow = pc.utf8_trim_whitespace(cells)
    present[:] = _bools(pc.not_equal(arrow, ""))
    if not present.any():
        return
    # Commas are removed (a copy of every cell) only if some cell has one; all-plain slices are not filtered.
    has_comma = _bools(pc.match_substring(arrow, ","))
    no_commas = pc.replace_substring(arrow, ",", "") if has_comma.any() else arrow
    plain = _bools(pc.match_substring_regex(no_commas, _PLAIN.pattern)) & present
    if unit == COUNT:
        plain &= ~_bools(pc.match_substring(no_commas, "."))
    # Thousands separators must be well placed to take the fast path ("1,2345" is not a number).
    commas = has_comma & plain
    if commas.any():
        plain &= ~commas | _bools(pc.match_substring_regex(arrow, r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"))
    if plain.any():
        sub = no_commas if plain.all() else pc.filter(no_commas, pa.array(plain))
        values[plain] = pc.cast(sub, pa.float64()).to_numpy(zero_copy_only=False)
        dot = pc.find_substring(sub, ".").to_numpy(zero_copy_only=False)
        length = pc.utf8_length(sub).to_numpy(zero_copy_only=False)
        decimals = np.where(dot >= 0, length - dot - 1, 0)
        halves[plain] = 0.5 * np.power(10.0, -decimals)
    rest = present & ~plain
    if rest.any():
        where = np.flatnonzero(rest)
        _parse_common(pc.take(arrow, pa.array(where)), where, unit, values, halves, bp)


def _blank_column(n: int) -> pd.Categorical:
    """A column no file has: one category "" (1 byte a row), not a million empty strings (8 or more)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([""], dtype=object))


def _all_blank(text: pd.Series) -> bool:
    """True for a column made by _blank_column (or any categorical of blank categories): nothing to read."""
    return isinstance(text.dtype, pd.CategoricalDtype) and not text.cat.categories.astype(str).str.strip().any()


def _nothing_written(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str]]:
    """A numeric column with no figure: NaN values and half-widths as read-only broadcasts of one NaN
    (no memory: an archive lacking four of the contract's columns saved 61 MiB at 10^6 rows)."""
    nan = np.broadcast_to(np.float64(np.nan), (n,))
    return nan, nan, np.broadcast_to(False, (n,)), {}


def _parse_common(cells: pa.Array, where: np.ndarray, unit: str, values: np.ndarray, halves: np.ndarray,
                  bp: np.ndarray) -> None:
    """Fill in the cells (stripped, at positions ``where``) written in a common form, matched in Arrow's
    regex kernel; the rest (other forms, digits other than ASCII) stay NaN for parse_figure."""
    parts = pc.extract_regex(pc.utf8_lower(cells), _COMMON_RE2)
    ok = _bools(pc.is_valid(parts))
    if not ok.any():
        return

    def field(name: str) -> pa.Array:
        return pc.fill_null(pc.struct_field(parts, name), "")
    mult = field("mult").to_numpy(zero_copy_only=False).astype(object)
    if unit not in (KRW_BN, SHARES):
        ok &= mult == ""
    num = pc.replace_substring(field("num"), ",", "")
    dot = pc.find_substring(num, ".").to_numpy(zero_copy_only=False)
    if unit == COUNT:
        ok &= dot < 0
    if not ok.any():
        return
    length = pc.utf8_length(num).to_numpy(zero_copy_only=False)
    decimals = np.where(dot >= 0, length - dot - 1, 0)
    exponent = np.array([_MULT_EXP[m] for m in mult], dtype=float) if len(mult) else np.zeros(0)
    if unit == KRW_BN:
        exponent = np.where(exponent > 0, exponent - 9, 0.0)  # a bare flow is already in billions
    scale = np.power(10.0, exponent)
    value = pc.cast(pc.if_else(pa.array(ok), num, "0"), pa.float64()).to_numpy(zero_copy_only=False) * scale
    sign = field("sign").to_numpy(zero_copy_only=False).astype(object)
    value = np.where((sign == "-") | (sign == "\u2212"), -value, value)
    unit_word = field("unit").to_numpy(zero_copy_only=False).astype(object)
    target = where[ok]
    values[target] = value[ok]
    halves[target] = (0.5 * np.power(10.0, -decimals) * scale)[ok]
    bp[target] = np.isin(unit_word[ok], ["bp", "bps", "basis points"])


def _categorical(values) -> pd.Categorical:
    """Text as a categorical with sorted categories, encoded by Arrow (hashing a million Python
    strings would cost ten times as much)."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object), dtype=object)
    encoded = pc.dictionary_encode(pc.fill_null(arrow_text(series), ""))
    # The dictionary's entries are distinct: np.unique sorts them and gives each one's sorted position.
    categories, rank = np.unique(np.asarray(encoded.dictionary.to_pylist(), dtype=object).astype(str), return_inverse=True)
    codes = rank.reshape(-1)[encoded.indices.to_numpy(zero_copy_only=False)] if len(categories) else np.zeros(len(series), dtype=np.int64)
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories.astype(object), dtype=object))


DATED = "\x1f"  # joins a name and a date in the categories of names resolved per date


def _resolve_names(registry, names: pd.Categorical, dates: pd.Series) -> tuple[pd.Categorical, list]:
    """The instrument of each distinct name; a name whose meaning depends on the date (an alias with a
    period) is resolved per distinct (name, date), its categories then reading "name<DATED>date"."""
    texts = [str(u) for u in names.categories]
    resolved = [registry.resolve(u) for u in texts]
    dated = np.array([not registry.in_file(u) and registry.is_dated(u) for u in texts], dtype=bool)
    if not dated.any():
        return names, resolved
    rows = dated[names.codes] & (names.codes >= 0)
    keyed = np.asarray(names.astype(object), dtype=object).copy()
    keyed[rows] = keyed[rows] + DATED + dates.to_numpy(dtype=object)[rows].astype(str)
    names = _categorical(pd.Series(keyed, dtype=object))
    resolved = [registry.resolve(*u.split(DATED)) for u in map(str, names.categories)]
    return names, resolved


_WHOLE_WON = re.compile(r"^\s*\d{1,3}(?:,\d{3})+\s*(?:won|원)?\s*$|^\s*\d+\s*(?:won|원)\s*$")


def _kind_from_figures(kind: pd.Categorical, raw: pd.DataFrame) -> pd.Categorical:
    """Rows of an unknown instrument with no kind: a close in whole won ("152,300", "9,870원") is a stock's."""
    unknown = np.asarray(kind == "", dtype=bool)
    if not unknown.any() or "close" not in raw.columns:
        return kind
    where = np.flatnonzero(unknown)
    stock = raw["close"].iloc[where].fillna("").astype(str).str.match(_WHOLE_WON).to_numpy(dtype=bool)
    if not stock.any():
        return kind
    labels = np.asarray(kind.astype(object), dtype=object)
    labels[where[stock]] = "stock"
    return _categorical(pd.Series(labels, dtype=object))


def _recode(cat: pd.Categorical, labels) -> pd.Categorical:
    """``cat`` with each category replaced by its label (labels may repeat: "Kospi" and "KOSPI" -> KOSPI)."""
    labels = np.asarray(list(labels), dtype=object)
    if not len(labels):
        return pd.Categorical(np.full(len(cat), "", dtype=object))
    uniques, inverse = np.unique(labels.astype(str), return_inverse=True)
    return pd.Categorical.from_codes(inverse[cat.codes], categories=pd.Index(uniques, dtype=object))


def parse_frame(raw: pd.DataFrame, files: np.ndarray | pd.Categorical, rows: np.ndarray) -> tuple[pd.DataFrame, list[tuple[int, str, str, str]]]:
    """The typed table of a frame of cells as written (every known column present), and its unreadable cells."""
    table: dict[str, object] = {}  # columns, made a frame once at the end (pandas copies on every setitem)
    table["_file"] = files if isinstance(files, pd.Categorical) else _categorical(files)
    table["_row"] = rows
    errors: list[tuple[int, str, str, str]] = []

    # Identity columns: a handful of distinct values over millions of rows, so categoricals (look-ups,
    # groupings and comparisons then touch the categories, not every row's text).
    table["source"] = _categorical(raw["source"].str.strip())
    instrument_text = raw["instrument"].str.strip()
    names = _categorical(instrument_text)
    table["instrument_text"] = names
    dates = raw["date"].str.strip()
    date_cat = _categorical(dates)
    parsed = pd.to_datetime(pd.Series(date_cat.categories, dtype=object), format="%Y-%m-%d", errors="coerce")
    bad_category = (date_cat.categories != "") & parsed.isna().to_numpy()
    bad_dates = bad_category[date_cat.codes] if len(date_cat.categories) else np.zeros(len(dates), dtype=bool)
    for pos in np.flatnonzero(bad_dates):
        errors.append((pos, "date", dates.iat[pos], f"not an ISO date (YYYY-MM-DD): {clip(dates.iat[pos])}"))
    iso = np.where(bad_category | (date_cat.categories == ""), np.asarray(date_cat.categories, dtype=object),
                   parsed.dt.strftime("%Y-%m-%d").to_numpy(dtype=object))
    table["date"] = _recode(date_cat, iso)

    # Instruments, kinds and markets from the registry, resolved once per distinct name (per name and
    # date for the few names that meant another company at another time).
    registry = load_registry()
    names, resolved = _resolve_names(registry, names, dates)
    table["instrument"] = _recode(names, [r.name if r else u.split(DATED)[0] for u, r in zip(names.categories, resolved)])
    table["resolved"] = np.array([r is not None for r in resolved], dtype=bool)[names.codes] if resolved else np.zeros(len(raw), dtype=bool)
    kind_given = raw["kind"].str.strip().str.lower()
    registry_kind = _recode(names, [r.kind if r else guess_kind(u.split(DATED)[0]) for u, r in zip(names.categories, resolved)])
    given = kind_given.ne("").to_numpy()
    if given.any():  # a kind column overrides the registry where it is filled in
        table["kind"] = _categorical(pd.Series(np.where(given, kind_given.to_numpy(dtype=object),
                                                        np.asarray(registry_kind, dtype=object)), index=raw.index, dtype=object))
    else:
        table["kind"] = registry_kind
    for pos in np.flatnonzero((kind_given.ne("") & ~kind_given.isin(KINDS)).to_numpy()):
        errors.append((pos, "kind", raw["kind"].iat[pos], f"kind must be one of {', '.join(KINDS)}"))
    table["market"] = _recode(names, [r.market if r else "" for r in resolved])
    table["kind"] = _kind_from_figures(table["kind"], raw)

    # Numbers as written.
    is_yield = np.asarray(table["kind"] == "yield", dtype=bool)
    columns = [(raw[col], unit) for col, unit in NUMERIC_COLUMNS.items()]
    if len(raw) >= PARALLEL_ROWS:  # Arrow's kernels release the GIL: columns parse side by side
        with ThreadPoolExecutor(min(len(columns), os.cpu_count() or 1)) as pool:
            parsed = list(pool.map(lambda column: _parse_numeric(*column), columns))
    else:
        parsed = [_parse_numeric(*column) for column in columns]
    for col, unit, (values, halves, bp, col_errors) in zip(NUMERIC_COLUMNS, NUMERIC_COLUMNS.values(), parsed):
        if unit == CHANGE:
            wrong = bp & ~is_yield
            for pos in np.flatnonzero(wrong):
                col_errors[pos] = f"basis points on a {table['kind'][pos] or 'non-yield'} row: {clip(raw[col].iat[pos])}"
        for pos, reason in col_errors.items():
            errors.append((pos, col, raw[col].iat[pos], reason))
            values[pos] = halves[pos] = np.nan
        table[col] = values
        table[col + "__hw"] = halves
    # A yield's change is in basis points; its change in the level's unit (percent) is change / 100
    # (a rule that declares "change" also gets change_level: DERIVED_COLUMNS).
    scale = np.where(is_yield, 0.01, 1.0)
    table["change_level"] = table["change"] * scale
    table["change_level__hw"] = table["change__hw"] * scale
    for col in ("title", "statement", "outlet", "url"):
        table[col] = raw[col]
    frame = pd.DataFrame({c: v if isinstance(v, pd.Series) else pd.Series(v, index=raw.index, copy=False)
                          for c, v in table.items()}, index=raw.index, copy=False)
    return frame, errors


def read_article(path: Path, session: str | None) -> tuple[pd.DataFrame, list[str]]:
    """A wrap in prose: its extracted session rows, and a note for every sentence left unextracted.
    The session date: --date, else a sidecar NAME.meta.toml (`date = "YYYY-MM-DD"`), else the text."""
    from wrapcheck.extract import COLUMN, COLUMNS, LINE, extract_file

    session = session or sidecar_date(path)
    try:
        extraction = extract_file(path, session)
    except (ValueError, OSError) as exc:
        raise ReadError(f"{path}: {exc}") from None
    if not extraction.rows:
        raise ReadError(f"{path}: no figures found to check in this article")
    columns = [*COLUMNS, LINE, COLUMN]  # the article line and column of each row travel as its location
    frame = pd.DataFrame([{c: r.get(c, "") for c in columns} for r in extraction.rows], columns=columns, dtype=str)
    notes = [f"{path}: extracted {len(frame)} row(s) for session {extraction.session}"]
    notes += [f"{path}:{u.line}:{u.column}: not extracted: {u.number!r} ({u.why}) in {clip(u.sentence, 120)}" for u in extraction.unextracted]
    notes += [f"{path}:{c.line}: cites {', '.join(c.sources)}; its figures are checked as the article's own" for c in extraction.citations]
    return frame, notes


def _gather(cells: list[pa.Table]) -> pd.DataFrame:
    """One frame of every file's cells, concatenated in Arrow (a pandas frame per file cost 1 ms a file
    in conversions and concatenation: 137 s for 83,000 small files); a column a file lacks is blank in
    that file's rows. A column of thousands of pieces becomes one array (83,000 pieces slowed every
    kernel); fewer stay as they are (joining them copied 150 MiB at 10^6 rows that the heap kept)."""
    if not cells:
        return pd.DataFrame()
    table = pa.concat_tables(cells, promote_options="default")  # a column a file lacks: null in its rows
    cells.clear()
    names, columns = table.column_names, table.columns
    del table
    gathered = {}
    for k, name in enumerate(names):  # each column's pieces freed once joined: one column's copy at a time
        column, columns[k] = columns[k], None
        array = column.combine_chunks() if column.num_chunks > MAX_PIECES else column
        del column
        gathered[name] = pc.fill_null(array, "") if array.null_count else array
    return pa.table(gathered).to_pandas()


BATCH_LIMIT = 32 * 2**20  # bytes of file bodies per batch read
MAX_PIECES = 4096  # a column read in more pieces than this is joined into one array


def _plan(files: list[Path], encoding: str | None, progress=None) -> list[tuple[str, object]]:
    """The files in order, as ("file", (path, its bytes if read already)) to be read alone, or ("batch",
    (header, (delimiter, columns), [(path, body, rows), ...])) for runs of small plain CSV files under one
    header (reader.plain_parts): an archive of 83,000 files of 12 rows spent 0.2 ms a file setting up
    Arrow's reader."""
    plan: list[tuple[str, object]] = []
    headers: dict[str, tuple[str, list[str]] | None] = {}
    run: list[tuple[Path, bytes, int]] = []
    run_header, run_bytes = None, 0

    def close_run() -> None:
        nonlocal run, run_bytes
        if len(run) == 1:
            plan.append(("file", (run[0][0], None)))
        elif run:
            plan.append(("batch", (run_header, headers[run_header], run)))
        run, run_bytes = [], 0

    for number, path in enumerate(files, start=1):
        if progress:
            progress("reading files", number, len(files))
        parts = data = None
        if path.suffix.lower() in (".csv", ".tsv"):
            try:
                data = path.read_bytes() if path.stat().st_size <= BATCH_BYTES else None
            except OSError:
                data = None  # read alone, which words the problem
            parts = plain_parts(path, data, encoding) if data is not None else None
        if parts is not None and parts[0] not in headers:
            headers[parts[0]] = header_columns(parts[0])
        if parts is None or headers[parts[0]] is None:
            close_run()
            plan.append(("file", (path, data)))  # the bytes read here are not read again
            continue
        header, body, rows = parts
        if header != run_header or run_bytes + len(body) > BATCH_LIMIT:
            close_run()
            run_header = header
        run.append((path, body, rows))
        run_bytes += len(body)
    close_run()
    return plan


def sidecar_date(path: Path) -> str | None:
    """The date of an article's sidecar (``draft.meta.toml`` beside ``draft.txt``), if it has one."""
    import tomllib

    sidecar = path.with_name(path.stem + ".meta.toml")
    try:
        return str(tomllib.loads(sidecar.read_text(encoding="utf-8")).get("date") or "") or None
    except (OSError, ValueError):
        return None


def load(paths: list[str | Path], encoding: str | None = None, progress=None, session: str | None = None,
         files: list[Path] | None = None, after: LoadedTable | None = None) -> LoadedTable:
    """Read every file (session tables, or articles to extract), then parse the cells of all of them
    at once (column-wise). ``progress(stage, done, total)`` is told of each file read; ``files``: what
    discover(paths) gave, when the caller has it already; ``after``: rows read before, whose cells come
    first and are parsed again with these (a chunk's last session held back for the next: stream.py)."""
    files = discover(paths) if files is None else files

    def read(path: Path, data: bytes | None = None) -> tuple[pa.Table, list[str]]:
        if path.suffix.lower() in ARTICLE_SUFFIXES:
            try:
                frame, file_notes = read_article(path, session)
            except ReadError as exc:
                if len(files) == 1:
                    raise
                # One draft of a folder with nothing to check (or no date) is a note, not the batch's end.
                from wrapcheck.extract import COLUMNS

                return arrow_cells(pd.DataFrame(columns=COLUMNS, dtype=str)), [f"{exc} (not checked)"]
            return arrow_cells(frame), file_notes
        return read_cells(path, encoding, data)

    cells: list[pa.Table] = []  # one per file, or one per batch of files
    lengths: list[int] = []  # rows per file
    notes, missing = [], {}

    def take(path: Path, columns: list[str], rows: int, file_notes: list[str]) -> None:
        notes.extend(file_notes)
        extra = [c for c in columns if c not in KNOWN_COLUMNS and c not in (ARTICLE_LINE, ARTICLE_COLUMN)]
        if extra:
            notes.append(f"{path}: unchecked extra column(s) kept as written: {', '.join(extra)}")
        absent = tuple(c for c in REQUIRED_COLUMNS if c not in columns)
        if absent:
            missing[str(path)] = absent
        lengths.append(rows)

    # Files are read side by side (Arrow's parser leaves the interpreter free), and small plain CSV files
    # that share a header in one Arrow read per batch (_plan). Results are taken in file order: the first
    # unreadable file in that order stops the load, as it would one by one.
    pool = ThreadPoolExecutor(min(4, os.cpu_count() or 1)) if len(files) >= PARALLEL_FILES else None
    try:
        plan = _plan(files, encoding, progress)
        alone = [pool.submit(read, *item) if pool else None for kind, item in plan if kind == "file"]
        alone.reverse()  # taken from the end, in plan order
        for step in range(len(plan)):
            (kind, item), plan[step] = plan[step], None  # a file's bytes are freed once it is read
            if kind == "file":
                future = alone.pop()
                table, file_notes = future.result() if pool else read(*item)
                cells.append(table)
                take(item[0], table.column_names, table.num_rows, file_notes)
                continue
            header, (delimiter, columns), members = item
            table = read_batch(header, [body for _, body, _ in members], delimiter, columns)
            if table is not None and table.num_rows == sum(rows for _, _, rows in members):
                cells.append(table)
                for path, _, rows in members:
                    take(path, columns, rows, [])
                continue
            for path, _, _ in members:  # not read cleanly together: one by one, each with its own words
                table, file_notes = read(path)
                cells.append(table)
                take(path, table.column_names, table.num_rows, file_notes)
        del item, table
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    lengths = np.array(lengths, dtype=np.int64)
    if after is not None:  # its cells first; columns blank in all its rows left out, as a file without them
        cells.insert(0, pa.table({c: arrow_text(after.raw[c]).cast(pa.large_string()) for c in after.raw.columns
                                  if not _all_blank(after.raw[c])}))
    raw = _gather(cells)
    for col in KNOWN_COLUMNS:
        if col not in raw.columns:
            raw[col] = _blank_column(len(raw))
    # One category per file (a file named twice is one category), repeated over its rows by code.
    names = [str(f) for f in files]
    earlier_names = [] if after is None else [str(f) for f in after.table["_file"].cat.categories]
    names_of_files, file_number = np.unique(np.array(earlier_names + names, dtype=object).astype(str), return_inverse=True)
    file_number = file_number.reshape(-1)
    file_codes = np.repeat(file_number[len(earlier_names):], lengths).astype(np.int64)
    rows = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths) + 2
    if ARTICLE_LINE in raw.columns:  # an article's rows are located by their line, not a record number
        lines = pd.to_numeric(raw[ARTICLE_LINE].iloc[len(raw) - len(rows):], errors="coerce").to_numpy()
        rows = np.where(np.isnan(lines), rows, np.nan_to_num(lines)).astype(np.int64)
    if after is not None:
        file_codes = np.concatenate([file_number[:len(earlier_names)][after.table["_file"].cat.codes.to_numpy()], file_codes])
        rows = np.concatenate([after.table["_row"].to_numpy(dtype=np.int64), rows])
        names, notes, missing = after.files + names, after.notes + notes, {**after.missing_columns, **missing}
    file_names = pd.Categorical.from_codes(file_codes, categories=pd.Index(names_of_files.astype(object), dtype=object))
    table, errors = parse_frame(raw, file_names, rows)
    table["_col"] = _article_columns(raw, after)
    parse_errors = pd.DataFrame(errors, columns=["idx", "column", "text", "reason"])
    return LoadedTable(table, raw, parse_errors, names, notes, missing)


def _article_columns(raw: pd.DataFrame, after) -> np.ndarray:
    """The column of each row's location: an article's sentence start; 0 (unknown) for a session file's cells."""
    earlier = after.table["_col"].to_numpy(dtype=np.int32) if after is not None and "_col" in after.table else np.zeros(0, np.int32)
    fresh = len(raw) - len(earlier)
    if ARTICLE_COLUMN not in raw.columns:
        return np.concatenate([earlier, np.zeros(fresh, np.int32)])
    columns = pd.to_numeric(raw[ARTICLE_COLUMN].iloc[len(earlier):], errors="coerce").fillna(0).to_numpy(dtype=np.int32)
    return np.concatenate([earlier, columns])
