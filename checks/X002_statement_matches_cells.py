import re

import numpy as np

from wrapcheck.numbers import NUMERIC_COLUMNS, ParseError, parse_figure
from wrapcheck.rules import FLOAT_GUARD, Rule, fmt, judge_rows

FIELDS = tuple(NUMERIC_COLUMNS)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class StatementMatchesCells(Rule):
    """The figures a row's own sentences quote agree with the row's cells.

    What it checks: the extractor reads the row's `statement` (its sentences about the session), and
    each figure it finds there for the row's instrument must agree with the row's cell of that field
    within the rounding of both (a cell written the same way as in the sentence agrees at once).
    Why: a session CSV is typed from the prose, and a slip between the two is the commonest error: with
    the KOSPI close retyped as 4,552.48 in every source, close - change and the percent can still hold
    while the sentence beside it says 4,525.48.
    Example: the seed's summary passes; its KOSPI close changed to 4,552.48 fails X002: the statement
    says 4,525.48.
    """

    code = "X002"
    name = "statement-matches-cells"
    requires = ("date", "statement")
    also_reads = FIELDS

    def check(self, rows, ctx):
        from wrapcheck.extract import extract_text

        raw = ctx.raw.loc[rows.index] if not ctx.raw.index.equals(rows.index) else ctx.raw
        dates, names = rows["date"].to_numpy(dtype=object), rows["instrument"].to_numpy(dtype=object)
        statements = rows["statement"].fillna("").astype(str).to_numpy(dtype=object)
        quoted_memo: dict[tuple, dict] = {}
        written = {f: raw[f].to_numpy(dtype=object) for f in FIELDS if f in raw.columns}  # columns once, not a cell at a time
        values = {f: rows[f].to_numpy(dtype=float) for f in written}
        halves = {f: rows[f + "__hw"].to_numpy(dtype=float) for f in written}

        def quoted(i) -> dict[str, str]:
            key = (statements[i], dates[i])
            if key not in quoted_memo:
                try:
                    found = extract_text(statements[i], session=str(dates[i]), source="statement").rows
                except ValueError:
                    found = []
                quoted_memo[key] = {r["instrument"]: r for r in found}
            return quoted_memo[key].get(str(names[i]), {})

        def judge(i):
            cells = {f: str(written[f][i]).strip() for f in written if not np.isnan(values[f][i])}
            if not cells:
                return "", None, "skipped: the row has no figure to compare with its statement"
            pending = {f: c for f, c in cells.items() if c.lstrip("+") not in statements[i]}  # as in the sentence: agrees
            if pending and set(_NUMBER.findall(statements[i])) <= {n for c in cells.values() for n in _NUMBER.findall(c)}:
                pending = {}  # every number the statement quotes is one of the row's: none can disagree
            said = quoted(i) if pending else {}
            problems, compared = [], len(cells) - len(pending)
            for field, cell in pending.items():
                text = said.get(field)
                if not text:
                    continue
                try:
                    figure = parse_figure(text, NUMERIC_COLUMNS[field])
                except ParseError:
                    continue
                compared += 1
                value, hw = values[field][i], halves[field][i]
                if abs(value - figure.value) > hw + figure.halfwidth + FLOAT_GUARD(np.array([value]), np.array([figure.value]))[0]:
                    problems.append(f"{field} {cell} but the statement says {text} (off by {fmt(abs(value - figure.value), hw)})")
            if not compared:
                return "", None, "skipped: the statement quotes none of the row's figures"
            return ", ".join(cells), problems

        return judge_rows(rows, judge, "skipped: the statement quotes none of the row's figures")
