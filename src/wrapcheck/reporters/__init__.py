"""Reporters: each turns a Report into one format. The CLI picks them by :class:`ReportFormat`."""

from __future__ import annotations

from enum import StrEnum

from wrapcheck.reporters.base import Reporter


class ReportFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    GITHUB = "github"
    SARIF = "sarif"


def get_reporter(fmt: ReportFormat | str) -> Reporter:
    fmt = ReportFormat(fmt)
    if fmt is ReportFormat.CONSOLE:
        from wrapcheck.reporters.console import ConsoleReporter

        return ConsoleReporter()
    if fmt is ReportFormat.JSON:
        from wrapcheck.reporters.json import JsonReporter

        return JsonReporter()
    if fmt is ReportFormat.MARKDOWN:
        from wrapcheck.reporters.markdown import MarkdownReporter

        return MarkdownReporter()
    from wrapcheck.reporters.machine import GitHubReporter, JUnitReporter, SarifReporter

    return {ReportFormat.JUNIT: JUnitReporter, ReportFormat.GITHUB: GitHubReporter, ReportFormat.SARIF: SarifReporter}[fmt]()


__all__ = ["ReportFormat", "Reporter", "get_reporter"]
