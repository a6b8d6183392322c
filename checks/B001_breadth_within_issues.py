import numpy as np

from wrapcheck.rules import Rule, outcome


class BreadthWithinIssues(Rule):
    """Advancers + decliners + unchanged do not exceed the issues traded (or listed).

    What it checks: the breadth counts add up to no more than issues_traded when the source gives it,
    otherwise no more than the issues listed on the market (schemas/markets.toml `issues_listed`).
    Why: a count typed with an extra digit, or KOSDAQ counts pasted into a KOSPI row, shows up here.
    Example: 394 + 482 = 876 of at most 1,000 listed KOSPI issues passes; 394 + 4,820 fails B001.
    """

    code = "B001"
    name = "breadth-within-issues"
    kinds = ("index",)
    requires = ("advancers", "decliners")
    also_reads = ("unchanged", "issues_traded")

    def check(self, rows, ctx):
        total = (rows["advancers"] + rows["decliners"] + rows["unchanged"].fillna(0)).to_numpy()
        traded = rows["issues_traded"].to_numpy()
        listed = ctx.profile_values(rows, "issues_listed")
        limit = np.where(np.isnan(traded), listed, traded)
        basis = np.where(np.isnan(traded), "issues listed on " + rows["market"].astype(str).to_numpy(), "issues traded")
        no_limit = np.isnan(limit)
        ok = no_limit | (total <= limit)
        diff = np.where(ok, 0.0, total - limit)

        def message(where):
            return [f"advancers + decliners + unchanged = {int(total[i]):,} but there are at most "
                    f"{int(limit[i]):,} {basis[i]} ({int(diff[i]):,} too many)" for i in where]

        return outcome(rows.index, ok, total, limit, diff, 0.0, message, skipped=no_limit,
                       skip_message="skipped: needs issues_traded or an issues_listed figure for the market")
