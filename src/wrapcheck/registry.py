"""Instruments and market profiles, read from schemas/instruments.toml and schemas/markets.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from wrapcheck.resources import data_dir

KINDS = ("index", "stock", "fx", "yield")


@dataclass(frozen=True)
class Instrument:
    name: str
    kind: str
    market: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    code: str | None = None


@dataclass(frozen=True)
class Registry:
    instruments: dict[str, Instrument]
    markets: dict[str, dict]
    _lookup: dict[str, str] = field(default_factory=dict)

    def resolve(self, name: str) -> Instrument | None:
        return self.instruments.get(self._lookup.get(normalize_name(name), ""))

    def market(self, name: str) -> dict:
        return self.markets.get(name, {})

    def market_values(self, markets: pd.Series, key: str, position: int | None = None) -> np.ndarray:
        """A market-profile setting for each row of ``markets`` (NaN where its market has none)."""
        def value(market: str) -> float:
            got = self.market(market).get(key)
            if got is None:
                return np.nan
            return float(got[position] if position is not None else got)

        from wrapcheck.rules import codes_of

        codes, distinct = codes_of(markets)  # per distinct market, then by code: no map over every row
        return np.array([value(m) for m in distinct.tolist()] + [np.nan], dtype=float)[codes]


def normalize_name(name: str) -> str:
    """Case, spacing and hyphen variants of a name map to one key ("SK hynix" = "SK Hynix")."""
    text = re.sub(r"[\u2010-\u2015\u2212_]", "-", str(name)).casefold()
    return re.sub(r"\s+", " ", text).strip()


@cache
def load_registry() -> Registry:
    folder = data_dir("schemas")
    with open(folder / "instruments.toml", "rb") as fh:
        raw = tomllib.load(fh)["instrument"]
    with open(folder / "markets.toml", "rb") as fh:
        markets = tomllib.load(fh)["market"]
    instruments: dict[str, Instrument] = {}
    lookup: dict[str, str] = {}
    for name, spec in raw.items():
        if spec["kind"] not in KINDS:
            raise ValueError(f"schemas/instruments.toml: {name}: kind must be one of {KINDS}")
        if spec["market"] not in markets:
            raise ValueError(f"schemas/instruments.toml: {name}: unknown market {spec['market']!r}")
        inst = Instrument(
            name=name,
            kind=spec["kind"],
            market=spec["market"],
            aliases=tuple(spec.get("aliases", ())),
            mentions=tuple(spec.get("mentions", ())),
            code=spec.get("code"),
        )
        instruments[name] = inst
        for alias in (name, *inst.aliases):
            key = normalize_name(alias)
            if lookup.get(key, name) != name:
                raise ValueError(f"schemas/instruments.toml: alias {alias!r} names both {lookup[key]} and {name}")
            lookup[key] = name
    return Registry(instruments, markets, lookup)
