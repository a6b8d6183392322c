"""Turning a file a desk produced into a frame of cells as written.

Encodings: a BOM decides (UTF-8, UTF-16); otherwise UTF-8 if the bytes decode, otherwise
charset-normalizer's best guess among the encodings Korean files use (CP949/EUC-KR above all), or the
user's --encoding. Delimiters: comma, semicolon or tab, sniffed from the header. Excel workbooks
(.xlsx) through openpyxl, numbers formatted with the decimals their cell format shows. Anything that
cannot be read raises ReadError with one line naming the file (and row and column where known).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
SESSION_SUFFIXES = (".csv", ".tsv", *EXCEL_SUFFIXES, *PARQUET_SUFFIXES)
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")  # prose, read by wrapcheck.extract
# Encodings worth trying when the bytes are not UTF-8 (charset-normalizer picks among them).
KOREAN_ENCODINGS = ["cp949", "euc_kr", "utf_16", "utf_8", "iso2022_kr", "johab", "latin_1"]


class ReadError(Exception):
    """A file that cannot be read at all (exit 2). The message is one line naming the file."""


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise ReadError(f"{path}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise ReadError(f"{path}: not {encoding} text ({exc.reason} at byte {exc.start})") from None
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise ReadError(f"{path}: starts like {name} but is not ({exc.reason} at byte {exc.start})") from None
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=KOREAN_ENCODINGS).best()
    if best is None or _looks_binary(str(best)):
        raise ReadError(f"{path}: not a text file in a known encoding (binary data?); use --encoding if it is text")
    return str(best), best.encoding


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(2, len(text[:4096]) // 100)


def first_line(text: str) -> str:
    """The header line, without splitting the whole file (an archive's files are megabytes)."""
    lines = text[:65536].splitlines()
    if len(lines) > 1 or len(text) <= 65536:  # the first line ends inside the head
        return lines[0] if lines else ""
    return (text.splitlines() or [""])[0]


def sniff_delimiter(text: str) -> str:
    header = first_line(text)
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_table(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Cells as written (strings, "" for empty), with lower-case snake_case column names, and notes."""
    cells, notes = read_cells(path, encoding)
    return cells.to_pandas(), notes


def read_cells(path: Path, encoding: str | None = None, data: bytes | None = None) -> tuple[pa.Table, list[str]]:
    """read_table's cells as an Arrow table of large_string columns: the loader gathers an archive's
    files column by column in Arrow (a pandas frame per file cost 1 ms a file in conversions and
    concatenation: 137 s for 83,000 small files). ``data``: the file's bytes, when the caller has read them."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return arrow_cells(read_excel(path)), [f"{path}: read as an Excel workbook (first sheet)"]
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return read_parquet(path), []
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ReadError(f"{path}: cannot read: {exc.strerror}") from None
    if not data or data.isspace():  # (strip would copy a whole archive file)
        raise ReadError(f"{path}: empty file (expected a header row: date,source,instrument,...)")
    text, used = decode(data, path, encoding)
    text = text.lstrip("\ufeff")
    notes = []
    if used not in ("utf-8", "utf-8-sig"):
        notes.append(f"{path}: decoded as {used}")
    delimiter, columns = parse_header(first_line(text), path)
    # UTF-8 was checked by decoding: Arrow reads the file's own bytes (no second encoding of the text).
    utf8 = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    cells = _read_csv_arrow(utf8 if used in ("utf-8", "utf-8-sig") else text.encode("utf-8"), delimiter, columns)
    if cells is not None:
        return cells, notes
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a ragged row is an error, not a truncation
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, header=0,
                                index_col=False, engine="c", skip_blank_lines=True, quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserWarning:
        raise ReadError(f"{path}: {_ragged_row(text, delimiter, len(columns))}") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1]
        row = re.search(r"line (\d+)", detail)
        where = f"row {row.group(1)}: " if row else ""
        raise ReadError(f"{path}: {where}cannot parse as CSV: {detail}") from None
    if frame.empty:
        raise ReadError(f"{path}: a header but no data rows")
    if len(frame.columns) != len(columns):
        raise ReadError(f"{path}: row 1: the header has {len(columns)} names but pandas read {len(frame.columns)} columns")
    frame.columns = columns
    return arrow_cells(frame.fillna("")), notes


BATCH_BYTES = 2**20  # files below this size may be read together with others of the same header


def plain_parts(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, bytes, int] | None:
    """A small UTF-8 CSV file that Arrow may read in one go with others of the same header: (header
    line, body ending in a newline, rows). Its rows must be its non-empty lines: no bare CR, and every
    line with an even number of quote marks (a quoted cell that runs over a line break leaves the line
    it opens on with an odd number). Anything else (another encoding, a multi-line cell, no data rows,
    ...) gives None: it is read alone (read_cells), which also words its problems."""
    if (encoding not in (None, "utf-8", "utf8") or path.suffix.lower() not in (".csv", ".tsv") or len(data) > BATCH_BYTES
            or b"\x00" in data):
        return None
    data = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    header = first_line(text)
    end = next((e for e in ("\r\n", "\n") if text.startswith(header + e)), None)
    if end is None:
        return None
    body = data[len(header.encode("utf-8")) + len(end):]
    if b"\r" in body.replace(b"\r\n", b""):
        return None
    lines = body.split(b"\n")
    if b'"' in body and any(line.count(b'"') % 2 for line in lines):
        return None
    rows = len(lines) - lines.count(b"") - lines.count(b"\r")
    if rows == 0:
        return None
    return header, body if body.endswith(b"\n") else body + b"\n", rows


def parse_header(header: str, path: Path) -> tuple[str, list[str]]:
    """(delimiter, normalized column names) of a header line; ReadError naming ``path`` if it has none
    readable, a duplicate or a blank name."""
    delimiter = sniff_delimiter(header)
    try:
        names = next(csv.reader([header], delimiter=delimiter), [])
    except csv.Error as exc:
        raise ReadError(f"{path}: row 1: cannot parse the header: {exc}") from None
    columns = [normalize_column(c) for c in names]
    check_header(columns, path)
    return delimiter, columns


def header_columns(header: str) -> tuple[str, list[str]] | None:
    """parse_header's answer for a header line that read_cells would accept, or None."""
    try:
        return parse_header(header, Path("-"))
    except ReadError:
        return None


def read_batch(header: str, bodies: list[bytes], delimiter: str, columns: list[str]) -> pa.Table | None:
    """The rows of several files' bodies under their shared header, read by Arrow at once (per file, its
    reader's set-up costs ~0.2 ms: most of the time of a 1 KB file). None if Arrow does not read them
    cleanly; the caller then reads the files one by one."""
    return _read_csv_arrow(header.encode("utf-8") + b"\n" + b"".join(bodies), delimiter, columns)


def arrow_cells(frame: pd.DataFrame) -> pa.Table:
    """A frame of cells as written as an Arrow table of large_string columns ("" for empty)."""
    return pa.table({c: pa.array(frame[c].fillna("").astype(str).to_numpy(dtype=object), type=pa.large_string())
                     for c in frame.columns}) if len(frame.columns) else pa.table({})


def _read_csv_arrow(data: bytes, delimiter: str, columns: list[str]) -> pa.Table | None:
    """The fast path: Arrow's CSV reader (multithreaded, cells straight into Arrow strings), for a
    well-formed table. Anything it does not read cleanly (a short or long row, ...) returns None, and
    pandas' reader, which words the errors, reads the file instead."""
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(len(columns))]  # the normalized header is checked already
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            # A small file in one thread: the loader reads many side by side, and Arrow's pool costs more than it saves
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, use_threads=len(data) > 2**20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                             newlines_in_values=True, ignore_empty_lines=True),
            # large_string: what pandas' str dtype holds, so to_pandas does not convert every column
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowException, UnicodeError, ValueError):
        return None
    if table.num_rows == 0:
        return None
    return table.rename_columns(columns)


def _ragged_row(text: str, delimiter: str, width: int) -> str:
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if row and len(row) != width:
                return f"row {number}: {len(row)} cells but the header has {width} columns"
    except csv.Error as exc:
        return f"cannot parse as CSV: {exc}"
    return "rows and header disagree on the number of columns"


def normalize_column(name) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def check_header(columns: list[str], path: Path) -> None:
    if not any(columns):
        raise ReadError(f"{path}: row 1: no header")
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise ReadError(f"{path}: row 1: duplicate column name(s) {', '.join(duplicated)}")
    blank = [i + 1 for i, c in enumerate(columns) if not c]
    if blank:
        raise ReadError(f"{path}: row 1: column {blank[0]} has no name")


def _excel_text(value, number_format: str) -> str:
    """A cell's value as the sheet shows it: numbers with the decimals of their format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        m = re.search(r"0\.(0+)", number_format or "")
        if m and isinstance(value, float):
            text = f"{value:,.{len(m.group(1))}f}" if "," in number_format else f"{value:.{len(m.group(1))}f}"
        elif isinstance(value, float) and value.is_integer():
            text = f"{int(value)}"
        else:
            text = repr(value) if isinstance(value, float) else str(value)
        return text + ("%" if "%" in (number_format or "") and not m else "")
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def read_excel(path: Path) -> pd.DataFrame:
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ReadError(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows()
    try:
        header_cells = next(rows)
    except StopIteration:
        raise ReadError(f"{path}: empty workbook (expected a header row)") from None
    columns = [normalize_column(c.value if c.value is not None else "") for c in header_cells]
    while columns and not columns[-1]:
        columns.pop()
    check_header(columns, path)
    records = []
    for row in rows:
        cells = [_excel_text(c.value, getattr(c, "number_format", "")) for c in row[: len(columns)]]
        if any(cells):
            records.append(cells + [""] * (len(columns) - len(cells)))
    book.close()
    if not records:
        raise ReadError(f"{path}: a header but no data rows")
    return pd.DataFrame(records, columns=columns, dtype=str)


def read_parquet(path: Path) -> pa.Table:
    """A Parquet file (pyarrow). Text columns stay as written; a column stored as numbers is read as
    the shortest text that gives back the stored value, so its precision is the stored value's."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
        raise ReadError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    columns = [normalize_column(c) for c in table.column_names]
    check_header(columns, path)
    if table.num_rows == 0:
        raise ReadError(f"{path}: a header but no data rows")
    data = {}
    for name, column in zip(columns, table.columns):
        if pa_is_temporal(column.type):
            column = pc.strftime(column, format="%Y-%m-%d")
        data[name] = pc.fill_null(pc.cast(column, pa.large_string()), "")
    return pa.table(data)


def pa_is_temporal(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type)
