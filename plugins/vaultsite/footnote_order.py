"""Footnotes numbered in reading order: a Python-Markdown extension.

Obsidian numbers a note's footnotes, and lists them, in the order a reader meets their references.
Python-Markdown's footnotes extension (with USE_DEFINITION_ORDER false, as the plugin sets it)
numbers them in the order its inline pass reaches them, which takes the text of the page's
top-level paragraphs before the text inside quotes, callouts, details, lists, tables and embeds:
"Intro[^a]", "- item[^b]", "End[^c]" showed 1, 3, 2. Right after the inline pass, this extension
numbers the references again in the order they stand on the page, then those only footnotes
refer to, as the footnotes are listed; the footnotes extension lists the footnotes in that order.
A footnote cited twice has its first back link go to the reference a reader meets first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.extensions.footnotes import FootnoteExtension
from markdown.treeprocessors import Treeprocessor

# A footnote's references have the ids fnref:label, fnref2:label, ... in the order the inline pass
# made them; its back links go to them in that order.
_REFERENCE_ID = re.compile(r"fnref(\d+)")


class _ReadingOrder(Treeprocessor):
    def run(self, root: Element) -> None:
        # Found here, not when the extension loads: MkDocs may load the footnotes extension after this
        # one (the plugin adds it after this one where mkdocs.yml has none).
        footnotes = next((ext for ext in self.md.registeredExtensions if isinstance(ext, FootnoteExtension)), None)
        if footnotes is None or footnotes.getConfig("USE_DEFINITION_ORDER") or not footnotes.footnote_order:
            return  # no footnotes, or the author asked for the order of the definitions
        references = _references_in_reading_order(root, footnotes)
        for number, sups in enumerate(references.values(), start=1):
            # The first reference a reader meets is the one the footnote's first back link goes to.
            for sup, id_ in zip(sups, sorted((sup.get("id", "") for sup in sups), key=_made)):
                sup.set("id", id_)
                sup[0].text = footnotes.getConfig("SUPERSCRIPT_TEXT").format(number)
        footnotes.footnote_order[:] = references


def _references_in_reading_order(root: Element, footnotes: FootnoteExtension) -> dict[str, list[Element]]:
    """Each referred-to footnote's references (their `<sup>`), the footnotes in the order a reader
    meets them: on the page, then in the footnotes, as they will be listed."""
    labels = {"#" + footnotes.makeFootnoteId(label): label for label in footnotes.footnotes}
    listed = next(div for div in root.iter("div") if div.get("class") == "footnote")
    items = {li.get("id"): li for li in listed.find("ol")}
    references: dict[str, list[Element]] = {}
    order: list[str] = []

    def read(sups: Iterable[Element]) -> None:
        for sup in sups:
            if len(sup) and sup[0].get("class") == "footnote-ref" and sup[0].get("href") in labels:
                label = labels[sup[0].get("href")]
                if label not in references:
                    order.append(label)
                references.setdefault(label, []).append(sup)

    in_list = set(listed.iter("sup"))
    read(sup for sup in root.iter("sup") if sup not in in_list)
    for label in order:  # grows while it is read: a footnote met in a footnote is read in its turn
        read(items[footnotes.makeFootnoteId(label)].iter("sup"))
    # Footnotes only footnotes no reader gets to refer to (`[^a]: see [^a]`) come last, in the
    # order the inline pass met them.
    unmet = [label for label in footnotes.footnote_order if label not in references]
    references.update({label: [] for label in unmet})
    for label in unmet:
        read(items[footnotes.makeFootnoteId(label)].iter("sup"))
    return references


def _made(reference_id: str) -> int:
    """The rank of a reference's id among its footnote's (fnref:a is 1st, fnref2:a 2nd, ...)."""
    match = _REFERENCE_ID.match(reference_id)
    return int(match.group(1)) if match else 1


class FootnoteOrderExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After the inline pass (20), which makes the references, and before the footnotes
        # extension's `footnote-reorder` (19), which lists the footnotes in `footnote_order`.
        md.treeprocessors.register(_ReadingOrder(md), "vaultsite_footnote_order", 19.5)


def makeExtension(**kwargs) -> FootnoteOrderExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return FootnoteOrderExtension(**kwargs)
