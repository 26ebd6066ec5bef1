"""Who links to whom: backlinks under each note, the page of notes not written yet, the page of
tags and the links to it, and the home page of a vault that has none."""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata
from collections import defaultdict
from typing import Callable

from .links import as_text, destination, escape_brackets
from .slugs import natural_key


def note_link(title: str, target: str, from_path: str) -> str:
    """A Markdown link, written in the note at `from_path`, to the note at `target`, shown as
    `title`, Markdown without HTML (an embed's `Note › $x$` shows its formula)."""
    return _link(escape_brackets(html.escape(title, quote=False)), target, from_path)


def title_link(title: str, target: str, from_path: str) -> str:
    """A Markdown link, written in the note at `from_path`, to the note at `target`, shown as its
    `title` as text, as its page shows it: neither Markdown (a front matter title `Using **Vue**`
    shows its asterisks) nor HTML (a title `<img onerror=…>` is shown, never run)."""
    return _link(as_text(title), target, from_path)


def _link(text: str, target: str, from_path: str) -> str:
    relative = posixpath.relpath(target, posixpath.dirname(from_path) or ".")
    return f"[{text}]({destination(relative)})"


def backlinks(links: dict[str, list[str]]) -> dict[str, list[str]]:
    """{note: notes it links to} -> {note: notes that link to it}, each list sorted, no self-links."""
    incoming: dict[str, set[str]] = defaultdict(set)
    for source, targets in links.items():
        for target in targets:
            if target != source:
                incoming[target].add(source)
    return {target: sorted(sources) for target, sources in incoming.items()}


def backlinks_block(sources: list[str], titles: dict[str, str], href: Callable[[str], str]) -> str:
    """HTML appended to a page: the notes linking to it, by title; `href(note)` is a note's URL from
    the page.

    HTML, not Markdown: as Markdown in a `<div markdown>` it cost more to render than all of the
    rest of a typical page's text (md_in_html re-parses the whole block). The plugin adds it after
    the search plugin has indexed the page: a search for a note's title finds that note, not every
    note it links to.
    """
    items = "".join(f'<li><a href="{html.escape(href(s))}">{html.escape(titles[s])}</a></li>'
                    for s in sorted(sources, key=lambda s: (titles[s].casefold(), s)))
    return (f'<div class="vs-backlinks"><p><strong>链接到本页 · Linked from</strong></p>'
            f"<ul>{items}</ul></div>")


def unwritten_page(page: str, unwritten: dict[str, list[str]], titles: dict[str, str]) -> str:
    """Markdown of the page at `page` listing {unwritten note name: notes linking to it}."""
    lines = ["---", "search:", "  exclude: true", "---", "",
             "# 尚未写成的笔记 · Notes not written yet", "",
             "笔记里链接了、但库里还没有的笔记，以及链接到它们的笔记。",
             "Notes that other notes link to but the vault does not hold yet, and where they are linked from.", ""]
    if not unwritten:
        lines.append("Every linked note is written. 所有链接的笔记都已写成。")
    # Obsidian finds a note by its name in any case: "My Note" and "my note" are one note to write.
    merged: dict[str, tuple[str, set[str]]] = {}
    for name in sorted(unwritten):
        merged.setdefault(unicodedata.normalize("NFC", name).casefold(), (name, set()))[1].update(unwritten[name])
    for key in sorted(merged):
        name, found = merged[key]
        sources = ", ".join(title_link(titles[s], s, page) for s in sorted(found))
        lines.append(f"- **{as_text(name)}** ← {sources}")
    return "\n".join(lines) + "\n"


TAGS_PAGE = "tags.md"


def tags_page() -> str:
    """Markdown of the page listing the notes of each tag, which Material's tags plugin writes in
    place of its marker: a note's tags link there, as a tag in Obsidian opens a search for it."""
    return "\n".join(["---", "search:", "  exclude: true", "---", "", "# 标签 · Tags", "", "<!-- material/tags -->", ""])


# A tag as normalize writes it, or a link, whose text may hold one (a link in a link is none).
_INLINE_TAG = re.compile(r'<a\b[^>]*>.*?</a>|<span class="vs-tag">#([^<]*)</span>', re.DOTALL)


def linked_tags(content: str, urls: dict[str, str]) -> str:
    """The page's `#tags` (as normalize writes them) as links to where the page of tags lists each
    one's notes ({tag casefolded: URL}); a tag with no URL stays as it was, and so does one in a
    link's text (`[[Note|see #x]]`)."""
    def link(match: re.Match[str]) -> str:
        url = None if match[1] is None else urls.get(match[1].casefold())
        return match[0] if url is None else f'<a class="vs-tag" href="{html.escape(url)}">#{match[1]}</a>'

    return _INLINE_TAG.sub(link, content)


def home_page(site_name: str, titles: dict[str, str]) -> str:
    """Markdown of a home page (index.md) listing the notes {path: title}, folder by folder: a vault
    need not have one (Obsidian opens none), and without it the site's home link is a 404."""
    lines = ["---", "search:", "  exclude: true", "---", "", f"# {site_name}", "",
             f"{len(titles)} 篇笔记 · {len(titles)} notes", ""]
    folders: dict[str, list[str]] = defaultdict(list)
    for path in titles:
        folders[posixpath.dirname(path)].append(path)
    for folder in sorted(folders, key=lambda folder: [natural_key(part) for part in folder.split("/")]):
        if folder:
            lines += [f"## {as_text(folder.replace('/', ' / '))}", ""]  # (a folder's name is text)
        notes = sorted(folders[folder], key=lambda path: (natural_key(titles[path]), path))
        lines += [f"- {title_link(titles[path], path, 'index.md')}" for path in notes] + [""]
    return "\n".join(lines)
