"""A table of a header row alone is that row, as GFM (Obsidian) draws it: a Python-Markdown
extension.

Python-Markdown's tables give such a table a row of empty cells under its header, which Material
drew as an empty bordered bar: a map of content's grid of links, a header row of `[[links]]` and
its `| --- |` line, had one under each. A body row the note writes, empty or not, stays (its cells
hold text, "" where empty; the made-up row's hold none).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor


class _HeaderOnly(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for table in root.iter("table"):
            body = table.find("tbody")
            if body is not None and len(body) == 1 and all(cell.text is None and not len(cell) for cell in body[0]):
                table.remove(body)  # (the row it made up)


class HeaderTablesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # Before the inline pass (20), which writes text into every cell: until then the cells of
        # the row Python-Markdown makes up hold none (None), those of a row the note writes "".
        md.treeprocessors.register(_HeaderOnly(md), "vaultsite_header_tables", 30)


def makeExtension(**kwargs) -> HeaderTablesExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return HeaderTablesExtension(**kwargs)
