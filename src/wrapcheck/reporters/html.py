"""HTML reports for editors: self-contained, offline (no scripts, no CDN), charts as inline SVG.

reports/<date>/<source>.html per source, reports/<date>/index.html per session and reports/index.html
across every session in the folder. Jinja2 with autoescape renders the text; matplotlib draws the
charts (imported here only, never on the default path of a run that writes no HTML).
"""

from __future__ import annotations

import io
import json
import re
from functools import cache
from pathlib import Path

import numpy as np

from wrapcheck import __version__
from wrapcheck.model import Report
from wrapcheck.numbers import format_number
from wrapcheck.reporters.base import safe_name, source_file_stem, write_atomic
from wrapcheck.reporters.markdown import skip_groups
from wrapcheck.reporters.text import describe_value, problems
from wrapcheck.text import sentences


@cache
def environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("wrapcheck", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["version"] = __version__
    return env


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buffer.getvalue()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)  # inline, no date stamp
    return text


def _pyplot():
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 9, "svg.hashsalt": "wrapcheck"})
    import matplotlib.pyplot as plt

    return plt


def flow_chart(row) -> str | None:
    labels = [("individual_net", "individuals"), ("foreign_net", "foreigners"), ("institution_net", "institutions"),
              ("other_net", "others")]
    values = [(label, float(row[f])) for f, label in labels if f in row and not np.isnan(row[f])]
    if len(values) < 2:
        return None
    residual = -sum(v for _, v in values)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.2, 2.4))
    names = [n for n, _ in values] + ["residual"]
    numbers = [v for _, v in values] + [residual]
    colors = ["#1b7f3b" if v >= 0 else "#b3261e" for v in numbers[:-1]] + ["#9aa0a6"]
    bars = ax.bar(names, numbers, color=colors)
    bars[-1].set_hatch("//")
    ax.axhline(0, color="#333", linewidth=0.8)
    ax.set_ylabel("KRW billion, net bought")
    for bar, v in zip(bars, numbers):
        ax.annotate(format_number(v, 2), (bar.get_x() + bar.get_width() / 2, v), ha="center",
                    va="bottom" if v >= 0 else "top", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def breadth_chart(row) -> str | None:
    parts = [(label, float(row[f])) for f, label in (("advancers", "advancers"), ("decliners", "decliners"), ("unchanged", "unchanged"))
             if f in row and not np.isnan(row[f])]
    if len(parts) < 2:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.2, 1.5))
    left = 0.0
    colors = {"advancers": "#1b7f3b", "decliners": "#b3261e", "unchanged": "#9aa0a6"}
    for label, v in parts:
        ax.barh([0], [v], left=left, color=colors[label])
        ax.text(left + v / 2, 0, f"{label}\n{int(v):,}", ha="center", va="center", color="white", fontsize=8)
        left += v
    ax.set_yticks([])
    ax.set_xlabel("issues")
    ax.spines[["top", "right", "left"]].set_visible(False)
    return _svg(fig)


def history_chart(report: Report, row) -> str | None:
    record = getattr(report, "record", None)
    if record is None or record.empty or "close" not in record.columns:
        return None
    try:
        closes = record.loc[row["instrument"], "close"].dropna()
    except KeyError:
        return None
    closes = closes[closes.index <= row["date"]].tail(30)
    if len(closes) < 2:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.2, 2.4))
    ax.plot(list(closes.index), closes.to_numpy(), marker="o", color="#0b57d0")
    if not np.isnan(row["close"]):
        ax.plot([row["date"]], [row["close"]], marker="D", color="#b3261e", linestyle="none", label=f"reported {format_number(row['close'])}")
        ax.legend(frameon=False, fontsize=8)
    ax.set_ylabel(f"{row['instrument']} close")
    ax.tick_params(axis="x", rotation=45, labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def _sentences_for(result: dict, statement: str) -> list[str]:
    """The sentences of the source's own text that hold the figure or phrase a failing check names."""
    if not statement:
        return []
    if re.search(r": '.*'$", result["message"]):
        return []  # the message quotes its sentence already
    needles = []
    for key, value in result["cells"].items():
        number = re.search(r"\d[\d,]*(?:\.\d+)?", value) if key not in ("statement", "title", "date", "source", "instrument") else None
        if number and len(number.group()) >= 3:
            needles.append(number.group())
    found = []
    for s in sentences(statement):
        if any(n in s for n in needles) and s not in found:
            found.append(s)
    return found[:2]


def _view(result: dict, statement: str) -> dict:
    return {**result, "observed_text": describe_value(result["observed"]), "expected_text": describe_value(result["expected"]),
            "difference_text": describe_value(result["difference"]), "sentences": _sentences_for(result, statement)}


def write_html(report: Report, folder: Path, headers_by_date: dict[str, list[dict]]) -> list[Path]:
    env = environment()
    written = []
    skips = skip_groups(report)
    table = report.table
    for source in report.source_dicts(("fail", "error")):
        rows = table[(table["date"] == source["date"]) & (table["source"] == source["source"])]
        text = {inst: f"{t}\n{s}" for inst, t, s in zip(rows["instrument"], rows["title"].astype(str), rows["statement"].astype(str))}
        charts = []
        for _, row in rows.iterrows():
            if row["kind"] != "index":
                continue
            for title, svg in ((f"{row['instrument']}: investor flows and residual", flow_chart(row)),
                               (f"{row['instrument']}: market breadth", breadth_chart(row)),
                               (f"{row['instrument']}: close against previous sessions", history_chart(report, row))):
                if svg:
                    charts.append({"title": title, "svg": svg})
        page = env.get_template("source.html.j2").render(
            s=source, problems=[_view(r, text.get(r["instrument"], "")) for r in problems(source["results"])],
            skips=skips.get((source["date"], source["source"]), []), charts=charts)
        path = folder / safe_name(source["date"]) / f"{source_file_stem(source['source'])}.html"
        write_atomic(path, page)
        written.append(path)
    for date, headers in headers_by_date.items():
        from wrapcheck.reporters.base import day_summary

        listed = [{**h, "html": f"{source_file_stem(h['source'])}.html"} for h in headers]
        page = env.get_template("day.html.j2").render(date=date, sources=listed, summary=day_summary(headers, report.fail_on))
        path = folder / safe_name(date) / "index.html"
        write_atomic(path, page)
        written.append(path)
    written.append(write_index(folder))
    return written


def write_index(folder: Path) -> Path:
    """reports/index.html over every session folder with a summary.json, this run's and earlier ones."""
    days = []
    for summary in sorted(folder.glob("*/summary.json"), reverse=True):
        try:
            document = json.loads(summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        days.append({"date": summary.parent.name, "summary": document.get("summary", {})})
    path = folder / "index.html"
    write_atomic(path, environment().get_template("index.html.j2").render(days=days))
    return path
