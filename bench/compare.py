"""Side by side on the same generated data and the same rules: wrapcheck, a naive Pandera schema with
dataframe checks (lazy=True), Great Expectations 1.x, and the floor (pandas read + numpy arithmetic).

    make compare                 # 10^6 rows
    python bench/compare.py --rows 100000

The rules compared are the numeric cross-field ones every contender can express: A002 (percent from
close and change, at the written precision), A003 (signs), F001 (flows net out within the band),
B001 (breadth within issues listed), V001 (average price band) and S003's ranges, each with the bounds
of the row's market profile (schemas/markets.toml), as wrapcheck reads them. The data are plain
numbers (no unit words), so that the contenders that cannot read "25.27 trillion won" still can run,
with one-figure slips planted for every rule. Each contender runs in its own process; wall time
includes imports and reading the files; peak RSS is the process's. Ratios are to the floor (time) and
to the CSV size (memory). Every contender must find the same failures, rule by rule, as wrapcheck:
the harness prints them and stops with an error if they differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
CODES = ["A002", "A003", "F001", "B001", "V001", "S003"]


def plain_archive(rows: int, folder: Path) -> Path:
    import numpy as np

    from generate import generate, write_archive

    frame = generate(rows)
    for col in ("volume",):
        frame[col] = frame[col].str.replace(" million", "", regex=False)
        has = frame[col] != ""
        frame.loc[has, col] = (frame.loc[has, col].astype(float) * 1e6).round().astype(np.int64).astype(str)
    has = frame["turnover"] != ""
    frame.loc[has, "turnover"] = (frame.loc[has, "turnover"].str.replace(" trillion won", "", regex=False).astype(float) * 1000).round(0).astype(int).astype(str)
    frame["change"] = frame["change"].str.replace("bp", "", regex=False)
    # One-figure slips for the other rules too (the generator plants percent typos: A002, A003, S003), each
    # in 0.2 % of index rows: a flow's sign flipped (F001), decliners with an extra digit (B001), turnover
    # in trillions typed as billions (V001). Every rule then has failures for the contenders to agree on.
    rng = np.random.default_rng(11)
    index = frame["advancers"].ne("").to_numpy()
    for col, slip in (("institution_net", lambda v: (-v.astype(float)).map("{:+.2f}".format)),
                      ("decliners", lambda v: v + "0"),
                      ("turnover", lambda v: (v.astype(float) / 1000).map("{:.0f}".format))):
        hit = index & (rng.random(len(frame)) < 0.002)
        frame.loc[hit, col] = slip(frame.loc[hit, col])
    write_archive(frame, folder, 50)
    return folder


# -- the contenders, each run as `python bench/compare.py --run NAME --data DIR` ------------------------
def _read(folder: Path):
    import pandas as pd

    frames = [pd.read_csv(p, dtype={"date": str, "source": str, "instrument": str, "statement": str}) for p in sorted(folder.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


def _profiles(df) -> dict:
    """Each row's kind and market-profile settings, looked up per instrument name in schemas/instruments.toml
    and schemas/markets.toml: the bounds wrapcheck's rules read, so that every contender checks the same."""
    import tomllib

    import numpy as np

    instruments = tomllib.loads((ROOT / "schemas" / "instruments.toml").read_text(encoding="utf-8"))["instrument"]
    markets = tomllib.loads((ROOT / "schemas" / "markets.toml").read_text(encoding="utf-8"))["market"]
    names = df["instrument"].astype("category")
    codes = names.cat.codes.to_numpy()
    known = [instruments.get(name, {}) for name in names.cat.categories]

    def per_row(values, dtype=float):
        return np.array([*values, np.nan if dtype is float else ""], dtype=dtype)[codes]

    def setting(key, position=None, kind_key=None):
        out = []
        for inst in known:
            profile = markets.get(inst.get("market", ""), {})
            got = profile.get(kind_key if kind_key and inst.get("kind") == "stock" else key)
            out.append(np.nan if got is None else float(got[position] if position is not None else got))
        return per_row(out)

    kind = per_row([inst.get("kind", "") for inst in known], dtype=object)
    return {"kind": kind, "level_min": setting("level_range", 0, "price_range"), "level_max": setting("level_range", 1, "price_range"),
            "limit": setting("daily_limit_pct"), "max_bp": setting("max_change_bp"), "issues": setting("issues_listed"),
            "flow_lo": setting("flow_residual", 0), "flow_hi": setting("flow_residual", 1),
            "avg_lo": setting("avg_price_band", 0), "avg_hi": setting("avg_price_band", 1)}


def _derived(df, codes=CODES):
    """Numpy arithmetic of the rules ``codes`` with wrapcheck's bounds (the market profiles, per row) and the
    written precision assumed from the generator's formats (percents and flows to 2 decimals, volume and
    turnover whole numbers), which the contenders, reading floats, cannot see. A flag per row and rule."""
    import numpy as np

    def col(name):
        return df[name].to_numpy(float) if name in df.columns else np.full(len(df), np.nan)

    prof = _profiles(df) if set(codes) - {"A002", "A003"} else {}
    kind = prof.get("kind")
    index = kind == "index"
    c, C, p = col("change"), col("close"), col("change_pct")
    flags = {}
    if "A002" in codes:
        with np.errstate(divide="ignore", invalid="ignore"):
            implied = 100 * c / (C - c)
        flags["A002"] = ~(np.abs(implied - p) <= 0.005 + 0.0001) & ~np.isnan(p) & ~np.isnan(c)
    if "A003" in codes:
        flags["A003"] = np.sign(c) * np.sign(p) < 0
    if "F001" in codes:
        total = col("individual_net") + col("foreign_net") + col("institution_net")
        flags["F001"] = index & ((total < prof["flow_lo"] - 0.015 - 1e-9) | (total > prof["flow_hi"] + 0.015 + 1e-9))
    if "B001" in codes:
        flags["B001"] = index & (col("advancers") + col("decliners") + np.nan_to_num(col("unchanged")) > prof["issues"])
    if "V001" in codes:
        t, v = col("turnover"), col("volume")
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = (t - 0.5) * 1e9 / (v + 0.5), np.where(v - 0.5 > 0, (t + 0.5) * 1e9 / (v - 0.5), np.inf)
        flags["V001"] = index & ((high < prof["avg_lo"]) | (low > prof["avg_hi"]))
    if "S003" in codes:
        def outside(x, lo, hi):  # NaN bounds or figures: not outside
            return (x < lo) | (x > hi)
        bp = np.where(kind == "yield", prof["max_bp"], np.nan)
        issues = np.where(index, prof["issues"], np.nan)
        flags["S003"] = (outside(C, prof["level_min"], prof["level_max"]) | outside(col("prior_close"), prof["level_min"], prof["level_max"])
                         | outside(p, -prof["limit"], prof["limit"]) | outside(c, -bp, bp)
                         | np.logical_or.reduce([outside(col(n), 0.0, issues) | (col(n) < 0) for n in ("advancers", "decliners", "unchanged", "issues_traded")])
                         | (col("volume") < 0) | (col("turnover") < 0))
    return flags


def run_floor(folder: Path) -> dict[str, int]:
    df = _read(folder)
    return {code: int(flags.sum()) for code, flags in _derived(df).items()}


def run_pandera(folder: Path) -> dict[str, int]:
    import pandera.pandas as pa

    df = _read(folder)

    def pd_series(values, d):
        import pandas as pd

        return pd.Series(~values, index=d.index)

    schema = pa.DataFrameSchema(
        {"close": pa.Column(float, nullable=True), "change": pa.Column(float, nullable=True),
         "change_pct": pa.Column(float, nullable=True)},
        # each check works out its own rule (and looks up the bounds it needs), as one writes them one by one
        checks=[pa.Check(lambda d, code=code: pd_series(_derived(d, [code])[code], d), name=code) for code in CODES],
        coerce=True,
    )
    try:
        schema.validate(df, lazy=True)
        return dict.fromkeys(CODES, 0)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases  # a frame-wide check lists a failing row once per column: rows counted once
        counts = cases.dropna(subset=["index"]).groupby(cases["check"].astype(str))["index"].nunique()
        return {code: int(counts.get(code, 0)) for code in CODES}


def run_gx(folder: Path) -> dict[str, int]:
    import great_expectations as gx
    import numpy as np

    df = _read(folder)
    for code, flags in _derived(df).items():
        df[f"{code.lower()}_bad"] = flags.astype(np.int8)
    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
    suite = gx.ExpectationSuite(name="s")
    for code in CODES:
        suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(column=f"{code.lower()}_bad", min_value=0, max_value=0))
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="v", data=batch, suite=suite))
    result = definition.run(batch_parameters={"dataframe": df}, result_format={"result_format": "SUMMARY"})
    return {r.expectation_config.kwargs["column"].split("_")[0].upper(): int(r.result.get("unexpected_count", 0)) for r in result.results}


def wrapcheck_counts(document: Path) -> dict[str, int]:
    """Failures per rule in a wrapcheck JSON report."""
    counts = dict.fromkeys(CODES, 0)
    for source in json.loads(document.read_text(encoding="utf-8"))["sources"]:
        for result in source["results"]:
            if result["status"] == "fail" and result["code"] in counts:
                counts[result["code"]] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--run")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the table gives medians")
    parser.add_argument("--skip", action="append", default=[],
                        help="leave out contenders whose name contains this (repeatable): e.g. 'all 22' at 10^7 rows")
    args = parser.parse_args()
    if args.run:
        print(json.dumps({"floor": run_floor, "pandera": run_pandera, "gx": run_gx}[args.run](args.data)))
        return
    folder = ROOT / "bench" / "out" / f"plain-{args.rows}"
    if not folder.exists():
        plain_archive(args.rows, folder)
    size = sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20
    me = [sys.executable, __file__, "--data", str(folder), "--run"]
    validate = str(Path(sys.executable).parent / "validate")
    # wrapcheck writes its JSON document (83,000 sources) to a file, as a desk or CI job keeps it: read
    # down a pipe by this harness it cost 0.1-0.4 s more, the harness's reading rather than wrapcheck's.
    written = ROOT / "bench" / "out"
    runs = [
        ("floor: pandas read + numpy", me + ["floor"]),
        ("wrapcheck, the six rules (chunks of 16 MiB, the default)", [validate, str(folder), "--no-reports", "--select", ",".join(CODES), "--format",
                                      f"json={written / 'compare-six.json'}", "--results", "failures"]),
        ("wrapcheck, the six rules, whole (`--chunk-mib 0`)", [validate, str(folder), "--no-reports", "--select", ",".join(CODES),
                                                               "--format", f"json={written / 'compare-whole.json'}", "--results", "failures",
                                                               "--chunk-mib", "0"]),
        ("wrapcheck, all 22 rules", [validate, str(folder), "--no-reports", "--format", f"json={written / 'compare-all.json'}",
                                     "--results", "failures"]),
        ("naive Pandera (lazy=True)", me + ["pandera"]),
        ("Great Expectations 1.x", me + ["gx"]),
    ]
    runs = [run for k, run in enumerate(runs) if k < 2 or not any(word in run[0] for word in args.skip)]
    # Each round runs every contender once, so that a slow spell of a shared machine falls on all of
    # them alike; the table gives each one's median wall and its largest peak RSS (GNU time's, per process).
    # Every contender's numpy takes ordinary pages, as wrapcheck's console scripts have it: where the kernel
    # compacts memory for transparent huge pages, the faults of whoever asks for them vary 2-3x in cost.
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"}
    walls: dict[str, list[float]] = {name: [] for name, _ in runs}
    peaks: dict[str, float] = {name: float("nan") for name, _ in runs}
    found: dict[str, dict[str, int]] = {}  # failures per rule, as each contender counted them
    for _ in range(args.repeat):
        for name, cmd in runs:
            timed = ["/usr/bin/time", "-f", "%M"] + cmd if Path("/usr/bin/time").exists() else cmd
            start = time.perf_counter()
            proc = subprocess.run(timed, capture_output=True, text=True, env=env)
            walls[name].append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{name} failed: {proc.stderr[-800:]}")
            if timed is not cmd:
                peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
                peaks[name] = peak if peaks[name] != peaks[name] else max(peaks[name], peak)
            document = next((Path(a.split("=", 1)[1]) for a in cmd if a.startswith("json=")), None)
            found[name] = wrapcheck_counts(document) if document else json.loads(proc.stdout.strip().splitlines()[-1])
    rows = [(name, statistics.median(walls[name]), peaks[name]) for name, _ in runs]
    floor = rows[0][1]
    lines = [f"{args.rows:,} rows, {size:.0f} MiB of CSV in {len(list(folder.glob('*.csv')))} files; medians of {args.repeat} rounds.", "",
             f"| contender | wall | vs floor | peak RSS | vs CSV size | failures found ({', '.join(CODES)}) |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {w:.1f} s | {w / floor:.1f}x | {p:,.0f} MiB | {p / size:.1f}x | {' / '.join(f'{found[n][c]:,}' for c in CODES)} |"
              for n, w, p in rows]
    mine = rows[1][1]
    lines += ["", "Speed of wrapcheck (the six rules) against each contender, their wall over ours (above 1: wrapcheck is faster): "
              + ", ".join(f"{n}: {w / mine:.2f}x" for n, w, _ in rows if n != rows[1][0])]
    # The ratios mean something only if every contender did the same job: the same failures, rule by rule.
    reference = found[rows[1][0]]
    differ = [n for n, _, _ in rows if found[n] != reference]
    lines += ["", f"Failures found: {'the same for every contender, rule by rule' if not differ else 'DIFFERENT for ' + ', '.join(differ)}."]
    text = "\n".join(lines)
    out = ROOT / "bench" / "out" / f"compare-{args.rows}.md"
    out.write_text(text + "\n")
    print(text)
    if differ:
        raise SystemExit("the contenders disagree on the failures: the comparison does not hold")


if __name__ == "__main__":
    main()
