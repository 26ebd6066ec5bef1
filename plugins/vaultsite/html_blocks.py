"""HTML in a list item, a quote or a callout, shown as written: a Python-Markdown extension.

CommonMark (Obsidian, Typora) reads a block of HTML wherever a block may start and shows it as
written. Python-Markdown reads one only at the page's margin: indented into a list item, or in a
quote (whose lines it reads again without their `>`), it was a paragraph of tags with a line break
at each line, `<p><table><br/><tr>…`, which browsers drew as a gap of empty lines above the table
(a course's `<details>` answers in list items, a table in a callout). normalize.py writes each such
block as one marked line (`marked`), which this extension hands to Python-Markdown's store of raw
HTML, as Python-Markdown does with a block at the margin; a paragraph of nothing but a block of
HTML is that block, without the paragraph (its RawHtmlPostprocessor).
"""

from __future__ import annotations

import base64
import re

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

# Private-use characters (as normalize's masks), around the block in base64: no other pattern of
# Python-Markdown or its extensions reads anything in it (base64 has no `*`, `_`, `` ` `` or `$`).
_OPEN, _CLOSE = "\ue010", "\ue011"
_MARKED = re.compile(f"{_OPEN}([A-Za-z0-9+/=]*){_CLOSE}")


def marked(html: str) -> str:
    """`html` as the line this extension hands on as written."""
    return _OPEN + base64.b64encode(html.encode("utf-8")).decode("ascii") + _CLOSE


class _Stored(InlineProcessor):
    def handleMatch(self, match: re.Match, data: str) -> tuple[str, int, int]:  # noqa: N802 (Python-Markdown's name)
        return self.md.htmlStash.store(base64.b64decode(match.group(1)).decode("utf-8")), match.start(), match.end()


class HtmlBlocksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # Before every other inline pattern (code spans are 190): none reads the mark.
        md.inlinePatterns.register(_Stored(_MARKED.pattern, md), "vaultsite_html_blocks", 200)


def makeExtension(**kwargs) -> HtmlBlocksExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return HtmlBlocksExtension(**kwargs)
