"""The Pandera schema of a loaded session table (rule S003 runs it).

Column checks hold for every market; the range checks read per-row bounds that the rule takes from
the market profiles (markets.toml), so one schema serves KOSPI, KOSDAQ, the won and KTB yields.
Each check's name is what the report prints; its bounds are columns prefixed with `_`. Every check is
a column check: a frame-wide check would make Pandera list each failing row once per column (on an
archive with thousands of implausible rows that listing costs more than the checks).
"""

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wrapcheck.model import labels_at
from wrapcheck.rules import fmt

COUNTS = ("advancers", "decliners", "unchanged", "issues_traded")
NON_NEGATIVE = (*COUNTS, "volume", "turnover")


def _within(low: pd.Series, high: pd.Series):
    # Pandera hands a nullable column's check only its non-null values: the bounds follow their index.
    def check(values: pd.Series) -> pd.Series:
        lo = low.reindex(values.index).to_numpy(dtype=float)
        hi = high.reindex(values.index).to_numpy(dtype=float)
        v = values.to_numpy(dtype=float)
        return pd.Series(np.isnan(lo) | ((v >= lo) & (v <= hi)), index=values.index)
    return check


# (name, column read, lower bound column, upper bound column)
RANGE_CHECKS = (
    ("close within the plausible range", "close", "_level_min", "_level_max"),
    ("prior_close within the plausible range", "prior_close", "_level_min", "_level_max"),
    ("|change_pct| within the daily limit", "change_pct", "_pct_min", "_pct_max"),
    ("yield change within the plausible basis points", "change", "_bp_min", "_bp_max"),
    *((f"{c} within the issues listed", c, "_zero", "_issues") for c in COUNTS),
)


def build_schema(bounds: pd.DataFrame) -> pa.DataFrameSchema:
    """The schema of rows whose per-row bounds (their market's and kind's) are the columns of ``bounds``.

    Every check is a column check, so a failing row is reported once per check, with its column."""
    checks: dict[str, list] = {c: [pa.Check.ge(0, name=f"{c} not negative")] for c in NON_NEGATIVE}
    for c in ("close", "prior_close", "change", "change_pct"):
        checks.setdefault(c, [])
    for name, col, lo, hi in RANGE_CHECKS:
        checks[col].append(pa.Check(_within(bounds[lo], bounds[hi]), name=name))
    columns = {c: pa.Column(float, found, nullable=True, required=False) for c, found in checks.items()}
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


CHECK_COLUMNS = {name: (col, lo, hi) for name, col, lo, hi in RANGE_CHECKS}


def bounds_frame(rows: pd.DataFrame, ctx) -> pd.DataFrame:
    """The rows' figures with the bounds of their market and kind."""
    frame = rows[["close", "prior_close", "change", "change_pct", *NON_NEGATIVE, "kind", "market"]].copy()
    kind = rows["kind"].to_numpy()
    frame["_level_min"] = np.where(kind == "stock", ctx.profile_values(rows, "price_range", 0), ctx.profile_values(rows, "level_range", 0))
    frame["_level_max"] = np.where(kind == "stock", ctx.profile_values(rows, "price_range", 1), ctx.profile_values(rows, "level_range", 1))
    limit = ctx.profile_values(rows, "daily_limit_pct")
    frame["_pct_min"], frame["_pct_max"] = -limit, limit
    max_bp = np.where(kind == "yield", ctx.profile_values(rows, "max_change_bp"), np.nan)
    frame["_bp_min"], frame["_bp_max"] = -max_bp, max_bp
    frame["_zero"] = 0.0
    frame["_issues"] = np.where(kind == "index", ctx.profile_values(rows, "issues_listed"), np.nan)
    return frame


def warm_up() -> None:
    """Validate one empty frame, which has Pandera register its pandas backends (~20 ms, once)."""
    bounds = pd.DataFrame({c: pd.Series(dtype=float) for c in ("_level_min", "_level_max", "_pct_min", "_pct_max",
                                                               "_bp_min", "_bp_max", "_zero", "_issues")})
    build_schema(bounds).validate(bounds)


def failures(rows: pd.DataFrame, ctx) -> pd.DataFrame:
    """One row per (row index, failed check), in the order Pandera reports them: index, check, value,
    bounds, message."""
    frame = bounds_frame(rows, ctx)
    columns = ["index", "check", "value", "bounds", "message"]
    try:
        build_schema(frame).validate(frame, lazy=True, inplace=True)  # frame is our own copy: no second one
        return pd.DataFrame(columns=columns)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna()]
    cases = cases.assign(check=cases["check"].astype(str), column=cases["column"].astype(str))
    cases = cases.drop_duplicates(["index", "check"])
    index = cases["index"].to_numpy().astype(np.int64)
    where = frame.index.get_indexer(index)
    checks = cases["check"].to_numpy(dtype=object)
    value = np.full(len(cases), np.nan)
    bounds = np.full(len(cases), "", dtype=object)
    message = np.full(len(cases), "", dtype=object)
    for name in pd.unique(checks):
        hit = np.flatnonzero(checks == name)
        at = where[hit]
        if name in CHECK_COLUMNS:  # a range check against the row's bounds
            col, lo, hi = CHECK_COLUMNS[name]
            v, low, high = (frame[c].to_numpy(dtype=float)[at] for c in (col, lo, hi))
            b = [f"{fmt(a)} to {fmt(z)}" for a, z in zip(low.tolist(), high.tolist())]
            m = [f"{col} {fmt(x)} is implausible: {name} for a {mk} {kd} is {bb}"
                 for x, mk, kd, bb in zip(v.tolist(), labels_at(frame["market"], at).tolist(), labels_at(frame["kind"], at).tolist(), b)]
        else:  # a column check (not negative): the column is in the failure case
            cols = cases["column"].to_numpy(dtype=object)[hit]
            v = np.array([frame[c].iat[a] for c, a in zip(cols.tolist(), at.tolist())], dtype=float)
            b = [">= 0"] * len(hit)
            m = [f"{c} {fmt(x)} is negative" for c, x in zip(cols.tolist(), v.tolist())]
        value[hit], bounds[hit], message[hit] = v, b, m
    return pd.DataFrame({"index": index, "check": checks, "value": value, "bounds": bounds, "message": message})
