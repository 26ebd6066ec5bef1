"""Turn an Obsidian/Typora note into Markdown that Python-Markdown renders as the author saw it.

The note is parsed once with markdown-it-py (CommonMark, as Obsidian and Typora parse it). The block
tokens' line maps say where each list, quote, heading and definition sits; the rewrite edits those
lines, so the text handed on stays line-for-line close to the note and problems can name a line.
Inline rewrites (links, images, raw ``<img>``/``<a>``) run on the same lines with code spans and
math masked out, so code is never touched.

Nothing here knows MkDocs: the caller passes a :class:`Vault` that answers which files exist.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif", ".ico"}


class Vault(Protocol):
    """What normalization needs to know about the vault around a note."""

    def find(self, path: str) -> str | None:
        """The vault path of the file at `path` (vault-relative, decoded), or None if absent."""

    def image_width(self, path: str) -> int | None:
        """Natural width in pixels of the image at vault path `path`, if it can be read."""

    def href(self, from_path: str, to_path: str) -> str:
        """URL of `to_path` as written in raw HTML on the page built from `from_path`."""


@dataclass
class Problem:
    line: int
    message: str


@dataclass
class Normalized:
    text: str
    applied: Counter = field(default_factory=Counter)
    missing_assets: list[tuple[int, str]] = field(default_factory=list)
    unwritten: list[tuple[int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


_md = MarkdownIt("commonmark", {"inline_definitions": True})

_SIZE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")
_MARKER = re.compile(r"^([-*+]|\d{1,9}[.)])([ \t]+|$)")
_QUOTE_PREFIX = re.compile(r"^ {0,3}> ?")
_CALLOUT = re.compile(r"^\[!(\w+)\]([-+]?)[ \t]*(.*)$")
_TOC = re.compile(r"^\s*\[(?:TOC|toc)\]\s*$")
_YOUTUBE_REDIRECT = re.compile(r"https?://(?:www\.)?youtube\.com/redirect\?[^\s)<>\"']+")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")

# Obsidian callout types that Material has no admonition of its own for.
_CALLOUT_ALIASES = {"hint": "tip", "important": "tip", "check": "success", "done": "success",
                    "help": "question", "faq": "question", "caution": "warning",
                    "attention": "warning", "fail": "failure", "missing": "failure",
                    "error": "danger", "cite": "quote", "summary": "abstract", "tldr": "abstract"}
_MATERIAL_TYPES = {"note", "abstract", "info", "tip", "success", "question", "warning", "failure",
                   "danger", "bug", "example", "quote", "todo"}


def normalize(text: str, path: str, vault: Vault, slugify: Callable[[str], str],
              first_line: int = 1) -> Normalized:
    """Rewrite the note at vault path `path`, whose `text` starts on line `first_line` of the
    file (after front matter); `slugify` is the site's heading-id function."""
    result = Normalized(text="")
    lines = _Rewriter(text, path, vault, slugify, result, first_line - 1).run()
    result.text = "\n".join(lines)
    return result


class _Rewriter:
    def __init__(self, text, path, vault, slugify, result: Normalized, line_offset: int = 0):
        self.path, self.vault, self.slugify, self.result = path, vault, slugify, result
        self.offset = line_offset
        self.masks: list[str] = []
        self.src = text.split("\n")
        self.masked = [self._mask(line) for line in self.src]
        self.tokens = _md.parse("\n".join(self.masked))
        # out[i] holds what source line i becomes: zero, one or several lines.
        self.out: list[list[str]] = [[line] for line in self.masked]
        self.raw: set[int] = set()  # lines inside code blocks or display math

    # -- masking -----------------------------------------------------------------------------

    def _mask(self, line: str) -> str:
        """Hide code spans and inline math behind placeholders, so no rewrite can touch them."""
        def hide(match: re.Match) -> str:
            self.masks.append(match.group(0))
            return f"\ue000{len(self.masks) - 1}\ue001"
        return _INLINE_PROTECTED.sub(hide, line)

    def _unmask(self, line: str) -> str:
        while "\ue000" in line:
            line = _PLACEHOLDER.sub(lambda m: self.masks[int(m.group(1))], line)
        return line

    # -- the pass ----------------------------------------------------------------------------

    def run(self) -> list[str]:
        self._mark_raw_lines()
        self._quotes()
        self._lists()
        self._headings()
        self._toc_and_definitions()
        for i, repl in enumerate(self.out):
            if i not in self.raw:
                self.out[i] = [self._inline(line, i) for line in repl]
        # Code blocks were parsed masked too: everything goes back as it was.
        return [self._unmask(line) for repl in self.out for line in repl]

    def _line(self, i: int) -> int:
        return self.offset + i + 1

    def _mark_raw_lines(self) -> None:
        for tok in self.tokens:
            if tok.type in ("fence", "code_block") and tok.map:
                self.raw.update(range(*tok.map))
        display = False
        for i, line in enumerate(self.masked):
            if i in self.raw:
                continue
            if line.strip() == "$$":
                self.raw.add(i)
                display = not display
            elif display:
                self.raw.add(i)

    # -- blocks ------------------------------------------------------------------------------

    def _quotes(self) -> None:
        """Normalize each top-level quote's inside; an Obsidian callout becomes an admonition."""
        for tok in self.tokens:
            if tok.type != "blockquote_open" or tok.level != 0 or not tok.map:
                continue
            start, end = tok.map
            inner = [_QUOTE_PREFIX.sub("", self._unmask(line), count=1) for line in self.src[start:end]]
            callout = _CALLOUT.match(inner[0].strip())
            body = inner[1:] if callout else inner
            sub = _Rewriter("\n".join(body), self.path, self.vault, self.slugify, self.result,
                            self.offset + start + (1 if callout else 0))
            body_lines = sub.run()
            if callout:
                kind, fold, title = callout.groups()
                kind = _CALLOUT_ALIASES.get(kind.lower(), kind.lower())
                if kind not in _MATERIAL_TYPES:
                    self.result.problems.append(Problem(
                        self._line(start), f"unknown callout type [!{callout.group(1)}], shown as a note; "
                        f"Material knows {', '.join(sorted(_MATERIAL_TYPES))}"))
                    kind = "note"
                opener = {"": "!!!", "-": "???", "+": "???+"}[fold]
                title_part = f' "{title.strip()}"' if title.strip() else ""
                new = [f"{opener} {kind}{title_part}", ""] + [("    " + l) if l.strip() else "" for l in body_lines]
                self.result.applied["callout"] += 1
            else:
                new = [("> " + l) if l.strip() else ">" for l in body_lines]
            # The sub-rewriter already unmasked; re-mask so the final unmask is a no-op for them.
            self._replace(start, end, [self._mask(l) for l in new] + [""])
            self.raw.update(range(start, end))

    def _replace(self, start: int, end: int, new: list[str]) -> None:
        self.out[start] = new
        for i in range(start + 1, end):
            self.out[i] = []

    def _lists(self) -> None:
        """Re-indent lists to Python-Markdown's four spaces a level; let them follow a paragraph."""
        stack: list[tuple[int, int]] = []  # (depth, content column) of open list items
        owner: dict[int, tuple[int, int, int]] = {}  # line -> (depth, content col, item start)
        in_quote = 0
        for tok in self.tokens:
            if tok.type == "blockquote_open":
                in_quote += 1
            elif tok.type == "blockquote_close":
                in_quote -= 1
            if in_quote:
                continue
            if tok.type in ("bullet_list_open", "ordered_list_open") and not stack and tok.map:
                start = tok.map[0]
                if start > 0 and self.masked[start - 1].strip() and start not in self.raw:
                    self.out[start] = [""] + self.out[start]
                    self.result.applied["list_after_paragraph"] += 1
            elif tok.type == "list_item_open" and tok.map:
                start, end = tok.map
                col = _content_column(self.masked[start])
                stack.append((len(stack) + 1, col))
                for i in range(start, end):
                    owner[i] = (len(stack), col, start)
            elif tok.type == "list_item_close":
                stack.pop()
        for i, (depth, col, start) in owner.items():
            # Code inside an item keeps its indentation relative to the item's content column.
            line = self.masked[i]
            if not line.strip():
                continue
            expanded = _expand_tabs(line)
            if i == start:
                body = expanded.lstrip()
                marker = _MARKER.match(body)
                new = " " * 4 * (depth - 1) + marker.group(1) + " " + body[marker.end():]
                new = new.rstrip() if not body[marker.end():].strip() else new
            else:
                indent = len(expanded) - len(expanded.lstrip())
                new = " " * (4 * depth + max(0, indent - col)) + expanded.lstrip()
            if new != line:
                self.result.applied["list_indent"] += 1
            self.out[i] = [new] if len(self.out[i]) == 1 else self.out[i][:-1] + [new]

    def _headings(self) -> None:
        """One page title: from the second `# ` heading on, every heading moves down a level."""
        headings = [t for t in self.tokens if t.type == "heading_open" and t.level == 0 and t.map]
        h1 = [t for t in headings if t.tag == "h1"]
        if len(h1) < 2:
            return
        second = h1[1].map[0]
        for tok in headings:
            start, end = tok.map
            if start < second or start in self.raw:
                continue
            level = int(tok.tag[1])
            line = self.out[start][-1]
            if tok.markup.startswith("#"):
                new = _ATX.sub(lambda m: m.group(1) + "#" * min(6, level + 1), line, count=1)
                self.out[start][-1] = new
            else:  # setext: underline sits on the last line of the heading
                text = " ".join(self.masked[j].strip() for j in range(start, end - 1))
                self._replace(start, end, ["#" * min(6, level + 1) + " " + text])
            self.result.applied["heading_demoted"] += 1

    def _toc_and_definitions(self) -> None:
        used = self._referenced_labels()
        previous_end = None  # end line of the last bookmark definition made visible
        for idx, tok in enumerate(self.tokens):
            if tok.level != 0 or not tok.map:
                continue
            if tok.type == "paragraph_open" and _TOC.match(self.tokens[idx + 1].content):
                self._replace(*tok.map, [])
                self.result.applied["toc_marker_removed"] += 1
            elif tok.type == "definition" and _label_key(tok.meta["label"]) not in used:
                start, end = tok.map
                title = tok.meta.get("title") or tok.meta["label"]
                item = f"- [{_escape_brackets(title)}](<{tok.meta['url']}>)"
                if previous_end is not None and all(not self.masked[j].strip() for j in range(previous_end, start)):
                    # Bookmarks apart only by blank lines are one tight list.
                    for j in range(previous_end, start):
                        self.out[j] = []
                    lead = []
                else:
                    lead = [""] if start > 0 and self.masked[start - 1].strip() else []
                self._replace(start, end, lead + [item])
                if end < len(self.masked) and self.masked[end].strip():
                    self.out[start].append("")
                previous_end = end
                self.result.applied["bookmark_definition"] += 1

    def _referenced_labels(self) -> set[str]:
        """Labels a reference link uses: `[text][label]`, `[label][]` or `[label]`."""
        defined = {t.map[0] for t in self.tokens if t.type == "definition" and t.map}
        text = "\n".join(l for i, l in enumerate(self.masked) if i not in defined and i not in self.raw)
        return {_label_key(m.group(1)) for m in re.finditer(r"\[([^\[\]]+)\](?!\()", text)}

    # -- inline ------------------------------------------------------------------------------

    def _inline(self, line: str, i: int) -> str:
        line = _replace_links(line, lambda m: self._link(m, i))
        line = _BARE_ANCHOR.sub(self._bare_anchor, line)
        line = _IMG_TAG.sub(lambda m: self._img(m.group(0), i), line)
        return _YOUTUBE_REDIRECT.sub(lambda m: self._unwrap(m.group(0)), line)

    def _unwrap(self, url: str) -> str:
        target = _redirect_target(url)
        if target:
            self.result.applied["redirect_unwrapped"] += 1
            return target
        return url

    def _link(self, link: "_Link", i: int) -> str:
        dest = link.dest
        if _SCHEME.match(dest) or dest.startswith(("#", "//")):
            return link.with_dest(self._unwrap(dest))
        path_part, _, fragment = dest.partition("#")
        if " " in path_part:
            self.result.applied["raw_space_link"] += 1
        target = self._resolve(path_part)
        is_image = link.bang and posixpath.splitext(path_part)[1].lower() != ".md"
        if is_image:
            alt, width, height = _split_size(link.text)
            if target is None:
                return self._missing(path_part, alt, i)
            attrs = "".join(f' {k}="{v}"' for k, v in (("width", width), ("height", height)) if v)
            if width:
                self.result.applied["image_size"] += 1
            return f"![{alt}]({_encode(self._relative(target))}){{{attrs} }}" if attrs else \
                f"![{alt}]({_encode(self._relative(target))})"
        text = _split_size(link.text)[0] if link.bang else link.text
        if target is None:
            name = posixpath.basename(unquote(path_part)) or dest
            if link.bang or not name.lower().endswith(".md"):
                return self._missing(path_part, text, i)
            self.result.unwritten.append((self._line(i), unquote(path_part)))
            tip = html.escape(f"Not written yet: {posixpath.splitext(name)[0]}", quote=True)
            return f'<span class="vs-unwritten" title="{tip}">{text}</span>'
        anchor = f"#{self.slugify(unquote(fragment))}" if fragment else ""
        return f"[{text}]({_encode(self._relative(target))}{anchor})"

    def _bare_anchor(self, match: re.Match) -> str:
        """`<a>https://…</a>` (a copied citation) shows a URL that goes nowhere: give it its href."""
        self.result.applied["bare_anchor"] += 1
        url = html.escape(match.group(1), quote=True)
        return f'<a href="{url}">{match.group(1)}</a>'

    def _img(self, tag: str, i: int) -> str:
        """A raw `<img>` gets a src that works from the built page (MkDocs moves each page a
        folder down), a width for Typora's `zoom:`, or a placeholder when its file is missing."""
        attrs = _attributes(tag[4:-1].rstrip("/"))
        src = attrs.get("src") or ""
        if not src or _SCHEME.match(src) or src.startswith(("/", "#")):
            return tag
        target = self._resolve(src)
        if target is None:
            return self._missing(src, attrs.get("alt") or "", i)
        attrs["src"] = self.vault.href(self.path, target)
        zoom = re.search(r"zoom:\s*([\d.]+)%;?", attrs.get("style") or "")
        natural = self.vault.image_width(target) if zoom else None
        if zoom and natural:
            attrs["width"] = str(round(natural * float(zoom.group(1)) / 100))
            attrs["style"] = attrs["style"].replace(zoom.group(0), "").strip() or None
            self.result.applied["image_zoom"] += 1
        self.result.applied["raw_img_src"] += 1
        return "<img" + "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in attrs.items()
                                if v is not None) + ">"

    def _resolve(self, dest: str) -> str | None:
        """Vault path of a relative destination, or None when it is missing or leaves the vault."""
        decoded = unquote(dest.strip().strip("<>"))
        if not decoded:
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.path), decoded))
        if joined.startswith("../") or joined == ".." or decoded.startswith("/"):
            return None
        return self.vault.find(joined)

    def _relative(self, target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(self.path) or ".")

    def _missing(self, dest: str, label: str, i: int) -> str:
        name = posixpath.basename(unquote(dest))
        self.result.missing_assets.append((self._line(i), unquote(dest)))
        shown = html.escape(label.strip() or name)
        tip = html.escape(f"Missing file: {unquote(dest)}", quote=True)
        return f'<span class="vs-missing" title="{tip}">{shown}</span>'


# -- helpers (pure) --------------------------------------------------------------------------

_INLINE_PROTECTED = re.compile(
    r"(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`)"  # code span
    r"|\$\$[^$]+\$\$"  # $$...$$ on one line
    r"|(?<![\\$\w])\$(?=\S)[^$\n]*?(?<=\S)\$(?![\d$])"  # $...$ as dollarmath reads it
)
_BARE_ANCHOR = re.compile(r"<a>\s*(https?://[^\s<>\"]+)\s*</a>", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


def _expand_tabs(line: str) -> str:
    """Expand tabs in the leading whitespace to CommonMark's four-column tab stops."""
    body = line.lstrip(" \t")
    return line[: len(line) - len(body)].expandtabs(4) + body


def _content_column(line: str) -> int:
    expanded = _expand_tabs(line)
    indent = len(expanded) - len(expanded.lstrip())
    marker = _MARKER.match(expanded[indent:])
    if not marker:
        return indent
    spaces = len(marker.group(2).expandtabs(4))
    # CommonMark: five or more spaces after the marker means one space and an indented code block.
    return indent + len(marker.group(1)) + (spaces if 1 <= spaces <= 4 else 1)


def _attributes(text: str) -> dict[str, str | None]:
    """A raw tag's attributes in order; a bare attribute (`<img hidden>`) maps to ""."""
    attrs: dict[str, str | None] = {}
    for m in _ATTR.finditer(text):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        attrs[m.group(1).lower()] = html.unescape(value)
    return attrs


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _escape_brackets(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def _split_size(alt: str) -> tuple[str, str | None, str | None]:
    """Obsidian writes an image's size after a bar: `![name | 800](x)`, `![|600x400](x)`."""
    name, bar, size = alt.rpartition("|")
    match = _SIZE.match(size) if bar else None
    if not match:
        return alt, None, None
    return name.strip(), match.group(1), match.group(2)


def _encode(path: str) -> str:
    return quote(path, safe="/()&',;=+!*@~-_.")


def _redirect_target(url: str) -> str | None:
    query = parse_qs(urlsplit(url).query)
    target = (query.get("q") or [None])[0]
    return target if target and _SCHEME.match(target) else None


@dataclass
class _Link:
    bang: bool
    text: str
    dest: str
    title: str

    def with_dest(self, dest: str) -> str:
        title = f" {self.title}" if self.title else ""
        bracket = f"<{dest}>" if " " in dest else dest
        return f"{'!' if self.bang else ''}[{self.text}]({bracket}{title})"


def _replace_links(line: str, fn: Callable[[_Link], str]) -> str:
    """Find `[text](dest "title")` and `![alt](dest)`, including Typora's raw-space destinations."""
    out, pos = [], 0
    while True:
        start = line.find("[", pos)
        if start < 0:
            break
        if start > 0 and line[start - 1] == "\\":
            out.append(line[pos:start + 1])
            pos = start + 1
            continue
        close = _matching(line, start, "[", "]")
        if close < 0 or close + 1 >= len(line) or line[close + 1] != "(":
            out.append(line[pos:start + 1])
            pos = start + 1
            continue
        end = _matching(line, close + 1, "(", ")")
        if end < 0:
            out.append(line[pos:start + 1])
            pos = start + 1
            continue
        bang = start > 0 and line[start - 1] == "!"
        inner = line[close + 2:end].strip()
        if inner.startswith("<") and ">" in inner:
            dest, rest = inner[1:inner.index(">")], inner[inner.index(">") + 1:].strip()
        else:
            m = re.match(r"^(.*?)(?:\s+(\"[^\"]*\"|'[^']*'))?$", inner)
            dest, rest = m.group(1).strip(), (m.group(2) or "")
        text = line[start + 1:close]
        link = _Link(bang, _replace_links(text, fn) if not bang else text, dest, rest)
        out.append(line[pos:start - 1] if bang else line[pos:start])
        out.append(fn(link))
        pos = end + 1
    out.append(line[pos:])
    return "".join(out)


def _matching(line: str, start: int, opening: str, closing: str) -> int:
    depth = 0
    i = start
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
