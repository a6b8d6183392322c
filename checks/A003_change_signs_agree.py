
from wrapcheck.rules import Rule, fmt, outcome, sign_of


class ChangeSignsAgree(Rule):
    """The change and the percent change have the same sign.

    What it checks: a positive change comes with a positive percent and a negative one with a negative
    percent; a figure whose written value could be zero (0.00) agrees with either.
    Why: a dropped minus sign is the commonest slip in a hand-typed table, and A002 compares magnitudes
    only through the ratio, which a sign slip on both would keep.
    Example: +67.96 with +1.52 % passes; +67.96 with -1.52 % fails A003.
    """

    code = "A003"
    name = "change-signs-agree"
    kinds = ("index", "stock", "fx")
    requires = ("change", "change_pct")

    def check(self, rows, ctx):
        change, pct = rows["change"].to_numpy(), rows["change_pct"].to_numpy()
        s_change = sign_of(change, rows["change__hw"].to_numpy())
        s_pct = sign_of(pct, rows["change_pct__hw"].to_numpy())
        ok = s_change * s_pct >= 0

        def message(where):
            return [f"change {fmt(change[i])} and change_pct {fmt(pct[i])}% have opposite signs" for i in where]

        return outcome(rows.index, ok, s_pct.astype(float), s_change.astype(float), message=message)
