import numpy as np
import pandas as pd

from wrapcheck.history import lookup
from wrapcheck.rules import Rule, agree, codes_of, fmt, outcome


class ChangeFromPreviousSession(Rule):
    """close - change equals the previous trading session's close in history.

    What it checks: the close the row implies for the previous session (close - change, a yield's
    change in basis points divided by 100; or prior_close when that is all it gives) equals the
    previous trading session's close on record: the official reference where given (--reference),
    else the consensus of the sources in the files read (the files validated, and --history), else
    the official record shipped in schemas/reference (or fetched by `wrapcheck data update`).
    Why: a wrap that prints "5,803.53, up 131.28 (2.31%)" is consistent with itself, but if the
    previous session closed at 5,677.25 the close must be 5,808.53. Only history catches it.
    Example: 2026-01-06 KOSPI 4,525.48, +67.96 passes against 2026-01-05's official 4,457.52 (Bank of
    Korea ECOS); a close of 4,552.48 fails H001, expected 4,457.52, off by 27.00. A session after the
    data's end is skipped, naming the end and `wrapcheck data update`.
    """

    code = "H001"
    name = "change-from-previous-session"
    reads_history = True
    requires = ("date",)
    requires_any = (("close", "prior_close"),)
    also_reads = ("change",)

    def check(self, rows, ctx):
        cal = ctx.calendar
        # Worked out per distinct date and per distinct (instrument, date): an archive has a few thousand
        # dates and a few hundred thousand pairs, but millions of rows.
        date_codes, distinct_dates = codes_of(rows["date"])
        days, covered = cal.days(distinct_dates)
        previous_of = np.full(len(distinct_dates) + 1, "", dtype=object)  # the last: a missing date
        previous_of[:-1][covered] = cal.previous(days[covered]).astype(str)
        covered = np.append(covered, False)[date_codes]
        previous = previous_of[date_codes]
        has_change = (rows["close"].notna() & rows["change_level"].notna()).to_numpy()
        implied = np.where(has_change, (rows["close"] - rows["change_level"]).to_numpy(), rows["prior_close"].to_numpy())
        implied_hw = np.where(has_change, (rows["close__hw"] + rows["change_level__hw"]).to_numpy(), rows["prior_close__hw"].to_numpy())
        inst_codes, instruments = codes_of(rows["instrument"])
        pair, _ = pd.factorize(inst_codes.astype(np.int64) * (len(previous_of) + 1) + date_codes)
        first = np.empty(pair.max(initial=-1) + 1, dtype=np.int64)
        first[pair] = np.arange(len(pair))  # a row of each pair
        prev_close, prev_hw, origin = (v[pair] for v in lookup(ctx.record_of(["close"]), np.append(instruments, None)[inst_codes[first]],
                                                              previous[first], "close"))
        unknown = np.isnan(implied) | np.isnan(prev_close) | ~covered
        ok, diff, tol = agree(implied, implied_hw, prev_close, np.nan_to_num(prev_hw))
        ok |= unknown

        change_level = rows["change_level"].to_numpy()
        close_hw = rows["close__hw"].to_numpy()

        def message(where):
            out = []
            for i in where:
                how = "close - change" if has_change[i] else "prior_close"
                out.append(f"{how} = {fmt(implied[i], implied_hw[i])}, but the previous session ({previous[i]}) closed at "
                           f"{fmt(prev_close[i], prev_hw[i])} ({origin[i]}); off by {fmt(abs(diff[i]), implied_hw[i])}"
                           + (f", so the close should be {fmt(prev_close[i] + change_level[i], close_hw[i])}" if has_change[i] else ""))
            return out

        names = np.append(instruments, None)[inst_codes]
        official = ctx.official

        def skip_message(where):
            case = np.select([~covered[where], np.isnan(implied[where]), origin[where] == "disputed"], [0, 1, 2], 3)
            # A message per reason, instrument and date, not per row.
            key = (case.astype(np.int64) * (len(instruments) + 2) + inst_codes[where] + 1) * (len(previous_of) + 1) + date_codes[where] + 1
            kinds, which = np.unique(key, return_inverse=True)
            firsts = where[np.unique(which.reshape(-1), return_index=True)[1]]
            reasons = case[np.unique(which.reshape(-1), return_index=True)[1]]
            words = [self.skip_reason(int(r), names[i], previous[i], official, ctx.registry) for r, i in zip(reasons.tolist(), firsts.tolist())]
            return np.asarray(words, dtype=object)[which.reshape(-1)].tolist()

        return outcome(rows.index, ok, implied, prev_close, diff, tol, message, skipped=unknown, skip_message=skip_message)

    @staticmethod
    def skip_reason(reason: int, name, previous: str, official, registry) -> str:
        if reason == 0:
            return "skipped: the date is outside the trading calendar or unreadable"
        if reason == 1:
            return "skipped: needs close and change, or prior_close"
        if reason == 2:
            return f"skipped: the sources for {previous} disagree on its close"
        beyond = official.beyond(str(name), previous) if official is not None else None
        if beyond:
            return f"skipped: {beyond}"
        missing = f"skipped: no close on record for the previous session ({previous}); add its file or --history DIR"
        inst = registry.get(str(name)) if name is not None else None
        if inst is not None and inst.kind == "stock" and inst.code:
            return f"{missing}, or fetch the official prices: `wrapcheck data update --stock {inst.code}:{previous}`"
        if inst is not None and inst.kind in ("fx", "yield"):
            return f"{missing} (the official record has no closing {'rate' if inst.kind == 'fx' else 'yield'} that wraps quote)"
        return missing
