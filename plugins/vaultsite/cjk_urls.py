"""A URL in Chinese or Japanese text is a link of the URL alone, as Obsidian and Typora link it: a
Python-Markdown extension over pymdownx.magiclink.

Magiclink, as GFM, links a URL only after a space or `*_~([('"`: `官网：https://…` and
`见https://…` were text. And a URL runs to the next space, so `见 https://a.org/x，然后` took
"，然后" into its link (a 404). Here a URL may follow Chinese or Japanese text or punctuation
(one of ASCII alone: see _CJKLinkPattern), and ends before Chinese punctuation. The rest is
magiclink's: text only (no code, attribute or link text), its trailing characters and brackets,
its domains.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from pymdownx.magiclink import RE_LINK, MagiclinkPattern

# The text a URL may follow besides magiclink's: ideographs, kana, full-width forms, CJK and
# curly punctuation, dashes.
_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“‘—…"
# What ends a URL besides a space: CJK punctuation and curly quotes, which a URL writes none of.
_CJK_PUNCTUATION = re.compile("[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—]")
_IDEOGRAPH_OR_KANA = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_MAGICLINK_BEFORE = "(?<![^\\s*_~^[('\"\\x03])"
if _MAGICLINK_BEFORE not in RE_LINK:
    raise ImportError("pymdownx.magiclink's link pattern changed: vaultsite.cjk_urls reads its lookbehind")
_AFTER_CJK = RE_LINK.replace(_MAGICLINK_BEFORE, _MAGICLINK_BEFORE[:-2] + _CJK + "])")


class _CJKLinkPattern(MagiclinkPattern):
    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 (Python-Markdown's name)
        stop = _CJK_PUNCTUATION.search(data, m.end())
        url = (data[m.end() : stop.start() if stop else None].split() or [""])[0]
        if m.start() and re.match(f"[{_CJK}]", data[m.start() - 1]) and (
                not url[:1].isascii() or not url[:1].isalnum() or _IDEOGRAPH_OR_KANA.search(url)):
            # Right after Chinese, where magiclink links nothing, a URL whose host or path is
            # Chinese may be the sentence run on (`http://和https://两种协议`, `见https://a.org/docs/就行`):
            # text, as before. After a space one is magiclink's, Chinese path and all (`/wiki/C语言`).
            return None, None, None
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
