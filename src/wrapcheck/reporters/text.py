"""Small helpers shared by the human-readable reporters."""

from __future__ import annotations

from typing import Any

from wrapcheck.numbers import format_number

ORDER = {"error": 0, "fail": 1, "skip": 2, "pass": 3}


def problems(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Failing and crashed results, crashes first."""
    return sorted((r for r in results if r["status"] in ("fail", "error")), key=lambda r: ORDER[r["status"]])


def describe_value(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return format_number(value, 2) if abs(value) >= 1000 else format_number(value)
    return str(value)
