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


# Each formula's MathML (None: latex2mathml cannot convert it), kept while the plugin lives: the
# notes repeat formulas, and under `mkdocs serve` a rebuild converts only new ones.
_converted: dict[tuple[str, bool], str | None] = {}


def _convert(tex: str, block: bool) -> str | None:
    key = (tex, block)
    if key not in _converted:
        try:
            _converted[key] = convert(tex, display="block" if block else "inline")
        except Exception:  # latex2mathml raises many types for TeX it does not know
            _converted[key] = None
    return _converted[key]


def converted(content: str, toc_items) -> dict[tuple[str, bool], str | None]:
    """Every formula of a page (its HTML and its table of contents), converted: what a process
    that rendered the page ahead hands over (`remember`), so typesetting it here only substitutes."""
    keys = {_key(match) for match in _ARITHMATEX.finditer(content)}

    def toc(items) -> None:
        for item in items:
            keys.update((html.unescape(tex), False) for tex in _TOC_INLINE.findall(item.title))
            toc(item.children)
    toc(toc_items)
    return {key: _convert(*key) for key in keys}


def remember(formulas: dict[tuple[str, bool], str | None]) -> None:
    _converted.update(formulas)


def _key(match: re.Match) -> tuple[str, bool]:
    block = match.group("block") is not None
    return html.unescape(match.group("block") if block else match.group("inline")).strip(), block


def typeset(content: str) -> tuple[str, list[str]]:
    """Return `content` with every arithmatex formula as MathML, and the formulas that failed."""
    failed: list[str] = []

    def one(match: re.Match) -> str:
        tex, block = _key(match)
        mathml = _convert(tex, block)
        if mathml is None:
            failed.append(tex)
            return match.group(0).replace('class="arithmatex"', 'class="arithmatex vs-math-error"')
        return f'<div class="vs-math">{mathml}</div>' if block else mathml

    return _ARITHMATEX.sub(one, content), failed
