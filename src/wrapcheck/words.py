"""The shared word lists of schemas/words.toml, and patterns built from them.

Every reader of prose (the extractor's recognizers, text.py, claims.py) takes its words from here, so
"down", "net sales" or "retail investors" means the same to all of them.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache

from wrapcheck.resources import data_dir


@cache
def words() -> dict:
    with open(data_dir("schemas") / "words.toml", "rb") as f:
        return tomllib.load(f)


def listed(section: str, name: str) -> list[str]:
    return list(words()[section][name])


def alternation(items: list[str]) -> str:
    """A regex alternation of ``items``, longest first, spaces matching any run of white space."""
    ordered = sorted(set(items), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


def whole_words(items: list[str]) -> str:
    """``items`` as a pattern that matches whole words only ("up" not in "upbeat", "sold" not in "unsold")."""
    return r"(?<![\w-])(?:" + alternation(items) + r")(?![\w-])"


@cache
def direction(sign: int, *parts: str) -> str:
    """The alternation of the direction words of ``sign`` (+1 up, -1 down) in the named lists
    (e.g. "", "participles", "nouns"); "" is the verbs."""
    side = "up" if sign > 0 else "down"
    chosen: list[str] = []
    for part in parts or ("",):
        chosen += listed("direction", f"{side}_{part}" if part else side)
    return alternation(chosen)


@cache
def investor_categories() -> dict[str, list[str]]:
    table = words()["investors"]
    return {k: list(v) for k, v in table.items() if k.endswith("_net")}


@cache
def category_of(word: str) -> str | None:
    """The flow column an investor word names ("retail investors" -> individual_net), or None."""
    key = " ".join(word.lower().split())
    for column, names in investor_categories().items():
        if key in (n.lower() for n in names):
            return column
    return None


def number_words() -> dict[str, int]:
    return dict(words()["numbers"]["cardinal"])


def ordinal_words() -> dict[str, int]:
    return dict(words()["numbers"]["ordinal"])
