import numpy as np

from wrapcheck.loader import REQUIRED_COLUMNS
from wrapcheck.rules import Rule, outcome


class RequiredValues(Rule):
    """Every row names its date, source and a known instrument.

    What it checks: the columns date, source and instrument exist and are filled in on every row, and
    the instrument resolves, by name or alias, to an instrument of schemas/instruments.toml.
    Why: without them a figure cannot be placed, compared with other sources or with history; an
    unknown instrument has no kind, market or plausible range, so most rules could not run on it.
    Example: a row with instrument "Kospi 200 futures" fails S001 until the registry knows it; a row
    with an empty date fails S001 naming the column.
    """

    code = "S001"
    name = "required-values"
    also_reads = REQUIRED_COLUMNS

    def check(self, rows, ctx):
        missing_cols = ctx.loaded.missing_columns
        raw = ctx.raw.loc[rows.index]
        problems = np.zeros(len(rows), dtype=bool)
        for col in REQUIRED_COLUMNS:
            problems |= raw[col].astype(str).str.strip().eq("").to_numpy()
        unresolved = ~rows["resolved"].to_numpy(dtype=bool) & raw["instrument"].astype(str).str.strip().ne("").to_numpy()
        problems |= unresolved

        def message(where):
            out = []
            for pos in where:
                r = raw.iloc[pos]
                file = rows["_file"].iat[pos]
                parts = [f"column {c} is missing from {file}" for c in missing_cols.get(file, ())]
                parts += [f"{c} is empty" for c in REQUIRED_COLUMNS if c not in missing_cols.get(file, ()) and not str(r[c]).strip()]
                if unresolved[pos]:
                    parts.append(f"instrument {r['instrument']!r} is not in schemas/instruments.toml (name or alias)")
                out.append(f"{file} row {rows['_row'].iat[pos]}: " + "; ".join(parts))
            return out

        return outcome(rows.index, ~problems, message=message)
