"""Lists the author wrote tight stay tight: a Python-Markdown extension.

CommonMark (Obsidian, Typora) draws a list's items without paragraph spacing unless the author
left blank lines in the list. Python-Markdown reads a display formula, a quote or a table in an
item only after a blank line, which normalize.py puts there, and a list with a blank line in it
has its items' text wrapped in `<p>`, spaced as paragraphs. So normalize.py marks each list that
CommonMark reads as tight, and that it put a blank line in, with `TIGHT` at the start of one of
its items' text; this extension takes the mark out and unwraps the `<p>` of that list's items, as
CommonMark draws them (in a tight list, every paragraph of an item is the item's text).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

TIGHT = "\ue004"  # a private-use character: no note writes it (normalize.py's placeholders are next to it)


class _TightLists(Treeprocessor):
    def run(self, root: Element) -> None:
        for items in [list(element) for element in root.iter() if element.tag in ("ul", "ol")]:
            if any(_took_mark(item) for item in items):
                for item in items:
                    for paragraph in [child for child in item if child.tag == "p" and not child.attrib]:
                        _unwrap(item, paragraph)


def _took_mark(item: Element) -> bool:
    """Whether the list item's text, or one of its paragraphs, starts with TIGHT (taken out)."""
    for holder in (item, *(child for child in item if child.tag == "p")):
        if holder.text and holder.text.startswith(TIGHT):
            holder.text = holder.text[len(TIGHT):]
            return True
    return False


def _unwrap(item: Element, paragraph: Element) -> None:
    """The paragraph's text and elements in its place in `item`, without the `<p>` around them."""
    at = list(item).index(paragraph)
    item.remove(paragraph)
    item[at:at] = list(paragraph)
    _text_after(item, at - 1, paragraph.text)
    _text_after(item, at + len(paragraph) - 1, paragraph.tail)


def _text_after(item: Element, k: int, text: str | None) -> None:
    """`text` after the item's k-th element; before its first, for k = -1."""
    if not text:
        return
    if k < 0:
        item.text = (item.text or "") + text
    else:
        item[k].tail = (item[k].tail or "") + text


class TightListsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before pymdownx.tasklist (25), which finds a task's box at the start of an item's text
        # or of its first `<p>`, and before the inline pass (20): the mark starts the raw text.
        md.treeprocessors.register(_TightLists(md), "vaultsite_tight_lists", 26)


def makeExtension(**kwargs) -> TightListsExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return TightListsExtension(**kwargs)
