"""Benchmarks: one file cold (the CI gate) and a generated archive end to end (load, rules, reports).

    make bench                      # 10^6 rows
    python bench/bench.py --rows 100000 --repeat 3

Prints a Markdown table and writes it to bench/out/results.md. Timings are wall-clock medians of
separate processes (so imports count); peak memory is the child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
BIN = Path(sys.executable).parent
SEED = ROOT / "fixtures" / "2026-01-06.csv"


def timed(cmd: list[str], repeat: int) -> tuple[float, float, int]:
    """Median wall seconds, peak RSS in MiB (largest of the runs, each process's own, read by GNU time
    where present: the children's maximum of getrusage only ever grows), and the exit code."""
    walls, peak, code = [], 0.0, 0
    gnu_time = Path("/usr/bin/time").exists()
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run((["/usr/bin/time", "-f", "%M"] if gnu_time else []) + cmd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        walls.append(time.perf_counter() - start)
        code = proc.returncode
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({code}): {proc.stderr.strip()}")
        if gnu_time:
            peak = max(peak, int(proc.stderr.strip().splitlines()[-1]) / 1024)
        else:
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return statistics.median(walls), peak, code


def size_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=1, help="runs per archive measurement")
    parser.add_argument("--cold-repeat", type=int, default=7)
    parser.add_argument("--with-all", action="store_true", help="also the `--results all` run (writes GBs of reports at 10^6 rows)")
    parser.add_argument("--cold-only", action="store_true", help="only the one-file cold runs (the CI gate's start)")
    parser.add_argument("--wrap", type=Path, help="also time this session file cold (e.g. a real wrap naming listed stocks)")
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    rows = []

    # One file, cold: the CI gate. Compared with the imports it cannot avoid; the three commands take
    # turns, so that a slow spell of a shared machine falls on all of them alike.
    validate = str(BIN / "validate")
    cold = {"floor": [sys.executable, "-c", "import pandas, pandera.pandas"],
            "one": [validate, str(SEED), "--no-reports"],
            "one_rep": [validate, str(SEED), "--reports", str(out / "seed-reports")]}
    if args.wrap:
        cold["wrap"] = [validate, str(args.wrap), "--no-reports"]
    walls: dict[str, list[float]] = {k: [] for k in cold}
    one_mem = 0.0
    for _ in range(args.cold_repeat):
        for key, cmd in cold.items():
            wall, mem, _ = timed(cmd, 1)
            walls[key].append(wall)
            if key == "one":
                one_mem = max(one_mem, mem)
    floor, one, one_rep = (statistics.median(walls[k]) for k in ("floor", "one", "one_rep"))
    rows.append(("`python -c 'import pandas, pandera.pandas'` (floor)", f"{floor:.2f} s", "", ""))
    rows.append(("`validate` seed file (24 rows), no report files", f"{one:.2f} s", f"{one / floor:.2f}x floor", f"{one_mem:.0f} MiB"))
    rows.append(("`validate` seed file, reports written", f"{one_rep:.2f} s", f"{one_rep / floor:.2f}x floor", ""))
    if args.wrap:
        wrap = statistics.median(walls["wrap"])
        rows.append((f"`validate` {args.wrap.name}, no report files", f"{wrap:.2f} s", f"{wrap / floor:.2f}x floor", ""))
    if args.cold_only:
        print("\n".join(["| what | wall | ratio / rate | peak RSS |", "|---|---|---|---|",
                         *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]]))
        return

    # The archive.
    from generate import generate, write_archive

    archive = out / f"archive-{args.rows}"
    if not archive.exists():
        start = time.perf_counter()
        write_archive(generate(args.rows), archive, args.files)
        print(f"generated {args.rows} rows in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    input_mib = size_mib(archive)
    modes = [("no report files", ["--no-reports"]),
             ("reports, `--results failures`", ["--results", "failures", "--reports", str(out / "rep-failures")])]
    if args.with_all:
        modes.append(("reports, `--results all`", ["--results", "all", "--reports", str(out / "rep-all")]))
    for label, extra in modes:
        wall, mem, code = timed([validate, str(archive), *extra], args.repeat)
        rate = args.rows / wall
        rows.append((f"`validate` archive of {args.rows:,} rows ({input_mib:.0f} MiB CSV), {label}",
                     f"{wall:.1f} s", f"{rate:,.0f} rows/s", f"{mem:.0f} MiB"))
    # The same rows as a desk keeps them: one file per session and source (tens of thousands of files).
    from generate import write_per_source

    per_source = out / f"per-source-{args.rows}"
    if not per_source.exists():
        import pandas as pd

        frame = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(archive.glob("*.csv"))], ignore_index=True)
        files = write_per_source(frame, per_source)
        print(f"wrote {files} per-source files", file=sys.stderr)
    files = sum(1 for _ in per_source.rglob("*.csv"))
    wall, mem, code = timed([validate, str(per_source), "--no-reports"], args.repeat)
    rows.append((f"`validate` the same rows as {files:,} files (one per session and source), no report files",
                 f"{wall:.1f} s", f"{args.rows / wall:,.0f} rows/s", f"{mem:.0f} MiB"))
    # And as an export cuts them: part files of equal rows, sessions running from one file into the next
    # (each chunk's last session is held back for the next one), in chunks and whole.
    from generate import write_parts

    parts = out / f"parts-{args.rows}"
    if not parts.exists():
        import pandas as pd

        frame = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(archive.glob("*.csv"))], ignore_index=True)
        write_parts(frame, parts, 47)
    for label, extra in (("in chunks (the default)", []), ("whole (`--chunk-mib 0`)", ["--chunk-mib", "0"])):
        wall, mem, code = timed([validate, str(parts), "--no-reports", *extra], args.repeat)
        rows.append((f"`validate` the same rows as 47 part files of equal rows (sessions cut between files), {label}",
                     f"{wall:.1f} s", f"{args.rows / wall:,.0f} rows/s", f"{mem:.0f} MiB"))
    report_mib = size_mib(out / "rep-all") if args.with_all and (out / "rep-all").exists() else None
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "",
        "| what | wall | ratio / rate | peak RSS |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        f"Report files for `--results all`: {report_mib:.0f} MiB." if report_mib is not None else "(`--results all` not run: `--with-all` runs it.)",
    ]
    text = "\n".join(lines)
    (out / "results.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
