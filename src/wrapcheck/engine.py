"""Discover the rules in checks/, run them over a loaded table, and collect one result per
(date, source, instrument, rule)."""

from __future__ import annotations

import inspect
import re
import threading
import traceback
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from wrapcheck.loader import DERIVED_COLUMNS, ROW_KEYS, LoadedTable, arrow_text, discover, load, present_text
from wrapcheck.model import Report, Status, status_numbers
from wrapcheck.registry import load_registry
from wrapcheck.resources import data_dir, load_module
from wrapcheck.rules import OUTCOME, STATUSES, Context, Rule

RULE_FILE = re.compile(r"^(?P<code>[A-Z]\d{3})_[a-z0-9_]+\.py$")
RESULT_COLUMNS = ("idx", "code", "status", "observed", "observed_text", "expected", "expected_text", "difference",
                  "tolerance", "message")


@cache
def discover_rules() -> dict[str, Rule]:
    """Every rule under checks/, by code, in code order. A file must hold exactly one Rule whose
    code matches its file name, so a newcomer finds rule A002 in checks/A002_*.py."""
    rules: dict[str, Rule] = {}
    for path in sorted(data_dir("checks").glob("*.py")):
        match = RULE_FILE.match(path.name)
        if not match:
            continue
        module = load_module(path, "checks")
        found = [
            obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
        ]
        if len(found) != 1 or found[0].code != match["code"]:
            raise RuntimeError(f"{path}: expected one Rule with code {match['code']}, found {[c.__name__ for c in found]}")
        rules[match["code"]] = found[0]()
    return dict(sorted(rules.items()))


def select_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> dict[str, Rule]:
    """Filter by code prefix, as ruff and flake8 do: --select A --ignore A003."""
    rules = discover_rules()
    chosen = {}
    for code, rule in rules.items():
        if select and not any(code.startswith(p.upper()) for p in select):
            continue
        if ignore and any(code.startswith(p.upper()) for p in ignore):
            continue
        chosen[code] = rule
    return chosen


def _present(table: pd.DataFrame, field: str) -> np.ndarray:
    if field not in table.columns:
        return np.zeros(len(table), dtype=bool)
    col = table[field]
    if col.dtype.kind == "f":
        return col.notna().to_numpy()
    if isinstance(col.dtype, pd.CategoricalDtype):  # judge the few categories, not every row
        filled = col.cat.categories.astype(str).str.strip() != ""
        codes = col.cat.codes.to_numpy()
        return np.where(codes >= 0, np.asarray(filled, dtype=bool)[np.maximum(codes, 0)] if len(filled) else False, False)
    return present_text(arrow_text(col))


def _skip_messages(rule: Rule, table: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which applicable rows lack inputs, and a message naming what each needs and lacks."""
    n = len(table)
    pattern = np.zeros(n, dtype=np.int64)
    for bit, field in enumerate(rule.requires):
        pattern |= (~_present(table, field)).astype(np.int64) << bit
    for g, group in enumerate(rule.requires_any):
        none = ~np.logical_or.reduce([_present(table, f) for f in group])
        pattern |= none.astype(np.int64) << (len(rule.requires) + g)
    lacking = rows & (pattern != 0)
    needs = [*rule.requires, *("one of " + "/".join(group) for group in rule.requires_any)]
    patterns, which = np.unique(pattern[lacking], return_inverse=True)  # a few patterns over many rows
    words = np.array([f"skipped: needs {', '.join(needs)}; missing or unreadable: "
                      + ", ".join(f for bit, f in enumerate(needs) if int(p) >> bit & 1) for p in patterns] or [""], dtype=object)
    return lacking, words[which.reshape(-1)] if len(patterns) else np.zeros(0, dtype=object)


BRIEF_COLUMNS = ("idx", "status", "message")  # what a result kept in brief keeps (a skip a report groups)
VALUE_COLUMNS = ("observed", "observed_text", "expected", "expected_text", "difference", "tolerance", "message")
_DTYPES = {"idx": np.int64, "status": np.int8, "observed": np.float64, "observed_text": object, "expected": np.float64,
           "expected_text": object, "difference": np.float64, "tolerance": np.float64, "message": object}


def _part(idx: np.ndarray, status: str, message) -> dict[str, np.ndarray]:
    """Result columns for rows ``idx`` that all get one status and no figures (skips and errors)."""
    n = len(idx)
    return {"idx": np.asarray(idx, dtype=np.int64), "status": np.full(n, STATUSES.index(status), dtype=np.int8),
            "observed": np.full(n, np.nan), "observed_text": np.full(n, None, dtype=object),
            "expected": np.full(n, np.nan), "expected_text": np.full(n, None, dtype=object),
            "difference": np.full(n, np.nan), "tolerance": np.full(n, np.nan),
            "message": np.array(np.broadcast_to(np.asarray(message, dtype=object), (n,)), dtype=object)}


def _table(code: str, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """One rule's result columns as a results table (columns of RESULT_COLUMNS)."""
    n = len(columns["idx"])
    data = {"idx": pd.Series(columns["idx"], copy=False),
            "code": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[code]),
            "status": pd.Categorical.from_codes(columns["status"], categories=STATUSES)}
    data.update({c: pd.Series(columns[c], dtype=columns[c].dtype, copy=False) for c in VALUE_COLUMNS})
    return pd.DataFrame(data, copy=False)


def _values(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """observed/expected are numbers or words: the numbers (float64) and the words (object, None if none)."""
    words = np.full(len(column), None, dtype=object)
    if column.dtype.kind in "fiub":
        return column.to_numpy(dtype=float, na_value=np.nan), words
    values = column.to_numpy(dtype=object)
    present = pd.notna(values) & (values != "")
    words[present] = values[present].astype(str)
    return np.full(len(values), np.nan), words


def _numbers(column: pd.Series) -> np.ndarray:
    if column.dtype.kind in "fiub":
        return column.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _answered(rule: Rule, out: pd.DataFrame, given: pd.Index) -> list[dict[str, np.ndarray]]:
    """A rule's answer as result columns, with an error for every row it was given but did not answer."""
    missing_cols = [c for c in OUTCOME if c not in out.columns]
    if missing_cols:
        raise TypeError(f"{rule.code}.check returned no {', '.join(missing_cols)} column")
    if not out.index.equals(given):
        if len(out.index.difference(given)):
            raise TypeError(f"{rule.code}.check answered for rows it was not given")
        if out.index.has_duplicates:
            raise TypeError(f"{rule.code}.check answered a row twice")
    status = status_numbers(out["status"])
    invalid = status < 0
    if invalid.any():  # an unknown status must not drop out of the counts
        first = out["status"].to_numpy(dtype=object)[invalid][0]
        raise TypeError(f"{rule.code}.check returned status {first!r} (one of {', '.join(STATUSES)} expected)")
    observed, observed_text = _values(out["observed"])
    expected, expected_text = _values(out["expected"])
    parts = [{"idx": out.index.to_numpy().astype(np.int64), "status": status, "observed": observed,
              "observed_text": observed_text, "expected": expected, "expected_text": expected_text,
              "difference": _numbers(out["difference"]), "tolerance": _numbers(out["tolerance"]),
              "message": out["message"].to_numpy(dtype=object)}]
    if len(out) < len(given):
        unanswered = given.difference(out.index).to_numpy()
        parts.append(_part(unanswered, Status.ERROR.value, f"{rule.code} returned no result for this row"))
    return parts


def readable_columns(rule: Rule, table: pd.DataFrame) -> list[str]:
    """The columns a rule's rows carry: the row keys (ROW_KEYS) and the fields it declares, with what the
    loader derives from them and their half-widths. Taking a rule's rows copies these, not all 43."""
    fields = [g for f in rule.fields for g in (f, *DERIVED_COLUMNS.get(f, ()))]
    wanted = [*ROW_KEYS, *(c for f in fields for c in (f, f + "__hw"))]
    return [c for c in dict.fromkeys(wanted) if c in table.columns]


def rule_columns(rule: Rule, ctx: Context) -> dict[str, np.ndarray]:
    """One rule's results over the table, as arrays (see _DTYPES), in input-row order: a skip for each
    applicable row that lacks an input, the rule's verdict on the others, an error where it crashed."""
    table = ctx.table
    applicable = np.ones(len(table), dtype=bool) if rule.kinds is None else table["kind"].isin(rule.kinds).to_numpy()
    lacking, skip_messages = _skip_messages(rule, table, applicable)
    ready = applicable & ~lacking
    parts = [_part(table.index.to_numpy()[lacking], Status.SKIP.value, skip_messages)] if lacking.any() else []
    columns = readable_columns(rule, table)
    rows = table[columns] if ready.all() else table.loc[ready, columns]  # no copy when every row is ready
    if len(rows):
        try:
            parts += _answered(rule, rule.check(rows, ctx), rows.index)
        except Exception as exc:  # a crashing rule is an error, never a pass
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(last.filename).name}:{last.lineno}"
            parts.append(_part(rows.index.to_numpy(), Status.ERROR.value, f"rule crashed: {type(exc).__name__}: {exc} ({where})"))
    return _combine(parts)


def _combine(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """One rule's result columns from its parts (skips, answers, errors), in input-row order."""
    if not parts:
        return _part(np.zeros(0, dtype=np.int64), Status.PASS.value, "")
    columns = parts[0] if len(parts) == 1 else {c: np.concatenate([p[c] for p in parts]) for c in _DTYPES}
    idx = columns["idx"]
    if len(idx) > 1 and not bool((idx[1:] >= idx[:-1]).all()):
        order = np.argsort(idx, kind="stable")
        columns = {c: v[order] for c, v in columns.items()}
    return columns


def run_rule(rule: Rule, ctx: Context) -> pd.DataFrame:
    """One rule's results as a table (columns of RESULT_COLUMNS), in input-row order."""
    return _table(rule.code, rule_columns(rule, ctx))


def _detailed(columns: dict[str, np.ndarray], detail: np.ndarray | None,
              brief: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """One rule's columns split in three: (idx and status of every row, every column of the rows whose
    status is kept in detail, idx, status and message of the rows whose status is kept in brief).
    ``detail``, ``brief``: a flag per status number (detail None: all of them; brief None: none)."""
    if detail is None:
        return columns, columns, None
    kept = detail[columns["status"]]
    if kept.all():
        return columns, columns, None
    briefed = brief[columns["status"]] if brief is not None else None
    short = {c: columns[c][briefed] for c in BRIEF_COLUMNS} if briefed is not None and briefed.any() else None
    return {"idx": columns["idx"], "status": columns["status"]}, {c: v[kept] for c, v in columns.items()}, short


def _fill(parts: list[tuple[str, dict[str, np.ndarray]]], names, position: dict[str, int]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The columns ``names`` of every part, rule after rule, in arrays allocated once, and each row's rule
    number. Each part's arrays are dropped as soon as they are copied."""
    total = sum(len(columns["idx"]) for _, columns in parts)
    if len(parts) == 1:  # one rule: its arrays are the columns
        return {c: parts[0][1][c] for c in names}, np.full(total, position[parts[0][0]], dtype=np.int16)
    out = {c: np.empty(total, dtype=_DTYPES[c]) for c in names}
    codes = np.empty(total, dtype=np.int16)
    at = 0
    for k in range(len(parts)):
        (code, columns), parts[k] = parts[k], None
        n = len(columns["idx"])
        for c, dest in out.items():
            dest[at:at + n] = columns[c]
        codes[at:at + n] = position[code]
        at += n
    return out, codes


def _assemble(parts: list[tuple[str, dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray] | None]],
              rules: dict[str, Rule]) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The results table from the per-rule (code, outcome, detail and brief columns), in rule order: rule by
    rule, each rule's rows in input order (reporters sort what they list by source and row). Returns
    (results, outcomes, briefs): outcomes (idx, code, status of every result) only when some statuses were
    not kept in detail, else None (the results hold every row); briefs (idx, code, status, message) of
    the results kept in brief, or None.

    Each column is allocated once and filled rule by rule: the peak holds the results once plus one
    rule's (a concat then a reorder held them three times: 2.3 GB more at 10^6 rows and 22 rules)."""
    categories = list(dict.fromkeys([*rules, *(code for code, *_ in parts)]))
    position = {c: i for i, c in enumerate(categories)}
    outcomes = briefs = None
    shorts = [(code, short) for code, _, _, short in parts if short is not None]
    if shorts:
        kept, codes = _fill(shorts, BRIEF_COLUMNS, position)
        briefs = pd.DataFrame({"idx": pd.Series(kept["idx"], copy=False),
                               "code": pd.Categorical.from_codes(codes, categories=categories),
                               "status": pd.Categorical.from_codes(kept["status"], categories=STATUSES),
                               "message": pd.Series(kept["message"], dtype=object, copy=False)}, copy=False)
    if any(outcome is not detail for _, outcome, detail, _ in parts):
        kept, codes = _fill([(code, outcome) for code, outcome, _, _ in parts], ("idx", "status"), position)
        outcomes = pd.DataFrame({"idx": pd.Series(kept["idx"], copy=False),
                                 "code": pd.Categorical.from_codes(codes, categories=categories),
                                 "status": pd.Categorical.from_codes(kept["status"], categories=STATUSES)}, copy=False)
    details = [(code, detail) for code, _, detail, _ in parts if len(detail["idx"])]
    parts.clear()
    out, codes = _fill(details, tuple(_DTYPES), position) if details else (_part(np.zeros(0, dtype=np.int64), Status.PASS.value, ""), np.zeros(0, dtype=np.int16))
    details.clear()
    # Series with explicit dtypes: pandas would otherwise infer its Arrow string type for the text columns (4 s).
    results = pd.DataFrame({c: pd.Series(out[c], dtype=out[c].dtype, copy=False) for c in ("idx", *VALUE_COLUMNS)}, copy=False)
    results.insert(1, "code", pd.Categorical.from_codes(codes, categories=categories))
    results.insert(2, "status", pd.Categorical.from_codes(out["status"], categories=STATUSES))
    return results, outcomes, briefs


def run(loaded: LoadedTable, rules: dict[str, Rule], fail_on: str = "error",
        history: LoadedTable | None = None, reference: LoadedTable | None = None, progress=None,
        engine: str = "local", gx_docs: Path | None = None, scheduler: str | None = None,
        detail: tuple[str, ...] | None = None, brief: tuple[str, ...] | None = None,
        earlier: tuple[pd.DataFrame, str] | None = None, whole_record: bool = False, official: bool = True) -> Report:
    """Run ``rules`` over a loaded table. ``detail``: the statuses whose results keep their figures and
    messages (None: all); the others are kept as counts only (idx, rule, status), which is all an
    archive audit listing failures needs of its millions of passes. ``brief``: statuses (outside
    ``detail``) whose results also keep their messages (Report.briefs): the skips a report groups.
    ``earlier``: (record, last date) of the sessions checked before (stream.py); ``whole_record``: the
    report's record has every field of the consensus record (for the next chunk), not only those used.
    ``official``: use the official record (schemas/reference and the fetched cache) under the user's files."""
    ctx = Context(loaded, load_registry(), history, reference, official)
    if earlier is not None:
        ctx.earlier, ctx.earlier_until = earlier
    ctx.detail = None if detail is None else tuple(Status(s).value for s in detail)
    detail_flags = None if detail is None else np.isin(STATUSES, list(ctx.detail))
    brief_flags = None
    if detail_flags is not None and brief:
        brief_flags = np.isin(STATUSES, [Status(s).value for s in brief]) & ~detail_flags
    parts: list[tuple] = []  # (code, outcome columns, detail columns, brief columns or None), as _detailed splits them
    notes = []
    local = rules
    if engine == "dask" and len(loaded.table):
        from wrapcheck.distributed import run_dask

        results = run_dask(loaded, rules, fail_on, history, reference, scheduler, official=official)
        outcomes = briefs = None
        if detail_flags is not None and not detail_flags.all():
            outcomes = results[["idx", "code", "status"]]
            numbers = status_numbers(results["status"])
            if brief_flags is not None and brief_flags[numbers].any():
                briefs = results.loc[brief_flags[numbers], ["idx", "code", "status", "message"]].reset_index(drop=True)
            results = results[detail_flags[numbers]].reset_index(drop=True)
        return Report(files=loaded.files, table=loaded.table, raw=loaded.raw, results=results, rules=rules,
                      outcomes=outcomes, briefs=briefs, fail_on=fail_on, notes=list(loaded.notes) + [f"engine dask: {loaded.table['instrument'].nunique()} instrument(s) in partitions"])
    if engine == "gx" and len(loaded.table):
        from wrapcheck.gx import EXPRESSIBLE, run_gx  # imports great_expectations: only on this path

        through_gx = {c: r for c, r in rules.items() if c in EXPRESSIBLE}
        local = {c: r for c, r in rules.items() if c not in EXPRESSIBLE}
        if progress:
            progress("checking through Great Expectations", 0, None)
        parts += [(code, *_detailed(columns, detail_flags, brief_flags)) for code, columns in run_gx(ctx, through_gx, gx_docs)]
        notes.append(f"engine gx: {', '.join(through_gx)} ran through Great Expectations; "
                     f"{', '.join(local) or 'none'} by wrapcheck (GX cannot express them: `wrapcheck export-gx`)")
    for number, rule in enumerate(local.values() if len(loaded.table) else [], start=1):
        if progress:
            progress(f"checking {rule.code}", number, len(local))
        parts.append((rule.code, *_detailed(rule_columns(rule, ctx), detail_flags, brief_flags)))  # what no output lists goes now
    order = {c: i for i, c in enumerate(rules)}
    parts = sorted((p for p in parts if len(p[1]["idx"])), key=lambda p: order.get(p[0], 0))
    results, outcomes, briefs = _assemble(parts, rules)
    return Report(
        files=loaded.files,
        table=loaded.table,
        raw=loaded.raw,
        results=results,
        outcomes=outcomes,
        briefs=briefs,
        rules=rules,
        fail_on=fail_on,
        notes=list(loaded.notes) + notes,
        record=_record(ctx) if whole_record else ctx.record if ctx.__dict__.get("_records") else None,  # computed only if a history rule ran
    )


def _record(ctx: Context) -> pd.DataFrame:
    from wrapcheck.history import RECORD_FIELDS

    return ctx.record_of(RECORD_FIELDS)


WARM_UP_BYTES = 4 * 2**20  # below this, a second thread costs a one-file run more than it saves


def warm_up(rules: dict[str, Rule], files: list[Path]) -> threading.Thread | None:
    """On a big input, start the rules' slow imports (Rule.prepare: Pandera for S003, 0.2 s) in a
    background thread, to overlap with reading the files, whose Arrow parsing leaves the interpreter
    free (10^6 rows, six rules: 2.60 -> 2.50 s; on one small file the thread made the start 40 ms slower,
    hence the threshold). A failure is left for the rule's check to meet, where it becomes an error."""
    prepared = [rule for rule in rules.values() if type(rule).prepare is not Rule.prepare]
    if not prepared:
        return None
    if not _reaches(files, WARM_UP_BYTES):
        return None

    def prepare_all() -> None:
        for rule in prepared:
            try:
                rule.prepare()
            except Exception:  # the rule's check meets the same failure and reports it
                pass

    thread = threading.Thread(target=prepare_all, name="wrapcheck-warm-up", daemon=True)
    thread.start()
    return thread


def _reaches(files: list[Path], size: int) -> bool:
    """Do ``files`` hold ``size`` bytes or more? (Stats files until they do: an archive has thousands.)"""
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # the loader words the problem
        if total >= size:
            return True
    return False


def validate_paths(paths, select=None, ignore=None, fail_on: str = "error", history=None, reference=None,
                   encoding: str | None = None, progress=None, session: str | None = None, engine: str = "local",
                   gx_docs: Path | None = None, scheduler: str | None = None, detail: tuple[str, ...] | None = None,
                   brief: tuple[str, ...] | None = None, chunk_bytes: int | None = None, official: bool = True) -> Report:
    """Load session files (or directories of them) and run the selected rules.

    ``history``: files or directories of other sessions, read as history only; ``reference``: official
    session files (rule O001 compares with them, and they are the preferred history); ``detail`` and
    ``brief``: see run; ``chunk_bytes``: check an archive bigger than this in chunks of about this many
    bytes of files (stream.py; the local engine only; the same results as whole); ``official``: check
    against the official record where the user's files give no figure (--no-official: off)."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    rules = select_rules(select, ignore)
    files = discover(paths)
    warm_up(rules, files)

    def others() -> tuple[LoadedTable | None, LoadedTable | None]:
        history_loaded = reference_loaded = None
        if history:
            seen = {f.resolve() for f in files}
            extra = [f for f in discover([history] if isinstance(history, (str, Path)) else list(history)) if f.resolve() not in seen]
            history_loaded = load(extra, encoding) if extra else None
        if reference:
            reference_loaded = load([reference] if isinstance(reference, (str, Path)) else list(reference), encoding)
        return history_loaded, reference_loaded

    notes = []
    if chunk_bytes and engine == "local" and len(files) > 1 and _reaches(files, chunk_bytes + 1):
        from wrapcheck.stream import check_in_chunks, plan_chunks  # (not imported for one file: the CI gate)

        chunks = plan_chunks(files, chunk_bytes)
        if len(chunks) > 1:
            history_loaded, reference_loaded = others()
            report = check_in_chunks(chunks, rules, fail_on, history_loaded, reference_loaded, encoding, progress,
                                     session, detail, brief, official=official)
            if report is not None:
                return report
            notes.append(f"checked whole, not in chunks of {chunk_bytes / 2**20:g} MiB: the files are not in date order")
    loaded = load(paths, encoding, progress, session, files=files)
    loaded.notes[:0] = notes
    if not notes:
        history_loaded, reference_loaded = others()
    return run(loaded, rules, fail_on=fail_on, history=history_loaded, reference=reference_loaded,
               progress=progress, engine=engine, gx_docs=gx_docs, scheduler=scheduler, detail=detail, brief=brief,
               official=official)
