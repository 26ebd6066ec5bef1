"""Say which language each block of a page is written in (its `lang` attribute).

A bilingual vault writes some notes, paragraphs or list items in English and others in Chinese,
and quotes Japanese or Korean now and then, while the site has one language (mkdocs.yml's
`theme.language`, on `<html lang>`). A screen reader reads every block in the voice of its
language, and a browser draws the ideographs Chinese, Japanese and Korean share in the glyph forms
of the language it is told ("直", "骨" differ): without the attribute, an English note is read in a
Chinese voice and a Japanese paragraph drawn with Chinese glyphs.

Each block (paragraph, heading, list, item, table cell, quote...) whose language differs from the
one it inherits gets `lang`: the highest block written wholly in Latin letters is English (or the
language the plugin's `latin_language` names) on a site in Chinese, Japanese or Korean, and left
to a Latin-script site's own language (which one a block of Latin letters is written in, English
or German, its letters do not tell); one
written in kana among ideographs Japanese writes is `ja`, in hangul `ko`, and one with other
ideographs `zh`. A block that
mixes in ideographs ("the 模型 here") keeps the language around it, as do code and formulas, which
are read as neither. HTML text in, HTML text out.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass, field

# Elements a language is said on; inline ones (links, emphasis) only add their text to their block.
_BLOCKS = frozenset(
    "p li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote div details summary table thead tbody tfoot tr td th "
    "caption figure figcaption section aside header footer nav article".split()
)
# Text read as no language: code, formulas, and what is not text at all. Their ideographs still
# keep their block from being told it is English, where they would be drawn as Japanese. Text
# elements end at their own end tag alone; the others, as browsers read them, at their block's too.
_NEUTRAL = frozenset("pre code kbd samp math svg script style textarea".split())
_RAW_TEXT = frozenset("pre script style textarea".split())
_TOKEN = re.compile(
    r"<!--(?:.*?-->|.*)|<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.DOTALL
)
_LANG = re.compile(r"""\slang\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)

_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]")
# Quotations: the kana in them are a quoted word's, not the sentence's language ("助詞「の」").
_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|“[^”]*”")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Letters of any script: a block mostly of other letters than Latin ones (Greek, Cyrillic) is no English.
_LETTER = re.compile(r"[^\W\d_]")

# Site languages written in ideographs, where a block of Latin letters is said to be in `latin_language`.
_CJK_SITE = ("zh", "ja", "ko")


@dataclass
class _Letters:
    """What the text of a block, and all it holds, is written in."""

    latin: int = 0
    kana: int = 0
    hangul: int = 0
    han: int = 0  # ideographs
    letters: int = 0  # of any script, Latin included
    not_japanese: int = 0  # ideographs Japanese does not write
    in_code: int = 0  # ideographs, kana and hangul in code and formulas

    def add(self, other: _Letters) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class _Block:
    name: str
    at: int  # where its start tag's name ends: the attribute goes there
    lang: str | None  # as its own start tag says
    letters: _Letters = field(default_factory=_Letters)
    children: list[_Block] = field(default_factory=list)

    def language(self, site: str, latin: str, inherited: str) -> str | None:
        n = self.letters
        if n.han and not n.kana and not n.hangul and inherited in ("ja", "ko") and not n.not_japanese:
            # Ideographs alone ("東京", an item of a Japanese list) are in the language
            # around them, which writes them too: told Chinese, they were drawn in its forms.
            return inherited
        if n.kana or n.hangul or n.han:
            # Japanese writes kana among its ideographs, few in technical terms ("行列の対角化",
            # one to five; "問題1の解答", one to four: a kana to eight ideographs is taken), and
            # only the ideographs of its own character sets. Chinese writes none but in quotes,
            # which count for neither ("日語助詞「の」的用法"), or Simplified ones ("日语").
            if 8 * n.kana >= n.han and n.kana > n.hangul and not n.not_japanese:
                return "ja"
            if n.hangul >= n.han + n.kana:
                return "ko"
            return "zh" if n.han else None
        if n.latin and 2 * n.latin > n.letters and not n.in_code:
            return latin if site in _CJK_SITE and latin else None
        return None


def mark_languages(html: str, site_language: str, latin: str = "en") -> str:
    """`html` with `lang` on each block whose language differs from the one it inherits, on a
    site whose language is `site_language` (a BCP 47 tag: "zh", "zh-Hant", "en"); `latin` is the
    language of blocks in Latin letters alone on a site in ideographs ("" for none). One pass over
    the tags, whatever is left unclosed."""
    site = _primary(site_language)
    root = _Block("", 0, site)
    stack = [root]
    open_blocks: Counter[str] = Counter()
    japanese = _KANA.search(html) is not None  # (else no block is, and no ideograph need be looked up)
    neutral: list[str] = []  # the open code or formula element, as often as it is nested in itself
    done = 0
    for match in _TOKEN.finditer(html):
        _count(html[done : match.start()], stack[-1].letters, japanese, bool(neutral))
        done = match.end()
        closing, name = match.group(1), (match.group(2) or "").lower()
        if neutral:
            if name == neutral[0]:
                neutral.pop() if closing else neutral.append(name)
            elif closing and open_blocks[name] and neutral[0] not in _RAW_TEXT:
                neutral.clear()  # (its block ends: see below)
            if neutral:
                continue
        if name in _NEUTRAL and not closing and not match.group(3).rstrip().endswith("/"):
            neutral.append(name)
        if name not in _BLOCKS:
            continue
        if closing:  # an end tag closes its block and any left open inside it
            if open_blocks[name]:
                while (closed := _close(stack).name) != name:
                    open_blocks[closed] -= 1
                open_blocks[name] -= 1
            continue
        lang = _LANG.search(match.group(3))
        block = _Block(name, match.start() + 1 + len(name), lang.group(1) if lang else None)
        stack[-1].children.append(block)
        stack.append(block)
        open_blocks[name] += 1
    _count(html[done:], stack[-1].letters, japanese, bool(neutral))
    while len(stack) > 1:
        _close(stack)
    marks = _marks(root, site, latin)
    if not marks:
        return html
    out = []
    done = 0
    for at, lang in marks:
        out += [html[done:at], f' lang="{html_lib.escape(lang)}"']
        done = at
    out.append(html[done:])
    return "".join(out)


def _close(stack: list[_Block]) -> _Block:
    """Close the innermost open block: what it holds counts for the block around it too."""
    block = stack.pop()
    stack[-1].letters.add(block.letters)
    return block


def _count(text: str, letters: _Letters, japanese: bool, code: bool) -> None:
    """Add what `text` is written in to `letters` (of text in code: its ideographs, kana and
    hangul, as such; where the page has no kana, as if Japanese wrote every ideograph)."""
    if not text.strip():
        return
    text = html_lib.unescape(text)
    ideographs = _HAN.findall(text)
    kana, hangul = len(_KANA.findall(_QUOTED.sub("", text))), len(_HANGUL.findall(text))
    if code:
        letters.in_code += len(ideographs) + kana + hangul
        return
    letters.kana += kana
    letters.hangul += hangul
    letters.han += len(ideographs)
    if japanese:
        letters.not_japanese += sum(1 for char in ideographs if not _in_japanese_sets(char))
    letters.latin += len(_LATIN.findall(text))
    letters.letters += len(_LETTER.findall(text))


@functools.lru_cache(maxsize=1 << 14)
def _in_japanese_sets(char: str) -> bool:
    """Whether Windows' Shift-JIS (JIS X 0208 and its extensions) holds the ideograph."""
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _marks(root: _Block, site: str, latin: str) -> list[tuple[int, str]]:
    """Where a `lang` goes, and which, in the order of the text: on each block whose language
    differs from the one it inherits (a loop, not a recursion: a note may nest blocks deeply)."""
    marks = []
    todo = [(child, site) for child in reversed(root.children)]
    while todo:
        block, inherited = todo.pop()
        if block.lang is not None:  # the note says it itself
            inherited = _primary(block.lang)
        elif (lang := block.language(site, latin, inherited)) is not None and _primary(lang) != inherited:
            marks.append((block.at, lang))
            inherited = _primary(lang)
        todo += [(child, inherited) for child in reversed(block.children)]
    return marks


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()
