"""The dask engine: the same rules over partitions of the archive, one per instrument, on a
dask.distributed cluster (a LocalCluster unless --scheduler gives an address).

Every rule compares rows of one instrument only (sources of the same figure, its history, its own
row), so partitions by instrument give the same results as one table; each task runs wrapcheck's own
engine (the Pandera schema included) on its partition, and the results keep their row numbers.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from wrapcheck.loader import LoadedTable


def _part(loaded: LoadedTable | None, instruments: set[str]) -> LoadedTable | None:
    if loaded is None:
        return None
    keep = loaded.table["instrument"].isin(instruments).to_numpy()
    table, raw = loaded.table[keep], loaded.raw[keep]
    errors = loaded.parse_errors[loaded.parse_errors["idx"].isin(table.index)]
    return replace(loaded, table=table, raw=raw, parse_errors=errors)


def _run_partition(part: LoadedTable, codes: list[str], history: LoadedTable | None, reference: LoadedTable | None,
                   fail_on: str, official: bool = True) -> pd.DataFrame:
    from wrapcheck.engine import run, select_rules

    rules = {c: r for c, r in select_rules().items() if c in codes}
    return run(part, rules, fail_on, history, reference, official=official).results


def run_dask(loaded: LoadedTable, rules: dict, fail_on: str, history, reference, scheduler: str | None = None,
             partitions: int | None = None, official: bool = True) -> pd.DataFrame:
    from dask.distributed import Client, LocalCluster

    instruments = sorted(loaded.table["instrument"].astype(str).unique())
    n = partitions or min(len(instruments), 64)
    groups = [set(instruments[i::n]) for i in range(n)]
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(_run_partition, _part(loaded, g), list(rules), _part(history, g), _part(reference, g),
                                 fail_on, official, pure=False) for g in groups if g]
        frames = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    results = pd.concat([f for f in frames if len(f)], ignore_index=True)
    order = {c: i for i, c in enumerate(rules)}
    results["_rule"] = results["code"].map(order)  # the local engine's order: rule by rule, then input row
    return results.sort_values(["_rule", "idx"], kind="stable").drop(columns="_rule").reset_index(drop=True)
