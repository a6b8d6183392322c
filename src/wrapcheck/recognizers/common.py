"""Number shapes and direction words the recognizers share."""

from __future__ import annotations

import re

from wrapcheck.words import alternation, direction, listed

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# 6,188억원, 25조2700억원, 1조 2천억 원, 3천858억원어치 (not 4천억대: a range, not an amount)
KNUM = r"(?:(?=\d)(?:\d[\d,]*조\s*)?(?:\d[\d,]*천)?(?:\d[\d,]*)?억\s*(?:\d[\d,]*천)?\d*만?\s*원|\d[\d,]*조\s*원)(?!대)"
AMOUNT = rf"(?:{NUM})\s*(?:million|billion|trillion|bn|tn)\s*(?:Korean\s+)?won"
PCT = r"(?:percent|per cent|%)"

UP = direction(1)
DOWN = direction(-1)
UPING = direction(1, "participles")
DOWNING = direction(-1, "participles")
KO_UP = tuple(listed("direction", "up_ko"))
KO_DOWN = tuple(listed("direction", "down_ko"))

_DOWN_WORD = re.compile(rf"(?:{DOWN}|{DOWNING})", re.I)
_UP_WORD = re.compile(rf"(?:{UP}|{UPING})", re.I)


def is_down(word: str) -> bool:
    """A direction word that says the figure fell ("slid", "lower", "내린", "하락했다")."""
    word = " ".join(word.split())
    return bool(_DOWN_WORD.fullmatch(word)) or word.startswith(KO_DOWN) or word in ("-", "\u2212")


def is_up(word: str) -> bool:
    word = " ".join(word.split())
    return bool(_UP_WORD.fullmatch(word)) or word.startswith(KO_UP)


def signed(value: str, negative: bool) -> str:
    """A figure as written with the sign its words give it: ("67.96", True) -> "-67.96"."""
    return ("-" if negative else "+") + value.strip().lstrip("+-")


def verb_words() -> str:
    """The first words of every direction word: a company name ends before one ("Kia rose")."""
    firsts = {w.split()[0] for side in ("up", "down") for part in ("", "_participles") for w in listed("direction", side + part)}
    return alternation(sorted(firsts | {"closed", "ended", "finished", "traded", "was", "were", "also", "shares", "to", "at", "by", "saw", "its"}))
