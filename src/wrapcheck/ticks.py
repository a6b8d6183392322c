"""KRX tick sizes and daily price limits by date (schemas/tick_sizes.toml)."""

from __future__ import annotations

import tomllib
from functools import cache

import numpy as np

from wrapcheck.resources import data_dir


@cache
def _tables() -> dict:
    with open(data_dir("schemas") / "tick_sizes.toml", "rb") as fh:
        return tomllib.load(fh)


def _in_force(entry: dict, dates: np.ndarray) -> np.ndarray:
    ok = dates >= entry["from"]
    if "until" in entry:
        ok &= dates <= entry["until"]
    return ok


def tick_size(price, dates, markets) -> np.ndarray:
    """The tick of each price for its market and date; NaN where no table applies."""
    price = np.asarray(price, dtype=float)
    dates = np.asarray(dates, dtype=object).astype(str)
    markets = np.asarray(markets, dtype=object)
    out = np.full(len(price), np.nan)
    for table in _tables()["ticks"]:
        applies = _in_force(table, dates) & np.isin(markets, table["markets"])
        if not applies.any():
            continue
        bounds = np.array([b for b, _ in table["bands"]], dtype=float)
        ticks = np.array([t for _, t in table["bands"]], dtype=float)
        band = np.searchsorted(bounds, np.nan_to_num(price[applies], nan=-1.0), side="right")
        got = ticks[np.clip(band, 0, len(ticks) - 1)]
        got[np.isnan(price[applies]) | (price[applies] <= 0)] = np.nan
        out[applies] = got
    return out


def daily_limit(dates) -> np.ndarray:
    dates = np.asarray(dates, dtype=object).astype(str)
    out = np.full(len(dates), np.nan)
    for entry in _tables()["limits"]:
        out[_in_force(entry, dates)] = entry["pct"]
    return out
