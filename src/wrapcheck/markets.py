"""Which index a sentence speaks of: the KOSPI, the KOSDAQ, or another market ("the Nasdaq").

Shared by the extractor's recognizers and the claim readers (F002 reads an index row's flows only
where the sentence speaks of its market); light on purpose, for the path of a session file.
"""

from __future__ import annotations

import re

_KOSDAQ_WORDS = ("kosdaq", "코스닥", "secondary bourse", "secondary index", "tech-heavy")
_FOREIGN = ("dow", "nasdaq", "s&p", "nikkei", "hang seng", "shanghai", "stoxx", "taiex", "ftse", "dax")
INDEX_NAME = re.compile(r"코스피\s*200|코스닥\s*150|코스피|코스닥|(?<![a-z])(?:kospi\s*200|kosdaq\s*150|futures|kospi|kosdaq|secondary bourse|secondary index|"
                         r"tech-heavy(?!\s+nasdaq)|korea composite|dow|nasdaq|s&p|nikkei|hang seng|shanghai|stoxx|taiex|ftse|dax)(?![a-z])", re.I)


_CONTRAST = re.compile(r"\b(?:unlike|compared\s+(?:with|to)|in\s+contrast\s+(?:to|with))\s+(?:the\s+)?$", re.I)  # "Unlike the KOSPI market, ..."
_SUBJECT = re.compile(r"\s*(?:지수|시장)?\s*(?:은|는|이|가)(?![가-힣])")


def index_of(sentence: str, before: int, default: str = "KOSPI") -> str | None:
    """The index named last before ``before`` (None for a foreign one: "the Nasdaq rose 0.3 percent
    to 18,540.01"), else ``default``, the market of the sentences before."""
    found = [m for m in INDEX_NAME.finditer(sentence[:before]) if not _CONTRAST.search(sentence[max(0, m.start() - 25): m.start()])]
    # the subject wins over a name in passing: "코스피 시장은 코스닥과 반대로 ... 내린 2036.59"
    subjects = [m for m in found if _SUBJECT.match(sentence, m.end())]
    names = [m.group().lower() for m in (subjects or found)]
    if not names:
        return default
    if names[-1] in _FOREIGN or names[-1] == "futures" or re.search(r"\d", names[-1]):
        return None  # another market, a futures contract or a sub-index ("KOSPI 200 futures fell 9.75 points")
    return "KOSDAQ" if names[-1] in _KOSDAQ_WORDS else "KOSPI"
