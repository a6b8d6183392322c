import numpy as np
import pandas as pd

from wrapcheck.numbers import NUMERIC_COLUMNS
from wrapcheck.rules import FLOAT_GUARD, Grouped, Rule, fmt, outcome

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
        # One long frame of (row, group, value, half-width); a group is one figure of one instrument on one date.
        date_code = pd.factorize(table["date"])[0].astype(np.int64)
        instrument_code = pd.factorize(table["instrument"])[0].astype(np.int64)
        instrument_date = date_code * (instrument_code.max() + 1 if len(table) else 1) + instrument_code
        source_code, source_names = pd.factorize(table["source"])
        source_names = np.asarray(source_names, dtype=object)
        parts = []
        for number, f in enumerate(FIELDS):
            present = table[f].notna().to_numpy()
            if present.any():
                parts.append((np.flatnonzero(present), instrument_date[present] * len(FIELDS) + number, number))
        n = len(rows)

        def none_compared(compared: np.ndarray):
            return outcome(rows.index, np.ones(n, dtype=bool), skipped=~compared,
                           skip_message="skipped: no other source reports this instrument on this date")

        if not parts:
            return none_compared(np.zeros(n, dtype=bool))
        # Numpy arrays, not a frame, until the few groups that disagree: the long form has ~10^7 entries.
        pos = np.concatenate([p for p, _, _ in parts])
        group = np.concatenate([g for _, g, _ in parts])
        value = np.concatenate([table[FIELDS[k]].to_numpy()[p] for p, _, k in parts])
        hw = np.concatenate([table[FIELDS[k] + "__hw"].to_numpy()[p] for p, _, k in parts])
        source = source_code[pos]
        # One sort by group answers both questions per group: do two or more sources report the figure
        # (smallest and largest source differ), and do all their written intervals meet (then they agree
        # throughout, Helly in one dimension: largest lower end <= smallest upper end)?
        grouped = Grouped(group)
        several_sources = grouped.reduce(np.minimum, source) != grouped.reduce(np.maximum, source)
        several = grouped.spread(several_sources)
        odd = grouped.spread(several_sources & ~grouped.intervals_meet(value - hw - FLOAT_GUARD(value), value + hw))
        reported = np.zeros(len(table), dtype=bool)  # by table position: a mask, not a sorted set of millions
        reported[pos[several]] = True
        compared_rows = reported[table.index.get_indexer(rows.index)]
        if not odd.any():
            return none_compared(compared_rows)
        field_number = np.concatenate([np.full(len(p), k, dtype=np.int8) for p, _, k in parts])
        long = pd.DataFrame({"idx": table.index.to_numpy()[pos[odd]], "group": group[odd], "field_number": field_number[odd],
                             "source_code": source[odd], "value": value[odd], "hw": hw[odd]})
        long = long.assign(field=np.asarray(FIELDS, dtype=object)[long["field_number"].to_numpy()],
                           source=source_names[long["source_code"].to_numpy()])
        pairs = long.merge(long.drop(columns=["field", "field_number"]), on="group", suffixes=("", "_o"))
        pairs = pairs[pairs["source_code"].to_numpy() != pairs["source_code_o"].to_numpy()]
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
        compared = compared_rows
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

        # Wording, built once per (row, field) with a disagreement; the other sources in the order of the
        # pairs (fmt is memoized: an odd source out named by many rows is formatted once).
        words: dict[int, list[tuple[str, str]]] = {}
        if len(bad_pairs):
            other = [f"{src} {fmt(v_o, h_o)}" for src, v_o, h_o in zip(
                bad_pairs["source_o"].tolist(), bad_pairs["value_o"].tolist(), bad_pairs["hw_o"].tolist())]
            others: dict[tuple[int, str], list[str]] = {}
            first_pair: dict[tuple[int, str], int] = {}
            for k, key in enumerate(zip(bad_pairs["idx"].tolist(), bad_pairs["field"].tolist())):
                others.setdefault(key, []).append(other[k])
                first_pair.setdefault(key, k)
            v, h, d, t = (bad_pairs[c].to_numpy().tolist() for c in ("value", "hw", "diff", "tol"))
            for (idx, field), names in others.items():
                k = first_pair[(idx, field)]
                listed = ", ".join(names)
                words.setdefault(idx, []).append((
                    f"{field} {fmt(v[k], h[k])} disagrees with {listed} (off by {fmt(abs(d[k]), h[k])}, rounding allows {fmt(t[k])})",
                    f"{field}: agrees with the majority; odd source out: {listed}",
                ))

        def describe(i: int, failing: bool) -> str:
            return "; ".join(f if failing else m for f, m in words.get(rows.index[i], []))

        result = outcome(rows.index, ~fails, observed, expected, difference, tolerance,
                         message=lambda where: [describe(i, True) for i in where],
                         skipped=~compared, skip_message="skipped: no other source reports this instrument on this date")
        noted_rows = np.flatnonzero(noted & compared)
        if len(noted_rows):  # the majority passes, naming the odd source out (one column write, not one per row)
            messages = result["message"].to_numpy(dtype=object).copy()
            messages[noted_rows] = [describe(i, False) for i in noted_rows]
            result["message"] = pd.Series(messages, index=result.index, dtype=object)
        return result
