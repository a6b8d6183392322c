"""Side by side on the same generated data and the same rules: wrapcheck, a naive Pandera schema with
dataframe checks (lazy=True), Great Expectations 1.x, and the floor (pandas read + numpy arithmetic).

    make compare                 # 10^6 rows
    python bench/compare.py --rows 100000

The rules compared are the numeric cross-field ones every contender can express: A002 (percent from
close and change, at the written precision), A003 (signs), F001 (flows net out within the band),
B001 (breadth within issues listed), V001 (average price band) and S003's ranges. The data are plain
numbers (no unit words), so that the contenders that cannot read "25.27 trillion won" still can run.
Each contender runs in its own process; wall time includes imports and reading the files; peak RSS
is the process's. Ratios are to the floor (time) and to the CSV size (memory).
"""

from __future__ import annotations

import argparse
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
    write_archive(frame, folder, 50)
    return folder


# -- the contenders, each run as `python bench/compare.py --run NAME --data DIR` ------------------------
def _read(folder: Path):
    import pandas as pd

    frames = [pd.read_csv(p, dtype={"date": str, "source": str, "instrument": str, "statement": str}) for p in sorted(folder.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


def _derived(df):
    """Numpy arithmetic of the six rules, with the written precision assumed from the generator (2 decimals)."""
    import numpy as np

    c, C, p = df["change"].to_numpy(float), df["close"].to_numpy(float), df["change_pct"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = 100 * c / (C - c)
    a002 = ~(np.abs(implied - p) <= 0.005 + 0.0001) & ~np.isnan(p) & ~np.isnan(c)
    a003 = (np.sign(c) * np.sign(p) < 0)
    total = df["individual_net"].to_numpy(float) + df["foreign_net"].to_numpy(float) + df["institution_net"].to_numpy(float)
    f001 = (total < -250) | (total > 40)
    b001 = (df["advancers"].to_numpy(float) + df["decliners"].to_numpy(float)) > 1000
    with np.errstate(divide="ignore", invalid="ignore"):
        avg = df["turnover"].to_numpy(float) * 1e9 / df["volume"].to_numpy(float)
    v001 = (avg < 2000) | (avg > 500000)
    s003 = (df["close"].to_numpy(float) < 0)
    return {"A002": a002, "A003": a003, "F001": f001, "B001": b001, "V001": v001, "S003": s003}


def run_floor(folder: Path) -> int:
    df = _read(folder)
    flags = _derived(df)
    return int(sum(int(v.sum()) for v in flags.values()))


def run_pandera(folder: Path) -> int:
    import pandera.pandas as pa

    df = _read(folder)

    def pd_series(values, d):
        import pandas as pd

        return pd.Series(~values, index=d.index)

    schema = pa.DataFrameSchema(
        {"close": pa.Column(float, nullable=True), "change": pa.Column(float, nullable=True),
         "change_pct": pa.Column(float, nullable=True)},
        checks=[pa.Check(lambda d, code=code: pd_series(_derived(d)[code], d), name=code) for code in CODES],
        coerce=True,
    )
    try:
        schema.validate(df, lazy=True)
        return 0
    except pa.errors.SchemaErrors as exc:
        return int(exc.failure_cases["index"].nunique())


def run_gx(folder: Path) -> int:
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
    return sum(r.result.get("unexpected_count", 0) for r in result.results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--run")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the table gives medians")
    args = parser.parse_args()
    if args.run:
        print({"floor": run_floor, "pandera": run_pandera, "gx": run_gx}[args.run](args.data))
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
        ("wrapcheck, the six rules", [validate, str(folder), "--no-reports", "--select", ",".join(CODES), "--format",
                                      f"json={written / 'compare-six.json'}", "--results", "failures"]),
        ("wrapcheck, all 22 rules", [validate, str(folder), "--no-reports", "--format", f"json={written / 'compare-all.json'}",
                                     "--results", "failures"]),
        ("naive Pandera (lazy=True)", me + ["pandera"]),
        ("Great Expectations 1.x", me + ["gx"]),
    ]
    # Each round runs every contender once, so that a slow spell of a shared machine falls on all of
    # them alike; the table gives each one's median wall and its largest peak RSS (GNU time's, per process).
    # Every contender's numpy takes ordinary pages, as wrapcheck's console scripts have it: where the kernel
    # compacts memory for transparent huge pages, the faults of whoever asks for them vary 2-3x in cost.
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"}
    walls: dict[str, list[float]] = {name: [] for name, _ in runs}
    peaks: dict[str, float] = {name: float("nan") for name, _ in runs}
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
    rows = [(name, statistics.median(walls[name]), peaks[name]) for name, _ in runs]
    floor = rows[0][1]
    lines = [f"{args.rows:,} rows, {size:.0f} MiB of CSV in {len(list(folder.glob('*.csv')))} files; medians of {args.repeat} rounds.", "",
             "| contender | wall | vs floor | peak RSS | vs CSV size |", "|---|---|---|---|---|"]
    lines += [f"| {n} | {w:.1f} s | {w / floor:.1f}x | {p:,.0f} MiB | {p / size:.1f}x |" for n, w, p in rows]
    mine = rows[1][1]
    lines += ["", "Speed of wrapcheck (the six rules) against each contender, their wall over ours (above 1: wrapcheck is faster): "
              + ", ".join(f"{n}: {w / mine:.2f}x" for n, w, _ in rows if n != rows[1][0])]
    text = "\n".join(lines)
    out = ROOT / "bench" / "out" / f"compare-{args.rows}.md"
    out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
