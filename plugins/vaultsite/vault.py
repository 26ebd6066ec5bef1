"""The vault as normalization sees it: which files exist, how big an image is, where a page lands.

Built from the list of files MkDocs found (vault path -> site URL), so nothing outside the docs
folder is ever looked up or opened.
"""

from __future__ import annotations

import posixpath
import unicodedata
from pathlib import Path
from urllib.parse import quote

from PIL import Image, UnidentifiedImageError


def _key(path: str) -> str:
    # Obsidian matches names however macOS stored them (NFD) and with or without emoji variation
    # selectors, so the index does too.
    return unicodedata.normalize("NFC", path).replace("\ufe0f", "")


class VaultIndex:
    def __init__(self, urls: dict[str, str], docs_dir: str | Path):
        self.urls = urls
        self.docs_dir = Path(docs_dir)
        self._exact = {_key(p): p for p in urls}
        self._folded = {_key(p).casefold(): p for p in urls}

    def find(self, path: str) -> str | None:
        key = _key(path)
        return self._exact.get(key) or self._folded.get(key.casefold())

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
        return quote(relative, safe="/#()&',;=+!*@~-_.")
