import numpy as np

from wrapcheck.registry import Instrument
from wrapcheck.rules import Rule, fmt, outcome, sign_of, text_of
from wrapcheck.text import direction_claims


class DirectionWordsAgree(Rule):
    """Direction words agree with the sign of the instrument's change.

    What it checks: in the source's own sentences about the session, each direction word (up, rose,
    gained, jumped, surged, climbed, added, advanced / down, fell, slid, slipped, lost, dropped, edged
    down ...) that follows a mention of the instrument agrees with the sign of its change, and no two
    contradict each other. For the won the subject decides the convention: "the won weakened ... down
    1.7 won" (the won's value), "the dollar strengthened, rising 1.7 won" and "the won-dollar exchange
    rate rose" all mean the rate, the `change` column, went up.
    Why: the prose is what readers remember; a "rose" over a negative change is a correction waiting to happen.
    Where a source gives only change_pct (stocks, often), its sign is the one compared.
    Example: "The won weakened to 1,445.50 per U.S. dollar, down 1.7 won" with change +1.7 passes;
    "The won strengthened ..." fails D001 (and contradicts its own "down 1.7 won").
    """

    code = "D001"
    name = "direction-words-agree"
    requires_any = (("change", "change_pct"), ("statement", "title"))

    def check(self, rows, ctx):
        texts = text_of(rows).to_numpy()
        dates = rows["date"].to_numpy()
        names = rows["instrument"].to_numpy()
        # The sign of the change, or of the percent change where a source gives only that (stocks).
        has_change = rows["change"].notna().to_numpy()
        change = np.where(has_change, rows["change"].to_numpy(), rows["change_pct"].to_numpy())
        change_hw = np.where(has_change, rows["change__hw"].to_numpy(), rows["change_pct__hw"].to_numpy())
        signs = sign_of(change, change_hw)
        n = len(rows)
        ok, skipped = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
        observed = np.full(n, "", dtype=object)
        problems: dict[int, str] = {}
        kinds, markets = rows["kind"].to_numpy(dtype=object), rows["market"].to_numpy(dtype=object)

        def instrument_of(i):  # an unknown name has no phrases of its own: its sentences find no claims
            return ctx.registry.get(names[i]) or Instrument(str(names[i]), str(kinds[i]), str(markets[i]))

        for i in range(n):
            claims = direction_claims(texts[i], dates[i], instrument_of(i))
            if not claims:
                skipped[i] = True
                continue
            observed[i] = ", ".join(f"{c.subject} {c.word}" for c in claims)
            ups = [c for c in claims if c.sign > 0]
            downs = [c for c in claims if c.sign < 0]
            if ups and downs:
                ok[i] = False
                problems[i] = (f"the statement contradicts itself: {', '.join(repr(c.subject + ' ' + c.word) for c in ups)} "
                               f"means {names[i]} went up, {', '.join(repr(c.subject + ' ' + c.word) for c in downs)} down")
            elif signs[i] and (ups or downs)[0].sign != signs[i]:
                c = claims[0]
                ok[i] = False
                problems[i] = (f"{c.subject!r} {c.word!r} means {names[i]} went {'up' if c.sign > 0 else 'down'}, "
                               f"but {'change' if has_change[i] else 'change_pct'} is {fmt(change[i], change_hw[i])}")
        expected = np.where(signs > 0, "up", np.where(signs < 0, "down", "up or down")).astype(object)
        return outcome(rows.index, ok, observed=observed, expected=expected,
                       message=lambda where: [problems[i] for i in where], skipped=skipped,
                       skip_message="skipped: the statement makes no direction claim about this instrument")
