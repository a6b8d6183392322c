from __future__ import annotations

from typing import Any

import pandas as pd

from wrapcheck.model import Report
from wrapcheck.reporters.base import Reporter
from wrapcheck.reporters.text import describe_value, problems

_ESCAPE = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
                         "\n": " ", "\r": " "})


def md(text: Any) -> str:
    """Inert in Markdown: table pipes, HTML and emphasis are escaped, newlines folded."""
    return str(text).translate(_ESCAPE)


def skip_groups(report: Report) -> dict[tuple[str, str], list[tuple[str, str, str, str]]]:
    """Per (date, source): (code, name, why, instruments) for each kind of skip, instruments joined."""
    res = report.results[report.results["status"].eq("skip").to_numpy()]
    if res.empty:
        return {}
    idx = res["idx"].to_numpy()
    frame = pd.DataFrame({
        "date": report.table["date"].to_numpy()[idx].astype(str),
        "source": report.table["source"].to_numpy()[idx].astype(str),
        "code": res["code"].to_numpy(), "message": res["message"].to_numpy(),
        "instrument": report.table["instrument"].to_numpy()[idx].astype(str),
    })
    grouped = frame.groupby(["date", "source", "code", "message"], sort=True)["instrument"].agg(", ".join)
    out: dict[tuple[str, str], list] = {}
    for (date, source, code, message), instruments in grouped.items():
        out.setdefault((date, source), []).append((code, report.rules[code].name, message, instruments))
    return out


def render_source(source: dict[str, Any], skips: list[tuple[str, str, str, str]]) -> str:
    counts = source["counts"]
    lines = [
        f"# {md(source['source'])}, {md(source['date'])}: **{source['verdict'].upper()}**",
        "",
        f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped, {counts['error']} errors.",
        "",
    ]
    bad = problems(source["results"])
    if bad:
        lines += ["## Failing checks", "", "| code | instrument | status | reported | expected | difference | row | message |",
                  "|---|---|---|---|---|---|---|---|"]
        lines += [
            f"| {r['code']} {md(r['name'])} | {md(r['instrument'])} | {r['status']} | {md(describe_value(r['observed']))} "
            f"| {md(describe_value(r['expected']))} | {md(describe_value(r['difference']))} | {','.join(map(str, r['rows']))} "
            f"| {md(r['message'])} |"
            for r in bad
        ]
        lines.append("")
    if skips:
        lines += ["## Skipped checks", "", "| code | why | instruments |", "|---|---|---|"]
        lines += [f"| {code} {md(name)} | {md(why)} | {md(instruments)} |" for code, name, why, instruments in skips]
        lines.append("")
    return "\n".join(lines)


def source_markdowns(report: Report) -> list[tuple[dict[str, Any], str]]:
    skips = skip_groups(report)
    return [(s, render_source(s, skips.get((s["date"], s["source"]), []))) for s in report.source_dicts(("fail", "error"))]


def totals_line(summary: dict[str, Any]) -> str:
    res = summary.get("results", {})
    return (f"**{summary.get('verdict', '').upper()}**: {summary.get('sources', 0)} source(s); "
            f"{res.get('pass', 0)} passed, {res.get('fail', 0)} failed, {res.get('skip', 0)} skipped, "
            f"{res.get('error', 0)} errors.\n")


def day_summary_markdown(date: str, headers: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    lines = [f"# wrapcheck summary, {md(date)}", "", "| source | verdict | pass | fail | skip | error |", "|---|---|---|---|---|---|"]
    for h in headers:
        c = h["counts"]
        lines.append(f"| {md(h['source'])} | **{h['verdict']}** | {c['pass']} | {c['fail']} | {c['skip']} | {c['error']} |")
    return "\n".join(lines + ["", totals_line(summary)])


class MarkdownReporter(Reporter):
    """Markdown for people (and PR comments): per source, a verdict, the failures with reported vs
    expected, and the skips grouped with what they lacked."""

    suffix = ".md"

    def render(self, report: Report, results: str = "all") -> str:
        parts = [text for _, text in source_markdowns(report)]
        return "\n".join(parts + [totals_line(report.summary())])
