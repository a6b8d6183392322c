"""The recognizer API: a recognizer reads one structure of one sentence and returns what it found.

A recognizer is a small function of a `Context` registered under a kebab name with `@recognizer`;
`wrapcheck.recognizers.recognize` runs them all, in the order their modules are listed, on a
sentence. A recognizer that reads a figure from a span of the sentence claims the span
(`Context.claim`), so that a later, looser recognizer does not read the same words again. Each
recognizer has labelled cases in tests/cases/recognizers/<module>.toml that a meta-test runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable


@dataclass
class Found:
    instrument: str
    fields: dict[str, str]
    sentence: str
    span: tuple[int, int] = (0, 0)


@dataclass
class Context:
    sentence: str
    session: str | None = None
    market: str = "KOSPI"  # the market of the last sentence that named one: flows and breadth belong to it
    won_moved: int | None = None  # +1 the article says the won weakened (the rate rose), -1 strengthened
    previous: str = ""  # the sentence before, for a pronoun's subject ("... closed at 1,390.2 won. It rose 4.4 won.")
    taken: list[tuple[int, int]] = field(default_factory=list)

    def free(self, span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in self.taken)

    def claim(self, span: tuple[int, int]) -> bool:
        """Take ``span`` if no earlier recognizer read it; False if one did."""
        if not self.free(span):
            return False
        self.taken.append(span)
        return True


@dataclass(frozen=True)
class Recognizer:
    name: str  # kebab-case, unique
    module: str  # the module (and case file) it lives in
    find: Callable[[Context], Iterable[Found]]
    doc: str


REGISTRY: dict[str, Recognizer] = {}


def recognizer(name: str):
    """Register ``find`` under ``name``; recognizers run in the order they are registered."""

    def register(find: Callable[[Context], Iterable[Found]]):
        if name in REGISTRY:
            raise ValueError(f"recognizer {name!r} is registered twice")
        module = find.__module__.rsplit(".", 1)[-1]
        REGISTRY[name] = Recognizer(name, module, find, (find.__doc__ or "").strip())
        return find

    return register
