import numpy as np
import pandas as pd

from wrapcheck.numbers import NUMERIC_COLUMNS
from wrapcheck.rules import FLOAT_GUARD, Rule, fmt, outcome

FIELDS = tuple(NUMERIC_COLUMNS)


class SourcesAgree(Rule):
    """Sources that report the same figure agree within the rounding of the less precise one.

    What it checks: for every figure two or more sources report for the same instrument and date, the
    written values admit a common true value (597.55 and 597.6 agree; 597.55 and 599.2 do not). When
    sources disagree and a majority agrees, the odd source out fails and the majority passes, naming it;
    with no majority every disagreeing source fails.
    Why: two wires rarely make the same typo; disagreement points at the figure to re-check.
    Example: summary reporting KOSPI at 4,552.48 while yonhap-1 and yonhap-2 report 4,525.48 fails
    X001 on summary only, expected 4,525.48, off by 27.00.
    """

    code = "X001"
    name = "sources-agree"
    requires = ("date", "instrument")
    also_reads = FIELDS

    def check(self, rows, ctx):
        table = ctx.table
        longs = []
        for f in FIELDS:
            present = table[f].notna().to_numpy()
            if not present.any():
                continue
            part = table.loc[present, ["date", "instrument", "source"]]
            part = part.assign(field=f, value=table[f].to_numpy()[present], hw=table[f + "__hw"].to_numpy()[present],
                               idx=table.index[present])
            longs.append(part)
        n = len(rows)
        empty = outcome(rows.index, np.ones(n, dtype=bool), skipped=np.ones(n, dtype=bool),
                        skip_message="skipped: no other source reports this instrument on this date")
        if not longs:
            return empty
        long = pd.concat(longs, ignore_index=True)
        # Only (date, instrument, field) groups with two or more sources can disagree.
        groups = long.groupby(["date", "instrument", "field"], sort=False)["source"].transform("nunique")
        long = long[groups.to_numpy() > 1]
        if long.empty:
            return empty
        pairs = long.merge(long, on=["date", "instrument", "field"], suffixes=("", "_o"))
        pairs = pairs[pairs["source"].to_numpy() != pairs["source_o"].to_numpy()]
        diff = pairs["value"].to_numpy() - pairs["value_o"].to_numpy()
        tol = pairs["hw"].to_numpy() + pairs["hw_o"].to_numpy()
        pairs = pairs.assign(agree=np.abs(diff) <= tol + FLOAT_GUARD(pairs["value"].to_numpy(), pairs["value_o"].to_numpy()),
                             diff=diff, tol=tol)
        per_field = pairs.groupby(["idx", "field"], sort=False).agg(others=("agree", "size"), agreeing=("agree", "sum"))
        # In the majority: this value and those agreeing with it are more than half of the reporters.
        per_field["majority"] = (per_field["agreeing"] + 1) * 2 > per_field["others"] + 1
        per_field["disagree"] = per_field["agreeing"] < per_field["others"]
        per_field["fails"] = per_field["disagree"] & ~per_field["majority"]
        by_row = per_field.groupby(level="idx").agg(compared=("others", "size"), fails=("fails", "any"),
                                                     disagree=("disagree", "any"))
        by_row = by_row.reindex(rows.index)
        compared = by_row["compared"].notna().to_numpy()
        fails = by_row["fails"].fillna(False).to_numpy(dtype=bool)
        noted = by_row["disagree"].fillna(False).to_numpy(dtype=bool) & ~fails
        bad_pairs = pairs[~pairs["agree"].to_numpy() & pairs["idx"].isin(rows.index[fails | noted]).to_numpy()]
        observed = np.full(n, np.nan)
        expected = np.full(n, np.nan)
        difference = np.full(n, np.nan)
        tolerance = np.full(n, np.nan)
        if len(bad_pairs):
            first = bad_pairs.groupby("idx").first()
            pos = rows.index.get_indexer(first.index)
            observed[pos], expected[pos] = first["value"].to_numpy(), first["value_o"].to_numpy()
            difference[pos], tolerance[pos] = first["diff"].to_numpy(), first["tol"].to_numpy()

        def describe(i: int, failing: bool) -> str:
            mine = bad_pairs[bad_pairs["idx"].to_numpy() == rows.index[i]]
            parts = []
            for field, group in mine.groupby("field", sort=False):
                others = ", ".join(f"{s} {fmt(v, h)}" for s, v, h in zip(group["source_o"], group["value_o"], group["hw_o"]))
                mine_v = f"{fmt(group['value'].iat[0], group['hw'].iat[0])}"
                if failing:
                    parts.append(f"{field} {mine_v} disagrees with {others} (off by {fmt(abs(group['diff'].iat[0]), group['hw'].iat[0])},"
                                 f" rounding allows {fmt(group['tol'].iat[0])})")
                else:
                    parts.append(f"{field}: agrees with the majority; odd source out: {others}")
            return "; ".join(parts)

        result = outcome(rows.index, ~fails, observed, expected, difference, tolerance,
                         message=lambda where: [describe(i, True) for i in where],
                         skipped=~compared, skip_message="skipped: no other source reports this instrument on this date")
        for i in np.flatnonzero(noted & compared):
            result.iat[i, result.columns.get_loc("message")] = describe(i, False)
        return result
