"""Folder notes in the navigation, as Obsidian's folder-note convention has them: a note named like
its folder is that folder's page (`CNN/CNN.md`; also `2️⃣ Models 🗿/Models.md`: names compare as
titles do in dedup.py, less a leading number, so emoji, punctuation and case do not count).

- A folder holding only its folder note becomes a plain page.
- Otherwise the folder note is the section's landing page: Material's `navigation.indexes` shows it
  as it shows an `index.md` (the section's title links to it); without that feature it is the
  section's first page. The folder's other pages and subfolders follow in the order the folder
  note first links to them (to a subfolder: to any page in it); those it does not link keep
  MkDocs' order after them (the folder's files, then its subfolders), their names in Obsidian's
  order (numbers by value: `2_` before `10_`; case aside: see named_by_folders).

A folder without a folder note keeps that order. Previous and next follow the new order.

A section made of a folder is titled by the folder's name as written, as Obsidian shows it (see
named_by_folders).
"""

from __future__ import annotations

import html
import posixpath
import unicodedata
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from .dedup import title_key
from .slugs import natural_key
from .normalize import Notes, normalize

_md = MarkdownIt("commonmark")


class _FolderNote(Page):
    """A folder note's page. Material's `navigation.indexes` makes a section's first page that
    `is_index` its landing page, and MkDocs says that only of `index.md`."""

    is_index = True


def fold_folder_notes(nav: Navigation, vault: Notes, slugify: Callable[[str], str]) -> Navigation:
    """The navigation with its folder notes in place; `vault` and `slugify` resolve a folder
    note's links as its page does."""
    def links(note: Page) -> list[str]:
        """What the note's page links to, as vault paths, in the order the page shows the links:
        read from its normalized Markdown, where a link to a note, a wikilink too, is a Markdown
        link relative to the note (a link elsewhere makes a path no page has)."""
        path = note.file.src_uri
        text = normalize(vault.body(path) or "", path, vault, slugify).text
        hrefs = [str(child.attrGet("href")) for token in _md.parse(text) if token.type == "inline"
                 for child in token.children or () if child.type == "link_open"]
        folder = posixpath.dirname(path)
        return [posixpath.normpath(posixpath.join(folder, unquote(href.partition("#")[0]))) for href in hrefs]

    nav.items = _fold(nav.items, links)
    return _paged(nav)


def named_by_folders(nav: Navigation) -> Navigation:
    """The navigation MkDocs made of the folders (where mkdocs.yml has no `nav`), each section
    titled by its folder's name as written, escaped (it is text, as a page's title made of its
    file name is): MkDocs titled `00-MOC` "00 MOC", `25_2` "25 2" and `os` "Os", and made one
    section of the folders it so titled alike (`a-b` and `a_b`). Its items are in Obsidian's order
    (see _by_folder)."""
    nav.items = _by_folder(nav.items, 0)
    return _paged(nav)


def _by_folder(items: list, depth: int) -> list:
    """`items` of a section `depth` folders deep, each section among them one per folder (its
    sections first split so, bottom up: `a-b/x` and `a_b/x` were one section too)."""
    out = []
    for item in items:
        if not isinstance(item, Section):
            out.append(item)
            continue
        folders: dict[str, list] = {}
        for child in _by_folder(item.children, depth + 1):
            folder = _pages([child])[0].file.src_uri.split("/")[depth]
            folders.setdefault(folder, []).append(child)
        for folder, children in folders.items():
            section = Section(html.escape(folder), children)
            for child in children:
                child.parent = section
            out.append(section)

    def place(item) -> tuple:
        """MkDocs' place for it (a folder's index, its other files, its subfolders), by a name in
        Obsidian's order: numbers by value, case aside (MkDocs put `10_` before `1_`)."""
        page = _pages([item])[0]
        section = isinstance(item, Section)
        return section, section or page.file.name != "index", natural_key(page.file.src_uri.split("/")[depth])
    return sorted(out, key=place)


def without_page(nav: Navigation, page: Page) -> Navigation:
    """The navigation without `page` (the page is still built; nothing leads to it)."""
    nav.items = _without(nav.items, page)
    return _paged(nav)


def _paged(nav: Navigation) -> Navigation:
    """`nav` with its pages, and their previous and next, in the order its items now have."""
    nav.pages = _pages(nav.items)
    for i, page in enumerate(nav.pages):
        page.previous_page = nav.pages[i - 1] if i > 0 else None
        page.next_page = nav.pages[i + 1] if i + 1 < len(nav.pages) else None
    return nav


def _without(items: list, page: Page) -> list:
    for item in items:
        if isinstance(item, Section):
            item.children = _without(item.children, page)
    return [item for item in items if item is not page and not (isinstance(item, Section) and not item.children)]


def _fold(items: list, links: Callable[[Page], list[str]]) -> list:
    out = []
    for item in items:
        if isinstance(item, Section):
            # Found before the subfolders fold: a page they hand up is not this folder's note.
            note = _folder_note(item)
            item.children = _fold(item.children, links)
            if note is not None and len(item.children) == 1:
                note.parent = item.parent
                item = note
            elif note is not None:
                item.children = _ordered(item.children, note, links(note))
                note.__class__ = _FolderNote
        out.append(item)
    return out


def _folder_note(section: Section) -> Page | None:
    """The section's page named like the folder it is in."""
    for child in section.children:
        if isinstance(child, Page):
            folder, name = posixpath.split(child.file.src_uri)
            stem, folder = posixpath.splitext(name)[0], posixpath.basename(folder)
            key = _name_key(folder)  # empty for a folder named only with emoji
            if stem == folder or key and _name_key(stem) == key:
                return child
    return None


def _name_key(name: str) -> str:
    """A title key (dedup.title_key) less any leading number: `2️⃣ Models 🗿` and `01 Models` are
    `models`."""
    words = title_key(name).split()
    while len(words) > 1 and all(unicodedata.category(c)[0] in "NM" for c in words[0]):
        del words[0]
    return " ".join(words)


def _ordered(children: list, note: Page, links: list[str]) -> list:
    """The folder note, then the other children in the order the note first links into each,
    then those it never links to, as they were."""
    first = {}
    for n, target in enumerate(links):
        first.setdefault(target, n)

    def rank(item) -> int:
        return min((first[p.file.src_uri] for p in _pages([item]) if p.file.src_uri in first),
                   default=len(links))
    return [note, *sorted((c for c in children if c is not note), key=rank)]  # stable


def _pages(items: list) -> list[Page]:
    pages: list[Page] = []
    for item in items:
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            pages.extend(_pages(item.children))
    return pages
