"""A note's YAML front matter, read the way Obsidian reads it: only a `---` block at the very top.

MkDocs would also take leading `Key: value` lines as MultiMarkdown metadata and drop them from
the page; in a notes vault those lines are the note's text, so we split here and hand MkDocs an
explicit (possibly empty) front matter.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

import yaml

from .theme_settings import KEYS as THEME_KEYS, Theme

# libyaml's dumper where PyYAML was built with it (MkDocs reads it back with libyaml's loader).
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_BLOCK = re.compile(r"\A\ufeff?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class _Loader(yaml.SafeLoader):
    """YAML as Obsidian reads a note's properties, by YAML 1.2's rules, where PyYAML reads 1.1's: a
    date or a time is the text written, which it shows so (`2024-08-19T10:30:00Z` was read as a
    time and shown as `2024-08-19 10:30:00+00:00`); `time: 16:04` is no number of minutes (it
    showed 964), `yes`, `no`, `on` and `off` no truth values, `0123` no octal number (83): text."""


_YAML_1_1 = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
             "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _YAML_1_1]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _firsts in (  # YAML 1.2's core schema (an integer before a number that may be one)
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$", "-+0123456789"),
        # (with a point, as YAML 1.1 writes one: `lr: 1e-5` is text as written, not Python's "1e-05")
        ("float", r"^(?:[-+]?(?:[0-9]*\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?"
                  r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789")):
    _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_firsts))


@dataclass(frozen=True)
class FrontMatter:
    meta: dict
    body: str
    body_line: int  # 1-based line of the file where `body` starts
    raw: str = ""  # the YAML text, when there is a block
    error: str | None = None  # why the block is not a YAML mapping
    error_line: int | None = None  # 1-based line of the file
    ignored: tuple[tuple[int, str], ...] = ()  # (1-based line, why) of each key left out


def yaml_time(text: str) -> dt.date | None:
    """The date or time `text` is as YAML reads one (`2024-08-09 10:30:00 +8`), or None."""
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # (ValueError: an impossible date, 2024-13-45)
        return None
    return value if isinstance(value, dt.date) else None


def split(text: str) -> FrontMatter:
    match = _BLOCK.match(text)
    if not match:
        return FrontMatter({}, text, 1)
    raw, body = match.group(1) or "", text[match.end():]
    body_line = text[:match.end()].count("\n") + 1
    try:
        meta = yaml.load(raw, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 2
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        written = raw.split("\n")
        if "{{" in written[min(line - 2, len(written) - 1)]:  # (the line the error is on)
            reason += " (a template's placeholder, such as {{date}}, is YAML only in quotes: \"{{date}}\")"
        return FrontMatter({}, body, body_line, raw, f"front matter is not valid YAML: {reason}", line)
    except ValueError as error:  # a value its tag cannot be: `!!timestamp 2024-13-45`, `!!int x`
        return FrontMatter({}, body, body_line, raw, f"front matter is not valid YAML: {error}", 2)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return FrontMatter({}, body, body_line, raw, "front matter is not a mapping of keys to values", 2)
    ignored = ()
    if isinstance(meta.get("title"), (list, dict, bool)):
        # MkDocs titled the page `['a', 'b']`, in its heading, its tab and the navigation.
        line = 2 + next((k for k, text in enumerate(raw.split("\n")) if text.partition(":")[0].strip() == "title"), 0)
        ignored = ((line, f"front matter title is not text ({type(meta.pop('title')).__name__}): left out"),)
    return FrontMatter(_with_obsidian_tags(meta), body, body_line, raw, ignored=ignored)


_TAG_SEPARATOR = re.compile(r"[,\s]+")  # in a string of tags: a tag holds no space


def _with_obsidian_tags(meta: dict) -> dict:
    """`tags` as a list of names, however the note writes them: `tags: ml, 笔记`, `tags: "#ml"`,
    the singular `tag:` of before Obsidian 1.4, and in any case (`Tags:`), as Obsidian reads them.
    Material's tags plugin reads `tags`, and stops the build on a string (the plugin hands it the
    names escaped: see plugin._tag_names)."""
    keys = [key for key in meta if str(key).lower() in ("tags", "tag")]
    if not keys:
        return meta
    names = []
    for value in [meta.pop(key) for key in keys]:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                names += _TAG_SEPARATOR.split(item)
            elif isinstance(item, (int, float)) and not isinstance(item, bool):  # `tags: [2024]`
                names.append(str(item))
    meta["tags"] = list(dict.fromkeys(name.lstrip("#") for name in names if name.lstrip("#")))
    return meta


# A value that is links alone: `title: "[[Saint]]"` (a character's rank), `title: [[A]], [[B]]`.
_LINKS_ALONE = re.compile(r"(?:\s*!?\[\[[^\[\]]+\]\]\s*,?)+")


def title(meta: dict) -> str | None:
    """The title the front matter gives the note, as text: none for an empty `title:` (a
    template's) or one of links alone, a property that links (Obsidian titles a note by its
    name, and shows `title` among the properties; MkDocs titled the page "None", or "[[Saint]]")."""
    value = meta.get("title")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
        return None
    text = str(value).strip()
    return None if _LINKS_ALONE.fullmatch(text) else text


def as_source(front: FrontMatter, theme: Theme) -> str:
    """The note as MkDocs should read it: the metadata we accept (of the keys Material reads as
    settings, those whose values it can use), and the body untouched."""
    meta = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in front.meta.items()
            if k not in THEME_KEYS or theme.takes(k, v)}
    if (text := title(meta)) is not None:
        # MkDocs and Material write a page's title into its HTML as it is (nav, header, tags page):
        # a title is text, as a title made of the note's heading is (`# R&D` is `R&amp;D` there).
        meta["title"] = html.escape(text)
    else:
        meta.pop("title", None)
    return "---\n" + yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False) + "---\n" + front.body
