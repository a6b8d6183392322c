"""The reporter interface, and the file writer shared by every format."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from wrapcheck.model import Report


class Reporter:
    """Renders a report's dictionary form (``Report.to_dict()``) as text. Reporters read only results."""

    suffix = ".txt"

    def render(self, document: dict[str, Any]) -> str:  # whole run
        raise NotImplementedError

    def render_source(self, source: dict[str, Any]) -> str:  # one source's report file
        return self.render({"sources": [source], "summary": {}, "files": [], "version": ""})


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_name(text: str) -> str:
    """A file-name component that stays inside its folder: no separators, no dot-dot, no device names."""
    name = _UNSAFE.sub("_", str(text)).strip("._") or "_"
    if name.split(".")[0].lower() in _RESERVED:
        name = "_" + name
    return name[:100]


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it, so no reader sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(report: Report, document: dict[str, Any], folder: Path) -> list[Path]:
    """reports/<date>/<source>.json and .md per source, and reports/<date>/summary.json and .md."""
    from wrapcheck.reporters.json import JsonReporter
    from wrapcheck.reporters.markdown import MarkdownReporter

    writers = (JsonReporter(), MarkdownReporter())
    written: list[Path] = []
    by_date: dict[str, list[dict]] = {}
    for source in document["sources"]:
        by_date.setdefault(source["date"], []).append(source)
        base = folder / safe_name(source["date"]) / safe_name(source["source"])
        for writer in writers:
            path = base.with_name(base.name + writer.suffix)
            write_atomic(path, writer.render_source(source))
            written.append(path)
    for date, sources in by_date.items():
        day = {**document, "sources": sources, "summary": _day_summary(sources, document["summary"])}
        for writer in writers:
            path = folder / safe_name(date) / f"summary{writer.suffix}"
            write_atomic(path, writer.render_summary(day))
            written.append(path)
    return written


def _day_summary(sources: list[dict], run_summary: dict) -> dict:
    results: dict[str, int] = {}
    for s in sources:
        for k, v in s["counts"].items():
            results[k] = results.get(k, 0) + v
    verdicts = [s["verdict"] for s in sources]
    return {
        "sources": len(sources),
        "verdict": "fail" if "fail" in verdicts else "pass",
        "verdicts": {v: verdicts.count(v) for v in ("pass", "warn", "fail")},
        "results": results,
        "fail_on": run_summary.get("fail_on", "error"),
    }
