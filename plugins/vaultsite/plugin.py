"""The `vaultsite` MkDocs plugin: the pipeline, one step per MkDocs event, in event order.

0. on_startup    remember whether this is a full build (only that may prune the notebook cache)
1. on_config     reset per-build state (the plugin object survives rebuilds under `serve`)
2. on_files      read every note once: decode and repair mojibake (under `serve`, a damaged
                 note that did not change keeps its repair); execute notebooks (cached)
                 and turn each into a note with its outputs; group versions of a note
                 (the others leave the nav); index the vault; add the unwritten-notes page,
                 our stylesheet, Mermaid if a note draws a diagram, and a home page if the
                 vault has none
   on_nav        sections are named by their folders as written; a note named like its folder is
                 that folder's page (Obsidian's folder notes);
                 exempt what is now alive from garbage collection until the build ends; start
                 normalizing every note, in the order MkDocs reads the pages (where the build
                 may fork, forked children normalize and render them ahead, on every core)
3. on_page_read_source   hand MkDocs the repaired text instead of the raw bytes; the
                         unwritten-notes page and our home page (read after the notes) once
                         every note's links and title are known
4. on_page_markdown      hand it the normalized Markdown, with the note's versions (logging the
                         note's problems), and the page rendered from it, if a child did;
                         version pages leave the search index
5. on_page_content       typeset math as MathML; tidy what Markdown extensions left behind;
                         a page that draws a diagram loads Mermaid; blocks in another language
                         than the site's say which
   on_env                every page read: who links to whom is known (with no note left to
                         write, its page leaves the nav); where the build may
                         fork, a forked child indexes the pages for search and rewrites the
                         index, while MkDocs writes the pages; under `serve`, the pages that
                         did not change keep their search entries
   on_page_context       add the notes that link to the page (after the search plugin indexed it)
6. on_post_build         check links to headings against the rendered pages; rewrite the
                         search index; write the build report and log its summary
"""

from __future__ import annotations

import functools
import gc
import html
import os
import posixpath
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, unquote

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

from . import (cachedir, diagrams, drawings, frontmatter, langmodel, languages, mathml, notebooks, parallel,
               preindex, prerender, properties, search)
from .backlinks import (TAGS_PAGE, backlinks, backlinks_block, home_page, linked_tags, tags_page,
                        unwritten_page)
from .config import VaultsiteConfig
from .dedup import Group, NoteVersion, group_versions
from .history import last_commit_times
from .links import leading_title, typora_root
from .navigation import fold_folder_notes, named_by_folders, without_page
from .normalize import Normalized, Problem, normalize, unlisted_headings
from .repair import Context, RepairResult, decode, may_need_repair, repair_text, without_nul_bytes
from .report import BuildReport
from .slugs import slugify as make_slugify, tag_slugify as make_tag_slugify
from .theme_settings import Theme
from .vault import VaultIndex, left_out, shown, template_folders
from .versions import canonical_note, version_note

log = get_plugin_logger(__name__)

CSS = "assets/vaultsite/vaultsite.css"
_TAG_LISTING = re.compile(r'<h[1-6] id="[^"]*/slug"')  # where Material's tags plugin writes a listing
_NESTED_ANCHOR = re.compile(r"(<a\b[^>]*>(?:(?!</?a\b).)*?)<a\b[^>]*>(.*?)</a>((?:(?!</?a\b).)*?</a>)", re.DOTALL)


def _timed(step: str):
    """Add the method's wall time to the build report's `seconds[step]` (where a build's time goes)."""
    def decorate(method):
        @functools.wraps(method)
        def timed(self, *args, **kwargs):
            start = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                self.report.seconds[step] += time.perf_counter() - start
        return timed
    return decorate


class VaultsitePlugin(BasePlugin[VaultsiteConfig]):
    full_build = False
    serving = False  # under `mkdocs serve`
    told: frozenset[str] | set[str] = frozenset()  # what the build before logged (see _inform)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.full_build = command == "build" and not dirty
        self.serving = command == "serve"
        # Under `mkdocs serve`, each page's search entries as the build before made them: a
        # rebuild indexes again only the pages that changed.
        self.search_kept = preindex.Kept() if command == "serve" else None
        # Each note as the build before normalized it, with what it was normalized from: under
        # `mkdocs serve` (the plugin lives on between builds) a saved note is normalized again,
        # the others only if the vault's files or a note they embed changed (see _normalize_notes).
        self.normalized_before: dict[str, tuple[tuple, Normalized]] = {}
        # Each damaged note's text and its repair in the build before: under `mkdocs serve`, a
        # damaged note that did not change keeps it (see _read_notes).
        self.repaired_before: dict[str, tuple[str, RepairResult]] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.report = BuildReport()
        self.told_before, self.told = self.told, set()
        if not self.config.enabled:
            return None
        self.sources: dict[str, str] = {}
        self.markdown: dict[str, str] = {}
        self.rendered: dict[str, prerender.Rendered] = {}  # pages rendered ahead, until MkDocs renders them
        self.fronts: dict[str, frontmatter.FrontMatter] = {}
        # Each note's title as its page shows it, as text, known once the note is normalized: the
        # home page, the backlinks, the unwritten-notes page and the versions list the note by it.
        self.titles: dict[str, str] = {}
        self.versions: set[str] = set()
        self.backlinks: dict[str, str] = {}  # HTML under each page linked from other notes
        self.links: dict[str, list[str]] = {}  # the notes each note links to
        self.unwritten: dict[str, set[str]] = defaultdict(set)  # unwritten note name: notes linking to it
        self.inline_tags: dict[str, list[str]] = {}  # the `#tags` each note's text writes
        self.tag_names: dict[str, str] = {}  # each tag's name, casefolded: as the first page spells it
        self.tagged = False  # whether a page has a tag
        self.listing_pages: list[Page] = []  # pages where Material's tags plugin lists tags (see on_env)
        # (note, normalized, page Markdown, page rendered ahead or None, formulas), as made
        self.normalizing = (_ for _ in ())
        self.indexing: preindex.Ahead | None = None  # the search index, made ahead by a child
        self.anchor_links: list[tuple[str, int, str, str, str]] = []  # (note, *Found.anchors item)
        self.cache_dir = Path(config.config_file_path or ".").resolve().parent / self.config.cache_dir
        try:
            cachedir.make(self.cache_dir)
        except cachedir.CacheUnusable as error:
            raise PluginError(f"vaultsite: {error}") from error
        self.workers = self.config.workers or parallel.available_cores()
        toc = config.mdx_configs.get("toc", {})
        slugify, separator = toc.get("slugify") or make_slugify(case="lower"), toc.get("separator", "-")
        self.slugify = lambda text: slugify(text, separator)
        self.callouts = {"-".join(str(kind).lower().split()): material  # (`Attack Rolls` is "attack-rolls")
                         for kind, material in self.config.callouts.items()}
        self.theme = Theme(tuple(config.theme.dirs), frozenset(map(str, (config.extra.get("status") or {}))))
        if self.config.mathml:
            _require_extension(config, "pymdownx.arithmatex", {"generic": True})
            # Math as Obsidian and Typora write it, between dollars: `\(x\)` is "(x)", escaped
            # brackets (a chat's answer pasted in), and `\begin{align}` outside `$$` is text.
            for syntax in ("inline_syntax", "block_syntax"):
                config.mdx_configs["pymdownx.arithmatex"].setdefault(syntax, ["dollar"])
        _require_extension(config, "md_in_html", {})  # embeds are Markdown in a <div>
        _require_extension(config, "vaultsite.tight_lists", {})  # lists written tight stay tight
        _require_extension(config, "vaultsite.escapes", {})  # `\%` is "%", as in CommonMark
        _require_extension(config, "vaultsite.footnote_order", {})  # footnotes numbered in reading order
        _require_extension(config, "vaultsite.html_blocks", {})  # HTML in a list item or a quote is HTML
        _require_extension(config, "vaultsite.header_tables", {})  # a table of a header row alone is that row
        _require_extension(config, "vaultsite.cjk_urls", {})  # a URL in Chinese text is a link of it alone
        _require_extension(config, "vaultsite.inline_attributes", {})  # braces after inline text are text
        _require_extension(config, "vaultsite.shortcodes", {})  # `00:de:ad` is no flag
        # Inline footnotes (`text^[note]`) are footnotes, numbered with the note's others as
        # Obsidian numbers them: in the order the text refers to them (unless mkdocs.yml says).
        _require_extension(config, "footnotes", {})
        config.mdx_configs["footnotes"].setdefault("USE_DEFINITION_ORDER", False)
        if self.config.mermaid:
            _require_extension(config, "pymdownx.superfences", {})
            diagrams.add_fences(config.mdx_configs["pymdownx.superfences"])
        tags = config.plugins.get("material/tags")
        if tags and getattr(getattr(tags.config.tags_slugify, "func", None), "__module__", "") == "pymdownx.slugs":
            # (pymdownx's, the plugin's default: mkdocs.yml names none) The site's one slugify, the toc's.
            tags.config.tags_slugify = make_tag_slugify(slugify)
        if "pymdownx.superfences" in config.markdown_extensions:
            # A fence's info string past its language (`java hl:2`, `js {1,3}`: Obsidian plugins')
            # made superfences read no fence, and the note after it code: Obsidian reads the language.
            config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("relaxed_headers", True)
        if CSS not in config.extra_css:
            config.extra_css.append(CSS)
        search.setup(config.extra_javascript, config.extra_css, self.cache_dir)  # and jieba's cache
        langmodel.use_cache(self.cache_dir)  # the repair model, built once from the word lists
        return config

    def _inform(self, message: str, anew: bool = False) -> None:
        """Log ``message`` at info level, or at debug level where the build before told it and
        nothing was done ``anew``: the rebuilds under `mkdocs serve` tell what changed, not each
        time again every note repaired as before and every notebook taken from the cache."""
        (log.debug if message in self.told_before and not anew else log.info)(message)
        self.told.add(message)

    @event_priority(50)
    @_timed("on_files")
    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        """Early (50), so that plugins after us see the repaired notes and our generated pages."""
        if not self.config.enabled:
            return None
        self._leave_out(files, config.docs_dir)
        self._pages_apart(files)
        notes = self._read_notes(files)
        if self.config.notebooks:
            self._execute_notebooks(notes, files, config)
        groups = self._group_versions(notes, config.docs_dir) if self.config.dedup else []
        self.fronts = {path: frontmatter.split(source) for path, source in self.sources.items()}
        self.groups = {path: g for g in groups for path in (g.canonical, *g.versions)}
        self.unwritten_file = self._add_generated_files(files, config)  # before the index: notes link to it
        # Not a file MkDocs leaves out (`exclude_docs`: a top `templates/` folder by default), to which
        # a link led to no page; a draft is one under `mkdocs serve`, which shows it.
        published = [f for f in files if (f.inclusion.is_in_serve() if self.serving else f.inclusion.is_included())]
        self.vault = VaultIndex({f.src_uri: unquote(f.url) for f in published}, config.docs_dir,
                                {path: front.body for path, front in self.fronts.items()},
                                redirects={v: g.canonical for g in groups for v in g.versions})
        return files

    @event_priority(-50)
    @_timed("on_nav")
    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Late (-50): every plugin has seen the files and the navigation, which children forked
        now render the pages with."""
        if not self.config.enabled:
            return None
        if not config.nav:  # sections made of the folders (a nav of mkdocs.yml's is written as meant)
            nav = named_by_folders(nav)
        self.nav = nav = fold_folder_notes(nav, self.vault, self.slugify)
        self.files = files  # as every plugin left them: to render pages, and check their headings
        # What is alive now (the notes, their index, the nav) lives until the build ends: keep the
        # garbage collector from walking it again for each page (on_post_build thaws it).
        gc.freeze()
        self._normalize_notes(config)
        return nav

    @_timed("on_page_read_source")
    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return None
        if page.file is self.unwritten_file:  # added after the notes: their links are mostly known by now
            self._take_normalized()
            return unwritten_page(page.file.src_uri, {name: sorted(s) for name, s in self.unwritten.items()},
                                  self.titles)
        if page.file is self.home_file:  # added after the notes too: their titles are known once taken
            self._take_normalized()
            return home_page(config.site_name, {p: t for p, t in self.titles.items() if p not in self.versions})
        if page.file.src_uri not in self.fronts:
            return None
        return frontmatter.as_source(self.fronts[page.file.src_uri], self.theme)

    @_timed("on_page_markdown")
    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        if page.file.src_uri in self.versions:
            page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
        self._take_normalized(until=page.file.src_uri)
        if page.file.src_uri in self.fronts:
            self._tag_page(page)
        if (rendered := self.rendered.pop(page.file.src_uri, None)) is not None:
            prerender.use(page, rendered)
        markdown = self.markdown.get(page.file.src_uri, markdown)
        return self._with_versions(page.file.src_uri, markdown) if page.file.src_uri in self.groups else markdown

    def _tag_page(self, page: Page) -> None:
        """Before Material's tags plugin reads them (-50), from where it reads them: the notes of
        a tag are those whose front matter or text writes it, in any case ("#ML" is "#ml"), as
        Obsidian counts them. Where the tags plugin allows only some tags (`tags_allowed`), a tag
        of the text that it does not allow is none (the plugin stops the build on one), and a tag
        is spelt as the list spells it."""
        if not self.tags_plugin:
            return
        key = self.tags_plugin.config.tags_name_property
        if page.file.src_uri in self.versions:
            # A version is its canonical note's, whose page the tags lead to; listed beside it, it
            # would be a second entry of the same title.
            page.meta.pop(key, None)
            return
        written = _tag_names(page.meta, key)
        if written is None:
            return  # not a list of names: the tags plugin says what is wrong with them
        allowed = {tag.name.casefold(): tag.name for tag in self.tags_plugin.config.tags_allowed}
        inline = [n for n in self.inline_tags.get(page.file.src_uri, []) if not allowed or n.casefold() in allowed]
        if names := [*written, *inline]:
            self.tagged = True
            page.meta[key] = list(dict.fromkeys(
                self.tag_names.setdefault(n.casefold(), allowed.get(n.casefold(), n)) for n in names))

    @event_priority(-100)
    @_timed("on_env")
    def on_env(self, env, config: MkDocsConfig, files: Files):
        """Every page is read and every note normalized (those no page reads too): the notes
        that link to each page are known before any page is written. Last (-100): the pages are
        as every plugin left them, which a child indexes for search now."""
        if self.config.enabled:
            language, latin = _site_language(config), self.config.latin_language
            for page in self.listing_pages:  # as the tags plugin (before us) wrote its listings
                page.content = languages.mark_languages(page.content, language, latin)
            self._take_normalized()
            self._add_backlinks()
            if self.unwritten_file and not self.unwritten:
                without_page(self.nav, self.unwritten_file.page)
            if self.tags_file and not self.tagged:
                without_page(self.nav, self.tags_file.page)
            if self.full_build and self.workers > 1:
                self.indexing = preindex.start(config, files)
            elif self.search_kept and (index := preindex.search_index(config)):
                self.search_kept.use(index)
        return env

    @_timed("on_page_content")
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        # magiclink also links the URL text inside a raw `<a href>`: keep the outer anchor.
        html = _NESTED_ANCHOR.sub(r"\1\2\3", html)
        page.toc.items = _toc_without(page.toc.items, unlisted_headings(html))
        if self.config.mathml:
            html, problems = mathml.typeset(html)
            mathml.typeset_toc(page.toc.items)
            source = self.sources.get(page.file.src_uri, "")
            for tex, what in problems:
                at = source.find(tex)  # where the note writes it (an embedded note's formula: not here)
                where = f"{page.file.src_uri}:{source.count(chr(10), 0, at) + 1}" if at >= 0 else page.file.src_uri
                log.warning(f"{where}: {what}: ${tex}$")
        if self.mermaid_file:
            html = diagrams.with_script(html, self.mermaid_file.url_relative_to(page.file))
        html = _titled(html, page)
        if self.tags_plugin and _TAG_LISTING.search(html):
            # Where Material lists tags, its placeholder heading (`…/name`, Latin letters) is the
            # model of every tag's: marked English, it made every tag's so, Chinese ones too.
            self.listing_pages.append(page)
            return html
        return languages.mark_languages(html, _site_language(config), self.config.latin_language)

    @event_priority(-50)
    @_timed("on_page_context")
    def on_page_context(self, context, page: Page, config: MkDocsConfig, nav: Navigation):
        """Late (-50): the search plugin has indexed the page by then, so the backlinks stay out
        of the index, as the navigation does, and it never parses their HTML."""
        if self.config.enabled:
            self._link_inline_tags(context, page)
            page.content += self.backlinks.get(page.file.src_uri, "")
        return context

    def _link_inline_tags(self, context, page: Page) -> None:
        """The page's `#tags`, and those of the notes it embeds, link where Material's tags plugin
        (before us) lists their notes (not a shadow tag, where the plugin lists none); the tags above
        its title are those of its front matter, as Obsidian shows them."""
        plugin = self.tags_plugin
        if not plugin or page.file.src_uri not in self.fronts:
            return
        tags = plugin.config.tags_name_variable
        refs = context.get(tags)
        if refs is None and not plugin.config.tags:  # (the plugin shows no tags above titles)
            refs = self._tag_references(page)
        _, result = self.normalized_before.get(page.file.src_uri, (None, None))
        for path in sorted(result.embedded if result else ()):
            if (file := self.files.get_file_from_path(path)) and file.page:
                refs = [*self._tag_references(file.page), *(refs or [])]  # (the page's own last: first)
        if not refs:
            return
        urls = {ref.name.casefold(): normalize_url(ref.url, page) for ref in refs
                if ref.url and (plugin.config.shadow or not ref.hidden)}
        page.content = linked_tags(page.content, urls)
        if tags in context:
            front = {name.casefold() for name in _tag_names(
                self.fronts[page.file.src_uri].meta, plugin.config.tags_name_property) or []}
            context[tags] = [ref for ref in context[tags] if ref.name.casefold() in front]

    def _tag_references(self, page: Page) -> list:
        """Where Material's tags plugin lists each tag of `page` (its internals: it gives them only
        to the page's own template, and only where it shows tags above titles)."""
        mapping = self.tags_plugin.mappings.get(page)
        return list(self.tags_plugin.listings & mapping) if mapping else []

    @event_priority(-50)
    def on_post_build(self, config: MkDocsConfig) -> None:
        """Late (-50): after the search plugin has written the index that search.py rewrites."""
        if not self.config.enabled:
            return
        gc.unfreeze()
        self._check_anchor_links()
        self._update_search(config.site_dir)
        try:
            self.report.write(self.cache_dir / "report.json")
        except OSError as error:
            raise PluginError(f"vaultsite: cannot write the build report in {self.cache_dir}: {error}")
        log.info(f"{self.report.summary()} (report: {self.cache_dir / 'report.json'})")

    def on_build_error(self, *, error: Exception) -> None:
        # As on_post_build: under `mkdocs serve` the next build starts afresh.
        gc.unfreeze()
        if self.config.enabled:
            self.normalizing.close()  # stops the children still normalizing, if any
            if self.indexing:
                self.indexing.cancel()

    @_timed("on_post_build: search index")
    def _update_search(self, site_dir: str) -> None:
        ahead = self.indexing and self.indexing.rewritten
        if stats := search.update_site(site_dir, self.workers, ahead):
            log.debug(stats.summary() + (", made ahead in a forked process" if ahead else ""))
        if self.search_kept:
            log.debug(f"search index: {self.search_kept.taken} pages indexed as in the build before")

    def _pages_apart(self, files: Files) -> None:
        """A note beside a folder of its name that holds an index.md or README.md (`lang.md` and
        `lang/index.md`) is published at `lang.html`: both were at `lang/`, where the folder's note
        alone was written, and every link to the other led to it."""
        folders = {f.dest_uri for f in files.documentation_pages() if f.name == "index"}
        for f in files.documentation_pages():
            if f.name != "index" and f.dest_uri in folders:
                dest = posixpath.join(posixpath.dirname(posixpath.dirname(f.dest_uri)), f"{f.name}.html")
                self._inform(f"{f.src_uri}: published at {dest}, since {posixpath.dirname(f.dest_uri)}/ is its "
                             "folder's index")
                f.dest_uri, f.url = dest, quote(dest)
                f.abs_dest_path = os.path.normpath(os.path.join(f.dest_dir, dest))

    def _leave_out(self, files: Files, docs_dir: str) -> None:
        """Take out of the site the backups of repaired notes, the files whose names are not UTF-8
        (no URL can name them), every link (a symlink) to a file outside the docs folder, and the
        templates folder Obsidian's settings name: nothing there is the vault's to publish, or to open."""
        vault = {f.src_uri: f.abs_src_path for f in files if f.src_dir == docs_dir}  # not the theme's
        backups, undecodable, outside = left_out(vault, docs_dir)
        for path in undecodable:
            log.warning(f"{shown(path)}: a file name that is not UTF-8 has no URL: not published; "
                        "rename the file (or its folder) in UTF-8")
        for path, real in outside:
            log.warning(f"{path}: a link to {real}, outside the docs folder: not read, not published")
        folders = template_folders(docs_dir)
        for folder, settings in folders.items():
            self._inform(f"{folder}/: the vault's templates folder (as {settings} says): not published")
        templates = [path for path in vault if any(path.startswith(f"{folder}/") for folder in folders)]
        for path in [*backups, *undecodable, *(path for path, _ in outside), *templates]:
            files.remove(files.get_file_from_path(path))

    @_timed("on_files: read and repair")
    def _read_notes(self, files: Files) -> list[File]:
        """Decode and repair each note into self.sources (notes that cannot need repair give the
        repair model the vault's vocabulary); a binary file is taken out of the site. Returns the
        notes."""
        notes = list(files.documentation_pages())
        raw = {f.src_uri: f.content_bytes for f in notes}
        for f in notes:
            data, line = without_nul_bytes(raw[f.src_uri])
            if data is None:
                log.warning(f"{f.src_uri}:{line}: binary data in a note (NUL bytes), not published")
                del raw[f.src_uri]
                files.remove(f)
            elif line:
                log.warning(f"{f.src_uri}:{line}: NUL bytes in a note, left out")
                raw[f.src_uri] = data
        if not self.config.repair:
            # (UTF-16 is read as UTF-8 then, its NULs left out: decoding it is the repair's.)
            self.sources = {path: _newlines(data.decode("utf-8-sig", errors="replace").replace("\0", ""))
                            for path, data in raw.items()}
            return [f for f in notes if f.src_uri in raw]
        decoded = {path: decode(data) for path, data in raw.items()}
        suspects = {path for path, (text, _) in decoded.items() if may_need_repair(text)}
        context = Context([text for path, (text, _) in decoded.items() if path not in suspects])
        # A damaged note's repair takes seconds, and the vault's other notes change it seldom (by
        # the words they add to the model): a rebuild while serving keeps the repair of a damaged
        # note that did not change; `mkdocs build` always repairs afresh.
        before, self.repaired_before = self.repaired_before, {}
        for path, (text, encoding) in decoded.items():
            kept = path in suspects and path in before and before[path][0] == text
            if kept:
                result = before[path][1]
            else:
                result = repair_text(text, context) if path in suspects else RepairResult(text)
            result = replace(result, encoding=encoding)
            if path in suspects:
                self.repaired_before[path] = (text, result)
            if result.changed:
                self.report.note(path)["repair"] = result.to_dict()
                self._inform(f"{path}: {result.summary()}", anew=not kept)
            self.sources[path] = _newlines(result.text)
        return [f for f in notes if f.src_uri in raw]

    @_timed("on_files: notebooks")
    def _execute_notebooks(self, notes: list[File], files: Files, config: MkDocsConfig) -> None:
        """Run each notebook (or take its outputs from the cache) and make it a plain note with
        its outputs, so links, headings and search treat it like any other note."""
        found = {f.src_uri: f for f in notes if notebooks.is_notebook(f.src_uri, self.sources[f.src_uri])}
        if not found:
            return
        sources = {Path(f.abs_src_path or f.src_uri): self.sources[uri] for uri, f in found.items()}
        try:
            results = notebooks.execute(sources, self.cache_dir / "notebooks",
                                        timeout=self.config.notebook_timeout,
                                        workers=self.config.notebook_workers)
        except (notebooks.KernelUnavailable, OSError) as error:
            raise PluginError(f"vaultsite: cannot execute notebooks: {error}")
        for uri, result in zip(found, results):
            if result.error:
                log.warning(f"{uri}:{result.error_line or 1}: cell {result.error_cell}: {result.error_message}")
            else:
                self._inform(f"{uri}: " + ("outputs from the cache" if result.from_cache
                                           else f"executed in {result.seconds:.1f} s"), anew=not result.from_cache)
            self.sources[uri], images = notebooks.to_markdown(result.notebook)
            for name, data in images.items():
                files.append(File.generated(config, posixpath.join(posixpath.dirname(uri), name), content=data))
        if self.full_build:
            notebooks.NotebookCache(self.cache_dir / "notebooks").prune(r.key for r in results if r.key)

    @_timed("on_files: versions")
    def _group_versions(self, notes: list[File], docs_dir: str) -> list[Group]:
        """Versions of one note (copies, repaired copies, older exports): one canonical page. (Not
        of drawings: the plugin writes each alike around its data, `# Excalidraw Data` and all.)"""
        commits = last_commit_times(docs_dir)
        repaired = {path for path, entry in self.report.notes.items() if "repair" in entry}
        groups = group_versions([
            NoteVersion(f.src_uri, self.sources[f.src_uri], f.src_uri in repaired,
                        os.stat(f.abs_src_path).st_mtime if f.abs_src_path else 0.0, commits.get(f.src_uri))
            for f in notes if not drawings.is_drawing(f.src_uri, self.sources[f.src_uri])], self.workers)
        self.report.groups = [{"canonical": g.canonical, "versions": list(g.versions), "why": list(g.reasons)}
                              for g in groups]
        self.versions = {v for g in groups for v in g.versions}
        for f in notes:
            if f.src_uri in self.versions:
                f.inclusion = InclusionLevel.NOT_IN_NAV
        for g in groups:
            self._inform(f"{g.canonical}: canonical page of {len(g.versions) + 1} versions "
                         f"({', '.join(g.versions)})")
        return groups

    @_timed("on_nav: normalize")
    def _normalize_notes(self, config: MkDocsConfig) -> None:
        """Start normalizing every note, in the order MkDocs reads the pages: where the build may
        fork, forked children normalize the notes, render their pages and convert their formulas
        ahead, on every core (MkDocs, on one, mostly waits for them meanwhile); else here, each
        as its page is read. A note the build before normalized (under `mkdocs serve`) from the
        same text, in a vault of the same files (see VaultIndex.layout_key), with the same text in
        each note it embeds and the same headings in each it links to one of, is taken as it was."""
        notes = list(self.fronts.items())
        processes = parallel.imap_processes(len(notes), self.workers)
        where = (f"and rendering them ahead, in {processes} forked process{'es' if processes > 1 else ''}"
                 if processes else "as their pages are read")
        log.debug(f"normalizing {len(notes)} notes {where}")
        before, self.normalized_before = self.normalized_before, {}
        self.layout = self.vault.layout_key()

        def normalized(note: tuple[str, frontmatter.FrontMatter]):
            path, front = note
            if path in before and before[path][0] == self._normalized_from(front, before[path][1]):
                result = before[path][1]
            else:
                result = _normalized_or_as_written(front, path, self.vault, self.slugify, self.callouts, self.theme)
            markdown = self._page_markdown(path, result)
            if not processes or path in self.groups:  # (rendered with its versions: see _with_versions)
                return path, result, markdown, None, {}
            file = self.files.get_file_from_path(path)
            rendered = prerender.render(file, markdown, config, self.files) if file else None
            formulas = (mathml.converted(rendered.content, rendered.toc.items)
                        if rendered and self.config.mathml else {})
            return path, result, markdown, rendered, formulas

        self.normalizing = parallel.imap_ordered(normalized, notes, self.workers)

    def _normalized_from(self, front: frontmatter.FrontMatter, result: Normalized) -> tuple:
        """What normalizing a note read: the vault's layout, the note's text and front matter (its
        properties, the folder Typora reads its root from), the text of each note
        it embeds, and the headings of each note it links to a heading of (whose id may be another
        once that note is edited: the link kept the id it had)."""
        linked = {target for _, target, _, _ in result.found.anchors} - result.embedded
        return (self.layout, front.body, front.body_line, front.raw,
                [(p, self.vault.body(p)) for p in sorted(result.embedded)],
                [(p, self.vault.headings(p, self.slugify)) for p in sorted(linked)])

    def _take_normalized(self, until: str | None = None) -> None:
        """Take the normalized notes into self.markdown, up to the note at `until` (all without):
        their problems are logged, their links and titles learnt. A version's links count once,
        as its canonical's."""
        if until is not None and (until in self.markdown or until not in self.fronts):
            return
        for path, result, markdown, rendered, formulas in self.normalizing:
            front = self.fronts[path]
            self.normalized_before[path] = (self._normalized_from(front, result), result)
            self.markdown[path] = markdown
            self.titles[path] = _page_title(path, front.meta, markdown)
            if rendered is not None:
                self.rendered[path] = rendered
            mathml.remember(formulas)  # typeset in on_page_content, from what a child converted
            if front.error:
                log.warning(f"{path}:{front.error_line}: {front.error}; shown under the title of the page")
            for line, why in front.ignored:
                log.warning(f"{path}:{line}: {why}")
            self._report_normalized(path, result)
            if path not in self.versions:
                self.links[path] = [target for _, target in result.found.links]
                self.inline_tags[path] = result.tags
                for _, name in result.found.unwritten:
                    self.unwritten[name].add(path)
            if path == until:
                return

    def _page_markdown(self, path: str, result: Normalized) -> str:
        """The page's Markdown: the normalized note, with its properties, or front matter that is not
        YAML, shown under its title (above it, the page showed its title twice: its name on top, its
        heading under the box)."""
        shown = f'<div class="vs-properties" markdown>\n\n{result.properties}\n\n</div>\n\n' if result.properties else ""
        return _after_title(result.text, _show_broken_front_matter(self.fronts[path]) + shown)

    def _with_versions(self, path: str, markdown: str) -> str:
        """The page's Markdown with the note's versions (a canonical note lists them; a version says
        whose it is and what it adds), each titled as its page is: every version is taken first."""
        group = self.groups[path]
        for version in (group.canonical, *group.versions):
            self._take_normalized(until=version)
        if path == group.canonical:
            return markdown + canonical_note(group, self.titles)
        banner, diff = version_note(path, group, self.titles, self.fronts[group.canonical].body, self.fronts[path].body)
        return _after_title(markdown, banner) + diff

    def _add_backlinks(self) -> None:
        for target, sources in backlinks(self.links).items():
            if target in self.markdown:  # a note, not a generated page
                self.backlinks[target] = backlinks_block(sources, self.titles,
                                                         lambda s: self.vault.href(target, s))

    def _add_generated_files(self, files: Files, config: MkDocsConfig) -> File | None:
        """Our stylesheet, Mermaid where a note draws a diagram, a home page where the vault has
        none, a page of tags where Material's tags plugin lists them and the vault has none, and
        the unwritten-notes page (its content comes once links are known)."""
        css = Path(__file__).parent / "assets" / "vaultsite.css"
        files.append(File.generated(config, CSS, abs_src_path=str(css)))
        self.mermaid_file = None
        if self.config.mermaid and diagrams.drawn_in(self.sources.values()):
            self.mermaid_file = File.generated(config, diagrams.SCRIPT, content=diagrams.script())
            files.append(self.mermaid_file)
        self.home_file = None  # (its content comes once the notes' titles are known)
        if not any(f.dest_uri == "index.html" for f in files):
            self.home_file = File.generated(config, "index.md", content="")
            files.append(self.home_file)
            self._inform("the vault has no index.md: the home page lists its notes")
        tags = config.plugins.get("material/tags")
        self.tags_plugin = tags if tags and tags.config.enabled else None
        self.tags_file = None
        # Whether the notes' text writes tags is known once they are normalized: on_env leaves the
        # page out of the navigation of a vault without tags.
        if self.tags_plugin and tags.config.listings and _vacant(
                files, tags_file := File.generated(config, TAGS_PAGE, content=tags_page())):
            self.tags_file = tags_file
            files.append(self.tags_file)
        page = self.config.unwritten_page
        if not page or not _vacant(files, generated := File.generated(config, page, content="")):
            return None
        files.append(generated)
        return generated

    def _report_normalized(self, path: str, result: Normalized) -> None:
        entry = self.report.note(path)
        entry["normalized"] = {kind: count for kind, count in result.applied.items() if count}
        entry["missing_assets"] = [f"{line}: {target}" for line, target in result.found.missing]
        entry["unwritten"] = [f"{line}: {target}" for line, target in result.found.unwritten]
        for problem in result.problems:
            log.warning(f"{path}:{problem.line}: {problem.message}")
        # Like any missing file (the vault's root is the top), so not a warning: the real notes
        # have such links to images that were never in the vault.
        for line, target in result.found.outside:
            log.info(f"{path}:{line}: link climbs out of the vault, not followed: {target}")
        for line, url in result.found.unsafe:
            shown = url if len(url) <= 200 else f"{url[:80]}…"  # (a path whole; a data: URL may be megabytes)
            log.warning(f"{path}:{line}: link to {shown!r} not published "
                        "(script and data URLs and paths on the author's disk never are)")
        self.anchor_links.extend((path, *anchor) for anchor in result.found.anchors)

    @_timed("on_post_build: links to headings")
    def _check_anchor_links(self) -> None:
        """Each link to a heading against the ids its page was rendered with: every note is
        parsed once, by Markdown, and embedded headings count as the reader sees them. (Each
        heading a line links to is told once: a line may link to it twice.)"""
        for path, line, target, heading, anchor in dict.fromkeys(self.anchor_links):
            target_file = self.files.get_file_from_path(target)
            ids = target_file.page.present_anchor_ids if target_file and target_file.page else None
            if ids is not None and anchor not in ids:
                what = "block" if heading.startswith("^") else "heading"
                log.warning(f"{path}:{line}: links to a {what} that {target} does not have: "
                            f"#{heading} (check the {what}'s {'id' if what == 'block' else 'text'})")


def _toc_without(items: list, ids: set[str]) -> list:
    """Table of contents items without those of `ids`, the others nested anew by their levels (a
    heading after an embed or a callout that holds a `# ` heading was that heading's child)."""
    kept = []

    def walk(items: list) -> None:
        for item in items:
            if item.id not in ids:
                kept.append(item)
            walk(item.children)
    walk(items)
    roots, open_items = [], []
    for item in kept:
        item.children = []
        while open_items and open_items[-1].level >= item.level:
            open_items.pop()
        (open_items[-1].children if open_items else roots).append(item)
        open_items.append(item)
    return roots


def _newlines(text: str) -> str:
    """`text` with Windows' and old Macs' line endings (CRLF, CR alone) as LF: Markdown reads a CR
    alone as a line ending too, and every pass splits the note's lines on LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _site_language(config: MkDocsConfig) -> str:
    """The language `<html lang>` says: Material's `theme.language`, or MkDocs' `theme.locale`."""
    return str(config.theme.get("language") or config.theme.get("locale") or "en")


def _titled(content: str, page: Page) -> str:
    """The page with its title on top, as Obsidian shows a note's name. Material writes it there
    only where the page holds no `<h1` at all, so a note that shows an H1 other than its leading
    `# ` heading (raw `<h1>` HTML, or a `# ` heading under a banner) had none; and written in its
    template, it is told no language of its own (an English note's name was read in the site's
    Chinese voice: see languages.py). So the page's content holds it. A page without a
    title of its own (front matter `title`, a leading `# ` heading) is titled by its file name as
    written, as Obsidian names the note and the lists of notes name it: MkDocs capitalized a
    lower-case name (`tips1.md` was "Tips1") and read `-` and `_` as spaces. The name is escaped,
    as every other title is already: the navigation of every page showed a note `R&D <em>x.md`
    as markup."""
    if page._title_from_render:  # the note opens with its `# ` heading, its title (MkDocs'), or the front matter's
        return content
    if "title" not in page.meta and not page.is_homepage:  # (MkDocs calls that "Home")
        page.meta["title"] = html.escape(_file_name(page.file.src_uri))
    # (Out of the search index, as Material's own title is: the page's entry is titled by it.)
    return f"<h1 data-search-exclude>{page.title}</h1>\n{content}" if page.title else content


def _page_title(path: str, meta: dict, markdown: str) -> str:
    """The title the page of the note at `path` shows, as text (`meta`: its front matter;
    `markdown`: the page's): its front matter `title`, else the text of its leading `# ` heading,
    as MkDocs reads it, else its file name as written (see _titled). Not the note's first `# `
    heading wherever it is, unrendered: the lists titled a note `1 [[esc]] and **bold**` that its
    page titled by its name."""
    if (title := frontmatter.title(meta)) is not None:
        return title
    return leading_title(markdown) or _file_name(path)


def _file_name(path: str) -> str:
    """A page's name (`x.ipynb` is "x"); a drawing's, less `.excalidraw`."""
    if path.lower().endswith(".md"):
        return drawings.name(path)
    return posixpath.splitext(posixpath.basename(path))[0]


def _vacant(files: Files, generated: File) -> bool:
    """Whether no file of the vault is where `generated` would be: its `tags.md`, or its
    `tags/index.md`, which has the same URL (the page made would be written over it)."""
    return files.get_file_from_path(generated.src_uri) is None and not any(
        f.dest_uri == generated.dest_uri for f in files)


def _tag_names(meta: dict, key: str) -> list[str] | None:
    """A note's front matter tags under `key` as the names Material's tags plugin makes of them (a
    number is its text), escaped: the plugin writes each name into the pages as it is, so a tag
    `<img onerror=…>` is shown, never run. None where they are not a list of names, which the plugin
    reports."""
    written = meta.get(key)
    if written is None:
        return []
    if not isinstance(written, list) or not all(isinstance(n, (str, int, float, bool)) for n in written):
        return None
    return [html.escape(str(n)) for n in written]


def _normalized_or_as_written(front: frontmatter.FrontMatter, path: str, vault: VaultIndex,
                              slugify: Callable[[str], str], callouts: dict[str, str], theme: Theme) -> Normalized:
    """The note normalized, or, where normalizing it fails (a bug of ours), the note as written, with
    a warning that names it: one note never stops the build of the others."""
    try:
        root = typora_root(path, front.meta.get("typora-root-url"), vault)
        return normalize(front.body, path, vault, slugify, front.body_line, callouts, root,
                         properties.markdown(front.meta, front.raw, theme), frontmatter.title(front.meta))
    except Exception as error:  # whatever it is, the note is shown; the warning says what it was
        log.debug(f"{path}: normalizing failed", exc_info=True)
        return Normalized(_as_written(front.body), problems=[Problem(front.body_line, (
            f"this note could not be normalized ({type(error).__name__}: {error}); it is shown as written, without its "
            "links resolved. This is a bug in vaultsite: please report it with the note"))])


_FENCE = re.compile(r"[ \t>]*(`{3,}|~{3,})")


def _as_written(text: str) -> str:
    """The note's text shown as text (a block of code), less its comments: what normalizing leaves
    out stays out, the comments (`%%…%%`, outside fenced code; one never closed hides the rest, as
    in Obsidian) and what would run a script (a `javascript:` link, `onerror=`), which as Markdown
    would be published."""
    lines, fence, comment = [], "", False
    for line in text.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            fence = "" if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence) else fence
        elif opening and not comment:
            fence = opening[1]
        else:
            parts = line.split("%%")
            line = "".join(part for k, part in enumerate(parts) if k % 2 == comment)
            comment ^= len(parts) % 2 == 0
        lines.append(line)
    shown = "\n".join(lines)
    marks = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", shown)), default=0))
    return f"{marks}text\n{shown}\n{marks}\n"


def _show_broken_front_matter(front: frontmatter.FrontMatter) -> str:
    """Front matter that is not YAML is shown, not dropped: the author sees it and loses nothing."""
    if not front.error:
        return ""
    fence = "````" if "```" in front.raw else "```"
    body = "\n".join("    " + line for line in f"{fence}yaml\n{front.raw}{fence}".split("\n"))
    return f'!!! failure "{html.escape(front.error)}"\n\n{body}\n\n'  # (YAML's "<stream end>" is no tag)


def _after_title(markdown: str, block: str) -> str:
    """Insert `block` after the note's `# ` title line (MkDocs takes the title from a leading H1)."""
    match = re.search(r"^ {0,3}# .*$", markdown, re.MULTILINE)
    if match is None or markdown[:match.start()].strip():
        return block + markdown
    return markdown[:match.end()] + "\n\n" + block + markdown[match.end():]


def _require_extension(config: MkDocsConfig, name: str, options: dict) -> None:
    if name not in config.markdown_extensions:
        config.markdown_extensions.append(name)
    config.mdx_configs.setdefault(name, {}).update(options)
