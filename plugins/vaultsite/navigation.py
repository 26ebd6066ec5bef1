"""Folder notes in the navigation, as Obsidian's folder-note convention has them: a note named like
its folder (`CNN/CNN.md`) is that folder's page. A folder holding only its folder note becomes a
plain page; otherwise the folder note comes first among its siblings."""

from __future__ import annotations

import posixpath

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page


def _is_folder_note(item, section: Section) -> bool:
    if not isinstance(item, Page):
        return False
    folder, name = posixpath.split(item.file.src_uri)
    return posixpath.splitext(name)[0] == posixpath.basename(folder) and item.parent is section


def _fold(items: list, parent: Section | None) -> list:
    out = []
    for item in items:
        if isinstance(item, Section):
            item.children = _fold(item.children, item)
            note = next((c for c in item.children if _is_folder_note(c, item)), None)
            if note is not None and len(item.children) == 1:
                note.parent = parent
                item = note
            elif note is not None:
                item.children.remove(note)
                item.children.insert(0, note)
        out.append(item)
    return out


def fold_folder_notes(nav: Navigation) -> Navigation:
    nav.items = _fold(nav.items, None)
    # Previous/next follow the new order.
    pages: list[Page] = []

    def collect(items: list) -> None:
        for item in items:
            if isinstance(item, Page):
                pages.append(item)
            elif isinstance(item, Section):
                collect(item.children)

    collect(nav.items)
    nav.pages = pages
    for i, page in enumerate(pages):
        page.previous_page = pages[i - 1] if i > 0 else None
        page.next_page = pages[i + 1] if i + 1 < len(pages) else None
    return nav
