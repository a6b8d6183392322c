import numpy as np

from wrapcheck.rules import Rule, codes_of, fmt, outcome
from wrapcheck.ticks import daily_limit


class WithinDailyPriceLimit(Rule):
    """A stock's percent change is within the KRX daily price limit of its date.

    What it checks: |change_pct| (less its rounding) does not exceed the daily limit in force on the
    session date in the stock's market: +/-30 % since 2015-06-15, +/-15 % before, and +/-15 % on KONEX
    (schemas/tick_sizes.toml; the market comes from the KRX listing). A stock's listing day (its
    debut, priced against the offer) has no such limit and is skipped.
    Why: a move beyond the limit cannot happen; the figure belongs to another stock or another day.
    Example: SK Hynix +4.31 % passes; +31.2 % on 2026-01-06 fails T002; +20 % on 2014-03-03 fails too.
    """

    code = "T002"
    name = "within-daily-price-limit"
    kinds = ("stock",)
    requires = ("change_pct", "date")

    def check(self, rows, ctx):
        pct, hw = rows["change_pct"].to_numpy(), rows["change_pct__hw"].to_numpy()
        dates = rows["date"].to_numpy(dtype=object)
        limit = daily_limit(dates, rows["market"].to_numpy(dtype=object))
        debut = self.listing_day(rows, ctx, dates)
        limit[debut] = np.nan  # a debut trades from 60 % to 400 % of the offer price: no daily limit applies
        known = ~np.isnan(limit)
        excess = np.abs(pct) - hw - limit
        ok = ~known | (excess <= 1e-9)

        def message(where):
            return [f"change_pct {fmt(pct[i], hw[i])}% is beyond the {fmt(limit[i])}% daily price limit of "
                    f"{rows['date'].iat[i]}" for i in where]

        return outcome(rows.index, ok, pct, limit, np.where(ok, 0.0, excess), hw, message, skipped=~known,
                       skip_message=lambda where: ["skipped: the stock's listing day (debut), when the daily limit does not apply"
                                                   if debut[i] else "skipped: no daily price limit known for this date" for i in where])

    @staticmethod
    def listing_day(rows, ctx, dates) -> np.ndarray:
        """Rows of a stock's first session on the exchange (its listing date in the KRX listing)."""
        codes, names = codes_of(rows["instrument"])
        listed = np.array([getattr(ctx.registry.get(str(n)), "listed", "") or "" for n in names] + [""], dtype=object)
        return (listed[codes] == dates.astype(str)) & (listed[codes] != "")
