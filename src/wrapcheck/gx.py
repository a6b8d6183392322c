"""Great Expectations interop: the rulebook as a GX 1.x ExpectationSuite, and a GX engine.

GX checks one column (or a set of columns) at a time and has no tolerance on sums across columns, so
wrapcheck prepares a *GX frame*: the loaded session table plus derived columns, one per cross-field
rule, each a residual normalized by the tolerance the written precision allows (|ratio| <= 1 passes).
Plausible ranges, sets, not-null, uniqueness and the trading calendar are native GX expectations.
Rules that read prose, history, other rows or a second dataset are listed as not expressible, with why.

great_expectations takes 2.5-3 s to import: this module imports it only inside the functions that
need it, and nothing on the default path imports this module.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wrapcheck.rules import FLOAT_GUARD, sign_of

SLACK = 1e-6  # ratios of residual to tolerance: float representation only, as rules.FLOAT_GUARD

NOT_EXPRESSIBLE = {
    "S002": "cells that cannot be read are found by wrapcheck's loader, before any frame exists for GX to check",
    "X001": "compares the same figure across other sources' rows with majority voting; GX expectations see one row at a time",
    "H001": "needs the previous trading session's consensus close from other files (history)",
    "H002": "reads record and threshold claims in prose and needs the history of closes",
    "H003": "reads streak and span claims in prose and counts sessions in history",
    "C002": "reads dates and weekdays in prose",
    "D001": "reads direction words in prose",
    "F002": "reads buying and selling words in prose",
    "B002": "reads breadth wording in prose",
    "O001": "compares with a second dataset (the official reference)",
    "T001": "needs the KRX tick table by date and price band for both the close and the implied prior close",
    "X002": "reads the figures a row's sentences quote, with wrapcheck's extractor",
}


def gx_frame(table: pd.DataFrame, registry) -> pd.DataFrame:
    """The session table with one derived column per cross-field rule GX checks."""
    t = table
    kind = t["kind"].to_numpy(dtype=object)
    out = t[["date", "source", "instrument", "kind", "market", "close", "prior_close", "change", "change_pct",
             "individual_net", "foreign_net", "institution_net", "other_net", "advancers", "decliners", "unchanged",
             "issues_traded", "volume", "turnover"]].copy()
    out["date"] = out["date"].astype(object).where(out["date"].astype(str).str.len() == 10, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        # A001: (prior_close - (close - change)) / (sum of half-units)
        resid = t["prior_close"] - (t["close"] - t["change_level"])
        tol = t["prior_close__hw"] + t["close__hw"] + t["change_level__hw"]
        out["a001_ratio"] = (resid / (tol + FLOAT_GUARD(t["prior_close"].to_numpy()))).to_numpy()
        # A002: the reported percent against the interval of 100*c/(C-c) over the rounding of c and C
        c, hc, C, hC = t["change"], t["change__hw"], t["close"], t["close__hw"]
        corners = np.stack([100 * cc / (CC - cc) for cc in (c - hc, c + hc) for CC in (C - hC, C + hC)])
        with warnings.catch_warnings():  # rows without close or change have no corners: NaN, as intended
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanmin(corners, axis=0), np.nanmax(corners, axis=0)
        valid = ((C - hC) - (c + hc) > 0).to_numpy()
        mid, spread = (lo + hi) / 2, (hi - lo) / 2
        ratio = (t["change_pct"].to_numpy() - mid) / (t["change_pct__hw"].to_numpy() + spread + FLOAT_GUARD(mid))
        out["a002_ratio"] = np.where(np.isin(kind, ["index", "stock", "fx"]), np.where(valid, ratio, np.inf), np.nan)
        # A003: the product of the signs (0 where a figure could be zero)
        product = sign_of(t["change"].to_numpy(), t["change__hw"].to_numpy()) * sign_of(t["change_pct"].to_numpy(), t["change_pct__hw"].to_numpy())
        out["a003_sign_product"] = np.where(np.isin(kind, ["index", "stock", "fx"]) & t["change"].notna() & t["change_pct"].notna(), product, np.nan)
        # F001: the flow residual outside its band (or away from zero with other_net), over the written precision
        total = t["individual_net"] + t["foreign_net"] + t["institution_net"]
        half = t["individual_net__hw"] + t["foreign_net__hw"] + t["institution_net__hw"]
        has_other = t["other_net"].notna().to_numpy()
        total = np.where(has_other, total + t["other_net"].fillna(0), total)
        half = np.where(has_other, half + t["other_net__hw"].fillna(0), half)
        band_lo = np.where(has_other, 0.0, registry.market_values(t["market"], "flow_residual", 0))
        band_hi = np.where(has_other, 0.0, registry.market_values(t["market"], "flow_residual", 1))
        excess = np.maximum(np.maximum(band_lo - total, total - band_hi), 0)
        out["f001_excess_ratio"] = np.where(kind == "index", excess / (half + FLOAT_GUARD(total)), np.nan)
        # B001: issues left after advancers + decliners + unchanged (limit: issues traded, else listed)
        limit = np.where(t["issues_traded"].notna(), t["issues_traded"], registry.market_values(t["market"], "issues_listed"))
        out["b001_margin"] = np.where(kind == "index", limit - (t["advancers"] + t["decliners"] + t["unchanged"].fillna(0)), np.nan)
        # V001: how far the average price per share (over the rounding) lies outside the band, in won
        tv, ht, v, hv = t["turnover"], t["turnover__hw"], t["volume"], t["volume__hw"]
        low = (tv - ht) * 1e9 / (v + hv)
        high = np.where(v - hv > 0, (tv + ht) * 1e9 / (v - hv), np.inf)
        vlo, vhi = registry.market_values(t["market"], "avg_price_band", 0), registry.market_values(t["market"], "avg_price_band", 1)
        out["v001_gap"] = np.where(kind == "index", np.maximum(np.maximum(vlo - high, low - vhi), 0), np.nan)
        # T002: |change_pct| beyond the daily limit of the date, less the rounding
        from wrapcheck.ticks import daily_limit

        limit_pct = daily_limit(t["date"].to_numpy(dtype=object), t["market"].to_numpy(dtype=object))
        out["t002_excess"] = np.where(kind == "stock", np.abs(t["change_pct"]) - t["change_pct__hw"] - limit_pct, np.nan)
    return out.reset_index(drop=True)


def _expectations(frame: pd.DataFrame, registry) -> list[tuple[str, Any]]:
    """(rule code, expectation) pairs; the code travels in the expectation's meta."""
    import great_expectations as gx

    E = gx.expectations
    out: list[tuple[str, Any]] = []

    def add(code: str, expectation) -> None:
        expectation.meta = {"wrapcheck_code": code}
        out.append((code, expectation))

    for column in ("date", "source", "instrument"):
        add("S001", E.ExpectColumnValuesToNotBeNull(column=column))
    add("S005", E.ExpectColumnValuesToBeInSet(column="instrument", value_set=registry.known_names()))
    add("S004", E.ExpectCompoundColumnsToBeUnique(column_list=["date", "source", "instrument"]))
    for column in ("advancers", "decliners", "unchanged", "issues_traded", "volume", "turnover"):
        add("S003", E.ExpectColumnValuesToBeBetween(column=column, min_value=0))
    for market, profile in registry.markets.items():
        for kind in ("index", "stock", "fx", "yield"):
            key = "price_range" if kind == "stock" else "level_range"
            if key not in profile:
                continue
            condition = f'market=="{market}" & kind=="{kind}"'
            lo, hi = profile[key]
            for column in ("close", "prior_close"):
                add("S003", E.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi,
                                                            row_condition=condition, condition_parser="pandas"))
            if "daily_limit_pct" in profile:
                limit = profile["daily_limit_pct"]
                add("S003", E.ExpectColumnValuesToBeBetween(column="change_pct", min_value=-limit, max_value=limit,
                                                            row_condition=condition, condition_parser="pandas"))
            if kind == "yield" and "max_change_bp" in profile:
                bp = profile["max_change_bp"]
                add("S003", E.ExpectColumnValuesToBeBetween(column="change", min_value=-bp, max_value=bp,
                                                            row_condition=condition, condition_parser="pandas"))
            if kind == "index" and "issues_listed" in profile:
                for column in ("advancers", "decliners", "unchanged", "issues_traded"):
                    add("S003", E.ExpectColumnValuesToBeBetween(column=column, max_value=profile["issues_listed"],
                                                                row_condition=condition, condition_parser="pandas"))
    from wrapcheck.calendar import load_calendar

    cal = load_calendar()
    dates = pd.to_datetime(frame["date"].dropna(), errors="coerce").dropna()
    if len(dates):
        lo, hi = max(dates.min(), pd.Timestamp(cal.first)), min(dates.max(), pd.Timestamp(cal.last))
        sessions = [str(d) for d in cal.between(np.datetime64(lo.date(), "D"), np.datetime64(hi.date(), "D"))]
        condition = f'date >= "{lo.date()}" & date <= "{hi.date()}"'
        add("C001", E.ExpectColumnValuesToBeInSet(column="date", value_set=sessions, row_condition=condition, condition_parser="pandas"))
    add("A001", E.ExpectColumnValuesToBeBetween(column="a001_ratio", min_value=-1 - SLACK, max_value=1 + SLACK))
    add("A002", E.ExpectColumnValuesToBeBetween(column="a002_ratio", min_value=-1 - SLACK, max_value=1 + SLACK))
    add("A003", E.ExpectColumnValuesToBeBetween(column="a003_sign_product", min_value=0))
    add("F001", E.ExpectColumnValuesToBeBetween(column="f001_excess_ratio", max_value=1 + SLACK))
    add("B001", E.ExpectColumnValuesToBeBetween(column="b001_margin", min_value=0))
    add("V001", E.ExpectColumnValuesToBeBetween(column="v001_gap", max_value=0))
    add("T002", E.ExpectColumnValuesToBeBetween(column="t002_excess", max_value=1e-9))
    return out


EXPRESSIBLE = ("S001", "S003", "S004", "S005", "C001", "A001", "A002", "A003", "F001", "B001", "V001", "T002")


def build_suite(frame: pd.DataFrame, registry, name: str = "wrapcheck"):
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=name)
    for _, expectation in _expectations(frame, registry):
        suite.add_expectation(expectation)
    return suite


def export(out: Path, registry, table: pd.DataFrame | None = None) -> list[Path]:
    """Write the suite, the derived columns it reads, and the rules GX cannot express."""
    from wrapcheck.engine import discover_rules

    import great_expectations as gx

    out.mkdir(parents=True, exist_ok=True)
    frame = gx_frame(table, registry) if table is not None else pd.DataFrame({"date": pd.Series([], dtype=object)})
    context = gx.get_context(mode="ephemeral")  # GX serializes suites only inside a data context
    suite = context.suites.add(build_suite(frame, registry))
    written = [out / "wrapcheck_suite.json", out / "not_expressible.json"]
    (out / "wrapcheck_suite.json").write_text(json.dumps(suite.to_json_dict(), indent=1, default=str) + "\n")
    rules = discover_rules()
    (out / "not_expressible.json").write_text(json.dumps(
        [{"code": c, "name": rules[c].name, "why": why} for c, why in NOT_EXPRESSIBLE.items() if c in rules], indent=1) + "\n")
    if table is not None:
        frame.to_csv(out / "gx_frame.csv", index=False)
        written.append(out / "gx_frame.csv")
    return written


def run_gx(ctx, rules: dict, docs: Path | None = None) -> list[tuple[str, dict[str, np.ndarray]]]:
    """Run the expressible rules through GX and map its unexpected rows back onto each rule's result
    columns (as the engine's rule_columns gives them)."""
    import great_expectations as gx

    from wrapcheck.engine import _combine, _part, _skip_messages
    from wrapcheck.model import Status

    table = ctx.table
    frame = gx_frame(table, ctx.registry)
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("wrapcheck").add_dataframe_asset("session")
    batch = asset.add_batch_definition_whole_dataframe("all rows")
    suite = context.suites.add(build_suite(frame, ctx.registry))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="wrapcheck", data=batch, suite=suite))
    result = definition.run(batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE"})
    failing: dict[str, dict[int, list[str]]] = {}
    for r in result.results:
        code = r.expectation_config.meta["wrapcheck_code"]
        column = r.expectation_config.kwargs.get("column") or ",".join(r.expectation_config.kwargs.get("column_list", []))
        for position in r.result.get("unexpected_index_list") or []:
            position = position if isinstance(position, int) else int(list(position.values())[-1]) if isinstance(position, dict) else int(position)
            failing.setdefault(code, {}).setdefault(position, []).append(f"{r.expectation_config.type} on {column}")
        if r.exception_info and r.exception_info.get("raised_exception"):
            failing.setdefault(code, {})
            failing[code]["error"] = [r.exception_info.get("exception_message", "GX raised")]
    out = []
    index = table.index.to_numpy()
    for code, rule in rules.items():
        applicable = np.ones(len(table), dtype=bool) if rule.kinds is None else table["kind"].isin(rule.kinds).to_numpy()
        lacking, skip_messages = _skip_messages(rule, table, applicable)
        ready = applicable & ~lacking
        parts = [_part(index[lacking], Status.SKIP.value, skip_messages)]
        fails = failing.get(code, {})
        if "error" in fails:
            parts.append(_part(index[ready], Status.ERROR.value, f"Great Expectations: {fails['error'][0]}"))
        else:
            bad = np.zeros(len(table), dtype=bool)
            bad[[p for p in fails if p != "error"]] = True
            messages = np.array([("Great Expectations: " + "; ".join(fails[i])) if bad[i] else "" for i in range(len(table))], dtype=object)
            part = _part(index[ready], Status.PASS.value, messages[ready])
            part["status"] = bad[ready].astype(np.int8)  # 0 pass, 1 fail
            parts.append(part)
        out.append((code, _combine(parts)))
    if docs is not None:
        build_docs(context, docs)
    return out


def build_docs(context, folder: Path) -> None:
    """GX Data Docs (note: GX's HTML loads scripts and styles from CDNs; wrapcheck's own HTML does not)."""
    folder.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(site_name="wrapcheck", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder.resolve())},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    context.build_data_docs(site_names=["wrapcheck"])
