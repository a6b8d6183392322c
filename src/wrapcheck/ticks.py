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


class TickGrid:
    """Which tick table applies to each row (by its market and date), worked out once per distinct date
    and market: a rule asks for the tick of several prices of the same rows."""

    def __init__(self, dates, markets):
        from wrapcheck.rules import codes_of

        date_codes, distinct_dates = codes_of(dates)
        market_codes, distinct_markets = codes_of(markets)
        days = distinct_dates.astype(str)
        self.tables = []
        for table in _tables()["ticks"]:
            in_force = np.append(_in_force(table, days), False)[date_codes]  # code -1 (missing): none
            listed = np.append(np.isin(distinct_markets, table["markets"]), False)[market_codes]
            applies = in_force & listed
            if applies.any():
                self.tables.append((applies, np.array([b for b, _ in table["bands"]], dtype=float),
                                    np.array([t for _, t in table["bands"]], dtype=float)))

    def size(self, price) -> np.ndarray:
        """The tick of each row's price; NaN where no table applies."""
        price = np.asarray(price, dtype=float)
        out = np.full(len(price), np.nan)
        for applies, bounds, ticks in self.tables:
            band = np.searchsorted(bounds, np.nan_to_num(price[applies], nan=-1.0), side="right")
            got = ticks[np.clip(band, 0, len(ticks) - 1)]
            got[np.isnan(price[applies]) | (price[applies] <= 0)] = np.nan
            out[applies] = got
        return out


def daily_limit(dates, markets=None) -> np.ndarray:
    """The daily price limit (percent) in force on each row's date, in its market: an entry naming
    markets applies to those only, and wins over an entry that names none."""
    dates = np.asarray(dates, dtype=object).astype(str)
    markets = np.full(len(dates), "", dtype=object) if markets is None else np.asarray(markets, dtype=object)
    out = np.full(len(dates), np.nan)
    entries = sorted(_tables()["limits"], key=lambda e: "markets" in e)
    for entry in entries:
        applies = _in_force(entry, dates)
        if "markets" in entry:
            applies &= np.isin(markets, entry["markets"])
        out[applies] = entry["pct"]
    return out
