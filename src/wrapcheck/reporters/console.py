from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wrapcheck.model import Report
from wrapcheck.reporters.base import Reporter
from wrapcheck.reporters.text import describe_value, problems

STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "error": "bold magenta", "skip": "dim"}


class ConsoleReporter(Reporter):
    """A rich table of the failing checks per source, a verdict line per source and a total line.
    With many sources (an archive) only the ones that did not pass are shown one by one."""

    def __init__(self, console: Console | None = None, max_rows: int = 50, max_sources: int = 50):
        # Not a terminal (CI logs, pipes): wide lines rather than 80-column wrapping.
        self.console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 200)
        self.max_rows = max_rows
        self.max_sources = max_sources

    def print(self, report: Report) -> None:
        c = self.console
        counts = sorted(report._counts_by_source().items())
        shown = counts if len(counts) <= self.max_sources else [(k, v) for k, v in counts if v["verdict"] != "pass"]
        # Only the sources printed get their results built (an archive has 10^5 failing results).
        for source in report.source_dicts(("fail", "error"), [k for k, _ in shown[: self.max_sources]]):
            self._source(source)
        if len(shown) > self.max_sources:
            c.print(f"... and {len(shown) - self.max_sources} more sources that did not pass; see the reports")
        if len(shown) < len(counts):
            c.print(f"[green]{len(counts) - len(shown)} source(s) passed[/]")
        s = report.summary()
        res = s["results"]
        c.print(
            f"[{STYLE[s['verdict']]}]{s['verdict'].upper()}[/]: {s['rows']} row(s), {s['sources']} source(s), "
            f"{res['pass']} passed, {res['fail']} failed, {res['skip']} skipped, {res['error']} errors "
            f"(failing on {s['fail_on']})"
        )
        for note in s.get("notes", []):
            c.print(f"[dim]note: {escape(note)}[/]")

    def _source(self, source: dict) -> None:
        c = self.console
        bad = problems(source["results"])
        if bad:
            table = Table(title=f"{escape(source['source'])} {source['date']}", title_justify="left")
            for col in ("code", "instrument", "status", "reported", "expected", "diff", "row", "message"):
                table.add_column(col, overflow="fold", no_wrap=col in ("code", "status", "row"), ratio=3 if col == "message" else None)
            for r in bad[: self.max_rows]:
                table.add_row(
                    r["code"], escape(r["instrument"]), f"[{STYLE[r['status']]}]{r['status']}[/]",
                    escape(describe_value(r["observed"])), escape(describe_value(r["expected"])),
                    escape(describe_value(r["difference"])), f"{Path(r['file']).name}:{','.join(map(str, r['rows']))}" + (f":{r['column']}" if r.get("column") else ""),
                    escape(r["message"]),
                )
            c.print(table)
            if len(bad) > self.max_rows:
                c.print(f"  ... and {len(bad) - self.max_rows} more; see the JSON or Markdown report")
        counts = source["counts"]
        c.print(
            f"[{STYLE[source['verdict']]}]{source['verdict'].upper():4}[/] {escape(source['source'])} {source['date']}: "
            f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped, {counts['error']} errors"
        )

    def render(self, report: Report, results: str = "all") -> str:
        console = Console(width=160, highlight=False)
        with console.capture() as capture:
            ConsoleReporter(console, self.max_rows, self.max_sources).print(report)
        return capture.get()
