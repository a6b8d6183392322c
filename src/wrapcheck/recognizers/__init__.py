"""The extractor's recognizers: one small reader per structure of a wrap's sentences.

`recognize(sentence, session, market)` runs every registered recognizer in order and merges what
they found per instrument (the first reading of a field wins). The order matters where structures
overlap: the won and yields first (their figures look like index levels), then stocks (named, then
any listed stock), then index lines, then flows, breadth and volume, which read the whole sentence.
"""

from __future__ import annotations

from wrapcheck.recognizers import breadth, flows, fx, indices, stocks, volume, yields  # noqa: F401  (registers them)
from wrapcheck.recognizers.fx import won_direction
from wrapcheck.recognizers.base import REGISTRY, Context, Found, Recognizer

__all__ = ["REGISTRY", "Context", "Found", "Recognizer", "recognize", "run_one", "won_direction"]

_ORDER = ("fx", "yields", "stocks", "indices", "flows", "breadth", "volume")


def ordered() -> list[Recognizer]:
    return sorted(REGISTRY.values(), key=lambda r: _ORDER.index(r.module))


def recognize(sentence: str, session: str | None = None, market: str = "KOSPI", won_moved: int | None = None,
              previous: str = "") -> list[Found]:
    ctx = Context(sentence, session, market, won_moved, previous)
    found = [f for r in ordered() for f in r.find(ctx)]
    return merge(found)


def run_one(name: str, sentence: str, session: str | None = None, market: str = "KOSPI", previous: str = "") -> list[Found]:
    """One recognizer alone on a sentence (its labelled cases are checked this way)."""
    return merge(list(REGISTRY[name].find(Context(sentence, session, market, previous=previous))))


def merge(found: list[Found]) -> list[Found]:
    merged: dict[str, Found] = {}
    for f in found:
        if f.instrument in merged:
            for k, v in f.fields.items():
                merged[f.instrument].fields.setdefault(k, v)
        else:
            merged[f.instrument] = Found(f.instrument, dict(f.fields), f.sentence, f.span)
    return list(merged.values())
