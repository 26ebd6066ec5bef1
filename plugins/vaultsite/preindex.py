"""Index the pages for search ahead, in a forked child, as Material's search plugin would, and
rewrite that index there too (search.py); the search plugin takes each page's entries when it
indexes the page, and the build writes the rewritten index.

Material's search plugin indexes each page as MkDocs writes it (its `on_page_context`): it parses
the page's HTML and cuts its Chinese with jieba, a fifth of a plain build, on the one core MkDocs
writes the pages on. Every page's HTML is final once every page is read (`on_env`): a child forked
then indexes them all, and rewrites the index, on a core MkDocs leaves idle meanwhile.

A page takes the child's entries only if what the search plugin reads of it (its content, table
of contents, meta, title and URL) is still what the child read; otherwise the plugin indexes it
as usual, here. The child's rewritten index is written only if the index Material wrote is the one
the child made of the same entries: the site is byte for byte the one a single core makes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from . import parallel, search


@dataclass
class Indexed:
    """What the child made: each page's entries, the index Material writes of them, rewritten."""
    entries: dict[str, list[dict]]  # by the page's src_uri, in the order the pages were given
    material: str  # search_index.json as Material's search plugin writes it
    rewritten: str  # the same rewritten by search.rewrite
    stats: search.Stats


class _Read:
    """What Material's SearchIndex.add_entry_from_context reads of a page (content and table of
    contents by identity: nothing copies them, so another object means a plugin changed them)."""

    def __init__(self, page: Page) -> None:
        self.content, self.toc = page.content, page.toc
        self.rest = (repr(page.meta), page.title, page.url)

    def same(self, page: Page) -> bool:
        return (page.content is self.content and page.toc is self.toc
                and (repr(page.meta), page.title, page.url) == self.rest)


class Ahead:
    """The search plugin's index, while a child indexes its pages ahead."""

    def __init__(self, index, pages: list[Page], result: Callable[[], Indexed]) -> None:
        self.index = index
        self.read = {page.file.src_uri: _Read(page) for page in pages}
        self.result = result
        # The pages in the order the search plugin indexed them, with the entries it made here
        # of those that changed since the child read them (None: the child's are taken).
        self.indexed: list[tuple[str, list[dict] | None]] = []
        self.taken: Indexed | None = None  # the child's index, where Material wrote it as it is
        index.add_entry_from_context = self._add_entry_from_context
        index.generate_search_index = self._generate_search_index

    def _add_entry_from_context(self, page: Page) -> None:
        uri = page.file.src_uri
        read = self.read.get(uri)
        if read is not None and read.same(page):
            self.indexed.append((uri, None))
            return
        start = len(self.index.entries)
        type(self.index).add_entry_from_context(self.index, page)
        self.indexed.append((uri, self.index.entries[start:]))
        del self.index.entries[start:]

    def _generate_search_index(self, prev) -> str:
        self.close()
        indexed = self.result()
        self.index.entries = [entry for uri, own in self.indexed
                              for entry in (indexed.entries[uri] if own is None else own)]
        if prev is None and [(uri, None) for uri in indexed.entries] == self.indexed:
            self.taken = indexed
            return indexed.material
        return self.index.generate_search_index(prev)

    def rewritten(self) -> tuple[str, str, search.Stats] | None:
        """The index Material wrote, as the child made it, with its rewrite (for
        search.update_site); None where Material wrote entries made here."""
        return self.taken and (self.taken.material, self.taken.rewritten, self.taken.stats)

    def close(self) -> None:
        """The search plugin's index indexes as it does without us again."""
        for name in ("add_entry_from_context", "generate_search_index"):
            vars(self.index).pop(name, None)


def start(config: MkDocsConfig, files: Files) -> Ahead | None:
    """Have a forked child index every page read for Material's search plugin, and rewrite the
    index. None where there is no such plugin, or the build may not fork, or has few pages."""
    plugin = config.plugins.get("material/search")
    index = getattr(plugin, "search_index", None)
    if index is None or not plugin.config.enabled:
        return None
    pages = [f.page for f in files.documentation_pages() if f.page is not None and f.page.content is not None]
    if len(pages) < parallel.MIN_SHARE:
        return None
    result = parallel.in_background(lambda: _index(index, pages))
    return Ahead(index, pages, result) if result else None


def _index(index, pages: list[Page]) -> Indexed:
    """In the child: every page indexed as the search plugin indexes it, and the index rewritten
    (on this one process: MkDocs keeps the other core busy)."""
    entries = {}
    for page in pages:
        index.entries = []
        type(index).add_entry_from_context(index, page)
        entries[page.file.src_uri] = index.entries
    index.entries = [entry for page_entries in entries.values() for entry in page_entries]
    material = type(index).generate_search_index(index, None)
    pieces, stats = search.rewrite(json.loads(material), workers=1)
    return Indexed(entries, material, "".join(pieces), stats)
