import numpy as np

from wrapcheck.rules import FLOAT_GUARD, Rule, fmt, outcome


class PercentChangeMatches(Rule):
    """change / (close - change) x 100 rounds to the reported change_pct.

    What it checks: the percent change implied by the reported close and change, computed over the
    whole rounding interval of both (interval arithmetic, as statcheck does for p-values), overlaps the
    rounding interval of the reported percent at its written precision; either tie-breaking rule is
    accepted. For fx rows the percent is of the rate.
    Why: the percent is computed separately from the points in most wraps, and a slip in either shows here.
    Example: 4,525.48, +67.96 implies 1.5246 %; "1.52" passes, "1.62" fails A002 by 0.0954
    against a tolerance of 0.0050.
    """

    code = "A002"
    name = "percent-change-matches"
    kinds = ("index", "stock", "fx")
    requires = ("close", "change", "change_pct")

    def check(self, rows, ctx):
        c, hc = rows["change"].to_numpy(), rows["change__hw"].to_numpy()
        C, hC = rows["close"].to_numpy(), rows["close__hw"].to_numpy()
        pct, hp = rows["change_pct"].to_numpy(), rows["change_pct__hw"].to_numpy()
        # 100*c/(C-c) is monotonic in each argument where the prior close is positive: corners bound it.
        with np.errstate(divide="ignore", invalid="ignore"):
            corners = np.stack([100 * cc / (CC - cc) for cc in (c - hc, c + hc) for CC in (C - hC, C + hC)])
        lo, hi = corners.min(axis=0), corners.max(axis=0)
        positive_prior = (C - hC) - (c + hc) > 0
        expected = 100 * c / np.where(C - c != 0, C - c, np.nan)
        mid, spread = (lo + hi) / 2, (hi - lo) / 2
        tol = hp + spread
        diff = pct - mid
        ok = positive_prior & (np.abs(diff) <= tol + FLOAT_GUARD(pct, mid))

        def message(where):
            out = []
            for i in where:
                if not positive_prior[i]:
                    out.append(f"close {fmt(C[i], hC[i])} - change {fmt(c[i], hc[i])} leaves no positive prior close")
                    continue
                out.append(
                    f"change_pct {fmt(pct[i], hp[i])}% but change {fmt(c[i], hc[i])} on a prior close of "
                    f"{fmt(C[i] - c[i], hC[i])} is {expected[i]:.4f}% (any value from {lo[i]:.4f} to {hi[i]:.4f} "
                    f"at the written precision); off by {abs(diff[i]) - tol[i]:.4f} beyond rounding"
                )
            return out

        return outcome(rows.index, ok, pct, expected, diff, tol, message)
