"""Extracting claims from wrap prose (issue 6): accuracy on the labelled set, the seed, and the
one-step `validate ARTICLE`."""

import csv
import json
import tomllib
import io
import subprocess
import sys
from pathlib import Path


from conftest import SEED, read_rows
from wrapcheck.engine import validate_paths
from wrapcheck.extract import despell, extract_file, extract_text

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = Path(__file__).parent / "data" / "articles"
sys.path.insert(0, str(ROOT / "bench"))


def test_accuracy_on_the_labelled_set():
    from extract_accuracy import evaluate

    per_article, precision, recall = evaluate()
    assert len(per_article) >= 20
    print(f"extraction: precision {precision:.1%}, recall {recall:.1%} over {len(per_article)} wraps")
    assert precision >= 0.98 and recall >= 0.95  # the goals


def test_seed_summary_gives_the_fixture_figures():
    extraction = extract_file(ARTICLES / "seed-summary.txt", source="summary")
    got = {(r["source"], r["instrument"]): r for r in extraction.rows}
    assert extraction.session == "2026-01-06"
    assert {s for s, _ in got} == {"summary"}  # the cited wire copies are not the summary's figures
    assert [c.sources for c in extraction.citations][:2] == [("yonhap-1", "yonhap-2")] * 2
    from wrapcheck.registry import load_registry

    for row in read_rows(SEED):
        if row["source"] != "summary":
            continue
        extracted = got[(row["source"], load_registry().resolve(row["instrument"]).name)]
        for field in ("close", "change", "change_pct", "advancers", "decliners", "individual_net", "foreign_net"):
            if row[field]:
                assert extracted[field].replace("+", "").removesuffix("%") == row[field].replace("+", "").removesuffix("%"), (row["source"], row["instrument"], field)


def test_one_typo_in_an_aggregator_fails_the_aggregator_only(tmp_path):
    """Issue 18: a wrong figure the summary states with [1][2] is the summary's slip, not the wire copies'."""
    text = (ARTICLES / "seed-summary.txt").read_text(encoding="utf-8").replace("up 67.96 points", "up 76.96 points", 1)
    draft = tmp_path / "summary.txt"
    draft.write_text(text, encoding="utf-8")
    report = validate_paths(draft)
    res = report.results.join(report.table[["source", "instrument"]], on="idx")
    failed = res[res["status"] == "fail"]
    assert set(failed["source"].astype(str)) == {"summary"}
    assert {"A002", "H001"} <= set(failed["code"]) and report.exit_code() == 1  # the percent and the official record


def test_timeline_lines_about_other_days_are_not_the_session():
    extraction = extract_text("Jan 5, 2026 - The KOSPI closes at 4,457.52.\nJan 6, 2026 - The KOSPI closes at a record 4,525.48.",
                              source="t")
    (row,) = extraction.rows
    assert row["close"] == "4,525.48"


def test_spelled_out_numbers_are_read_with_their_precision():
    assert despell("gained 135-point-26 points, or two-point-73 percent, to close at five-thousand-84-point-85") == \
        "gained 135.26 points, or 2.73 percent, to close at 5,084.85"


def test_korean_wrap():
    text = "코스피는 전 거래일보다 67.96포인트(1.52%) 오른 4,525.48에 장을 마쳤다. 외국인은 6천188억원을 순매도했다. 원/달러 환율은 1.7원 오른 1,445.5원에 마감했다."
    rows = {r["instrument"]: r for r in extract_text(text, "2026-01-06", "yna").rows}
    assert rows["KOSPI"]["close"] == "4,525.48" and rows["KOSPI"]["change"] == "+67.96" and rows["KOSPI"]["change_pct"] == "+1.52%"
    assert rows["KOSPI"]["foreign_net"] == "-6천188억원"
    assert rows["USD/KRW"]["close"] == "1,445.5" and rows["USD/KRW"]["change"] == "+1.7"


def test_unplaced_figures_are_listed_not_dropped():
    extraction = extract_text("The KOSPI rose 10.00 points, or 0.40 percent, to 2,510.00. Zzyzx Robotics rose 3.1 percent.", "2026-01-06", "t")
    assert any("Zzyzx" in u.sentence for u in extraction.unextracted)


def test_any_listed_stock_is_extracted_by_its_names():
    """Issue 17 with 18: a stock the listing knows is read in English and Korean wire styles."""
    text = ("The KOSPI rose 10.00 points, or 0.40 percent, to 2,510.00. Kia rose 3.13 percent, while LG Chem lost 1.2 percent "
            "and Naver shares advanced 0.66 percent to 228,000 won. Carmaker Hyundai Motor (+2.1%) gained.\n"
            "셀트리온은 전 거래일 대비 4.18% 올랐다. 고려아연(-3.0%)은 하락했다. 삼성전자는 1.2% 내린 7만2700원에 마감했다.")
    got = {r["instrument"]: (r.get("change_pct"), r.get("close")) for r in extract_text(text, "2026-01-06", "t").rows}
    assert got["Kia"] == ("+3.13%", None) and got["LG Chem"] == ("-1.2%", None)
    assert got["Naver"] == ("+0.66%", "228,000") and got["Hyundai Motor"] == ("+2.1%", None)
    assert got["Celltrion"] == ("+4.18%", None) and got["Korea Zinc"] == ("-3.0%", None)
    assert got["Samsung Electronics"] == ("-1.2%", "7만2700")


def test_validate_an_article_reports_the_sentence(tmp_path):
    text = (ROOT.parent / "shared" / "seed" / "2026-01-06-kospi-summary.txt")
    article = tmp_path / "draft.txt"
    source = text.read_text(encoding="utf-8") if text.exists() else (ARTICLES / "seed-summary.txt").read_text(encoding="utf-8")
    article.write_text(source.replace("up 67.96 points (1.52%)", "up 67.96 points (1.62%)"), encoding="utf-8")
    report = validate_paths(article, select=["A002"])
    document = report.to_dict()
    fails = [r for s in document["sources"] for r in s["results"] if r["status"] == "fail"]
    assert {r["source"] for r in fails} == {"draft"}  # the summary's slip, not the wire copies it cites
    assert all("1.62" in r["cells"]["change_pct"] for r in fails)
    statements = report.table.set_index("source").loc[["draft"], "statement"]
    assert statements.str.contains("(1.62%)", regex=False).any()  # the sentence travels with the figure


def test_joongang_typo_is_caught_by_v001(tmp_path):
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(ARTICLES / "joongang-2026-01-28.md"),
                          "--date", "2026-01-28", "--no-reports", "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 1
    import json

    fails = [r["code"] for s in json.loads(out.stdout)["sources"] for r in s["results"] if r["status"] == "fail"]
    assert fails == ["V001"]  # "578.1 shares worth 29.6 trillion won": the volume lost its "million"


def test_extract_command_writes_csv_and_lists_unextracted():
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "extract", str(ARTICLES / "ajp-2026-01-06.txt"), "--date", "2026-01-06"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["instrument"] for r in rows} >= {"KOSDAQ", "USD/KRW", "Samsung Electronics"}
    assert "not extracted" in out.stderr and "Celltrion" in out.stderr


def test_article_without_a_date_needs_one(tmp_path):
    article = tmp_path / "x.txt"
    article.write_text("The KOSPI rose 10.00 points, or 0.40 percent, to 2,510.00.", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(article)], capture_output=True, text=True)
    assert out.returncode == 2 and "--date" in out.stderr


def _seed_article() -> str:
    text = ROOT.parent / "shared" / "seed" / "2026-01-06-kospi-summary.txt"
    return text.read_text(encoding="utf-8") if text.exists() else (ARTICLES / "seed-summary.txt").read_text(encoding="utf-8")


def test_the_seed_article_itself_fails_c002_on_its_timeline(tmp_path):
    """Issue 18: the dated line "Jan 4-5, 2026 - ... across two sessions" reaches C002 from the text, on
    the summary alone (its dates are the aggregator's own, whatever the line cites)."""
    article = tmp_path / "summary.txt"
    article.write_text(_seed_article(), encoding="utf-8")
    report = validate_paths(article)
    res = report.results.join(report.table[["source"]], on="idx")
    fails = res[res["status"] == "fail"]
    assert sorted(zip(fails["source"], fails["code"])) == [("summary", "C002")]
    assert "Jan 4, 2026 was a Sunday" in fails["message"].iat[0]
    assert report.exit_code() == 1


def test_the_seed_article_with_a_true_timeline_passes_c002(tmp_path):
    article = tmp_path / "summary.txt"
    article.write_text(_seed_article().replace("Jan 4\u20115, 2026", "Jan 2\u20115, 2026").replace("Jan 4-5, 2026", "Jan 2-5, 2026"),
                       encoding="utf-8")
    report = validate_paths(article, select=["C002"])
    assert set(report.results["status"]) <= {"pass", "skip"}


def test_a_dated_line_about_another_session_reaches_the_claims_not_the_figures():
    extraction = extract_text("KOSPI rose 0.5 percent to 4,525.48 on Tuesday.\nJan 5, 2026 - The KOSPI closes at 4,457.52.",
                              session="2026-01-06", source="t")
    (row,) = extraction.rows
    assert row["close"] == "4,525.48" and "Jan 5, 2026 - The KOSPI closes at 4,457.52." in row["statement"]
    assert [(u.number, u.why) for u in extraction.unextracted] == [("4,457.52", "another session")]


def _articles():
    for expected in sorted(ARTICLES.glob("*.expected.csv")):
        name = expected.name.removesuffix(".expected.csv")
        text = next(p for p in sorted(ARTICLES.glob(f"{name}.*")) if p.suffix in (".txt", ".md", ".html"))
        yield text, tomllib.loads((ARTICLES / f"{name}.meta.toml").read_text(encoding="utf-8"))


def test_every_figure_of_every_labelled_article_is_accounted_for():
    """Issue 18's invariant: each number of an article that is a figure is in an extracted row or listed
    as not extracted, with its sentence and line."""
    from wrapcheck.extract import article_text, despell, unplaced_numbers
    from wrapcheck.segment import sentences

    for path, meta in _articles():
        extraction = extract_file(path, meta["date"], meta["source"])
        values = " ".join(v for r in extraction.rows for k, v in r.items() if k not in ("statement", "title", "date"))
        listed = {(u.number, u.line) for u in extraction.unextracted}
        text = article_text(path).replace("\u2011", "-").replace("\u2013", "-").replace("\u2019", "'")
        for sentence in sentences(text):
            for number, _ in unplaced_numbers(despell(sentence.text), ""):
                assert number in values or (number, sentence.line) in listed, f"{path.name}:{sentence.line}: {number!r} vanished: {sentence.text!r}"
        assert all(u.line >= 1 and u.sentence for u in extraction.unextracted)


def test_a_number_nobody_extracts_is_listed_with_its_line():
    extraction = extract_text("KOSPI rose 0.5 percent to 4,525.48.\nSamsung's market value reached 1,230 trillion won.",
                              session="2026-01-06", source="t")
    assert [(u.number, u.line) for u in extraction.unextracted] == [("1,230", 2)]
    assert "market value" in extraction.unextracted[0].sentence


def test_structures_of_real_wraps_dev_split():
    """Structures met on the dev split of tests/data/real, in our own words and figures."""
    text = ("The KOSPI closed at 2,610.00, down 12.34 points (0.47%) from the previous session.\n"
            "Zinc maker Korea Zinc, which is fighting for control, plunged 5.55 percent to 901,000 won. "
            "SK hynix closed the market down 1.25% at 180,100 won. Hyundai Motor and Kia, hit by tariffs, fell by 1.11% and 2.22%, "
            "respectively. Samsung Biologics and Celltrion decreased 1.50 percent and 0.50 percent to 1.01 million won and "
            "190,000 won, respectively. Naver (up 0.35%) gained.\n"
            "코스닥지수는 전 거래일(850.00)보다 5.00포인트(0.59%) 내린 845.00에 마감했다. 삼성전자는 전 거래일 대비 300원(0.50%) 오른 6만300원에 "
            "거래를 마쳤다. 기아·현대차는 각각 1.50%, 2.50% 하락했다. 카카오(0.44%)를 제외하고 일제히 하락했다. 씨젠(0.78%)과 펄어비스(1.20%)는 상승했다.")
    got = {r["instrument"]: r for r in extract_text(text, "2025-03-28", "t").rows}
    assert (got["KOSPI"]["close"], got["KOSPI"]["change"], got["KOSPI"]["change_pct"]) == ("2,610.00", "-12.34", "-0.47%")
    assert (got["Korea Zinc"]["change_pct"], got["Korea Zinc"]["close"]) == ("-5.55%", "901,000")
    assert (got["SK Hynix"]["change_pct"], got["SK Hynix"]["close"]) == ("-1.25%", "180,100")
    assert got["Hyundai Motor"]["change_pct"] == "-1.11%" and got["Kia"]["change_pct"] == "-2.22%"
    assert (got["Samsung Biologics"]["close"], got["Celltrion"]["close"]) == ("1.01 million", "190,000")
    assert got["Naver"]["change_pct"] == "+0.35%"
    assert (got["KOSDAQ"]["prior_close"], got["KOSDAQ"]["close"]) == ("850.00", "845.00")
    assert (got["Samsung Electronics"]["change"], got["Samsung Electronics"]["close"]) == ("+300", "6만300")
    assert got["Kakao"]["change_pct"] == "+0.44%"  # the exception to "all fell"
    assert got["Seegene"]["change_pct"] == "+0.78%"


def test_more_structures_of_real_wraps_dev_split():
    text = ("The benchmark Korea Composite Stock Price Index declined 1.10 percent, or 28.00 points, to 2,520.00.\n"
            "Individuals sold a net 400 billion won worth of stocks, exceeding institutions and foreigners' purchases valued at a combined "
            "390 billion won.\n"
            "The KOSDAQ closed up 0.50%, or 4.20 points, at 845.20.\n"
            "In the Seoul foreign exchange market, the won-dollar rate stood at 1,450.1 won as of 3:30 p.m., down 3.5 won from the previous day.\n"
            "이날 코스피는 전일 대비 10.00포인트(0.40%) 하락한 2510.00포인트로 출발했다. 코스피는 전일 대비 30.00포인트(-1.18%) 내린 2490.00에 거래를 마쳤다.")
    got = {r["instrument"]: r for r in extract_text(text, "2025-03-28", "t").rows}
    assert (got["KOSPI"]["close"], got["KOSPI"]["change_pct"]) == ("2,520.00", "-1.10%")  # the first close; the Korean open is skipped
    assert (got["KOSDAQ"]["close"], got["KOSDAQ"]["change"]) == ("845.20", "+4.20")
    assert (got["USD/KRW"]["close"], got["USD/KRW"]["change"]) == ("1,450.1", "-3.5")
    assert got["KOSPI"]["individual_net"] == "-400 billion won" and "institution_net" not in got["KOSPI"]
    korean = {r["instrument"]: r for r in extract_text(text.splitlines()[-1], "2025-03-28", "t").rows}
    assert (korean["KOSPI"]["close"], korean["KOSPI"]["change_pct"]) == ("2490.00", "-1.18%")


def test_a_folder_of_drafts_is_checked_article_by_article(tmp_path):
    """Issue 18: `validate FOLDER` of drafts, each dated by its text or a sidecar; a draft with nothing
    to check is a note, not the end of the batch."""
    for name, day in (("herald-2026-01-22.html", "2026-01-22"), ("kbs-2026-01-27.txt", "2026-01-27")):
        (tmp_path / name).write_bytes((ARTICLES / name).read_bytes())
        (tmp_path / (Path(name).stem + ".meta.toml")).write_text(f'date = "{day}"\n', encoding="utf-8")
    (tmp_path / "note-to-self.txt").write_text("Call the desk about the KOSPI story.\n", encoding="utf-8")
    report = validate_paths(tmp_path)
    assert set(report.table["source"].astype(str)) == {"herald-2026-01-22", "kbs-2026-01-27"}
    assert set(report.table["date"].astype(str)) == {"2026-01-22", "2026-01-27"}
    assert any("note-to-self.txt" in n and "not checked" in n for n in report.notes)
    out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(tmp_path), "--no-reports"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_a_folder_with_session_files_reads_those_only(tmp_path):
    (tmp_path / "2026-01-06.csv").write_bytes(SEED.read_bytes())
    (tmp_path / "README.md").write_text("Session files of the desk.\n", encoding="utf-8")
    report = validate_paths(tmp_path)
    assert {str(f) for f in report.files} == {str(tmp_path / "2026-01-06.csv")}


def test_breadth_with_an_adverb_and_in_either_order():
    for text, want in (("KOSPI rose 1 percent to 2,600.00, with winners slightly outnumbering losers 473 to 401.", ("473", "401")),
                       ("KOSPI fell 1 percent to 2,600.00, with 512 losers compared to 371 gainers.", ("371", "512"))):
        (row,) = extract_text(text, "2024-10-31", "t").rows
        assert (row["advancers"], row["decliners"]) == want


def test_volume_and_turnover_with_hedges():
    for text, want in (("KOSPI rose 1 percent to 2,600.00. Trading volume was moderate at about 462.9 million shares worth some 8.13 trillion won.",
                        ("462.9 million", "8.13 trillion won")),
                       ("KOSPI rose 1 percent to 2,600.00. Around 1.23 billion shares worth some 9.62 trillion won changed hands.",
                        ("1.23 billion", "9.62 trillion won")),
                       ("KOSPI rose 1 percent to 2,600.00. Trading volume was slightly heavy at 502.7 million shares worth 16 trillion won.",
                        ("502.7 million", "16 trillion won"))):
        (row,) = extract_text(text, "2024-10-31", "t").rows
        assert (row["volume"], row["turnover"]) == want


def test_an_articles_rows_are_located_by_their_line(tmp_path):
    """A failing check on an article points at the line its row's first figure is on (issue 18)."""
    article = tmp_path / "draft.txt"
    article.write_text(_seed_article().replace("SK Hynix jumping 4.31%", "SK Hynix jumping 34.31%"), encoding="utf-8")
    report = validate_paths(article, select=["T002"])
    res = report.results.join(report.table[["source", "instrument", "_row"]], on="idx")
    fail = res[(res["status"] == "fail") & (res["source"] == "draft")]
    assert list(fail["instrument"]) == ["SK Hynix"] and list(fail["_row"]) == [4]
    assert "34.31" in _seed_article().replace("4.31%", "34.31%").splitlines()[3]


def test_a_former_name_in_an_article_is_the_company_of_its_date():
    text = "KOSPI rose 1 percent to 2,300.00. Hyundai Heavy Industries rose 2.1 percent."
    then = {r["instrument"] for r in extract_text(text, "2017-05-02", "t").rows}
    now = {r["instrument"] for r in extract_text(text, "2026-01-06", "t").rows}
    assert "HD Korea Shipbuilding & Offshore Engineering" in then  # code 009540 until the 2019 split
    assert "HD Hyundai Heavy Industries" in now


def test_a_failing_article_check_points_at_line_and_column_in_every_format(tmp_path):
    """Issue 18: the line and column of the sentence, in github, SARIF, JSON and the console."""
    draft = tmp_path / "draft.txt"
    draft.write_text("SEOUL, Jan. 6 (Yonhap) -- Stocks rose.\nMarkets were busy. The KOSPI closed at 4,525.48, up 67.96 points (1.62%).\n",
                     encoding="utf-8")
    def run(fmt):
        out = subprocess.run([sys.executable, "-m", "wrapcheck", "validate", str(draft), "--date", "2026-01-06", "--no-reports",
                              "--select", "A002", "--format", fmt], capture_output=True, text=True)
        assert out.returncode == 1, out.stderr
        return out.stdout
    assert ",line=2,col=20," in run("github")
    region = json.loads(run("sarif"))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 20}
    (result,) = [r for s in json.loads(run("json"))["sources"] for r in s["results"] if r["status"] == "fail"]
    assert (result["rows"], result["column"]) == ([2], 20)
    assert "draft.txt:2:20" in run("console")


def test_claims_without_figures_reach_the_claim_rules(tmp_path):
    """Issue 18: the dateline and a figure-less sentence naming the weekday are checked from the text."""
    draft = tmp_path / "draft.txt"
    body = "The KOSPI closed at 4,525.48, up 67.96 points (1.52 percent).\n"
    for opening, verdict in (("SEOUL, Jan. 6 (Yonhap) -- Seoul shares rose on Tuesday, extending gains.", "pass"),
                             ("SEOUL, Jan. 6 (Yonhap) -- Seoul shares rose on Friday, extending gains.", "fail"),
                             ("SEOUL, Jan. 7 (Yonhap) -- Seoul shares rose, extending gains.", "fail")):
        draft.write_text(opening + "\n" + body, encoding="utf-8")
        report = validate_paths(draft, select=["C002"], session="2026-01-06")
        assert list(report.results["status"]) == [verdict], opening


def test_a_paragraph_keeps_its_market_unless_a_sentence_sets_another_topic():
    text = ("The Kospi shed 13.98 points, or 0.55 percent, to close at 2,520.36. The Kosdaq fell 3.68 points, or 0.53 percent, to 693.15. "
            "Trade volume was moderate at 434.77 million shares worth 8.51 trillion won.\n"
            "Foreigners sold a net 35.46 billion won. On the Kosdaq, foreigners showed net selling of 84.1 billion won. "
            "Institutions turned to net buying of 8.5 billion won late in the session.\n")
    got = {r["instrument"]: r for r in extract_text(text, "2024-11-26", "t").rows}
    assert got["KOSPI"]["volume"] == "434.77 million" and got["KOSPI"]["foreign_net"] == "-35.46 billion won"
    assert got["KOSDAQ"]["foreign_net"] == "-84.1 billion won" and got["KOSDAQ"]["institution_net"] == "+8.5 billion won"


def test_a_close_against_a_level_without_other_figures_reaches_h002(tmp_path):
    draft = tmp_path / "draft.txt"
    for claim, verdict in (("Seoul shares closed above 4,500 on tech gains.", "pass"),
                           ("Seoul shares closed above 4,600 on tech gains.", "fail"),
                           ("Seoul shares failed to close above 4,600 on tech gains.", "skip")):
        draft.write_text(claim + "\nThe KOSPI closed at 4,525.48, up 67.96 points (1.52 percent).\n", encoding="utf-8")
        report = validate_paths(draft, select=["H002"], session="2026-01-06")
        assert list(report.results["status"]) == [verdict], claim


def test_a_korean_passing_mention_of_the_kospi_keeps_the_kosdaq_paragraph():
    text = ("코스닥 지수가 5일 연속 상승했다.\n1일 코스닥 지수는 전일대비 0.62포인트, 0.21% 오른 318.20에 장을 마쳤다.\n"
            "코스피 약세에도 불구하고 개인 매수세에 힘입어 상승세를 지켰다.\n이날 외국인은 38억원 순매도로 마감했고, 기관도 78억원 팔았다.\n")
    got = {r["instrument"]: r for r in extract_text(text, "2008-12-01", "t").rows}
    assert got["KOSDAQ"]["foreign_net"] == "-38억원" and got["KOSDAQ"]["institution_net"] == "-78억원"
