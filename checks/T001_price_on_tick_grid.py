import numpy as np

from wrapcheck.ticks import TickGrid
from wrapcheck.rules import FLOAT_GUARD, Rule, fmt, outcome


class PriceOnTickGrid(Rule):
    """A stock's close lies on the KRX tick grid, and its change comes from a prior close on the grid.

    What it checks: the close is a multiple of the price tick of its band for its date (the KRX table
    changed on 2023-01-25; both tables are in schemas/tick_sizes.toml). The prior close it implies must
    be on the grid too: close - change when the change is given; otherwise some prior close on the grid
    must give the reported percent at its written precision. A close written coarser than its tick
    ("1.05 million", "88만원") is skipped; the market (KOSPI, KOSDAQ, KONEX) comes from the listing.
    Why: "+1.03% to 77,000 won" is impossible with a 100-won tick: no prior close on the grid gives it,
    so one of the two figures is wrong.
    Example: 138,900 won with +0.58 % passes (from 138,100); 77,000 won with +1.03 % fails T001.
    """

    code = "T001"
    name = "price-on-tick-grid"
    kinds = ("stock",)
    requires = ("close", "date")
    also_reads = ("change", "change_pct")

    def check(self, rows, ctx):
        close = rows["close"].to_numpy()
        grid = TickGrid(rows["date"], rows["market"])  # the table in force for each row, once
        tick = grid.size(close)
        # A close written coarser than its tick ("1 million", "88만원") claims no tick: nothing to check.
        rounded = ~np.isnan(tick) & (np.nan_to_num(rows["close__hw"].to_numpy()) * 2 > np.nan_to_num(tick))
        known = ~np.isnan(tick) & ~rounded
        on_grid = known & (np.abs(close / np.where(known, tick, 1) - np.round(close / np.where(known, tick, 1))) < 1e-9)
        change, pct, pct_hw = rows["change"].to_numpy(), rows["change_pct"].to_numpy(), rows["change_pct__hw"].to_numpy()
        prior = close - change
        prior_tick = grid.size(prior)
        prior_ok = np.isnan(change) | (np.abs(prior / prior_tick - np.round(prior / prior_tick)) < 1e-9)
        # Percent only: the grid points between the priors that round to the reported percent.
        with np.errstate(divide="ignore", invalid="ignore"):
            lo = close / (1 + (pct + pct_hw) / 100)
            hi = close / (1 + (pct - pct_hw) / 100)
        lo_tick = grid.size(lo)
        first = np.ceil(lo / lo_tick - 1e-9) * lo_tick
        hi_tick = grid.size(hi)
        last = np.floor(hi / hi_tick + 1e-9) * hi_tick
        reachable = (first <= hi + FLOAT_GUARD(hi)) | (last >= lo - FLOAT_GUARD(lo))
        reachable &= ~(np.isnan(first) & np.isnan(last))
        pct_ok = ~np.isnan(change) | np.isnan(pct) | reachable
        ok = on_grid & prior_ok & pct_ok

        def message(where):
            dates = rows["date"].to_numpy(dtype=object)  # as text for the wording only
            out = []
            for i in where:
                if not on_grid[i]:
                    out.append(f"close {fmt(close[i])} won is not a multiple of the {fmt(tick[i])}-won tick for its price on {dates[i]}")
                elif not prior_ok[i]:
                    out.append(f"close {fmt(close[i])} - change {fmt(change[i])} = {fmt(prior[i])}, not on the "
                               f"{fmt(prior_tick[i])}-won tick grid")
                else:
                    out.append(f"no prior close on the tick grid gives {fmt(pct[i], pct_hw[i])}% to {fmt(close[i])} won: it "
                               f"would lie between {lo[i]:,.1f} and {hi[i]:,.1f} won, and the {fmt(lo_tick[i])}-won grid has no price there")
            return out

        return outcome(rows.index, ok | ~known, observed=close, expected=np.round(close / np.where(known, tick, 1)) * tick,
                       message=message, skipped=~known,
                       skip_message=lambda where: ["skipped: the close is written rounded coarser than its tick" if rounded[i] else
                                                   "skipped: no KRX tick table for this market and date in schemas/tick_sizes.toml"
                                                   for i in where])
