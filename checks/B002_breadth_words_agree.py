from wrapcheck.rules import Rule, judge_rows, text_of
from wrapcheck.text import MIXED_RATIO, breadth_claims


class BreadthWordsAgree(Rule):
    """The breadth wording agrees with the advancer and decliner counts.

    What it checks: "decliners outnumbered advancers 482 to 394" needs decliners > advancers and the two
    numbers in the order the words give (gainers/winners/advancing and losers/declining are synonyms);
    "breadth weakness" needs decliners > advancers, "broad-based gains" advancers > decliners, and
    "mixed breadth" neither side more than twice the other.
    Why: swapped counts, or a phrase written from yesterday's numbers, contradict the table.
    Example: advancers 394 and decliners 482 with "decliners outnumber advancers 482 to 394" pass;
    swapping the two counts fails B002.
    """

    code = "B002"
    name = "breadth-words-agree"
    kinds = ("index",)
    requires = ("advancers", "decliners")
    requires_any = (("statement", "title"),)

    def check(self, rows, ctx):
        texts = text_of(rows).to_numpy()
        dates = rows["date"].to_numpy()
        adv, dec = rows["advancers"].to_numpy(), rows["decliners"].to_numpy()

        def judge(i):
            comparisons, polarities = breadth_claims(texts[i], dates[i])
            counts = {"advancers": adv[i], "decliners": dec[i]}
            issues = []
            for c in comparisons:
                if not counts[c.winner] > counts[c.loser]:
                    issues.append(f"{c.phrase!r} but {c.winner} {int(counts[c.winner])} <= {c.loser} {int(counts[c.loser])}")
                elif (c.first, c.second) != (counts[c.winner], counts[c.loser]):
                    issues.append(f"{c.phrase!r} but {c.winner} = {int(counts[c.winner])}, {c.loser} = {int(counts[c.loser])}")
            for polarity, phrase in polarities:
                if polarity > 0 and not adv[i] > dec[i]:
                    issues.append(f"{phrase!r} but advancers {int(adv[i])} <= decliners {int(dec[i])}")
                elif polarity < 0 and not dec[i] > adv[i]:
                    issues.append(f"{phrase!r} but decliners {int(dec[i])} <= advancers {int(adv[i])}")
                elif polarity == 0 and max(adv[i], dec[i]) > MIXED_RATIO * max(min(adv[i], dec[i]), 1):
                    issues.append(f"{phrase!r} but {int(adv[i])} advancers vs {int(dec[i])} decliners is more than {MIXED_RATIO:g} to 1")
            seen = "; ".join([c.phrase for c in comparisons] + [p for _, p in polarities])
            return seen, (issues if comparisons or polarities else None)

        return judge_rows(rows, judge, "skipped: the statement makes no breadth claim")
