r"""A backslash escapes any ASCII punctuation, as in CommonMark: a Python-Markdown extension.

Obsidian and Typora read `90\%`, `\@`, `\/` or `\;` as the character alone, as CommonMark does.
Python-Markdown escapes only the characters of its own syntax (and those its extensions add), so
every other backslash stayed in the text: `90\%` showed as written, in the many notes pasted from
a chat or written among formulas. Code and math are not touched (their patterns run first).
"""

from __future__ import annotations

import string

from markdown import Extension, Markdown


class EscapesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, *(char for char in string.punctuation if char not in md.ESCAPED_CHARS)]


def makeExtension(**kwargs) -> EscapesExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return EscapesExtension(**kwargs)
