"""Discover the rules in checks/, run them over a loaded table, and collect one result per
(date, source, instrument, rule)."""

from __future__ import annotations

import inspect
import re
import traceback
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from wrapcheck.loader import LoadedTable, arrow_text, discover, load, present_text
from wrapcheck.model import Report, Status
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


def _frame(index: pd.Index, code: str, status: str, message) -> pd.DataFrame:
    n = len(index)
    return pd.DataFrame(
        {
            "idx": index.to_numpy(),
            "code": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[code]),
            "status": (pd.Categorical.from_codes(np.full(n, STATUSES.index(status), dtype=np.int8), categories=STATUSES)
                       if status else np.full(n, "", dtype=object)),
            "observed": np.full(n, np.nan),
            "observed_text": np.full(n, None, dtype=object),
            "expected": np.full(n, np.nan),
            "expected_text": np.full(n, None, dtype=object),
            "difference": np.full(n, np.nan),
            "tolerance": np.full(n, np.nan),
            "message": pd.Series(np.broadcast_to(np.asarray(message, dtype=object), (n,)), dtype=object) if n else pd.Series([], dtype=object),
        }
    )


def _split_values(out: pd.DataFrame) -> pd.DataFrame:
    """observed/expected are numbers or words: keep each in a typed column (numbers stay float64)."""
    for c in ("observed", "expected"):
        col = out[c]
        if col.dtype.kind in "fiub":
            out[c] = col.astype(float)
            out[c + "_text"] = np.full(len(out), None, dtype=object)
        else:
            values = col.to_numpy(dtype=object)
            present = pd.notna(values) & (values != "")
            text = np.full(len(out), None, dtype=object)
            text[present] = values[present].astype(str)
            out[c + "_text"] = text
            out[c] = np.nan
    out["difference"] = pd.to_numeric(out["difference"], errors="coerce").astype(float)
    out["tolerance"] = pd.to_numeric(out["tolerance"], errors="coerce").astype(float)
    return out


def run_rule(rule: Rule, ctx: Context) -> pd.DataFrame:
    table = ctx.table
    applicable = np.ones(len(table), dtype=bool) if rule.kinds is None else table["kind"].isin(rule.kinds).to_numpy()
    lacking, skip_messages = _skip_messages(rule, table, applicable)
    ready = applicable & ~lacking
    parts = [_frame(table.index[lacking], rule.code, Status.SKIP.value, skip_messages)] if lacking.any() else []
    rows = table if ready.all() else table.loc[ready]  # no copy when every row is ready
    if len(rows):
        try:
            out = rule.check(rows, ctx)
            missing_cols = [c for c in OUTCOME if c not in out.columns]
            if missing_cols:
                raise TypeError(f"{rule.code}.check returned no {', '.join(missing_cols)} column")
            extra = out.index.difference(rows.index)
            if len(extra):
                raise TypeError(f"{rule.code}.check answered for rows it was not given")
            out = _split_values(out.loc[:, list(OUTCOME)])
            invalid = pd.Categorical(out["status"], categories=STATUSES).codes < 0
            if invalid.any():  # an unknown status must not drop out of the counts
                first = out["status"].to_numpy(dtype=object)[invalid][0]
                raise TypeError(f"{rule.code}.check returned status {first!r} (one of {', '.join(STATUSES)} expected)")
            unanswered = rows.index.difference(out.index)
            answered = out.reset_index(names="idx")
            answered.insert(1, "code", rule.code)
            answered = answered.loc[:, list(RESULT_COLUMNS)]
            parts.append(answered)
            if len(unanswered):
                parts.append(_frame(unanswered, rule.code, Status.ERROR.value, f"{rule.code} returned no result for this row"))
        except Exception as exc:  # a crashing rule is an error, never a pass
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(last.filename).name}:{last.lineno}"
            parts.append(_frame(rows.index, rule.code, Status.ERROR.value, f"rule crashed: {type(exc).__name__}: {exc} ({where})"))
    parts = [p for p in parts if len(p)]
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True) if parts else _frame(table.index[:0], rule.code, "", "")


_DTYPES = {"idx": np.int64, "observed": np.float64, "observed_text": object, "expected": np.float64,
           "expected_text": object, "difference": np.float64, "tolerance": np.float64, "message": object}


def _assemble(frames: list[pd.DataFrame], rules: dict[str, Rule]) -> pd.DataFrame:
    """One results table from the per-rule frames (in rule order): rule by rule, each rule's rows in
    input order (reporters sort the results they list by source and row).

    Each column is allocated once and filled frame by frame, and each frame is dropped as soon as it
    is copied: the peak holds the results once plus one frame (a concat then a reorder held them
    three times: 2.3 GB more at 10^6 rows and 22 rules)."""
    categories = list(dict.fromkeys([*rules, *(str(f["code"].iat[0]) for f in frames)]))
    position = {c: i for i, c in enumerate(categories)}
    total = sum(len(f) for f in frames)
    columns = {c: np.empty(total, dtype=t) for c, t in _DTYPES.items()}
    codes = np.empty(total, dtype=np.int16)
    status = np.empty(total, dtype=np.int8)
    at = 0
    for k in range(len(frames)):
        frame, frames[k] = frames[k], None
        n = len(frame)
        idx = frame["idx"].to_numpy()
        order = None if n < 2 or bool((idx[1:] >= idx[:-1]).all()) else np.argsort(idx, kind="stable")
        where = slice(at, at + n)
        for c, dest in columns.items():
            values = frame[c].to_numpy(dtype=_DTYPES[c])
            dest[where] = values if order is None else values[order]
        codes[where] = position[str(frame["code"].iat[0])]
        numbers = pd.Categorical(frame["status"], categories=STATUSES).codes
        status[where] = numbers if order is None else numbers[order]
        at += n
    frames.clear()
    # Series with explicit dtypes: pandas would otherwise infer its Arrow string type for the text columns (4 s).
    results = pd.DataFrame({c: pd.Series(a, dtype=a.dtype, copy=False) for c, a in columns.items()}, copy=False)
    results.insert(1, "code", pd.Categorical.from_codes(codes, categories=categories))
    results.insert(2, "status", pd.Categorical.from_codes(status, categories=STATUSES))
    return results


def run(loaded: LoadedTable, rules: dict[str, Rule], fail_on: str = "error",
        history: LoadedTable | None = None, reference: LoadedTable | None = None, progress=None,
        engine: str = "local", gx_docs: Path | None = None, scheduler: str | None = None) -> Report:
    ctx = Context(loaded, load_registry(), history, reference)
    frames = []
    notes = []
    local = rules
    if engine == "dask" and len(loaded.table):
        from wrapcheck.distributed import run_dask

        results = run_dask(loaded, rules, fail_on, history, reference, scheduler)
        return Report(files=loaded.files, table=loaded.table, raw=loaded.raw, results=results, rules=rules,
                      fail_on=fail_on, notes=list(loaded.notes) + [f"engine dask: {loaded.table['instrument'].nunique()} instrument(s) in partitions"])
    if engine == "gx" and len(loaded.table):
        from wrapcheck.gx import EXPRESSIBLE, run_gx  # imports great_expectations: only on this path

        through_gx = {c: r for c, r in rules.items() if c in EXPRESSIBLE}
        local = {c: r for c, r in rules.items() if c not in EXPRESSIBLE}
        if progress:
            progress("checking through Great Expectations", 0, None)
        frames += run_gx(ctx, through_gx, gx_docs)
        notes.append(f"engine gx: {', '.join(through_gx)} ran through Great Expectations; "
                     f"{', '.join(local) or 'none'} by wrapcheck (GX cannot express them: `wrapcheck export-gx`)")
    for number, rule in enumerate(local.values() if len(loaded.table) else [], start=1):
        if progress:
            progress(f"checking {rule.code}", number, len(local))
        frames.append(run_rule(rule, ctx))
    order = {c: i for i, c in enumerate(rules)}
    frames = sorted((f for f in frames if len(f)), key=lambda f: order.get(f["code"].iat[0], 0))
    results = _assemble(frames, rules)
    return Report(
        files=loaded.files,
        table=loaded.table,
        raw=loaded.raw,
        results=results,
        rules=rules,
        fail_on=fail_on,
        notes=list(loaded.notes) + notes,
        record=ctx.record if ctx.__dict__.get("_records") else None,  # computed only if a history rule ran
    )


def validate_paths(paths, select=None, ignore=None, fail_on: str = "error", history=None, reference=None,
                   encoding: str | None = None, progress=None, session: str | None = None, engine: str = "local",
                   gx_docs: Path | None = None, scheduler: str | None = None) -> Report:
    """Load session files (or directories of them) and run the selected rules.

    ``history``: files or directories of other sessions, read as history only; ``reference``: official
    session files (rule O001 compares with them, and they are the preferred history)."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    loaded = load(paths, encoding, progress, session)
    history_loaded = None
    if history:
        seen = {Path(f).resolve() for f in loaded.files}
        extra = [f for f in discover([history] if isinstance(history, (str, Path)) else list(history)) if f.resolve() not in seen]
        history_loaded = load(extra, encoding) if extra else None
    reference_loaded = None
    if reference:
        reference_loaded = load([reference] if isinstance(reference, (str, Path)) else list(reference), encoding)
    return run(loaded, select_rules(select, ignore), fail_on=fail_on, history=history_loaded, reference=reference_loaded,
               progress=progress, engine=engine, gx_docs=gx_docs, scheduler=scheduler)
