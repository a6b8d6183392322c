"""What history says: the consensus record of every (instrument, session) the run has seen.

History is every session file validated in the run, every file under --history, and the official
reference files (--reference), which win wherever they report a figure. Elsewhere the record is the
value most sources agree with (within their written precision), when that is a strict majority;
sources that split evenly leave the figure unknown ("disputed") rather than guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wrapcheck.rules import FLOAT_GUARD

RECORD_FIELDS = ("close", "change_level", "change_pct", "individual_net", "foreign_net", "institution_net",
                 "advancers", "decliners")


def consensus(table: pd.DataFrame, reference: pd.DataFrame | None = None, fields=RECORD_FIELDS) -> pd.DataFrame:
    """A frame indexed by (instrument, date) with, per field, the value, its half-width (``__hw``) and
    where it came from (``__from``: reference, agreed, majority or disputed)."""
    parts = []
    for field in fields:
        part = _field_consensus(table, field)
        if reference is not None and len(reference):
            official = _field_consensus(reference, field)
            official[field + "__from"] = "reference"
            part = pd.concat([official, part[~part.index.isin(official.index)]])
        parts.append(part)
    out = pd.concat(parts, axis=1) if parts else pd.DataFrame()
    return out.sort_index()


def _field_consensus(table: pd.DataFrame, field: str) -> pd.DataFrame:
    columns = [field, field + "__hw", field + "__from"]
    present = table[field].notna().to_numpy()
    if not present.any():
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_arrays([[], []], names=["instrument", "date"]))
    long = pd.DataFrame({
        "instrument": table["instrument"].to_numpy()[present],
        "date": table["date"].to_numpy()[present],
        "value": table[field].to_numpy()[present],
        "hw": table[field + "__hw"].to_numpy()[present],
    })
    long["group"] = long.groupby(["instrument", "date"], sort=False).ngroup()
    guard = FLOAT_GUARD(long["value"].to_numpy())
    long["lo"] = long["value"] - long["hw"] - guard
    long["hi"] = long["value"] + long["hw"]
    g = long.groupby("group", sort=False)
    consistent = g["lo"].transform("max").to_numpy() <= g["hi"].transform("min").to_numpy()
    # Agreeing groups: the most precise report stands for all of them.
    agreed = long[consistent].sort_values(["group", "hw"]).drop_duplicates("group")
    agreed = agreed.assign(source_of="agreed")
    rest = long[~consistent]
    chosen = [agreed]
    if len(rest):
        pairs = rest.merge(rest[["group", "value", "hw"]], on="group", suffixes=("", "_o"))
        ok = (np.abs(pairs["value"] - pairs["value_o"]) <= pairs["hw"] + pairs["hw_o"] + FLOAT_GUARD(pairs["value"].to_numpy())).to_numpy()
        pairs["ok"] = ok
        agree_count = pairs.groupby(["group", "value", "hw"], sort=False)["ok"].sum().reset_index()
        sizes = rest.groupby("group").size()
        agree_count["n"] = agree_count["group"].map(sizes).to_numpy()
        best = agree_count.sort_values(["group", "ok", "hw"], ascending=[True, False, True]).drop_duplicates("group")
        majority = best["ok"].to_numpy() * 2 > best["n"].to_numpy()  # ok counts the value itself
        best = best.assign(source_of=np.where(majority, "majority", "disputed"))
        best.loc[~majority, "value"] = np.nan
        keys = rest.drop_duplicates("group").set_index("group")[["instrument", "date"]]
        best = best.join(keys, on="group")
        chosen.append(best)
    out = pd.concat(chosen, ignore_index=True)
    frame = pd.DataFrame({
        field: out["value"].to_numpy(),
        field + "__hw": out["hw"].to_numpy(),
        field + "__from": out["source_of"].to_numpy(),
    }, index=pd.MultiIndex.from_arrays([out["instrument"].to_numpy(), out["date"].to_numpy()], names=["instrument", "date"]))
    return frame


def lookup(record: pd.DataFrame, instruments, dates, field: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, half-width, origin) of ``field`` at each (instrument, date); NaN / "" where unknown."""
    index = pd.MultiIndex.from_arrays([np.asarray(instruments, dtype=object), np.asarray(dates, dtype=object)])
    if field not in record.columns or record.empty:
        n = len(index)
        return np.full(n, np.nan), np.full(n, np.nan), np.full(n, "", dtype=object)
    hit = record.reindex(index)
    origin = hit[field + "__from"].to_numpy(dtype=object)
    origin = np.where(pd.isna(origin), "", origin)
    return hit[field].to_numpy(dtype=float), hit[field + "__hw"].to_numpy(dtype=float), origin
