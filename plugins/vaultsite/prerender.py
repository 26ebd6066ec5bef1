"""Render a note's page ahead, in a forked child, as MkDocs' `Page.render` would; the page takes
the result when MkDocs renders it.

MkDocs renders the pages one after another on one core, and Python-Markdown is most of the time
it spends reading them. A child forked once every plugin has seen the files and the navigation
holds the same config, files and extensions, so the HTML it makes is the HTML this process would
make. What `Page.render` leaves on a page comes back pickled, with what it logged; the log records
are logged again here when MkDocs renders the page, in the order a build on one core logs them,
so `--strict` counts them.

A page takes the result only if the Markdown it renders is the Markdown the child rendered (a
plugin after ours may have changed it); otherwise it renders as usual.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents


@dataclass
class Rendered:
    markdown: str
    content: str
    toc: TableOfContents
    title: str | None
    anchor_ids: set[str]
    links_to_anchors: dict[str, dict[str, str]] | None  # by the linked file's src_uri
    records: list[tuple[str, int, str]]  # (logger, level, message)


def render(file: File, markdown: str, config: MkDocsConfig, files: Files) -> Rendered | None:
    """In a forked child: the page of `file` rendered from `markdown`. None where the page renders
    its own way, or rendering fails (MkDocs renders it again, and reports the error as usual)."""
    page = file.page or Page(None, file, config)  # a page out of the nav gets its own later
    if type(page).render is not Page.render:
        return None
    page.markdown = markdown
    config._current_page = page  # as MkDocs sets it: `!relative` paths in mdx_configs read it
    try:
        with _captured() as records:
            Page.render(page, config, files)
    except Exception:
        return None
    finally:
        config._current_page = None
    links = page.links_to_anchors
    rendered = Rendered(markdown, page.content, page.toc, page._title_from_render, page.present_anchor_ids,
                        None if links is None else {f.src_uri: anchors for f, anchors in links.items()},
                        records)
    # The child keeps none of it: what it renders next would add up.
    page.markdown = page.content = page.toc = page.present_anchor_ids = page.links_to_anchors = None
    return rendered


def use(page: Page, rendered: Rendered) -> None:
    """Have MkDocs' render of `page` take `rendered`, if it is of the Markdown the page has then."""
    if type(page).render is not Page.render or "render" in vars(page):
        return

    def render(config: MkDocsConfig, files: Files) -> None:
        del page.render  # rendered once; a page rendered again (by another plugin) renders as usual
        if page.markdown != rendered.markdown:
            return Page.render(page, config, files)
        for name, level, message in rendered.records:
            logging.getLogger(name).log(level, message)
        page.content, page.toc = rendered.content, rendered.toc
        page._title_from_render = rendered.title
        page.present_anchor_ids = rendered.anchor_ids
        if rendered.links_to_anchors is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): anchors
                                     for uri, anchors in rendered.links_to_anchors.items()}

    page.render = render


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not self.records or self.records[-1] is not record:  # once, however many loggers pass it on
            self.records.append(record)


@contextmanager
def _captured() -> Iterator[list[tuple[str, int, str]]]:
    """What is logged meanwhile, kept instead of shown: a child's output would reach the terminal
    out of order, and MkDocs' count of warnings (`--strict`) is this process's."""
    capture, found = _Capture(), []
    loggers = [logging.root, *(logger for logger in logging.root.manager.loggerDict.values()
                               if isinstance(logger, logging.Logger) and logger.handlers)]
    handlers = [logger.handlers for logger in loggers]
    for logger in loggers:
        logger.handlers = [capture]
    try:
        yield found
    finally:
        for logger, kept in zip(loggers, handlers):
            logger.handlers = kept
        found.extend((record.name, record.levelno, record.getMessage()) for record in capture.records)
