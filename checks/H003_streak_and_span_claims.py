import numpy as np

from wrapcheck.claims import span_claims
from wrapcheck.rules import Rule, fmt, judge_rows, sign_of, text_of


class StreakAndSpanClaims(Rule):
    """Streaks, spans and sums over sessions agree with history and the trading calendar.

    What it checks: "third straight session", "10th consecutive day of gains", "a 12-session winning
    streak", "three sessions in a row", "snapping a four-day losing streak", "first gain in five
    sessions": the run of same-direction sessions ending at the session, counted on the exchange
    calendar, matches the number; the result says whether it holds counting the session itself
    (inclusive) or only the sessions before it. "all but one of the 15 trading days so far this year"
    and "9 trading days after Jan 6" are counted on the calendar; "foreigners bought more than 2.8
    trillion won over the past two sessions" sums the category over those sessions in history.
    Why: streak counts are easy to get off by one, and spans are counted by hand over holidays.
    Example: a KOSPI up on 2026-01-05 and 2026-01-06 and down on 2026-01-02, described as "rose for a
    second straight session", passes; "a third straight session" fails H003.
    """

    code = "H003"
    name = "streak-and-span-claims"
    reads_history = True
    kinds = ("index", "stock", "fx", "yield")
    requires = ("date",)
    requires_any = (("statement", "title"),)
    also_reads = ("change", "change_pct")

    def check(self, rows, ctx):
        history, cal = ctx.history, ctx.calendar
        texts = text_of(rows).to_numpy()
        dates = rows["date"].to_numpy(dtype=object)
        names = rows["instrument"].to_numpy(dtype=object)
        change = np.where(rows["change"].notna(), rows["change"], rows["change_pct"]).astype(float)
        change_hw = np.where(rows["change"].notna(), rows["change__hw"], rows["change_pct__hw"]).astype(float)
        today_sign = sign_of(change, change_hw)

        def judge(i):
            claims = span_claims(texts[i], dates[i])
            if not claims:
                return "", None
            verdicts = [self._judge(c, names[i], dates[i], int(today_sign[i]), history, cal, rows, i) for c in claims]
            failed = [v for s, v in verdicts if s == "fail"]
            unknown = [v for s, v in verdicts if s == "skip"]
            proved = [v for s, v in verdicts if s == "pass"]
            seen = "; ".join(c.phrase for c in claims)
            if failed:
                return seen, failed + unknown
            if unknown:
                return seen, None, "skipped: " + "; ".join(unknown + proved)
            return seen, [], "; ".join(proved)

        return judge_rows(rows, judge, "skipped: the statement makes no streak, span or multi-session claim")

    @staticmethod
    def _run(history, name, day, direction, today, limit):
        """Sessions in a row moving in ``direction``: (counting the session, before it, complete?)."""
        before = 0
        for k in range(1, limit + 2):
            d = history.direction(name, history.previous(day, k))
            if d is None:
                return (before + 1 if today == direction else 0), before, False
            if d != direction:
                break
            before += 1
        return (before + 1 if today == direction else 0), before, True

    def _judge(self, c, name, day, today, history, cal, rows, i):
        label = repr(c.phrase)
        if c.kind in ("streak", "snap", "first-in"):
            direction = c.direction or today
            if direction == 0:
                return "skip", f"{label}: the direction of the streak is unclear"
            if c.kind == "streak":
                inclusive, exclusive, complete = self._run(history, name, day, direction, today, c.n)
                word = "up" if direction > 0 else "down"
                if not complete and max(inclusive, exclusive) <= c.n:
                    # "N straight" means exactly N: the session that broke the run must be on record.
                    return "skip", (f"{label}: history has {inclusive} session(s) {word} up to {day}, then no record "
                                    "of the session before")
                if inclusive == c.n:
                    return "pass", f"{label}: {c.n} sessions {word} counting {day} (inclusive)"
                if exclusive == c.n and today != direction:
                    return "pass", f"{label}: {c.n} sessions {word} before {day}, not counting it (exclusive)"
                return "fail", (f"{label}: {inclusive} session(s) {word} counting {day} (inclusive), {exclusive} before it; "
                                f"neither counting gives {c.n}")
            # snap / first-in: today opposite to the run of n (snap) or n-1 (first-in) sessions before.
            needed = c.n if c.kind == "snap" else c.n - 1
            run_dir = direction if c.kind == "snap" else -direction
            today_dir = -direction if c.kind == "snap" else direction
            if today and today != today_dir:
                return "fail", f"{label}: the session itself moved the other way"
            _, before, complete = self._run(history, name, day, run_dir, 0, needed)
            if before == needed:
                return "pass", f"{label}: {needed} session(s) {'up' if run_dir > 0 else 'down'} before {day}"
            if not complete and before < needed:
                return "skip", f"{label}: history has {before} session(s) before {day}, then no record"
            return "fail", f"{label}: {before} session(s) in that direction before {day}, not {needed}"
        if c.kind == "days-after":
            lo = np.datetime64(c.since, "D") + 1
            count = cal.count(lo, np.datetime64(day, "D"))
            if count == c.n:
                return "pass", f"{label}: {count} sessions from {c.since} (excluded) to {day} (included)"
            alt = cal.count(np.datetime64(c.since, "D"), np.datetime64(day, "D"))
            if alt == c.n:
                return "pass", f"{label}: {alt} sessions counting both {c.since} and {day} (inclusive)"
            return "fail", f"{label}: {count} sessions after {c.since} up to {day} ({alt} counting both ends), not {c.n}"
        if c.kind == "all-but":
            year_start = np.datetime64(f"{day[:4]}-01-01", "D")
            sessions = cal.between(year_start, np.datetime64(day, "D"))
            if len(sessions) != c.n:
                return "fail", f"{label}: {len(sessions)} trading days in {day[:4]} up to {day}, not {c.n}"
            direction = c.direction or today
            signs = [history.direction(name, str(d)) for d in sessions]
            if str(sessions[-1]) == day and today:
                signs[-1] = today
            if any(s is None for s in signs):
                return "skip", f"{label}: the calendar agrees ({c.n} trading days), but history lacks some of them"
            others = sum(1 for s in signs if s != direction)
            if others == c.k:
                return "pass", f"{label}: {c.n - c.k} of {c.n} trading days"
            return "fail", f"{label}: {c.n - others} of {c.n} trading days moved that way, not {c.n - c.k}"
        if c.kind == "sum":
            # "prior/previous/last N sessions": the N before the session; "past N": either counting.
            options = [("exclusive", [history.previous(day, k) for k in range(1, c.n + 1)])]
            if c.span == "past":
                options.append(("inclusive", [day] + [history.previous(day, k) for k in range(1, c.n)]))
            results = []
            for counting, days in options:
                values = [history.flow(name, c.field, d) for d in days]
                if any(v is None for v in values):
                    missing = [d for d, v in zip(days, values) if v is None]
                    results.append(("skip", f"{label}: no {c.field} on record for {', '.join(missing)} ({counting} counting)"))
                    continue
                total = sum(values) * c.direction
                ok = {">=": total >= c.amount - c.halfwidth, "<=": total <= c.amount + c.halfwidth}.get(
                    c.comparison, abs(total - c.amount) <= c.halfwidth)
                results.append(("pass" if ok else "fail",
                                f"{label}: {c.field} over {', '.join(days)} sums to {fmt(total)} billion won ({counting} counting)"))
            for wanted in ("pass", "fail", "skip"):
                for s, text in results:
                    if s == wanted:
                        return s, text
        return "skip", f"{label}: not understood"
