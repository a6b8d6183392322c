import numpy as np

from wrapcheck.resources import data_dir, load_module
from wrapcheck.rules import Rule, outcome


class PlausibleValues(Rule):
    """Every figure is plausible for its kind and market (the Pandera session schema).

    What it checks: the Pandera schema in schemas/session_schema.py, fed the market profile of each
    row (schemas/markets.toml): index levels, stock prices, fx rates (500-3,000 won per dollar) and
    yields (0-20 %) inside their ranges; |change_pct| within the exchange's daily limit; a yield's
    change within its profile's basis points; counts, volume and turnover not negative, and no
    breadth count above the issues listed on the market.
    Why: unit slips and typos that are internally consistent ("45,254.8" for 4,525.48) still fail here.
    Example: KOSPI close 4,525.48 passes; 45,254.8 fails S003 with the range 100 to 20,000.
    """

    code = "S003"
    name = "plausible-values"
    also_reads = ("close", "prior_close", "change", "change_pct", "advancers", "decliners", "unchanged",
                  "issues_traded", "volume", "turnover")

    def prepare(self):
        load_module(data_dir("schemas") / "session_schema.py", "schemas").warm_up()

    def check(self, rows, ctx):
        schema_module = load_module(data_dir("schemas") / "session_schema.py", "schemas")
        failures = schema_module.failures(rows, ctx)  # one row per (row index, check) that failed
        bad = rows.index.isin(failures["index"])
        observed = np.full(len(rows), np.nan)
        expected = np.full(len(rows), np.nan, dtype=object)
        by_row = None
        if bad.any():
            # Every failed check of a row in one message; the first one's figure and bounds shown.
            by_row = failures.groupby("index", sort=False).agg(value=("value", "first"), bounds=("bounds", "first"),
                                                                 message=("message", "; ".join))
            hit = rows.index[bad]
            observed[bad] = by_row.loc[hit, "value"].to_numpy(dtype=float)
            expected[bad] = by_row.loc[hit, "bounds"].to_numpy(dtype=object)

        def message(where):
            return by_row.loc[rows.index[where], "message"].tolist()

        return outcome(rows.index, ~bad, observed=observed, expected=expected, message=message)
