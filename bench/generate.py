"""Generate a synthetic archive of session files that follow the contract, mostly correct, with a
known share of one-figure errors, for benchmarks (and the archive tests of later issues).

python bench/generate.py --rows 1000000 --out bench/out/archive
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

INDICES = ["KOSPI", "KOSDAQ"]
STOCKS = ["Samsung Electronics", "SK Hynix", "HD Hyundai Heavy Industries", "Korea Aerospace Industries",
          "LG Energy Solution", "Hyundai Motor"]
FX = ["USD/KRW"]
YIELDS = ["KTB 3Y", "KTB 5Y", "KTB 10Y"]
INSTRUMENTS = INDICES + STOCKS + FX + YIELDS  # 12 per source per day


def generate(rows: int, sources: int | None = None, error_rate: float = 0.01, statement_rate: float = 0.0, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if sources is None:  # enough sources that the sessions fit in the calendar (about 6,000 from 2000)
        sources = max(5, -(-rows // (len(INSTRUMENTS) * 6000)))
    per_day = sources * len(INSTRUMENTS)
    days = -(-rows // per_day)
    from wrapcheck.calendar import load_calendar

    sessions = load_calendar().sessions  # XKRX sessions, so that C001 and H001 see real trading days
    if days > len(sessions):
        raise SystemExit(f"{rows} rows need {days} sessions; the calendar has {len(sessions)}: add sources")
    dates = pd.DatetimeIndex(sessions[:days]).strftime("%Y-%m-%d")
    n = days * per_day
    date = np.repeat(dates.to_numpy(), per_day)
    source = np.tile(np.repeat([f"wire-{i}" for i in range(sources)], len(INSTRUMENTS)), days)
    inst = np.tile(np.array(INSTRUMENTS * sources), days)
    # One true session per (date, instrument); every source reports it (some with an error).
    truth_key = np.tile(np.arange(len(INSTRUMENTS)), days * sources) + np.repeat(np.arange(days), per_day) * len(INSTRUMENTS)
    m = days * len(INSTRUMENTS)
    kind_of = {**{i: "index" for i in INDICES}, **{s: "stock" for s in STOCKS}, **{f: "fx" for f in FX}, **{y: "yield" for y in YIELDS}}
    kinds = np.array([kind_of[i] for i in INSTRUMENTS * days])
    # A random walk per instrument, so every session's change leads from the previous session's close.
    n_inst = len(INSTRUMENTS)
    start = np.select([kinds[:n_inst] == "index", kinds[:n_inst] == "stock", kinds[:n_inst] == "fx"],
                      [rng.uniform(600, 4000, n_inst), rng.uniform(20000, 300000, n_inst), rng.uniform(1000, 1500, n_inst)],
                      rng.uniform(1, 6, n_inst))
    steps = rng.normal(0, 0.008, (days, n_inst))
    path = start * np.exp(np.cumsum(steps, axis=0))
    path = _official_indices(path, dates, kinds[:n_inst])
    kinds_grid = np.tile(kinds[:n_inst], (days, 1))
    # Round each level as the market quotes it: 2 decimals (index, fx), 3 (yield), a stock on the KRX tick
    # of its price band on that date (each band's tick is a multiple of the ticks below it, so rounding
    # across a band edge still lands on the grid).
    from wrapcheck.registry import load_registry
    from wrapcheck.ticks import TickGrid

    markets = np.array([load_registry().resolve(i).market for i in INSTRUMENTS], dtype=object)
    dates_grid = np.repeat(dates.to_numpy(dtype=object), n_inst).reshape(days, n_inst)

    def quote(values, when):
        tick = TickGrid(when.reshape(-1), np.tile(markets, len(values.reshape(-1)) // n_inst)).size(values.reshape(-1))
        tick = np.nan_to_num(tick.reshape(values.shape), nan=100.0)
        return np.where(kinds_grid[: len(values)] == "stock", np.round(values / tick) * tick,
                        np.where(kinds_grid[: len(values)] == "yield", np.round(values, 3), np.round(values, 2)))

    level = quote(path, dates_grid)
    prior_grid = np.vstack([level[:1] / (1 + steps[:1]), level[:-1]])
    prior_grid[:1] = quote(prior_grid[:1], dates_grid[:1])
    close = level.reshape(-1)
    prior_exact = prior_grid.reshape(-1)
    change = np.where(kinds == "yield", np.round((close - prior_exact) * 100, 1), np.round(close - prior_exact, 2))
    pct_exact = 100 * (close - prior_exact) / prior_exact
    indiv = np.round(rng.normal(0, 600, m), 2)
    inst_flow = np.round(rng.normal(0, 300, m), 2)
    other = np.round(rng.uniform(-30, 140, m), 2)  # inside every market band
    foreign = np.round(-(indiv + inst_flow + other), 2)
    adv = rng.integers(100, 450, m)
    dec = rng.integers(100, 450, m)
    volume = np.round(rng.uniform(200, 900, m), 2)  # million shares
    turnover = np.round(volume * rng.uniform(0.01, 0.06, m), 2)  # trillion won

    t = truth_key
    is_index = kinds[t] == "index"
    frame = pd.DataFrame({
        "date": date, "source": source, "instrument": inst,
        "close": _fmt(close[t], kinds[t]),
        "change": _signed(change[t], np.where(kinds[t] == "yield", 1, np.where(kinds[t] == "stock", 0, 2))),
        "change_pct": np.where(kinds[t] == "yield", "", _signed(pct_exact[t], 2)),
        "individual_net": np.where(is_index, _signed(indiv[t], 2), ""),
        "foreign_net": np.where(is_index, _signed(foreign[t], 2), ""),
        "institution_net": np.where(is_index, _signed(inst_flow[t], 2), ""),
        "advancers": np.where(is_index, adv[t].astype(str), ""),
        "decliners": np.where(is_index, dec[t].astype(str), ""),
        "volume": np.where(is_index, np.char.add(np.char.mod("%.2f", volume[t]), " million"), ""),
        "turnover": np.where(is_index, np.char.add(np.char.mod("%.2f", turnover[t]), " trillion won"), ""),
        "statement": "",
    })
    # Yield changes are in basis points; fx and stock changes in won.
    frame.loc[kinds[t] == "yield", "change"] = frame.loc[kinds[t] == "yield", "change"] + "bp"
    # Known one-figure errors: a percent typo (A002, X001).
    bad = rng.random(n) < error_rate
    bad &= frame["change_pct"].ne("").to_numpy()
    frame.loc[bad, "change_pct"] = _signed(pct_exact[t][bad] + 0.3, 2)
    if statement_rate:
        talk = (rng.random(n) < statement_rate) & is_index
        word = np.where(change[t] >= 0, "rose", "fell")
        frame.loc[talk, "statement"] = ("The " + frame.loc[talk, "instrument"] + " " + word[talk] + " "
                                        + frame.loc[talk, "change"].str.lstrip("+-") + " points to close at "
                                        + frame.loc[talk, "close"] + ", and foreigners were net "
                                        + np.where(foreign[t][talk] >= 0, "buyers", "sellers") + ".")
    return frame.iloc[:rows]


def _official_indices(path: np.ndarray, dates: pd.Index, kinds: np.ndarray) -> np.ndarray:
    """The indices' true closes are the official ones where the shipped record has them (as a real
    archive's would be, so O001 and H001 meet real data); other days keep the random walk."""
    from wrapcheck.official import load_official

    official = load_official()
    for j, name in enumerate(INSTRUMENTS):
        if kinds[j] != "index" or not official.covers(name):
            continue
        value, _, _ = official.lookup(np.full(len(dates), name, dtype=object), dates.to_numpy(dtype=object))
        known = ~np.isnan(value)
        path[known, j] = value[known]
        # A day the record lacks continues from the last official close, so each change still leads on.
        last = np.maximum.accumulate(np.where(known, np.arange(len(value)), -1))
        carry = ~known & (last >= 0)
        path[carry, j] = value[last[carry]]
    return path


def _fmt(values, kinds):
    out = np.char.mod("%.2f", values)
    out = np.where(kinds == "yield", np.char.mod("%.3f", values), out)
    out = np.where(kinds == "stock", np.char.mod("%.0f", values), out)
    return out


def _signed(values, decimals):
    decimals = np.broadcast_to(decimals, np.shape(values))
    out = np.empty(len(values), dtype=object)
    for d in np.unique(decimals):
        sel = decimals == d
        out[sel] = np.char.mod(f"%+.{d}f", values[sel])
    return out.astype(str)


def write_archive(frame: pd.DataFrame, folder: Path, files: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    dates = frame["date"].unique()
    groups = np.array_split(dates, max(1, min(files, len(dates))))
    paths = []
    for group in groups:
        part = frame[frame["date"].isin(group)]
        path = folder / f"{group[0]}.csv"
        part.to_csv(path, index=False)
        paths.append(path)
    return paths


def write_parts(frame: pd.DataFrame, folder: Path, files: int) -> int:
    """The layout of a data export: part-00000.csv, part-00001.csv, ... of equal rows, in date order, so
    that sessions run from one file into the next. Returns the number of files."""
    folder.mkdir(parents=True, exist_ok=True)
    header, *lines = frame.to_csv(index=False, lineterminator="\n").splitlines()
    order = np.argsort(frame["date"].to_numpy(), kind="stable")
    parts = np.array_split(order, max(1, min(files, len(order))))
    for k, part in enumerate(parts):
        (folder / f"part-{k:05d}.csv").write_text("\n".join([header, *(lines[i] for i in part)]) + "\n", encoding="utf-8")
    return len(parts)


def write_per_source(frame: pd.DataFrame, folder: Path) -> int:
    """The layout of a desk's archive: one file per session and source (DATE/SOURCE.csv), each a few
    rows. Returns the number of files."""
    header, *lines = frame.to_csv(index=False, lineterminator="\n").splitlines()
    keys = (frame["date"] + "/" + frame["source"]).to_numpy()
    order = np.argsort(keys, kind="stable")
    starts = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1]])
    for start, end in zip(starts, np.r_[starts[1:], len(order)]):
        path = folder / f"{keys[order[start]]}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([header, *(lines[i] for i in order[start:end])]) + "\n", encoding="utf-8")
    return len(starts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bench/out/archive"))
    args = parser.parse_args()
    paths = write_archive(generate(args.rows), args.out, args.files)
    print(f"wrote {args.rows} rows in {len(paths)} files under {args.out}")
