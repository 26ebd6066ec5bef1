"""Turn an Obsidian/Typora note into Markdown that Python-Markdown renders as the author saw it.

The note is parsed once with markdown-it-py (CommonMark, as Obsidian and Typora parse it). The block
tokens' line maps say where each list, quote, heading and definition sits; the rewrite edits those
lines, so the text handed on stays line-for-line close to the note and problems can name a line.
Inline rewrites (links, images, raw ``<img>``/``<a>``) run on the same lines with code spans and
math masked out, so code is never touched.

Nothing here knows MkDocs: the caller passes a :class:`Vault` that answers which files exist.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import unquote

import lxml.html
from lxml.html.defs import tags as HTML_TAGS
from markdown_it import MarkdownIt
from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE
from markdown_it.token import Token

from . import drawings, html_blocks
from .backlinks import note_link
from .links import (Found, Heading, LinkRewriter, Vault, bracket_pairs, escape_brackets, heading_text,
                    names_note, note_headings, note_name, same_title, shown_text,
                    titles_note)
from .mathml import in_line
from .tight_lists import TIGHT


class Notes(Vault):
    """The vault, plus the texts of its notes (for embeds)."""

    def body(self, path: str) -> str | None:
        """The note's Markdown without front matter, or None if `path` is not a note."""


@dataclass
class Problem:
    line: int
    message: str
    cycle: bool = False  # an embed cycle: the embedding chain's, not one note's


@dataclass
class Normalized:
    text: str
    applied: Counter = field(default_factory=Counter)
    found: Found = field(default_factory=lambda: Found([], [], [], [], [], []))
    problems: list[Problem] = field(default_factory=list)
    embedded: set[str] = field(default_factory=set)  # the notes whose text it shows (`![[Note]]`)
    footnotes: list[tuple[str, str]] = field(default_factory=list)  # inline footnotes: (label, Markdown)
    tags: list[str] = field(default_factory=list)  # the `#tags` of its text, each once, in order
    properties: str = ""  # its properties, as Markdown (see properties.py), one paragraph each


# Only block structure is needed (inline rewrites run on lines), and inline parsing is most of
# markdown-it's time on a long note.
_md = MarkdownIt("commonmark", {"inline_definitions": True}).disable(["inline", "text_join"])

_MARKER = re.compile(r"^([-*+]|\d{1,9}[.)])([ \t]+|$)")
_TASK_BOX = re.compile(r"\[[ xX]\]")
_MARKED_TASK_BOX = re.compile(r"\[[^\sxX\]]\](?=\s)")
# An Obsidian tag: after a space or at a line's start, of letters, digits, _, - and /, not all digits.
_TAG = re.compile(r"(?<!\S)#([\w/-]*[^\W\d][\w/-]*)")
_REFERENCE_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s")
# Where text holds no tag: an HTML tag, an image's text (its alt, which would show the tag's markup;
# brackets in it too) and a wikilink's target or text (Obsidian reads no tag there; `[[N# #B]]` is a
# heading path).
_TAGLESS_INLINE = re.compile(r"(<[^<>]*>|!?\[\[[^\]]*\]\]|!\[(?:[^\[\]]|\[[^\]]*\])*\])")
# What opens text in which a page shows no tag: an HTML comment, a style sheet, a script, a text box.
_TAGLESS = re.compile(r"<!--|<(script|style|textarea)(?=[\s/>]|$)", re.IGNORECASE)
_TAGLESS_CLOSINGS = ("-->", "</script", "</style", "</textarea")
# An HTML block Python-Markdown shows as written: a comment, or an element it reads as a block.
_HTML_BLOCK = re.compile(
    r"\s*(?:<!|<\?|</?(?:address|article|aside|blockquote|body|canvas|center|colgroup|dd|details|div|dl|dt|"
    r"fieldset|figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|html|iframe|legend|li|main|map|math|menu|"
    r"nav|noscript|object|ol|option|output|p|pre|progress|script|section|style|summary|table|tbody|td|textarea|"
    r"tfoot|th|thead|tr|ul|video)(?=[\s/>]|$))",
    re.IGNORECASE,
)
_TABLE_DELIMITER = re.compile(r" {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
# List item markers that open a line (an item that holds a list opens with two).
_ITEM_MARKERS = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*")
_BLOCK_ID = re.compile(r"(?:^|[ \t]+)\^([A-Za-z0-9-]+)[ \t]*$")
# What comes before a block's text on its first line: indentation, quote and list markers (all of
# an item that opens with a list: `- 1. text`), a task box.
_BLOCK_START = re.compile(r"[ \t]*(?:>[ \t]?)*(?:(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)+(?:\[.\][ \t]+)?)?")
_QUOTE_PREFIX = re.compile(r"^ {0,3}> ?")
# A custom type may hold hyphens and spaces (`[!Attack Rolls]`, Obsidian's type "attack-rolls"), not
# brackets (`> [![badge](…)](…)` is a quote of a linked image); `|` starts metadata for CSS
# snippets (`[!quote|notitle]`), which draws nothing here.
_CALLOUT = re.compile(r"^\[!([^\[\]|]*[^\[\]|\s][^\[\]|]*)(?:\|[^\]]*)?\]([-+]?)[ \t]*(.*)$")
_TOC = re.compile(r"^\s*\[(?:TOC|toc)\]\s*$")
# A parameter line opening an Admonition plugin's block (```` ```ad-tip ````).
_AD_PARAMETER = re.compile(r"^(title|collapse|icon|color):(.*)$", re.IGNORECASE)
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")
# An ATX heading's closing `#`s, and attributes at the end of a heading (attr_list's `{#intro}`).
_ATX_CLOSING = re.compile(r"(?:^|\s+)#+\s*$")
_ATTRIBUTES_AFTER = re.compile(r"\{[:#.][^{}]*\}\s*$")
_HASHES_ENDING_WORD = re.compile(r"(?<=[^\s#\\])(#+)[ \t]*$")
# Braces attr_list reads as attributes: after a space in a heading; alone on a paragraph's last
# line (in a quote or an item too).
_SPACED_BRACE = re.compile(r"(?<=[ \t])\{")
_BRACES_LINE = re.compile(r"^((?:[ \t]*>)*[ \t]*)\{(?=.*\}[ \t]*$)")
_EMBED = re.compile(r"^\s*!\[\[([^\[\]|#]*)(?:#([^\[\]|]*))?(?:\\?\|[^\[\]]*)?\]\]\s*$")
# A note's first line, where it is a `# ` heading (an embed of the whole note leaves it out where it
# names the note); an embed anywhere in a text; one written as a Markdown image of a note.
_TITLE_LINE = re.compile(r"\s*# (.*)\n?")
_HASH_TEXT = re.compile(_ITEM_MARKERS.pattern + r"[ \t]*(#+)(?=[^\s#])")
# (One, not escaped: `![[A]] ![[B]]` are links, and `\![[A]]` is text.)
_EMBED_AFTER_TEXT = re.compile(r"^((?:(?!!\[\[).)*\S)[ \t]*(?<!\\)(!\[\[[^\[\]]*\]\])\s*$")
_EMBED_BEFORE_TEXT = re.compile(r"^\s*(!\[\[[^\[\]]*\]\])[ \t]*((?:(?!!\[\[).)*\S)\s*$")
_CLOSING_FENCE = re.compile(r"(`{3,}|~{3,})\s*$")
_EMBED_SIZE = re.compile(r"\|\s*(\d+(?:x\d+)?)\s*\]\]\s*$")
_ANY_EMBED = re.compile(r"!\[\[|!\[[^\]]*\]\([^)]*\.md", re.IGNORECASE)
_MARKDOWN_EMBED = re.compile(r"^\s*!\[[^\[\]]*\]\(<?([^<>#]+?\.md)(?:#([^<>]*?))?>?\)\s*$", re.IGNORECASE)
# The blocks that may start right under a line of text, by the kind of rewrite the report counts.
_AFTER_TEXT = {"bullet_list_open": "list", "ordered_list_open": "list", "blockquote_open": "quote",
               "fence": "code", "heading_open": "heading", "hr": "rule"}
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")
_MAX_EMBED_DEPTH = 8
_PARAGRAPH_LINES = 200

# Obsidian callout types that Material has no admonition of its own for.
_CALLOUT_ALIASES = {"hint": "tip", "important": "tip", "check": "success", "done": "success",
                    "help": "question", "faq": "question", "caution": "warning",
                    "attention": "warning", "fail": "failure", "missing": "failure",
                    "error": "danger", "cite": "quote", "summary": "abstract", "tldr": "abstract"}
MATERIAL_TYPES = {"note", "abstract", "info", "tip", "success", "question", "warning", "failure",
                   "danger", "bug", "example", "quote", "todo"}


def normalize(text: str, path: str, vault: Notes, slugify: Callable[[str], str],
              first_line: int = 1, callouts: Mapping[str, str] | None = None, root: str = "",
              properties: str = "", title: str | None = None) -> Normalized:
    """Rewrite the note at vault path `path`, whose `text` starts on line `first_line` of the
    file (after front matter); `slugify` is the site's heading-id function; `callouts` the
    Material type of each callout type of the vault's own (lower case); `root` the folder its
    paths from the root start from (see links.typora_root); `properties` its properties as
    Markdown, each on its line of the front matter (see properties.py), rewritten alike; `title`
    the title its front matter gives it, which its opening `# ` heading may repeat."""
    result = Normalized(text="")
    if properties:  # (its links count as the note's: backlinks, notes not written yet)
        shown = _Rewriter(properties, path, vault, slugify, result, 1, callouts=callouts or {}, root=root).run()
        result.properties = "\n\n".join(line for line in shown if line.strip())
    if drawings.is_drawing(path, text):
        if not drawings.exported_image(path, vault.find):
            result.problems.append(Problem(first_line, "an Excalidraw drawing with no image exported beside it "
                                           "(.svg or .png): shown by its name; turn on the Excalidraw plugin's "
                                           "Auto-export to show it"))
        text = drawings.page(text, path, vault.find)
    lines = _Rewriter(text, path, vault, slugify, result, first_line - 1, callouts=callouts or {}, root=root,
                      title=title).run()
    # Inline footnotes are defined at the end, where Python-Markdown reads footnotes of any page.
    # (The lines of one written over several are indented, so they stay in it.)
    lines += ["", *(f"[^{label}]: " + note.replace("\n", "\n    ") for label, note in result.footnotes)] if result.footnotes else []
    result.text = "\n".join(lines)
    result.tags = list(dict.fromkeys(result.tags))  # once each, at the end: a note may write thousands
    return result


class _Rewriter:
    def __init__(self, text: str, path: str, vault: Notes, slugify: Callable[[str], str],
                 result: Normalized, line_offset: int = 0, embedded: tuple[str, ...] = (),
                 html: bool = True, footnotes: str = "", callouts: Mapping[str, str] | None = None,
                 quoted: bool = False, root: str = "", title: str | None = None):
        # `path` is the page being built; `embedded` the notes being embedded into it, innermost
        # last: relative links in embedded text are read from the note they were written in.
        # `html`: whether Python-Markdown reads HTML in the text as HTML (not in a quote in a list
        # item: see _quote). `quoted`: the text is a quote's or a callout's (see _quote).
        self.path, self.vault, self.slugify, self.result = path, vault, slugify, result
        self.offset, self.embedded, self.html, self.quoted = line_offset, embedded, html, quoted
        self.callouts = callouts or {}
        self.title = title  # the note's title in its front matter
        self.holds_html = False  # whether HTML in the text holds Markdown (see _markdown_in_html)
        self.tagless: str | None = None  # what ends the element or comment a line ends in, with no tags (see _tags)
        # What the labels of an embedded note's footnotes start with on the page (see _embeds).
        self.footnotes = footnotes
        self.links = LinkRewriter(path, vault, slugify, result.found, result.applied, self._unmask,
                                  base=embedded[-1] if embedded else path, root=root)
        self.masks: list[str] = []
        self.backtick_math: set[int] = set()  # the masks of GitHub's and GitLab's $`x`$ (see _formulas_of_backticks)
        self.text, self.src = text, text.split("\n")
        self.masked = [self._mask(line) for line in self.src]
        self.tokens = _md.parse("\n".join(self.masked))
        # out[i] holds what source line i becomes: zero, one or several lines.
        self.out: list[list[str]] = [[line] for line in self.masked]
        self.raw: set[int] = set()  # lines inside code blocks or display math
        self.html_lines: set[int] = set()  # lines of HTML blocks, shown as written (see _mark_html_lines)
        self.hidden: set[int] = set()  # lines inside Obsidian comments: they leave the page
        self.display_blocks: list[tuple[int, int]] = []  # first and last line of multi-line formulas
        # The lines of list items (not those of quotes): line -> (depth, content column, item's first line).
        self.items: dict[int, tuple[int, int, int]] = {}
        self.item_spans: dict[int, tuple[int, int | None]] = {}  # item's first line -> (end, parent's first line)
        self.innermost: dict[int, int] = {}  # the first line of items that open on one (`- 1. text`) -> its depth
        # Lists inside an item that end before it does: (the line after the list, the item's line).
        self.inner_lists: list[tuple[int, int]] = []
        self.loosened: set[int] = set()  # the first lines of items a blank line was put inside
        self.contained_html: list[tuple[int, int]] = []  # HTML blocks shown as written (see _contained_html)

    # -- masking -----------------------------------------------------------------------------

    def _mask(self, line: str) -> str:
        """Hide code spans and inline math behind placeholders, so no rewrite can touch them."""
        def hide(match: re.Match) -> str:
            self.masks.append(match.group(0))
            if match.group("backticked"):
                self.backtick_math.add(len(self.masks) - 1)
            return f"\ue000{len(self.masks) - 1}\ue001"
        return _INLINE_PROTECTED.sub(hide, line)

    def _unmask(self, line: str) -> str:
        while "\ue000" in line:
            line = _PLACEHOLDER.sub(lambda m: self.masks[int(m.group(1))], line)
        return line

    # -- the pass ----------------------------------------------------------------------------

    def run(self) -> list[str]:
        self._admonition_blocks()
        self._comments()
        self._formulas_among_text()
        self._mark_raw_lines()
        self._mark_html_lines()
        self._long_closing_fences()
        self._fences_to_margin()
        self._unclosed_fences()
        self._block_ids()
        self._markdown_in_html()
        self._hard_breaks()
        self._lists()
        self._fences_opening_items()
        self._quotes()
        self._setext_over_lines()
        self._atx_closings()
        self._literal_braces()
        self._headings()
        self._toc_and_definitions()
        self._display_math_lines()
        self._blocks_apart()
        self._contained_html()
        self._details()
        self._embeds()  # (before _items_apart: a blank line goes into an item holding one)
        self._items_apart()
        self._table_code_pipes()
        self._long_paragraphs()
        self._footnotes_over_lines()
        for i, repl in enumerate(self.out):
            if i in self.html_lines:
                self.out[i] = [self.links.line(self._tags_passed(line), self._line(i), markdown=False) for line in repl]
            elif i not in self.raw:
                self.out[i] = [self._inline(line, i) for line in repl]
        self._pass_contained_html()  # (its lines' images and links read, as every HTML line's)
        self._mark_tight_lists()  # last: a mark before `#tag` would make it no tag
        # Code blocks were parsed masked too: everything goes back as it was.
        return [self._unmask(line) for i, repl in enumerate(self.out) if i not in self.hidden for line in repl]

    def _inline(self, line: str, i: int) -> str:
        """A line of text (on source line i) with its Obsidian syntax as Markdown: formulas, footnotes, tags, links."""
        text = _no_tags(line)
        text = self._tags(self._inline_footnotes(self._own_footnotes(self._formulas_of_backticks(text)), i), i)
        return self.links.line(_no_heading(text), self._line(i))

    def _formulas_of_backticks(self, line: str) -> str:
        """GitHub's and GitLab's inline formula, $`x`$, is one (outside code): its code span was
        read first, and arithmatex paired the dollars around two of them, the text between a formula."""
        if not self.backtick_math:
            return line

        def formula(match: re.Match) -> str:
            k = int(match.group(1))
            if k not in self.backtick_math:
                return match.group(0)
            self.masks.append(f"${self.masks[k][2:-2].strip()}$")
            return f"\ue000{len(self.masks) - 1}\ue001"
        return _PLACEHOLDER.sub(formula, line)

    def _tags(self, line: str, i: int) -> str:
        """Obsidian shows a `#tag` as a tag, not as text; not inside raw HTML (`style="color: #f00"`),
        nor where a page shows no tag: in a style sheet, a script or a text box, or an HTML comment
        (the lines, i among them, are read in order: one of those may run over several). One never
        closed is text to Python-Markdown, and its tags are tags."""
        if self.tagless is None and "<" not in line:
            return self._tags_in(line)
        parts, at = [], 0
        while at < len(line):
            if self.tagless is not None:  # up to the end of the element or comment, as it stands
                end = line.lower().find(self.tagless, at)
                stop = len(line) if end < 0 else end + len(self.tagless)
                parts.append(line[at:stop])
                at, self.tagless = stop, None if end >= 0 else self.tagless
                continue
            opening = _TAGLESS.search(line, at)
            closing = None if opening is None else "-->" if opening.group(1) is None else f"</{opening.group(1).lower()}"
            if closing and closing not in line[opening.end():].lower() and self._closings.get(closing, -1) <= i:
                opening = closing = None  # never closed
            stop = opening.start() if opening else len(line)
            parts.append(self._tags_in(line[at:stop]))
            if opening:
                self.tagless = closing
                parts.append(opening.group(0))
            at = opening.end() if opening else stop
        return "".join(parts)

    def _tags_passed(self, line: str) -> str:
        """A line whose tags are text: an element or comment with no tags (see _tags) may end on it."""
        if self.tagless is not None and self.tagless in line.lower():
            self.tagless = None
        return line

    @cached_property
    def _closings(self) -> dict[str, int]:
        """The last line that each end of an element or comment with no tags (see _tags) is on."""
        last = {}
        for i, line in enumerate(self.masked):
            for closing in _TAGLESS_CLOSINGS:
                if closing in line.lower():
                    last[closing] = i
        return last

    def _tags_in(self, line: str) -> str:
        if "#" not in line or _REFERENCE_DEFINITION.match(line):
            return line
        parts = _TAGLESS_INLINE.split(line)  # text, tagless, text, ...
        for i in range(0, len(parts), 2):
            self.result.tags += _TAG.findall(parts[i])  # (each once: see normalize)
            parts[i], count = _TAG.subn(r'<span class="vs-tag">#\1</span>', parts[i])
            self.result.applied["tag"] += count
        return "".join(parts)

    def _inline_footnotes(self, line: str, i: int) -> str:
        """Obsidian's inline footnote, `text^[the note]`, is a footnote: `[^label]` in the text,
        the note defined at the end of the page (see normalize), numbered with the note's other
        footnotes in the order the text refers to them (footnotes' USE_DEFINITION_ORDER: false,
        which the plugin sets). `\\^[` is `^[` as typed."""
        if "^[" not in line:
            return line
        parts, at, closing = [], 0, bracket_pairs(line, "[", "]")
        while (k := line.find("^[", at)) >= 0:
            end = closing.get(k + 1)
            if _escaped(line, k):
                parts.append(line[at : k - 1] + "^[")
                at = k + 2
            elif end is None or end == k + 2:
                parts.append(line[at : k + 2])
                at = k + 2
            else:
                label, note = self._footnote_label(), line[k + 2 : end]
                self.result.footnotes.append((label, self._unmask(self.links.line(self._tags(note, i), self._line(i)))))
                parts.append(line[at:k] + f"[^{label}]")
                self.result.applied["inline_footnote"] += 1
                at = end + 1
        return "".join(parts) + line[at:]

    def _footnotes_over_lines(self) -> None:
        """An inline footnote whose text runs over lines of its paragraph is read whole, as one
        on a line is (see _inline_footnotes): its lines join the line it opens on, their line
        breaks kept inside it (Obsidian shows them in the footnote)."""
        for start, end in self.paragraphs:
            text = "\n".join(self.masked[start:end])
            into = joined = start  # the line the last footnote's lines joined, and the last of them
            for k, close in sorted(bracket_pairs(text, "[", "]").items()):
                first, last = start + text.count("\n", 0, k), start + text.count("\n", 0, close)
                lines, moved = range(first, last + 1), range(max(first, joined) + 1, last + 1)  # (not joined yet)
                # A backtick the masking left opens a code span over lines, which may hold the "^[".
                if (text[k - 1 : k] != "^" or _escaped(text, k - 1) or not moved or self.raw.intersection(lines)
                        or any("`" in self.masked[j] for j in lines) or any(len(self.out[j]) != 1 for j in moved)):
                    continue  # no footnote, one on its line, or one over code, a formula or a block
                into = first if first > joined else into
                self.out[into][-1] = "\n".join([self.out[into][-1], *(self.out[j].pop().strip() for j in moved)])
                joined = last

    def _own_footnotes(self, line: str) -> str:
        """The line with its footnotes' labels made the embedded note's own (`[^1]` → `[^e1-1]`),
        references and definitions alike: a page and the notes it embeds each number from 1,
        and Python-Markdown joins labels that are the same (the embed's footnote was lost)."""
        return _FOOTNOTE.sub(lambda m: f"[^{self.footnotes}{m.group(1)}]", line) if self.footnotes else line

    def _footnote_label(self) -> str:
        """The label of the next inline footnote of the page: one the note's text does not use."""
        footnotes = self.result.footnotes
        n = int(footnotes[-1][0].removeprefix("inline-")) + 1 if footnotes else 1
        while f"inline-{n}" in self.footnote_labels:
            n += 1
        return f"inline-{n}"

    @cached_property
    def footnote_labels(self) -> set[str]:
        return set(_FOOTNOTE.findall(self.text))

    def _line(self, i: int) -> int:
        return self.offset + i + 1

    def _comments(self) -> None:
        """Obsidian's comments, `%%...%%` in a line or over several, show in no reading view: they
        are taken out, code in them too (an Excalidraw drawing's data, a secret), but code keeps
        its own `%%`; the note is parsed again without them."""
        if not any("%%" in line for line in self.masked):
            return
        code = {i for tok in self.tokens if tok.type in ("fence", "code_block") and tok.map for i in range(*tok.map)}
        opened = None  # the line where the comment that is open began
        for i, line in enumerate(self.masked):
            if opened is None and (i in code or "%%" not in line):
                continue
            kept = []
            for k, part in enumerate(line.split("%%")):
                if k:
                    opened = i if opened is None else None
                if opened is None:
                    kept.append(part)
            text = "".join(kept)
            if not text.strip():
                self.hidden.add(i)
                text = ""
            self.masked[i] = self.out[i][0] = text
            self.src[i] = self._unmask(text)  # a quote's inside is read from src (see _quote)
            self.result.applied["comment"] += 1
        if opened is not None:
            self.result.problems.append(Problem(
                self._line(opened), "comment opened with %% is never closed: the rest of the note is hidden, "
                "as Obsidian hides it"))
        self.tokens = _md.parse("\n".join(self.masked))

    def _admonition_blocks(self) -> None:
        """The Admonition plugin's code block (```` ```ad-note ````, its `title:` and `collapse:`
        lines first) is the callout it draws, written as one on the same lines: it showed as
        code, its Markdown as typed. A parameter line is an empty line of the callout's."""
        changed, quotes = False, 0
        for tok in self.tokens:
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)  # (their rewriters')
            kind = tok.info.strip()[3:] if tok.type == "fence" and tok.info.strip().startswith("ad-") else ""
            if not kind or not tok.map or quotes:
                continue
            start, end = tok.map
            opening = self.src[start]
            column = opening.index(tok.markup)
            lead = opening[:column]  # (a tab as written: the lines under a tab-indented fence are the item's)
            lines = tok.content.split("\n")[: end - start - (2 if _closed(tok) else 1)]
            title, fold = kind.capitalize(), ""
            for k, line in enumerate(lines):
                param = _AD_PARAMETER.match(line)
                if not param:
                    break
                name, value = param.group(1).lower(), param.group(2).strip()
                title = value if name == "title" and value else title
                if name == "collapse":
                    fold = {"open": "+", "close": "-", "closed": "-"}.get(value.lower(), fold)
                lines[k] = ""
            inside = lead if not lead.strip() else " " * len(_expand_tabs(lead))
            new = [f"{lead}> [!{kind}]{fold} {title}",
                   *(f"{inside}> {line}" if line.strip() else f"{inside}>" for line in lines)]
            if _closed(tok):
                new.append("")
            for i, line in enumerate(new, start):
                self.src[i] = line
                self.masked[i] = self.out[i][0] = self._mask(line)
            changed = True
            self.result.applied["admonition_block"] += 1
        if changed:
            self.tokens = _md.parse("\n".join(self.masked))

    def _formulas_among_text(self) -> None:
        """A display formula over several lines whose `$$` shares a line with text (`we have $$`,
        `$$where x is`) is a formula with the text around it, as Obsidian shows it: it goes onto
        its first line, whole (TeX reads a line break as a space), with the text after it on its
        last, as a formula on one line with text around it (see _formulas_apart); the lines
        between leave the page, and its last is a blank line, under which the text goes on. (One
        that opens and closes its lines alone is a block of lines: see _mark_raw_lines. One in a
        quote is the quote's, read as a note.)"""
        if sum(line.count("$$") for line in self.masked) < 2:
            return
        # Code, and quotes (each the text of a note of its own, see _quote).
        blocks = [tok.map for tok in self.tokens if tok.map and (
            tok.type in ("fence", "code_block") or tok.type == "blockquote_open" and not tok.level)]
        skipped = {i for start, end in blocks for i in range(start, end)}
        opened = None  # (line, where its `$$` is) of the formula that is open
        for i, line in enumerate(self.masked):
            if not line.strip() or i in skipped:
                opened = None  # (text's `$$` opens no formula past its paragraph: `echo $$`, the shell's)
            if i in skipped or "$$" not in line:
                continue
            if opened is None:
                at = line.find("$$")
                opened = (i, at) if line.find("$$", at + 2) < 0 else None  # (two: `$$` text `$$`, left be)
                continue
            (start, at), end = opened, line.find("$$")
            opened = None
            before, after = self.masked[start][:at], line[end + 2:]
            lead = _ITEM_MARKERS.match(before).end()
            lines = [self.masked[start][at + 2:], *self.src[start + 1: i], line[:end]]
            tex = " ".join(self._unmask(part).strip() for part in lines)
            if not (before[lead:].strip() or after.strip()) or "$$" in after or re.search(r"(?<!\\)%", tex):
                continue
            self.masks.append(f"$${tex}$$")
            formula = f"\ue000{len(self.masks) - 1}\ue001"
            self.masked[start] = self.out[start][0] = f"{before}{formula} {after.strip()}".rstrip()
            for k in range(start + 1, i + 1):
                self.masked[k] = self.out[k][0] = ""
                self.hidden.add(k)
            if i + 1 < len(self.masked) and self.masked[i + 1].strip():
                self.hidden.discard(i)  # a blank line, under which the text goes on
            self.result.applied["formula_among_text"] += 1
            self.tokens = None
        if self.tokens is None:
            self.tokens = _md.parse("\n".join(self.masked))

    def _formula_ending(self, i: int) -> int | None:
        """The first line of the display formula over several lines that line i closes, if one does."""
        return next((start for start, end in self.display_blocks if end == i), None)

    def _mark_raw_lines(self) -> None:
        for tok in self.tokens:
            if tok.type in ("fence", "code_block") and tok.map:
                self.raw.update(range(*tok.map))
        # A display formula over several lines: from a line that starts with "$$", or a list item
        # that does (one that also closes it is masked), to the next that ends with "$$".
        start = None
        for i, line in enumerate(self.masked):
            if i in self.raw:
                continue
            text = line.strip()
            if start is None:
                if not line[_ITEM_MARKERS.match(line).end():].startswith("$$"):
                    continue
                start = i
            elif text.endswith("$$"):
                self.display_blocks.append((start, i))
                start = None
            self.raw.add(i)
        if start is not None:
            self.result.problems.append(Problem(
                self._line(start), "display formula opened with $$ is never closed, shown as text"))
        if self.display_blocks:
            # The blocks are read again with each formula's lines but its first as text alone: a
            # line of `=` or `-` in one right under text (`若\n$$\na\n=\nb\n$$`) was read as
            # a heading's underline, `+ x` as a list item.
            masked = list(self.masked)
            for start, end in self.display_blocks:
                for i in (i for i in range(start + 1, end + 1) if masked[i].strip()):
                    masked[i] = _indent_of(masked[i]) + "\ue005"
            self.tokens = _md.parse("\n".join(masked))

    def _mark_html_lines(self) -> None:
        """The lines of HTML blocks, which CommonMark (Obsidian) and Python-Markdown show as written:
        no Markdown in them is a link, a tag or a footnote (`<td>#define</td>` is C, `[[Note]]`
        there shows as typed; a link rewritten into one showed as `[Note](<Note.md>)`). Their raw
        tags are read as everywhere (images, links, what is unsafe). A block Python-Markdown
        reads as Markdown (one opened by an inline tag, `<span>` or `<br>`) is Markdown."""
        for tok in self.tokens:
            if tok.type == "html_block" and tok.map and _HTML_BLOCK.match(tok.content):
                self.html_lines.update(range(*tok.map))

    # -- blocks ------------------------------------------------------------------------------

    def _fences_to_margin(self) -> None:
        """A fence indented one to three spaces is code, as CommonMark reads it, less as much of
        each line's indentation; superfences reads only a fence at the margin (outside a list,
        whose pass places its fences), and showed the code as text, its ``` and all. So is one
        closed by an indented fence (code pasted at the margin under a list): superfences read on
        to the next fence, the note's text code, or the code a code span."""
        for tok in self.tokens:
            if tok.type != "fence" or tok.level or not tok.map:
                continue
            start, end = tok.map
            indent = _indent(self.masked[start])
            closed = _closed(tok)
            if not indent:
                if closed and _indent(self.masked[end - 1]):
                    self.out[end - 1][-1] = self.out[end - 1][-1].lstrip()
                    self.result.applied["fence_to_margin"] += 1
                continue
            for i in range(start, end):
                fence = i == start or (closed and i == end - 1)
                self.out[i][-1] = self.out[i][-1].lstrip() if fence else _less_columns(self.out[i][-1], indent)
            self.result.applied["fence_to_margin"] += 1

    def _long_closing_fences(self) -> None:
        """A fence closed by a longer one (```` under ```) ends there, as in CommonMark; superfences
        closes one only with a fence as long as its opening, and read on: the headings after it
        were code, or the code text."""
        for tok in self.tokens:
            if tok.type == "fence" and tok.map and _closed(tok):
                last = tok.map[1] - 1
                line = self.masked[last]
                closing = _CLOSING_FENCE.search(line)  # (after a quote's `>` too)
                if closing and len(closing.group(1)) > len(tok.markup):
                    self.masked[last] = self.out[last][-1] = line[: closing.start(1)] + tok.markup
                    self.result.applied["fence_closing"] += 1

    def _unclosed_fences(self) -> None:
        """A fence never closed is code to the end of the note (of the quote or callout, which is
        read as a note of its own), as in CommonMark; superfences showed it as text, ``` and all.
        (One in a list item closes with the item: see _lists.)"""
        for tok in self.tokens:
            if tok.type == "fence" and not tok.level and tok.map and not _closed(tok):
                self.out[tok.map[1] - 1].append(tok.markup)
                self.result.applied["fence_closed"] += 1

    def _block_ids(self) -> None:
        """Obsidian's block ids (`text ^id` ending a paragraph or list item, or `^id` on a line of
        its own under a list, quote or table) show nothing; `[[Note#^id]]` links to the block, so
        the id becomes an anchor at the block's start. A heading keeps its text: it is linked to
        by that (an anchor before its `#` made it a paragraph)."""
        headings = {t.map[0] for t in self.tokens if t.type == "heading_open" and t.map}
        for i, line in enumerate(self.masked):
            match = _BLOCK_ID.search(line)
            if i in self.raw or i in headings or not match:
                continue
            # The paragraph the id ends, innermost; an id under a block has none of its own.
            start = max((t.map[0] for t in self.tokens
                         if t.type == "paragraph_open" and t.map and t.map[0] <= i < t.map[1]), default=i)
            # (An embedded note's block is anchored on its own page: here it would be a second.)
            anchor = "" if self.embedded else f'<a id="^{match.group(1)}"></a>'
            head = _BLOCK_START.match(line).end()
            if head > match.start() and line[:head].strip():  # `- ^id`: the id is all the item's text
                self.masked[i] = self.out[i][0] = line[:head] + anchor
                self.result.applied["block_id"] += 1
                continue
            self.masked[i] = self.out[i][0] = line[: match.start()]
            if start == i and not self.masked[i].strip():
                self.masked[i] = self.out[i][0] = anchor
            elif start < i and not self.masked[i].strip() and (block := (
                    start if _is_table_head(self.masked[start:start + 2]) else self._formula_ending(i - 1))) is not None:
                # `^id` right under a table or a display formula (CommonMark without tables or math
                # reads them and the id as one paragraph): the anchor before that block, where in
                # its first line it made the table text, and the formula TeX.
                start = block
                self.hidden.add(i)
                self.out[start][:0] = [_indent_of(self.masked[start]) + anchor, ""]  # (in its list item)
            else:
                if not self.masked[i].strip():
                    self.hidden.add(i)
                prefix = _BLOCK_START.match(self.masked[start]).end()
                self.masked[start] = self.out[start][0] = (
                    self.masked[start][:prefix] + anchor + self.masked[start][prefix:])
            self.result.applied["block_id"] += 1

    def _markdown_in_html(self) -> None:
        """In CommonMark, HTML ends at a blank line, and what follows is Markdown up to the next
        HTML (`<details>`, `<summary>`, a blank line, the answer in Markdown, `</details>`);
        Python-Markdown reads an element as HTML up to its end tag, unless the element has
        `markdown="1"` (md_in_html): an element that holds Markdown so gets it."""
        if not self.html:
            return
        open_tags: list[tuple[int, int, str]] = []  # (line, column of the ">", name) of open elements
        holding: set[tuple[int, int, str]] = set()
        for tok in self.tokens:
            if tok.level != 0 or not tok.map or tok.nesting < 0:
                continue
            if tok.type == "html_block":
                _HtmlTags(tok.map[0], open_tags).feed("\n".join(self.masked[slice(*tok.map)]))
            elif open_tags:
                holding.update(open_tags)
        for i, column, _ in sorted(holding, reverse=True):
            self.masked[i] = self.out[i][0] = self.masked[i][:column] + ' markdown="1"' + self.masked[i][column:]
            self.result.applied["markdown_in_html"] += 1
        self.holds_html = bool(holding)

    def _contained_html(self) -> None:
        """The HTML blocks of list items, and of a quote's or a callout's text, that hold no Markdown
        (whose every element that may is opened and closed in the block): CommonMark shows them as written,
        Python-Markdown read them as paragraphs of tags (see html_blocks.py)."""
        quotes = 0
        for tok in self.tokens:
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)  # (their rewriters')
            if tok.type != "html_block" or not tok.map or quotes or not _HTML_BLOCK.match(tok.content):
                continue
            start, end = tok.map
            if not self.quoted and start not in self.items:
                continue  # (at the margin, Python-Markdown reads it as HTML)
            open_tags: list[tuple[int, int, str]] = []
            tags = _HtmlTags(start, open_tags)
            tags.feed(tok.content)  # (as written: _markdown_in_html marks the elements holding Markdown)
            if not open_tags and not tags.closes_other:
                self.contained_html.append((start, end))

    def _pass_contained_html(self) -> None:
        """Each of the contained HTML blocks (see _contained_html) as the one line html_blocks.py
        hands Python-Markdown as written, in its list item: its lines less the item's columns and
        those a pass put them in (a `<details>` holding it became a `???` block: see _details), as
        CommonMark reads them, blank lines inside it kept (`<pre>`)."""
        for start, end in self.contained_html:
            head = self.out[start][-1]
            opens = self._opens_item(start)
            if opens:  # (after all of its markers: `2. - <table>`)
                head = head[_ITEM_MARKERS.match(head).end():]
            margin = 4 * self._depth(start) if opens else _indent(head)
            lines = [head, *(line for i in range(start + 1, end) for line in self.out[i])]
            html = "\n".join(line[min(margin, _indent(line)):] for line in lines).strip("\n")
            block = [html_blocks.marked(self._unmask(html))]
            if start in self.items:
                block = self._in_item(start, end, block, indent=None if opens else " " * margin)
            else:
                block = [" " * margin + block[0]]
                if start > 0 and self.masked[start - 1].strip():  # (under a line of text, its paragraph's)
                    block.insert(0, "")
            self._replace(start, end, block)

    def _details(self) -> None:
        """A `<details>` element holds Markdown in a list item and in a quote in one (see _quote),
        as it does elsewhere (see _markdown_in_html); md_in_html reads no HTML indented into a list
        item, so there it becomes the block of pymdownx.details that makes the same HTML, which
        Python-Markdown reads there: `???` (`???+` for `<details open>`), its summary the title,
        the lines inside it indented under it. One not written a line for each tag (the summary
        on the opening tag's line or the next) stays text."""
        # Open elements: [opening line, open, summary, summary line]; None for one not so written.
        stack: list[list | None] = []
        elements: list[tuple] = []  # closed ones, inner before outer: (*that, closing line)
        quotes = 0
        for tok in self.tokens:
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)  # (their rewriters')
            if tok.type != "html_block" or not tok.map or quotes:
                continue
            if self.html and tok.map[0] not in self.items and not (  # (md_in_html's), but an item's end tag
                    stack and stack[-1] and _DETAILS_CLOSE.fullmatch(self.masked[tok.map[0]])):
                continue
            for i in range(*tok.map):
                line = self.masked[i]
                if self._opens_item(i):  # `- <details>`: the item's first block
                    line = line[_ITEM_MARKERS.match(line).end():]
                if match := _DETAILS_OPEN.fullmatch(line):
                    opened = bool(re.search(r"(?:^|\s)open(?:\s|=|$)", match.group(1) or ""))
                    stack.append([i, opened, match.group(2), i if match.group(2) is not None else None])
                elif stack and stack[-1] and stack[-1][3] is None and i == stack[-1][0] + 1 and (
                        match := _SUMMARY.fullmatch(line)):
                    stack[-1][2:] = [match.group(1), i]
                elif stack and _DETAILS_CLOSE.fullmatch(line):
                    if element := stack.pop():
                        elements.append((*element, i))
                else:  # tags written otherwise: their elements stay text, and pair with their end tags
                    for tag in _DETAILS_TAG.finditer(line):
                        if not tag.group(1):
                            stack.append(None)
                        elif stack:
                            stack.pop()
        for opening, opened, summary, summary_line, closing in elements:
            if self._item_of(opening) != self._item_of(closing) and not self._closes_item(opening, closing) or any(
                    start <= opening < end for start, end in self.contained_html):
                continue
            for i in range(opening + 1, closing):
                self.out[i] = [] if i == summary_line else ["    " + l if l.strip() else l for l in self.out[i]]
            last = closing - 1
            while last > opening and not "".join(self.out[last]).strip():
                self.out[last] = []  # (a blank line ending a quote's list puts a line break in its last item)
                last -= 1
            title = summary.strip() if summary and summary.strip() else "Details"  # (what a browser shows)
            line = self.out[opening][-1]
            # At its item's margin: a column past it (`<details>` four spaces under `1. `), pymdownx
            # read no `???` there, and showed it as text, the answer as code.
            if self._opens_item(opening):
                indent = line[: _ITEM_MARKERS.match(line).end()]
            else:
                indent = " " * 4 * self._depth(opening) if opening in self.items else line[: _indent(line)]
            self.out[opening][-1] = indent + ("???+" if opened else "???") + f' "{title}"'
            if opening > 0 and self.masked[opening - 1].strip():
                self._blank_before(opening)
            self.out[closing] = [""] if closing + 1 < len(self.masked) and self.masked[closing + 1].strip() else []
            self._loosen(opening)
            self.result.applied["details_in_list_item"] += 1

    def _closes_item(self, opening: int, closing: int) -> bool:
        """Whether an element opened on line `opening` of a list item, closed on line `closing` under
        the list (`</details>` back at the margin), holds the rest of that item: a browser ends it
        with the item."""
        item = self._item_of(opening)
        if item is None or closing in self.items:
            return False
        end = self.item_spans[item][0]
        return end <= closing and not any(self.masked[k].strip() for k in range(end, closing))

    def _quotes(self) -> None:
        """Normalize each quote's inside (a quote inside a quote is the inner rewrite's); an
        Obsidian callout becomes an admonition."""
        quotes, last = 0, None
        for tok in self.tokens:
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)
            if tok.type == "blockquote_open" and quotes == 1 and tok.map:
                start, end = tok.map
                self._quote(start, end, last is not None and not any(self.masked[k].strip() for k in range(last, start)))
                last = end

    def _quote(self, start: int, end: int, after_quote: bool = False) -> None:
        """The quote on lines start to end, rewritten by a rewriter of its own, in its list item
        if it is in one. Python-Markdown reads HTML in a quote or an admonition as text, so a
        quote whose HTML holds Markdown (`<details>`) is written as the HTML it becomes, which
        md_in_html reads (not in a list item, where it would be indented: there HTML is text, but
        for `<details>`, see _details)."""
        item = self.items.get(start)
        inner = []
        for i in range(start, end):
            line = _expand_tabs(self._unmask(self.src[i]))
            if self._opens_item(i):  # `- > quote`
                line = line[_ITEM_MARKERS.match(line).end():]
            elif item:  # the item's indentation, or less on a lazy line
                line = line[min(item[1], len(line) - len(line.lstrip())):]
            inner.append(_QUOTE_PREFIX.sub("", line, count=1))
        callout = _CALLOUT.match(inner[0].strip())
        body = inner[1:] if callout else inner
        sub = _Rewriter("\n".join(body), self.path, self.vault, self.slugify, self.result,
                        self.offset + start + (1 if callout else 0), self.embedded, html=self.html and not item,
                        footnotes=self.footnotes, callouts=self.callouts, quoted=True, root=self.links.root)
        body_lines = sub.run()
        self.holds_html |= sub.holds_html  # HTML now, so the quote holding this one must be too
        if callout:
            kind, fold, title = callout.groups()
            kind = "-".join(kind.lower().split())
            kind = self.callouts.get(kind) or _CALLOUT_ALIASES.get(kind, kind)
            if kind not in MATERIAL_TYPES:
                self.result.problems.append(Problem(
                    self._line(start), f"unknown callout type [!{callout.group(1)}], shown as a note; "
                    f"Material knows {', '.join(sorted(MATERIAL_TYPES))} (a vault's own type is mapped "
                    "to one of them in mkdocs.yml: vaultsite's `callouts`)"))
                kind = "note"
            # Links in the title are links, as in Obsidian (the title line is no line of the body),
            # whose title by default is the type as written ("[!faq]" is "Faq", not "Question").
            # A block id ending the title is the callout's, whose anchor the title holds.
            block_id = _BLOCK_ID.search(title)
            anchor = f"<a id='^{block_id.group(1)}'></a>" if block_id and not self.embedded else ""
            title = title[: block_id.start()] if block_id else title
            title = self._unmask(self.links.line(_no_tags(self._mask(title.strip())), self._line(start)))
            title = anchor + (title or callout.group(1).strip().capitalize())
            if sub.holds_html:  # the HTML that admonition's `!!!` and pymdownx.details' `???` write
                if fold:
                    new = [f'<details class="{kind}" markdown="1"{" open" if fold == "+" else ""}>', "",
                           f"<summary markdown>{title}</summary>", "", *body_lines, "", "</details>"]
                else:
                    new = [f'<div class="admonition {kind}" markdown="1">', "",
                           f'<p class="admonition-title" markdown>{title}</p>', "", *body_lines, "", "</div>"]
            else:
                opener = {"": "!!!", "-": "???", "+": "???+"}[fold]
                new = [f'{opener} {kind} "{title}"', ""] + [("    " + l) if l.strip() else "" for l in body_lines]
            self.result.applied["callout"] += 1
        elif sub.holds_html:
            new = ['<blockquote markdown="1">', "", *body_lines, "", "</blockquote>"]
        else:
            new = [("> " + l) if l.strip() else ">" for l in body_lines]
            if after_quote:  # a blank line apart: two quotes, where Python-Markdown reads on in the first
                new = ["<!-- -->", "", *new]
        if item:
            new = self._in_item(start, end, new)
        else:
            new.append("")
        # The sub-rewriter already unmasked; re-mask so the final unmask is a no-op for them.
        self._replace(start, end, [self._mask(l) for l in new])
        self.raw.update(range(start, end))

    def _in_item(self, start: int, end: int, block: list[str], text: str = "", indent: str | None = None) -> list[str]:
        """`block`, which stands for lines start to end of a list item (as the list pass left
        them), where Python-Markdown reads it in that item: four spaces a level in (or `indent`,
        where a pass set the lines deeper), a blank line above and below it, under `text` (the
        line's text before it, on the marker's line if the block opens the item). A block that
        opens the item goes under its marker."""
        indent = " " * 4 * self._depth(start) if indent is None else indent
        block = [indent + line if line.strip() else "" for line in block]
        if self._opens_item(start):
            *opened, line = self.out[start]
            block = [*opened, _empty_item(line) + _task_box(text + " "), ""] + block
        elif text:  # (its paragraph's last line)
            block = [indent + text.strip(), ""] + block
        elif start > 0 and self.masked[start - 1].strip():
            block.insert(0, "")
        if end < len(self.masked) and self.masked[end].strip():
            block.append("")
        self._loosen(start)
        return block

    def _setext_over_lines(self) -> None:
        """A heading underlined (`---`, `===`) under several lines of text is one heading of them
        all, as CommonMark reads it; Python-Markdown read the underline as a rule under a paragraph.
        Not a table's (the parser here knows no tables): a `---` under one is a rule, as GitHub's
        tables end at a block, where Python-Markdown read it as a row of the table."""
        tables = {i for start, end in self.tables for i in range(start, end)}
        for tok in self.tokens:
            if tok.type == "heading_open" and not tok.level and tok.map and tok.markup[0] in "=-":
                start, end = tok.map
                if start in tables and tok.markup[0] == "-":
                    self._blank_before(end - 1)
                elif end - start > 2 and start not in self.raw and start not in tables:
                    self._replace(start, end, ["#" * int(tok.tag[1]) + " " + self._setext_text(start, end)])

    def _atx_closings(self) -> None:
        """A heading's closing `#`s followed by spaces (`## 绑定域名 #  `, a blog's every heading)
        are no text, and `#`s ending its last word (`## C#`) are, as CommonMark reads them:
        Python-Markdown read the first as text and the second as closing ("C")."""
        for tok in self.tokens:
            if not (tok.type == "heading_open" and tok.markup.startswith("#") and tok.map
                    and tok.map[0] not in self.raw and self.out[tok.map[0]]):
                continue
            line = self.out[tok.map[0]][-1]
            if _ATX_CLOSING.search(line):
                self.out[tok.map[0]][-1] = line.rstrip()
            elif word_end := _HASHES_ENDING_WORD.search(line):
                self.out[tok.map[0]][-1] = line[:word_end.start()] + "\\#" * len(word_end[1])

    def _setext_text(self, start: int, end: int) -> str:
        """The text of the setext heading on lines start to end (its underline the last), on one line."""
        return " ".join(self.masked[j].strip() for j in range(start, end - 1))

    def _literal_braces(self) -> None:
        """Braces ending a heading (`## dict {key: value}`), or a paragraph's last line (`{ #todo}`
        under its text), are text, as Obsidian shows them: attr_list read them as attributes, and
        the text was gone. An id or class the note gives a heading itself (`{#intro}`) stays one."""
        for tok in self.tokens:
            if not tok.map or tok.map[0] in self.raw or not self.out[tok.map[0]]:
                continue
            if tok.type == "heading_open":  # (a setext heading's text is one line: see _setext_over_lines)
                line = self.out[tok.map[0]][-1]
                own = _ATTRIBUTES_AFTER.search(line)
                end = own.start() if own else len(line)
                if own or line.rstrip().endswith("}"):
                    self.out[tok.map[0]][-1] = _SPACED_BRACE.sub(r"\\{", line[:end]) + line[end:]
            elif tok.type == "paragraph_open" and tok.map[1] - tok.map[0] > 1:
                last = self.out[tok.map[1] - 1]
                last[-1] = _BRACES_LINE.sub(r"\1\\{", last[-1])

    def _long_paragraphs(self) -> None:
        """Python-Markdown's inline pass is quadratic in a paragraph's length, so a paragraph of
        thousands of lines (each a line break anyway) is cut into paragraphs of at most
        _PARAGRAPH_LINES lines: the page looks the same but for a little space at each cut."""
        for tok in self.tokens:
            if tok.type == "paragraph_open" and tok.level == 0 and tok.map:
                start, end = tok.map
                for i in range(start + _PARAGRAPH_LINES, end, _PARAGRAPH_LINES):
                    if i not in self.raw:
                        self.out[i].insert(0, "")
                        self.result.applied["long_paragraph_cut"] += 1

    def _display_math_lines(self) -> None:
        """A display formula is a block of its own in Obsidian, with text right above or below it,
        or before and after it on its line, too (and `$$...$$` lines one under another are
        separate formulas), in a list item as in a paragraph; arithmatex reads one only from a
        paragraph of its own, so blank lines set it apart. A formula that opens a list item stays
        after its marker: Python-Markdown reads an item's first line as a block of its own."""
        in_text = self._paragraph_lines()
        # (One over several lines that starts in a list item and ends outside it is left as it is.)
        formulas = [(start, end, True, True) for start, end in self.display_blocks
                    if self._item_of(start) == self._item_of(end)]
        for i, line in enumerate(self.masked):
            if i in self.raw or not self.out[i]:
                continue
            found = [m.group(0) for m in _PLACEHOLDER.finditer(line)
                     if self.masks[int(m.group(1))].startswith("$$")]
            alone = len(found) == 1 and line[_ITEM_MARKERS.match(line).end():].strip() == found[0]
            if found and (alone or i in in_text):
                pieces, opens, closes = self._formulas_apart(i, found)
                self.out[i] = self.out[i][:-1] + pieces
                formulas.append((i, i, opens, closes))
                if len(pieces) > 1:
                    self._loosen(i)  # blank lines went into its list item, if it is in one
        for start, end, opens, closes in formulas:
            opens_item = opens and self._opens_item(start)
            if opens and not opens_item and start > 0 and self.masked[start - 1].strip():
                self.out[start].insert(0, "")
                self._loosen(start)
            if (closes and end + 1 < len(self.masked) and self.masked[end + 1].strip()
                    and not (opens_item and self._opens_item(end + 1))):
                self.out[end].append("")  # (another item after an item that is the formula needs none)
                self._loosen(end)
                if end + 1 in in_text and self._item_of(end + 1) is None:
                    # The text under it went on its paragraph, however indented: after a blank line,
                    # a tab or four spaces would make it code.
                    self.out[end + 1][0] = self.out[end + 1][0].lstrip()
            if len(self.out[start]) > 1 or len(self.out[end]) > 1:
                self.result.applied["display_math_line"] += 1
        for start, end in self.display_blocks:
            # A blank line inside ends no formula (Obsidian and Typora read on to the closing `$$`);
            # it ended Python-Markdown's block, and the formula showed as text, its `\;` as `;`.
            for k in range(start + 1, end):
                if not self.masked[k].strip():
                    self.out[k] = []
            # A block indented a space or three (at the top level, or in a quote: `>  $$`) is one
            # to CommonMark; arithmatex reads one only from the margin.
            indent = _indent(self.masked[start])
            if indent and self._item_of(start) is None:
                for k in range(start, end + 1):  # (a quote's lines are the quote's: none left here)
                    self.out[k] = [_less_columns(line, indent) for line in self.out[k]]

    def _formulas_apart(self, i: int, found: list[str]) -> tuple[list[str], bool, bool]:
        """Line i as the list pass left it, with each display formula on it (`found`, masked) on a
        line of its own, set apart from the text around it by blank lines; and whether the line
        opens and closes with a formula."""
        line = self.out[i][-1]
        item = self.items.get(i)
        lead = len(line) - len(line.lstrip())  # where its text starts: after an item's marker too
        if self._opens_item(i):
            lead += _MARKER.match(line[lead:]).end()
        segments, at = [], lead  # text and formulas, in order
        for formula in found:
            start = line.index(formula, at)
            segments += [line[at:start].strip(), formula]
            at = start + len(formula)
        segments = [segment for segment in [*segments, line[at:].strip()] if segment]
        # Emphasis around a formula (`**bold $$x$$ bold**`) closes before it and opens again after
        # it: each piece of text is a paragraph of its own, and showed its half's `**`. Innermost
        # first, so that each piece closes what it opened last first.
        for mark, first, last in reversed(_spans_of_marks(segments, set(found))):
            for k in range(first, last + 1):
                if segments[k] not in found:
                    segments[k] = (mark if k > first else "") + segments[k] + (mark if k < last else "")
                    segments[k] = "" if segments[k] == mark * 2 else segments[k]  # (a mark alone there: none)
        segments = [segment for segment in segments if segment]
        indent = " " * 4 * self._depth(i) if item else ""
        pieces = [(line[:lead] if item else "") + segments[0]]  # at the top level, at the margin
        for segment in segments[1:]:
            pieces += ["", indent + segment]
        return pieces, segments[0] == found[0], segments[-1] == found[-1]

    def _blocks_apart(self) -> None:
        """CommonMark lets a list, a quote, fenced code, a heading or a table start right under a
        line of text, and a heading, fenced code or a table inside a list item; Python-Markdown reads each only
        from a block of its own, so a blank line sets it apart (a list after a list item's line of
        text is a list inside that item to both, and code inside an item is read there)."""
        tables = dict(self.tables)  # header row: end
        formulas = {i for start, end in self.display_blocks for i in range(start, end + 1)}
        quotes = 0
        last_list: Token | None = None  # the list at the margin before, if nothing came after it yet
        for tok in self.tokens:
            inside = quotes  # a quote's inside is its own rewrite's
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)
            if inside or not tok.map or tok.map[0] in formulas:
                continue
            start, end = tok.map
            if tok.level == 0:
                self._lists_apart(last_list, tok)
                last_list = tok if tok.type in ("bullet_list_open", "ordered_list_open") else None
            if tok.type == "paragraph_open":
                for header in (h for h in range(start + 1, end) if h in tables):
                    self._block_apart(header, tables[header], "table_after_paragraph")
            elif tok.level == 0 and tok.type in _AFTER_TEXT:
                if start > 0 and self.masked[start - 1].strip():
                    self._blank_before(start)
                    self.result.applied[f"{_AFTER_TEXT[tok.type]}_after_paragraph"] += 1
                if tok.type == "fence" and end < len(self.masked) and self.masked[end].strip():
                    self._blank_before(end)
            elif tok.type == "heading_open" and start in self.items and not self._opens_item(start):
                self._block_apart(start, end, "heading_in_list_item")
            elif tok.type == "fence" and start in self.items and not self._opens_item(start):
                # (In the item's paragraph, it was set off by line breaks: a blank line under it.)
                self._block_apart(start, end, "fence_in_list_item")
        # After a list inside an item (under its text, or on its line: `- 1. text`), Python-Markdown
        # reads what the item holds under the list (fenced code, say) as more of the list's last
        # item, unless a blank line ends the list.
        for end, start in self.inner_lists:
            if self.masked[end].strip() and self.masked[end - 1].strip():
                self._blank_before(end)
                self.loosened.add(start)
                self.result.applied["list_after_inner_list"] += 1

    def _lists_apart(self, before: Token | None, tok: Token) -> None:
        """A list right after a list of another marker (`-` then `*`, `1.` then `1)`) is a list of
        its own, as in CommonMark: Python-Markdown read on in the list before, and a loose one
        was drawn tight with the other (its paragraphs run together)."""
        if before is not None and tok.type == before.type and tok.markup != before.markup:
            start = tok.map[0]  # (under the line before: the list's own first line takes its tight mark)
            self.out[start - 1] += ([""] if self.masked[start - 1].strip() else []) + ["<!-- -->", ""]
            self.result.applied["lists_apart"] += 1

    def _block_apart(self, start: int, end: int, kind: str) -> None:
        """Blank lines around lines start to end (inside a list item, perhaps), where there is text."""
        if self.masked[start - 1].strip():
            self._blank_before(start)
        if start in self.items:
            if end < len(self.masked) and self.masked[end].strip():
                self._blank_before(end)
            self._loosen(start)
        self.result.applied[kind] += 1

    def _hard_breaks(self) -> None:
        """A backslash ending a line of a paragraph, but its last, is a line break in CommonMark,
        and shows nothing; Python-Markdown shows it (nl2br makes the line break)."""
        text = self._paragraph_lines()
        for start, end in self.paragraphs:
            for i in range(start, end - 1):
                line = self.masked[i]
                if i in text and (len(line) - len(line.rstrip("\\"))) % 2:  # not an escaped backslash
                    self.masked[i] = self.out[i][0] = line[:-1]
                    self.result.applied["backslash_line_break"] += 1

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        """The first and last line + 1 of each paragraph outside quotes (the quote pass rewrites
        those), as CommonMark reads them: a table is a paragraph to it (see tables)."""
        found, quotes = [], 0
        for tok in self.tokens:
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)
            if tok.type == "paragraph_open" and not quotes and tok.map:
                found.append(tuple(tok.map))
        return found

    def _paragraph_lines(self) -> set[int]:
        """The lines of paragraphs outside quotes, tables and display formulas left out."""
        lines = {i for start, end in self.paragraphs for i in range(start, end)}
        return lines - self.raw - {i for start, end in self.tables for i in range(start, end)}

    @cached_property
    def tables(self) -> list[tuple[int, int]]:
        """The tables (GitHub's, as Obsidian and Typora read them): first and last line + 1. A
        table is a header row, a delimiter row of as many cells, and the rows under them. (Read
        once code and formulas are known, after the note is parsed for good.)"""
        tables = []
        for delimiter, line in enumerate(self.masked):
            if (delimiter == 0 or delimiter in self.raw or "|" not in line
                    or not _TABLE_DELIMITER.fullmatch(line.strip())
                    or tables and delimiter < tables[-1][1]):  # a row of dashes in a table is a row
                continue
            header = delimiter - 1
            row = self.masked[header]
            if header in self.raw or _cells(row[_ITEM_MARKERS.match(row).end():]) != _cells(line):
                continue
            end = delimiter + 1
            while end < len(self.masked) and "|" in self.masked[end] and end not in self.raw:
                end += 1
            tables.append((header, end))
        return tables

    def _table_code_pipes(self) -> None:
        """In a table, `\\|` is a pipe that does not end the cell, in code and math too (GitHub's
        tables, as Obsidian and Typora read them); Python-Markdown keeps the backslash in code, and
        already keeps a plain pipe in code inside its cell. In math, where TeX reads `\\|` as "‖"
        and a plain pipe would end the cell, it is `\\vert` (`$P(A \\| B)$` is P(A | B)). A display
        formula in a cell, `$$c$$`, is drawn in display style in the cell's line."""
        for start, end in self.tables:
            for row in range(start, end):
                for k in _PLACEHOLDER.findall(self.masked[row]):
                    mask = self.masks[int(k)]
                    if mask.startswith("`"):
                        self.masks[int(k)] = mask.replace("\\|", "|")
                    elif mask.startswith("$"):
                        mask = re.sub(r"(?<!\\)\\\|(?=([a-zA-Z])?)", _vert, mask)
                        if mask.startswith("$$"):  # display math in a cell, drawn in its line (arithmatex read
                            mask = f"${in_line(mask[2:-2].strip())}$"  # `$c$` in `$$c$$`)
                        self.masks[int(k)] = mask

    def _embeds(self) -> None:
        """`![[Note]]` alone on a line shows the note (or `![[Note#Heading]]` that section) in
        place, as Obsidian does; an embed that would include itself again is a link instead. In a
        list item (`- ![[Note]]`, or on a line of its own under the item's text) it shows in the
        item."""
        # The lines of text an embed may end: not a heading's (whose id it would change), a table's,
        # or a footnote's (the note would show where the footnote is defined).
        texts = {i for i in self._paragraph_lines() if not _REFERENCE_DEFINITION.match(self.masked[i])}
        for i, line in enumerate(self.masked):
            item = i in self.items
            if self._opens_item(i):  # (`- ![[Note]]`)
                line = line[_ITEM_MARKERS.match(line).end():]
            match = _EMBED.match(line) or _MARKDOWN_EMBED.match(line)
            text = ""  # before the embed on its line (`See: ![[Note]]`), where Obsidian shows the note under it
            after = ""  # and after it (`![[Infobox#^box|right]] The party…`), over the text
            if not match and i in texts and (around := _EMBED_AFTER_TEXT.match(line)):
                text, line = around.groups()
                match = _EMBED.match(line)
            elif not match and i in texts and (around := _EMBED_BEFORE_TEXT.match(line)):
                line, after = around.groups()
                match = _EMBED.match(line)
            if i in self.raw or i in self.html_lines or not match:  # (HTML shows it as written)
                continue
            name, heading = match.group(1).strip(), (match.group(2) or "").strip()
            if not name and not heading:
                continue  # `![[]]`, a template's blank: text
            if match.re is _EMBED:  # (`![[#^id]]`: a block of the note it is written in)
                target = self.links.find_name(name) if name else (self.embedded or (self.path,))[-1]
            else:  # `![](Note.md#Part%20A)`, as Obsidian writes an embed with wikilinks off
                target = self.links.resolve(name)
                name, heading = unquote(name), unquote(heading)
            body = self.vault.body(target) if target else None
            if body is None:
                continue  # an image, or a note not written yet: the inline pass shows it
            if drawings.is_drawing(target, body):  # its image, sized as the embed says (`|500`)
                size = _EMBED_SIZE.search(line)
                self._embed_shown(i, line, drawings.shown(target, self.vault.find, size.group(1) if size else ""))
                self.result.found.links.append((self._line(i), target))
                continue
            self.result.embedded.add(target)
            if not heading:  # the embed's title bar names the note: a `# ` naming it too would be a second
                title = _TITLE_LINE.match(body)
                if title and names_note(title.group(1), target):
                    body = body[title.end():]
            elif heading.startswith("^"):
                body = _with_footnotes(_block(body, self._unmask(heading)[1:]), body)
            else:  # the section a link to the same heading lands on
                found = self.links.heading_of(target, self.links.heading_path(heading))
                body = _with_footnotes(_section(body, found), body) if found else None
            shown = name if match.re is _EMBED else note_name(name)  # (a Markdown embed's is a path)
            if body is None:
                what = "block" if heading.startswith("^") else "heading"
                self.result.problems.append(Problem(
                    self._line(i), f"embeds a {what} that {target} does not have: #{self._unmask(heading)}, "
                    "shown as a link to the note"))
                shown = shown_text(shown, heading, "")
                # (`![[#^gone]]`: its name, as text)
                self._embed_shown(i, line, f"[[{name}|{shown}]]" if name else shown)
                continue
            # One that would show itself again is a link: of a note being embedded (or the page),
            # but a block or section of it that embeds nothing, as Obsidian shows one of the page's.
            chain = (self.path, *self.embedded)
            if target in chain and (not heading or _ANY_EMBED.search(body)) or len(chain) > _MAX_EMBED_DEPTH:
                cycle = " → ".join((*chain, target))
                self.result.problems.append(Problem(self._line(i), f"embed cycle, shown as a link: {cycle}", cycle=True))
                as_link = f"[[{name}|{shown_text(shown, heading, '')}]]"  # (a Markdown one with no text showed none)
                self._embed_shown(i, line, line.strip().replace("![[", "[[", 1) if match.re is _EMBED else as_link)
                continue
            sub_result = Normalized(text="", footnotes=self.result.footnotes)  # the page's footnotes
            # The embedded note's `[^1]` is its own, not the page's `[^1]`.
            footnotes = f"{self.footnotes}e{self.result.applied['embed'] + 1}-"
            inner = _Rewriter(body, self.path, self.vault, self.slugify, sub_result,
                              embedded=(*self.embedded, target), footnotes=footnotes, callouts=self.callouts,
                              html=self.html and not item).run()
            # A cycle the embed closes is reported at the line that embeds it; what else went wrong
            # inside it is its note's, warned of at its own line (it was warned of again at each embed).
            self.result.problems += [Problem(self._line(i), p.message, cycle=True)
                                     for p in sub_result.problems if p.cycle]
            self.result.embedded |= sub_result.embedded
            self.result.applied["embed"] += 1
            self.result.found.links.append((self._line(i), target))
            # (A block's id is no title: Obsidian shows the block alone.)
            title = shown_text(note_name(target), "" if heading.startswith("^") else heading, "")
            link = note_link(title, target, self.path)
            plain = item or not self.html
            if plain:  # Python-Markdown reads no HTML in an item: an untitled admonition, drawn as an embed
                content = [f'<span class="vs-embed-title">{link}</span>', "", *inner]  # (vaultsite.css)
                block = ['!!! vs-embed ""', "", *(("    " + l) if l.strip() else "" for l in content)]
            else:
                block = ['<div class="vs-embed" markdown>', "", f'<p class="vs-embed-title" markdown>{link}</p>', "",
                         *inner, "", "</div>"]
            if after:
                block += ["", self._inline(after, i)]
            if item:
                block = self._in_item(i, i + 1, block, self._inline(text, i) if text else "")
            else:
                block.append("")
                if text:
                    block[:0] = [self._inline(text, i), ""]
                elif i and self.masked[i - 1].strip():  # (under a line of text, it was in its paragraph)
                    block.insert(0, "")
            self._replace(i, i + 1, [self._mask(l) for l in block])
            self.raw.add(i)
            self.holds_html |= not plain  # a quote or callout holding its HTML is written as HTML: see _quote

    def _embed_shown(self, i: int, embed: str, shown: str) -> None:
        """What line i becomes where the embed on it (``embed``, the line from its text on) shows
        as ``shown``: the line as the passes before left it (a list item's marker, its indent)."""
        *opened, last = self.out[i]
        self.out[i] = [*opened, last[: len(last) - len(last.lstrip())] + last.lstrip().replace(embed.strip(), shown, 1)]

    def _replace(self, start: int, end: int, new: list[str]) -> None:
        self.out[start] = new
        for i in range(start + 1, end):
            self.out[i] = []

    def _item_of(self, i: int) -> int | None:
        """The first line of the innermost list item holding line i, if one does."""
        return self.items[i][2] if i in self.items else None

    def _opens_item(self, i: int) -> bool:
        return self._item_of(i) == i

    def _loosen(self, i: int) -> None:
        """A blank line went into the list item holding line i (if one does)."""
        if i in self.items:
            self.loosened.add(self.items[i][2])

    def _items_apart(self) -> None:
        """After a blank line inside a list item, Python-Markdown reads the lines under it as one
        indented block, up to the next blank line, items after the one it is in too, and reads
        that block as it reads a page: a list inside the item needs a blank line above it (it is
        a list under a line of text), and a blank line after the item, and after each item
        holding it, ends the block where the item ends. So for the blank lines the note has in an
        item too (not in code or a formula, nor after its last line)."""
        skipped = self.raw | self.hidden  # code, formulas and comments
        for start, (end, _) in self.item_spans.items():
            last = max((i for i in range(start, end) if self.masked[i].strip()), default=start)
            if any(not self.masked[i].strip() and i not in skipped for i in range(start + 1, last)):
                self.loosened.add(start)
        for start, (_, parent) in self.item_spans.items():
            if (parent in self.loosened and start - 1 != parent and self._item_of(start - 1) == parent
                    and self.masked[start - 1].strip()):
                self._blank_before(start)
        for start in self.loosened:
            while start is not None:
                end, start = self.item_spans[start]
                if end < len(self.masked) and self.masked[end].strip() and self.masked[end - 1].strip():
                    self._blank_before(end)

    def _mark_tight_lists(self) -> None:
        """A list CommonMark reads as tight (no blank line between its items or in them) that a
        blank line went into is marked for tight_lists.py, which draws it tight again: TIGHT
        starts the text of one of its items' paragraphs, after the item's marker and before a
        task's box (not a paragraph that opens with a formula or a table: TIGHT would break it)."""
        table_rows = {i for start, end in self.tables for i in range(start, end)}
        # The first lines of the paragraphs CommonMark hides (those of tight lists' items), by level, in order.
        hidden: dict[int, list[int]] = {}
        for tok in self.tokens:
            if tok.type == "paragraph_open" and tok.hidden and tok.map:
                hidden.setdefault(tok.level, []).append(tok.map[0])
        for tok in self.tokens:
            if tok.type not in ("bullet_list_open", "ordered_list_open") or not tok.map or tok.map[0] not in self.items:
                continue  # (a list in a quote is its rewriter's)
            start, end = tok.map
            if not self.loosened.intersection(range(start, end)):
                continue
            # The paragraphs of its items (not of lists or quotes inside them), hidden where it is tight.
            texts = hidden.get(tok.level + 2, [])
            texts = texts[bisect_left(texts, start) : bisect_left(texts, end)]
            for i in texts:
                # The first line with text (not a marker of an item that opens on i: see _first_lines).
                k = next((k for k, line in enumerate(self.out[i]) if _ITEM_MARKERS.sub("", line, 1).strip()), None)
                if k is None or i in self.raw or i in table_rows or self._opens_formula(i):
                    continue
                prefix = _ITEM_MARKERS.match(self.out[i][k]).end()
                self.out[i][k] = self.out[i][k][:prefix] + TIGHT + self.out[i][k][prefix:]
                self.result.applied["tight_list"] += 1
                break

    def _blank_before(self, i: int) -> None:
        """A blank line before what line i becomes, unless the lines before it end with one."""
        before = i - 1
        while before >= 0 and (not self.out[before] or before in self.hidden):
            before -= 1  # lines that became nothing
        if self.out[i][:1] != [""] and (before < 0 or self.out[before][-1:] != [""]):
            self.out[i].insert(0, "")

    def _lists(self) -> None:
        """Re-indent lists to Python-Markdown's four spaces a level."""
        stack: list[tuple[int, int]] = []  # the first line and the end of open list items
        owner = self.items  # line -> (depth, content col, item start)
        list_end = 0  # of the list opened last
        in_quote = 0
        for tok in self.tokens:
            if tok.type == "blockquote_open":
                in_quote += 1
            elif tok.type == "blockquote_close":
                in_quote -= 1
            if in_quote:
                continue
            if tok.type in ("bullet_list_open", "ordered_list_open") and tok.map:
                list_end = tok.map[1]
                if stack and tok.map[0] != stack[-1][0] and list_end < stack[-1][1]:  # (on the item's line: below)
                    self.inner_lists.append((list_end, stack[-1][0]))
            elif tok.type == "list_item_open" and tok.map:
                start, end = tok.map
                # Items that open on one line (`- 1. text`): the line is the outermost's to span (one
                # line is one key, and a parent of its own line would be walked forever) and to own,
                # the lines under it the innermost's (whose text starts past all the markers).
                on_line = sum(1 for first, _ in stack if first == start)  # items that opened on it before
                col = _content_column(self.masked[start], on_line + 1)
                self.item_spans.setdefault(start, (end, stack[-1][0] if stack else None))
                if on_line:
                    self.innermost[start] = len(stack) + 1
                    if list_end < stack[-1][1]:
                        self.inner_lists.append((list_end, start))
                stack.append((start, end))
                for i in range(start, end):
                    if i > start or not on_line:
                        owner[i] = (len(stack), col, start)
            elif tok.type == "list_item_close":
                stack.pop()
        # The lines of each fence in an item under its opening line (one that opens the item: see
        # _fences_opening_items).
        fences = [tok for tok in self.tokens if tok.type == "fence" and tok.map and tok.map[0] in owner
                  and owner[tok.map[0]][2] != tok.map[0]]
        fenced = {i: tok for tok in fences for i in range(tok.map[0] + 1, tok.map[1])}
        for i, (depth, col, start) in owner.items():
            # Code inside an item keeps its indentation relative to the item's content column.
            line = self.masked[i]
            if not line.strip():
                continue
            expanded = _expand_tabs(line)
            opened: list[str] = []  # the lines of the items that open on line i, but the innermost's
            if i in fenced:
                new = self._fenced_line(i, fenced[i])
            elif i == start:
                *opened, new = _first_lines(expanded.lstrip(), depth, self.innermost.get(i, depth))
            elif self._opens_formula(i):
                # At the content column: arithmatex reads a formula only from a block that starts
                # with "$$" (a tab, Obsidian's indent, puts it two columns further in).
                new = " " * 4 * depth + expanded.lstrip()
            else:
                new = " " * self._item_indent(i) + expanded.lstrip()
            if new != line:
                self.result.applied["list_indent"] += 1
            before = self.out[i][:-1]
            if i != start:  # lines put before it (a block id's anchor, see _block_ids) go where it goes
                pad = new[: len(new) - len(new.lstrip())]
                before = [pad + extra.lstrip() if extra.strip() else extra for extra in before]
            self.out[i] = before + opened + [new]
        for fence in fences:  # one never closed closes with its item, as in CommonMark (superfences: text)
            if not _closed(fence):
                self.out[fence.map[1] - 1].append(" " * self._item_indent(fence.map[0]) + fence.markup)

    def _fences_opening_items(self) -> None:
        """A fence on its list item's line (`- ```python`), under the item's marker, its code less
        the columns up to the fence, as CommonMark reads it: Python-Markdown read it as inline code
        and the list pass took the code's indentation. One never closed closes with the item."""
        quotes = 0  # (a fence in a quote is the quote's rewrite's)
        for tok in self.tokens:
            quotes += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)
            if tok.type != "fence" or quotes or not tok.map or not self._opens_item(tok.map[0]):
                continue
            start, end = tok.map
            line = _expand_tabs(self.masked[start])
            column = _ITEM_MARKERS.match(line).end()
            closed = _closed(tok)
            code = [_less_columns(self._unmask(self.masked[i]), column).expandtabs(4)
                    for i in range(start + 1, end - 1 if closed else end)]
            block = [self._unmask(line[column:]), *code, tok.markup]
            self._replace(start, end, [self._mask(l) for l in self._in_item(start, end, block)])
            self.result.applied["fence_opening_item"] += 1

    def _depth(self, i: int) -> int:
        """The depth of the innermost list item holding line i's text (`- 1. text`: the numbered one)."""
        return self.innermost.get(i, self.items[i][0])

    def _item_indent(self, i: int) -> int:
        """Where line i of a list item (not its first) starts in the text handed on: four columns a
        level, and as far past them as it is past the item's content column."""
        depth, col, _ = self.items[i]
        return 4 * depth + max(0, _indent(self.masked[i]) - col)

    def _fenced_line(self, i: int, fence: Token) -> str:
        """Line i of `fence`, in a list item, under its opening line. CommonMark takes as much of
        the opening fence's indentation as a line of code has from it, and a closing fence may be
        indented less or more than the opening one; superfences reads only code at least as
        indented as the opening fence, up to a closing fence just as indented (else the fence is
        text, and its code too, indentation and all)."""
        opening = fence.map[0]
        at = self._item_indent(opening)
        if i == fence.map[1] - 1 and _closed(fence):
            return " " * at + self.masked[i].lstrip()
        # The code less the item's indentation and the fence's, its tabs as the columns they reach
        # from the code's margin (Python-Markdown would count them from where the line now starts:
        # a tab indenting Go code in a `1.` item came out one space wide).
        code = _less_columns(self._unmask(self.masked[i]), max(self.items[opening][1], _indent(self.masked[opening])))
        return " " * at + code.expandtabs(4)

    def _opens_formula(self, i: int) -> bool:
        """Whether line i's text, after its indentation and list markers, opens with a display
        formula: one over several lines, or one on this line (masked)."""
        if i in self.raw:  # code, or a formula's lines
            return any(start == i for start, _ in self.display_blocks)
        line = self.masked[i]
        placeholder = _PLACEHOLDER.match(line[_ITEM_MARKERS.match(line).end():])
        return bool(placeholder) and self.masks[int(placeholder.group(1))].startswith("$$")

    def _headings(self) -> None:
        """One page title: a note that opens with a `# ` heading naming it (`# Chapters` in
        Chapters.md) is titled by it, and where it has several, every heading after that one
        moves down a level, so the note's sections keep their ranks below it (a `## Contents`
        before the second `# ` chapter stays below the chapters). Otherwise (text before the
        first of several, or a first that is a section, `# 剑形态` in 盾斧.md, or a template's
        `# Meta` alone in a note whose name is a title: see links.titles_note) the page is titled
        by the note's name, as Obsidian titles it, and every heading moves down: the first was a
        title the note does not have, out of the table of contents, above sections of its own
        rank. A single `# ` heading under text or a banner stays one, as Obsidian draws it under
        the note's name."""
        headings = []
        for k, tok in enumerate(self.tokens):
            if tok.type != "heading_open" or not tok.map or tok.level and tok.map[0] not in self.items:
                continue
            if tok.markup.startswith("#") and not self.tokens[k + 1].content.strip():
                # `#` alone: an empty heading, with no text to show, to link to or to list in the
                # outline (the page listed a blank one); it ends a paragraph, as a blank line does.
                # In a list item too, whose marker stays (`- #`, an empty item).
                line = self.out[tok.map[0]][-1]
                self.out[tok.map[0]][-1] = _empty_item(line) if self._opens_item(tok.map[0]) else ""
                continue
            if not tok.level:
                headings.append(tok)
        h1 = [t for t in headings if t.tag == "h1"]
        if self.embedded:  # an embed's title is gone: its headings keep their ranks
            if not self.quoted:  # (a quote's are the toc's to number: its own ids are the quote's)
                self._embedded_heading_ids(headings)
            return
        if not h1:
            return
        opens = all(not line.strip() or _TOC.match(line) for line in self.masked[: h1[0].map[0]])
        first = self.tokens[self.tokens.index(h1[0]) + 1].content
        # Where the front matter gives a title, an opening `# ` heading titles the page only where it
        # repeats it (the page showed it twice, every section a rank down); one of other words is a
        # section under that title, as one is under the note's name.
        if self.title is not None:
            names = same_title(self._unmask(first), self.title)
        elif len(h1) == 1:
            names = titles_note(self._unmask(first), self.path)
        else:  # of several, a first `# ` titles only where it names the note (`# Linux basics` in Linux.md is a chapter)
            # (A folder's index.md or README.md is named by its folder: its first `# ` is its title.)
            names = note_name(self.path).lower() in ("index", "readme") or names_note(self._unmask(first), self.path)
        if len(h1) == 1 and (not opens or names):
            return
        title = h1[0].map[0] if opens and names else -1
        for tok in headings:
            start, end = tok.map
            if start <= title or start in self.raw:
                continue
            level = int(tok.tag[1])
            line = self.out[start][-1]
            if tok.markup.startswith("#"):
                new = _ATX.sub(lambda m: m.group(1) + "#" * min(6, level + 1), line, count=1)
                self.out[start][-1] = new
            else:  # setext: underline sits on the last line of the heading
                self._replace(start, end, ["#" * min(6, level + 1) + " " + self._setext_text(start, end)])
            self.result.applied["heading_demoted"] += 1

    def _embedded_heading_ids(self, headings: list[Token]) -> None:
        """An embedded note's headings take ids of their embed's own (`e1:part-one`): the page's
        `## Part one` under an embed of that section keeps the id the page's links land on, where
        Python-Markdown's toc numbered it `part-one_1`, after the embed's. (An id the note gives a
        heading itself, `{#intro}`, stays.)"""
        ids = {heading.line: heading.id for heading in note_headings(self.text, self.slugify)}
        for tok in headings:
            start, end = tok.map
            if tok.markup.startswith("#"):
                text = _ATX_CLOSING.sub("", _ATX.sub("", self.out[start][-1], count=1)).strip()
            else:  # setext: its underline on the last line
                text = self._setext_text(start, end)
            if start in ids and start not in self.raw and not _ATTRIBUTES_AFTER.search(text):
                own_id = f"{self.footnotes.rstrip('-')}:{ids[start]}"
                self._replace(start, end, [f"{'#' * int(tok.tag[1])} {text} {{#{own_id}}}"])

    def _toc_and_definitions(self) -> None:
        used = self._referenced_labels()
        previous_end = None  # end line of the last bookmark definition made visible
        defined = set()
        for idx, tok in enumerate(self.tokens):
            if tok.type == "definition" and tok.level == 0 and tok.map:
                key = _label_key(tok.meta["label"])
                if key in defined and key in used:
                    # The first definition of a label is its link's, as CommonMark reads them;
                    # Python-Markdown took the last (`[Google][1]` led to an image's address).
                    self._replace(*tok.map, [])
                    continue
                defined.add(key)
            if tok.level != 0 or not tok.map:
                continue
            if tok.type == "paragraph_open" and _TOC.match(self.tokens[idx + 1].content):
                self._replace(*tok.map, [])
                self.result.applied["toc_marker_removed"] += 1
            elif tok.type == "definition" and _label_key(tok.meta["label"]) not in used:
                start, end = tok.map
                title = tok.meta.get("title") or tok.meta["label"]
                item = f"- [{escape_brackets(title)}](<{tok.meta['url']}>)"
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
        """Labels a reference link uses: `[text][label]`, `[label][]` or `[label]` (a footnote's
        `[^label]` too), in a quote or a callout as well, not in code or a formula."""
        defined = {t.map[0] for t in self.tokens if t.type == "definition" and t.map}
        code = {i for t in self.tokens if t.type in ("fence", "code_block") and t.map for i in range(*t.map)}
        formulas = {i for start, end in self.display_blocks for i in range(start, end + 1)}
        skipped = defined | code | formulas  # (self.raw holds the quotes' lines too, rewritten by now)
        text = "\n".join(l for i, l in enumerate(self.masked) if i not in skipped)
        return {_label_key(m.group(1)) for m in re.finditer(r"\[([^\[\]]+)\](?!\()", text)}

    # -- inline ------------------------------------------------------------------------------

# -- helpers (pure) --------------------------------------------------------------------------

_INLINE_PROTECTED = re.compile(
    r"(?P<backticked>\$`[^`\n]+`\$)"  # GitHub's and GitLab's inline formula, $`x`$
    r"|(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`)"  # code span
    # $$...$$ on one line, a `$` inside only in braces (`\text{若 $x>0$}`, `\tag{$\ast$}`; `$x$$y$` is two)
    # (each character read one way only: a line opening a formula over several must fail fast)
    r"|\$\$(?:\\.|[^${}\\]|\{(?:\\.|[^{}\\]|\{(?:\\.|[^{}\\])*\})*\})+?\$\$"
    r"|(?<![\\$\w])\$(?=[^\s$])(?![^$\n]*\]\][^$\n]*\[\[)[^$\n]*?(?<=\S)\$(?![\d$])"  # $...$ as dollarmath reads it
    # (a lone "$$" opens a block), not from one wikilink into another (`[[$a]] and [[$b]]`: links first)
)
# Marks of emphasis that a formula in the middle of its text may cut in two: bold, highlight, strike.
_EMPHASIS_MARKS = re.compile(r"\*\*|==|~~")


def _spans_of_marks(segments: list[str], formulas: set[str]) -> list[tuple[str, int, int]]:
    """The marks of emphasis that open in one of `segments` and close in a later one, a formula
    between them: (mark, segment it opens in, segment it closes in), in the order they open. A
    mark opens before a letter and closes after one (`a == b` and `2 ** 10` are neither)."""
    spans, open_at = [], {}
    for k, segment in enumerate(segments):
        if segment in formulas:
            continue
        for match in _EMPHASIS_MARKS.finditer(segment):
            mark = match.group()
            # (A formula is a character it may stand beside: `==结论：$$x$$==`.)
            formula_before = k > 0 and segments[k - 1] in formulas
            formula_after = k + 1 < len(segments) and segments[k + 1] in formulas
            before = segment[match.start() - 1: match.start()] or ("$" if formula_before else "")
            after = segment[match.end(): match.end() + 1] or ("$" if formula_after else "")
            if mark in open_at and before.strip():
                first = open_at.pop(mark)
                if first < k:
                    spans.append((mark, first, k))
            elif after.strip() and mark not in open_at:
                open_at[mark] = k
    return sorted(spans, key=lambda span: span[1])
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")

# What Python-Markdown may read as a tag (its HTML_RE: a letter after "<", a ">" further on) where
# CommonMark, and so Obsidian and Typora, read text: `Map<String,Integer>`, `git checkout -b
# <branch名>`, `http://<服务器ip>:80` were hidden as unknown tags; `List<Map<String,Object>>`
# whole, not only its inner pair (the outer one then read as a tag). Not a link's destination
# (`](<a b.md>)`), nor an autolink (markdown-it's patterns for one).
_LOOSE_TAG = re.compile(r"(?<!\]\()<(?=/?[a-zA-Z][^>]*>)")
# A tag of HTML written loosely, which CommonMark reads as text but a browser as the tag
# (`<a href=x.html?a=1>`, `<span @click="x">`, Word's `<o:p>`): left a tag, as it always was.
_HTML_LIKE = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(:|[\s/>])")


def _no_tags(line: str) -> str:
    """`line` with each `<` that Python-Markdown would read as opening a tag, and CommonMark not, as text."""
    if "<" not in line or _REFERENCE_DEFINITION.match(line) and not line.lstrip().startswith("[^"):
        return line  # (a link's definition: its destination may be `<a b.md>`; a footnote's is text)

    def tag(at: int) -> bool:
        loose = _HTML_LIKE.match(line, at)
        inside = line[at + 1 : line.find(">", at)]  # (what an autolink would be: `<https://…>`, `<a@b.cn>`)
        return bool(HTML_TAG_RE.match(line, at) or AUTOLINK_RE.match(inside) or EMAIL_RE.match(inside)
                    or loose and (loose[2] == ":" or loose[1].lower() in HTML_TAGS))
    return _LOOSE_TAG.sub(lambda m: m[0] if tag(m.start()) else "&lt;", line)


def _vert(pipe: re.Match) -> str:
    """`\\vert`, apart from a letter after it (`\\vert x`), and from nothing else: a space before a
    formula's closing `$` made it no formula (`$\\vert x\\vert $`)."""
    return "\\vert " if pipe.group(1) else "\\vert"


def unlisted_headings(html: str) -> set[str]:
    """The ids of the headings in a page's HTML that stay out of its table of contents, as
    Obsidian's outline leaves them out: those of embedded notes (the other note's), and those
    inside a callout or a quote (a problem statement's `# ` pasted into a folded callout took the
    page's sections after it as its own). Read as browsers read it (libxml2's parser): a tag named
    in a note's text (`- Use the <details> element`) ends with its list item, cell or callout."""
    if not html.strip():
        return set()
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return {heading.get("id") for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6")
            if heading.get("id") and any(map(_unlists, heading.iterancestors()))}


def _unlists(element) -> bool:
    """Whether the element holds what an outline leaves out: an embed, a callout, a quote."""
    classes = (element.get("class") or "").split()
    return element.tag in ("details", "blockquote") or element.tag == "div" and (
        "vs-embed" in classes or "admonition" in classes)


class _HtmlTags(HTMLParser):
    """Reads an HTML block of a note, whose first line is line `first`, and keeps `open_tags` (the
    elements that may hold Markdown, open when it ends: see _Rewriter._markdown_in_html)."""

    def __init__(self, first: int, open_tags: list[tuple[int, int, str]]) -> None:
        super().__init__(convert_charrefs=False)
        self.first, self.open_tags = first, open_tags
        self.closes_other = False  # whether it closes an element it did not open (`</details>`)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or ""
        if tag not in _MARKDOWN_HOLDERS or any(name == "markdown" for name, _ in attrs):
            return
        line, offset = self.getpos()
        line += self.first - 1 + text.count("\n")
        column = (offset if "\n" not in text else 0) + len(text.rsplit("\n", 1)[-1]) - 1
        self.open_tags.append((line, column, tag))

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.open_tags) - 1, -1, -1):
            if self.open_tags[k][2] == tag:
                del self.open_tags[k:]
                return
        self.closes_other |= tag in _MARKDOWN_HOLDERS


_DETAILS_OPEN = re.compile(r"[ \t]*<details(\s[^>]*)?>[ \t]*(?:<summary>(.*)</summary>[ \t]*)?", re.IGNORECASE)
_SUMMARY = re.compile(r"[ \t]*<summary>(.*)</summary>[ \t]*", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"[ \t]*</details>[ \t]*", re.IGNORECASE)
_DETAILS_TAG = re.compile(r"<(/?)details\b", re.IGNORECASE)

# Elements whose inside md_in_html reads as Markdown, blocks and all, with `markdown="1"`.
_MARKDOWN_HOLDERS = {"article", "aside", "blockquote", "details", "dialog", "div", "figure", "footer",
                     "header", "main", "nav", "section"}


def _closed(fence: Token) -> bool:
    """Whether a fence has its closing line (one never closed runs to the end of its block)."""
    code = fence.content
    lines = code.count("\n") + (1 if code and not code.endswith("\n") else 0)  # (the last may end the text)
    return fence.map[1] - fence.map[0] == lines + 2


def _less_columns(line: str, columns: int) -> str:
    """The line less up to `columns` columns of its indentation (tabs to CommonMark's four-column
    stops); of a tab that reaches past them, the columns past them are spaces."""
    column = 0
    for k, char in enumerate(line):
        if column >= columns or char not in " \t":
            return line[k:]
        width = 4 - column % 4 if char == "\t" else 1
        if column + width > columns:
            return " " * (column + width - columns) + line[k + 1:]
        column += width
    return ""


def _expand_tabs(line: str) -> str:
    """Expand tabs in the leading whitespace to CommonMark's four-column tab stops."""
    body = line.lstrip(" \t")
    return line[: len(line) - len(body)].expandtabs(4) + body


def _escaped(text: str, k: int) -> bool:
    """Whether text[k] follows an odd number of backslashes."""
    j = k
    while j and text[j - 1] == "\\":
        j -= 1
    return (k - j) % 2 == 1


def _cells(row: str) -> int:
    """How many cells a table row has (its pipes, less those at its ends and escaped ones)."""
    row = row.strip()
    return len(re.split(r"(?<!\\)\|", row.removeprefix("|").removesuffix("|")))


def _indent(line: str) -> int:
    """How many columns of whitespace the line starts with (tabs to CommonMark's tab stops)."""
    expanded = _expand_tabs(line)
    return len(expanded) - len(expanded.lstrip())


def _content_column(line: str, markers: int = 1) -> int:
    """Where the text of the item that the line's `markers`-th list marker opens starts."""
    expanded = _expand_tabs(line)
    column = _indent(line)
    for _ in range(markers):
        marker = _MARKER.match(expanded[column:])
        if not marker:
            return column
        # (A tab after the marker reaches the next tab stop: after `-`, three columns on.)
        end = column + len(marker.group(1))
        spaces = len((expanded[:end] + marker.group(2)).expandtabs(4)) - end
        # CommonMark: five or more spaces after the marker means one space and an indented code block.
        column = end + (spaces if 1 <= spaces <= 4 else 1)
    return column


def _empty_item(line: str) -> str:
    """An item's first line (as the list pass wrote it) with its marker alone: `- ` under a line of
    text is a setext underline to Python-Markdown, so `-` becomes `*` (see _first_lines)."""
    body = line.lstrip()
    bullet = _MARKER.match(body).group(1)
    return line[: len(line) - len(body)] + ("*" if bullet == "-" else bullet) + " "


def _task_box(content: str) -> str:
    """An item's text with its task's box as pymdownx.tasklist reads one: an empty task's with the
    space after it that it needs to see a box; one of Obsidian's other marks, which it ticks
    ("[>]" forwarded, "[-]" dropped), ticked ("[x]": pymdownx.tasklist knows no other)."""
    if _TASK_BOX.fullmatch(content.rstrip()):
        return content.rstrip() + " "
    if _MARKED_TASK_BOX.match(content):
        return "[x]" + content[3:]
    return content


def _first_lines(body: str, depth: int, innermost: int) -> list[str]:
    """The first line of an item of depth `depth`, its text `body` (after its indentation), as
    Python-Markdown reads it. Python-Markdown reads no list on the line of an item's marker, so
    an item whose text opens an item of depth `innermost` (`- 1. text`) is a line for each, the
    marker alone on each but the innermost's."""
    lines = []
    for level in range(depth, innermost + 1):
        marker = _MARKER.match(body)
        bullet, body = marker.group(1), body[marker.end():]
        content = body if level == innermost else ""
        if not content and bullet == "-":
            # An empty item keeps the space after its marker (Python-Markdown needs it);
            # `- ` under a line of text is a setext underline to Python-Markdown, so it
            # becomes `* `, which Python-Markdown reads as the same list.
            bullet = "*"
        else:
            content = _task_box(content)
        # Python-Markdown knows only `1.` for a numbered item; `1)` is CommonMark's other spelling.
        lines.append(" " * 4 * (level - 1) + bullet.replace(")", ".") + " " + content)
    return lines


def _section(body: str, heading: Heading) -> str:
    """The lines of the note's `heading` and those under it, up to the next of the note's own
    headings as high (not one in a quote or a list)."""
    lines = body.split("\n")
    ends = [tok.map[0] for tok in _md.parse(body) if tok.type == "heading_open" and tok.level == 0 and tok.map
            and tok.map[0] > heading.line and int(tok.tag[1]) <= heading.level]
    return "\n".join(lines[heading.line:ends[0] if ends else len(lines)])


def _block(body: str, block_id: str) -> str | None:
    """The block that `^block_id` marks: the paragraph or list item it ends (the item with the
    items under it, as Obsidian embeds one), or the block above it when it stands on a line of its
    own; None where the note has no such block."""
    lines, tokens = body.split("\n"), _md.parse(body)
    for i, line in enumerate(lines):
        match = _BLOCK_ID.search(line)
        if not match or match.group(1) != block_id:
            continue
        # The paragraphs its line is in; on a line of its own, those it goes on from (a lazy line).
        held = [tok.map for tok in tokens if tok.type == "paragraph_open" and tok.map and tok.map[0] <= i < tok.map[1]
                and (tok.map[0] < i or line[: match.start()].strip())]
        if held and _is_table_head(lines[held[-1][0]:held[-1][0] + 2]):
            # `^id` right under a table (CommonMark without tables reads them as one paragraph)
            return _unquoted(lines, held[-1][0], i, tokens)  # (from a list item: at the margin)
        closing = lines[i - 1].strip() if i else ""
        if held and not line[: match.start()].strip() and closing.endswith("$$"):  # right under a display formula
            top = i - 1 if closing.startswith("$$") and closing != "$$" else i - 2  # (`$$E$$`: that line)
            opening = next((k for k in range(top, held[-1][0] - 1, -1) if lines[k].lstrip().startswith("$$")),
                           held[-1][0])
            return _unquoted(lines, opening, i, tokens)
        quote = [tok.map for tok in tokens
                 if tok.type == "blockquote_open" and not tok.level and tok.map[0] < i < tok.map[1]]
        if quote and not line[: match.start()].strip():  # a lazy line under a quote or callout: that one
            return "\n".join(lines[quote[0][0]:i])
        if held:  # it ends the innermost paragraph holding its line
            start, end = max(held)
            items = [tok.map for tok in tokens if tok.type == "list_item_open" and tok.map and tok.map[0] == start]
            if items:  # the paragraph an item opens with: that item
                start, end = min(items, key=lambda span: span[1])  # (the innermost)
            return _unquoted(lines, start, end, tokens)
        # On a line of its own, under the block: the last one above it, whole.
        spans = [tok.map for tok in tokens if tok.level == 0 and tok.nesting >= 0 and tok.map and tok.map[1] <= i]
        if not spans:
            return None
        start, end = max(spans, key=lambda span: (span[1], -span[0]))
        return "\n".join(lines[start:end])
    return None


def _unquoted(lines: list[str], start: int, end: int, tokens: list[Token]) -> str:
    """Lines start to end of a note, a block inside it, alone: out of the quotes and callouts it is
    in (Obsidian embeds the block, not them: it showed in bare quote bars) and of its list's
    indentation (indented, it was code)."""
    quotes = sum(1 for tok in tokens if tok.type == "blockquote_open" and tok.map and tok.map[0] <= start < tok.map[1])
    block = _less_quotes(lines[start:end], quotes)
    if quotes and _CALLOUT.match(block[0].strip()):  # a callout's first paragraph: the callout, title and all
        block = _less_quotes(lines[start:end], quotes - 1)
    return textwrap.dedent("\n".join(block))


def _less_quotes(lines: list[str], levels: int) -> list[str]:
    """`lines` less `levels` of their quotes' `>` marks (a lazy line has none to lose)."""
    return [re.sub(rf"^[ \t]*(?:>[ \t]?){{1,{levels}}}", "", line) for line in lines] if levels else lines


def _with_footnotes(part: str | None, note: str) -> str | None:
    """A part of a note (an embedded section or block) with the definitions of the footnotes it
    refers to, wherever the note defines them, and without those of footnotes it does not refer
    to: a reference showed as typed (`[^e1-1]`), and a definition alone as a link to a note."""
    if part is None:
        return None
    referred = {match.group(1) for match in _FOOTNOTE.finditer(part) if part[match.end():match.end() + 1] != ":"}
    for label, block in _footnote_definitions(part):
        if label not in referred:
            part = part.replace(block, "")
    wanted = [block for label, block in _footnote_definitions(note) if label in referred and block not in part]
    return "\n\n".join([part.rstrip(), *wanted]) if wanted else part


def _footnote_definitions(text: str) -> list[tuple[str, str]]:
    """Each footnote definition of `text`: its label, and its lines (those indented under it too)."""
    return [(match.group(1), match.group(0)) for match in _FOOTNOTE_DEFINITION.finditer(text)]


_FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:.*(?:\n(?:[ \t]+\S.*|[ \t]*(?=\n[ \t]+\S)))*", re.MULTILINE)


def _no_heading(line: str) -> str:
    """A line that opens with `#` and no space (`#1 priority`, `##note`, a `#` no tag is made of) is
    text, as CommonMark reads it; Python-Markdown read a heading, in the middle of a paragraph too."""
    hashes = _HASH_TEXT.match(line)
    return line if not hashes else line[:hashes.start(1)] + "\\#" * len(hashes.group(1)) + line[hashes.end(1):]


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _is_table_head(lines: list[str]) -> bool:
    """Whether `lines` (two) are a table's header row and delimiter row."""
    return len(lines) == 2 and "|" in lines[1] and bool(_TABLE_DELIMITER.fullmatch(lines[1].strip()))


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


