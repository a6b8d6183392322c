"""Input that real desks produce: encodings, delimiters, Excel, Korean numbers, and bad input that
never crashes (issue 4). Every bad input gets one line naming the file (exit 2) or a per-cell S002."""

import codecs
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED, find, read_rows, write_rows
from wrapcheck.engine import validate_paths
from wrapcheck.loader import LoadError, load

ROOT = Path(__file__).resolve().parents[1]


def statuses(report):
    res = report.results.join(report.table[["source", "instrument"]], on="idx")
    return sorted(zip(res["source"], res["instrument"], res["code"], res["status"]))


def seed_text(delimiter=",") -> str:
    out = io.StringIO()
    rows = read_rows()
    writer = csv.DictWriter(out, list(rows[0]), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def seed_statuses():
    return statuses(validate_paths(SEED))


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [("bom.csv", "utf-8-sig", ","), ("semicolon.csv", "utf-8", ";"), ("tab.tsv", "utf-8", "\t"),
     ("excel-unicode.tsv", "utf-16", "\t"), ("cp949.csv", "cp949", ","), ("euckr.csv", "euc-kr", ",")],
)
def test_encodings_and_delimiters_give_the_same_verdicts(tmp_path, seed_statuses, name, encoding, delimiter):
    text = seed_text(delimiter)
    if encoding in ("cp949", "euc-kr"):  # the seed's typographic dashes and quotes have no CP949 form
        text = text.translate(str.maketrans({"\u2011": "-", "\u2013": "-", "\u2019": "'"}))
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    assert statuses(validate_paths(path)) == seed_statuses


def test_cp949_exchange_export_with_korean_names_and_units(tmp_path):
    text = ("date,source,instrument,close,change,change_pct,individual_net,foreign_net,institution_net,turnover\n"
            '2026-01-06,krx,코스피,"4,525.48",+67.96,1.52,"5,975억5천만원",-6천188억원,-689억원,25조2700억원\n'
            "2026-01-06,krx,삼성전자,\"138,900\",+800,+0.58,,,,\n")
    path = tmp_path / "krx.csv"
    path.write_bytes(text.encode("cp949"))
    report = validate_paths(path)
    table = report.table
    assert list(table["instrument"]) == ["KOSPI", "Samsung Electronics"]
    assert table["foreign_net"].iat[0] == pytest.approx(-618.8) and table["foreign_net__hw"].iat[0] == pytest.approx(0.05)
    assert table["turnover"].iat[0] == pytest.approx(25270.0)
    assert any("decoded as cp949" in note for note in report.notes)
    failing = report.results[report.results["status"].isin(["fail", "error"])]
    assert failing.empty, failing["message"].tolist()


def test_encoding_override(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("date,source,instrument,close\n2026-01-06,krx,코스피,\"4,525.48\"\n".encode("cp949"))
    assert list(load([path], encoding="cp949").table["instrument"]) == ["KOSPI"]
    with pytest.raises(LoadError, match="x.csv: not ascii text"):
        load([path], encoding="ascii")


def test_xlsx_sheet(tmp_path, seed_statuses):
    from openpyxl import Workbook

    rows = read_rows()
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for r in rows:
        sheet.append(list(r.values()))
    # A figure typed as a number in Excel, shown with two decimals by its format.
    cell = sheet.cell(row=2, column=list(rows[0]).index("close") + 1)
    cell.value, cell.number_format = 4525.48, "#,##0.00"
    path = tmp_path / "session.xlsx"
    book.save(path)
    report = validate_paths(path)
    assert report.raw["close"].iat[0] == "4,525.48"
    assert statuses(report) == seed_statuses


def test_spelled_out_numbers_in_cells(tmp_path):
    rows = read_rows()
    find(rows, "summary", "KOSPI").update(close="four-thousand-525-point-48", change="67-point-96 points")
    report = validate_paths(write_rows(tmp_path / "radio.csv", rows))
    row = report.table[(report.table["source"] == "summary") & (report.table["instrument"] == "KOSPI")]
    assert row["close"].iat[0] == pytest.approx(4525.48) and row["close__hw"].iat[0] == pytest.approx(0.005)
    assert report.exit_code() == 1  # only the seed's own C002
    assert set(report.results[report.results["status"] == "fail"]["code"]) == {"C002"}


# -- the bad input matrix: one line, the right exit code, never a traceback --------------------------

def run_cli(*args):
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", *map(str, args), "--no-reports"],
                         capture_output=True, text=True)
    return out


def assert_one_line(out, *needles):
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_missing_file(tmp_path):
    assert_one_line(run_cli(tmp_path / "nope.csv"), "nope.csv", "no such file")


def test_directory_without_session_files(tmp_path):
    (tmp_path / "data.json").write_text("{}")
    assert_one_line(run_cli(tmp_path), str(tmp_path), "no session files")


def test_directory_of_one_draft_that_is_not_a_wrap(tmp_path):
    (tmp_path / "notes.md").write_text("hi")  # a folder of drafts: its one draft has no date to check
    assert_one_line(run_cli(tmp_path), "notes.md", "cannot tell the session date")


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_text("")
    assert_one_line(run_cli(tmp_path / "e.csv"), "e.csv", "empty file")


def test_header_only(tmp_path):
    (tmp_path / "h.csv").write_text("date,source,instrument,close\n")
    assert_one_line(run_cli(tmp_path / "h.csv"), "h.csv", "no data rows")


def test_binary_garbage(tmp_path):
    import random

    rng = random.Random(4)
    (tmp_path / "g.csv").write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    assert_one_line(run_cli(tmp_path / "g.csv"), "g.csv")


def test_duplicate_column_names(tmp_path):
    (tmp_path / "d.csv").write_text("date,source,instrument,close,Close\n2026-01-06,a,KOSPI,1,2\n")
    assert_one_line(run_cli(tmp_path / "d.csv"), "d.csv", "row 1", "duplicate column name(s) close")


def test_ragged_row(tmp_path):
    (tmp_path / "r.csv").write_text("date,source,instrument,close\n2026-01-06,a,KOSPI,1,2,3\n")
    assert_one_line(run_cli(tmp_path / "r.csv"), "r.csv", "row")


def test_debug_shows_the_traceback(tmp_path):
    (tmp_path / "e.csv").write_text("")
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(tmp_path / "e.csv"), "--debug"],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "Traceback" in out.stderr


def test_unknown_columns_are_not_an_error(tmp_path):
    rows = [{**r, "editor": "J. Kim"} for r in read_rows()]
    out = run_cli(write_rows(tmp_path / "u.csv", rows), "--ignore", "C002")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "unchecked extra column(s) kept as written: editor" in out.stdout


@pytest.mark.parametrize("cell", ["NaN", "inf", "-inf", "n/a", "-", "N/A", "Infinity"])
def test_nan_inf_and_placeholders_are_s002(tmp_path, cell):
    rows = read_rows()
    find(rows, "yonhap-1", "KOSPI")["close"] = cell
    report = validate_paths(write_rows(tmp_path / "n.csv", rows), select=["S002", "A002"])
    res = report.results.join(report.table[["source", "instrument"]], on="idx")
    mine = res[(res["source"] == "yonhap-1") & (res["instrument"] == "KOSPI")].set_index("code")
    assert mine.at["S002", "status"] == "fail" and "column close" in mine.at["S002", "message"]
    assert "row 2" in mine.at["S002", "message"] and "n.csv" in mine.at["S002", "message"]
    assert mine.at["A002", "status"] == "skip"  # the unreadable figure never passes


def test_negative_count_and_bad_date(tmp_path):
    rows = read_rows()
    find(rows, "yonhap-1", "KOSPI").update(decliners="-482", date="06/01/2026")
    report = validate_paths(write_rows(tmp_path / "b.csv", rows), select=["S002", "S003"])
    res = report.results.join(report.table[["source", "instrument_text"]], on="idx")
    mine = res[(res["source"] == "yonhap-1") & (res["instrument_text"] == "KOSPI")].set_index("code")
    assert "not an ISO date" in mine.at["S002", "message"]
    assert "decliners -482 is negative" in mine.at["S003", "message"]


def test_a_50_mb_cell(tmp_path):
    rows = read_rows()
    find(rows, "yonhap-1", "KOSPI")["close"] = "9" * 50_000_000 + "x"
    path = write_rows(tmp_path / "big.csv", rows)
    out = run_cli(path, "--select", "S002", "--format", "json")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    document = json.loads(out.stdout)
    s002 = [r for s in document["sources"] for r in s["results"] if r["status"] == "fail"]
    assert len(s002) == 1 and "(50,000,001 characters)" in s002[0]["message"]
    assert len(s002[0]["message"]) < 500 and "[50,000,001 characters]" in s002[0]["observed"]


def test_rows_read_equal_rows_reported(tmp_path):
    rows = read_rows()
    find(rows, "summary", "KOSPI").update(close="bad", date="")
    rows.append({**rows[0], "instrument": "Kospi 200 futures"})
    document = validate_paths(write_rows(tmp_path / "all.csv", rows)).to_dict()
    reported = {(r["file"], r["rows"][0]) for s in document["sources"] for r in s["results"]}
    assert len(reported) == len(rows) == 25


def test_a_million_rows_load_and_are_all_reported(tmp_path):
    n = 1_000_000
    path = tmp_path / "million.csv"
    with path.open("w") as fh:
        fh.write("date,source,instrument,close\n")
        fh.writelines(f"2026-01-06,s{i},KOSPI,4525.48\n" for i in range(n))
    report = validate_paths(path, select=["S002"])
    assert len(report.table) == n and report.results["idx"].nunique() == n


def test_markdown_and_file_names_are_inert(tmp_path):
    rows = read_rows()
    find(rows, "summary", "KOSPI").update(change_pct="1.62%", statement='Jan 7, 2026 - <script>alert(1)</script> =HYPERLINK("http://x") | pipe')
    rows[0]["source"] = "../../etc/x"
    out_dir = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(write_rows(tmp_path / "s.csv", rows)),
                    "--reports", str(out_dir)], capture_output=True, text=True)
    written = [p for p in out_dir.rglob("*") if p.is_file()]
    assert all(out_dir.resolve() in p.resolve().parents for p in written)
    markdown = (out_dir / "2026-01-06" / "summary-source.md").read_text()
    assert "&lt;script&gt;" in markdown and "<script>" not in markdown  # C002 quotes the sentence
    assert "\\| pipe" in markdown  # a table cell cannot be broken out of


def test_atomic_write_keeps_the_old_report_on_failure(tmp_path, monkeypatch):
    from wrapcheck.reporters import base

    path = tmp_path / "r.json"
    base.write_atomic(path, "old")

    class Boom(Exception):
        pass

    def broken_replace(src, dst):
        raise Boom()

    monkeypatch.setattr(base.os, "replace", broken_replace)
    with pytest.raises(Boom):
        base.write_atomic(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.json"]


# The Arrow CSV reader is the fast path; pandas' reader takes every file Arrow does not read cleanly.
_AWKWARD = ('date,source,instrument,close,change,statement,title\n'
            '2026-01-06, yonhap-1 ,KOSPI,"4,525.48",+67.96,"It said ""up""\nand more",\n'
            '\n'
            '2026-01-06,yonhap-2,KOSDAQ,  ,(1.5),,  spaced  \n'
            '2026-01-06,summary,삼성전자,"138,100",,"",x\n')


def test_arrow_reader_reads_what_pandas_reads(tmp_path, monkeypatch):
    from wrapcheck import reader

    path = tmp_path / "awkward.csv"
    path.write_text(_AWKWARD, encoding="utf-8")
    fast, _ = reader.read_table(path)
    assert reader._read_csv_arrow(_AWKWARD.encode(), ",", list(fast.columns)) is not None  # the fast path took it
    monkeypatch.setattr(reader, "_read_csv_arrow", lambda *args: None)
    slow, _ = reader.read_table(path)
    assert fast.to_dict("list") == slow.to_dict("list")
    assert fast["statement"].tolist()[0] == 'It said "up"\nand more' and fast["close"].tolist()[1] == "  "


def test_short_row_goes_to_pandas_and_reads_blank(tmp_path):
    from wrapcheck import reader

    text = "date,source,instrument,close,change\n2026-01-06,a,KOSPI,4525.48,+67.96\n2026-01-06,b,KOSPI,4525.48\n"
    path = tmp_path / "short.csv"
    path.write_text(text, encoding="utf-8")
    assert reader._read_csv_arrow(text.encode(), ",", ["date", "source", "instrument", "close", "change"]) is None
    frame, _ = reader.read_table(path)
    assert frame["change"].tolist() == ["+67.96", ""]


def test_columns_parsed_side_by_side_equal_one_by_one(tmp_path, monkeypatch):
    """Big tables parse their numeric columns in threads; the table and its errors are the same."""
    from conftest import read_rows, write_rows
    from wrapcheck import loader

    rows = read_rows()
    rows[0] = {**rows[0], "close": "4,5254.8", "volume": "3억주"}  # one misplaced comma, one unit form
    path = write_rows(tmp_path / "mixed.csv", rows)
    serial = loader.load([path])
    monkeypatch.setattr(loader, "PARALLEL_ROWS", 0)
    threaded = loader.load([path])
    assert threaded.table.equals(serial.table)
    assert threaded.parse_errors.equals(serial.parse_errors) and len(serial.parse_errors)


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u3000", "\u2003", "\x1c"])
def test_spaces_around_a_figure_read_as_without_them(tmp_path, space):
    """A column is trimmed only when some cell has space at an end (a copy of every cell otherwise):
    a figure with ASCII, no-break or ideographic space around it reads as the bare figure."""
    from wrapcheck import loader

    rows = read_rows()
    bare = loader.load([write_rows(tmp_path / "bare.csv", rows)])
    for r in rows:
        if r["close"]:
            r["close"] = f"{space}{r['close']}{space}"
        if r["change_pct"]:
            r["change_pct"] = f"{r['change_pct']}{space}"
    spaced = loader.load([write_rows(tmp_path / "spaced.csv", rows)])
    for column in ("close", "close__hw", "change_pct", "change_pct__hw"):
        assert spaced.table[column].equals(bare.table[column]), column
    assert spaced.table["close"].notna().sum() > 10 and spaced.parse_errors.empty


def test_a_column_no_file_has_reads_as_blank_cells(tmp_path):
    """Columns absent from every file are kept as one blank category (and their figures as one shared
    NaN), which must check and report exactly as the same columns written with empty cells."""
    absent = ("kind", "title", "prior_close", "unchanged", "other_net")
    lacking = [{k: v for k, v in r.items() if k not in absent} for r in read_rows()]
    blank = [{**r, **dict.fromkeys(absent, "")} for r in read_rows()]
    without = validate_paths(write_rows(tmp_path / "without.csv", lacking))
    empty = validate_paths(write_rows(tmp_path / "empty.csv", blank))
    assert [s.replace("without.csv", "") for s in without.results["message"]] == [s.replace("empty.csv", "") for s in empty.results["message"]]
    assert statuses(without) == statuses(empty)
    assert set(without.raw["prior_close"].tolist()) == {""} and without.table["prior_close"].isna().all()
    assert any("prior_close" in m for m in without.results["message"])  # the rules that need it say so


def _archive(folder, bad=()):
    """20 files of the seed's rows: odd files lack title and prior_close, file 3 has an extra column,
    file 5 is semicolon-separated, file 7 is CP949; files in ``bad`` are binary garbage."""
    folder.mkdir()
    for k in range(20):
        path = folder / f"part-{k:02d}.csv"
        if k in bad:
            path.write_bytes(bytes(range(256)) * 8)
            continue
        rows = [{c: v for c, v in r.items() if not (k % 2 and c in ("title", "prior_close"))} for r in read_rows()]
        if k == 3:
            rows = [{**r, "editor": "J. Kim"} for r in rows]
        out = io.StringIO()
        writer = csv.DictWriter(out, list(rows[0]), delimiter=";" if k == 5 else ",", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_bytes(out.getvalue().encode("cp949", errors="replace") if k == 7 else out.getvalue().encode("utf-8"))
    return folder


def test_files_read_side_by_side_equal_one_by_one(tmp_path, monkeypatch):
    from wrapcheck import loader

    folder = _archive(tmp_path / "archive")
    monkeypatch.setattr(loader, "PARALLEL_FILES", 10**9)
    serial = loader.load([folder])
    monkeypatch.setattr(loader, "PARALLEL_FILES", 2)
    threaded = loader.load([folder])
    assert threaded.table.equals(serial.table) and threaded.raw.equals(serial.raw)
    monkeypatch.setattr(loader, "MAX_PIECES", 0)  # every column joined into one array
    joined = loader.load([folder])
    assert joined.table.equals(serial.table) and joined.raw.equals(serial.raw)
    assert threaded.notes == serial.notes and threaded.parse_errors.equals(serial.parse_errors)
    one = read_rows()
    assert len(serial.raw) == 20 * len(one)
    title = serial.raw["title"].to_numpy().reshape(20, len(one))
    assert (title[1::2] == "").all() and (title[0::2] == [r["title"] for r in one]).all()  # lacking: blank
    assert serial.table["_row"].tolist() == list(range(2, len(one) + 2)) * 20
    assert any("editor" in n for n in serial.notes) and any("cp949" in n for n in serial.notes)


def test_the_first_unreadable_file_in_order_stops_the_load(tmp_path, monkeypatch):
    from wrapcheck import loader

    folder = _archive(tmp_path / "archive", bad=(4, 9))
    for files in (10**9, 2):
        monkeypatch.setattr(loader, "PARALLEL_FILES", files)
        with pytest.raises(LoadError, match="part-04.csv"):
            loader.load([folder])


def _plain_archive(folder):
    """30 small files as the generator writes them (no quotes), and the variants a batch must respect:
    another column order, CRLF line ends, a BOM, a quoted cell, a short row and a blank line."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate, write_archive

    paths = write_archive(generate(3000, sources=3), folder, 30)
    text = [p.read_text(encoding="utf-8") for p in paths]
    lines = text[4].splitlines()
    columns = lines[0].split(",")
    order = list(reversed(range(len(columns))))
    paths[4].write_text("\n".join(",".join(line.split(",")[i] for i in order) for line in lines) + "\n", encoding="utf-8")
    paths[7].write_bytes(text[7].replace("\n", "\r\n").encode())
    paths[9].write_bytes(codecs.BOM_UTF8 + text[9].encode())
    paths[11].write_text(text[11].replace("wire-0", '"wire-0"', 1), encoding="utf-8")
    short = text[13].splitlines()
    short[2] = ",".join(short[2].split(",")[:5])
    paths[13].write_text("\n".join(short) + "\n\n", encoding="utf-8")
    paths[15].write_text(text[15].replace("\n", "\n\n", 3), encoding="utf-8")
    multi = text[17].splitlines()
    multi[1] = multi[1].rstrip(",") + ',"up, then\ndown ""sharply"""'  # a quoted statement over two lines
    paths[17].write_text("\n".join(multi) + "\n", encoding="utf-8")
    return paths


def test_small_files_read_together_equal_one_by_one(tmp_path, monkeypatch):
    from wrapcheck import loader

    _plain_archive(tmp_path / "plain")
    planned = loader._plan(loader.discover([tmp_path / "plain"]), None)
    assert any(kind == "batch" and len(item[2]) >= 5 for kind, item in planned)  # most files go in batches
    batched = {path.name for kind, item in planned if kind == "batch" for path, _, _ in item[2]}
    names = sorted(p.name for p in (tmp_path / "plain").glob("*.csv"))
    assert names[11] in batched and names[17] not in batched  # a quoted cell on one line batches; over two lines, not
    together = loader.load([tmp_path / "plain"])
    monkeypatch.setattr(loader, "BATCH_BYTES", -1)
    assert all(kind == "file" for kind, _ in loader._plan(loader.discover([tmp_path / "plain"]), None))
    alone = loader.load([tmp_path / "plain"])
    assert together.raw.equals(alone.raw) and together.table.equals(alone.table)
    assert together.notes == alone.notes and together.parse_errors.equals(alone.parse_errors)
    assert len(together.table) == 3000 and together.table["_row"].min() == 2
    assert together.raw["statement"].str.contains("then\ndown \"sharply\"", regex=False).sum() == 1


def test_a_long_row_in_a_batch_names_its_file(tmp_path):
    paths = _plain_archive(tmp_path / "plain")
    lines = paths[20].read_text(encoding="utf-8").splitlines()
    lines[3] += ",extra"
    paths[20].write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=f"{paths[20].name}: row 4: "):
        load([tmp_path / "plain"])


def test_directories_are_walked_in_path_order_through_links_once(tmp_path):
    from wrapcheck.loader import discover

    for name in ("b/2026-01-06.csv", "a-b/x.csv", "a/x.csv", "a/notes.txt", "a/deep/y.TSV", "z.parquet"):
        (tmp_path / "archive" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "archive" / name).write_text("date,source,instrument\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "w.csv").write_text("date,source,instrument\n")
    (tmp_path / "archive" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "archive" / "a" / "loop").symlink_to(tmp_path / "archive", target_is_directory=True)
    found = [p.relative_to(tmp_path / "archive").as_posix() for p in discover([tmp_path / "archive"])]
    assert found == ["a/deep/y.TSV", "a/x.csv", "a-b/x.csv", "b/2026-01-06.csv", "linked/w.csv", "z.parquet"]
