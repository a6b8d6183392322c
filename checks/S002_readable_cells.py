import numpy as np

from wrapcheck.model import clip_cell
from wrapcheck.rules import Rule, outcome


class ReadableCells(Rule):
    """Every cell reads as the figure its column holds.

    What it checks: each numeric cell parses as a number in its column's unit (thousands separators,
    signs, %, bp and unit words such as "597.55 billion won" or "1.8 trillion" are fine), each date is
    ISO (YYYY-MM-DD), each kind is index/stock/fx/yield, and basis points appear only on yield rows.
    Why: a cell that cannot be read would otherwise turn into a missing figure, and a missing figure
    must never pass silently: the rules that need it are skipped and S002 names the cell.
    Example: close "4,525.48pts" passes; close "4.525,48" fails S002 naming file, row, column and text.
    """

    code = "S002"
    name = "readable-cells"

    def check(self, rows, ctx):
        errors = ctx.loaded.parse_errors
        errors = errors[errors["idx"].isin(rows.index)]
        bad = rows.index.isin(errors["idx"])
        by_row = errors.groupby("idx")

        def message(where):
            out = []
            for pos in where:
                idx = rows.index[pos]
                found = by_row.get_group(idx)
                cells = "; ".join(f"column {c}: {reason}" for c, reason in zip(found["column"], found["reason"]))
                out.append(f"{rows['_file'].iat[pos]} row {rows['_row'].iat[pos]}: {cells}")
            return out

        observed = np.full(len(rows), np.nan, dtype=object)
        if bad.any():
            texts = errors.groupby("idx")["text"].first()
            observed[bad] = [clip_cell(str(t)) for t in texts.reindex(rows.index[bad]).to_numpy()]
        return outcome(rows.index, ~bad, observed=observed, message=message)
