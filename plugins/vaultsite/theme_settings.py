"""Which keys of a note's front matter Material for MkDocs may read as settings of its page.

Material reads `template`, `icon`, `status`, `hide`, `search` and `subtitle` of a page's front
matter; an Obsidian vault writes the same keys as properties of its own plugins and templates:
Templater's `template: "[[Ticket]]"` and Iconize's `icon: LiSword` (Material looked for a page
template and an icon of that name: no site at all), a worldbuilding template's `status: active`
(an unexplained ⓘ beside every note in the navigation). A key is Material's where its value is a
setting Material can use; otherwise it is a property like any other, which Obsidian shows.
Nothing here knows MkDocs: the theme's folders and statuses in, a yes or no out.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

KEYS = frozenset({"template", "icon", "status", "hide", "search", "subtitle"})
# What Material hides of a page (`hide: [navigation, toc]`), and the statuses it draws an icon for
# with no `extra.status` in mkdocs.yml.
_HIDDEN_PARTS = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})
_OWN_STATUSES = frozenset({"new", "deprecated"})


@dataclass(frozen=True)
class Theme:
    folders: tuple[str, ...]  # where the theme finds its templates (mkdocs.yml's custom_dir too)
    statuses: frozenset[str]  # those mkdocs.yml's `extra.status` names

    def takes(self, key: str, value: object) -> bool:
        """Whether Material reads `key` of the front matter and can use `value` there."""
        if key not in KEYS:
            return False
        if key == "hide":  # (Material asks whether "toc" is in it: a list, or a string)
            parts = value if isinstance(value, list) else [value]
            return all(isinstance(part, str) for part in parts) and bool(_HIDDEN_PARTS.intersection(parts))
        if key == "search":
            return (isinstance(value, dict) and set(value) <= {"exclude", "boost"}
                    and isinstance(value.get("exclude", False), bool)
                    and isinstance(value.get("boost", 1), (int, float)) and not isinstance(value.get("boost"), bool))
        if not isinstance(value, str) or "[[" in value:
            return False
        if key == "template":
            return self._has(value)
        if key == "icon":
            return self._has(f".icons/{value}.svg")
        if key == "status":
            return value in _OWN_STATUSES | self.statuses
        return True  # a subtitle of text

    def _has(self, name: str) -> bool:
        """Whether the theme has a template of this name (one Jinja can load: none out of its folders)."""
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            return False
        return any(os.path.isfile(os.path.join(folder, posixpath.normpath(name))) for folder in self.folders)
