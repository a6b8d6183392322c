from datetime import date

import numpy as np

from wrapcheck.rules import Rule, judge_rows, text_of
from wrapcheck.text import WEEKDAYS, dated_sentences, dateline, weekday_mentions


def _day(d: date) -> str:
    return f"{d.strftime('%b')} {d.day}, {d.year}"


class DatesAgreeWithCalendar(Rule):
    """Dates and weekdays in the statement agree with the calendar and the session date.

    What it checks: a weekday used of the session ("on Friday", "Friday's close") is the session's
    weekday; a wire dateline ("SEOUL, Jan. 6 (Yonhap)") is the session date; a dated line
    ("Jan 5, 2026 - ...") is not after the session, a dated market event falls on a trading day, and a
    date range that claims a number of sessions ("across two sessions", "two-day") holds exactly that
    many sessions of the exchange calendar.
    Why: timelines and recaps are written from memory; a wrong weekday or an impossible range misleads
    readers about when things happened.
    Example: "Jan 4-5, 2026 - Foreign investors accumulate ... across two sessions" fails C002: Jan 4,
    2026 was a Sunday, so the range holds one session; the two sessions before Jan 6 were Jan 2 and Jan 5.
    """

    code = "C002"
    name = "dates-agree-with-calendar"
    requires = ("date",)
    requires_any = (("statement", "title"),)

    def check(self, rows, ctx):
        cal = ctx.calendar
        texts = text_of(rows).to_numpy()
        dates = rows["date"].to_numpy(dtype=object)

        def judge(i):
            try:
                session = date.fromisoformat(dates[i])
            except ValueError:
                return "", None
            checked, issues = [], []
            for day, sentence in weekday_mentions(texts[i], dates[i]):
                checked.append(day)
                if day.lower() != WEEKDAYS[session.weekday()]:
                    issues.append(f"{day!r} in a wrap of {session.strftime('%A')} {_day(session)}: {sentence!r}")
            line = dateline(texts[i])
            if line is not None:
                checked.append("dateline")
                if line != (session.month, session.day):
                    issues.append(f"the dateline says {line[0]}/{line[1]} but the session is {_day(session)}")
            for d in dated_sentences(texts[i]):
                label = _day(d.first) if d.first == d.last else f"{_day(d.first)} to {_day(d.last)}"
                checked.append(label)
                if d.last > session:
                    issues.append(f"{label} is after the session ({_day(session)}): {d.sentence!r}")
                    continue
                held = cal.between(d.first, d.last)
                closed = [day for day in (d.first, d.last) if not cal.is_session(np.datetime64(day, "D"))]
                if d.claimed_sessions is not None and len(held) != d.claimed_sessions:
                    sessions_before = [_day(date.fromisoformat(str(cal.previous(np.datetime64(session, "D"), k))))
                                       for k in range(d.claimed_sessions, 0, -1)]
                    why = "; ".join(f"{_day(x)} was {cal.why_closed(str(x))}" for x in closed)
                    issues.append(
                        f"{label} claims {d.claimed_sessions} session(s) but holds {len(held)}"
                        + (f" ({why})" if why else "")
                        + f"; the {d.claimed_sessions} session(s) before {_day(session)} were {' and '.join(sessions_before)}"
                        + f": {d.sentence!r}"
                    )
                elif d.first == d.last and closed and d.market_action:
                    issues.append(f"{label} was {cal.why_closed(str(d.first))}, not a trading day: {d.sentence!r}")
            return "; ".join(checked), (issues if checked else None)

        return judge_rows(rows, judge, "skipped: the statement names no date or weekday")
