import numpy as np

from wrapcheck.rules import FLOAT_GUARD, Rule, fmt, outcome

FLOWS = ("individual_net", "foreign_net", "institution_net")


class FlowsNetOut(Rule):
    """Investor net flows add up to zero.

    What it checks: individual + foreign + institution (+ other_net when given) net purchases sum to
    zero. With other_net given the sum must be zero within the written precision of the four figures.
    Without it the sum is minus the other investors' (mostly other corporations') net, and must fall
    within the market profile's documented band (schemas/markets.toml `flow_residual`: KOSPI -250 to
    +40 billion won), widened by the written precision.
    Why: every share bought was sold by someone: a sign flip or a billion/trillion slip in one category
    breaks the balance.
    Example: 597.55 - 618.83 - 68.93 = -90.21 passes on KOSPI; foreign +618.83 leaves +1,147.45 and
    fails F001, 1,107.45 outside the band.
    """

    code = "F001"
    name = "flows-net-out"
    kinds = ("index",)
    requires = FLOWS
    also_reads = ("other_net",)

    def check(self, rows, ctx):
        total = sum(rows[f].to_numpy() for f in FLOWS)
        half = sum(rows[f + "__hw"].to_numpy() for f in FLOWS)
        other, other_hw = rows["other_net"].to_numpy(), rows["other_net__hw"].to_numpy()
        has_other = ~np.isnan(other)
        total = np.where(has_other, total + np.nan_to_num(other), total)
        half = np.where(has_other, half + np.nan_to_num(other_hw), half)
        lo = np.where(has_other, 0.0, ctx.profile_values(rows, "flow_residual", 0))
        hi = np.where(has_other, 0.0, ctx.profile_values(rows, "flow_residual", 1))
        no_band = np.isnan(lo) | np.isnan(hi)
        expected = np.clip(total, np.nan_to_num(lo), np.nan_to_num(hi))
        diff = total - expected
        ok = np.abs(diff) <= half + FLOAT_GUARD(total)

        def message(where):
            out = []
            for i in where:
                if has_other[i]:
                    out.append(f"individual + foreign + institution + other = {fmt(total[i], half[i])} billion won, "
                               f"not 0 (off by {fmt(diff[i], half[i])}; precision allows {fmt(half[i])})")
                else:
                    out.append(f"individual + foreign + institution = {fmt(total[i], half[i])} billion won, outside "
                               f"the {rows['market'].iat[i]} band for the other investors' share ({fmt(lo[i])} to "
                               f"{fmt(hi[i])}) by {fmt(abs(diff[i]), half[i])}: a sign flip or a unit slip?")
            return out

        return outcome(rows.index, ok, total, expected, diff, half, message, skipped=no_band & ~has_other,
                       skip_message="skipped: no flow_residual band for this market in schemas/markets.toml; give other_net")
