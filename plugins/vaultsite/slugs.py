"""The site's one slugify: heading ids that keep Chinese *and* emoji, like Obsidian's anchors.

pymdownx.slugs keeps letters of every script but drops emoji, so `## 👉 Big Data` and `## Big Data`
would get the same id and a link copied from Obsidian could not say which one it meant. This is
pymdownx's slugify with emoji (and their joiners and skin-tone modifiers) counted as word characters.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

_SKIN_TONES = range(0x1F3FB, 0x1F400)
_JOINERS = {"\u200d", "\ufe0f"}
_SPACE = re.compile(r"\s+")


def _keep(ch: str) -> bool:
    return (ch.isalnum() or ch in "_-" or ch in _JOINERS or ord(ch) in _SKIN_TONES
            or unicodedata.category(ch) == "So")


def slugify(case: str = "lower", normalize: str = "NFC") -> Callable[[str, str], str]:
    """A Python-Markdown `toc` slugify: `slugify(case="lower")(text, separator)`."""

    def slug(text: str, sep: str) -> str:
        text = unicodedata.normalize(normalize, text)
        text = text.lower() if case == "lower" else text
        kept = "".join(ch if _keep(ch) else (" " if ch.isspace() else "") for ch in text)
        return _SPACE.sub(sep, kept.strip())

    return slug


def tag_slugify(site: Callable[[str, str], str]) -> Callable[[str, str], str]:
    """The slugify of Material's tags plugin (the ids of the page of tags): the `site`'s, with a
    tag's `+` and `#` as words (`C`, `C++` and `C#` are `c`, `c-plus-plus` and `c-sharp`), which
    a slugify drops: pymdownx's gave all three the id `tag:c`."""
    return lambda text, sep: site(text.replace("+", " plus ").replace("#", " sharp "), sep)


_CJK = ("\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")
# A word, as versions are compared and headings matched to names: a run of letters and digits, but
# each ideograph, kana or Hangul syllable, as CJK is written without spaces (`# 中文笔记` holds `中文`).
WORD = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


def words(text: str) -> str:
    """`text`'s letters and digits, in one case: two names or ids alike but for signs, spaces and
    emoji (a heading naming its note, `# 3B1b: neural networks`; `#🛠️-工具使用` and `#工具使用`)."""
    return "".join(char for char in text.casefold() if char.isalnum())


def natural_key(name: str) -> tuple:
    """`name` as Obsidian's file list orders names: numbers by their value (`2_` before `10_`),
    letters whatever their case (MkDocs put `10_Stream` before `1_Node` and `Zeta` before `alpha`)."""
    parts = tuple((0, int(part)) if part.isdigit() else (1, part.casefold()) for part in _NUMBER_RUNS.findall(name))
    return parts, name


_NUMBER_RUNS = re.compile(r"\d+|\D+")
