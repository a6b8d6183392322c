"""Cutting an article into sentences, each with its line and column.

English is cut by syntok, which knows abbreviations ("Feb. 6", "U.S. tech stocks", "Kia Corp. added"),
Korean by kiwipiepy when it is installed (`pip install wrapcheck[korean]`): it also ends a sentence at
"올랐다.레인보우..." where the space after the period is missing, and does not cut "(-1.14%) 하락한".
Without it Korean lines go to syntok too. A line break ends a sentence (paragraphs, list items,
timeline lines) unless the text is hard-wrapped: a line that ends without a full stop and is followed
by one that begins in lower case or with a digit continues the sentence ("plunged 32.84 points, or" /
"2.3 percent, to 1,392.42"). Both segmenters are imported on the first article, never on a session
file's path.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

_AFTER_FIGURE = re.compile(r"(?<=\d)\.\s+(?=[A-Z\"])")
_GLUED = re.compile(r"(?<=[a-z0-9)])\.(?=[A-Z][a-z])")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # offset in the article text
    line: int  # 1-based
    column: int  # 1-based, in characters


def sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    for start, block in _blocks(text):
        flat = block.replace("\n", " ")  # same length: offsets stay the article's
        for begin, end in _cut(flat):
            piece = flat[begin:end]
            stripped = piece.strip()
            if stripped:
                at = start + begin + len(piece) - len(piece.lstrip())
                line = bisect_right(line_starts, at)
                out.append(Sentence(stripped, at, line, at - line_starts[line - 1] + 1))
    return out


_WRAPPED = re.compile(r"[A-Za-z0-9,%-][ \t]*\n(?=[ \t]*[a-z0-9(])")
_LONG_WRAPPED = re.compile(r"[^\n]{65,}[A-Za-z0-9,%-][ \t]*\n(?=[ \t]*[A-Z\"])")  # a full-width line cut mid-sentence


def _blocks(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each paragraph: lines, with hard-wrapped lines joined."""
    out, start = [], 0
    for m in re.finditer(r"\n", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if m.start() > start and (_WRAPPED.match(text, max(m.start() - 1, 0)) or _LONG_WRAPPED.match(text, line_start)):
            continue  # a hard-wrapped line: the sentence goes on
        out.append((start, text[start:m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return out


def _cut(line: str) -> list[tuple[int, int]]:
    if not line.strip():
        return []
    if len(_HANGUL.findall(line)) * 3 > len(line.strip()):
        korean = _kiwi()
        if korean is not None:
            return [(s.start, s.end) for s in korean.split_into_sents(line)]
    return _syntok_spans(line)


def _syntok_spans(line: str) -> list[tuple[int, int]]:
    from syntok.segmenter import analyze

    starts = {0}
    for paragraph in analyze(line):
        starts.update(sentence[0].offset for sentence in paragraph if sentence)
    starts.update(m.end() for m in _GLUED.finditer(line))  # "...693.15.Trade volume was": the space lost
    starts.update(m.end() for m in _AFTER_FIGURE.finditer(line))  # "... to 693.15. Trade volume": syntok keeps these together
    ordered = sorted(starts)
    return [(a, b) for a, b in zip(ordered, ordered[1:] + [len(line)])]


@cache
def _kiwi():
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        return None
    return Kiwi()
