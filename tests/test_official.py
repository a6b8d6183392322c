"""The shipped market data (issue 17): the listing resolves every stock, the official record serves
the history rules, fetched data in the user's cache adds to it, and the rules say where figures came from."""

import csv
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED, find, read_rows, write_rows
from wrapcheck.engine import validate_paths

REFERENCE = ROOT / "schemas" / "reference"


def fresh(monkeypatch, cache: Path):
    """Point the cache at ``cache`` and forget what was loaded from the old one."""
    monkeypatch.setenv("WRAPCHECK_CACHE_DIR", str(cache))
    from wrapcheck import official, registry

    official.load_official.cache_clear()
    registry.load_registry.cache_clear()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    fresh(monkeypatch, folder)
    yield folder
    fresh(monkeypatch, tmp_path / "empty")


def results(report, code):
    res = report.results.join(report.table[["source", "instrument"]], on="idx")
    return res[res["code"] == code]


# -- the listing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "code"), [
    ("Kia", "000270"), ("기아", "000270"), ("KIA CORPORATION", "000270"), ("A000270", "000270"),
    ("LG Chem", "051910"), ("LGCHEM", "051910"), ("LG화학", "051910"), ("LG Chem Ltd.", "051910"),
    ("Naver", "035420"), ("NAVER Corp.", "035420"), ("Korea Zinc", "010130"), ("KoreaZinc", "010130"),
    ("고려아연보통주", "010130"), ("POSCO Holdings", "005490"), ("POSCO", "005490"), ("포스코홀딩스", "005490"),
    ("Samsung Biologics", "207940"), ("Celltrion", "068270"), ("HYBE", "352820"), ("Hanwha Ocean", "042660"),
    ("Samsung Electronics Pref.", "005935"), ("삼성전자우", "005935"), ("삼성전자 우선주", "005935"),
    ("Samsung Electronics Co., Ltd.", "005930"), ("005930", "005930"), ("Alteogen Inc.", "196170"),
])
def test_every_listed_stock_resolves_by_its_names(written, code):
    from wrapcheck.registry import load_registry

    found = load_registry().resolve(written)
    assert found is not None and found.code == code, (written, found)
    assert found.kind == "stock"


def test_the_whole_listing_resolves_by_code_and_korean_short_name():
    from wrapcheck.registry import load_registry

    registry = load_registry()
    with (REFERENCE / "listing.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 2800
    wrong = [(r["code"], r["short_ko"]) for r in rows
             if getattr(registry.resolve(r["code"]), "code", None) != r["code"]
             or getattr(registry.resolve(r["short_ko"]), "code", None) != r["code"]]
    assert wrong == []


def test_market_comes_from_the_listing():
    from wrapcheck.registry import load_registry

    registry = load_registry()
    assert registry.resolve("Alteogen").market == "KOSDAQ"
    assert registry.resolve("태양3C").market == "KONEX"
    assert registry.resolve("Kia").market == "KOSPI"


@pytest.mark.parametrize(("written", "name", "kind"), [
    ("KOSPI 200", "KOSPI 200", "index"), ("코스피200", "KOSPI 200", "index"), ("Kosdaq 150", "KOSDAQ 150", "index"),
    ("KRX300", "KRX 300", "index"), ("원/엔", "JPY/KRW", "fx"), ("won-yuan", "CNY/KRW", "fx"), ("EURKRW", "EUR/KRW", "fx"),
    ("국고채 1년물", "KTB 1Y", "yield"), ("2-year KTB", "KTB 2Y", "yield"), ("KTB30Y", "KTB 30Y", "yield"),
])
def test_indices_won_pairs_and_tenors_resolve(written, name, kind):
    from wrapcheck.registry import load_registry

    found = load_registry().resolve(written)
    assert (found.name, found.kind) == (name, kind)


def test_unknown_names_get_suggestions_and_a_kind_from_the_name():
    from wrapcheck.registry import guess_kind, load_registry

    assert load_registry().suggestions("Samsnug Electronics")[0] == "Samsung Electronics"
    assert "Hanwha Ocean" in load_registry().suggestions("Hanwa Ocean")
    assert guess_kind("Kospi 200 futures") == "index"
    assert guess_kind("won-baht rate") == "fx"
    assert guess_kind("Zzyzx Robotics") == ""


def test_a_misspelt_instrument_warns_and_breaks_no_rule(tmp_path):
    rows = read_rows()
    find(rows, "summary", "KOSPI")["instrument"] = "KOSPl"  # a lower-case L for the I
    report = validate_paths(write_rows(tmp_path / "s.csv", rows))
    assert not (report.results["status"] == "error").any(), report.results[report.results["status"] == "error"]["message"].tolist()
    s005 = results(report, "S005")
    bad = s005[s005["instrument"] == "KOSPl"]
    assert list(bad["status"]) == ["fail"] and "did you mean 'KOSPI'" in bad["message"].iat[0]
    assert report.rules["S005"].severity == "warning"
    assert list(results(report, "S001").query("instrument == 'KOSPl'")["status"]) == ["pass"]


def test_the_listing_copy_in_the_cache_gives_the_same_answers(cache):
    from wrapcheck import registry

    first = registry.load_registry()
    assert first.resolve("Korea Zinc").code == "010130"
    assert (cache / "index" / "listing.json").exists()
    registry.load_registry.cache_clear()
    again = registry.load_registry()
    for name in ("Korea Zinc", "삼성전자우", "Alteogen", "POSCO"):
        assert again.resolve(name) == first.resolve(name)


# -- the official record -------------------------------------------------------------------------

def test_shipped_record_matches_the_public_spot_checks():
    from wrapcheck.official import load_official

    record = load_official()
    for name, day, close in [("KOSPI", "2026-01-05", 4457.52), ("KOSPI", "2026-01-06", 4525.48), ("KOSPI", "2026-01-22", 4952.53),
                             ("KOSPI", "2026-02-19", 5677.25), ("KOSPI", "2026-02-20", 5808.53), ("KOSPI", "2020-08-25", 2366.73),
                             ("KOSDAQ", "2026-02-20", 1154.00)]:
        value, hw, origin = record.figure(name, day)
        assert (value, hw) == (close, 0.005), (name, day)
    assert record.figure("KOSPI", "2026-01-22", "high")[0] == 5019.54
    assert record.end("KOSPI") == "2026-07-29"
    assert not record.covers("KTB 3Y")  # shipped, but not the figure wraps quote


def test_make_reference_rebuilds_the_shipped_files(tmp_path):
    shared = ROOT.parent / "shared" / "reference"
    if not shared.is_dir():
        pytest.skip("../shared/reference is not beside this checkout")
    spec = importlib.util.spec_from_file_location("make_reference", REFERENCE / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = tmp_path
    (tmp_path / "sources.toml").write_text("")
    module.main([str(shared)])
    for name in ("official_daily.csv", "listing.csv"):
        assert (tmp_path / name).read_bytes() == (REFERENCE / name).read_bytes(), name


def test_fetched_rows_win_and_say_so(cache, tmp_path):
    (cache / "official_daily.csv").write_text(
        "instrument,date,open,high,low,close,source\nKOSPI,2026-01-05,,,,4457.52,krx-openapi\n", encoding="utf-8")
    rows = read_rows()
    find(rows, "summary", "KOSPI")["close"] = "4,552.48"
    report = validate_paths(write_rows(tmp_path / "s.csv", rows), select=["H001"])
    h001 = results(report, "H001")
    message = h001[(h001["source"] == "summary") & (h001["instrument"] == "KOSPI")]["message"].iat[0]
    assert "closed at 4,457.52 (official close, KRX Open API, fetched through" in message


def test_fetched_stock_prices_serve_h001_and_o001(cache, tmp_path):
    # Samsung Electronics, 2026-01-22: 152,300 won, up 1.87 % (the Korea Herald's wrap): the close of
    # 2026-01-21 is then 149,500 (the one price on the KRX grid that +1.87 % reaches).
    stocks = cache / "stocks"
    stocks.mkdir()
    (stocks / "005930.csv").write_text("date,open,high,low,close,volume,source\n"
                                       "2026-01-21,,,,149500,,krx-openapi\n2026-01-22,,,,152300,,krx-openapi\n", encoding="utf-8")
    path = tmp_path / "s.csv"
    path.write_text("date,source,instrument,close,change,change_pct\n"
                    '2026-01-22,herald,Samsung Electronics,"152,300","+2,800",+1.87%\n'
                    '2026-01-22,other,삼성전자,"153,200","+3,700",+2.47%\n', encoding="utf-8")
    report = validate_paths(path, select=["H001", "O001"])
    got = {(r.source, r.code): r.status for r in results(report, "H001").itertuples()}
    got |= {(r.source, r.code): r.status for r in results(report, "O001").itertuples()}
    assert got == {("herald", "H001"): "pass", ("other", "H001"): "pass", ("herald", "O001"): "pass", ("other", "O001"): "fail"}


def test_no_official_switch_restores_the_users_files_alone(tmp_path):
    report = validate_paths(SEED, select=["H001", "O001"], official=False)
    assert set(report.results["status"]) == {"skip"}
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(SEED), "--no-official", "--select", "O001",
                          "--no-reports", "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 0 and '"fail": 0' in out.stdout


def test_data_group_is_on_the_wrapcheck_command(cache):
    from typer.testing import CliRunner

    from wrapcheck.cli import full_app

    out = CliRunner().invoke(full_app(), ["data", "status"])
    assert out.exit_code == 0, out.output
    assert "shipped: KOSPI 2026-07-29" in out.output
    assert f"cache: {cache}" in out.output


def test_update_for_an_input_names_its_stocks_and_dates(tmp_path):
    from wrapcheck.update import stocks_named

    path = tmp_path / "s.csv"
    path.write_text("date,source,instrument,close\n2026-01-22,w,Hanwha Ocean,\"128,600\"\n2026-01-22,w,KOSPI,\"4,952.53\"\n"
                    "2020-11-02,w,삼성전자,\"56,600\"\n", encoding="utf-8")
    assert stocks_named([path]) == [("005930", "2020-11-02"), ("042660", "2026-01-22")]
