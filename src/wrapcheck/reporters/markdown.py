from __future__ import annotations

from typing import Any

from wrapcheck.reporters.base import Reporter
from wrapcheck.reporters.text import describe_value, problems

_ESCAPE = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
                         "\n": " ", "\r": " "})


def md(text: Any) -> str:
    """Inert in Markdown: table pipes, HTML and emphasis are escaped, newlines folded."""
    return str(text).translate(_ESCAPE)


class MarkdownReporter(Reporter):
    """Markdown for people: a verdict, the failures with reported vs expected, the skips with what they lacked."""

    suffix = ".md"

    def render(self, document: dict[str, Any]) -> str:
        parts = [self.render_source(s) for s in document["sources"]]
        if document.get("summary"):
            parts.append(self._totals(document["summary"]))
        return "\n".join(parts)

    def render_source(self, source: dict[str, Any]) -> str:
        counts = source["counts"]
        lines = [
            f"# {md(source['source'])} — {md(source['date'])}: **{source['verdict'].upper()}**",
            "",
            f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped, {counts['error']} errors.",
            "",
        ]
        bad = problems(source["results"])
        if bad:
            lines += ["## Failing checks", "", "| code | instrument | status | reported | expected | difference | row | message |",
                      "|---|---|---|---|---|---|---|---|"]
            for r in bad:
                lines.append(
                    f"| {r['code']} {md(r['name'])} | {md(r['instrument'])} | {r['status']} | {md(describe_value(r['observed']))} "
                    f"| {md(describe_value(r['expected']))} | {md(describe_value(r['difference']))} | {','.join(map(str, r['rows']))} "
                    f"| {md(r['message'])} |"
                )
            lines.append("")
        skipped = [r for r in source["results"] if r["status"] == "skip"]
        if skipped:
            lines += ["## Skipped checks", "", "| code | instrument | why |", "|---|---|---|"]
            lines += [f"| {r['code']} {md(r['name'])} | {md(r['instrument'])} | {md(r['message'])} |" for r in skipped]
            lines.append("")
        return "\n".join(lines)

    def render_summary(self, document: dict[str, Any]) -> str:
        lines = ["# wrapcheck summary", "", "| date | source | verdict | pass | fail | skip | error |", "|---|---|---|---|---|---|---|"]
        for s in document["sources"]:
            c = s["counts"]
            lines.append(f"| {md(s['date'])} | {md(s['source'])} | **{s['verdict']}** | {c['pass']} | {c['fail']} | {c['skip']} | {c['error']} |")
        lines += ["", self._totals(document["summary"])]
        return "\n".join(lines)

    @staticmethod
    def _totals(summary: dict[str, Any]) -> str:
        res = summary.get("results", {})
        return (f"**{summary.get('verdict', '').upper()}**: {summary.get('sources', 0)} source(s); "
                f"{res.get('pass', 0)} passed, {res.get('fail', 0)} failed, {res.get('skip', 0)} skipped, "
                f"{res.get('error', 0)} errors.\n")
