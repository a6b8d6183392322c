"""`wrapcheck data update`: fetch newer official market data into the user's cache directory.

Which source, from what was read (2026):
- pykrx scrapes data.krx.co.kr, which became a members-only "Data Marketplace" on 2025-12-27 and
  answers "LOGOUT" without a session (sharebook-kr/pykrx issues #244, #247, #276, #278); pykrx 1.2.x
  logs in with the user's KRX_ID/KRX_PW (release v1.2.8). A scraper that needs the user's password
  and gets IP-blocked is no default for a command-line tool.
- FinanceDataReader >= 0.9.110 answers KS11/KQ11/KS200 and the KRX listings from its maintainer's
  GitHub mirror of KRX data (wiki Release-Note-0.9.110; issues #257, #267, #271), stock prices from
  Naver's chart feed (FinanceDataReader/naver/data.py). The mirror read swallows every error into an
  empty frame (krx/data.py KrxIndexReaderCache: so an empty answer makes us try the host ourselves), and
  its listing has no ISIN, English name or share class.
- The KRX Open API (openapi.krx.co.kr) is the exchange's own documented service: GET
  https://data-dbg.krx.co.kr/svc/apis/<service>?basDd=YYYYMMDD with an AUTH_KEY header, JSON
  {"OutBlock_1": [...]} with BAS_DD, IDX_NM, CLSPRC_IDX, ISU_CD, TDD_CLSPRC, ... as text (field names:
  seobaeksol/krx-rs docs/KRX_API_Spec); data from 2010 through the previous trading day (docs.rs
  krx-rs); each service is approved for a key separately, else 401 "Unauthorized API Call"
  (NomaDamas/k-skill #99).
Primary: the KRX Open API (`--source krx-openapi`, key in $KRX_AUTH_KEY). Fallback: FinanceDataReader
(`--source fdr`: KOSPI, KOSDAQ, KOSPI 200 and stock prices, no listing), which `auto` picks when no key
is set. requests, pandas and FinanceDataReader are imported inside functions: the CLI starts in 0.1 s.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, Protocol

import typer

from wrapcheck.resources import cache_dir

if TYPE_CHECKING:
    import pandas as pd

KST = timezone(timedelta(hours=9))  # Korea keeps no daylight saving time: a fixed offset is exact
AUTH_KEY_ENV = "KRX_AUTH_KEY"
KRX_OPENAPI_URL = "https://data-dbg.krx.co.kr/svc/apis"
FDR_MIRROR_URL = "https://raw.githubusercontent.com/FinanceData/fdr_krx_data_cache/refs/heads/master/"  # its KS11 source

DAILY_FILE, LISTING_FILE, STOCKS_FOLDER, STATE_FILE = "official_daily.csv", "listing.csv", "stocks", "update.json"
DAILY_COLUMNS = ("instrument", "date", "open", "high", "low", "close", "source")
LISTING_COLUMNS = ("code", "isin", "name_ko", "short_ko", "name_en", "market", "listed", "share_class", "source")
STOCK_COLUMNS = ("date", "open", "high", "low", "close", "volume", "source")
INSTRUMENTS = ("KOSPI", "KOSDAQ", "KOSPI 200", "KOSDAQ 150", "KRX 300")

DEFAULT_HISTORY = timedelta(days=30)  # how far back a first update reaches when nothing is known yet
STOCK_DAYS_BEFORE, STOCK_DAYS_AFTER = 7, 3  # "around" a wrap's date: the prior session even across holidays

# instrument -> (KRX Open API service, IDX_NM of its row); one answer holds a whole series family.
KRX_INDEX_SERIES = {
    "KOSPI": ("idx/kospi_dd_trd", "코스피"),
    "KOSPI 200": ("idx/kospi_dd_trd", "코스피 200"),
    "KOSDAQ": ("idx/kosdaq_dd_trd", "코스닥"),
    "KOSDAQ 150": ("idx/kosdaq_dd_trd", "코스닥 150"),
    "KRX 300": ("idx/krx_dd_trd", "KRX 300"),
}
# market -> (daily trading service, issue base-information service)
KRX_STOCK_SERVICES = {
    "KOSPI": ("sto/stk_bydd_trd", "sto/stk_isu_base_info"),
    "KOSDAQ": ("sto/ksq_bydd_trd", "sto/ksq_isu_base_info"),
    "KONEX": ("sto/knx_bydd_trd", "sto/knx_isu_base_info"),
}


class FetchError(Exception):
    """A source failed or refused; str() is the one line the user sees."""


class SourceUnreachable(FetchError):
    """The network or the source's host is down: every further request would fail the same way."""


class InputError(ValueError):
    """A malformed --since, --until or --stock: exit 2, like any bad input."""


class Fetcher(Protocol):
    """Where official data comes from. Each method answers a frame of text in the contract's columns
    (DAILY_COLUMNS, LISTING_COLUMNS, STOCK_COLUMNS), figures as the source wrote them, and raises
    FetchError (SourceUnreachable when the network is down) with a one-line message."""

    name: str  # the --source name
    instruments: tuple[str, ...]  # the INSTRUMENTS this source has

    def index_daily(self, name: str, start: date, end: date) -> pd.DataFrame: ...

    def listing(self, as_of: date) -> pd.DataFrame | None: ...  # None: this source has no listing

    def stock_daily(self, code: str, start: date, end: date) -> pd.DataFrame: ...


# ---------------------------------------------------------------------------------------------- helpers


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns), dtype=object).fillna("")


def _figure(text) -> str:
    """A figure as the source wrote it: "2578.08" stays "2578.08"; KRX's "-" (none) becomes empty."""
    text = "" if text is None else str(text).strip().replace(",", "")
    return "" if text in ("", "-") else text


def _iso(text: str) -> str:
    """20240105, 2024/01/05 or 2024-01-05 -> 2024-01-05; anything else -> empty."""
    digits = re.sub(r"\D", "", text or "")
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 else ""


def _weekdays(start: date, end: date) -> list[date]:
    """The days KRX may trade: holidays are asked too and answer an empty block."""
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _short_reason(error: BaseException) -> str:
    """The useful end of a requests/urllib3 error ("[Errno -3] Temporary failure in name resolution"),
    not its three nested reprs."""
    text = str(error)
    errno = re.search(r"\[Errno [^\]]*\] [^'\")]+", text)
    if errno:
        return errno.group(0).strip()
    if "timed out" in text.lower() or "timeout" in type(error).__name__.lower():
        return "timed out"
    return f"{type(error).__name__}: {text[:160]}" if text else type(error).__name__


def yesterday_in_seoul() -> date:
    """The KRX Open API serves data through the previous day (T-1), in Korean time."""
    return datetime.now(KST).date() - timedelta(days=1)


# ------------------------------------------------------------------------------------- KRX Open API


class KrxOpenApiFetcher:
    """The KRX Open API: one request per service and day, each answer a whole market or series family
    (so KOSPI and KOSPI 200, or two stocks of one market, share requests: _answers memoises them)."""

    name = "krx-openapi"
    instruments = tuple(KRX_INDEX_SERIES)

    def __init__(self, auth_key: str, session=None, base_url: str = KRX_OPENAPI_URL, timeout: float = 20):
        try:
            import requests
        except ImportError as error:
            raise FetchError("the KRX Open API fetcher needs requests: pip install 'wrapcheck[update]'") from error
        self.auth_key, self.base_url, self.timeout = auth_key, base_url.rstrip("/"), timeout
        self.session = session or requests.Session()
        self._answers: dict[tuple[str, date], list[dict]] = {}
        self._market_of: dict[str, str] = {}  # stock code -> the market whose answers hold it

    def rows(self, service: str, day: date) -> list[dict]:
        """OutBlock_1 of `service` on `day` (an empty list on a holiday)."""
        if (service, day) not in self._answers:
            self._answers[service, day] = self._request(service, day)
        return self._answers[service, day]

    def _request(self, service: str, day: date) -> list[dict]:
        import requests

        try:
            response = self.session.get(f"{self.base_url}/{service}", params={"basDd": day.strftime("%Y%m%d")},
                                        headers={"AUTH_KEY": self.auth_key}, timeout=self.timeout)
        except requests.RequestException as error:
            raise SourceUnreachable(f"could not reach the KRX Open API: {_short_reason(error)}") from error
        try:
            body = response.json()
        except ValueError:
            body = None
        message = body.get("respMsg") if isinstance(body, dict) else None
        if response.status_code in (401, 403):
            raise FetchError(f"the KRX Open API refused {service} ({response.status_code} {message or response.reason}): "
                             f"check ${AUTH_KEY_ENV} and that this service is approved for the key at openapi.krx.co.kr")
        if response.status_code != 200 or not isinstance(body, dict) or "OutBlock_1" not in body:
            detail = message or response.text.strip()[:80] or response.reason
            raise FetchError(f"the KRX Open API answered {service} for {day} with {response.status_code}: {detail!r}")
        return body["OutBlock_1"] or []

    def index_daily(self, name: str, start: date, end: date) -> pd.DataFrame:
        service, idx_name = KRX_INDEX_SERIES[name]
        rows = []
        for day in _weekdays(start, end):
            for raw in self.rows(service, day):
                if raw.get("IDX_NM", "").strip() == idx_name and _figure(raw.get("CLSPRC_IDX")):
                    rows.append({"instrument": name, "date": _iso(raw.get("BAS_DD", "")) or day.isoformat(),
                                 "open": _figure(raw.get("OPNPRC_IDX")), "high": _figure(raw.get("HGPRC_IDX")),
                                 "low": _figure(raw.get("LWPRC_IDX")), "close": _figure(raw.get("CLSPRC_IDX")),
                                 "source": self.name})
        return _frame(rows, DAILY_COLUMNS)

    def listing(self, as_of: date) -> pd.DataFrame:
        day = self._latest_listing_day(as_of)
        rows = []
        for market, (_, service) in KRX_STOCK_SERVICES.items():
            for raw in self.rows(service, day):
                rows.append({"code": raw.get("ISU_SRT_CD", "").strip(), "isin": raw.get("ISU_CD", "").strip(),
                             "name_ko": raw.get("ISU_NM", "").strip(), "short_ko": raw.get("ISU_ABBRV", "").strip(),
                             "name_en": raw.get("ISU_ENG_NM", "").strip(), "market": market,
                             "listed": _iso(raw.get("LIST_DD", "")), "share_class": _figure(raw.get("KIND_STKCERT_TP_NM")),
                             "source": self.name})
        return _frame(rows, LISTING_COLUMNS)

    def _latest_listing_day(self, as_of: date) -> date:
        """The last day up to `as_of` whose KOSPI base information is published (holidays answer none)."""
        service = KRX_STOCK_SERVICES["KOSPI"][1]
        for back in range(14):
            day = as_of - timedelta(days=back)
            if day.weekday() < 5 and self.rows(service, day):
                return day
        raise FetchError(f"the KRX Open API published no listing in the two weeks before {as_of}")

    def stock_daily(self, code: str, start: date, end: date) -> pd.DataFrame:
        rows = []
        for day in _weekdays(start, end):
            raw = self._stock_row(code, day)
            if raw and _figure(raw.get("TDD_CLSPRC")):
                rows.append({"date": _iso(raw.get("BAS_DD", "")) or day.isoformat(),
                             "open": _figure(raw.get("TDD_OPNPRC")), "high": _figure(raw.get("TDD_HGPRC")),
                             "low": _figure(raw.get("TDD_LWPRC")), "close": _figure(raw.get("TDD_CLSPRC")),
                             "volume": _figure(raw.get("ACC_TRDVOL")), "source": self.name})
        return _frame(rows, STOCK_COLUMNS)

    def _stock_row(self, code: str, day: date) -> dict | None:
        """`code`'s row on `day`, looked for in its market first once that is known."""
        known = self._market_of.get(code)
        for market in ([known] if known else []) + [m for m in KRX_STOCK_SERVICES if m != known]:
            for raw in self.rows(KRX_STOCK_SERVICES[market][0], day):
                if code in (raw.get("ISU_SRT_CD", "").strip(), raw.get("ISU_CD", "").strip()):
                    self._market_of[code] = market
                    return raw
        return None


# ------------------------------------------------------------------------------ FinanceDataReader


class FinanceDataReaderFetcher:
    """FinanceDataReader: indices from its maintainer's mirror of KRX data, stock prices from Naver's chart
    (which may be split-adjusted). It has no listing with ISINs, so listing() answers None."""

    name = "fdr"
    instruments = ("KOSPI", "KOSDAQ", "KOSPI 200")
    SYMBOLS = {"KOSPI": "KS11", "KOSDAQ": "KQ11", "KOSPI 200": "KS200"}

    def __init__(self):
        try:
            import FinanceDataReader  # noqa: F401  (seconds of imports: only on this path)
        except ImportError as error:
            raise FetchError("FinanceDataReader is not installed: pip install 'wrapcheck[update]'") from error

    def _read(self, symbol: str, start: date, end: date) -> pd.DataFrame:
        import FinanceDataReader as fdr
        import requests

        try:
            with contextlib.redirect_stdout(io.StringIO()):  # it prints "no data" notes of its own
                return fdr.DataReader(symbol, start.isoformat(), end.isoformat())
        except requests.RequestException as error:
            raise SourceUnreachable(f"could not reach FinanceDataReader's source for {symbol}: {_short_reason(error)}") from error
        except Exception as error:  # its readers raise whatever their parsing hits
            raise FetchError(f"FinanceDataReader failed on {symbol}: {_short_reason(error)}") from error

    def index_daily(self, name: str, start: date, end: date) -> pd.DataFrame:
        frame = self._read(self.SYMBOLS[name], start, end)
        if frame.empty:  # a holiday, or a failed download: its mirror reader turns both into an empty frame
            self._check_reachable(FDR_MIRROR_URL)
        rows = [{"instrument": name, "date": day.strftime("%Y-%m-%d"), "open": _level(r.get("Open")),
                 "high": _level(r.get("High")), "low": _level(r.get("Low")), "close": _level(r.get("Close")),
                 "source": "fdr-krx-cache"} for day, r in zip(frame.index, frame.to_dict("records")) if _level(r.get("Close"))]
        return _frame(rows, DAILY_COLUMNS)

    @staticmethod
    def _check_reachable(url: str) -> None:
        import requests

        try:
            requests.head(url, timeout=10)
        except requests.RequestException as error:
            host = url.split("/")[2]
            raise SourceUnreachable(f"could not reach FinanceDataReader's KRX mirror ({host}): {_short_reason(error)}") from error

    def listing(self, as_of: date) -> None:
        return None

    def stock_daily(self, code: str, start: date, end: date) -> pd.DataFrame:
        frame = self._read(code, start, end)
        rows = [{"date": day.strftime("%Y-%m-%d"), "open": _whole(r.get("Open")), "high": _whole(r.get("High")),
                 "low": _whole(r.get("Low")), "close": _whole(r.get("Close")), "volume": _whole(r.get("Volume")),
                 "source": "fdr-naver"} for day, r in zip(frame.index, frame.to_dict("records")) if _whole(r.get("Close"))]
        return _frame(rows, STOCK_COLUMNS)


def _level(value) -> str:
    """An index level FinanceDataReader parsed into a float (4395.0), with the two decimals KRX publishes."""
    return "" if value is None or value != value else f"{float(value):.2f}"  # value != value: NaN


def _whole(value) -> str:
    """A price in won or a volume, which FinanceDataReader may hold as a float."""
    return "" if value is None or value != value else str(int(value))


class Source(StrEnum):
    AUTO = "auto"
    KRX_OPENAPI = "krx-openapi"
    FDR = "fdr"


def make_fetcher(source: str = "auto") -> Fetcher:
    """The fetcher that --source names; auto: the KRX Open API when $KRX_AUTH_KEY is set, else FinanceDataReader."""
    import importlib.util

    key = os.environ.get(AUTH_KEY_ENV, "").strip()
    if source == Source.KRX_OPENAPI or (source == Source.AUTO and key):
        if not key:
            raise FetchError(f"the KRX Open API needs a key: set ${AUTH_KEY_ENV} (free at openapi.krx.co.kr, "
                             "where each service used must also be applied for)")
        return KrxOpenApiFetcher(key)
    if source == Source.AUTO and importlib.util.find_spec("FinanceDataReader") is None:
        raise FetchError(f"no data source: set ${AUTH_KEY_ENV} (a KRX Open API key) or install FinanceDataReader "
                         "(pip install 'wrapcheck[update]')")
    if source in (Source.AUTO, Source.FDR):
        return FinanceDataReaderFetcher()
    raise FetchError(f"unknown source {source!r}: choose auto, krx-openapi or fdr")


# ------------------------------------------------------------------------------------- the cache files


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: v or "" for k, v in row.items() if k is not None} for row in csv.DictReader(handle)]


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and os.replace: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@dataclass
class Merged:
    rows: list[dict[str, str]]
    added: list[tuple[str, ...]]  # keys the cache did not have
    changed: list[tuple[str, ...]]  # keys whose figures the newer fetch replaced


def merge_into(path: Path, columns: tuple[str, ...], key: tuple[str, ...], new_rows: list[dict]) -> Merged:
    """Merge `new_rows` into the CSV at `path` (the newer row wins per key), sorted by key, written atomically."""
    known = {tuple(r.get(k, "") for k in key): {c: r.get(c, "") for c in columns} for r in read_rows(path)}
    added, changed = [], []
    for raw in new_rows:
        row = {c: "" if raw.get(c) is None else str(raw.get(c)) for c in columns}
        row_key = tuple(row[k] for k in key)
        if row_key not in known:
            added.append(row_key)
        elif known[row_key] != row:
            changed.append(row_key)
        known[row_key] = row
    rows = [known[k] for k in sorted(known)]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomically(path, out.getvalue())
    return Merged(rows, added, changed)


def last_dates(rows: list[dict[str, str]]) -> dict[str, str]:
    """The latest date per instrument of official_daily rows."""
    latest: dict[str, str] = {}
    for row in rows:
        if row.get("date", "") > latest.get(row.get("instrument", ""), ""):
            latest[row["instrument"]] = row["date"]
    return latest


def shipped_path(name: str) -> Path | None:
    """A file of the official data shipped with wrapcheck (schemas/reference/<name>), if this copy has it."""
    from wrapcheck.resources import data_dir

    try:
        path = data_dir("schemas") / "reference" / name
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def shipped_last_dates() -> dict[str, str]:
    path = shipped_path(DAILY_FILE)
    return last_dates(read_rows(path)) if path else {}


def read_state(cache: Path) -> dict:
    try:
        return json.loads((cache / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _now() -> str:
    return datetime.now(KST).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------- the update


@dataclass
class UpdateSummary:
    """What an update did, for the command's few lines."""

    cache: Path
    source: str
    added: dict[str, int] = field(default_factory=dict)  # instrument -> rows new to the cache
    changed: dict[str, int] = field(default_factory=dict)  # instrument -> rows a newer fetch replaced
    last_date: dict[str, str] = field(default_factory=dict)  # instrument -> the cache's last date
    listing_rows: dict[str, int] = field(default_factory=dict)  # market -> issues in this fetch
    stocks: dict[str, int] = field(default_factory=dict)  # code -> rows new to stocks/<code>.csv
    notes: list[str] = field(default_factory=list)  # not failures: a range with no session, no listing
    errors: list[str] = field(default_factory=list)  # a part the source refused; the others went on

    def lines(self) -> list[str]:
        out = [f"source {self.source}; cache {self.cache}"]
        for name in self.added:
            replaced = f" ({self.changed[name]} replaced)" if self.changed.get(name) else ""
            through = f", through {self.last_date[name]}" if self.last_date.get(name) else ""
            out.append(f"{name}: {self.added[name]} rows added{replaced}{through}")
        if self.listing_rows:
            counts = ", ".join(f"{m} {n:,}" for m, n in self.listing_rows.items())
            out.append(f"listing: {sum(self.listing_rows.values()):,} issues ({counts})")
        out += [f"{code}: {n} rows added to {STOCKS_FOLDER}/{code}.csv" for code, n in self.stocks.items()]
        return out + self.notes

    def error(self, message: str) -> None:
        if message not in self.errors:  # KOSPI and KOSPI 200 share a service and its refusal
            self.errors.append(message)


def _parse_day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what} {text!r}: not a date (YYYY-MM-DD)") from None


def update(since: str | None = None, until: str | None = None, stocks: list[tuple[str, str]] = (),
           fetcher: Fetcher | None = None) -> UpdateSummary:
    """Fetch index levels from `since` (default: the day after the latest date known, in the cache or
    shipped) through `until` (default: yesterday in Seoul), the listing, and the daily prices of `stocks`
    ((code, ISO date) pairs) around their dates; merge them into cache_dir(). A part the source refuses is
    recorded in the summary's errors and the others go on; SourceUnreachable stops the update."""
    first, last = _parse_day(since, "--since"), _parse_day(until, "--until") or yesterday_in_seoul()
    wanted = [(code.strip().upper(), _parse_day(day, f"--stock {code}")) for code, day in stocks]
    for code, _ in wanted:
        if not re.fullmatch(r"[0-9A-Z]{6}", code):  # it names a file: stocks/<code>.csv
            raise InputError(f"stock code {code!r}: not a 6-character KRX code")
    fetcher = fetcher or make_fetcher()
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    summary, state = UpdateSummary(cache, fetcher.name), read_state(cache)
    before = json.dumps(state, sort_keys=True)
    try:
        _update_indices(fetcher, cache, first, last, summary, state)
        _update_listing(fetcher, cache, last, summary, state)
        _update_stocks(fetcher, cache, wanted, last, summary, state)
    finally:  # what was fetched before a failure is in the cache: say so in update.json too
        if json.dumps(state, sort_keys=True) != before:
            write_atomically(cache / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=2) + "\n")
    return summary


def _attempt(summary: UpdateSummary, action, *args):
    """action(*args), or None with the source's refusal recorded; SourceUnreachable stops the update."""
    try:
        return action(*args)
    except SourceUnreachable:
        raise
    except FetchError as error:
        summary.error(str(error))
        return None


def _update_indices(fetcher: Fetcher, cache: Path, first: date | None, last: date, summary: UpdateSummary, state: dict) -> None:
    path = cache / DAILY_FILE
    known, shipped = last_dates(read_rows(path)), shipped_last_dates()
    lacking = [name for name in INSTRUMENTS if name not in fetcher.instruments]
    if lacking:
        summary.notes.append(f"{', '.join(lacking)}: not offered by {fetcher.name}")
    fetched: list[dict] = []
    try:
        for name in fetcher.instruments:
            latest = max(known.get(name, ""), shipped.get(name, ""))
            start = first or (date.fromisoformat(latest) + timedelta(days=1) if latest else last - DEFAULT_HISTORY)
            if start > last:
                summary.notes.append(f"{name}: up to date (through {latest})")
                continue
            frame = _attempt(summary, fetcher.index_daily, name, start, last)
            if frame is not None and frame.empty:
                summary.notes.append(f"{name}: no session from {start} to {last} at {fetcher.name}")
            fetched += [] if frame is None else frame.to_dict("records")
    finally:  # an instrument fetched before the network went is kept
        if fetched:
            _merge_indices(path, fetched, fetcher.name, summary, state)


def _merge_indices(path: Path, fetched: list[dict], source: str, summary: UpdateSummary, state: dict) -> None:
    merged = merge_into(path, DAILY_COLUMNS, ("instrument", "date"), fetched)
    for name in dict.fromkeys(row["instrument"] for row in fetched):
        summary.added[name] = sum(key[0] == name for key in merged.added)
        summary.changed[name] = sum(key[0] == name for key in merged.changed)
    summary.last_date = last_dates(merged.rows)
    state["official_daily"] = {"fetched_at": _now(), "source": source, "last_date": summary.last_date}


def _update_listing(fetcher: Fetcher, cache: Path, last: date, summary: UpdateSummary, state: dict) -> None:
    try:
        frame = fetcher.listing(last)
    except SourceUnreachable:
        raise
    except FetchError as error:
        summary.error(str(error))
        return
    if frame is None or frame.empty:
        summary.notes.append(f"listing: none from {fetcher.name}" + (" (the KRX Open API has it)" if frame is None else ""))
        return
    rows = frame.to_dict("records")
    merged = merge_into(cache / LISTING_FILE, LISTING_COLUMNS, ("code",), rows)
    for row in rows:
        summary.listing_rows[row["market"]] = summary.listing_rows.get(row["market"], 0) + 1
    state["listing"] = {"fetched_at": _now(), "source": fetcher.name, "issues": len(rows), "cached": len(merged.rows)}


def _update_stocks(fetcher: Fetcher, cache: Path, wanted: list[tuple[str, date]], last: date,
                   summary: UpdateSummary, state: dict) -> None:
    for code, day in wanted:
        start, end = day - timedelta(days=STOCK_DAYS_BEFORE), min(day + timedelta(days=STOCK_DAYS_AFTER), last)
        if start > end:
            summary.notes.append(f"{code}: nothing to fetch around {day} yet ({fetcher.name} serves through {last})")
            continue
        frame = _attempt(summary, fetcher.stock_daily, code, start, end)
        if frame is None:
            continue
        if frame.empty:
            summary.notes.append(f"{code}: no prices from {start} to {end} at {fetcher.name}")
            continue
        merged = merge_into(cache / STOCKS_FOLDER / f"{code}.csv", STOCK_COLUMNS, ("date",), frame.to_dict("records"))
        summary.stocks[code] = summary.stocks.get(code, 0) + len(merged.added)
        state.setdefault("stocks", {})[code] = {"fetched_at": _now(), "source": fetcher.name,
                                               "last_date": merged.rows[-1]["date"]}


# ------------------------------------------------------------------------------------------ the CLI

data_app = typer.Typer(add_completion=False, no_args_is_help=True,
                       help="Official market data in the user's cache: fetch newer data, or show what is there.")


def stocks_named(paths: list[Path]) -> list[tuple[str, str]]:
    """(code, ISO date) of every listed stock the session files or articles ``paths`` name."""
    if not paths:
        return []
    from wrapcheck.loader import LoadError, load
    from wrapcheck.registry import load_registry

    try:
        table = load(list(paths)).table
    except LoadError as error:
        raise InputError(str(error)) from None
    registry, pairs = load_registry(), set()
    for name, day in zip(table["instrument"].astype(str), table["date"].astype(str)):
        inst = registry.get(name)
        if inst is not None and inst.kind == "stock" and inst.code and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            pairs.add((inst.code, day))
    return sorted(pairs)


def _stock_pair(value: str) -> tuple[str, str]:
    """"005930:2026-01-06" -> ("005930", "2026-01-06")."""
    code, _, day = value.partition(":")
    code = code.strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{6}", code) or not day:
        raise InputError(f"--stock {value!r}: give CODE:DATE, a 6-character KRX code and YYYY-MM-DD (e.g. 005930:2026-01-06)")
    return code, day.strip()


def _through(dates: dict[str, str]) -> str:
    """The day through which all of our indices in `dates` are known (KOSPI 07-29 and KOSDAQ 08-27: 07-29)."""
    ours = [dates[name] for name in INSTRUMENTS if name in dates]
    return min(ours) if ours else max(dates.values())


def still_used() -> str:
    """What wrapcheck goes on checking against when an update fails."""
    cached, shipped = last_dates(read_rows(cache_dir() / DAILY_FILE)), shipped_last_dates()
    parts = [f"the {what} data (through {_through(dates)})" for what, dates in (("cached", cached), ("shipped", shipped)) if dates]
    if not parts:
        return "no official data is cached or shipped yet"
    return " and ".join(parts) + (" is" if len(parts) == 1 else " are") + " still used"


@data_app.command("update")
def update_command(
    since: Annotated[Optional[str], typer.Option("--since", help="First date to fetch (YYYY-MM-DD; default: the day after the latest date known). The KRX Open API costs a request per weekday and series family.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Last date to fetch (default: yesterday in Seoul; the KRX Open API serves through the previous day).")] = None,
    stock: Annotated[Optional[list[str]], typer.Option("--stock", help="Also fetch this stock's official daily prices around a date, given as CODE:YYYY-MM-DD (e.g. 005930:2026-01-06; repeatable).")] = None,
    source: Annotated[Source, typer.Option("--source", help="auto: the KRX Open API when $KRX_AUTH_KEY is set, else FinanceDataReader; krx-openapi; fdr.")] = Source.AUTO,
    inputs: Annotated[Optional[list[Path]], typer.Option("--for", help="Also fetch the official daily prices of every listed stock this session file or article names, around its date (repeatable).")] = None,
) -> None:
    """Fetch newer official index levels, the listing and stock prices into the cache; exit 1 if the source fails."""
    try:
        pairs = [_stock_pair(value) for value in stock or []] + stocks_named(inputs or [])
        summary = update(since, until, pairs, make_fetcher(source))
    except InputError as error:
        typer.echo(f"wrapcheck data update: {error}", err=True)
        raise typer.Exit(2) from None
    except FetchError as error:
        typer.echo(f"wrapcheck data update: {error}; {still_used()}", err=True)
        raise typer.Exit(1) from None
    for line in summary.lines():
        typer.echo(line)
    for message in summary.errors:
        typer.echo(f"wrapcheck data update: {message}", err=True)
    if summary.errors:
        raise typer.Exit(1)


def _dates_text(dates: dict[str, str]) -> str:
    order = [n for n in INSTRUMENTS if n in dates] + sorted(n for n in dates if n not in INSTRUMENTS)
    return ", ".join(f"{name} {dates[name]}" for name in order)


@data_app.command("status")
def status_command() -> None:
    """Show where the cache is and the last dates of its data and of the shipped data."""
    cache = cache_dir()
    state = read_state(cache)
    typer.echo(f"cache: {cache}" + ("" if cache.is_dir() else " (empty: run `wrapcheck data update`)"))
    daily, fetched = last_dates(read_rows(cache / DAILY_FILE)), state.get("official_daily", {})
    when = f" (fetched {fetched['fetched_at']} from {fetched['source']})" if fetched.get("fetched_at") else ""
    typer.echo(f"{DAILY_FILE}: {_dates_text(daily) or 'none'}{when if daily else ''}")
    listing, listed = read_rows(cache / LISTING_FILE), state.get("listing", {})
    when = f" (fetched {listed['fetched_at']} from {listed['source']})" if listed.get("fetched_at") else ""
    typer.echo(f"{LISTING_FILE}: {f'{len(listing):,} issues{when}' if listing else 'none'}")
    codes = sorted(p.stem for p in (cache / STOCKS_FOLDER).glob("*.csv"))
    shown = ", ".join(codes[:10]) + (f" and {len(codes) - 10} more" if len(codes) > 10 else "")
    typer.echo(f"{STOCKS_FOLDER}/: {f'{len(codes)} stocks ({shown})' if codes else 'none'}")
    shipped, shipped_listing = shipped_last_dates(), shipped_path(LISTING_FILE)
    typer.echo(f"shipped: {_dates_text(shipped) if shipped else 'none in this copy of wrapcheck'}")
    if shipped_listing:
        typer.echo(f"shipped {LISTING_FILE}: {len(read_rows(shipped_listing)):,} issues")
