from __future__ import annotations

from wrapcheck.model import Report
from wrapcheck.reporters.base import Reporter


class JsonReporter(Reporter):
    """One JSON document: {"version", "files", "sources": [{"date", "source", "verdict", "counts",
    "results": [...]}], "summary"}, equal to ``Report.to_dict()``; one result per line."""

    suffix = ".json"

    def render(self, report: Report, results: str = "all") -> str:
        from wrapcheck.reporters.columnar import document_text

        return document_text(report, results)

    def write(self, report: Report, stream, results: str = "all") -> None:
        from wrapcheck.reporters.columnar import write_document

        write_document(report, stream, results)
