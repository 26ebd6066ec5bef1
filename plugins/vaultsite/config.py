"""Typed options of the `vaultsite` plugin (the `plugins: - vaultsite:` block of mkdocs.yml)."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from .normalize import MATERIAL_TYPES


class VaultsiteConfig(Config):
    enabled = c.Type(bool, default=True)
    # Caches and the build report, relative to mkdocs.yml (like Material's own plugins' `.cache/`).
    cache_dir = c.Type(str, default=".cache/vaultsite")
    # Repair mojibake and legacy encodings while reading notes (see repair.py).
    repair = c.Type(bool, default=True)
    # Versions of one note (copies, mojibake copies, older exports) become one canonical page.
    dedup = c.Type(bool, default=True)
    # Execute notebook notes (jupytext Markdown: a `.md` whose front matter names a kernel) at build
    # time, cached by their code. `.ipynb` and `.py` files are published as files, not pages.
    notebooks = c.Type(bool, default=True)
    notebook_timeout = c.Type(int, default=60)  # seconds a cell may run
    notebook_workers = c.Type(int, default=2)  # notebooks executed at once
    # Math to MathML at build time, so formulas need no script and no network when read.
    mathml = c.Type(bool, default=True)
    # Mermaid diagrams (```mermaid fences), drawn in the browser by the copy of Mermaid the site
    # carries (no CDN), on the pages that have one.
    mermaid = c.Type(bool, default=True)
    # Processes that share per-note work in `mkdocs build` (0: one per core; see parallel.py).
    workers = c.Type(int, default=0)
    # The generated page listing notes that are linked to but not written yet ("" for none).
    unwritten_page = c.Type(str, default="unwritten.md")
    # The language of a block written in Latin letters alone, on a site in Chinese, Japanese or Korean
    # (its `lang`, which screen readers read it in; "" for none; see languages.py).
    latin_language = c.Type(str, default="en")
    # Callout types of the vault's own (CSS snippets style them in Obsidian), each shown as one of
    # Material's admonitions: `callouts: {card: note, 信息: info}`. Any other type Material lacks is
    # shown as a note, with a warning.
    callouts = c.DictOfItems(c.Choice(sorted(MATERIAL_TYPES)), default={})
