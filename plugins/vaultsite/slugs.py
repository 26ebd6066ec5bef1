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


def _keep(ch: str, also: str) -> bool:
    return (ch.isalnum() or ch in "_-" or ch in also or ch in _JOINERS or ord(ch) in _SKIN_TONES
            or unicodedata.category(ch) == "So")


def slugify(case: str = "lower", normalize: str = "NFC", also: str = "") -> Callable[[str, str], str]:
    """A Python-Markdown `toc` slugify: `slugify(case="lower")(text, separator)`; `also`: more
    characters it keeps."""

    def slug(text: str, sep: str) -> str:
        text = unicodedata.normalize(normalize, text)
        text = text.lower() if case == "lower" else text
        kept = "".join(ch if _keep(ch, also) else (" " if ch.isspace() else "") for ch in text)
        return _SPACE.sub(sep, kept.strip())

    return slug


def tag_slugify() -> Callable[[str, str], str]:
    """The slugify of Material's tags plugin (the ids of the page of tags): the site's, with the
    `+` and `#` of tags that are names of languages (pymdownx's slugify gave `C`, `C++` and `C#`
    the one id `tag:c`); a `#` as `♯`, as a URL's fragment holds none."""
    site = slugify(case="lower", also="+\u266f")
    return lambda text, sep: site(text.replace("#", "\u266f"), sep)
