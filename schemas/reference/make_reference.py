"""Write the shipped official data (schemas/reference/*.csv) from the public files in ../shared/reference.

    python schemas/reference/make_reference.py [SHARED_REFERENCE_DIR]

What is kept, and why, is in schemas/reference/README.md. Figures are written with the decimals the
publisher quotes (index levels two, yields three), so their precision is read back as written.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
KOSDAQ_REBASED = "2004-01-26"  # KOSDAQ was rebased x10 that day; the file's earlier rows are on the new basis
KOSPI_SOURCE, KOSDAQ_SOURCE, KTB_SOURCE = "ecos", "kosdaq-merged", "ktb-tracker"
MARKETS = {"KOSPI": "KOSPI", "KOSDAQ": "KOSDAQ", "KOSDAQ GLOBAL": "KOSDAQ", "KONEX": "KONEX"}


def kospi(shared: Path) -> pd.DataFrame:
    ecos = pd.read_csv(shared / "kospi_daily.csv", dtype={"date": str})
    ecos = ecos[ecos["kospi_close"].notna()]
    out = pd.DataFrame({"instrument": "KOSPI", "date": ecos["date"], "close": ecos["kospi_close"].round(2)})
    yahoo = pd.read_csv(shared / "kospi_daily_yahoo_ohlcv.csv", dtype={"date": str}).rename(columns=str.lower)
    out = out.merge(yahoo[["date", "open", "high", "low", "close"]].rename(columns={"close": "yahoo_close"}), on="date", how="left")
    # Intraday figures only where Yahoo's close is the official one: a row that disagrees is not trusted.
    agree = (out["yahoo_close"].round(2) - out["close"]).abs() < 0.005
    for col in ("open", "high", "low"):
        out[col] = out[col].round(2).where(agree)
    out["source"] = KOSPI_SOURCE
    out.loc[agree, "source"] = KOSPI_SOURCE + "+yahoo"
    return out.drop(columns="yahoo_close")


def kosdaq(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / "kosdaq_daily.csv", dtype={"date": str})
    raw = raw[(raw["date"] >= KOSDAQ_REBASED) & ~raw["source"].str.contains("SUSPECT")]
    out = raw[["date", "open", "high", "low", "close"]].copy()
    out.insert(0, "instrument", "KOSDAQ")
    out["source"] = raw["source"].map({"yahoo_KQ11_via_stevenmichiels": "yahoo-kq11", "krx_via_jackmappotion": "krx",
                                       "isaac-lee_market-indicator-tracker": "tracker"})
    return out


def ktb(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / "ktb3y_daily.csv", dtype={"date": str})
    return pd.DataFrame({"instrument": "KTB 3Y", "date": raw["date"], "close": raw["close"], "source": KTB_SOURCE})


def write_daily(frame: pd.DataFrame, decimals: dict[str, int], path: Path) -> None:
    frame = frame.sort_values(["instrument", "date"]).reset_index(drop=True)
    rows = []
    for rec in frame.itertuples(index=False):
        places = decimals[rec.instrument]
        cell = lambda v: "" if pd.isna(v) else f"{v:.{places}f}"  # noqa: E731
        rows.append([rec.instrument, rec.date, cell(rec.open), cell(rec.high), cell(rec.low), cell(rec.close), rec.source])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["instrument", "date", "open", "high", "low", "close", "source"])
        writer.writerows(rows)


def listing(shared: Path) -> pd.DataFrame:
    krx = pd.read_csv(shared / "krx_listing.csv", dtype=str).fillna("")
    out = pd.DataFrame({
        "code": krx["단축코드"], "isin": krx["표준코드"], "name_ko": krx["한글 종목명"], "short_ko": krx["한글 종목약명"],
        "name_en": krx["영문 종목명"], "market": krx["시장구분"].map(MARKETS),
        "listed": krx["상장일"].str.replace("/", "-"), "share_class": krx["주식종류"], "source": "krx-2026-04",
    })
    fdr = pd.read_csv(shared / "krx_listing_fdr_20260817.csv", dtype=str).fillna("")
    newer = fdr[~fdr["Code"].isin(out["code"])]
    out = pd.concat([out, pd.DataFrame({
        "code": newer["Code"], "isin": newer["ISU_CD"], "name_ko": newer["Name"], "short_ko": newer["Name"], "name_en": "",
        "market": newer["Market"].map(MARKETS), "listed": "", "share_class": "", "source": "fdr-2026-08",
    })], ignore_index=True)
    # Codes the newer listing lacks were delisted between the two snapshots (mostly SPACs): kept, marked.
    gone = ~out["code"].isin(fdr["Code"])
    out.loc[gone, "source"] = out.loc[gone, "source"] + "; not in fdr-2026-08"
    return out.sort_values("code").reset_index(drop=True)


def main(argv: list[str]) -> int:
    shared = Path(argv[0]) if argv else HERE.parents[2] / "shared" / "reference"
    if not shared.is_dir():
        shared = HERE.parents[1].parent / "shared" / "reference"
    daily = pd.concat([kospi(shared), kosdaq(shared), ktb(shared)], ignore_index=True)
    write_daily(daily, {"KOSPI": 2, "KOSDAQ": 2, "KTB 3Y": 3}, HERE / "official_daily.csv")
    listing(shared).to_csv(HERE / "listing.csv", index=False, lineterminator="\n")
    print(f"official_daily.csv: {len(daily)} rows; listing.csv written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
