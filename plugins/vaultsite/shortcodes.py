"""An emoji shortcode (`:clapper:`, as Typora writes them) is one only apart from letters and
digits: a Python-Markdown extension.

pymdownx.emoji read `:de:` in a MAC address (`00:de:ad:be:ef:01`) as Germany's flag, `:cd:` in
`fe80::cd:1` as a disc: addresses in networking notes were changed without a word. Obsidian has no
shortcodes, and Typora suggests them as a word of their own.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown

# pymdownx.emoji's pattern (`:[+\-\w]+:`), with no ASCII letter or digit right before or after it
# (`:star::star:` are two; `好:smile:的` one).
_SHORTCODE = re.compile(r"(?<![0-9A-Za-z])(:[+\-\w]+:)(?![0-9A-Za-z])", re.DOTALL | re.UNICODE)


class ShortcodesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # pymdownx.emoji has registered its pattern: the plugin requires this extension after mkdocs.yml's.
        if "emoji" in md.inlinePatterns:
            md.inlinePatterns["emoji"].compiled_re = _SHORTCODE


def makeExtension(**kwargs) -> ShortcodesExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return ShortcodesExtension(**kwargs)
