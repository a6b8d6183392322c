"""wrapcheck data update: the fetchers' real parsing on recorded responses (tests/data/recorded/), the
merge into the cache, and the command's one-line failures. No test reaches the network: `responses`
answers every request made through requests, and a stand-in urlopen the CSV that pandas reads by URL."""

from __future__ import annotations

import csv
import email.message
import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
import urllib.response
from pathlib import Path

import pytest
import requests
import responses
import typer
from responses import matchers
from typer.testing import CliRunner

from wrapcheck import update as wu

RECORDED = Path(__file__).parent / "data" / "recorded"
KEY = "recorded-test-key"
INDEX_NAMES = ("KOSPI", "KOSDAQ", "KOSPI 200", "KOSDAQ 150", "KRX 300")


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """Every test writes to its own cache, with no key and no shipped data unless it sets them."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WRAPCHECK_CACHE_DIR", str(folder))
    monkeypatch.delenv(wu.AUTH_KEY_ENV, raising=False)
    monkeypatch.setattr(wu, "shipped_path", lambda name: None)
    return folder


# What requests raises when a host name does not resolve, worded as it words it.
NAME_NOT_RESOLVED = requests.exceptions.ConnectionError(
    "HTTPSConnectionPool(host='data-dbg.krx.co.kr', port=443): Max retries exceeded with url: "
    "/svc/apis/idx/kospi_dd_trd?basDd=20240105 (Caused by NameResolutionError(\"<urllib3.connection."
    "HTTPSConnection object at 0x7f3a2c1d0b90>: Failed to resolve 'data-dbg.krx.co.kr' ([Errno -3] "
    "Temporary failure in name resolution)\"))")


def _service_url(stem: str) -> tuple[str, str]:
    """"idx_kospi_dd_trd_20240105" -> (".../svc/apis/idx/kospi_dd_trd", "20240105")."""
    name, day = stem.rsplit("_", 1)
    return f"{wu.KRX_OPENAPI_URL}/{name.replace('_', '/', 1)}", day


@pytest.fixture
def krx():
    """The KRX Open API replaying krx-openapi/*.json for our key; any other request fails to connect."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for path in sorted((RECORDED / "krx-openapi").glob("*_2*.json")):
            url, day = _service_url(path.stem)
            mock.get(url, body=path.read_bytes(), content_type="application/json",
                     match=[matchers.query_param_matcher({"basDd": day}), matchers.header_matcher({"AUTH_KEY": KEY})])
        yield mock


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(wu.data_app, name="data")  # as cli.py registers it
    return app


def test_fresh_cache_gets_every_index_with_its_written_decimals(krx, cache):
    summary = wu.update("2024-01-04", "2024-01-05", fetcher=wu.KrxOpenApiFetcher(KEY))

    header, rows = read_csv(cache / wu.DAILY_FILE)
    assert header == list(wu.DAILY_COLUMNS)
    assert [(r["instrument"], r["date"]) for r in rows] == sorted((n, d) for n in INDEX_NAMES for d in ("2024-01-04", "2024-01-05"))
    kospi = next(r for r in rows if r["instrument"] == "KOSPI" and r["date"] == "2024-01-05")
    assert kospi == {"instrument": "KOSPI", "date": "2024-01-05", "open": "2586.89", "high": "2592.29",
                     "low": "2572.60", "close": "2578.08", "source": "krx-openapi"}  # 2572.60 keeps its 0
    closes = {(r["instrument"], r["date"]): r["close"] for r in rows}
    assert closes["KRX 300", "2024-01-04"] == "1608.26"  # not "KRX 300 정보기술" (2648.86)
    assert closes["KOSDAQ 150", "2024-01-05"] == "1399.33" and closes["KOSPI 200", "2024-01-04"] == "348.07"
    assert summary.added == dict.fromkeys(INDEX_NAMES, 2) and not summary.errors
    assert set(summary.last_date.values()) == {"2024-01-05"}
    assert "KOSPI: 2 rows added, through 2024-01-05" in summary.lines()
    state = json.loads((cache / wu.STATE_FILE).read_text(encoding="utf-8"))
    assert state["official_daily"]["last_date"]["KRX 300"] == "2024-01-05"
    assert state["official_daily"]["source"] == "krx-openapi" and state["listing"]["fetched_at"]
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]  # temp files were replaced into place


def test_merge_keeps_one_row_per_day_and_the_newer_fetch_wins(krx, cache):
    cache.mkdir(parents=True)
    (cache / wu.DAILY_FILE).write_text(
        "instrument,date,open,high,low,close,source\n"
        "KOSPI,2024-01-05,2580.00,2590.00,2570.00,2500.00,pykrx\n"  # a stale figure, to be replaced
        "KOSPI,2024-01-03,2625.00,2629.00,2602.00,2607.31,pykrx\n", encoding="utf-8")

    summary = wu.update("2024-01-05", "2024-01-05", fetcher=wu.KrxOpenApiFetcher(KEY))
    _, rows = read_csv(cache / wu.DAILY_FILE)
    kospi = [r for r in rows if r["instrument"] == "KOSPI"]
    assert [(r["date"], r["close"], r["source"]) for r in kospi] == [("2024-01-03", "2607.31", "pykrx"),
                                                                    ("2024-01-05", "2578.08", "krx-openapi")]
    assert (summary.added["KOSPI"], summary.changed["KOSPI"]) == (0, 1)
    assert "KOSPI: 0 rows added (1 replaced), through 2024-01-05" in summary.lines()

    before = (cache / wu.DAILY_FILE).read_bytes()
    again = wu.update("2024-01-05", "2024-01-05", fetcher=wu.KrxOpenApiFetcher(KEY))
    assert (cache / wu.DAILY_FILE).read_bytes() == before  # fetching the same day again changes nothing
    assert set(again.added.values()) == {0} and set(again.changed.values()) == {0}


def test_default_since_resumes_after_the_latest_cached_day(krx, cache):
    cache.mkdir(parents=True)
    lines = ["instrument,date,open,high,low,close,source"] + [f"{n},2024-01-04,1,1,1,1,krx-openapi" for n in INDEX_NAMES]
    (cache / wu.DAILY_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary = wu.update(until="2024-01-05", fetcher=wu.KrxOpenApiFetcher(KEY))
    assert summary.added == dict.fromkeys(INDEX_NAMES, 1)
    asked = [(call.request.url.split("/apis/")[1]) for call in krx.calls]
    # One request per series family for 2024-01-05 (KOSPI and KOSPI 200 share one), then the listing's three.
    assert asked == ["idx/kospi_dd_trd?basDd=20240105", "idx/kosdaq_dd_trd?basDd=20240105", "idx/krx_dd_trd?basDd=20240105",
                     "sto/stk_isu_base_info?basDd=20240105", "sto/ksq_isu_base_info?basDd=20240105",
                     "sto/knx_isu_base_info?basDd=20240105"]


def test_listing_covers_konex_and_preferred_shares(krx, cache):
    summary = wu.update("2024-01-05", "2024-01-05", fetcher=wu.KrxOpenApiFetcher(KEY))

    header, rows = read_csv(cache / wu.LISTING_FILE)
    assert header == list(wu.LISTING_COLUMNS)
    by_code = {r["code"]: r for r in rows}
    assert list(by_code) == sorted(by_code)
    assert by_code["005935"] == {"code": "005935", "isin": "KR7005931001", "name_ko": "삼성전자1우선주",
                                 "short_ko": "삼성전자우", "name_en": "SamsungElectronics(1P)", "market": "KOSPI",
                                 "listed": "1989-09-25", "share_class": "구형우선주", "source": "krx-openapi"}
    assert by_code["005930"]["share_class"] == "보통주"
    assert {c for c, r in by_code.items() if r["market"] == "KONEX"} == {"296520", "183410"}
    assert by_code["098120"]["market"] == "KOSDAQ" and by_code["098120"]["listed"] == "2008-09-23"
    assert summary.listing_rows == {"KOSPI": 3, "KOSDAQ": 3, "KONEX": 2}
    assert "listing: 8 issues (KOSPI 3, KOSDAQ 3, KONEX 2)" in summary.lines()


def test_a_stocks_daily_prices_around_its_date(krx, cache, monkeypatch):
    monkeypatch.setattr(wu, "STOCK_DAYS_BEFORE", 1)  # the session and the one before: the recorded days
    monkeypatch.setattr(wu, "STOCK_DAYS_AFTER", 0)
    summary = wu.update("2024-01-04", "2024-01-05", stocks=[("005930", "2024-01-05"), ("060310", "2024-01-05")],
                        fetcher=wu.KrxOpenApiFetcher(KEY))

    header, samsung = read_csv(cache / wu.STOCKS_FOLDER / "005930.csv")
    assert header == list(wu.STOCK_COLUMNS)
    assert samsung == [
        {"date": "2024-01-04", "open": "76100", "high": "77300", "low": "76000", "close": "76900", "volume": "15324439", "source": "krx-openapi"},
        {"date": "2024-01-05", "open": "76700", "high": "77100", "low": "76400", "close": "76600", "volume": "11304316", "source": "krx-openapi"},
    ]
    _, kosdaq = read_csv(cache / wu.STOCKS_FOLDER / "060310.csv")  # not in the KOSPI answers: found in KOSDAQ's
    assert [(r["date"], r["close"]) for r in kosdaq] == [("2024-01-04", "3270"), ("2024-01-05", "3300")]
    assert summary.stocks == {"005930": 2, "060310": 2}
    state = json.loads((cache / wu.STATE_FILE).read_text(encoding="utf-8"))
    assert state["stocks"]["060310"]["last_date"] == "2024-01-05"


def test_network_failure_is_one_line_and_exit_1(cache, tmp_path, monkeypatch):
    monkeypatch.setenv(wu.AUTH_KEY_ENV, KEY)
    shipped = tmp_path / "shipped.csv"
    shipped.write_text("instrument,date,open,high,low,close,source\nKOSPI,2026-07-29,,,,4000.00,ecos\n"
                       "KOSDAQ,2026-08-27,,,,900.00,krx\nKTB 3Y,2026-08-28,,,,2.500,ktb-tracker\n", encoding="utf-8")
    monkeypatch.setattr(wu, "shipped_path", lambda name: shipped if name == wu.DAILY_FILE else None)
    with responses.RequestsMock() as mock:
        mock.get(re.compile(r"https://data-dbg\.krx\.co\.kr/.*"), body=NAME_NOT_RESOLVED)
        result = CliRunner().invoke(cli(), ["data", "update", "--since", "2024-01-05", "--until", "2024-01-05"])

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr == ("wrapcheck data update: could not reach the KRX Open API: [Errno -3] Temporary failure "
                             "in name resolution; the shipped data (through 2026-07-29) is still used\n")
    assert "Traceback" not in result.output and result.stdout == ""
    assert not (cache / wu.DAILY_FILE).exists()


def test_a_refused_service_is_reported_and_the_rest_is_kept(krx, cache, monkeypatch):
    monkeypatch.setenv(wu.AUTH_KEY_ENV, KEY)
    krx.replace(responses.GET, f"{wu.KRX_OPENAPI_URL}/sto/stk_isu_base_info", status=401,
                body=(RECORDED / "krx-openapi" / "unauthorized.json").read_bytes(), content_type="application/json")
    result = CliRunner().invoke(cli(), ["data", "update", "--since", "2024-01-05", "--until", "2024-01-05",
                                        "--source", "krx-openapi"])

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == ("wrapcheck data update: the KRX Open API refused sto/stk_isu_base_info (401 Unauthorized "
                             "API Call): check $KRX_AUTH_KEY and that this service is approved for the key at "
                             "openapi.krx.co.kr\n")
    assert "KOSPI: 1 rows added, through 2024-01-05" in result.stdout
    assert (cache / wu.DAILY_FILE).exists() and not (cache / wu.LISTING_FILE).exists()


def _replay_urlopen(request, *args, **kwargs):
    """urllib.request.urlopen answering from fdr/<host>/<path>, 404 for what was not recorded."""
    url = getattr(request, "full_url", request)
    path = RECORDED / "fdr" / url.split("://", 1)[1]
    if not path.is_file():
        raise urllib.error.HTTPError(url, 404, "Not Found", email.message.Message(), None)
    return urllib.response.addinfourl(io.BytesIO(path.read_bytes()), email.message.Message(), url, 200)


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # FinanceDataReader's own pandas calls
def test_financedatareader_fallback_on_its_recorded_sources(cache, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", _replay_urlopen)  # pandas reads the KRX mirror through it
    monkeypatch.setattr(wu, "STOCK_DAYS_BEFORE", 1)
    monkeypatch.setattr(wu, "STOCK_DAYS_AFTER", 1)
    with responses.RequestsMock() as mock:
        mock.get("https://fchart.stock.naver.com/sise.nhn", content_type="text/xml;charset=EUC-KR",
                 body=(RECORDED / "fdr" / "fchart.stock.naver.com" / "sise.nhn_005930.xml").read_bytes(),
                 match=[matchers.query_param_matcher({"timeframe": "day", "count": "6000", "requestType": "0", "symbol": "005930"})])
        summary = wu.update("2026-01-05", "2026-01-07", stocks=[("005930", "2026-01-06")], fetcher=wu.make_fetcher("fdr"))

    _, rows = read_csv(cache / wu.DAILY_FILE)
    levels = {(r["instrument"], r["date"]): (r["open"], r["high"], r["low"], r["close"], r["source"]) for r in rows}
    assert len(levels) == 9  # KOSPI, KOSDAQ, KOSPI 200 on three days
    assert levels["KOSPI", "2026-01-06"] == ("4446.08", "4525.48", "4395.00", "4525.48", "fdr-krx-cache")  # 4395.0 -> 4395.00
    assert levels["KOSDAQ", "2026-01-05"][3] == "957.50" and levels["KOSPI 200", "2026-01-07"][3] == "664.48"
    _, samsung = read_csv(cache / wu.STOCKS_FOLDER / "005930.csv")
    assert [(r["date"], r["close"], r["volume"], r["source"]) for r in samsung] == [
        ("2026-01-05", "138100", "52316540", "fdr-naver"), ("2026-01-06", "138900", "44710298", "fdr-naver"),
        ("2026-01-07", "139700", "41532060", "fdr-naver")]
    assert "KOSDAQ 150, KRX 300: not offered by fdr" in summary.notes
    assert any(note.startswith("listing: none from fdr") for note in summary.notes) and not summary.errors


def test_financedatareader_hiding_a_network_failure_still_gives_one_line(cache, monkeypatch):
    def offline(request, *args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)  # FinanceDataReader turns this into an empty frame
    with responses.RequestsMock() as mock:
        mock.head(re.compile(r"https://raw\.githubusercontent\.com/.*"), body=NAME_NOT_RESOLVED)
        result = CliRunner().invoke(cli(), ["data", "update", "--source", "fdr", "--until", "2026-01-07"])

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == ("wrapcheck data update: could not reach FinanceDataReader's KRX mirror "
                             "(raw.githubusercontent.com): [Errno -3] Temporary failure in name resolution; "
                             "no official data is cached or shipped yet\n")


def test_importing_update_leaves_the_fetch_libraries_unloaded():
    probe = ("import sys, wrapcheck.update; print(sorted(m for m in ('requests', 'urllib3', 'FinanceDataReader', "
             "'pykrx', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_status_shows_the_cache_and_tolerates_no_shipped_data(krx, cache, monkeypatch):
    monkeypatch.setattr(wu, "STOCK_DAYS_BEFORE", 1)
    monkeypatch.setattr(wu, "STOCK_DAYS_AFTER", 0)
    empty = CliRunner().invoke(cli(), ["data", "status"])
    assert empty.exit_code == 0 and "(empty: run `wrapcheck data update`)" in empty.stdout

    wu.update("2024-01-05", "2024-01-05", stocks=[("005930", "2024-01-05")], fetcher=wu.KrxOpenApiFetcher(KEY))
    result = CliRunner().invoke(cli(), ["data", "status"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"cache: {cache}"
    assert lines[1].startswith("official_daily.csv: KOSPI 2024-01-05, KOSDAQ 2024-01-05, KOSPI 200 2024-01-05, "
                               "KOSDAQ 150 2024-01-05, KRX 300 2024-01-05 (fetched ")
    assert lines[2].startswith("listing.csv: 8 issues (fetched ") and lines[3] == "stocks/: 1 stocks (005930)"
    assert lines[4] == "shipped: none in this copy of wrapcheck"


def test_bad_input_and_missing_sources_are_one_line(cache, monkeypatch):
    bad = CliRunner().invoke(cli(), ["data", "update", "--stock", "5930"])
    assert bad.exit_code == 2 and bad.stderr.startswith("wrapcheck data update: --stock '5930': give CODE:DATE")
    keyless = CliRunner().invoke(cli(), ["data", "update", "--source", "krx-openapi"])
    assert keyless.exit_code == 1 and "Traceback" not in keyless.output
    assert keyless.stderr.startswith("wrapcheck data update: the KRX Open API needs a key: set $KRX_AUTH_KEY")
    assert keyless.stderr.endswith("; no official data is cached or shipped yet\n")
    assert isinstance(wu.make_fetcher("auto"), wu.FinanceDataReaderFetcher)  # no key: the fallback
    monkeypatch.setenv(wu.AUTH_KEY_ENV, KEY)
    assert isinstance(wu.make_fetcher("auto"), wu.KrxOpenApiFetcher)


def test_fetched_prices_are_what_validate_then_checks_against(krx, cache, monkeypatch, tmp_path):
    """Fetch (recorded), then validate: H001 and O001 use the stock's fetched official prices."""
    from wrapcheck import official
    from wrapcheck.engine import validate_paths

    monkeypatch.setattr(wu, "STOCK_DAYS_BEFORE", 1)
    monkeypatch.setattr(wu, "STOCK_DAYS_AFTER", 0)
    draft = tmp_path / "draft.csv"
    draft.write_text("date,source,instrument,close,change,change_pct\n"
                     '2024-01-05,wire,삼성전자,"76,600",-300,-0.39%\n'
                     '2024-01-05,copy,Samsung Electronics,"76,700",-200,-0.26%\n', encoding="utf-8")
    wu.update("2024-01-04", "2024-01-05", stocks=wu.stocks_named([draft]), fetcher=wu.KrxOpenApiFetcher(KEY))
    official.load_official.cache_clear()
    try:
        report = validate_paths(draft, select=["H001", "O001"])
    finally:
        official.load_official.cache_clear()
    res = report.results.join(report.table[["source"]], on="idx")
    got = {(r.source, r.code): (r.status, r.message) for r in res.itertuples()}
    assert got[("wire", "H001")][0] == "pass" and got[("wire", "O001")][0] == "pass"
    assert got[("copy", "H001")][0] == "pass"  # its own arithmetic leads from 76,900 too
    assert got[("copy", "O001")][0] == "fail"
    assert "76,600 (official close, KRX Open API, fetched through 2024-01-05" in got[("copy", "O001")][1]
