import numpy as np
import pandas as pd

from wrapcheck.model import Status
from wrapcheck.numbers import NUMERIC_COLUMNS
from wrapcheck.rules import FLOAT_GUARD, Grouped, Rule, disagreeing_pairs, fmt, outcome

FIELDS = tuple(NUMERIC_COLUMNS)


class SourcesAgree(Rule):
    """Sources that report the same figure agree within the rounding of the less precise one.

    What it checks: for every figure two or more sources report for the same instrument and date, the
    written values admit a common true value (597.55 and 597.6 agree; 597.55 and 599.2 do not). When
    sources disagree and a majority agrees, the odd source out fails and the majority passes, naming it.
    With no majority (two sources, an even split) an arbiter names the wrong one: the official figure
    (--reference, or the official record: a close, and the change, percent and prior close it implies),
    else each source's own arithmetic (close, change and percent consistent with one another); a report
    the arbiter confirms passes. With no arbiter every disagreeing source fails.
    Why: two wires rarely make the same typo; disagreement points at the figure to re-check.
    Example: summary reporting KOSPI at 4,552.48 while yonhap-1 and yonhap-2 report 4,525.48 fails
    X001 on summary only, expected 4,525.48, off by 27.00; with only two sources, 4,525.48 passes and
    4,552.48 fails, the official close of 2026-01-06 being 4,525.48.
    """

    code = "X001"
    name = "sources-agree"
    requires = ("date", "instrument")
    also_reads = FIELDS

    def check(self, rows, ctx):
        table = ctx.table
        date_code = pd.factorize(table["date"])[0].astype(np.int64)
        instrument_code = pd.factorize(table["instrument"])[0].astype(np.int64)
        instrument_date = date_code * (instrument_code.max() + 1 if len(table) else 1) + instrument_code
        source_code, source_names = pd.factorize(table["source"])
        source_names = np.asarray(source_names, dtype=object)
        n = len(rows)

        def none_compared(compared: np.ndarray):
            return outcome(rows.index, np.ones(n, dtype=bool), skipped=~compared,
                           skip_message="skipped: no other source reports this instrument on this date")

        # Field by field (a group is one figure of one instrument on one date), on numpy arrays: the long
        # form of every figure at once has ~10^7 entries and took 700 MiB at 10^6 rows. The rows are
        # sorted by (instrument, date) once; each field takes its reported rows in that order.
        by_instrument_date = np.argsort(instrument_date, kind="stable")
        reported = np.zeros(len(table), dtype=bool)  # by table position: a mask, not a sorted set of millions
        parts = []  # (positions, field number) of the entries whose group disagrees, positions ascending
        for number, f in enumerate(FIELDS):
            present = table[f].notna().to_numpy()
            if not present.any():
                continue
            pos = by_instrument_date[present[by_instrument_date]]
            value, hw = table[f].to_numpy()[pos], table[f + "__hw"].to_numpy()[pos]
            source = source_code[pos]
            # Per group: do two or more sources report the figure (smallest and largest source differ),
            # and do all their written intervals meet (then they agree throughout, Helly in one
            # dimension: largest lower end <= smallest upper end)?
            grouped = Grouped(instrument_date[pos])  # sorted already: the sort finds one run
            several_sources = grouped.reduce(np.minimum, source) != grouped.reduce(np.maximum, source)
            reported[pos[grouped.spread(several_sources)]] = True
            odd = grouped.spread(several_sources & ~grouped.intervals_meet(value - hw - FLOAT_GUARD(value), value + hw))
            if odd.any():
                parts.append((np.sort(pos[odd]), number))
        compared_rows = reported[table.index.get_indexer(rows.index)]
        if not parts:
            return none_compared(compared_rows)
        pos = np.concatenate([p for p, _ in parts])  # table positions of the disagreeing groups' entries
        field_number = np.concatenate([np.full(len(p), k, dtype=np.int8) for p, k in parts])
        value = np.concatenate([table[FIELDS[k]].to_numpy()[p] for p, k in parts])
        hw = np.concatenate([table[FIELDS[k] + "__hw"].to_numpy()[p] for p, k in parts])
        source = source_code[pos]
        # Of each entry's pairs with its group, only those that disagree are made (from the sorted interval
        # ends: the square of a group's size would be 19,321 pairs for a figure 139 sources report); the
        # pairs it has with other sources are its group's size less its own source's reports there.
        key = np.concatenate([instrument_date[p] * len(FIELDS) + k for p, k in parts])
        key_code = pd.factorize(key)[0].astype(np.int64)
        by_key, by_key_source = Grouped(key_code), Grouped(key_code * (source_code.max() + 2) + source + 1)
        others = by_key.spread(by_key.sizes) - by_key_source.spread(by_key_source.sizes)
        disagreeing = np.zeros(len(pos), dtype=np.int64)
        kept = []
        for left, right, diff, tol in disagreeing_pairs(key_code, value, hw):
            keep = source[left] != source[right]
            left, right, diff, tol = left[keep], right[keep], diff[keep], tol[keep]
            disagreeing += np.bincount(left, minlength=len(pos))
            kept.append((left, right, diff, tol))
        agreeing = others - disagreeing
        left, right, diff, tol = (np.concatenate([k[i] for k in kept]) if kept else np.zeros(0, dtype=np.int64 if i < 2 else float)
                                  for i in range(4))
        order = np.lexsort((right, left))  # the pairs in row order, each row's partners in row order
        left, right, diff, tol = left[order], right[order], diff[order], tol[order]
        ok = np.zeros(len(left), dtype=bool)  # the pairs kept are those that disagree
        # In the majority: this value and those agreeing with it are more than half of the reporters.
        disagree = agreeing < others
        failing = disagree & ~((agreeing + 1) * 2 > others + 1)
        # With no majority, an arbiter says which is wrong: the official figure, else each row's own arithmetic.
        arbiter = Arbiter(ctx, table, pos, field_number, value, hw, left, right)
        settled = failing & arbiter.vouched(failing)
        failing &= ~settled
        row_pos = table.index.get_indexer(rows.index)
        fails_at, disagree_at = np.zeros(len(table), dtype=bool), np.zeros(len(table), dtype=bool)
        fails_at[pos[failing]], disagree_at[pos[disagree]] = True, True  # a row fails if any of its fields does
        compared = compared_rows
        fails = fails_at[row_pos]
        noted = disagree_at[row_pos] & ~fails
        if not ctx.keeps(Status.PASS.value):  # the majority's notes would be counted, never shown
            noted[:] = False
        worded = np.zeros(len(table), dtype=bool)
        worded[row_pos[fails | noted]] = True
        bad = ~ok & worded[pos[left]]
        left, right, diff, tol = left[bad], right[bad], diff[bad], tol[bad]
        idx = table.index.to_numpy()[pos[left]]
        observed = np.full(n, np.nan)
        expected = np.full(n, np.nan)
        difference = np.full(n, np.nan)
        tolerance = np.full(n, np.nan)
        if len(left):  # each row's first disagreeing pair gives its figures
            first_idx, first = np.unique(idx, return_index=True)
            at = rows.index.get_indexer(first_idx)
            observed[at], expected[at] = value[left[first]], value[right[first]]
            difference[at], tolerance[at] = diff[first], tol[first]

        # Wording, built once per (row, field) with a disagreement; the other sources in the order of the
        # pairs (fmt is memoized: an odd source out named by many rows is formatted once).
        words: dict[int, list[tuple[str, str]]] = {}
        if len(left):
            other = [f"{src} {fmt(v_o, h_o)}" for src, v_o, h_o in zip(
                source_names[source[right]].tolist(), value[right].tolist(), hw[right].tolist())]
            listing: dict[tuple[int, int], list[str]] = {}
            first_pair: dict[tuple[int, int], int] = {}
            for k, key in enumerate(zip(idx.tolist(), field_number[left].tolist())):
                listing.setdefault(key, []).append(other[k])
                first_pair.setdefault(key, k)
            v, h, d, t = (a.tolist() for a in (value[left], hw[left], diff, tol))
            for (row, number), names in listing.items():
                k, field = first_pair[(row, number)], FIELDS[number]
                listed = ", ".join(names)
                entry = left[k]
                words.setdefault(row, []).append((
                    f"{field} {fmt(v[k], h[k])} disagrees with {listed} (off by {fmt(abs(d[k]), h[k])}, rounding allows {fmt(t[k])})"
                    + arbiter.against(entry),
                    f"{field}: {arbiter.why(entry) if settled[entry] else 'agrees with the majority'}; odd source out: {listed}",
                ))

        def describe(i: int, failing: bool) -> str:
            return "; ".join(f if failing else m for f, m in words.get(rows.index[i], []))

        result = outcome(rows.index, ~fails, observed, expected, difference, tolerance,
                         message=lambda where: [describe(i, True) for i in where],
                         skipped=~compared, skip_message="skipped: no other source reports this instrument on this date")
        noted_rows = np.flatnonzero(noted & compared)
        if len(noted_rows):  # the majority passes, naming the odd source out (one column write, not one per row)
            messages = result["message"].to_numpy(dtype=object).copy()
            messages[noted_rows] = [describe(i, False) for i in noted_rows]
            result["message"] = pd.Series(messages, index=result.index, dtype=object)
        return result


class Arbiter:
    """Which of two disagreeing reports is right, when the sources alone have no majority.

    ``pos`` (table positions), ``field_number``, ``value`` and ``hw`` describe the entries of the
    disagreeing groups; ``left`` / ``right`` pair each entry with the entries that disagree with it."""

    def __init__(self, ctx, table, pos, field_number, value, hw, left, right):
        self.ctx, self.table, self.pos = ctx, table, pos
        self.field_number, self.value, self.hw = field_number, value, hw
        self.left, self.right = left, right
        self.official, self.official_hw, self.origin = self._official()
        self.consistent = self._own_arithmetic()

    def vouched(self, candidates: np.ndarray) -> np.ndarray:
        """Entries the arbiter confirms: the official figure lies within their rounding, or (with none)
        their own row is consistent while every report disagreeing with them is not."""
        known = ~np.isnan(self.official)
        by_official = known & (np.abs(self.value - self.official) <= self.hw + FLOAT_GUARD(self.value, self.official))
        partners_wrong = np.ones(len(self.value), dtype=bool)
        np.logical_and.at(partners_wrong, self.left, self.consistent[self.right] == 0)
        has_partner = np.zeros(len(self.value), dtype=bool)
        has_partner[self.left] = True
        by_arithmetic = ~known & (self.consistent == 1) & partners_wrong & has_partner
        return candidates & (by_official | by_arithmetic)

    def why(self, entry: int) -> str:
        if not np.isnan(self.official[entry]):
            return f"agrees with the official figure {fmt(self.official[entry], self.official_hw[entry])} ({self.origin[entry]})"
        return "its close, change and percent agree with one another, the other report's do not"

    def against(self, entry: int) -> str:
        if not np.isnan(self.official[entry]):
            return f"; the official figure is {fmt(self.official[entry], self.official_hw[entry])} ({self.origin[entry]})"
        if self.consistent[entry] == 0:
            return "; its own close, change and percent do not agree with one another"
        return ""

    def _official(self):
        n = len(self.value)
        value, hw, origin = np.full(n, np.nan), np.full(n, np.nan), np.full(n, "", dtype=object)
        if not n:
            return value, hw, origin
        names = self.table["instrument"].to_numpy(dtype=object)[self.pos]
        days = self.table["date"].to_numpy(dtype=object)[self.pos]
        close = self._close_on_record(names, days)
        previous = self._close_on_record(names, self._previous_days(days))
        fields = np.asarray(FIELDS, dtype=object)[self.field_number]
        for field, got in (("close", close), ("prior_close", previous)):
            at = fields == field
            value[at], hw[at], origin[at] = got[0][at], got[1][at], got[2][at]
        for field in ("change", "change_pct"):
            at = (fields == field) & ~np.isnan(close[0]) & ~np.isnan(previous[0])
            change = close[0][at] - previous[0][at]
            value[at] = change if field == "change" else change / previous[0][at] * 100
            hw[at] = (close[1][at] + previous[1][at]) * (1 if field == "change" else 100 / previous[0][at])
            origin[at] = [f"from the official closes: {o}" for o in close[2][at]]
        return value, hw, origin

    def _close_on_record(self, names, days):
        n = len(names)
        value, hw, origin = np.full(n, np.nan), np.full(n, np.nan), np.full(n, "", dtype=object)
        if self.ctx.reference is not None and len(self.ctx.reference.table):
            from wrapcheck.history import _field_consensus

            ref = _field_consensus(self.ctx.reference.table, "close").reindex(pd.MultiIndex.from_arrays([names, days]))
            value, hw = ref["close"].to_numpy(dtype=float), ref["close__hw"].to_numpy(dtype=float)
            origin[~np.isnan(value)] = "--reference"
        if self.ctx.official is not None:
            o_value, o_hw, o_origin = self.ctx.official.lookup(names, days)
            gap = np.isnan(value) & ~np.isnan(o_value)
            value[gap], hw[gap], origin[gap] = o_value[gap], o_hw[gap], o_origin[gap]
        return value, hw, origin

    def _previous_days(self, days):
        calendar = self.ctx.calendar
        out = np.full(len(days), "", dtype=object)
        distinct, inverse = np.unique(days.astype(str), return_inverse=True)
        stamps, covered = calendar.days(distinct)
        previous = np.full(len(distinct), "", dtype=object)
        previous[covered] = calendar.previous(stamps[covered]).astype(str)
        out[:] = previous[inverse]
        return out

    def _own_arithmetic(self) -> np.ndarray:
        """Per entry: 1 if its row's close, change and percent agree with one another, 0 if they do
        not, -1 if the row lacks one of them."""
        rows = self.pos
        t = self.table

        def col(name):
            return t[name].to_numpy(dtype=float)[rows], t[name + "__hw"].to_numpy(dtype=float)[rows]

        (close, c_hw), (change, d_hw), (pct, p_hw) = col("close"), col("change"), col("change_pct")
        prior = close - change
        with np.errstate(divide="ignore", invalid="ignore"):
            implied = change / prior * 100
            slack = (d_hw / np.abs(prior) + np.abs(change) * (c_hw + d_hw) / prior ** 2) * 100
            ok = np.abs(implied - pct) <= p_hw + slack + FLOAT_GUARD(pct, implied)
        known = ~np.isnan(close) & ~np.isnan(change) & ~np.isnan(pct) & (prior > 0)
        return np.where(known, ok.astype(np.int8), np.int8(-1))
