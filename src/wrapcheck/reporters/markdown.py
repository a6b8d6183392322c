from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from wrapcheck.model import Report, labels_at
from wrapcheck.reporters.base import Reporter
from wrapcheck.reporters.text import describe_value, problems

_ESCAPE = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
                         "\n": " ", "\r": " "})


def md(text: Any) -> str:
    """Inert in Markdown: table pipes, HTML and emphasis are escaped, newlines folded."""
    return _md(str(text))


@lru_cache(maxsize=1 << 16)  # an archive's reports repeat the same names, reasons and instrument lists
def _md(text: str) -> str:
    return text.translate(_ESCAPE)


def _lexical_rank(values: np.ndarray) -> np.ndarray:
    """Each of these distinct values' position in sorted order (the order pandas' sorted groupby gives)."""
    return np.unique(np.asarray(values, dtype=str), return_inverse=True)[1].reshape(-1)


def skip_groups(report: Report) -> dict[tuple[str, str], list[tuple[str, str, str, str]]]:
    """Per (date, source): (code, name, why, instruments) for each kind of skip, instruments joined.

    Grouped on integer codes: an archive has millions of skips, but few sources, rules and reasons."""
    res = report.messages("skip")  # only what is read (a ValueError if the skips' messages were not kept)
    if res.empty:
        return {}
    idx = res["idx"].to_numpy()
    pair_of_row, pairs = report._source_keys
    pair = pair_of_row[idx]
    code = pd.Categorical(res["code"])
    code_names = np.asarray(code.categories, dtype=object)
    code_rank = _lexical_rank(code_names)[code.codes]
    message_codes, messages = pd.factorize(np.where(pd.isna(res["message"].to_numpy(dtype=object)), "", res["message"].to_numpy(dtype=object)))
    messages = np.asarray(messages, dtype=object)
    message_rank = _lexical_rank(messages)[message_codes]
    names = labels_at(report.table["instrument"], idx)  # the categories' own strings: no copy per row
    names[pd.isna(names)] = ""
    order = np.lexsort((np.arange(len(idx)), message_rank, code_rank, pair))  # rows keep their order in a group
    keys = np.stack([pair[order], code_rank[order], message_rank[order]])
    starts = np.flatnonzero(np.r_[True, (keys[:, 1:] != keys[:, :-1]).any(axis=0)])
    ends = np.r_[starts[1:], len(order)]
    names = names[order]
    first = order[starts]
    out: dict[tuple[str, str], list] = {}
    rule_names = {c: r.name for c, r in report.rules.items()}
    for p, c, m, a, b in zip(pair[first].tolist(), code.codes[first].tolist(), message_codes[first].tolist(),
                             starts.tolist(), ends.tolist()):
        name = code_names[c]
        out.setdefault(pairs[p], []).append((name, rule_names[name], messages[m], ", ".join(names[a:b])))
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
