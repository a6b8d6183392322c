"""The command line: thin over engine.validate_paths and the reporters."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from wrapcheck import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, help="wrapcheck: fact-check stock-market wraps.")


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"



class Results(StrEnum):
    ALL = "all"
    PROBLEMS = "problems"
    FAILURES = "failures"


def _codes(values: list[str] | None) -> list[str] | None:
    """--select A --select F001,F002 -> [A, F001, F002]."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


FORMATS = ("console", "json", "markdown", "junit", "github", "sarif")


def _outputs(values: list[str], debug: bool) -> list[tuple[str, Path | None]]:
    """--format junit=out.xml --format github -> [("junit", Path("out.xml")), ("github", None)]."""
    outputs = []
    for value in values:
        fmt, _, target = value.partition("=")
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            _fail(f"--format {value!r}: choose from {', '.join(FORMATS)} (optionally FORMAT=PATH)", debug)
        outputs.append((fmt, Path(target) if target else None))
    to_stdout = [f for f, t in outputs if t is None]
    if len(to_stdout) > 1:
        _fail(f"--format: only one format can go to stdout, got {', '.join(to_stdout)}; write the others to files with FORMAT=PATH", debug)
    return outputs


class _progress_bar:
    """A rich progress bar on a terminal (transient: it leaves nothing behind in the output)."""

    def __init__(self):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                 TimeElapsedColumn(), transient=True)
        self.task = self.progress.add_task("starting", total=None)
        self.progress.start()

    def update(self, stage: str, done: int, total: int | None) -> None:
        self.progress.update(self.task, description=stage, completed=done, total=total)

    def stop(self) -> None:
        self.progress.stop()


def _detail(results: str, outputs: list[tuple[str, Path | None]], reports: bool) -> tuple[str, ...] | None:
    """The statuses whose results some output lists (fail and error always; None: all of them). The others
    are kept as counts only: an archive audited with --results failures does not hold its passes' figures."""
    from wrapcheck.model import RESULT_SETS, STATUS_NAMES

    listed = set(RESULT_SETS[results] or STATUS_NAMES)
    needed = {"fail", "error"}
    if reports:  # a JSON report per source lists --results (the Markdown and HTML ones group the skips: _brief)
        needed |= listed
    for fmt, _ in outputs:
        needed |= listed if fmt == "json" else {"skip"} if fmt == "junit" else set()
    return None if needed >= set(STATUS_NAMES) else tuple(s for s in STATUS_NAMES if s in needed)


def _brief(results: str, outputs: list[tuple[str, Path | None]], reports: bool) -> tuple[str, ...] | None:
    """The statuses outside _detail whose results some output reads for their messages only: the skips
    the Markdown and HTML reports group by reason (6.7 million at 10^6 rows and 22 rules)."""
    detail = _detail(results, outputs, reports)
    grouped = reports or any(fmt == "markdown" for fmt, _ in outputs)
    return ("skip",) if grouped and detail is not None and "skip" not in detail else None


def _fail(message: str, debug: bool, exc: BaseException | None = None) -> None:
    if debug and exc is not None:
        raise exc
    typer.echo(f"wrapcheck: error: {message}", err=True)
    raise typer.Exit(2)


def validate(
    paths: Annotated[list[Path], typer.Argument(help="Session files (.csv, .tsv, .xlsx) or directories of them, or articles (.txt, .md, .html) to extract and check.", show_default=False)],
    reports: Annotated[Path, typer.Option("--reports", help="Folder for the per-source reports.")] = Path("reports"),
    history: Annotated[Optional[list[Path]], typer.Option("--history", help="Files or folders of other sessions, read as history only (repeatable).")] = None,
    reference: Annotated[Optional[list[Path]], typer.Option("--reference", help="Official session files or folders: compared with (O001) and preferred as history.")] = None,
    official: Annotated[bool, typer.Option("--official/--no-official", help="Check against the official record shipped in schemas/reference (and fetched by `wrapcheck data update`) where your files give no figure.")] = True,
    no_reports: Annotated[bool, typer.Option("--no-reports", help="Write no report files.")] = False,
    html: Annotated[bool, typer.Option("--html", help="Also write HTML reports with charts (for editors; imports matplotlib).")] = False,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Run only rules whose code starts with these (repeatable, or comma-separated).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip rules whose code starts with these.")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Lowest severity of a failing check that fails the run.")] = FailOn.ERROR,
    output_format: Annotated[Optional[list[str]], typer.Option("--format", help="console, json, markdown, junit, github or sarif; FORMAT=PATH writes it to a file (repeatable; one may go to stdout).", show_default="console")] = None,
    results: Annotated[Results, typer.Option("--results", help="Which results the JSON lists: all, problems (no passes) or failures; counts always cover all.")] = Results.ALL,
    session: Annotated[Optional[str], typer.Option("--date", help="Session date of articles that do not say it (YYYY-MM-DD).")] = None,
    encoding: Annotated[Optional[str], typer.Option("--encoding", help="Text encoding of the input (default: detected; e.g. cp949, utf-16).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local (default); gx: the rules GX can express through Great Expectations 1.x; dask: partitions by instrument on a dask.distributed cluster.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="With --engine dask: the scheduler address (default: a LocalCluster).")] = None,
    gx_docs: Annotated[Optional[Path], typer.Option("--gx-docs", help="With --engine gx: also build GX Data Docs in this folder.")] = None,
    chunk_mib: Annotated[float, typer.Option("--chunk-mib", help="Check an archive bigger than this many MiB of files in chunks of sessions of about this size, for memory bounded by the chunk (same results; not with --html or another engine); 0: whole.", min=0)] = 16,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback instead of a one-line message.")] = False,
) -> None:
    """Validate reported session figures; exit 0 if nothing fails, 1 if a check fails, 2 on bad input."""
    from wrapcheck.engine import select_rules, validate_paths
    from wrapcheck.loader import LoadError

    _settle_heap()

    select_codes, ignore_codes = _codes(select), _codes(ignore)
    outputs = _outputs(output_format or ["console"], debug)
    if engine not in ("local", "gx", "dask"):
        _fail(f"--engine {engine!r}: choose local, gx or dask", debug)
    if engine == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            _fail("--engine dask needs dask.distributed: pip install 'wrapcheck[dask]'", debug)
    if engine == "gx":
        try:
            import great_expectations  # noqa: F401  (2.5-3 s: only on this path)
        except ImportError:
            _fail("--engine gx needs Great Expectations: pip install 'wrapcheck[gx]'", debug)
    try:
        rules = select_rules(select_codes, ignore_codes)
    except Exception as exc:  # a broken rule file
        _fail(str(exc), debug, exc)
    if not rules:
        _fail(f"no rule matches --select {','.join(select_codes or [])} --ignore {','.join(ignore_codes or [])}", debug)
    interactive = sys.stdout.isatty() and any(f == "console" and t is None for f, t in outputs)
    bar = _progress_bar() if interactive else None
    try:
        report = validate_paths(paths, select_codes, ignore_codes, fail_on=fail_on.value, history=history,
                                reference=reference, encoding=encoding, progress=bar.update if bar else None,
                                session=session, engine=engine, gx_docs=gx_docs, scheduler=scheduler,
                                detail=_detail(results.value, outputs, not no_reports),
                                brief=_brief(results.value, outputs, not no_reports),
                                chunk_bytes=None if html or not chunk_mib else int(chunk_mib * 2**20), official=official)
    except LoadError as exc:
        if bar:
            bar.stop()
        _fail(str(exc), debug, exc)
    except Exception as exc:
        if bar:
            bar.stop()  # a bug of ours: still one line, and --debug shows the traceback
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", debug, exc)
    _settle_heap()
    if bar:
        bar.update("writing reports", 0, None)
    if not no_reports:
        from wrapcheck.reporters.base import write_reports

        try:
            write_reports(report, reports, results.value, html)
        except OSError as exc:
            _fail(f"{reports}: cannot write reports: {exc.strerror or exc}", debug, exc)
    if bar:
        bar.stop()
    for fmt, target in outputs:
        if fmt == "console" and target is None:
            from wrapcheck.reporters.console import ConsoleReporter

            ConsoleReporter().print(report)
            if not no_reports and len(report.all_outcomes()):
                typer.echo(f"reports written to {reports}/")
            continue
        from wrapcheck.reporters import get_reporter

        reporter = get_reporter(fmt)
        if target is None:
            if fmt == "json":
                reporter.write(report, sys.stdout, results.value)  # streamed: an archive's JSON can be large
            else:
                sys.stdout.write(reporter.render(report, results.value))
            continue
        from wrapcheck.reporters.base import write_atomic

        try:
            if fmt == "json":
                from wrapcheck.reporters.columnar import write_document

                write_atomic(target, lambda fh: write_document(report, fh, results.value))  # streamed, as to stdout
            else:
                write_atomic(target, reporter.render(report, results.value))
        except OSError as exc:
            _fail(f"{target}: cannot write: {exc.strerror or exc}", debug, exc)
    raise typer.Exit(report.exit_code())


app.command("validate")(validate)


@app.command("rules")
def list_rules() -> None:
    """List every rule: code, name, severity, kinds and what it needs."""
    from rich.console import Console
    from rich.table import Table

    from wrapcheck.engine import discover_rules

    table = Table("code", "name", "severity", "kinds", "needs", "summary")
    for code, rule in discover_rules().items():
        needs = [*rule.requires, *("/".join(g) for g in rule.requires_any)]
        table.add_row(code, rule.name, rule.severity, ",".join(rule.kinds or ("all",)), ", ".join(needs), rule.summary())
    Console(width=200).print(table)


@app.command("rule")
def show_rule(code: Annotated[str, typer.Argument(help="A rule code, e.g. A002.")]) -> None:
    """Print one rule's documentation."""
    import inspect

    from wrapcheck.engine import discover_rules

    rule = discover_rules().get(code.upper())
    if rule is None:
        _fail(f"no rule {code!r}; `wrapcheck rules` lists them", False)
    needs = [*rule.requires, *("one of " + "/".join(g) for g in rule.requires_any)]
    typer.echo(f"{rule.code} {rule.name} (severity {rule.severity}; kinds {', '.join(rule.kinds or ('all',))})")
    typer.echo(f"needs: {', '.join(needs) or 'nothing'}")
    typer.echo(f"file: checks/{Path(inspect.getfile(type(rule))).name}\n")
    typer.echo(inspect.cleandoc(type(rule).__doc__ or ""))


@app.command("extract")
def extract(
    article: Annotated[Path, typer.Argument(help="A market wrap: plain text, Markdown or HTML.")],
    session: Annotated[Optional[str], typer.Option("--date", help="Session date, when the article does not say it.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Source id for the rows (default: the file name).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the CSV here instead of stdout.")] = None,
) -> None:
    """Extract session-CSV rows from a wrap's prose (English or Korean); unplaced figures go to stderr."""
    from wrapcheck.extract import extract_file, write_csv
    from wrapcheck.numbers import clip

    try:
        extraction = extract_file(article, session, source)
    except (ValueError, OSError) as exc:
        _fail(f"{article}: {exc}", False)
    if out:
        with out.open("w", encoding="utf-8", newline="") as fh:
            write_csv(extraction, fh)
    else:
        write_csv(extraction, sys.stdout)
    for unplaced in extraction.unextracted:
        typer.echo(f"{article}:{unplaced.line}: not extracted: {unplaced.number!r} ({unplaced.why}) in {clip(unplaced.sentence, 120)}", err=True)


@app.command("export-gx")
def export_gx(
    out: Annotated[Path, typer.Option("--out", help="Folder for wrapcheck_suite.json, not_expressible.json (and gx_frame.csv).")],
    frame: Annotated[Optional[list[Path]], typer.Option("--frame", help="Session files to prepare as the GX frame (derived columns included).")] = None,
) -> None:
    """Export the rulebook as a Great Expectations 1.x ExpectationSuite, listing the rules GX cannot express."""
    try:
        import great_expectations  # noqa: F401
    except ImportError:
        _fail("export-gx needs Great Expectations: pip install 'wrapcheck[gx]'", False)
    from wrapcheck.gx import export
    from wrapcheck.loader import LoadError, load
    from wrapcheck.registry import load_registry

    table = None
    if frame:
        try:
            table = load(list(frame)).table
        except LoadError as exc:
            _fail(str(exc), False)
    for path in export(out, load_registry(), table):
        typer.echo(f"wrote {path}")


@app.command("calendar")
def calendar(
    refresh: Annotated[bool, typer.Option("--refresh", help="Regenerate schemas/calendars/XKRX.toml from exchange_calendars.")] = False,
    day: Annotated[Optional[str], typer.Argument(help="A date to look up (YYYY-MM-DD).")] = None,
) -> None:
    """Show or refresh the trading calendar (XKRX)."""
    from wrapcheck.calendar import generate, load_calendar, write_generated
    from wrapcheck.resources import data_dir

    if refresh:
        path = data_dir("schemas") / "calendars" / "XKRX.toml"
        write_generated(generate(), path)
        load_calendar.cache_clear()
        typer.echo(f"wrote {path}")
    cal = load_calendar()
    typer.echo(f"{cal.exchange}: {len(cal.sessions)} sessions from {cal.first} to {cal.last}")
    if day:
        if cal.is_session(day):
            typer.echo(f"{day} is a session; the previous one was {cal.previous(day)}")
        else:
            typer.echo(f"{day} is not a session: {cal.why_closed(day)}")


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _settle_heap() -> None:
    """Move every object alive now out of the cyclic collector's sight (gc.freeze). pandas, pyarrow and
    pandera leave some 10^5 long-lived objects after import, and each full collection of a run rescans
    them all: 30 ms of a 0.7 s validation of one file. The command's own garbage is still collected.
    Only in a console script's own process: a host process (tests, a notebook) keeps its collector."""
    if _CONSOLE_SCRIPT:
        import gc

        gc.collect()  # cheap once the imports are frozen; frozen garbage would never be freed
        gc.freeze()


def _keep_freed_memory() -> None:
    """Have the C allocator keep freed memory for reuse. glibc hands big freed blocks back to the system
    at once and maps fresh pages for the next array: an archive run allocates and frees gigabytes of numpy
    arrays, and those page faults were a third of its time (1.1-1.8 s of system time in a 3 s run of 10^6
    rows and six rules; halved with this, peak memory unchanged). glibc only; elsewhere nothing changes."""
    try:
        import ctypes  # (numpy imports it anyway)

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    mallopt(m_mmap_threshold, 32 * 2**20)  # glibc's largest: blocks below 32 MiB come from the heap
    mallopt(m_trim_threshold, 2**30)  # keep up to 1 GiB of freed heap for the next arrays
    mallopt(m_top_pad, 64 * 2**20)  # and grow it 64 MiB at a time


def _allocate_plainly() -> None:
    """Big arrays on ordinary pages from the C allocator, where the kernel's paging is cheapest:

    - numpy no longer asks for transparent huge pages (madvise). Where the kernel compacts memory to
      serve them (defrag "madvise", Debian's default and this machine's) a fault can wait on
      compaction: a 10^6-row six-rule run spent 0.8-1.5 s of system time, 0.4-0.5 s without.
    - Arrow allocates from the system allocator (glibc, which keeps freed memory: _keep_freed_memory)
      instead of its bundled mimalloc, which hands freed pages back and faults them in again: 0.5 s
      less system time and 60-80 MiB less peak on the same run.
    A user's own NUMPY_MADVISE_HUGEPAGE or ARROW_DEFAULT_MEMORY_POOL wins; both are read at import."""
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    if "numpy" in sys.modules and os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0":  # imported already: too late for the variable
        from numpy._core.multiarray import _set_madvise_hugepage

        _set_madvise_hugepage(False)


_CONSOLE_SCRIPT = False  # set by the console scripts' entry points, never in a host process


def _as_console_script() -> None:
    """This process is one of our console scripts: pandera is told hypothesis is absent (it imports it,
    0.15 s, for data synthesis the command line never does), the allocator keeps freed memory
    (_keep_freed_memory), big arrays take ordinary pages (_allocate_plainly) and the heap may be
    frozen (_settle_heap)."""
    global _CONSOLE_SCRIPT
    _CONSOLE_SCRIPT = True
    _keep_freed_memory()
    _allocate_plainly()
    if "hypothesis" not in sys.modules:
        sys.modules["hypothesis"] = None  # `import hypothesis` now raises ImportError, which pandera handles


def _exit_without_teardown(command) -> None:
    """Run a console script's command, flush what it printed, and end the process at once: tearing down
    an interpreter that imported pandas, pyarrow and pandera costs ~0.1 s (more after a big archive,
    whose gigabytes would be freed object by object), a sixth of a one-file run. Every report file is
    closed by then (written through ``with`` blocks); an unexpected exception still ends the normal way,
    with its traceback."""
    try:
        command()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if "logging" in sys.modules:  # handlers flush at exit, which os._exit skips
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the reader is gone, as it would be at a normal exit
            pass
    os._exit(code)


def full_app() -> typer.Typer:
    """The `wrapcheck` command with its `data` group (update, status), which `validate` never loads."""
    if not any(group.name == "data" for group in app.registered_groups):
        from wrapcheck.update import data_app

        app.add_typer(data_app, name="data", help="The official record: fetch newer data (update) and see what is cached (status).")
    return app


def main() -> None:
    _as_console_script()
    _exit_without_teardown(full_app())


def validate_main() -> None:
    """The `validate` console script: the validate command on its own."""
    _as_console_script()
    _exit_without_teardown(lambda: typer.run(validate))
