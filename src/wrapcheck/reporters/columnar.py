"""The JSON of a report, built column by column with pyarrow.

An archive of 10^6 rows has about 10^7 results; one Python dict per result would take longer than
every rule together. Here each result's JSON line is joined from whole columns (escaped in bulk),
and each source's result list from offsets, so the cost per result is a few bytes copied in C.
The output parses to exactly ``Report.to_dict()`` (a test holds the two together).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, Iterator, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wrapcheck import __version__
from wrapcheck.loader import arrow_text
from wrapcheck.model import CELL_LIMIT, RESULT_SETS, STATUS_NAMES, Report, clip_cell, labels_at

_CONTROL = re.compile(r"[\x00-\x1f]")


def _escape_control(match: re.Match) -> str:
    """As json.dumps writes a control character: \\b and \\f short, the others as \\u00XX."""
    return {"\b": "\\b", "\f": "\\f"}.get(match.group(), f"\\u{ord(match.group()):04x}")


def _quoted(values: np.ndarray | pa.Array) -> pa.Array:
    """JSON string literals (with quotes) of a text column; null stays null."""
    arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string(), from_pandas=True)
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        arr = pc.replace_substring(arr, old, new)
    if pc.any(pc.match_substring_regex(arr, r"[\x00-\x1f]")).as_py():  # rare: other control characters
        arr = pa.array([None if v is None else _CONTROL.sub(_escape_control, v) for v in arr.to_pylist()],
                       type=pa.string())
    return pc.binary_join_element_wise('"', arr, '"', "")


def _number(values: np.ndarray) -> pa.Array:
    """JSON numbers; NaN and infinities are null."""
    values = np.asarray(values, dtype=float)
    arr = pc.cast(pa.array(values), pa.string())
    return pc.if_else(pa.array(np.isfinite(values)), arr, "null")


def _value(numbers: np.ndarray, texts: np.ndarray) -> pa.Array:
    text = pa.array(texts, type=pa.string(), from_pandas=True)
    return pc.coalesce(_quoted(text), _number(numbers))


def _raw_column(report: Report, field: str) -> pa.Array | pa.ChunkedArray:
    """A column of cells as written, in Arrow, converted once per report (not per chunk) and left in
    its chunks (one per file): combining copies every cell, and a report lists a few."""
    cache = report.__dict__.setdefault("_arrow_raw", {})
    if field not in cache:
        cache[field] = arrow_text(report.raw[field], combine=False)
    return cache[field]


def _raw_cells(report: Report, field: str, idx: np.ndarray) -> pa.Array:
    taken = _raw_column(report, field).take(pa.array(report.raw_positions(idx)))
    return pc.cast(taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken, pa.string())


def _cells(report: Report, idx: np.ndarray, fields: list[str]) -> pa.Array:
    if not fields:
        return pa.array(np.full(len(idx), "{}", dtype=object), type=pa.string())
    pieces = []
    for f in fields:
        text = _raw_cells(report, f, idx)
        long = pc.greater(pc.utf8_length(text), CELL_LIMIT)
        if pc.any(long).as_py():  # the same cut as model.clip_cell
            text = pa.array([clip_cell(v) if v is not None else None for v in text.to_pylist()], type=pa.string())
        piece = pc.binary_join_element_wise(json.dumps(f) + ": ", _quoted(text), ", ", "")
        pieces.append(pc.if_else(pc.or_kleene(pc.equal(text, ""), pc.is_null(text)), "", piece))
    # (null_handling="skip" drops rows in some pyarrow versions; empty pieces and a trim do the same job)
    joined = pc.utf8_rtrim(pc.binary_join_element_wise(*pieces, ""), characters=", ")
    return pc.binary_join_element_wise("{", joined, "}", "")


def result_lines(report: Report, res: pd.DataFrame) -> pa.Array:
    """One compact JSON object per result row of ``res`` (which carries date and source columns)."""
    lines, positions = [], []
    codes = res["code"].to_numpy()
    table = report.table
    for code in pd.unique(codes):
        where = np.flatnonzero(codes == code)
        sub = res.iloc[where]
        idx = sub["idx"].to_numpy()
        rule = report.rules[code]
        fields = [f for f in rule.fields if f in report.raw.columns]
        head = ", ".join([f'"code": {json.dumps(code)}', f'"name": {json.dumps(rule.name)}',
                          f'"severity": {json.dumps(str(rule.severity))}'])
        line = pc.binary_join_element_wise(
            '{"date": ', _quoted(sub["date"].to_numpy(dtype=object)),
            ', "source": ', _quoted(sub["source"].to_numpy(dtype=object)),
            ', "instrument": ', _quoted(labels_at(table["instrument"], idx)),
            ", " + head + ', "status": ', _quoted(sub["status"].to_numpy(dtype=object)),
            ', "observed": ', _value(sub["observed"].to_numpy(), sub["observed_text"].to_numpy()),
            ', "expected": ', _value(sub["expected"].to_numpy(), sub["expected_text"].to_numpy()),
            ', "difference": ', _number(sub["difference"].to_numpy()),
            ', "tolerance": ', _number(sub["tolerance"].to_numpy()),
            ', "message": ', _quoted(sub["message"].to_numpy(dtype=object)),
            ', "cells": ', _cells(report, idx, fields),
            ', "rows": [', pc.cast(pa.array(table["_row"].to_numpy()[idx]), pa.string()),
            '], "file": ', _quoted(labels_at(table["_file"], idx)),
            ', "column": ', _number(np.where(np.array(report.columns_at(idx)) > 0, np.array(report.columns_at(idx), dtype=float), np.nan)),
            "}",
            "",
        )
        lines.append(line)
        positions.append(where)
    if not lines:
        return pa.array([], type=pa.string())
    order = np.empty(len(res), dtype=np.int64)
    order[np.concatenate(positions)] = np.arange(len(res))
    return pc.take(pa.concat_arrays(lines), pa.array(order))


def _header_texts(report: Report, start: int = 0, stop: int | None = None) -> list[str]:
    """``json.dumps(header)`` without its closing brace for the headers (date, source, verdict, counts) of
    sources ``start`` to ``stop`` in order, built in bulk: an archive has 10^4-10^6 sources."""
    present, verdicts, counts = report._source_counts()
    present, verdicts, counts = present[start:stop], verdicts[start:stop], counts[start:stop]
    if not len(present):
        return []
    _, _, pair_date, pair_source, dates, sources = report._source_index
    pieces = ['{"date": ', _quoted(dates[pair_date[present]]), ', "source": ', _quoted(sources[pair_source[present]]),
              ', "verdict": ', _quoted(verdicts), ', "counts": {']
    for n, name in enumerate(STATUS_NAMES):
        pieces += [f'{", " if n else ""}"{name}": ', pc.cast(pa.array(counts[:, n]), pa.string())]
    return pc.binary_join_element_wise(*pieces, "}", "").to_pylist()


SOURCES_AT_ONCE = 5_000  # texts of sources made and written at a time: an archive has 10^5 of them
# Listed results made into JSON at a time. Their texts exist two or three times while a run is made
# (Arrow's, the joined bodies, Python's): 10^7 rows' 166,000 failures, X001's naming up to 138 sources
# each, made at once (500,000 a run) set the peak of the whole audit: 2.06 GB, 1.71 GB in runs of 50,000.
RESULTS_AT_ONCE = 50_000


def _source_chunks(report: Report, results: str, indent: str, chunk: int) -> Iterator[tuple[int, int, list[str]]]:
    """The JSON texts of every (date, source) in order, in runs of sources with about ``chunk`` listed
    results between them: (first source, end, texts). Memory stays bounded on an archive."""
    res, starts = report._ordered(RESULT_SETS[results])
    present = report._source_counts()[0]  # pair numbers, in order
    n_sources = len(present)
    pair_of_row = report._source_keys[0]
    bounds = np.r_[starts, len(res)].astype(np.int64)
    done = 0  # sources emitted
    first = 0  # index into starts of the next source with listed results
    while first < len(starts):
        last = first + 1  # at least one source per chunk, however many results it has
        while last < len(starts) and bounds[last + 1] - bounds[first] <= chunk:
            last += 1
        a, b = int(bounds[first]), int(bounds[last])
        part = res.iloc[a:b]
        lines = result_lines(report, part)
        offsets = pa.array((bounds[first:last + 1] - a).astype(np.int32))
        bodies = pc.binary_join(pa.ListArray.from_arrays(offsets, lines), ",\n" + indent).to_pylist()
        # Each listed source's place among all sources, from its pair number.
        places = np.searchsorted(present, pair_of_row[part["idx"].to_numpy()[bounds[first:last] - a]]).tolist()
        end = places[-1] + 1
        listed = ["[]"] * (end - done)  # sources without listed results in between
        for place, body in zip(places, bodies):
            listed[place - done] = "[\n" + indent + body + "\n" + indent[:-1] + "]"
        for start in range(done, end, SOURCES_AT_ONCE):
            stop = min(end, start + SOURCES_AT_ONCE)
            heads = _header_texts(report, start, stop)
            yield start, stop, [f'{h}, "results": {t}}}' for h, t in zip(heads, listed[start - done:stop - done])]
        done, first = end, last
    for start in range(done, n_sources, SOURCES_AT_ONCE):
        stop = min(n_sources, start + SOURCES_AT_ONCE)
        yield start, stop, [f'{h}, "results": []}}' for h in _header_texts(report, start, stop)]


def source_texts(report: Report, results: str = "all", indent: str = "    ",
                 chunk: int = RESULTS_AT_ONCE) -> Iterator[tuple[dict[str, Any], str]]:
    """(header, JSON text) per (date, source), in order; the header has date, source, verdict and counts."""
    headers = list(report._counts_by_source().items())  # in the same (date, source) order
    for start, end, texts in _source_chunks(report, results, indent, chunk):
        for ((date, source), info), text in zip(headers[start:end], texts):
            yield {"date": date, "source": source, **info}, text


def write_document(report: Report, stream: TextIO, results: str = "all") -> None:
    """Stream the JSON document printed by ``--format json``; it parses to ``report.to_dict(results)``."""
    stream.write("{\n" f' "version": {json.dumps(__version__)},\n' f' "files": {json.dumps(report.files, ensure_ascii=False)},\n'
                 ' "sources": [')
    written = 0
    for _, _, texts in _source_chunks(report, results, "    ", RESULTS_AT_ONCE):
        if texts:
            stream.write(("\n  " if written == 0 else ",\n  ") + ",\n  ".join(texts))
            written += len(texts)
    stream.write(("\n ]" if written else "]") + f',\n "summary": {json.dumps(report.summary(), ensure_ascii=False)}\n}}\n')


def document_text(report: Report, results: str = "all") -> str:
    buffer = io.StringIO()
    write_document(report, buffer, results)
    return buffer.getvalue()
