import numpy as np

from wrapcheck.ticks import daily_limit
from wrapcheck.rules import Rule, fmt, outcome


class WithinDailyPriceLimit(Rule):
    """A stock's percent change is within the KRX daily price limit of its date.

    What it checks: |change_pct| (less its rounding) does not exceed the daily limit in force on the
    session date: +/-30 % since 2015-06-15, +/-15 % before (schemas/tick_sizes.toml).
    Why: a move beyond the limit cannot happen; the figure belongs to another stock or another day.
    Example: SK Hynix +4.31 % passes; +31.2 % on 2026-01-06 fails T002; +20 % on 2014-03-03 fails too.
    """

    code = "T002"
    name = "within-daily-price-limit"
    kinds = ("stock",)
    requires = ("change_pct", "date")

    def check(self, rows, ctx):
        pct, hw = rows["change_pct"].to_numpy(), rows["change_pct__hw"].to_numpy()
        limit = daily_limit(rows["date"].to_numpy(dtype=object))
        known = ~np.isnan(limit)
        excess = np.abs(pct) - hw - limit
        ok = ~known | (excess <= 1e-9)

        def message(where):
            return [f"change_pct {fmt(pct[i], hw[i])}% is beyond the {fmt(limit[i])}% daily price limit of "
                    f"{rows['date'].iat[i]}" for i in where]

        return outcome(rows.index, ok, pct, limit, np.where(ok, 0.0, excess), hw, message, skipped=~known,
                       skip_message="skipped: no daily price limit known for this date")
