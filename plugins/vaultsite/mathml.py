"""Typeset math at build time: TeX found by pymdownx.arithmatex (generic mode) becomes MathML.

Browsers render MathML natively, so formulas need no script, no font download and no network when
the site is read (CI and offline readers included). A formula latex2mathml cannot convert stays
visible as its TeX source and is reported.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

_ARITHMATEX = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>'
    r'|<div class="arithmatex">\\\[(?P<block>.*?)\\\]</div>',
    re.DOTALL,
)


_TOC_INLINE = re.compile(r"\\\((.+?)\\\)")


def typeset_toc(items) -> None:
    """Headings' math in the table of contents (items with `.title` and `.children`), where the
    toc extension kept only the TeX text of `\\(...\\)`."""
    for item in items:
        item.title = _TOC_INLINE.sub(lambda m: _convert(html.unescape(m.group(1)), False) or m.group(0), item.title)
        typeset_toc(item.children)


def _convert(tex: str, block: bool) -> str | None:
    try:
        return convert(tex, display="block" if block else "inline")
    except Exception:  # latex2mathml raises many types for TeX it does not know
        return None


def typeset(content: str) -> tuple[str, list[str]]:
    """Return `content` with every arithmatex formula as MathML, and the formulas that failed."""
    failed: list[str] = []

    def one(match: re.Match) -> str:
        block = match.group("block") is not None
        tex = html.unescape(match.group("block") if block else match.group("inline")).strip()
        mathml = _convert(tex, block)
        if mathml is None:
            failed.append(tex)
            return match.group(0).replace('class="arithmatex"', 'class="arithmatex vs-math-error"')
        return f'<div class="vs-math">{mathml}</div>' if block else mathml

    return _ARITHMATEX.sub(one, content), failed
