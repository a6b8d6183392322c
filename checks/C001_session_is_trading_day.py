import numpy as np

from wrapcheck.rules import Rule, outcome


class SessionIsTradingDay(Rule):
    """The session date is a trading day of the exchange.

    What it checks: the row's date is a session of the exchange calendar (XKRX: exchange_calendars,
    pinned, plus the closures it misses listed in schemas/calendar_overrides.toml, such as the
    2026-06-03 local elections and Constitution Day on 2026-07-17).
    Why: a wrap dated on a weekend or a holiday has the wrong date, and every history check keyed on
    that date would compare the wrong sessions.
    Example: 2026-01-06 (a Tuesday) passes; 2026-01-04 fails C001, "a Sunday"; 2026-06-03 fails C001,
    "nationwide local elections".
    """

    code = "C001"
    name = "session-is-trading-day"
    requires = ("date",)

    def check(self, rows, ctx):
        cal = ctx.calendar
        days, covered = cal.days(rows["date"])
        session = np.zeros(len(rows), dtype=bool)
        session[covered] = cal.is_session(days[covered])

        def message(where):
            return [f"{day} is not a trading day of {cal.exchange}: {cal.why_closed(day)}"
                    for day in rows["date"].to_numpy(dtype=object)[where]]  # the failing rows' dates only

        return outcome(rows.index, session | ~covered, message=message, skipped=~covered,
                       skip_message=f"skipped: the {cal.exchange} calendar covers {cal.first} to {cal.last}, or the date is unreadable")
