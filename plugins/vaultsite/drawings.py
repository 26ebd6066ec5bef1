"""Excalidraw drawings (`Drawing.excalidraw.md`, or any note holding the plugin's data, as it
writes drawings where told to name them without `.excalidraw`), as a site can show them: by the
image the Excalidraw plugin exports beside the drawing (its Auto-export), else by name.

The note holds the drawing as compressed JSON only the plugin draws; read as Markdown, it is the
plugin's banner ("Switch to EXCALIDRAW VIEW…") and its "Excalidraw Data" headings. Nothing here
knows MkDocs: the caller passes a function that finds a file of the vault.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable

_SUFFIX = ".excalidraw.md"
# The images the plugin exports, by its settings: beside the drawing, `.excalidraw` kept or not.
_EXPORTS = (".excalidraw.svg", ".excalidraw.png", ".svg", ".png")
# The drawing's texts, one a line under its "Text Elements" heading, each with the block id the
# plugin gives it; up to the next heading (not a text "#1 priority") or the `%%` that hides the
# drawing's data.
_TEXTS = re.compile(r"^#+ Text Elements[ \t]*\n(.*?)(?=^#+ |^%%|\Z)", re.MULTILINE | re.DOTALL)
_BLOCK_ID = re.compile(r"[ \t]*\^[A-Za-z0-9-]+[ \t]*$")
# The plugin's data under its `# Drawing` heading: compressed JSON, which only the plugin writes,
# or JSON of its type (a note's own `## Drawing` section over other JSON is no drawing).
_DATA = re.compile(r'^#+ Drawing[ \t]*\n```(?:compressed-json[ \t]*$|json[ \t]*\n\s*\{\s*"type"\s*:\s*"excalidraw")',
                   re.MULTILINE)


def is_drawing(path: str, body: str) -> bool:
    """Whether the note at `path`, of text `body`, is a drawing: named as one, or holding the data of one."""
    return path.lower().endswith(_SUFFIX) or path.lower().endswith(".md") and bool(_DATA.search(body))


def name(path: str) -> str:
    """The drawing's name: its file's, less `.excalidraw.md` (or `.md`)."""
    base = posixpath.basename(path)
    return base[: -len(_SUFFIX)] if base.lower().endswith(_SUFFIX) else base[:-3]


def exported_image(path: str, find: Callable[[str], str | None]) -> str | None:
    """The vault path of the image exported from the drawing at `path`, if the vault has one."""
    stem = posixpath.join(posixpath.dirname(path), name(path))
    return next(filter(None, (find(stem + suffix) for suffix in _EXPORTS)), None)


def shown(path: str, find: Callable[[str], str | None], size: str = "") -> str:
    """Markdown that stands for the drawing where a note embeds it: its exported image, at `size`
    (an embed's `|500`), or its name, said to be a drawing."""
    image = exported_image(path, find)
    if image:
        return f"![[{image}|{size}]]" if size else f"![[{image}]]"
    tip = "An Excalidraw drawing, not exported as an image"
    return f'<span class="vs-drawing" title="{tip}">✏️ {name(path)}</span>'


def page(body: str, path: str, find: Callable[[str], str | None]) -> str:
    """The Markdown of the drawing's own page: the drawing as `shown`, and the texts written in it
    (what search finds of it), not the plugin's banner and data."""
    found = _TEXTS.search(body)
    texts = [_BLOCK_ID.sub("", line).strip() for line in (found.group(1) if found else "").split("\n")]
    return "\n\n".join([shown(path, find), *(text for text in texts if text)]) + "\n"
