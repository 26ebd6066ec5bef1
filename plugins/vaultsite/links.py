"""Resolve every link form of a note the way Obsidian does, on one line of (masked) Markdown.

Forms: `[text](relative path.md#Heading)` with %-encoded or raw-space paths, `![alt|600](img.png)`,
`[[Name]]`, `[[Name#Heading|alias]]`, `[[#Heading]]`, `![[image.png|300]]`, raw `<img src>` and
`<a>url</a>`, YouTube `redirect?q=` wrappers. A path that does not exist falls back to the note's
name anywhere in the vault (Obsidian's "shortest path" links); a wikilink that starts with `./` or
`../` (Obsidian's "relative path to file" links) is a path, like a Markdown link's. Matching ignores
NFC/NFD, emoji variation selectors and, last, case (see vault.py). Nothing resolves outside the vault.

What a link cannot reach is never a link: a note not written yet becomes a dimmed `vs-unwritten`
span, a missing image or attachment a `vs-missing` placeholder, and both are recorded for the report.
"""

from __future__ import annotations

import html
import posixpath
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import dropwhile
from typing import Callable, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from markdown.extensions.toc import unique
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pymdownx import twemoji_db

from .slugs import WORD, words

ATTACHMENT_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif", ".ico",
                         ".pdf", ".mp3", ".mp4", ".webm", ".ogg", ".wav", ".mov", ".m4a", ".csv",
                         ".zip", ".canvas", ".flac", ".ogv"}


class Vault(Protocol):
    """What link resolution needs to know about the vault around a note."""

    def find(self, path: str) -> str | None:
        """The vault path of the file at `path` (vault-relative, decoded), or None if absent."""

    def find_name(self, name: str, near: str) -> str | None:
        """The file called `name` (a note's name without `.md`, or a file name), nearest `near`."""

    def has_folder(self, path: str) -> bool:
        """Whether a folder of the vault is at `path` (vault-relative, decoded)."""

    def image_width(self, path: str) -> int | None:
        """Natural width in pixels of the image at vault path `path`, if it can be read."""

    def body(self, path: str) -> str | None:
        """The text of the note at vault path `path` (its front matter left out), if it is one."""

    def headings(self, path: str, slugify: Callable[[str], str]) -> tuple[Heading, ...]:
        """`note_headings` of the note at vault path `path` (none if it is no note), read once:
        every link to a heading of the note asks for them."""

    def href(self, from_path: str, to_path: str) -> str:
        """URL of `to_path` as written in raw HTML on the page built from `from_path`."""


@dataclass
class Found:
    """What the rewrite of one note found, by line of the note's file."""

    links: list[tuple[int, str]]  # resolved links to other notes, for backlinks
    unwritten: list[tuple[int, str]]
    missing: list[tuple[int, str]]
    # Links to a heading: (line, note, heading as written, the id linked to). Whether the note
    # has it is known once its page is rendered (the plugin checks then).
    anchors: list[tuple[int, str, str, str]]
    unsafe: list[tuple[int, str]]  # javascript:/data: links and local paths: never published
    outside: list[tuple[int, str]]  # relative links climbing out of the vault: never followed


class LinkRewriter:
    """Rewrites links on the lines of the note at `page`; relative paths are read from `base`
    (the page itself, or the note an embed comes from). The lines come with code and math
    hidden behind placeholders, which `unmask` gives back (a heading's id is made of them)."""

    def __init__(self, page: str, vault: Vault, slugify: Callable[[str], str], found: Found,
                 applied: Counter, unmask: Callable[[str], str], base: str | None = None, root: str = ""):
        # `root`: the folder a path from the root (`/x.png`) is read from first (Typora's `typora-root-url`).
        self.page, self.base, self.vault, self.root = page, base or page, vault, root
        self.slugify, self.found, self.applied, self.unmask = slugify, found, applied, unmask

    def count(self, rule: str) -> None:
        self.applied[rule] += 1

    def line(self, text: str, lineno: int, markdown: bool = True) -> str:
        """The line with its links rewritten; with `markdown` false (a line of raw HTML), its raw
        tags alone."""
        if "[" not in text and "<" not in text and "youtube" not in text:
            return text  # most lines: none of the forms below can be on them
        resolved: list[str] = []
        if markdown:
            text = self._markdown_links(text, lineno, resolved)
        text = _BARE_ANCHOR.sub(self._bare_anchor, text)
        if markdown and (definition := _DEFINITION.match(text)) and (
                _unsafe(definition.group(1)) or _local_path(definition.group(1))):
            # A reference definition to a script: gone, and the references to it stay text.
            self.found.unsafe.append((lineno, definition.group(1)))
            return ""
        text = _IMG_TAG.sub(lambda m: self._img(m.group(0), lineno), text)
        text = _RAW_TAG.sub(lambda m: self._raw_tag(m, lineno), text)
        text = _YOUTUBE_REDIRECT.sub(lambda m: self._unwrap(m.group(0)), text)
        return _RESOLVED.sub(lambda m: resolved[int(m.group(1))], text) if resolved else text

    def _markdown_links(self, text: str, lineno: int, resolved: list[str]) -> str:
        if (definition := _DEFINITION.match(text)) and (wikilink := _WIKILINK.match(text, definition.start(1))):
            defined = self._defined_by_wikilink(wikilink, lineno)  # (none: the references to it stay text)
            return text[: definition.start(1)] + defined if defined else ""
        # Wikilinks first (`[[…]]` is no Markdown link's brackets); what they become is final, so
        # it waits behind placeholders while the other forms are rewritten (else each link
        # to a heading was resolved, and reported, twice).
        def wikilink(m: re.Match) -> str:
            resolved.append(self._wikilink(m, lineno))
            return f"\ue002{len(resolved) - 1}\ue003"
        text = _WIKILINK.sub(wikilink, text)

        def held(m: re.Match) -> str:
            resolved.append(m.group(0))
            return f"\ue002{len(resolved) - 1}\ue003"
        def link_or_text(link: _Link) -> str:
            if "\ue002" in link.dest:  # a wikilink is no destination (`[text]([[Note]])`): its brackets are text
                return f"{'!' if link.bang else ''}\\[{link.text}\\]({link.dest}{' ' + link.title if link.title else ''})"
            return _WRITTEN_DESTINATION.sub(held, self._link(link, lineno))
        # The destinations of the links rewritten wait behind placeholders too: the words of one
        # in angle brackets are no raw tag's attributes (`<notes on ML.md>`: `on` no event handler).
        return _replace_links(text, link_or_text)

    def _own(self, anchor: str) -> str:
        """A link to `#anchor` of the note the text is in: of the page, or of the embedded note's page
        (an embed's headings have ids of their own on the page: see normalize._embedded_heading_ids)."""
        return anchor if self.base == self.page else destination(self._relative(self.base), anchor)

    def _defined_by_wikilink(self, m: re.Match, lineno: int) -> str | None:
        """The destination of a reference definition written as a wikilink (`[r]: [[Note]]`), its
        note's page (its Markdown link was written there, and broke the page); none for a note
        not written yet."""
        name, _, heading = m.group(2).strip().partition("#")
        name = self.unmask(name)
        self.count("wikilink")
        found = self.find_name(name)
        if found is None:
            self.found.unwritten.append((lineno, name))
            return None
        self.found.links.append((lineno, found))
        # (Percent-encoded: Python-Markdown reads no space in a definition's destination, brackets or none.)
        return quote(self._relative(found)) + (self._anchor(found, heading, lineno) if heading else "")

    # -- the forms ---------------------------------------------------------------------------

    def _wikilink(self, m: re.Match, lineno: int) -> str:
        """A wikilink names what it links to with its `$` and `` ` `` (`[[Query $or $nin]]`: no
        formula); see _shown_markdown for what it shows."""
        bang, target, label = m.group(1), m.group(2).strip(), self.unmask(m.group(3) or "").strip()
        if bang and not _is_attachment(target.partition("#")[0]):
            # What follows a note embed's `|` is no text of it: a size (`![[Note|400]]`), a theme's
            # class (`|right`, `|wmed`); Obsidian shows the note, or its name where it has none.
            label = ""
        name, _, heading = target.partition("#")  # (a `#` in code in the heading is none: see heading_path)
        name = self.unmask(name).rstrip()  # (`[[Kafka #Intro]]`: "Kafka")
        if not name and not heading.strip(" #"):  # `[[ ]]`, `[[#]]`: nothing to link (it was an empty link)
            return escape_brackets(m.group(0))  # text, as `[[]]` is
        self.count("wikilink")
        if not name:  # [[#Heading]]: a heading of this note
            shown = _shown_markdown("", self.heading_path(heading), label)
            return f"[{shown}]({self._own(self._anchor(self.base, heading, lineno))})"
        found = self.find_name(name)
        basename = posixpath.basename(name)
        if bang and _is_attachment(found or name):  # ![[image.png|300]], ![[image.png|alt]]
            if found is None:  # named, as Obsidian names the file it cannot find, not by its text (`|right`)
                return self._missing(name, basename, lineno)
            _, width, height = _split_size(f"|{label}")
            alt = basename if width or not label else label
            return self._image(found, name, alt, width, height, lineno, heading)
        if found is None:
            if _is_attachment(name):
                return self._missing(name, label or basename, lineno)
            # Named as written, its folders too (`[[MQ / Kafka]]`, `[[TCP/IP]]` are no " Kafka", "IP"),
            # less the steps of a relative one (`[[../Outside]]`) and a `.md`.
            shown = _shown_markdown(name, self.heading_path(heading), label)
            return self._unwritten(name, shown, lineno, _without_md(re.sub(r"^(?:\.\.?/)+", "", name)))
        shown = _shown_markdown(basename, self.heading_path(heading), label)
        if _is_attachment(found):  # [[paper.pdf#page=3]]
            return f"[{shown}]({destination(self._relative(found), f'#{heading}' if heading else '')})"
        self.found.links.append((lineno, found))
        anchor = self._anchor(found, heading, lineno) if heading else ""
        return f"[{shown}]({destination(self._relative(found), anchor)})"

    def _link(self, link: "_Link", lineno: int) -> str:
        dest = link.dest
        if _unsafe(dest) and not (link.bang and _IMAGE_DATA.match(dest)) or self._on_disk(dest):
            return self._unsafe(dest, link.text, lineno)
        if _SCHEME.match(dest) or dest.startswith(("#", "//")):
            if dest.startswith("#") and len(dest) > 1:  # an id of the page: checked with the others
                fragment = unquote(self.unmask(dest[1:]))
                if (find_heading(self._headings(self.base), [fragment]) or fragment != fragment.lower()
                        or any(char.isspace() for char in fragment)) and not self._written_id(fragment):
                    # A heading's text, as Obsidian writes a link to one of this note's headings
                    # where wikilinks are off (`[x](#Part%20A)`, `[x](#why?)`): what names a
                    # heading, or has capitals or spaces, which no heading's id has, is no id,
                    # unless the note writes it itself (`<a id="Top">`, `{#MyIntro}`).
                    return link.with_dest(self._own(self._anchor(self.base, fragment, lineno)))
                self.found.anchors.append((lineno, self.base, fragment, fragment))
                return link.with_dest(self._own(dest))
            if link.bang:  # an image from the web, sized as one of the vault: `![Engelbart|100x145](https://…)`
                alt, width, height = _split_size(link.text)
                if video := _youtube_player(dest):  # Obsidian embeds the video, where an image is a broken one
                    self.count("embedded_youtube")
                    title = html.escape(self.unmask(alt) or "YouTube video", quote=True)
                    return (f'<iframe class="vs-video" src="{html.escape(video, quote=True)}" title="{title}"'
                            f'{_size_attributes(width, height)} loading="lazy" allowfullscreen'
                            ' referrerpolicy="strict-origin-when-cross-origin"></iframe>')  # (YouTube plays for none else)
                if _POST.match(dest):  # a post Obsidian shows with X's script: a link to it
                    return f"[{escape_brackets(alt) or dest}]({dest})"
                return self._sized(replace(link, text=alt).with_dest(self._unwrap(dest)), width, height)
            return link.with_dest(self._unwrap(dest))
        if not dest and not link.bang:  # `[c++]()`: a link to be filled in, which leads nowhere yet
            return link.text
        path_part, _, fragment = dest.partition("#")
        if " " in path_part:
            self.count("raw_space_link")
        target = self.resolve(path_part)
        name = posixpath.basename(unquote(path_part))
        title = f" {link.title}" if link.title else ""  # (the tooltip its author wrote)
        if link.bang and not name.lower().endswith(".md"):
            alt, width, height = _split_size(link.text)
            return self._image(target, path_part, alt, width, height, lineno, title=title)
        text = _split_size(link.text)[0] if link.bang else link.text
        if target is None:
            if link.bang or _names_file(name):
                return self._missing(path_part, text, lineno)
            return self._unwritten(unquote(path_part), text, lineno)
        anchor = self._anchor(target, unquote(self.unmask(fragment)), lineno) if fragment else ""
        if target.lower().endswith(".md"):
            self.found.links.append((lineno, target))
        return f"[{text}]({destination(self._relative(target), anchor)}{title})"

    def _image(self, target: str | None, dest: str, alt: str, width: str | None,
               height: str | None, lineno: int, fragment: str = "", title: str = "") -> str:
        """An embedded file as Obsidian shows it: an image; a player for audio and video; a PDF in
        a frame, at its `#page=N`; any other file (a .zip, a .canvas) as a link to it."""
        if target is None:
            return self._missing(dest, alt, lineno)
        kind = _EMBEDDED.get(posixpath.splitext(target)[1].lower(), "image")
        if kind == "image":
            return self._sized(f"![{alt}]({destination(self._relative(target))}{title})", width, height)
        attrs = _size_attributes(width, height)
        if width:
            self.count("image_size")
        self.count(f"embedded_{kind}")
        name = html.escape(posixpath.basename(target), quote=True)
        if kind == "file":
            return f"[{escape_brackets(alt)}]({destination(self._relative(target))})"
        src = html.escape(self.vault.href(self.page, target), quote=True)
        if kind == "pdf":
            page = f"#{html.escape(fragment, quote=True)}" if fragment else ""
            return f'<iframe class="vs-pdf" src="{src}{page}" title="{name}"{attrs}></iframe>'
        return f'<{kind} class="vs-media" controls preload="metadata" src="{src}" title="{name}"{attrs}></{kind}>'

    def _sized(self, image: str, width: str | None, height: str | None) -> str:
        """A Markdown image at `width` (and `height`), as attr_list gives it its attributes."""
        if not width:
            return image
        self.count("image_size")
        return f"{image}{{{_size_attributes(width, height)} }}"

    def _bare_anchor(self, match: re.Match) -> str:
        """`<a>https://…</a>` (a copied citation) shows a URL that goes nowhere: give it its href."""
        self.count("bare_anchor")
        url = html.escape(match.group(1), quote=True)
        return f'<a href="{url}">{match.group(1)}</a>'

    def _img(self, tag: str, lineno: int) -> str:
        """A raw `<img>` gets a src that works from the built page (MkDocs moves each page a
        folder down), a width for Typora's `zoom:`, or a placeholder when its file is missing."""
        attrs = _attributes(tag[4:-1].rstrip("/"))
        src = attrs.get("src") or ""
        if _unsafe(src) and not _IMAGE_DATA.match(src) or self._on_disk(src):
            return self._unsafe(src, attrs.get("alt") or posixpath.basename(src), lineno)
        if not src or _SCHEME.match(src) or src.startswith("#"):
            return tag
        target = self.resolve(src)
        if target is None:
            return self._missing(src, attrs.get("alt") or "", lineno)
        attrs["src"] = self.vault.href(self.page, target)
        zoom = re.search(r"zoom:\s*([\d.]+)%;?", attrs.get("style") or "")
        natural = self.vault.image_width(target) if zoom else None
        if zoom and natural:
            attrs["width"] = str(max(1, round(natural * float(zoom.group(1)) / 100)))  # (never 0: a 1 px image at 50%)
            attrs["style"] = attrs["style"].replace(zoom.group(0), "").strip() or None
            self.count("image_zoom")
        self.count("raw_img_src")
        return "<img" + "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in attrs.items()
                                if v is not None) + ">"

    def _raw_tag(self, match: re.Match, lineno: int) -> str:
        """A raw tag loses what would run a script (`<a href="javascript:…">`, `<iframe src=…>`,
        `onerror=`, an iframe's `srcdoc`): what it shows stays, the script never runs."""
        tag, name = match.group(0), match.group(1)
        attrs = _attributes(tag[1 + len(name):-1].rstrip("/"))
        unsafe = [key for key, value in attrs.items() if key.startswith("on") or key == "srcdoc"
                  or key in _URL_ATTRIBUTES and _unsafe(value or "") and not (name.lower() == "img" and _IMAGE_DATA.match(value or ""))]
        for key in unsafe:
            self.found.unsafe.append((lineno, f"{key}={attrs.pop(key) or ''}"))
        linked = False
        if name.lower() == "a" and "href" in attrs:
            linked = self._raw_anchor(attrs, lineno)
        if not unsafe and not linked:
            return tag
        return f"<{name}" + "".join(f' {k}="{_attribute(v or "")}"' for k, v in attrs.items()) + ">"

    def _raw_anchor(self, attrs: dict[str, str | None], lineno: int) -> bool:
        """Point a raw `<a href="Note.md#Heading">` at the note's page, as its Markdown link is (MkDocs
        leaves raw HTML as written, and the site has no `Note.md`: a 404). One to a note not written
        yet or a missing file is no link, marked as theirs are. Whether `attrs` changed."""
        href = self.unmask(attrs["href"] or "")
        if not href or _SCHEME.match(href) or href.startswith(("#", "//")):
            return False
        path_part, _, fragment = href.partition("#")
        target = self.resolve(path_part)
        self.count("raw_a_href")
        if target is None:
            del attrs["href"]
            mark = self._missing_mark if _names_file(unquote(path_part)) else self._unwritten_mark
            kind, tip = mark(unquote(path_part), lineno)
            attrs["class"] = f"{attrs['class']} {kind}" if attrs.get("class") else kind
            attrs.setdefault("title", tip)
            return True
        if target.lower().endswith(".md"):
            self.found.links.append((lineno, target))
            fragment = self._anchor(target, unquote(fragment), lineno)[1:] if fragment else ""
        attrs["href"] = self.vault.href(self.page, target) + (f"#{fragment}" if fragment else "")
        return True

    def _unsafe(self, dest: str, text: str, lineno: int) -> str:
        self.found.unsafe.append((lineno, dest))
        kind = "a path on the author's disk" if _local_path(dest) else f"a {dest.split(':')[0].strip().lower()}: URL"
        tip = html.escape(f"Not published: {kind}", quote=True)
        return f'<span class="vs-unsafe" title="{tip}">{text}</span>'

    def _unwrap(self, url: str) -> str:
        query = parse_qs(urlsplit(url).query) if _YOUTUBE_REDIRECT.fullmatch(url) else {}
        target = (query.get("q") or [None])[0]
        if target and _SCHEME.match(target):
            self.count("redirect_unwrapped")
            return target
        return url

    # -- outcomes ----------------------------------------------------------------------------

    def _unwritten(self, target: str, text: str, lineno: int, name: str | None = None) -> str:
        return _marked(self._unwritten_mark(target, lineno, name), text)

    def _missing(self, dest: str, label: str, lineno: int) -> str:
        # (An "@" as its entity: magiclink linked `WX2023@2x.png` as a mail address.)
        shown = html.escape(label.strip() or posixpath.basename(unquote(dest))).replace("@", "&#64;")
        return _marked(self._missing_mark(dest, lineno), shown)

    def _unwritten_mark(self, target: str, lineno: int, name: str | None = None) -> tuple[str, str]:
        """The class and tooltip of a link to `target`, a note not written yet, recorded by its
        `name` (a path's is its file's name)."""
        self._note_if_outside(target, lineno)
        name = (note_name(target) if name is None else name).strip()  # (`[x](%20Q3.md)`: "Q3")
        self.found.unwritten.append((lineno, name))
        return "vs-unwritten", f"Not written yet: {name}"

    def _missing_mark(self, dest: str, lineno: int) -> tuple[str, str]:
        """The class and tooltip of a reference to a file the vault does not hold (recorded as one)."""
        self._note_if_outside(dest, lineno)
        self.found.missing.append((lineno, unquote(dest)))
        return "vs-missing", f"Missing file: {unquote(dest)}"

    def _note_if_outside(self, dest: str, lineno: int) -> None:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.base), unquote(dest)))
        if joined == ".." or joined.startswith("../"):
            self.found.outside.append((lineno, unquote(dest)))

    def _anchor(self, target: str, heading: str, lineno: int) -> str:
        """The id the site gives the heading of `target` that a link names as Obsidian writes it
        (`#👉 Big Data, Deep Learning`, ``#Using `pip` 安装``, `#Part B#Intro`): the heading
        `heading_of` finds, else the id of its text, which the note may give something itself
        and the plugin checks once the page is rendered (of a path's whole text: the id of its
        last heading alone may be a heading's in another section, where the link must not land)."""
        path = self.heading_path(heading)
        written = "#".join(path)
        if written.startswith("^"):  # a block id is its anchor as it stands: normalize.py puts it on its block
            anchor = written
        else:
            found = self.heading_of(target, path)
            anchor = found.id if found else self.slugify(heading_text(" ".join(path)))
        if target.lower().endswith(".md"):
            self.found.anchors.append((lineno, target, written, anchor))
        return f"#{anchor}"

    def heading_path(self, heading: str) -> list[str]:
        """The path of headings a link's (masked) `#Section#Sub` names: a `#` in code is no separator."""
        return [self.unmask(part).strip() for part in heading.split("#") if part.strip()]

    def heading_of(self, target: str, path: list[str]) -> Heading | None:
        """The heading of `target` that a link or an embed naming the path of headings `path`
        lands on: the one Obsidian opens, else the one in the same sections whose id is the id of
        the path's last heading as the page would draw it (`#Done 🎉` for `## Done :tada:`,
        `#Intro_1`)."""
        headings = self._headings(target)
        drawn = self.slugify(heading_text(path[-1])) if path else None
        return find_heading(headings, path) or find_heading(headings, path, lambda found: found.id == drawn)

    def _headings(self, target: str) -> tuple[Heading, ...]:
        return self.vault.headings(target, self.slugify)

    def _written_id(self, fragment: str) -> bool:
        """Whether the note gives something the id `fragment` itself, in HTML or an attribute list."""
        quoted = re.escape(fragment)
        return bool(re.search(rf"""\b(?:id|name)\s*=\s*["']?{quoted}(?:["'\s/>])|\{{[^}}\n]*#{quoted}[\s}}]""",
                              self.vault.body(self.base) or ""))

    def find_name(self, name: str) -> str | None:
        """The file a wikilink or an embed names: by its name, nearest the note; or, written as a
        path from the note's folder (`./Note`, `../x/Note`, `../pics/a.png`), at that path, as a
        Markdown link's (a wikilink leaves out a note's `.md`)."""
        if not name.startswith(("./", "../")):
            return self.vault.find_name(name, self.base)
        return self._at(name, f"{name}.md")

    def resolve(self, dest: str) -> str | None:
        """Vault path of a Markdown link's relative destination (see _at); of one from the vault's
        root (`/assets/a.png`, as Typora's root-relative images are), the file there or None."""
        decoded = unquote(dest.strip().strip("<>"))
        if decoded.startswith("/") and not decoded.startswith("//"):
            rooted = posixpath.normpath(decoded.lstrip("/"))
            if rooted.startswith(".."):
                return None
            return self.root and self.vault.find(posixpath.join(self.root, rooted)) or self.vault.find(rooted)
        found = self._at(decoded) if decoded else None
        if found is None and "\\" in decoded:
            # Punctuation escaped, as CommonMark reads a destination (`f\(\).md`), or a Windows path
            # (`.\图片\a.png`: Typora on Windows writes so).
            found = self._at(unescapeAll(decoded)) or self._at(decoded.replace("\\", "/"))
        return found

    def _on_disk(self, url: str) -> bool:
        """Whether `url` is a path on the author's disk (`C:\\…`, `file:`, `/Users/…`), not a path
        from the vault's root: to a file it holds, into one of its folders (a note not written
        yet, `/notes/Vue.md`, as Obsidian reads it), or to a note by a path of none (a website's
        page copied with its link, `/docs/setup`: a note not written yet too). A file by a path
        of none is the author's (`/c/Users/me/a.png` in Git Bash, `/sdcard/DCIM/b.png`)."""
        path = url.strip().partition("#")[0]
        if not _local_path(url) or not path.startswith("/"):
            return _local_path(url)
        decoded = unquote(path).strip("<>")
        folder = posixpath.dirname(decoded.lstrip("/"))
        if self.resolve(path) is not None or folder and self.vault.has_folder(folder):
            return False
        return _names_file(decoded) or bool(_SYSTEM_FOLDER.match(decoded))

    def _at(self, *spellings: str) -> str | None:
        """Vault path of the file at a path from the note's folder, the first of its `spellings`
        that exists; by name when none does (as Obsidian does); None when it is missing or climbs
        out of the vault."""
        joined = [posixpath.normpath(posixpath.join(posixpath.dirname(self.base), path)) for path in spellings]
        if joined[0] == ".." or joined[0].startswith("../"):
            return None
        found = next(filter(None, map(self.vault.find, joined)), None)
        if found is None:
            name = posixpath.basename(joined[-1])
            found = self.vault.find_name(name[:-3] if name.lower().endswith(".md") else name, self.base)
        return found

    def _relative(self, target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(self.page) or ".")


# -- helpers (pure) --------------------------------------------------------------------------

def note_name(path: str) -> str:
    """The name a note is linked by: its file's name less `.md`. A wikilink's name has no `.md`, and
    its dots are its own (`[[3.一维搜索]]`, `[[v1.2 notes]]`)."""
    return _without_md(posixpath.basename(path))


def _without_md(name: str) -> str:
    return name[:-3] if name.lower().endswith(".md") else name


def typora_root(note: str, root_url: object, vault: Vault) -> str:
    """The folder of the vault that the note at `note` reads its paths from the root (`/x.png`)
    from, by Typora's front matter `typora-root-url`: a folder from the note's (`assets`, `./`),
    or a path on the author's disk that ends in one of the vault (`D:\\notes\\os\\assets`); ""
    (the vault's root) for none."""
    if not isinstance(root_url, str) or not root_url.strip():
        return ""
    written = root_url.strip().replace("\\", "/")
    if not _local_path(written):
        folder = posixpath.normpath(posixpath.join(posixpath.dirname(note), written))
        return "" if folder == "." or folder.startswith("..") else folder
    parts = [part for part in written.split("/") if part and not part.endswith(":")]
    return next(("/".join(parts[i:]) for i in range(len(parts)) if vault.has_folder("/".join(parts[i:]))), "")


def names_note(heading: str, path: str) -> bool:
    """Whether a `# ` heading's Markdown names the note at `path`, its letters and digits alike
    (`# 3B1b: neural networks` names `3B1B - Neural Networks.md`)."""
    return words(heading_text(heading)) == words(note_name(path))


def titles_note(heading: str, path: str) -> bool:
    """Whether a note's one `# ` heading, opening it, is the title of its page, where Obsidian
    titles every note by its name: where it names the note, or says more around its words or
    fewer of them (`# Transformers · 注意力机制` in `Transformers.md`, `# The topic` in `topic
    (conflicted copy).md`, `# 5. The Kernel Trick` in `06. The Kernel Trick.md`: a number
    before the words orders a series, and may differ); or where the name is no title to show, a
    slug (`ch02.md`, `2-ado-mcp.md`, `index.md`) or an id (`202301011230.md`), though not a date
    (`2024-01-01.md`, titled by a daily template's `# Daily Note`). A section's heading (`# 剑形态`
    in `盾斧.md`) or a template's (`# Meta`) titles nothing: five notes were titled "Meta", and merged."""
    name = note_name(path)
    if _SLUG.fullmatch(name) and not _DATE.fullmatch(name) or names_note(heading, path):
        return True
    text, name = (unicodedata.normalize("NFKC", s).casefold() for s in (heading_text(heading), name))
    heading_words = _unnumbered(WORD.findall(text))
    for name_words in {tuple(_unnumbered(WORD.findall(n))) for n in (name, strip_copy_marker(name, set()))}:
        shorter, longer = sorted((heading_words, list(name_words)), key=len)
        if shorter and any(longer[i:i + len(shorter)] == shorter for i in range(len(longer) - len(shorter) + 1)):
            return True
    return False


def folded_names(stems: Iterable[str]) -> set[str]:
    """The file names of a folder as strip_copy_marker looks them up."""
    return {unicodedata.normalize("NFC", stem).casefold() for stem in stems}


def strip_copy_marker(stem: str, folded: set[str]) -> str:
    """A file name `stem` less the markers a sync client or a file manager adds to a copy's; a bare
    trailing number or "copy" only where the unmarked name is one of `folded` (its folder's names,
    see folded_names): `Lecture 2` is a name of its own."""
    while True:
        for pattern in _ALWAYS:
            shorter = pattern.sub("", stem)
            if shorter != stem and shorter.strip():
                break
        else:
            for pattern in _BESIDE_ORIGINAL:
                shorter = pattern.sub("", stem)
                if (shorter != stem and shorter.strip()
                        and unicodedata.normalize("NFC", shorter.strip()).casefold() in folded):
                    break
            else:
                return stem
        stem = shorter.rstrip()


_ALWAYS = [re.compile(p, re.IGNORECASE) for p in (
    r"\.sync-conflict-\d{8}-\d{6}(?:-[a-z0-9]+)?$",                  # Syncthing
    r"_conflict-\d{8}-\d{6}$",                                       # ownCloud
    r"\s*\((?:[^()]*\s)?(?:conflicted copy|conflict|copy)\b[^()]*\)$",  # Dropbox, "(Windows copy)"
    r"\s*\(\d{1,3}\)$",                                              # "Note (1)"
    r"\s+-\s+copy(?:\s*\(\d{1,3}\))?$",                              # Windows "Note - Copy (2)"
)] + [re.compile(r"-(?:DESKTOP|LAPTOP)-[A-Z0-9]{5,}$")]                # OneDrive, case matters
_BESIDE_ORIGINAL = [re.compile(p, re.IGNORECASE) for p in (
    r"\s+\d{1,3}$",                                                  # Obsidian/iCloud "Note 2"
    r"\s+copy(?:\s+\d{1,3})?$",                                      # macOS "Note copy 2"
)]


def _unnumbered(words: list[str]) -> list[str]:
    """`words` less the numbers they start with, unless numbers are all they are."""
    rest = list(dropwhile(str.isdigit, words))
    return rest or words


_SLUG = re.compile(r"[!-~]+")
_DATE = re.compile(r"\d+(?:[-_.]\d+)+")  # (a date's digits in groups; an id's are one run)


def _marked(mark: tuple[str, str], shown: str) -> str:
    """`shown` (HTML) in a span of `mark`'s class, its tooltip."""
    return f'<span class="{mark[0]}" title="{_attribute(mark[1])}">{shown}</span>'


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# An image's size (`300`, `300x200`); five digits or more are a name, no width (Typora names an
# image pasted by its time, `![16223716711807832](…)`, which showed as wide as the page).
_SIZE = re.compile(r"^\s*(\d{1,4})(?:\s*x\s*(\d{1,4}))?\s*$")
_RESOLVED = re.compile("\ue002(\\d+)\ue003")
# `[[Note#Heading|label]]`, its label up to the first `]]` (`[[Note|see [x] here]]`); `\[[x]]` is text.
_WIKILINK = re.compile(r"(?<!\\)(!?)(?<!\\)\[\[([^\[\]|]+?)(?:\\?\|((?:[^\[\]]|\[(?!\[)|\](?!\]))*))?\]\]")
_YOUTUBE_REDIRECT = re.compile(r"https?://(?:www\.)?youtube\.com/redirect\?[^\s)<>\"']+")
_BARE_ANCHOR = re.compile(r"<a>\s*(https?://[^\s<>\"]+)\s*</a>", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_RAW_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>")
# The destination, in angle brackets, of a link this module wrote (`[x](<notes on ML.md>)`).
_WRITTEN_DESTINATION = re.compile(r"(?<=\]\()<[^<>\n]*>")
# Attributes whose value a browser loads or follows.
_URL_ATTRIBUTES = frozenset({"href", "src", "data", "action", "formaction", "poster", "background", "xlink:href"})
_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s*<?([^\s>]+)")
_IMAGE_DATA = re.compile(r"^\s*data:image/(?:png|gif|jpe?g|webp);", re.IGNORECASE)
_LOCAL = re.compile(r"^(?:/(?!/)|[a-zA-Z]:[\\/]|file:)", re.IGNORECASE)
# The folders at the top of a disk (macOS, Linux): a path from one is the author's file, not the vault's.
_SYSTEM_FOLDER = re.compile(r"/(?:Users|Volumes|Applications|Library|System|private|home|root|mnt|media|tmp|var|etc|opt"
                            r"|usr|srv|bin|sbin|dev|proc)(?:/|$)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20]+")
_ATTR = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")


_POST = re.compile(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status/\d+", re.IGNORECASE)
_YOUTUBE_TIME = re.compile(r"(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}


def _youtube_player(url: str) -> str | None:
    """The privacy-enhanced player of a YouTube video's URL (a watch page, youtu.be, shorts), from
    its start time if it has one (`t=90`, `t=90s`, `t=1m30s`); None for any other URL."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host, path = parts.netloc.lower(), parts.path.split("/")
    if host == "youtu.be" and len(path) > 1:
        video = path[1]
    elif host in _YOUTUBE_HOSTS and path[1:] == ["watch"]:
        video = (query.get("v") or [""])[0]
    elif host in _YOUTUBE_HOSTS and len(path) > 2 and path[1] in ("shorts", "embed", "live"):
        video = path[2]
    else:
        return None
    if not re.fullmatch(r"[\w-]{11}", video):
        return None
    at = _YOUTUBE_TIME.fullmatch((query.get("t") or query.get("start") or [""])[0])
    start = at and sum(int(n or 0) * seconds for n, seconds in zip(at.groups(), (3600, 60, 1)))
    return f"https://www.youtube-nocookie.com/embed/{video}" + (f"?start={start}" if start else "")


# How a browser shows an embedded file that is no image (Obsidian plays it, or shows the PDF).
_EMBEDDED = {**dict.fromkeys((".mp3", ".wav", ".ogg", ".m4a", ".flac"), "audio"),
             **dict.fromkeys((".mp4", ".webm", ".mov", ".ogv"), "video"),
             ".pdf": "pdf", ".csv": "file", ".zip": "file", ".canvas": "file"}


def _names_file(path: str) -> bool:
    """Whether a link's path that leads nowhere names a file or a folder, not a note: by an
    extension of letters and digits other than `.md` (`paper.pdf`, `run.py`), or an ending `/`
    (`Information Storage`, `v1.2 notes` and `3.一维搜索` are notes, as Obsidian reads them)."""
    extension = posixpath.splitext(path)[1]
    if not posixpath.basename(path):
        return True
    return extension.lower() != ".md" and _FILE_EXTENSION.fullmatch(extension) is not None


_FILE_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")


def _is_attachment(name: str) -> bool:
    """A file Obsidian shows or links as a file, not a note (`.excalidraw.md` is a note)."""
    return posixpath.splitext(name)[1].lower() in ATTACHMENT_EXTENSIONS


def _unsafe(url: str) -> bool:
    """Script and data URLs, however a browser would still read them (entities, case, tabs)."""
    plain = _CONTROL.sub("", html.unescape(url)).lower()
    return plain.startswith(("javascript:", "vbscript:", "data:"))


def _local_path(url: str) -> bool:
    """A path on the author's machine (`/Users/…`, `C:\\…`, `file:`): never read, never published."""
    return bool(_LOCAL.match(url.strip()))


def _attributes(text: str) -> dict[str, str | None]:
    """A raw tag's attributes in order; a bare attribute (`<img hidden>`) maps to ""."""
    attrs: dict[str, str | None] = {}
    for m in _ATTR.finditer(text):
        value = next((g for g in m.groups()[1:] if g is not None), "")
        attrs[m.group(1).lower()] = html.unescape(value)
    return attrs


# Inline Markdown only, math read as arithmatex reads it: what a heading's text is made of.
_inline_md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
_TEXT_TOKENS = frozenset({"text", "code_inline", "math_inline", "math_inline_double"})
# A note's blocks: its headings are those outside code and display math.
_block_md = MarkdownIt("commonmark").use(dollarmath_plugin).disable("inline")
# What the site draws a heading's text with before the toc reads it: a wikilink is its shown
# text (as _wikilink writes it), a footnote reference is no part of the id (the toc leaves it
# out), and an emoji shortcode is its emoji (pymdownx.emoji with the twemoji index and to_alt,
# as mkdocs.yml configures it).
_DRAWN = re.compile(rf"{_WIKILINK.pattern}|\[\^[^\]\s]+\]|:[+\-\w]+:")


def _drawn(match: re.Match) -> str:
    text = match.group(0)
    if text.startswith(":"):
        code = twemoji_db.aliases.get(text, text)
        emoji = twemoji_db.emoji.get(code, {})
        unicode = emoji.get("unicode_alt", emoji.get("unicode"))
        return "".join(chr(int(point, 16)) for point in unicode.split("-")) if unicode else text
    if text.startswith("[^"):
        return ""
    return _wikilink_text(match)


def _wikilink_text(match: re.Match) -> str:
    """A wikilink's shown text, in Markdown (see _shown_markdown); an embed shows none in a heading."""
    bang, target, label = match.group(1), match.group(2).strip(), (match.group(3) or "").strip()
    name, _, heading = target.partition("#")
    headings = [part.strip() for part in heading.split("#") if part.strip()]
    return "" if bang else _shown_markdown(posixpath.basename(name), headings, label)


def _shown_markdown(name: str, headings: list[str], label: str) -> str:
    """What a wikilink shows, in Markdown: its label or the note's name as written, as Obsidian
    shows them (`[[__main__]]` is no bold "main", `[[x|the <vector> header]]` no tag), then the
    headings of its path as the page draws them (code, an emoji's shortcode)."""
    if label:
        return as_text(label)
    return " › ".join(([as_text(name)] if name else []) + [escape_brackets(heading) for heading in headings])


def shown_text(name: str, heading: str, label: str) -> str:
    """What a wikilink shows: its label, else the note's name and its path of headings, as
    Obsidian shows them (`Note › Part B › Intro`)."""
    return label or " › ".join(part.strip() for part in (name, *heading.split("#")) if part.strip())


def heading_text(markdown: str) -> str:
    """The text of a heading's Markdown, as Python-Markdown's toc reads it to make the heading's
    id: code and math without their marks, a link's text, no emphasis marks, raw HTML tags,
    images or footnote references (``Using `pip install` 安装`` -> `Using pip install 安装`,
    `A _first_ [try](x)` -> `A first try`, `Done :tada:[^1]` -> `Done 🎉`, `==Key== idea` -> `Key idea`)."""
    if "[[" in markdown and "`" not in markdown:  # (a wikilink's name is text: `[[__main__]]` no emphasis)
        markdown = _WIKILINK.sub(_wikilink_text, markdown)
    [inline] = _inline_md.parseInline(markdown)
    return "".join(_DRAWN.sub(_drawn, _MARKS.sub(r"\2", token.content)) if token.type == "text" else token.content
                   for token in inline.children or () if token.type in _TEXT_TOKENS)


def same_title(heading: str, title: str) -> bool:
    """Whether a `# ` heading's Markdown says the title a note's front matter gives, in any case
    (`# My Post` under `title: my post`; `` # `git rebase` `` under `` title: "`git rebase`" ``)."""
    return " ".join(heading_text(heading).split()).casefold() == " ".join(heading_text(title).split()).casefold()


# `==highlight==` and `~~strike-through~~` (pymdownx.mark and tilde), which CommonMark reads as text.
_MARKS = re.compile(r"(==|~~)(?=\S)(.+?)(?<=\S)\1")


@dataclass(frozen=True)
class Heading:
    """A heading of a note."""

    level: int
    text: str  # the Markdown of its text, as the note writes it
    id: str  # the id the site gives it
    line: int  # the line of the note it starts on, from 0


def note_headings(body: str, slugify: Callable[[str], str]) -> tuple[Heading, ...]:
    """The headings of a note, in order, with their ids: the slug of each one's text, and a
    repeated one numbered as Python-Markdown's toc numbers it (`intro`, `intro_1`, ...)."""
    tokens, taken = _block_md.parse(body), set()
    return tuple(Heading(int(token.tag[1]), tokens[k + 1].content,
                         unique(slugify(heading_text(tokens[k + 1].content)), taken), token.map[0])
                 for k, token in enumerate(tokens) if token.type == "heading_open")


def leading_title(markdown: str) -> str | None:
    """The text of the page's title heading, as MkDocs reads a page's title: its first block, if
    that is a `# ` (or `===`) heading, as text (`# Using **Vue** [x](x.md)` is "Using Vue x")."""
    # Read up to a blank line, where a heading has ended, and twice as far each time that held no
    # block (link definitions alone): the whole note was parsed, in the main process, for one line.
    start = re.match(r"(?:[ \t]*\n)*", markdown).end()
    cut = start
    while (cut := markdown.find("\n\n", max(cut + 1, 2 * cut - start))) >= 0:
        if tokens := _block_md.parse(markdown[:cut]):
            break
    else:
        tokens = _block_md.parse(markdown)
    if len(tokens) < 2 or tokens[0].type != "heading_open" or tokens[0].tag != "h1":
        return None
    return " ".join(heading_text(tokens[1].content).split()) or None


# Obsidian matches a link's heading to the note's by their text less its punctuation and runs
# of space (its `stripHeading`): `#Done tada` and `#Done :tada:` are `## Done :tada:`, `#See Other
# note the other` (what its autocomplete writes) is `## See [[Other note|the other]]`.
_OBSIDIAN_STRIPPED = re.compile(r"""[!"#$%&()*+,./:;<=>?@\[\\\]^`{|}~\s]+""")


def _obsidian_key(text: str) -> str:
    return _OBSIDIAN_STRIPPED.sub(" ", text).strip().casefold()


def find_heading(headings: tuple[Heading, ...], path: list[str],
                 is_last: Callable[[Heading], bool] | None = None) -> Heading | None:
    """The heading a link's path of headings names, as Obsidian finds it: the first with the
    path's last text that lies in the section of each heading before it in the path, in turn
    (`Part B#Intro` is the first `Intro` in the section of a `Part B`: not the note's first
    `Intro`, nor one under a later heading of Part B's level); None when the note has none such.
    ``is_last`` tells the path's last heading otherwise than by its text."""
    if not path:
        return None
    *outer, last = [_obsidian_key(part) for part in path]
    is_last = is_last or (lambda heading: _obsidian_key(heading.text) == last)
    holding: list[Heading] = []  # the headings whose sections hold this one, outermost first
    for heading in headings:
        while holding and holding[-1].level >= heading.level:
            holding.pop()  # its section ends here
        if is_last(heading):
            held_by = (_obsidian_key(found.text) for found in holding)
            # Each of the path's headings among those holding this one, in order (`in` reads on
            # from the one found before).
            if all(part in held_by for part in outer):
                return heading
        holding.append(heading)
    return None


def escape_brackets(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


# Every ASCII punctuation mark, which a backslash escapes (vaultsite.escapes), but those of the
# entities html.escape writes (`&lt;`) and parentheses, which need none and escaped open a formula
# where a site keeps arithmatex's `\(x\)`.
_MARKUP = re.compile(f"[{re.escape(string.punctuation.translate({ord(c): None for c in '&;()'}))}]")


def _attribute(text: str) -> str:
    """`text` as the value of a raw tag's attribute, which Python-Markdown reads a formula, code
    and backslash escapes in (they run before raw HTML is set aside)."""
    return html.escape(text, quote=True).translate(_ATTRIBUTE_ESCAPES)


_ATTRIBUTE_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "$`\\"})


def as_text(text: str) -> str:
    """Markdown that shows `text` as written: neither Markdown (`__main__`, `**`) nor HTML."""
    return _MARKUP.sub(r"\\\g<0>", html.escape(text, quote=False))


def _split_size(alt: str) -> tuple[str, str | None, str | None]:
    """Obsidian writes an image's size after a bar, or as all its text: `![name | 800](x)`,
    `![|600x400](x)`, `![250](x)`; in a table, its bar escaped (`![name\\|800](x)`)."""
    name, _, size = alt.rpartition("|")
    match = _SIZE.match(size)
    if not match:
        return alt, None, None
    return name.removesuffix("\\").strip(), match.group(1), match.group(2)


def _size_attributes(width: str | None, height: str | None) -> str:
    return "".join(f' {k}="{v}"' for k, v in (("width", width), ("height", height)) if v)


# What would end or change a destination, and `$` and `` ` ``, which a formula or code span
# would take (arithmatex and code read a line before its links: `<Mongo $or $nin.md>`).
_DESTINATION_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in "%?#<>\\\n\r$`"})


def destination(path: str, anchor: str = "") -> str:
    """The Markdown link destination of a vault path (and its `#anchor`), in angle brackets: spaces,
    CJK and emoji stay as written, and only what would end or change it is percent-encoded.
    (Python-Markdown reads a bracketed destination with one regex, a bare one character by
    character; percent-encoded, a path is three times as long.)"""
    return f"<{path.translate(_DESTINATION_ESCAPES)}{anchor}>"


@dataclass
class _Link:
    bang: bool
    text: str
    dest: str
    title: str

    def with_dest(self, dest: str) -> str:
        title = f" {self.title}" if self.title else ""
        bracket = f"<{dest}>" if " " in dest and not dest.startswith("<") else dest  # (one of `destination`'s)
        return f"{'!' if self.bang else ''}[{self.text}]({bracket}{title})"


# A destination and its title, in any of CommonMark's three forms (`"a \"b\""`, `'c'`, `(d)`).
_DEST_AND_TITLE = re.compile(r"""^(.*?)(?:\s+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?$""")


def _replace_links(line: str, fn: Callable[[_Link], str]) -> str:
    """Find `[text](dest "title")` and `![alt](dest)`, including Typora's raw-space destinations."""
    if "](" not in line:
        return line
    brackets, parens = bracket_pairs(line, "[", "]"), bracket_pairs(line, "(", ")")
    out, pos = [], 0
    for start in sorted(brackets):
        close = brackets[start]
        end = parens.get(close + 1, -1)
        if start < pos or end < 0:
            continue
        bang = line[start - 1:start] == "!"
        inner = line[close + 2:end].strip()
        if inner.startswith("<") and ">" in inner:
            dest, rest = inner[1:inner.index(">")], inner[inner.index(">") + 1:].strip()
        else:
            m = _DEST_AND_TITLE.match(inner)
            dest, rest = m.group(1).strip(), (m.group(2) or "")
            if rest.startswith("(") and any(char.isspace() for char in dest):
                dest, rest = inner, ""  # Typora's raw spaces: `(#Convolution Neural Network (CNN))` is a path
        if rest.startswith("("):  # (a form Python-Markdown reads no title in: quoted)
            rest = '"' + re.sub(r'(?<!\\)"', r'\"', rest[1:-1]) + '"'
        text = line[start + 1:close]
        link = _Link(bang, text if bang else _replace_links(text, fn), dest, rest)
        out.append(line[pos:start - 1] if bang else line[pos:start])
        out.append(fn(link))
        pos = end + 1
    out.append(line[pos:])
    return "".join(out)


def bracket_pairs(line: str, opening: str, closing: str) -> dict[int, int]:
    """Index of each opening bracket -> its closing bracket, in one pass (backslash escapes)."""
    pairs, stack = {}, []
    for m in re.finditer(r"\\.|[" + re.escape(opening + closing) + "]", line):
        if m.group() == opening:
            stack.append(m.start())
        elif m.group() == closing and stack:
            pairs[stack.pop()] = m.start()
    return pairs
