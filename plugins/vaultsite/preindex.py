"""Spare Material's search plugin its work on each page where it can: index the pages ahead, in a
forked child, as the plugin would, and rewrite that index there too (search.py), in `mkdocs
build`; take a page's entries from the build before, if the page reads the same, under `mkdocs
serve`.

Material's search plugin indexes each page as MkDocs writes it (its `on_page_context`): it parses
the page's HTML and cuts its Chinese with jieba, a fifth of a plain build, on the one core MkDocs
writes the pages on. Every page's HTML is final once every page is read (`on_env`): a child forked
then indexes them all, and rewrites the index, on a core MkDocs leaves idle meanwhile.

This leans on two methods of Material's `SearchIndex` (9.x), which the search plugin's index gets
in its place for one build: `add_entry_from_context(page)`, which reads the page's content, table
of contents, meta, title and URL, and `generate_search_index(prev)`, the text the plugin writes.
A page takes the child's entries only if what the index reads of it is still what the child read;
otherwise it is indexed as usual, here. The child's rewrite is written only if the index Material
wrote is the one the child made of the same entries: the site is byte for byte the one a single
core makes. If the child fails, every page is indexed here after all, from what the child was
given.

Under `mkdocs serve` (no fork: a server thread runs) the plugin lives on between builds, and a
rebuild indexes again only the pages whose content, table of contents, meta, title or URL changed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from types import SimpleNamespace

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from . import parallel, search

log = get_plugin_logger(__name__)

_METHODS = ("add_entry_from_context", "generate_search_index")


@dataclass
class Indexed:
    """What the child made: each page's entries, and the index Material writes of them rewritten."""
    entries: dict[str, list[dict]]  # by the page's src_uri, in the order the pages were given
    rewritten: search.Rewritten


class _Read:
    """What the search index reads of a page, as it was when the child was forked."""

    def __init__(self, page: Page) -> None:
        self.page, self.toc, self.meta = page, page.toc, copy.deepcopy(page.meta)
        self.reads = _reads(page)

    def same(self, page: Page) -> bool:
        return _reads(page) == self.reads  # the content is most often the same object: at once

    def as_read(self) -> SimpleNamespace:
        """The page as it was read (its content has changed since: backlinks were added)."""
        content, _, _, title, url = self.reads
        return SimpleNamespace(file=self.page.file, content=content, toc=self.toc, meta=self.meta,
                               title=title, url=url)


class Ahead:
    """The search plugin's index, while a child indexes its pages ahead."""

    def __init__(self, index, pages: list[Page], child: parallel.Background) -> None:
        self.index = index
        self.read = {page.file.src_uri: _Read(page) for page in pages}
        self.child = child
        # The index's own methods (or what another plugin put in their place), called where the
        # child's work is not taken.
        self.methods = {name: getattr(index, name) for name in _METHODS}
        self.overridden = {name: vars(index)[name] for name in _METHODS if name in vars(index)}
        # The pages in the order the search plugin indexed them, with the entries it made here
        # of those that changed since the child read them (None: the child's are taken).
        self.indexed: list[tuple[str, list[dict] | None]] = []
        self.rewritten: search.Rewritten | None = None  # the child's rewrite, where Material wrote its index
        index.add_entry_from_context = self._add_entry_from_context
        index.generate_search_index = self._generate_search_index

    def _add_entry_from_context(self, page: Page) -> None:
        uri = page.file.src_uri
        read = self.read.get(uri)
        if read is not None and read.same(page):
            self.indexed.append((uri, None))
        else:
            self.indexed.append((uri, self._entries_here(page)))

    def _entries_here(self, page) -> list[dict]:
        start = len(self.index.entries)
        self.methods["add_entry_from_context"](page)
        entries = self.index.entries[start:]
        del self.index.entries[start:]
        return entries

    def _generate_search_index(self, prev) -> str:
        self.close()
        try:
            indexed = self.child.result()
        except ChildProcessError as error:
            log.info(f"search index made here, not ahead: {error}")
            self.index.entries = [entry for uri, own in self.indexed for entry in
                                  (self._entries_here(self.read[uri].as_read()) if own is None else own)]
            return self.methods["generate_search_index"](prev)
        self.index.entries = [entry for uri, own in self.indexed
                              for entry in (indexed.entries[uri] if own is None else own)]
        if prev is None and [(uri, None) for uri in indexed.entries] == self.indexed:
            self.rewritten = indexed.rewritten
            return indexed.rewritten.material
        return self.methods["generate_search_index"](prev)

    def close(self) -> None:
        """The search plugin's index indexes as it did before us again."""
        for name in _METHODS:
            vars(self.index).pop(name, None)
        vars(self.index).update(self.overridden)

    def cancel(self) -> None:
        """The build failed: stop the child, and leave the index as it was."""
        self.close()
        self.child.cancel()


class Kept:
    """Each page's entries as the search index made them in the build before, with what it read."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[tuple, list[dict]]] = {}
        self.taken = 0  # pages of the last build whose entries were taken

    def use(self, index) -> None:
        """Have `index`, the search plugin's in this build, take the kept entries of each page
        that reads the same, and keep this build's."""
        add_entry_from_context = index.add_entry_from_context
        before, self.entries, self.taken = self.entries, {}, 0

        def kept_or_new(page: Page) -> None:
            uri, read = page.file.src_uri, _reads(page)
            if uri in before and before[uri][0] == read:
                entries = before[uri][1]
                index.entries.extend(entries)
                self.taken += 1
            else:
                start = len(index.entries)
                add_entry_from_context(page)
                entries = index.entries[start:]
            self.entries[uri] = (read, entries)

        index.add_entry_from_context = kept_or_new


def _reads(page: Page) -> tuple:
    """What the search index reads of a page: its content, the ids of its table of contents, its
    meta, title and URL."""
    return page.content, _toc_ids(page.toc), repr(page.meta), page.title, page.url


def _toc_ids(toc) -> tuple:
    return tuple((item.id, _toc_ids(item.children)) for item in toc)


def search_index(config: MkDocsConfig):
    """The index of Material's search plugin, where it is on."""
    plugin = config.plugins.get("material/search")
    index = getattr(plugin, "search_index", None)
    return index if index is not None and plugin.config.enabled else None


def start(config: MkDocsConfig, files: Files) -> Ahead | None:
    """Have a forked child index every page read for Material's search plugin, and rewrite the
    index. None where there is no such plugin, or the build may not fork, or has few pages."""
    index = search_index(config)
    if index is None:
        return None
    pages = [f.page for f in files.documentation_pages() if f.page is not None and f.page.content is not None]
    if len(pages) < parallel.MIN_SHARE:
        return None
    child = parallel.in_background(lambda: _index(index, pages, config.site_dir))
    return Ahead(index, pages, child) if child else None


def _index(index, pages: list[Page], site_dir: str) -> Indexed:
    """In the child: every page indexed as the search plugin indexes it, and the index rewritten
    (on this one process: MkDocs keeps the other core busy)."""
    entries = {}
    for page in pages:
        index.entries = []
        index.add_entry_from_context(page)
        entries[page.file.src_uri] = index.entries
    index.entries = [entry for page_entries in entries.values() for entry in page_entries]
    return Indexed(entries, search.rewrite_ahead(index.generate_search_index(None), site_dir))
