"""The reporter interface, and the report files every run writes."""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Callable, TextIO

from wrapcheck.model import Report


class Reporter:
    """Turns a :class:`Report` into one format. Reporters read only results (and the counts of them)."""

    suffix = ".txt"

    def render(self, report: Report, results: str = "all") -> str:
        raise NotImplementedError


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_name(text: str) -> str:
    """A file-name component that stays inside its folder: no separators, no dot-dot, no device names."""
    name = _UNSAFE.sub("_", str(text)).strip("._") or "_"
    if name.split(".")[0].lower() in _RESERVED:
        name = "_" + name
    return name[:100]


def source_file_stem(source: str) -> str:
    """A source's report file name; "summary" is the day's summary, so a source of that name is "summary-source"."""
    name = safe_name(source)
    return "summary-source" if name.lower() == "summary" else name


_MADE: set[Path] = set()  # folders made by this process: an archive writes thousands of files into each


def write_atomic(path: Path, text: str | Callable[[TextIO], None]) -> None:
    """Write to a temporary file beside ``path`` and rename it, so no reader sees half a report.
    The temporary name carries our process id: no other writer can hold it. ``text``: the text, or a
    function that writes it to the file (a big document need not be held whole)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    for attempt in (1, 2):
        if path.parent not in _MADE or attempt == 2:  # a second try: the folder went away since we made it
            path.parent.mkdir(parents=True, exist_ok=True)
            _MADE.add(path.parent)
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text) if isinstance(text, str) else text(fh)
            os.replace(tmp, path)
            return
        except FileNotFoundError:
            if attempt == 2:
                raise
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def write_reports(report: Report, folder: Path, results: str = "all", html: bool = False) -> list[Path]:
    """reports/<date>/<source>.json and .md per source, reports/<date>/summary.json and .md, and with
    ``html`` the HTML pages (matplotlib is imported only then: it is not on the CI gate's path)."""
    from wrapcheck.reporters.columnar import source_texts
    from wrapcheck.reporters.markdown import day_summary_markdown, source_markdowns

    written: list[Path] = []
    by_date: dict[str, list[dict]] = defaultdict(list)
    for header, text in source_texts(report, results, indent=" "):
        by_date[header["date"]].append(header)
        path = folder / safe_name(header["date"]) / f"{source_file_stem(header['source'])}.json"
        write_atomic(path, text + "\n")
        written.append(path)
    for header, text in source_markdowns(report):
        path = folder / safe_name(header["date"]) / f"{source_file_stem(header['source'])}.md"
        write_atomic(path, text)
        written.append(path)
    for date, headers in by_date.items():
        summary = day_summary(headers, report.fail_on)
        document = {"version": report_version(), "files": report.files, "date": date, "summary": summary, "sources": headers}
        day = folder / safe_name(date)
        write_atomic(day / "summary.json", json.dumps(document, ensure_ascii=False, indent=1) + "\n")
        write_atomic(day / "summary.md", day_summary_markdown(date, headers, summary))
        written += [day / "summary.json", day / "summary.md"]
    if html:
        from wrapcheck.reporters.html import write_html

        written += write_html(report, folder, by_date)
    return written


def report_version() -> str:
    from wrapcheck import __version__

    return __version__


def day_summary(headers: list[dict], fail_on: str) -> dict:
    results: dict[str, int] = defaultdict(int)
    for h in headers:
        for k, v in h["counts"].items():
            results[k] += v
    verdicts = [h["verdict"] for h in headers]
    return {
        "sources": len(headers),
        "verdict": "fail" if "fail" in verdicts else "pass",
        "verdicts": {v: verdicts.count(v) for v in ("pass", "warn", "fail")},
        "results": dict(results),
        "fail_on": fail_on,
    }
