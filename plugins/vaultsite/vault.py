"""The vault as link resolution sees it: which files exist, what notes are called, how big an
image is, and where each file lands in the site.

Built from the files MkDocs found (vault path -> site URL) and the notes' repaired texts, so
nothing outside the docs folder is ever looked up or opened.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from PIL import Image, UnidentifiedImageError

from .links import Heading, note_headings


# What `vaultsite fix --write` keeps of a note it repaired: NAME.md.orig, NAME.md.orig.1, ...
BACKUP_SUFFIX = ".orig"
_BACKUP = re.compile(re.escape(BACKUP_SUFFIX) + r"(\.\d+)?$")


def left_out(files: dict[str, str | None],
             docs_dir: str | Path) -> tuple[list[str], list[str], list[tuple[str, Path]]]:
    """Of the files found in the docs folder ({vault path: path on disk, None if generated}): the
    backups `vaultsite fix --write` made; the files whose path is not UTF-8, which no URL can name
    (MkDocs stops on the first it makes a URL for); and the links to files outside the folder,
    with where they lead. None is published, and nothing opens a file outside."""
    docs = Path(docs_dir).resolve()
    backups, undecodable, outside = [], [], []
    for path, source in files.items():
        if _BACKUP.search(path):
            backups.append(path)
        elif shown(path) != path:
            undecodable.append(path)
        elif source is not None and not (real := Path(source).resolve()).is_relative_to(docs):
            outside.append((path, real))
    return backups, undecodable, outside


# Where Obsidian's core Templates plugin and the Templater plugin keep the vault's templates folder.
_TEMPLATE_SETTINGS = ((".obsidian/templates.json", "folder"),
                      (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"))


def template_folders(docs_dir: str | Path) -> dict[str, str]:
    """The vault's templates folders, as its Obsidian settings name them ({folder: the settings
    file}): notes to start others from, `{{title}}` and all, no note of the vault's."""
    folders = {}
    for settings, key in _TEMPLATE_SETTINGS:
        try:
            folder = json.loads((Path(docs_dir) / settings).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):  # none, or not settings Obsidian wrote
            continue
        if isinstance(folder, str) and (folder := posixpath.normpath(folder.strip().strip("/"))) not in (".", ""):
            if not folder.startswith(".."):
                folders[folder] = settings
    return folders


def shown(text: str) -> str:
    """``text`` (a path, or a message naming one) with the bytes of a file name that are not
    UTF-8 as escapes, `caf\\xe9.md` (Python reads such bytes as lone surrogates, which neither a
    URL nor UTF-8 output can hold)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _key(path: str) -> str:
    # Obsidian matches names however macOS stored them (NFD) and with or without emoji variation
    # selectors, so the index does too.
    return unicodedata.normalize("NFC", path).replace("\ufe0f", "")


def _folders(path: str) -> list[str]:
    """The folders `path` is in, outermost first (`a/b/c.md`: `a`, `a/b`)."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: k + 1]) for k in range(len(parts))]


class VaultIndex:
    def __init__(self, urls: dict[str, str], docs_dir: str | Path, texts: dict[str, str],
                 redirects: dict[str, str] | None = None):
        self.urls, self.docs_dir, self.texts = urls, Path(docs_dir), texts
        self._headings: dict[tuple[str, Callable[[str], str]], tuple[Heading, ...]] = {}
        # A link by name to a version of a note lands on its canonical page (see dedup.py).
        self.redirects = redirects or {}
        self._exact = {_key(p): p for p in urls}
        self._folded = {_key(p).casefold(): p for p in urls}
        self._folders = {_key(folder).casefold() for p in urls for folder in _folders(p)}
        # Obsidian finds a note by its name wherever it is: "Note" or "folder/Note", any case.
        self._names: dict[str, list[str]] = defaultdict(list)
        for path in sorted(urls):
            stem = path[:-3] if path.lower().endswith(".md") else path
            self._names[_key(posixpath.basename(stem)).casefold()].append(path)

    def layout_key(self) -> str:
        """A digest of what link resolution reads besides the notes' texts: the files, their
        URLs, where versions redirect, and when each file that is not a note last changed (an
        image's width sizes it for Typora's `zoom:`)."""
        changed = []
        for path in sorted(self.urls):
            if not path.lower().endswith(".md"):
                try:
                    stat = (self.docs_dir / path).stat()
                    changed.append((path, stat.st_mtime_ns, stat.st_size))
                except OSError:  # a generated file: not in the docs folder
                    pass
        layout = (sorted(self.urls.items()), sorted(self.redirects.items()), changed)
        return hashlib.sha1(repr(layout).encode("utf-8")).hexdigest()

    def has_folder(self, path: str) -> bool:
        return _key(path).casefold() in self._folders

    def find(self, path: str) -> str | None:
        key = _key(path)
        return self._exact.get(key) or self._folded.get(key.casefold())

    def find_name(self, name: str, near: str) -> str | None:
        """The file called `name` ("Note", "Note.md", "sub/Note", "pic.png") nearest to `near`:
        the one sharing the most folders with it, then the shortest path (Obsidian's choice)."""
        name = name.strip().removesuffix(".md") if name.lower().endswith(".md") else name.strip()
        candidates = self._names.get(_key(posixpath.basename(name)).casefold(), [])
        if "/" in name:  # a partial path must match the end of the candidate's path
            tail = _key(name).casefold()
            candidates = [c for c in candidates if _key(c).casefold().removesuffix(".md").endswith(tail)]
        if not candidates:
            return None
        near_parts = posixpath.dirname(near).split("/")

        def distance(path: str) -> tuple[int, int, str]:
            parts = posixpath.dirname(path).split("/")
            shared = next((i for i, (a, b) in enumerate(zip(parts, near_parts)) if a != b),
                          min(len(parts), len(near_parts)))
            return (-shared, len(parts), path)

        found = min(candidates, key=distance)
        return self.redirects.get(found, found)

    def image_width(self, path: str) -> int | None:
        try:
            with Image.open(self.docs_dir / path) as image:
                return image.width
        except (OSError, UnidentifiedImageError):
            return None

    def href(self, from_path: str, to_path: str) -> str:
        page_url, target_url = self.urls[from_path], self.urls[to_path]
        # A page URL ending in "/" is a folder (use_directory_urls); otherwise its parent is.
        base = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)
        relative = posixpath.relpath(target_url or ".", base or ".")
        if target_url.endswith("/") or not target_url:  # a page's folder URL keeps its slash
            relative += "/"
        return quote(relative, safe="/()&',;=+!*@~-_.")  # (a `#` is the file's: `C# Notes/`)

    def body(self, path: str) -> str | None:
        return self.texts.get(path)

    def headings(self, path: str, slugify: Callable[[str], str]) -> tuple[Heading, ...]:
        # Once a build: a cache as large as the vault (links to the headings of more notes than a
        # bounded one holds parsed their notes again at every link), gone with the build's index.
        if (path, slugify) not in self._headings:
            self._headings[path, slugify] = note_headings(self.texts.get(path) or "", slugify)
        return self._headings[path, slugify]
