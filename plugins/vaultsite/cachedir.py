"""The plugin's cache folder (`cache_dir`, relative to mkdocs.yml): made before a build or a
command writes to it, or a reason it cannot be that names what is in the way."""

from __future__ import annotations

from pathlib import Path


class CacheUnusable(Exception):
    """The cache folder cannot be made: an environment problem, for the author to mend."""


def make(folder: Path) -> None:
    """Make ``folder`` and the folders above it; raise :class:`CacheUnusable` where that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        # "Not a directory: .cache/vaultsite" names the folder, not the file in its way (`.cache`).
        in_the_way = next((path for path in (folder, *folder.parents)
                           if path.exists() and not path.is_dir()), None)
        why = (f"{in_the_way} is a file, not a folder; move it, or set another cache_dir for the plugin in "
               f"mkdocs.yml" if in_the_way else error.strerror or str(error))
        raise CacheUnusable(f"cannot make the cache folder {folder}: {why}") from error
