import numpy as np

from wrapcheck.history import _field_consensus
from wrapcheck.numbers import NUMERIC_COLUMNS
from wrapcheck.rules import FLOAT_GUARD, Rule, fmt, outcome


class MatchesOfficialReference(Rule):
    """Every reported figure equals the official one within its written precision.

    What it checks: with --reference FILE_OR_DIR (session files whose source is official, such as an
    exchange export), each figure a row reports for an instrument and date the reference also gives
    agrees with it: the reference value lies within the rounding of the written figure.
    Why: the exchange's own numbers settle what sources disagreeing among themselves cannot.
    Example: a KOSPI close of 4,525.5 passes against an official 4,525.48; 4,552.48 fails O001.
    """

    code = "O001"
    name = "matches-official-reference"
    requires = ("date", "instrument")
    also_reads = tuple(NUMERIC_COLUMNS)

    def check(self, rows, ctx):
        n = len(rows)
        if ctx.reference is None or not len(ctx.reference.table):
            return outcome(rows.index, np.ones(n, dtype=bool), skipped=np.ones(n, dtype=bool),
                           skip_message="skipped: no official reference given (--reference FILE_OR_DIR)")
        import pandas as pd

        official = ctx.reference.table
        keys = pd.MultiIndex.from_arrays([rows["instrument"].to_numpy(dtype=object), rows["date"].to_numpy(dtype=object)])
        compared = np.zeros(n, dtype=bool)
        bad = np.zeros(n, dtype=bool)
        notes: dict[int, list[str]] = {}
        first = np.full((n, 3), np.nan)
        for field in NUMERIC_COLUMNS:
            ref = _field_consensus(official, field)
            if ref.empty:
                continue
            hit = ref.reindex(keys)
            ref_v, ref_hw = hit[field].to_numpy(dtype=float), hit[field + "__hw"].to_numpy(dtype=float)
            mine, mine_hw = rows[field].to_numpy(), rows[field + "__hw"].to_numpy()
            both = ~np.isnan(ref_v) & ~np.isnan(mine)
            compared |= both
            diff = mine - ref_v
            wrong = both & (np.abs(diff) > mine_hw + FLOAT_GUARD(mine, ref_v))
            for i in np.flatnonzero(wrong):
                if not bad[i]:
                    first[i] = (mine[i], ref_v[i], diff[i])
                notes.setdefault(i, []).append(f"{field} {fmt(mine[i], mine_hw[i])} but the official figure is "
                                               f"{fmt(ref_v[i], ref_hw[i])} (off by {fmt(abs(diff[i]), mine_hw[i])})")
            bad |= wrong
        return outcome(rows.index, ~bad, first[:, 0], first[:, 1], first[:, 2],
                       message=lambda where: ["; ".join(notes[i]) for i in where], skipped=~compared,
                       skip_message="skipped: the reference has no figure for this instrument and date")
