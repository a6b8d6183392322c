
from wrapcheck.rules import Rule, outcome

KEY = ["date", "source", "instrument"]


class UniqueRows(Rule):
    """One row per (date, source, instrument).

    What it checks: no two rows, in any of the files read, give the same source's figures for the
    same instrument on the same date (instrument aliases count as the same instrument).
    Why: two rows for one claim make every other check ambiguous: which of the two did the source print?
    Example: yonhap-1 reporting KOSPI twice for 2026-01-06 (once as "Kospi") fails S004 on both rows,
    each naming the other's row.
    """

    code = "S004"
    name = "unique-rows"
    requires = ("date", "source", "instrument")

    def check(self, rows, ctx):
        duplicated = rows.duplicated(KEY, keep=False).to_numpy()
        places = where_rows = None
        if duplicated.any():  # the places of the duplicated rows only (an archive has millions of rows)
            twins = rows.loc[duplicated]
            places = twins["_file"].astype(str) + " row " + twins["_row"].astype(str)
            where_rows = places.groupby([twins[k] for k in KEY]).agg(list)

        def message(where):
            out = []
            for pos in where:
                key = tuple(rows[k].iat[pos] for k in KEY)
                others = [p for p in where_rows.loc[key] if p != places.loc[rows.index[pos]]]
                out.append(f"{key[1]} reports {key[2]} on {key[0]} more than once: also {', '.join(others)}")
            return out

        return outcome(rows.index, ~duplicated, message=message)
