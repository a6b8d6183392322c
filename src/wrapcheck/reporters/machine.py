"""Formats CI systems parse: JUnit XML, GitHub workflow annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from wrapcheck import __version__
from wrapcheck.model import Report
from wrapcheck.reporters.base import Reporter


class JUnitReporter(Reporter):
    """JUnit XML as pytest writes it: one <testsuite> per (date, source), one <testcase> per rule;
    a failing result is a <failure>, a crashed rule an <error>, a rule skipped everywhere <skipped>."""

    suffix = ".xml"

    def render(self, report: Report, results: str = "all") -> str:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        host = platform.node() or "localhost"
        suites, totals = [], {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for source in report.source_dicts(("fail", "error", "skip")):
            by_rule: dict[str, list[dict]] = {}
            for r in source["results"]:
                by_rule.setdefault(r["code"], []).append(r)
            cases, counts = [], {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            for code, rule in report.rules.items():
                mine = by_rule.get(code, [])
                total = self._count(report, source, code)
                if total == 0:
                    continue
                counts["tests"] += 1
                name = quoteattr(f"{code} {rule.name}")
                classname = quoteattr(f"wrapcheck.{source['date']}.{source['source']}")
                failed = [r for r in mine if r["status"] == "fail"]
                crashed = [r for r in mine if r["status"] == "error"]
                skipped = [r for r in mine if r["status"] == "skip"]
                if crashed:
                    counts["errors"] += 1
                    body = f'<error message={quoteattr(crashed[0]["message"])} type="{code}">{escape(self._details(crashed))}</error>'
                elif failed:
                    counts["failures"] += 1
                    body = f'<failure message={quoteattr(failed[0]["message"])} type="{code}">{escape(self._details(failed))}</failure>'
                elif len(skipped) == total:
                    counts["skipped"] += 1
                    body = f'<skipped message={quoteattr(skipped[0]["message"])}/>'
                else:
                    body = ""
                cases.append(f'    <testcase classname={classname} name={name} time="0">{body}</testcase>')
            for k in totals:
                totals[k] += counts[k]
            suites.append(
                f'  <testsuite name={quoteattr(source["source"] + " " + source["date"])} tests="{counts["tests"]}" '
                f'failures="{counts["failures"]}" errors="{counts["errors"]}" skipped="{counts["skipped"]}" time="0" '
                f'timestamp="{stamp[:19]}" hostname={quoteattr(host)}>\n' + "\n".join(cases) + "\n  </testsuite>"
            )
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                f'<testsuites name="wrapcheck" tests="{totals["tests"]}" failures="{totals["failures"]}" '
                f'errors="{totals["errors"]}" skipped="{totals["skipped"]}" time="0">\n' + "\n".join(suites) + "\n</testsuites>\n")

    @staticmethod
    def _count(report: Report, source: dict, code: str) -> int:
        return report._rule_counts().get((source["date"], source["source"], code), 0)

    @staticmethod
    def _details(results: list[dict]) -> str:
        return "\n".join(f"{r['instrument']} ({Path(r['file']).name} {_where(r)}): {r['message']}" for r in results)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _where(r: dict) -> str:
    """"row 5" for a session file's cell, "line 3, column 12" for an article's sentence."""
    if r.get("column"):
        return f"line {r['rows'][0]}, column {r['column']}"
    return f"row {','.join(map(str, r['rows']))}"


class GitHubReporter(Reporter):
    """GitHub Actions workflow commands: one ::error (or ::warning) per failing result, pointing at
    the CSV row, so the failure shows on the line of the data that changed."""

    def render(self, report: Report, results: str = "all") -> str:
        lines = []
        for source in report.source_dicts(("fail", "error")):
            for r in source["results"]:
                level = "warning" if r["status"] == "fail" and r["severity"] == "warning" else "error"
                title = _gh_property(f"{r['code']} {r['name']} ({source['source']}, {r['instrument']})")
                col = f",col={r['column']}" if r.get("column") else ""
                lines.append(f"::{level} file={_gh_property(r['file'])},line={r['rows'][0]}{col},title={title}::{_gh_data(r['message'])}")
        summary = report.summary()
        lines.append(f"wrapcheck: {summary['verdict'].upper()}, {summary['results']['fail']} failed, "
                     f"{summary['results']['error']} errors, {summary['results']['skip']} skipped, {summary['results']['pass']} passed")
        return "\n".join(lines) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


class SarifReporter(Reporter):
    """SARIF 2.1.0: every rule as a reportingDescriptor, every failing or crashed result as a result
    located at its CSV row."""

    suffix = ".sarif"

    def render(self, report: Report, results: str = "all") -> str:
        import inspect

        codes = list(report.rules)
        rules = []
        for code, rule in report.rules.items():
            doc = inspect.cleandoc(type(rule).__doc__ or "")
            rules.append({
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary()},
                "fullDescription": {"text": doc},
                "help": {"text": doc},
                "defaultConfiguration": {"level": "error" if rule.severity == "error" else "warning"},
            })
        found: list[dict[str, Any]] = []
        artifacts: dict[str, int] = {}
        for source in report.source_dicts(("fail", "error")):
            for r in source["results"]:
                uri = Path(r["file"]).as_posix()
                artifacts.setdefault(uri, len(artifacts))
                found.append({
                    "ruleId": r["code"],
                    "ruleIndex": codes.index(r["code"]),
                    "level": "warning" if r["status"] == "fail" and r["severity"] == "warning" else "error",
                    "kind": "fail",
                    "message": {"text": r["message"] or f"{r['code']} {r['status']}"},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": uri, "index": artifacts[uri]},
                        "region": {"startLine": int(r["rows"][0]), **({"startColumn": int(r["column"])} if r.get("column") else {})},
                    }}],
                    "properties": {"date": r["date"], "source": r["source"], "instrument": r["instrument"],
                                   "status": r["status"], "observed": r["observed"], "expected": r["expected"],
                                   "difference": r["difference"], "tolerance": r["tolerance"]},
                })
        document = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "wrapcheck", "version": __version__, "semanticVersion": __version__,
                                    "informationUri": "https://pypi.org/project/wrapcheck/", "rules": rules}},
                "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
                "results": found,
                "columnKind": "unicodeCodePoints",
            }],
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
