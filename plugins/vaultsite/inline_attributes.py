"""Braces right after code, emphasis, a link, an image or a formula are text, as Obsidian shows
them: a Python-Markdown extension.

attr_list read them as the element's attributes: `**集合**{1,2,3}` was `<strong 1_2_3>`,
`` `Map`{key: value} `` lost its braces, an image took `{: style="width:300px"}`. The attributes
of a block stay attr_list's (`## Heading {#id}`, which a note may give; normalize._literal_braces
keeps other braces there text), and inline only an image's size, which the plugin writes itself
(links.py, `_sized`).
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.extensions.attr_list import AttrListTreeprocessor


class _SizesInline(AttrListTreeprocessor):
    INLINE_RE = re.compile(r'^\{[ ]*((?:(?:width|height)="[^"]*"[ ]*)+)\}')


class InlineAttributesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # In attr_list's place: the plugin requires this extension after mkdocs.yml's.
        md.treeprocessors.register(_SizesInline(md), "attr_list", 8)


def makeExtension(**kwargs) -> InlineAttributesExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return InlineAttributesExtension(**kwargs)
