"""An archive checked in chunks of sessions gives the results of the archive checked whole (issue 8)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from wrapcheck.cli import app
from wrapcheck.engine import discover, validate_paths
from wrapcheck.loader import load
from wrapcheck.reporters import get_reporter
from wrapcheck.reporters.columnar import document_text
from wrapcheck.stream import plan_chunks

ROOT = Path(__file__).resolve().parents[1]
KEPT = {"failures": {"detail": ("fail", "error"), "brief": ("skip",)}, "all": {}}


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """The same generated sessions (with planted slips and claims in words) as 12 files of date ranges
    and as one file per session and source."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate, write_archive, write_per_source

    frame = generate(6000, sources=4, error_rate=0.02, statement_rate=0.3)
    folder = tmp_path_factory.mktemp("stream")
    write_archive(frame, folder / "ranges", 12)
    write_per_source(frame, folder / "per-source")
    return folder


def _outputs(report, results):
    texts = {"json": document_text(report, results), "markdown": get_reporter("markdown").render(report, results)}
    if results == "all":
        texts["junit"] = get_reporter("junit").render(report, results)
    return {k: "\n".join(line for line in v.splitlines() if "timestamp" not in line) for k, v in texts.items()}


@pytest.mark.parametrize("layout", ["ranges", "per-source"])
@pytest.mark.parametrize("results", ["failures", "all"])
def test_chunks_give_the_results_of_the_whole_archive(archives, layout, results):
    path = archives / layout
    whole = validate_paths(path, history=ROOT / "fixtures", **KEPT[results])
    chunk = sum(f.stat().st_size for f in discover([path])) // 6  # a few sessions per chunk
    chunks = plan_chunks(discover([path]), chunk)
    assert len(chunks) >= 5
    chunked = validate_paths(path, history=ROOT / "fixtures", chunk_bytes=chunk, **KEPT[results])
    assert chunked.raw_rows is not None  # it did run in chunks
    assert _outputs(chunked, results) == _outputs(whole, results)
    assert chunked.status_counts() == whole.status_counts() and chunked.exit_code() == whole.exit_code() == 1


def test_the_record_of_earlier_chunks_is_carried(archives, tmp_path):
    """H001 compares each session with the one before; at each chunk's first session that one was in
    the chunk before, gone but for the carried record. A change misreported there is still caught."""
    import pandas as pd

    files = discover([archives / "ranges"])
    for f in files:
        (tmp_path / f.name).write_bytes(f.read_bytes())
    second = pd.read_csv(tmp_path / files[1].name, dtype=str, keep_default_na=False)
    second.loc[0, "change"] = f"{float(second.loc[0, 'change']) + 25:+.2f}"  # the first row of the second file
    second.to_csv(tmp_path / files[1].name, index=False)
    chunk = max(f.stat().st_size for f in files) + 1  # a file per chunk
    chunks = plan_chunks(discover([tmp_path]), chunk)
    firsts = [sorted(f.stem for f in files)[0] for files in chunks[1:]]
    report = validate_paths(tmp_path, select=["H001"], chunk_bytes=chunk)
    whole = validate_paths(tmp_path, select=["H001"])
    assert report.raw_rows is not None and len(chunks) == len(files)
    dates = report.table["date"].astype(str).to_numpy()[report.results["idx"].to_numpy()]
    at_cut = report.results[np.isin(dates, firsts)]
    assert (at_cut["status"] == "pass").sum() > 100  # compared with the previous chunk's sessions
    failed = at_cut[at_cut["status"] == "fail"]
    assert len(failed) == 1 and report.table["_row"].iat[int(failed["idx"].iat[0])] == 2
    assert report.results[["idx", "code", "status", "message"]].equals(whole.results[["idx", "code", "status", "message"]])


def test_plan_keeps_a_session_folder_whole_and_cuts_a_big_folder_between_files(tmp_path):
    for day in ("2026-01-05", "2026-01-06", "2026-01-07"):
        for source in ("a", "b", "c"):
            (tmp_path / "per-session" / day).mkdir(parents=True, exist_ok=True)
            (tmp_path / "per-session" / day / f"{source}.csv").write_text("x" * 100)
    chunks = plan_chunks(discover([tmp_path / "per-session"]), 450)
    assert [[f"{p.parent.name}/{p.name}" for p in c] for c in chunks] == [
        ["2026-01-05/a.csv", "2026-01-05/b.csv", "2026-01-05/c.csv"],
        ["2026-01-06/a.csv", "2026-01-06/b.csv", "2026-01-06/c.csv"],
        ["2026-01-07/a.csv", "2026-01-07/b.csv", "2026-01-07/c.csv"]]
    chunks = plan_chunks(discover([tmp_path / "per-session"]), 250)  # a session folder bigger than a chunk
    assert [len(c) for c in chunks] == [2, 2, 2, 2, 1]
    assert plan_chunks(discover([tmp_path / "per-session"]), 10_000) == [discover([tmp_path / "per-session"])]


def test_a_session_cut_between_files_is_checked_in_one_chunk(archives, tmp_path):
    """Part files of equal rows (as a data export cuts them): sessions run from one file into the next,
    and so from one chunk into the next. Each chunk's last session is held back for the next chunk."""
    import pandas as pd

    rows = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in discover([archives / "ranges"])],
                     ignore_index=True)
    parts = np.array_split(np.arange(len(rows)), 12)
    for k, part in enumerate(parts):
        rows.iloc[part].to_csv(tmp_path / f"part-{k:05d}.csv", index=False)
    assert all(rows["date"].iat[a[-1]] == rows["date"].iat[b[0]] for a, b in zip(parts, parts[1:]))  # every cut
    chunk = sum(f.stat().st_size for f in discover([tmp_path])) // 6
    assert len(plan_chunks(discover([tmp_path]), chunk)) >= 6
    kept = {"detail": ("fail", "error"), "brief": ("skip",)}
    chunked = validate_paths(tmp_path, history=ROOT / "fixtures", chunk_bytes=chunk, **kept)
    whole = validate_paths(tmp_path, history=ROOT / "fixtures", **kept)
    assert chunked.raw_rows is not None and not chunked.notes  # in chunks, no word of checking whole
    assert _outputs(chunked, "failures") == _outputs(whole, "failures")


def test_a_chunk_of_the_same_sessions_as_the_last_is_checked_again_with_it(archives, tmp_path, monkeypatch):
    """A folder of date ranges, a file per pair of sources in each: a chunk a file, so each range's
    second file holds the sessions of the chunk before. That chunk is taken back and read again with it."""
    import pandas as pd

    import wrapcheck.stream as stream

    for f in discover([archives / "ranges"]):
        rows = pd.read_csv(f, dtype=str, keep_default_na=False)
        (tmp_path / f.stem).mkdir()
        first = rows["source"].isin(["wire-0", "wire-1"])
        rows[first].to_csv(tmp_path / f.stem / "a.csv", index=False)
        rows[~first].to_csv(tmp_path / f.stem / "b.csv", index=False)
    reads = []
    monkeypatch.setattr(stream, "load", lambda paths, *a, **k: reads.append(len(paths)) or load(paths, *a, **k))
    chunk = max(f.stat().st_size for f in discover([tmp_path])) + 1  # a file per chunk
    kept = {"detail": ("fail", "error"), "brief": ("skip",)}
    chunked = validate_paths(tmp_path, history=ROOT / "fixtures", chunk_bytes=chunk, **kept)
    planned = len(plan_chunks(discover([tmp_path]), chunk))
    whole = validate_paths(tmp_path, history=ROOT / "fixtures", **kept)
    assert chunked.raw_rows is not None and not chunked.notes
    assert len(reads) == 2 * planned - planned // 2 and reads.count(2) == planned // 2  # each b.csv: a.csv again
    assert _outputs(chunked, "failures") == _outputs(whole, "failures")


@pytest.mark.parametrize("order", ["back beyond the last chunk", "reversed"])
def test_files_out_of_date_order_are_checked_whole(archives, tmp_path, order):
    """Files of date ranges named so that a chunk's sessions come before those of the chunk before the
    last one, or every chunk's before the last one's (more chunks than are merged at most)."""
    files = discover([archives / "ranges"])
    named = [files[1], files[2], files[0]] if order != "reversed" else files[::-1]
    for k, f in enumerate(named):
        (tmp_path / f"{k:02d}.csv").write_bytes(f.read_bytes())
    chunk = max(f.stat().st_size for f in files) + 1  # a file per chunk
    report = validate_paths(tmp_path, chunk_bytes=chunk, detail=("fail", "error"), brief=("skip",))
    whole = validate_paths(tmp_path, detail=("fail", "error"), brief=("skip",))
    assert report.raw_rows is None and report.notes[0].startswith("checked whole, not in chunks")
    assert report.results[["idx", "code", "status", "message"]].equals(whole.results[["idx", "code", "status", "message"]])


def test_cli_chunks_by_default_and_words_a_bad_file_in_a_later_chunk(archives, tmp_path):
    path = archives / "ranges"
    runner = CliRunner()
    chunk_mib = str(max(f.stat().st_size for f in discover([path])) * 2 / 2**20)
    outs = {}
    for option in (chunk_mib, "0"):
        result = runner.invoke(app, ["validate", str(path), "--no-reports", "--results", "failures", "--format", "json",
                                     "--chunk-mib", option])
        assert result.exit_code == 1, result.output
        outs[option] = json.loads(result.stdout)
    assert outs[chunk_mib] == outs["0"]
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in discover([path]):
        (bad / f.name).write_bytes(f.read_bytes())
    last = sorted(bad.iterdir())[-1]
    last.write_bytes(last.read_bytes() + b'2099-01-01,"unclosed\n')
    result = runner.invoke(app, ["validate", str(bad), "--no-reports", "--chunk-mib", chunk_mib])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and last.name in result.stderr


def test_html_reports_check_the_archive_whole(archives, tmp_path, monkeypatch):
    """The HTML charts read every column of a source's rows, which a chunked report does not keep."""
    import wrapcheck.engine as engine

    seen = []
    original = engine.validate_paths
    monkeypatch.setattr(engine, "validate_paths", lambda *a, **k: seen.append(k["chunk_bytes"]) or original(*a, **k))
    CliRunner().invoke(app, ["validate", str(ROOT / "fixtures" / "2026-01-06.csv"), "--reports", str(tmp_path), "--html"])
    CliRunner().invoke(app, ["validate", str(ROOT / "fixtures" / "2026-01-06.csv"), "--reports", str(tmp_path)])
    assert seen == [None, 16 * 2**20]


def test_growing_columns_keep_every_value_and_widen_their_codes():
    from wrapcheck.stream import _Growing, _Labels
    import pandas as pd

    grown = _Growing(np.int32)
    pieces = [np.arange(n, dtype=np.int32) for n in (0, 5, 3_000_000, 7)]
    for piece in pieces:
        grown.extend(piece)
    assert np.array_equal(grown.array(), np.concatenate(pieces)) and grown.data.nbytes >= _Growing.MIN_BYTES
    labels = _Labels()
    chunks = [pd.Series(pd.Categorical([f"s{i}" for i in range(k, k + 100)] + [None])) for k in (0, 50, 150)]
    for chunk in chunks:
        labels.extend(chunk)
    merged = labels.categorical()
    assert merged.codes.dtype == np.int16  # 250 names: the int8 codes of the first chunks widened
    assert list(pd.Series(merged).astype(object).where(pd.notna(merged), None)) == \
        [v for c in chunks for v in c.astype(object).where(c.notna(), None)]


def test_json_headers_made_in_slices_equal_those_made_at_once(archives):
    from wrapcheck.reporters.columnar import _header_texts

    report = validate_paths(archives / "per-source", detail=("fail", "error"))
    whole = _header_texts(report)
    assert len(whole) > 400
    assert [h for start in range(0, len(whole), 97) for h in _header_texts(report, start, start + 97)] == whole


def test_a_folder_of_files_per_session_and_source_is_cut_between_sessions(archives, tmp_path):
    """One folder of DATE_SOURCE.csv files, bigger than a chunk: a cut between two files of a session
    would put that session in two chunks (and the archive would be checked whole)."""
    for f in discover([archives / "per-source"]):
        (tmp_path / f"{f.parent.name}_{f.stem}.csv").write_bytes(f.read_bytes())
    files = discover([tmp_path])
    chunk = sum(f.stat().st_size for f in files) // 7
    chunks = plan_chunks(files, chunk)
    assert len(chunks) >= 5 and all(len({f.name[:10] for f in c} & {f.name[:10] for f in d}) == 0 for c, d in zip(chunks, chunks[1:]))
    chunked = validate_paths(tmp_path, chunk_bytes=chunk, detail=("fail", "error"), brief=("skip",))
    whole = validate_paths(tmp_path, detail=("fail", "error"), brief=("skip",))
    assert chunked.raw_rows is not None
    assert _outputs(chunked, "failures") == _outputs(whole, "failures")


def test_chunks_with_official_reference_files_give_the_results_of_the_whole_archive(archives, tmp_path):
    """--reference files win the consensus record where they report (O001 compares with them, H001 reads
    the record): loaded once, they reach every chunk as they reach the whole table."""
    import pandas as pd

    files = discover([archives / "ranges"])
    official = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files[::3]], ignore_index=True)
    official = official[official["source"] == "wire-0"].assign(source="krx")
    official.iloc[::7, official.columns.get_loc("close")] = "1234.56"  # the official close differs every 7th row
    official.to_csv(tmp_path / "official.csv", index=False)
    chunk = max(f.stat().st_size for f in files) + 1
    kept = {"detail": ("fail", "error"), "brief": ("skip",)}
    whole = validate_paths(archives / "ranges", reference=tmp_path / "official.csv", history=ROOT / "fixtures", **kept)
    chunked = validate_paths(archives / "ranges", reference=tmp_path / "official.csv", history=ROOT / "fixtures",
                             chunk_bytes=chunk, **kept)
    failing = whole.results.loc[whole.results["status"] == "fail", "code"].astype(str)
    assert chunked.raw_rows is not None and (failing == "O001").sum() > 10 and (failing == "H001").sum() > 10
    assert _outputs(chunked, "failures") == _outputs(whole, "failures")
