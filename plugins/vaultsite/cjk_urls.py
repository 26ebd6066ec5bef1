"""A URL in Chinese or Japanese text is a link of the URL alone, as Obsidian and Typora link it: a
Python-Markdown extension over pymdownx.magiclink.

Magiclink, as GFM, links a URL only after a space or `*_~([('"`: `官网：https://…` and
`见https://…` were text. And a URL runs to the next space, so `见 https://a.org/x，然后` took
"，然后" into its link (a 404). Here a URL may follow Chinese or Japanese text or punctuation, and
ends before Chinese punctuation or Chinese run on from its letters; its host is ASCII
(`支持http://和https://两种协议` is text). The rest is magiclink's: text only (no code, attribute
or link text), its trailing characters and brackets, its domains.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from pymdownx.magiclink import RE_LINK, MagiclinkPattern

# The text a URL may follow besides magiclink's: ideographs, kana, full-width forms, CJK and
# curly punctuation, dashes.
_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“‘—…"
# What ends a URL besides a space: CJK punctuation and curly quotes (a URL writes none), and an
# ideograph or kana right after a letter or digit (`见https://a.org/then然后`), where a path of
# Chinese starts a segment or a value (`/wiki/哈希表`, `?wd=你的名字`).
_END = re.compile("[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—]"
                  "|(?<=[A-Za-z0-9])[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_MAGICLINK_BEFORE = "(?<![^\\s*_~^[('\"\\x03])"
if _MAGICLINK_BEFORE not in RE_LINK:
    raise ImportError("pymdownx.magiclink's link pattern changed: vaultsite.cjk_urls reads its lookbehind")
_AFTER_CJK = RE_LINK.replace(_MAGICLINK_BEFORE, _MAGICLINK_BEFORE[:-2] + _CJK + "])")


class _CJKLinkPattern(MagiclinkPattern):
    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 (Python-Markdown's name)
        if not data[m.end() : m.end() + 1].isascii() or not data[m.end() : m.end() + 1].isalnum():
            return None, None, None  # (a host of Chinese: `http://和https://`, the words of a sentence)
        stop = _END.search(data, m.end())
        return super().handleMatch(m, data[: stop.start()] if stop else data)


class CJKUrlsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        if "magic-link" not in md.inlinePatterns:
            return  # (no magiclink: no bare URL is a link, here neither)
        pattern = _CJKLinkPattern(_AFTER_CJK, md)
        pattern.config = md.inlinePatterns["magic-link"].config
        md.inlinePatterns.register(pattern, "magic-link", 85)  # (in its place)


def makeExtension(**kwargs) -> CJKUrlsExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return CJKUrlsExtension(**kwargs)
