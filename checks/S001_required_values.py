import numpy as np

from wrapcheck.loader import REQUIRED_COLUMNS, arrow_text, present_text
from wrapcheck.rules import Rule, outcome


class RequiredValues(Rule):
    """Every row names its date, source and instrument.

    What it checks: the columns date, source and instrument exist and are filled in on every row.
    Whether the instrument is known is S005's question (a warning, not a failure).
    Why: without them a figure cannot be placed, compared with other sources or with history.
    Example: a row with an empty date fails S001 naming the column; a row whose instrument is
    "Kospi 200 futures" passes S001 (and S005 warns that it is unknown).
    """

    code = "S001"
    name = "required-values"
    also_reads = REQUIRED_COLUMNS

    def check(self, rows, ctx):
        missing_cols = ctx.loaded.missing_columns
        raw = ctx.raw[list(REQUIRED_COLUMNS)]  # the cells as written of these columns only
        if not raw.index.equals(rows.index):
            raw = raw.loc[rows.index]
        filled = {col: present_text(arrow_text(raw[col])) for col in REQUIRED_COLUMNS}  # in Arrow, not per cell
        problems = np.zeros(len(rows), dtype=bool)
        for col in REQUIRED_COLUMNS:
            problems |= ~filled[col]

        def message(where):
            out = []
            for pos in where:
                r = raw.iloc[pos]
                file = rows["_file"].iat[pos]
                parts = [f"column {c} is missing from {file}" for c in missing_cols.get(file, ())]
                parts += [f"{c} is empty" for c in REQUIRED_COLUMNS if c not in missing_cols.get(file, ()) and not str(r[c]).strip()]
                out.append(f"{file} row {rows['_row'].iat[pos]}: " + "; ".join(parts))
            return out

        return outcome(rows.index, ~problems, message=message)
