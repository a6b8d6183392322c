import numpy as np

from wrapcheck.history import _field_consensus
from wrapcheck.numbers import NUMERIC_COLUMNS
from wrapcheck.rules import FLOAT_GUARD, Rule, codes_of, fmt, outcome


class MatchesOfficialReference(Rule):
    """Every reported figure equals the official one within its written precision.

    What it checks: each figure a row reports for an instrument and date that an official source
    also gives agrees with it: the official value lies within the rounding of the written figure.
    The official sources are, first, --reference FILE_OR_DIR (session files such as an exchange
    export), then the official record shipped in schemas/reference (index closes: KOSPI from the Bank
    of Korea's ECOS, KOSDAQ, the 3-year KTB yield) and what `wrapcheck data update` fetched (stocks too).
    A series that is another fixing of the figure (KOFIA's closing yield against the market yield
    wraps print at 15:30) only bounds it: a figure further away than its plausible distance fails.
    Why: the exchange's own numbers settle what sources disagreeing among themselves cannot.
    Example: a KOSPI close of 4,525.5 on 2026-01-06 passes against the official 4,525.48; 4,552.48
    fails O001, naming the official figure and its source.
    """

    code = "O001"
    name = "matches-official-reference"
    requires = ("date", "instrument")
    also_reads = tuple(NUMERIC_COLUMNS)

    def check(self, rows, ctx):
        n = len(rows)
        state = _Comparison(n)
        if ctx.reference is not None and len(ctx.reference.table):
            self.against_reference(rows, ctx.reference.table, state)
        if ctx.official is not None:
            self.against_official(rows, ctx.official, state)
        if not state.compared.any() and ctx.official is None and ctx.reference is None:
            return outcome(rows.index, np.ones(n, dtype=bool), skipped=np.ones(n, dtype=bool),
                           skip_message="skipped: no official reference given (--reference FILE_OR_DIR)")
        return outcome(rows.index, ~state.bad, state.first[:, 0], state.first[:, 1], state.first[:, 2],
                       message=lambda where: ["; ".join(state.notes[i]) for i in where], skipped=~state.compared,
                       skip_message=lambda where: self.skip_reasons(rows, ctx.official, where))

    @staticmethod
    def against_reference(rows, official, state) -> None:
        import pandas as pd

        keys = pd.MultiIndex.from_arrays([rows["instrument"].to_numpy(dtype=object), rows["date"].to_numpy(dtype=object)])
        for field in NUMERIC_COLUMNS:
            ref = _field_consensus(official, field)
            if ref.empty:
                continue
            hit = ref.reindex(keys)
            state.compare(rows, field, hit[field].to_numpy(dtype=float), hit[field + "__hw"].to_numpy(dtype=float),
                          np.full(len(rows), "--reference", dtype=object))

    @staticmethod
    def against_official(rows, official, state) -> None:
        value, hw, origin = official.lookup(rows["instrument"].to_numpy(dtype=object), rows["date"].to_numpy(dtype=object))
        value[state.compared_fields.get("close", np.zeros(len(rows), dtype=bool))] = np.nan  # --reference won there
        state.compare(rows, "close", value, hw, origin)
        near, near_hw, near_origin, band = official.nearby(rows["instrument"].to_numpy(dtype=object),
                                                           rows["date"].to_numpy(dtype=object))
        if (~np.isnan(near)).any():
            near[state.compared_fields.get("close", np.zeros(len(rows), dtype=bool))] = np.nan
            state.compare(rows, "close", near, near_hw, near_origin, band)

    @staticmethod
    def skip_reasons(rows, official, where) -> list[str]:
        """One wording per distinct (instrument, date), not per row: an archive skips millions."""
        inst_codes, names = codes_of(rows["instrument"])
        date_codes, days = codes_of(rows["date"])
        pairs, first = np.unique(inst_codes[where].astype(np.int64) * (len(days) + 1) + date_codes[where], return_inverse=True)
        words = []
        for pair in pairs.tolist():
            inst, day = divmod(pair, len(days) + 1)
            beyond = official.beyond(str(names[inst]), str(days[day])) if official is not None and inst >= 0 and day < len(days) else None
            words.append(f"skipped: {beyond}" if beyond else
                         "skipped: no official figure for this instrument and date "
                         "(--reference FILE_OR_DIR, or `wrapcheck data update --stock CODE:DATE`)")
        return np.asarray(words, dtype=object)[first.reshape(-1)].tolist()


class _Comparison:
    """What the official sources said of each row so far: compared, wrong, notes, the first difference."""

    def __init__(self, n: int):
        self.compared = np.zeros(n, dtype=bool)
        self.bad = np.zeros(n, dtype=bool)
        self.notes: dict[int, list[str]] = {}
        self.first = np.full((n, 3), np.nan)
        self.compared_fields: dict[str, np.ndarray] = {}

    def compare(self, rows, field, ref_v, ref_hw, origin, band=None) -> None:
        """Hold ``field`` to the official values ``ref_v``: within the written rounding, or (``band``, for a
        series that is another fixing of the figure) within that plausible distance."""
        mine, mine_hw = rows[field].to_numpy(), rows[field + "__hw"].to_numpy()
        both = ~np.isnan(ref_v) & ~np.isnan(mine)
        self.compared |= both
        self.compared_fields[field] = self.compared_fields.get(field, np.zeros(len(rows), dtype=bool)) | both
        diff = mine - ref_v
        allowed = mine_hw + (0 if band is None else np.nan_to_num(band))
        wrong = both & (np.abs(diff) > allowed + FLOAT_GUARD(mine, ref_v))
        for i in np.flatnonzero(wrong):
            if not self.bad[i]:
                self.first[i] = (mine[i], ref_v[i], diff[i])
            self.notes.setdefault(i, []).append(self.wording(field, mine[i], mine_hw[i], ref_v[i], ref_hw[i], origin[i], diff[i],
                                                             None if band is None else band[i]))
        self.bad |= wrong

    @staticmethod
    def wording(field, mine, mine_hw, ref, ref_hw, origin, diff, band) -> str:
        if band is None:
            return (f"{field} {fmt(mine, mine_hw)} but the official figure is {fmt(ref, ref_hw)} ({origin}; "
                    f"off by {fmt(abs(diff), mine_hw)})")
        return (f"{field} {fmt(mine, mine_hw)} is {fmt(abs(diff), mine_hw)} from {fmt(ref, ref_hw)} ({origin}); quotes of "
                f"the figure at other times of the day differ by up to {fmt(band)} (schemas/reference/sources.toml), not more")
