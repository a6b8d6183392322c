import numpy as np

from wrapcheck.claims import level_claims
from wrapcheck.numbers import LEVEL, parse_figure
from wrapcheck.rules import Rule, fmt, judge_rows, text_of


def halfwidth_of(written: str) -> float:
    """The precision a level claims as written ("5,019.54": 0.005)."""
    return parse_figure(written, LEVEL).halfwidth


class RecordAndThresholdClaims(Rule):
    """Record and threshold claims agree with the history that is known.

    What it checks: "record high", "all-time high", "fresh high", "record close" need the close to top
    every earlier close; "above / past / crossing / breaking the 4,500 mark" needs the close above the
    level, and "for the first time" also every earlier close below it; "above 4,400 the day before"
    reads the previous session's close, and a dated line ("Jan 5, 2026 - ...") its own session's.
    The highest earlier close is known exactly from the official series (schemas/reference, with the
    high before it began) plus, after its end, every session since in history; otherwise only
    disproof is possible, and a claim that cannot be proved is skipped with that reason, never passed.
    Moves during the session ("as high as 5,019.54", "broke through 5,000 during trading") are judged
    against the day's official high or low, not the close.
    Why: "for the first time" and "a record" are the claims readers quote; a wrong one is a correction.
    Example: "KOSPI closes above 4,500 for first time" at 4,525.48 passes (the highest close before
    was 4,457.52 on 2026-01-05); the same title over a close of 4,495.48 fails H002; "rose as high as
    5,019.54 before closing at 4,952.53" on 2026-01-22 passes against the day's high.
    """

    code = "H002"
    name = "record-and-threshold-claims"
    reads_history = True
    kinds = ("index", "stock")
    requires = ("date",)
    requires_any = (("statement", "title"),)
    also_reads = ("close",)

    def check(self, rows, ctx):
        history = ctx.history
        texts = text_of(rows).to_numpy()
        dates = rows["date"].to_numpy(dtype=object)
        names = rows["instrument"].to_numpy(dtype=object)
        closes = rows["close"].to_numpy()

        def judge_intraday(c, name, day, label, proved, failed, unknown):
            """"as high as 5,019.54", "broke through 5,000 during trading": the day's high or low."""
            side = "low" if c.kind == "intraday-low" else "high"
            hit = history.intraday(name, day, side)
            if hit is None:
                end = history.data_end(name)
                unknown.append(f"{label}: no official {side} for {day}" + (f" (data end {end}; run `wrapcheck data update`)" if end and day > end else ""))
                return
            value, _, origin = hit
            if c.kind == "intraday-above":
                (proved if value > c.level else failed).append(
                    f"{label}: the day's high was {fmt(value)} ({origin})" if value <= c.level else label)
                return
            hw = halfwidth_of(c.written)
            if abs(value - c.level) <= hw + 1e-9 * max(1.0, abs(value)):
                proved.append(label)
            else:
                failed.append(f"{label}: the day's {side} was {fmt(value)} ({origin}), off by {fmt(abs(value - c.level), hw)}")

        def judge(i):
            scale = closes[i] if not np.isnan(closes[i]) else history.close(names[i], dates[i])
            claims = level_claims(texts[i], dates[i], scale)
            if not claims:
                return "", None
            proved, failed, unknown = [], [], []
            for c in claims:
                day = dates[i] if c.target == "session" else history.previous(dates[i]) if c.target == "previous" else c.target
                close = closes[i] if day == dates[i] and not np.isnan(closes[i]) else history.close(names[i], day)
                label = f"{c.phrase!r} ({day})"
                if c.kind.startswith("intraday"):
                    judge_intraday(c, names[i], day, label, proved, failed, unknown)
                    continue
                if close is None:
                    unknown.append(f"{label}: no close on record for {day}")
                    continue
                if c.kind in ("above", "first-above") and not close > c.level:
                    failed.append(f"{label}: the close was {fmt(close)}, not above {fmt(c.level)}")
                    continue
                if c.kind == "above":
                    proved.append(label)
                    continue
                best, exact = history.max_close_before(names[i], day)
                bar = c.level if c.kind == "first-above" else close
                if best is not None and best >= bar:
                    what = f"above {fmt(c.level)} before" if c.kind == "first-above" else "as high before"
                    failed.append(f"{label}: the close had been {what}: {fmt(best)} was on record before {day}"
                                  + history.series_note(names[i]))
                elif exact:
                    proved.append(label)
                else:
                    end = history.data_end(names[i])
                    unknown.append(f"{label}: history before {day} is too short to prove it "
                                   + (f"(the official closes end {end} and the sessions since are not all in your files; "
                                      "run `wrapcheck data update`)" if end and end < day else
                                      "(no official series for it, and your files do not reach back to its listing)"))
            seen = "; ".join(c.phrase for c in claims)
            if failed:
                return seen, failed + [f"could not prove {u}" for u in unknown]
            if unknown:
                return seen, None, "skipped: " + "; ".join(unknown) + (f" (proved: {', '.join(proved)})" if proved else "")
            return seen, [], "proved: " + ", ".join(proved)

        return judge_rows(rows, judge, "skipped: the statement makes no record or threshold claim")
