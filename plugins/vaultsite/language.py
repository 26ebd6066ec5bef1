"""The language a note is written in where it is not the site's Simplified Chinese: Traditional
Chinese or Japanese.  Their readers expect their own forms of the ideographs and of the
punctuation (centred "，。" in Taiwan and Hong Kong), which fonts draw by the language an element
says it is in.

Only characters decide, counted once per distinct character: an ideograph that Big5 (Traditional
Chinese's encoding) writes and GB2312 (Simplified's) does not is Traditional ("們"), the other way
round Simplified ("们"); kana among the ideographs are Japanese.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

# Kana this share of a note's kana and ideographs at least make it Japanese (a Chinese note quoting
# a Japanese title is still Chinese; Japanese prose is about half kana).
_JAPANESE_KANA = 0.2
# Characters of one script more than of the other that make a note's Chinese that script.
_EVIDENCE = 3


def note_language(text: str) -> str | None:
    """"ja", "zh-Hant", or None for the site's own language (or a note with too little to say)."""
    kana = ideographs = traditional = simplified = 0
    for char, times in Counter(text).items():
        kind = _kind(char)
        if kind == "kana":
            kana += times
        elif kind is not None:
            ideographs += times
            traditional += times * (kind == "traditional")
            simplified += times * (kind == "simplified")
    if kana >= _EVIDENCE and kana >= _JAPANESE_KANA * (kana + ideographs):
        return "ja"
    if traditional >= simplified + _EVIDENCE:
        return "zh-Hant"
    return None


@lru_cache(maxsize=None)
def _kind(char: str) -> str | None:
    if "\u3041" <= char <= "\u30ff" and char not in "\u30fb\u30fc":  # not the middle dot and long mark
        return "kana"
    if not "\u4e00" <= char <= "\u9fff":
        return None
    big5, gb2312 = writes(char, "big5"), writes(char, "gb2312")
    return "traditional" if big5 and not gb2312 else "simplified" if gb2312 and not big5 else "shared"


def writes(char: str, encoding: str) -> bool:
    """Whether ``encoding`` can write ``char``."""
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True
