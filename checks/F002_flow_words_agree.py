import numpy as np

from wrapcheck.rules import Rule, fmt, judge_rows, sign_of, text_of
from wrapcheck.text import flow_claims

FLOWS = ("individual_net", "foreign_net", "institution_net")
LABEL = {"individual_net": "individuals", "foreign_net": "foreigners", "institution_net": "institutions"}


class FlowWordsAgree(Rule):
    """Words about investor flows agree with the signs of the flow figures.

    What it checks: in the source's own sentences about the session, each buying word (bought, net
    buyers, scooped up, inflows ...) or selling word (sold, net sellers, offloaded, dumped, outflows ...)
    that follows a category (individuals/retail, foreigners, institutions) agrees with the sign of that
    category's net figure; a statement that says both for one category fails. Sentences dated another
    day and clauses about other periods ("over the prior two sessions") are set aside.
    Why: the figure and the prose are typed separately; "foreigners were net buyers" over a negative
    figure means one of them is wrong.
    Example: "offsetting foreign net selling of 618.83 billion won" with foreign_net -618.83 passes;
    with +618.83 it fails F002.
    """

    code = "F002"
    name = "flow-words-agree"
    kinds = ("index", "stock")
    requires_any = (FLOWS, ("statement", "title"))

    def check(self, rows, ctx):
        texts = text_of(rows).to_numpy()
        dates = rows["date"].to_numpy()
        markets = rows["instrument"].astype(str).to_numpy()  # an index row's flows are its market's
        signs = {f: sign_of(rows[f].to_numpy(), rows[f + "__hw"].to_numpy()) for f in FLOWS}

        def judge(i):
            found, issues = [], []
            for field, said in flow_claims(texts[i], dates[i], markets[i]).items():
                if not said:
                    continue
                found.append(f"{LABEL[field]}: " + ", ".join(repr(c.word) for c in said))
                if len({c.sign for c in said}) > 1:
                    issues.append(f"the statement says both buying and selling for {LABEL[field]} ("
                                  + ", ".join(repr(c.word) for c in said) + ")")
                    continue
                figure = rows[field].iat[i]
                claim = said[0].sign
                if not np.isnan(figure) and signs[field][i] and claim != signs[field][i]:
                    issues.append(f"{LABEL[field]} {'bought' if claim > 0 else 'sold'} per {said[0].word!r} "
                                  f"but {field} is {fmt(figure, rows[field + '__hw'].iat[i])}")
            return "; ".join(found), (issues if found else None)

        return judge_rows(rows, judge, "skipped: the statement makes no buying or selling claim for a reported category")
