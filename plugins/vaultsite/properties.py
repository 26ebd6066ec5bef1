"""A note's properties (its front matter), as Obsidian's reading view shows them above the note:
each key with its value, links in it links (`authors: ["[[Vlad Khononov]]"]`), so a note that is
all properties is no empty page, and the notes its properties link to list it as a backlink.

Not shown: what the site shows otherwise (title, tags), styles (cssclasses), the
settings of tools (jupytext, Typora, Excalidraw) that readers never saw as text, and those of
Material's that it takes (see theme_settings: `template: "[[Ticket]]"` is Templater's, and shown);
`status` and `description` are shown, as Obsidian shows them (Material draws a status it knows in
the navigation, and makes a description the page's summary for search engines). Nothing here
knows MkDocs: front matter in, Markdown out.
"""

from __future__ import annotations

import datetime as dt
import re

from . import frontmatter
from .links import as_text
from .theme_settings import Theme

_NOT_SHOWN = {"title", "tags", "tag", "cssclasses", "cssclass", "publish", "permalink",
              "jupyter", "jupytext", "kanban-plugin", "comments"}
_NOT_SHOWN_PREFIXES = ("typora-", "excalidraw-")
# A key of the front matter's top level, quoted or not (`"a:b": 1`), as its line writes it.
_KEY = re.compile(r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#:-][^:]*?))\s*:(?:\s|$)""")
# What a text value shows as a link, as Obsidian shows it: a wikilink, a URL.
_LINK = re.compile(r"!?\[\[[^\[\]]+\]\]|https?://[^\s<>\"]+")


def markdown(meta: dict, raw: str, theme: Theme) -> str:
    """The Markdown of the note's properties, each on the line its key has in `raw` (the YAML, whose
    first line is the file's second), the other lines blank: a problem of one names its line. ""
    where it has none to show."""
    lines = raw.split("\n")
    at = {}
    for number, line in enumerate(lines):
        if key := _KEY.match(line):
            at.setdefault(next(group for group in key.groups() if group is not None).strip(), number)
    shown = [""] * len(lines)
    for key, value in meta.items():
        name = str(key).lower()
        hidden = (name in _NOT_SHOWN and not (key == "title" and frontmatter.title(meta) is None)
                  or key != "status" and theme.takes(str(key), value))  # (a status is text too, as Obsidian shows it)
        if hidden or name.startswith(_NOT_SHOWN_PREFIXES) or str(key) not in at:  # (a title that titles nothing shows)
            continue
        if text := _value(value):
            name = f'<span class="vs-property">{as_text(str(key))}</span>'
            shown[at[str(key)]] = f'{name} <span class="vs-value">{text}</span>'
    return "\n".join(shown) if any(shown) else ""


def _value(value: object) -> str:
    """A value as Markdown: text as written but its links; a list's items after one another; a
    nested mapping (a tool's settings) is none."""
    if isinstance(value, list):
        return ", ".join(filter(None, map(_value, value)))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (str, int, float)):
        # (A value over several lines, `summary: |`, on its key's one: each line below is another's.)
        text, pieces, done = " ".join(str(value).split()), [], 0
        for link in _LINK.finditer(text):
            written = link.group().lstrip("!")
            pieces += [as_text(text[done:link.start()]), written if written.startswith("[[") else f"<{written}>"]
            done = link.end()
        return "".join([*pieces, as_text(text[done:])])
    return ""
