from wrapcheck.rules import Rule, agree, fmt, outcome


class PriorCloseMatches(Rule):
    """close - change = prior_close, within the precision each figure is written to.

    What it checks: where a source reports the previous close, that close minus the change it reports
    equals it, the tolerance being the sum of the three figures' half-units (a yield's change in basis
    points is divided by 100).
    Why: a typo in any one of close, change or prior close breaks this identity.
    Example: close 4,525.48, change +67.96, prior close 4,457.52 passes; a prior close of 4,475.52
    fails A001, expected 4,457.52, off by 18.00, tolerance 0.015.
    """

    code = "A001"
    name = "prior-close-matches"
    requires = ("close", "change", "prior_close")

    def check(self, rows, ctx):
        expected = (rows["close"] - rows["change_level"]).to_numpy()
        expected_hw = (rows["close__hw"] + rows["change_level__hw"]).to_numpy()
        observed, observed_hw = rows["prior_close"].to_numpy(), rows["prior_close__hw"].to_numpy()
        ok, diff, tol = agree(observed, observed_hw, expected, expected_hw)

        def message(where):
            return [
                f"prior_close {fmt(observed[i], observed_hw[i])} but close {fmt(rows['close'].iat[i], rows['close__hw'].iat[i])}"
                f" - change {fmt(rows['change_level'].iat[i], rows['change_level__hw'].iat[i])} = {fmt(expected[i], observed_hw[i])}"
                f" (off by {fmt(diff[i], observed_hw[i])}; the written precision allows {fmt(tol[i])})"
                for i in where
            ]

        return outcome(rows.index, ok, observed, expected, diff, tol, message)
