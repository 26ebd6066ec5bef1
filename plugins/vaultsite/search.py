"""Search that works in Chinese and English: rewrite the index Material's search plugin wrote.

Material's search plugin writes `search/search_index.json`: one entry per section of a page, its
title and text (Chinese already cut into words by jieba's precise mode, the words joined by U+200B),
and the `config` the browser's search worker builds its Lunr index with. The worker cuts every
query term at `config.separator`, cuts a run of Chinese into the longest words the index holds,
and adds a trailing `*` to each term. This module rewrites the file so that:

- `lang` is `vaultsite`: the worker loads our lunr.vaultsite.js as a Lunr language, which cuts
  Chinese in a query into the index's words (the worker's own cut dropped or split them: 深度学习
  became `深度* 学*`), and finds what holds every word of a run cut into several (强化学习: 强化
  and 学习), not what holds any;
- the Chinese of titles and texts is cut as a query is: a word of the vault that jieba's precise
  mode cut into pieces (the term 多层感知机: 多层 感知机) is one word again, and its pieces are its
  sub-words (below). A title then holds, at the title's boost, only the words it is written with:
  the query 感知机 ranks the page titled 感知机 above the one titled 多层感知机;
- `separator` also splits at full-width brackets and punctuation (`（CNN）` was one word) and at
  ASCII punctuation (`(CNN)` was the word `(cnn)`, which the query `cnn*` never matches);
- `pipeline` has no stemmer: a query term with a `*` skips Lunr's stemmer, so an index of stems
  (`learn`, `attent`) never matched the query `learning*` or `attention*`. The index keeps the
  words as written, and the inflections are matched through the fields below;
- every entry gets two fields that queries match and results never show, `aliases` for its title
  (boosted half as much as the title) and `keywords` for its text, with the words it is also
  known by:
  - jieba's search-mode sub-words of its Chinese (`cut_for_search`), so 网络 inside 神经网络 is
    a word a query can find;
  - the other inflections of its English words that the vault uses (`network` → `networks`), so
    a query finds a word in whichever form the note wrote it;
  - the other language's name of a term the notes write in both (`注意力机制 (Attention
    Mechanism)`, `Features in data (数据特征)`, `反向传播 · Backpropagation`): a note that says
    only 注意力机制 is found by `attention`, one that says only "features in data" by 数据特征;
- the file is UTF-8 JSON (not ASCII-escaped).

Material's search plugin reads each page as `readable` has it (`setup`): a formula as its TeX
source or not at all, never the text of its MathML, which runs its letters together; a missing
file's placeholder not at all. Pages with `search: exclude: true` are left out by Material and
never come back here. Text and data in, text and data out; `update_site` and `rewrite_ahead` are
the only functions that read or write a file.
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from material.plugins.search import plugin as material_search

from . import parallel

ASSETS = Path(__file__).parent / "assets"
# Our files in the site, loaded by every page: the query fix (search.js) and bilingual typography.
JS = "assets/vaultsite/search.js"
CSS = "assets/vaultsite/typography.css"
# Material's search worker loads lunr/min/lunr.<lang>.min.js for each language of the index.
LANG = "vaultsite"
WORKER_JS = f"assets/javascripts/lunr/min/lunr.{LANG}.min.js"
_SITE_FILES = {JS: "search.js", CSS: "typography.css", WORKER_JS: "lunr.vaultsite.js"}
# The fields of an entry with the words its title and its text are also known by.
TITLE_FIELD = "aliases"
TEXT_FIELD = "keywords"
# Lunr (JavaScript, no flags) splits the text of the index and each query term at this.
SEPARATOR = (r"[\s\u200b\u3000\-_,:;!?=\[\](){}<>\"`/|\\"
             r"、。，．？！；：（）【】《》〈〉「」『』〔〕〖〗“”…·•]+"
             r"|\.(?!\d)|&(?:[lg]t|amp|quot|#\d+);")
# The field Material's search plugin gives tags, unless mkdocs.yml gives another.
_MATERIAL_TAGS_FIELD = {"boost": 1e6}
# Lunr pipeline functions kept: the English stop-word filter (as Material's English default).
PIPELINE = ["stopWordFilter"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_HAN_WORDS = re.compile(f"[{_HAN}]+(?:\u200b[{_HAN}]+)+")  # Material's cut of a run of Chinese
_LONGEST = 12  # characters in the longest Chinese word looked for (as lunr.vaultsite.js)
_WORD = r"[A-Za-z][A-Za-z0-9'’]*(?:-[A-Za-z0-9]+)*"
_PHRASE = rf"{_WORD}(?:[ \t]+{_WORD}){{0,4}}"
_SEPARATOR = re.compile(SEPARATOR)
_ENGLISH = re.compile(r"[A-Za-z]{2,}")
_TAG = re.compile(r"<[^>]+>")
_ALNUM = re.compile(r"[a-z0-9]+")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_GAP = re.compile(r"\W+")
# The letters that are not ASCII but that re.IGNORECASE matches to ASCII letters; see _fold.
_FOLDS_TO_ASCII = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
# A formula as MathML (mathml.py, or a note's own), and the TeX source it may carry.
_MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
_TEX = re.compile(r'<annotation\b[^>]*\bencoding="application/x-tex"[^>]*>(.*?)</annotation>', re.DOTALL)
# The placeholder of a file the vault does not hold (links.py): the file's name or the image's alt.
_MISSING = re.compile(r'<span class="vs-missing"[^>]*>[^<]*</span>')

# A pair in brackets: `注意力机制 (Attention Mechanism)`, `Features in data (数据特征)`. The term
# before the bracket starts where a phrase starts (after punctuation, a bracket or a line start),
# so `Neuron的值(Activation)`, `普通 RNN（同样的规模）` or `connections between data (数据)` give no pair.
_ZH_THEN_EN = re.compile(rf"(?<![{_HAN}A-Za-z0-9])([{_HAN}]{{2,8}})[ \t]*[（(][ \t]*({_PHRASE})[ \t]*[)）]")
# A search for _ZH_THEN_EN tries at every character, one for what each of its matches holds (two
# Chinese characters, then a bracket before English) only at Chinese characters: a text without
# that skips the first.
_HAN_BRACKET_EN = re.compile(rf"[{_HAN}]{{2}}[ \t]*[（(][ \t]*[A-Za-z]")
# The English term starts after a character no term holds, or where a line starts. The pattern
# takes that character (a text is searched with a line break before it), so that a search tries
# only at those characters; a lookbehind for it had the search try at every character. It leaves
# the closing bracket to the next match, which may start after it.
_EN_THEN_ZH = re.compile(rf"[^{_HAN}A-Za-z0-9'’ \t-][ \t]*({_PHRASE})[ \t]*[（(][ \t]*([{_HAN}]{{2,8}})[ \t]*(?=[)）])")
# A pair that is a whole heading, list item or line: `反向传播 · Backpropagation`,
# `深度学习（神经网络）· Deep Learning (Neural Network)`, `卷积层 Convolution Layer`.
_ZH_SIDE = rf"([{_HAN}]{{2,12}})(?:[ \t]*[（(]([{_HAN}]{{2,12}})[)）])?"
_EN_SIDE = rf"({_PHRASE})(?:[ \t]*[（(]({_PHRASE})[)）])?"
_MARK = r"[ \t]*[·|/｜][ \t]*"
_WHOLE = [
    (re.compile(rf"^[ \t]*{_ZH_SIDE}{_MARK}{_EN_SIDE}[ \t]*$"), False),
    (re.compile(rf"^[ \t]*{_EN_SIDE}{_MARK}{_ZH_SIDE}[ \t]*$"), True),
    # Without a mark between them, only a term in title case: `卷积层 Convolution Layer`, never
    # `这里用 NumPy` or `整个 Network`.
    (re.compile(rf"^[ \t]*([{_HAN}]{{2,12}})()[ \t]+([A-Z][a-z]+(?:[ \t]+[A-Z][A-Za-z]*){{1,4}})()[ \t]*$"), False),
]
# The characters those take: a block with others (most blocks, with a comma or a full stop) is
# not tried.
_WHOLE_CHARS = re.compile(rf"[{_HAN}A-Za-z0-9'’ \t（()）·|/｜-]+")
# Where a block ends for the whole-block rule: line breaks and the full-width colon, semicolon and
# full stop (`深度学习 · Deep Learning：学习资源…` pairs the part before the colon).
_BLOCK_END = re.compile(r"[\n：；。]")
_BLOCK_TAGS = re.compile(r"</?(?:p|li|ul|ol|pre|code|sub|sup)>")
_STOP = {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
         "or", "the", "to", "with", "see", "also", "next", "previous"}


@dataclass
class Stats:
    entries: int = 0
    pairs: int = 0
    keywords: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    pair_list: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"search index: {self.entries} entries, {self.pairs} bilingual terms, "
                f"{self.keywords} keywords, {self.bytes_before} → {self.bytes_after} bytes")


def plain_text(markup: str) -> str:
    """The text of an index entry's title or text: no tags, no entities; blocks on their own lines."""
    return html.unescape(_TAG.sub(" ", _BLOCK_TAGS.sub("\n", markup)))


def readable(content: str) -> str:
    """A page's HTML as its search index should read it: each formula as the TeX source its
    `<math>` carries, as code, or as nothing (MathML's text runs a formula's letters together:
    `tanh′=1−tanh2`); no placeholder of a missing file (a file's name is none of the note's text)."""
    return _MISSING.sub("", _MATH.sub(_formula, content))


def _formula(math: re.Match) -> str:
    tex = _TEX.search(math.group())
    return f" <code>{tex.group(1).strip()}</code> " if tex else " "


class _PageParser(material_search.Parser):
    """Material's parser of a page for its search index, fed the page as `readable` has it, with
    no embed in it: a note embedded in another is found on its own page, as Obsidian's search finds
    it (it was found again under every page embedding it, its headings sections of theirs)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The divs open in the embed being left out, itself one (an embed is a div, and holds
        # divs; counting every tag, a tag a note's own HTML left open would leave out the page).
        self.embed_divs = 0

    def feed(self, data: str) -> None:
        super().feed(readable(data))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.embed_divs or "vs-embed" in (dict(attrs).get("class") or "").split():
            self.embed_divs += tag == "div"
        else:
            super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.embed_divs:
            self.embed_divs -= tag == "div"
        else:
            super().handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if not self.embed_divs:
            super().handle_data(data)


def tokens(text: str) -> set[str]:
    """The words Lunr makes of `text` (lower case), as the browser's search worker cuts it.

    Each word is interned: a vault writes its few thousand words millions of times, and an index
    keeps the words of every text at once.
    """
    words = set(map(sys.intern, map(str.lower, _SEPARATOR.split(text))))
    words.discard("")  # where two separators meet, and before or after one at either end
    return words


def light_stem(word: str) -> str:
    """The word without its inflection: `networks`, `learning`, `learned` → `network`, `learn`.

    Porter's steps 1 and 5 (plurals, -ed, -ing, a final -e or -y), so that the words one stem
    groups are forms of one word: `noting` goes with `note`, never with `not`.
    """
    w = word.lower()
    if len(w) <= 2:
        return w
    if w.endswith("sses") or w.endswith("ies"):  # 1a
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if w.endswith("eed"):  # 1b
        if _measure(w[:-3]) > 0:
            w = w[:-1]
    else:
        for suffix in ("ed", "ing"):
            stem = w[: -len(suffix)]
            if w.endswith(suffix) and _has_vowel(stem):
                w = stem
                if w.endswith(("at", "bl", "iz")):
                    w += "e"
                elif len(w) > 1 and w[-1] == w[-2] and w[-1] not in "lsz" and not _is_vowel(w, len(w) - 1):
                    w = w[:-1]
                elif _measure(w) == 1 and _cvc(w):
                    w += "e"
                break
    if w.endswith("y") and _has_vowel(w[:-1]):  # 1c
        w = w[:-1] + "i"
    if w.endswith("e"):  # 5a
        m = _measure(w[:-1])
        if m > 1 or (m == 1 and not _cvc(w[:-1])):
            w = w[:-1]
    if w.endswith("ll") and _measure(w) > 1:  # 5b
        w = w[:-1]
    return w


_stem = lru_cache(maxsize=1 << 16)(light_stem)


def _is_vowel(w: str, i: int) -> bool:
    return w[i] in "aeiou" or (w[i] == "y" and i > 0 and not _is_vowel(w, i - 1))


def _has_vowel(w: str) -> bool:
    return any(_is_vowel(w, i) for i in range(len(w)))


def _measure(w: str) -> int:
    """Porter's m: how many vowel-consonant sequences `w` has."""
    kinds = re.sub(r"(.)\1+", r"\1", "".join("v" if _is_vowel(w, i) else "c" for i in range(len(w))))
    return kinds.count("vc")


def _cvc(w: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y (`hop`, not `hoop` or `snow`)."""
    return (len(w) >= 3 and not _is_vowel(w, len(w) - 3) and _is_vowel(w, len(w) - 2)
            and not _is_vowel(w, len(w) - 1) and w[-1] not in "wxy")


def _fold(text: str) -> str:
    """`text` in lower case, with the letters that re.IGNORECASE matches to ASCII letters as those.

    A pattern of ASCII in lower case matches the folded text where, ignoring case, it matches the
    text: character for character (checked against every code point), and without IGNORECASE the
    pattern compiles several times faster.
    """
    for letter, ascii_letter in _FOLDS_TO_ASCII.items():
        text = text.replace(letter, ascii_letter)
    return text.lower()


def bilingual_pairs(text: str) -> list[tuple[str, str]]:
    """(Chinese term, English term) pairs the text writes side by side, in order, English lower case."""
    pairs = []

    def add(zh: str | None, en: str | None) -> None:
        if not zh or not en:
            return
        en = " ".join(en.lower().split())
        if set(en.split()) <= _STOP or len(en) < 2:
            return
        # A name longer than the term translates it never, one character a word at most: it names
        # one of its kind (`工具 (Visual Studio Code)`, `论文 (Attention Is All You Need)`), and every
        # text saying 工具 or 论文 was found by the name.
        if len(set(en.split()) - _STOP) > len(zh):
            return
        pairs.append((zh, en))

    if _HAN_BRACKET_EN.search(text):
        for m in _ZH_THEN_EN.finditer(text):
            add(m.group(1), m.group(2))
    for m in _EN_THEN_ZH.finditer("\n" + text):
        add(m.group(2), m.group(1))
    for block in filter(_WHOLE_CHARS.fullmatch, _BLOCK_END.split(text)):
        for pattern, english_first in _WHOLE:
            m = pattern.match(block)
            if m:
                a, a2, b, b2 = m.groups()
                if english_first:
                    a, a2, b, b2 = b, b2, a, a2
                add(a, b)
                add(a2, b2)
                break
    return list(dict.fromkeys(pairs))


def rewrite_index(data: dict, cut_for_search, workers: int = 1) -> tuple[dict, Stats]:
    """The search index `data` (Material's search_index.json, parsed) rewritten; see the module.

    `cut_for_search(text) -> iterable of words` is jieba's search mode (a parameter, so tests can
    pass a fake and the build pays jieba's start-up only where there is Chinese). What each text
    adds is worked out on up to `workers` processes (see parallel.py).
    """
    docs = data.get("docs", [])
    stats = Stats(entries=len(docs))
    # Collect first: the vault's Chinese words, bilingual terms and the forms of its English words,
    # from the titles and texts as Material cut them (Chinese words joined by U+200B).
    vocabulary = _Vocabulary(((plain_text(d.get("title", "")), plain_text(d.get("text", ""))) for d in docs),
                             cut_for_search)
    # Then cut as a query is cut: a term jieba cut into pieces is one word, the pieces its sub-words.
    for doc in docs:
        for name in ("title", "text"):
            if name in doc:
                doc[name] = vocabulary.join_terms(doc[name])
    titles = [plain_text(d.get("title", "")) for d in docs]
    bodies = [plain_text(d.get("text", "")) for d in docs]

    # The words of each title and text (a vault repeats its headings: each is cut once). A line
    # break is a separator: the words of `title + "\n" + body` are those of the two. Kept as tuples
    # (in no particular order): as sets, five times the size, they were most of what the rewrite
    # held.
    words_of = {text: tuple(tokens(text)) for text in {*titles, *bodies}}

    stats.pair_list = vocabulary.pairs
    stats.pairs = len(stats.pair_list)
    vocabulary.learn_texts(words_of, workers)

    for doc, title, body in zip(docs, titles, bodies):
        aliases = vocabulary.extra(title, words_of[title])
        title_words = {*words_of[title], *aliases}  # the title finds the entry by these already
        keywords = [w for w in vocabulary.extra(body, words_of[body]) if w not in title_words]
        for name, words in ((TITLE_FIELD, aliases), (TEXT_FIELD, keywords)):
            stats.keywords += len(words)
            if words:
                doc[name] = " ".join(words)

    config = data.setdefault("config", {})
    config["lang"] = [LANG]
    config["separator"] = SEPARATOR
    config["pipeline"] = list(PIPELINE)
    fields = config.setdefault("fields", {})
    title_boost = fields.get("title", {}).get("boost", 1e3)
    fields.setdefault(TITLE_FIELD, {"boost": title_boost / 2})
    fields.setdefault(TEXT_FIELD, {"boost": fields.get("text", {}).get("boost", 1.0)})
    # A page's tags find the page, once, as its title's other words do: Material gave every section
    # of it the tags, at a boost (1e6) that ranked each section above a page titled with the word.
    for doc in docs:
        if "#" in doc.get("location", ""):
            doc.pop("tags", None)
    if fields.get("tags") == _MATERIAL_TAGS_FIELD:  # (not one mkdocs.yml sets)
        fields["tags"] = {"boost": title_boost / 2}
    return data, stats


class _Vocabulary:
    """The vault's Chinese words, bilingual terms and English word forms; what else finds a text.

    A vault repeats its texts, runs of Chinese and words: what they give is worked out once each
    and kept (the vocabulary never changes once learnt, so nothing kept goes stale).
    """

    def __init__(self, entries: Iterable[tuple[str, str]], cut_for_search):
        """Learn the vault's entries, each a title and a text as Material cut them (Chinese words
        joined by U+200B)."""
        cut = lru_cache(maxsize=1 << 16)(lambda run: tuple(cut_for_search(run)))
        self.chinese: set[str] = set()
        runs: set[str] = set()
        english: set[str] = set()
        pairs: dict[tuple[str, str], None] = {}
        # Each entry once (one seen before teaches nothing new), its title and text a line apart:
        # no run of Chinese, English word or term spans a line break. One entry at a time, so that
        # no copy of the vault's texts is kept.
        for title, body in dict.fromkeys(entries):
            text = f"{title}\n{body}"
            self.chinese.update(w for w in _HAN_RUN.findall(text) if len(w) > 1)  # Material's words
            text = text.replace("\u200b", "")
            runs.update(_HAN_RUN.findall(text))
            english.update(_ENGLISH.findall(text))
            pairs.update(dict.fromkeys(bilingual_pairs(text)))
        for run in runs:
            self.chinese.update(w for w in cut(run) if len(w) > 1)
        self.forms: dict[str, set[str]] = defaultdict(set)
        for word in {word.lower() for word in english} - _STOP:
            self.forms[_stem(word)].add(word)
        # The bilingual terms in the order the texts write them, each once.
        self.pairs = list(pairs)
        self.zh_to_en: dict[str, set[str]] = defaultdict(set)
        self.en_to_zh: dict[str, set[str]] = defaultdict(set)
        for zh, en in self.pairs:
            self.zh_to_en[zh].add(en)
            self.en_to_zh[en].add(zh)
            self.chinese.add(zh)

        # The learnt Chinese terms by their order; the English ones by their longest word (the
        # likeliest to be rare), each with its order, all its words and the words it is written
        # with; the beginnings (two characters or more) of the vault's Chinese words.
        self._zh_order = {zh: i for i, zh in enumerate(self.zh_to_en)}
        self._key_words: dict[str, list[tuple[int, str, frozenset[str], list[str]]]] = defaultdict(list)
        for i, en in enumerate(self.en_to_zh):
            parts = _ALNUM.findall(en)
            self._key_words[max(parts, key=len)].append((i, en, frozenset(parts), en.split()))
        self._starts = {w[:k] for w in self.chinese for k in range(2, len(w) + 1)}
        # The vault's other forms of each English word (lower case) that has any, sorted.
        self._other_forms = {word: tuple(sorted(forms - {word}))
                             for forms in self.forms.values() if len(forms) > 1 for word in forms}
        # What a mention of a term adds: its names in the other language, the Chinese ones with
        # their sub-words (jieba cuts a term, all Chinese, into pieces of it).
        self._english_words = {zh: tuple(dict.fromkeys(t for en in sorted(ens) for t in _SEPARATOR.split(en) if t))
                               for zh, ens in self.zh_to_en.items()}
        self._chinese_words = {en: tuple(dict.fromkeys(w for zh in sorted(zhs)
                                                       for w in (zh, *cut(zh)) if len(w) > 1))
                               for en, zhs in self.en_to_zh.items()}
        # What each text, run of Chinese and term gives; filled as they are met.
        self._text_words: dict[str, list[str]] = {}
        self._run_words: dict[str, dict[str, None]] = {}
        self._joined = lru_cache(maxsize=1 << 16)(self._join)

    def join_terms(self, segmented: str) -> str:
        """`segmented` (Material's cut: Chinese words joined by U+200B) with the words that make up
        one of the vault's longer words joined into it, as a query is cut (lunr.vaultsite.js):
        jieba cut 多层感知机 into 多层 and 感知机, a query for it is the one word 多层感知机.

        With both titles holding the word 感知机, Lunr scored a page titled 感知机 and one titled
        多层感知机 alike for it (Material has Lunr leave the length of a title out of its score);
        now the second holds 感知机 only as a sub-word, in `aliases`.
        """
        return _HAN_WORDS.sub(lambda m: self._joined(m.group()), segmented)

    def _join(self, segmented: str) -> str:
        """Material's words of a run of Chinese (joined by U+200B), each longest run of them that
        makes one of the vault's words joined, from the left."""
        words = segmented.split("\u200b")
        joined = []
        i = 0
        while i < len(words):
            j, word = i + 1, words[i]
            for k in range(i + 2, len(words) + 1):
                longer = "".join(words[i:k])
                if len(longer) > _LONGEST or longer not in self._starts:
                    break
                if longer in self.chinese:
                    j, word = k, longer
            joined.append(word)
            i = j
        return "\u200b".join(joined)

    def learn_texts(self, own_words: dict[str, tuple[str, ...]], workers: int) -> None:
        """Work out `extra` of each text (as Material cut it, with its own words) at once, on up
        to `workers` processes."""
        texts = list(own_words)
        found = parallel.map_ordered(lambda text: self.extra(text, own_words[text]), texts, workers)
        self._text_words.update(zip(texts, found))

    def extra(self, segmented: str, own: Iterable[str]) -> list[str]:
        """Words a query may use for a text (as Material cut it) that are not among its `own`
        words (`tokens` of it), in a stable order. The list is kept: the caller must not change it."""
        if segmented not in self._text_words:
            own = set(own)
            self._text_words[segmented] = [w for w in self._words_for(segmented.replace("\u200b", ""))
                                           if w not in own]
        return self._text_words[segmented]

    def _words_for(self, text: str) -> list[str]:
        """The words a query may use for `text`, its own among them, in a stable order."""
        extra: dict[str, None] = {}
        for run in dict.fromkeys(_HAN_RUN.findall(text)):  # a run again adds no word
            extra.update(self._words_in(run))
        # The Chinese terms the text holds: each is one of the vault's Chinese words, so among these.
        terms = extra.keys() & self._english_words.keys()
        for word in sorted(set(map(str.lower, _ENGLISH.findall(text))) & self._other_forms.keys()):
            extra.update(dict.fromkeys(self._other_forms[word]))
        # The terms the text mentions, in the order they were learnt; only the few that can occur
        # in it are tested, so the cost of an entry does not grow with the vault's count of terms.
        for zh in sorted(terms, key=self._zh_order.__getitem__):
            extra.update(dict.fromkeys(self._english_words[zh]))
        folded = _fold(text)
        words = set(_ALNUM.findall(folded))
        # A term is mentioned only where each of its words is a word of the text.
        for _, en, parts, written in sorted(c for w in words & self._key_words.keys() for c in self._key_words[w]):
            if parts <= words and _mentions(folded, written):
                extra.update(dict.fromkeys(self._chinese_words[en]))
        # Each word is whole for Lunr already (Chinese, ASCII letters, or cut by `tokens`): none
        # holds a separator.
        return [w for w in extra if w not in _STOP]

    def _words_in(self, run: str) -> dict[str, None]:
        """Every word of the vault's Chinese a run of Chinese holds, by where it starts and ends.

        More than jieba's search mode finds: a query is cut into the vault's words, so 反向传播
        finds 反向​传播 wherever it was cut. A character alone is in Material's words already
        wherever it stands as a word.
        """
        if run not in self._run_words:
            found: dict[str, None] = {}
            for i in range(len(run) - 1):
                for j in range(i + 2, min(len(run), i + _LONGEST) + 1):
                    if run[i:j] not in self._starts:
                        break  # no longer word of the vault starts so
                    if run[i:j] in self.chinese:
                        found[run[i:j]] = None
            self._run_words[run] = found
        return self._run_words[run]


def _mentions(folded: str, words: list[str]) -> bool:
    r"""Whether a _fold-ed text mentions a term, written as `words` (lower case, each starting with a
    letter): the words in order, apart only by characters that are not letters, digits or `_`
    (regex `\W`), with no ASCII letter or digit just before or after.

    That is a search for `(?<![a-z0-9])word\W+word…(?![a-z0-9])`; a vault has thousands of terms,
    and compiling a regex for each took longer than all the searches.
    """
    first, *rest = words
    start = folded.find(first)
    while start >= 0:
        if start == 0 or folded[start - 1] not in _ASCII_ALNUM:
            end = start + len(first)
            for word in rest:
                # All of the gap: the word after it starts with a letter, so no shorter gap fits.
                gap = _GAP.match(folded, end)
                if not gap or not folded.startswith(word, gap.end()):
                    break
                end = gap.end() + len(word)
            else:
                if end == len(folded) or folded[end] not in _ASCII_ALNUM:
                    return True
        start = folded.find(first, start + 1)
    return False


def dumps(data: dict) -> str:
    """The index as compact UTF-8 JSON (Material writes it ASCII-escaped)."""
    return "".join(_json_pieces(data))


def _json_pieces(data: dict) -> Iterator[str]:
    """dumps(data) in pieces, an entry of `docs` each. Written a piece at a time: the whole text,
    and the pieces json.dumps joins into it, took more memory than all the rest of the rewrite."""
    yield "{"
    for i, (key, value) in enumerate(data.items()):
        yield f"{',' if i else ''}{_JSON.encode(key)}:"
        if key == "docs":
            yield "["
            for j, doc in enumerate(value):
                yield f"{',' if j else ''}{_JSON.encode(doc)}"
            yield "]"
        else:
            yield _JSON.encode(value)
    yield "}"


def setup(extra_javascript: list, extra_css: list, cache_dir: Path) -> None:
    """Load our script and stylesheet on every page; keep jieba's cache in `cache_dir` (a folder
    the plugin has made); have Material's search plugin read each page as `readable` has it.

    jieba writes its dictionary cache to the temp folder unless told otherwise; the build writes
    nothing outside the project. Material's search plugin cuts with the same jieba, later. It
    parses each page with the `Parser` of its module, looked up for each page: on every core, in
    `mkdocs build` and `mkdocs serve`, and whichever plugin asks it to index a page.
    """
    import jieba

    material_search.Parser = _PageParser

    jieba.dt.tmp_dir = str(cache_dir)
    jieba.setLogLevel(logging.WARNING)
    if JS not in extra_javascript:
        extra_javascript.append(JS)
    if CSS not in extra_css:
        extra_css.append(CSS)


def rewrite(data: dict, workers: int = 1) -> tuple[Iterator[str], Stats]:
    """Material's index (parsed) rewritten with jieba's search mode: the text in pieces (see
    _json_pieces), and what changed."""
    import jieba  # only where there is an index to rewrite: its dictionary takes a second to load

    data, stats = rewrite_index(data, jieba.cut_for_search, workers)
    return _json_pieces(data), stats


@dataclass
class Rewritten:
    """An index rewritten ahead, before Material writes it: the index as Material writes it, and
    the file beside it that holds the rewrite."""
    material: str
    path: Path
    stats: Stats


def rewrite_ahead(material: str, site_dir: str | Path) -> Rewritten:
    """`material`, the index as Material will write it into `site_dir`, rewritten into a file
    beside it, for update_site."""
    path = _index_path(site_dir).with_name("search_index.json.ahead")
    path.parent.mkdir(parents=True, exist_ok=True)
    pieces, stats = rewrite(json.loads(material))
    _write(path, pieces)
    return Rewritten(material, path, stats)


def update_site(site_dir: str | Path, workers: int = 1, ahead: Rewritten | None = None) -> Stats | None:
    """Copy our script and stylesheet into `site_dir`; rewrite its search/search_index.json (where
    it is the index `ahead` was rewritten from, that rewrite is taken).

    Returns None where there is no index (the search plugin is off).
    """
    site = Path(site_dir)
    for target, name in _SITE_FILES.items():
        (site / target).parent.mkdir(parents=True, exist_ok=True)
        (site / target).write_bytes((ASSETS / name).read_bytes())
    path = _index_path(site)
    material = path.read_bytes() if path.is_file() else None
    if ahead is not None and material == ahead.material.encode():
        ahead.path.replace(path)
        stats = ahead.stats
    else:
        if ahead is not None:
            ahead.path.unlink(missing_ok=True)
        if material is None:
            return None
        pieces, stats = rewrite(json.loads(material), workers)
        _write(path, pieces)
    stats.bytes_before, stats.bytes_after = len(material), path.stat().st_size
    return stats


def _index_path(site_dir: str | Path) -> Path:
    return Path(site_dir) / "search" / "search_index.json"


def _write(path: Path, pieces: Iterable[str]) -> None:
    # Beside it first: a write that fails half-way leaves what was there as it was.
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as file:
            file.writelines(pieces)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
