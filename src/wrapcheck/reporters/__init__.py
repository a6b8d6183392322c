"""Reporters: each turns a Report into one format. The CLI picks one by :class:`ReportFormat`."""

from __future__ import annotations

from enum import StrEnum

from wrapcheck.reporters.base import Reporter


class ReportFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"
    MARKDOWN = "markdown"


def get_reporter(fmt: ReportFormat | str) -> Reporter:
    fmt = ReportFormat(fmt)
    if fmt is ReportFormat.CONSOLE:
        from wrapcheck.reporters.console import ConsoleReporter

        return ConsoleReporter()
    if fmt is ReportFormat.JSON:
        from wrapcheck.reporters.json import JsonReporter

        return JsonReporter()
    from wrapcheck.reporters.markdown import MarkdownReporter

    return MarkdownReporter()


__all__ = ["ReportFormat", "Reporter", "get_reporter"]
