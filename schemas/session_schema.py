"""The Pandera schema of a loaded session table (rule S003 runs it).

Column checks hold for every market; the range checks read per-row bounds that the rule takes from
the market profiles (markets.toml), so one schema serves KOSPI, KOSDAQ, the won and KTB yields.
Each check's name is what the report prints; its bounds are columns prefixed with `_`.
"""

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wrapcheck.rules import fmt

COUNTS = ("advancers", "decliners", "unchanged", "issues_traded")
NON_NEGATIVE = (*COUNTS, "volume", "turnover")


def _within(column: str, low: str, high: str):
    def check(df: pd.DataFrame) -> pd.Series:
        v = df[column]
        return v.isna() | df[low].isna() | ((v >= df[low]) & (v <= df[high]))
    return check


# (name, column read, lower bound column, upper bound column)
RANGE_CHECKS = (
    ("close within the plausible range", "close", "_level_min", "_level_max"),
    ("prior_close within the plausible range", "prior_close", "_level_min", "_level_max"),
    ("|change_pct| within the daily limit", "change_pct", "_pct_min", "_pct_max"),
    ("yield change within the plausible basis points", "change", "_bp_min", "_bp_max"),
    *((f"{c} within the issues listed", c, "_zero", "_issues") for c in COUNTS),
)


def build_schema() -> pa.DataFrameSchema:
    columns = {c: pa.Column(float, pa.Check.ge(0, name=f"{c} not negative"), nullable=True, required=False)
               for c in NON_NEGATIVE}
    for c in ("close", "prior_close", "change", "change_pct"):
        columns[c] = pa.Column(float, nullable=True, required=False)
    checks = [pa.Check(_within(col, lo, hi), name=name) for name, col, lo, hi in RANGE_CHECKS]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


SCHEMA = build_schema()
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


def failures(rows: pd.DataFrame, ctx) -> pd.DataFrame:
    """One row per (row index, failed check): index, check, value, bounds, message."""
    frame = bounds_frame(rows, ctx)
    try:
        SCHEMA.validate(frame, lazy=True)
        return pd.DataFrame(columns=["index", "check", "value", "bounds", "message"])
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna()]
    out = []
    for (index, column, check), _ in cases.groupby(["index", "column", "check"], sort=False, dropna=False):
        index, name = int(index), str(check)
        if name in CHECK_COLUMNS:  # a range check over the whole frame
            col, lo, hi = CHECK_COLUMNS[name]
            value, low, high = frame.at[index, col], frame.at[index, lo], frame.at[index, hi]
            bounds = f"{fmt(low)} to {fmt(high)}"
            message = (f"{col} {fmt(value)} is implausible: {name} for a {frame.at[index, 'market']} "
                       f"{frame.at[index, 'kind']} is {bounds}")
        else:  # a column check (not negative)
            col = str(column)
            value, bounds = frame.at[index, col], ">= 0"
            message = f"{col} {fmt(value)} is negative"
        out.append((index, name, float(value), bounds, message))
    # A frame-wide check lists a failing row once per column; one line per (row, check) is enough.
    return pd.DataFrame(out, columns=["index", "check", "value", "bounds", "message"]).drop_duplicates(["index", "message"])
