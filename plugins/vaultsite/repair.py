"""Repair mojibake, including the lossy kind, without ever touching clean text.

How text gets damaged: its UTF-8 bytes are read through a Windows code page (1252 or a sibling:
1250, 1251, 1253, 1254, 1257; or Latin-1, MacRoman), so each byte of a multi-byte character shows
as one character of that page ("学" -> "å­¦").  Bytes the page leaves undefined, and the invisible
soft hyphen 0xAD, are then dropped, so the damage is lossy ("学" -> "å¦"): the bytes can no longer
be read back, and a lost byte has to be rebuilt.

How it is repaired (:func:`repair_text`):

1. Fast path.  Every mojibake character sequence starts with a character that stands for a UTF-8
   lead byte (0xC2..0xF4) in one of those code pages.  Text without one is returned at once: this
   covers nearly all clean notes (CJK, emoji, English with curly quotes) at the cost of one regex.
2. Code page.  The text outside code spans and fenced code blocks is split into *runs*: maximal
   sequences of characters that stand for bytes 0x80..0xFF in a code page.  The page whose runs
   hold the most well-formed UTF-8 continuations is the one the text went through (ties share
   their lost-byte sets); runs that spell a word surely clean (Cyrillic words spell cp1251's
   structure all the time: "ріст" is F0 B3 F1 F2) don't count.  Text with no well-formed sequence
   is clean.  In a text mostly damaged, a line that shows it was written or pasted clean (a
   character the page cannot spell, a word of one script, code-page characters that are all
   continuation bytes: "“", "—") and spells structure only in words surely clean is left alone.
3. Candidates.  Each run's bytes are cut at their lead bytes into *slots*, one per original
   character.  A slot with all its continuation bytes decodes to one character; a slot that is
   short of k bytes gets every way of putting k lost byte values back (any position, any value the
   code page loses), and keeps the ones that decode to an assigned character: 1 to ~60 candidates.
   Bytes that fit no slot (a clean "—" beside a damaged run) stay as they are.
4. Joint choice.  A run is decided as a whole by a Viterbi search over its candidate lattice,
   widened by the letters around it, scoring words and characters with :mod:`vaultsite.langmodel`
   (jieba and wordfreq frequencies, Chinese character pairs, emoji grammar, and the vocabulary of
   the vault's other notes when given as ``context``).  Each rebuilt byte costs a little, each
   intact multi-byte sequence is evidence for repair, and so is a lead character standing alone
   that leads complete sequences elsewhere in a damaged text.  A bracket or quote that the line (as
   repaired so far, and the brackets intact after it) leaves unbalanced favours its other half, and
   a run that guessed one is read again with its first reading as the line; an emoji whose English
   name the line has just said ("a rainbow 🌈", "a coffee ☕") is favoured, and so is a candidate
   of the kind (script, notation, emoji) of the intact or repaired characters near it on its line;
   a mathematical operator without its operands ("^∈", "→ ∈.", "√ e") is not, and "、" or "，"
   never opens a line.
   The run is replaced only when the best repair scores better than the text as it stands, which is
   what keeps clean Turkish, Greek or Portuguese words ("doğru", "NÃO") as they are; in a mostly
   clean text, a run that spells a word of one script, cased as words are, must be beaten by far
   (Cyrillic is full of lead and continuation bytes of cp1251: "вії", "её" is a damaged "席").
5. Japanese and Korean.  Word frequencies cannot tell "飲みました" from "飲みましが"; a run in
   either language is read again one character at a time, each of its likeliest candidates
   scored by the model and by the sentence score of the language's analyser
   (:mod:`vaultsite.morphology`) over the text around it.

UTF-8 read as GBK (Windows' Chinese code page 936: "你好" -> "浣犲ソ") is the same repair with
two bytes to a character: a run of characters GBK spells is taken back to its bytes, each U+FFFD
a byte lost (GBK pairs a byte with nothing: before a newline or a space, 0x80, its user-defined
rows), which can be any value GBK cannot pair with the byte after it.  UTF-8 read as Shift-JIS
(the Japanese page 932: "文字化け" -> "譁�蟄怜喧縺�") is repaired alike; a byte it reads alone
(half-width katakana) is no lost byte, and the page whose runs spell the most sequences is the
one the text went through.  Korean read so loses most of its bytes and is left.

Clean Chinese read as GBK spells UTF-8 sequences far more often than clean text through a
single-byte page does (a two-byte one all the time, "系统" as "ϵͳ"; four three-byte ones in a row
now and then, "陽光對於快樂"), and so does clean Japanese read as Shift-JIS ("わざわざ"), so the
evidence counts for less: a text is damaged as a whole where half its bytes are three-byte
sequences (eight at least), and in a mostly clean text only a run with a chain of four, most of
its bytes in sequences, whose repair is far likelier, is damage.  Damaged European text alone,
whose two-byte sequences clean Cyrillic and Greek spell too, is not found.

A text in the encoding of a Chinese, Japanese or Korean Windows (GBK, Big5, Shift-JIS, cp949)
that a tool read through a single-byte code page ("你好" in GBK through cp1252: "ÄãºÃ") holds its
bytes as they were, but they are no UTF-8, and the repair above reads them as damage with bytes
lost.  Each of its lines that one page spells is read as each of those encodings.  A line is
evidence where its reading is far likelier than its UTF-8 repair, and is East Asian text of
common characters (clean Icelandic or Vietnamese, and UTF-8 Hebrew, read as GBK or Big5 spell
rare ideographs: "staðsett" is "sta餾ett"); the page and encoding with the most evidence read the
text: in a text damaged so as a whole, every line they read likelier, else only the lines of
evidence.  Bytes such a page lost are not rebuilt.

Text damaged twice (read through a code page, saved, and read through one again) is repaired a
layer at a time, up to three: its first repair gives back the characters a page spells bytes with
that no author writes (C1 controls, as Latin-1 or Windows keep them), which the next reads as those
bytes.  Only a text damaged as a whole has another layer: in the repair of a mostly clean one,
mojibake is what its author quoted.

A damaged copy of a note the ``context`` holds (a sync client's or an export's copy) skips steps
3 to 5: the context note that, damaged the same way, gives the text byte for byte is its repair.

:func:`repair_bytes` first decodes bytes: UTF-8 (with or without BOM), else the legacy encoding
that charset-normalizer detects (GBK, Big5, cp1252, ...).
"""

from __future__ import annotations

import codecs
import itertools
import math
import os
import re
import unicodedata
from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

import charset_normalizer
from charset_normalizer.utils import is_multi_byte_encoding
from markdown_it import MarkdownIt

from vaultsite.langmodel import (
    LanguageModel,
    default_model,
    emoji_name_words,
    follower_class,
    is_emoji,
    pair_score,
)
from vaultsite.morphology import sentence_score

# Code pages in order of preference when two explain the text equally well.
CODE_PAGES = ("cp1252", "cp1254", "cp1250", "cp1251", "cp1253", "cp1257", "latin-1", "mac_roman")

# Each intact multi-byte sequence is strong evidence that a run is mojibake (clean text seldom
# spells well-formed UTF-8 by chance); each rebuilt byte is a guess and costs a little.
_INTACT_BONUS = 6.0
_REBUILT_COST = 2.0
# In a text that is mostly damaged, a code-page character left as it stands is unlikely.
_KEEP_COST = 6.0
# In such a text, a lead character without its continuations that leads complete sequences
# elsewhere is another damaged character more likely than a clean one.
_LONE_LEAD_COST = 8.0
# How much better than a plausible word of a mostly clean text its repair must score.
_PLAUSIBLE_WORD = 20.0
# Each token (word or single character) costs this much, so that known words beat strings of
# frequent single characters ("亲授" over "亲成").
_TOKEN_COST = 3.0
# A rebuilt stretch of a damaged run is a guess for its author to check where another reading of
# it is at least a fiftieth as likely as the one chosen (in the corpus and dev texts damaged the
# lossy way, most characters the repair gets wrong are in such guesses; a twentieth leaves out a
# third of them through cp1253).
_GUESS_MARGIN = 4.0
_GUESS_SHOWN = 2  # characters of its run shown either side of a guess
# The fillings of a hole (a byte a strict reading lost) scored by words, of those likeliest by
# their characters.
_HOLE_OPTIONS = 48
# A candidate the text holds intact elsewhere is likelier; so is one half of a bracket pair whose
# other half is on the same line.
_SEEN_BONUS = 3.0
_PAIRS = "()[]{}（）【】《》「」『』〈〉〔〕“”‘’«»"
_PAIRED = frozenset(_PAIRS)
# An unbalanced bracket on a line is strong evidence: the damaged character is its other half.
_PAIRED_BONUS = 5.0
# How much less likely a line is with a bracket left open (or closed without opening) on it.
_UNBALANCED_COST = 10.0
_BALANCE_PLACES = 4  # the characters tried as the missing half, at most
# An emoji whose name the line has just said is much likelier than one the words only allow.
_NAMED_BONUS = 8.0
# How far back on its line an emoji's name may be said.
_NAME_REACH = 40
# A candidate of the kind of an intact or repaired character near it on its line ("⊆" among "≤"
# and "∈", not "☆"; a kana among ideographs, not a "㈯") is likelier: a line keeps to a few kinds
# at a time.
_KIND_BONUS = 4.0
_KIND_REACH = 24
_SCRIPT_REACH = 240  # and of those whose script (Traditional or Simplified Chinese) it is written in
# Layers of mojibake repaired at most (text read through a code page twice, or three times).
_LAYERS = 3
# A layer under another is damage as a whole: this share of its non-ASCII characters at least
# stand for bytes of UTF-8 sequences (quoted mojibake in the repair of a mostly clean text does not).
_WHOLE = 0.75
# How far along its line either side a run looks: for the other half of a bracket, and for what
# stands before it (a long paragraph is one line).
_LINE_REACH = 400
# Letters either side of a run that join its words (a damaged "í" inside "días").
_CONTEXT_CHARS = 8


_UTF8 = ("utf-8", "utf-8-sig", "ascii")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Guess:
    """Rebuilt characters of a repair, at ``line`` and ``column`` (from 1) of the repaired text,
    that another reading, ``alternative``, would make about as likely: lost bytes leave the model
    more than one sentence to choose from.  ``around`` is the repaired text either side, so that a
    person finds them."""

    line: int
    column: int
    text: str
    alternative: str
    around: tuple[str, str] = ("", "")

    @classmethod
    def of(cls, line: int, column: int, text: str, start: int, end: int, other: str) -> Guess:
        """The guess of ``other`` for ``text[start:end]``, which stands at ``column`` of ``line``,
        shown with the characters of ``text`` either side."""
        around = (text[max(0, start - _GUESS_SHOWN) : start], text[end : end + _GUESS_SHOWN])
        return cls(line, column, text[start:end], other, around)

    def __str__(self) -> str:
        before, after = self.around
        return f'{self.line}:{self.column}: "{before}{self.text}{after}" may be "{before}{self.alternative}{after}"'

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "text": self.text, "alternative": self.alternative}


@dataclass(frozen=True)
class RepairResult:
    """What :func:`repair_text` or :func:`repair_bytes` did to one text."""

    text: str
    encoding: str = "utf-8"
    runs: int = 0
    chars_changed: int = 0
    rebuilt_bytes: int = 0
    lines: tuple[int, ...] = ()
    # The code page each layer of the damage read its bytes through ("cp1254", "gbk"), the outermost
    # first.
    damage: tuple[str, ...] = ()
    # What the innermost layer's bytes were: UTF-8, or the East Asian encoding of a text that a
    # single-byte code page read ("gbk": "你好" read as cp1252 is "ÄãºÃ").
    written_in: str = "UTF-8"
    # Rebuilt words that another reading would make about as likely: for the author to check.
    guesses: tuple[Guess, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the text differs from a UTF-8 reading: repaired, or decoded from a legacy
        encoding (a UTF-8 byte-order mark alone is no change)."""
        return self.runs > 0 or self.encoding not in _UTF8

    def summary(self) -> str:
        """One line for a person, e.g. "repaired 197 mojibake runs on 40 lines (...)"."""
        parts = []
        if self.encoding not in _UTF8:
            parts.append(f"decoded from {self.encoding}")
        if self.runs:
            read = f"{self.written_in} read as {', then as '.join(reversed(self.damage))}; " if self.damage else ""
            lost = f"rebuilt {self.rebuilt_bytes} lost byte{'s' * (self.rebuilt_bytes != 1)}"
            if self.guesses:
                lost += f"; {len(self.guesses)} guessed word{'s' * (len(self.guesses) != 1)} to check"
            parts.append(
                f"repaired {self.runs} mojibake run{'s' * (self.runs != 1)} on {_line_list(self.lines)} ({read}{lost})"
            )
        return "; ".join(parts) or "no repair needed"

    def to_dict(self) -> dict[str, object]:
        """The counts, JSON-able, for the build report (without the text)."""
        return {
            "encoding": self.encoding,
            "runs": self.runs,
            "chars_changed": self.chars_changed,
            "rebuilt_bytes": self.rebuilt_bytes,
            "lines": list(self.lines),
            "damage": list(self.damage),
            # What the damaged bytes were written in; nothing where no code page read them.
            "written_in": self.written_in if self.damage else None,
            "guesses": [guess.to_dict() for guess in self.guesses],
        }


def _line_list(lines: Sequence[int], shown: int = 8) -> str:
    """"line 3", "lines 3, 5–7", or "40 lines: 1–12, 15, …": where a person checks the repair."""
    ranges: list[list[int]] = []
    for line in lines:
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1][1] = line
        else:
            ranges.append([line, line])
    named = ", ".join(f"{first}–{last}" if last > first else str(first) for first, last in ranges[:shown])
    if len(ranges) > shown:
        return f"{len(lines)} lines: {named}, …"
    return f"line{'s' * (len(lines) != 1)} {named}"


class Context:
    """The clean notes that a build's notes are repaired against: a damaged copy of one of them
    is found by its ASCII characters (the damage keeps them), and their vocabulary joins the
    language model. Each part is made when a note first needs it, once for all of them; it is
    gone when the caller drops the context (the vocabulary of a large vault is large)."""

    def __init__(self, notes: Sequence[str] = ()):
        self.notes = notes
        self._read_as: dict[str, dict[str, str]] = {}
        self._versions: dict[bytes, LanguageModel] = {}

    @cached_property
    def by_ascii(self) -> dict[bytes, list[str]]:
        index: dict[bytes, list[str]] = {}
        for note in self.notes:
            index.setdefault(note.encode("ascii", "ignore"), []).append(note)
        return index

    def read_as(self, codec: str) -> dict[str, str]:
        """The notes by their UTF-8 read as ``codec``, GBK or Shift-JIS (a pair takes in an ASCII
        character now and then, so their ASCII characters cannot find them)."""
        if codec not in self._read_as:
            self._read_as[codec] = {
                note.encode("utf-8", "replace").decode(codec, "replace"): note for note in self.notes if not note.isascii()
            }
        return self._read_as[codec]

    @cached_property
    def model(self) -> LanguageModel:
        base = default_model()
        return base.with_context(self.notes) if self.notes else base

    def model_for(self, text: str) -> LanguageModel:
        """The model to repair ``text`` with: the vault's; or where notes are other versions of
        it, with the same ASCII text (an edit of its non-ASCII text, or a copy that lacks a
        character its damage kept), theirs, which say better than the vault what it says.  The
        ASCII text must be some: Chinese notes laid out alike ("# …\n\n…") share theirs."""
        key = text.encode("ascii", "ignore")
        versions = self.by_ascii.get(key)
        if not versions or sum(1 for byte in key if chr(byte).isalnum()) < _VERSION_ASCII:
            return self.model
        if key not in self._versions:
            self._versions[key] = default_model().with_versions(versions)
        return self._versions[key]


# Letters and digits that a note's ASCII text must have for notes with the same to be its versions.
_VERSION_ASCII = 100
# Git's test for binary data looks for a NUL byte this far into a file.
_BINARY_PROBE = 8000
# Bytes of a note in a legacy encoding that the language model reads to tell which encoding.
_DETECTION_SAMPLE = 4000
# The East Asian encodings a note may be in besides those the detector guesses: Chinese
# (Simplified, Traditional), Japanese, Korean.
_EAST_ASIAN = ("gb18030", "big5", "cp932", "cp949")
# The Windows code pages a Western note may be in, besides those the detector guesses.
_WINDOWS = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257")
# How much likelier (natural log) an East Asian reading of a note must be than its reading as
# UTF-8 or through a single-byte page to win over them.
_EAST_ASIAN_MARGIN = 5.0


def repair_bytes(data: bytes, context: Context | Sequence[str] = ()) -> RepairResult:
    """Decode ``data`` (UTF-8, UTF-8 with BOM, else a detected legacy encoding), then repair it."""
    text, encoding = decode(data)
    result = repair_text(text, context)
    return replace(result, encoding=encoding)


def without_nul_bytes(data: bytes) -> tuple[bytes | None, int]:
    """A note's bytes with the NUL bytes that no text holds taken out, and the line of the first
    (0 if none); None for binary data, told as git tells it (a NUL among the first 8,000 bytes).
    UTF-16 and UTF-32 (Notepad's "Unicode") hold NULs in their characters: theirs are no loss."""
    nul = data.find(b"\0")
    if nul < 0 or _wide_encoding(data):
        return data, 0
    line = data.count(b"\n", 0, nul) + 1
    return (None if nul < _BINARY_PROBE else data.replace(b"\0", b"")), line


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        # A byte-order mark says UTF-8, and a Windows tool's bytes may follow it all the same.
        text, encoding = decode(data[len(codecs.BOM_UTF8) :])
        return text, "utf-8-sig" if encoding == "utf-8" else encoding
    if b"\x1b" in data and (escaped := _escaped_reading(data)):
        return escaped
    if wide := _wide_encoding(data):
        return data.decode(wide).removeprefix("\ufeff"), wide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # A note without NUL bytes is no UTF-16 or UTF-32, whatever the detector guesses.
    guesses = [match.encoding for match in charset_normalizer.from_bytes(data) if not match.encoding.startswith("utf_")]
    # The detector's first guess is often wrong for a short note (GBK's "今天天气不错。" as Korean,
    # German "über" as Big5), and it may not guess the right one at all (Big5 for "謝謝。"): the
    # readings compared are its guesses and the common encodings, each where it reads every byte,
    # of the lines with non-ASCII bytes, as far as a sample goes.
    sample = b"\n".join(line for line in data.split(b"\n") if not line.isascii())[:_DETECTION_SAMPLE]
    model = default_model()
    # Of the East Asian encodings, the reading the language model finds likeliest.
    east_asian = max(
        _decoding(data, [name for name in guesses if is_multi_byte_encoding(name)] + list(_EAST_ASIAN)),
        key=lambda name: _reading_score(model, sample.decode(name, errors="replace")),
        default=None,
    )
    # Against it, UTF-8 with a Windows tool's bytes, or of the single-byte pages the reading with
    # the most letters in known words (French as cp1250 is "jusqu'ŕ"; the model, which sums its
    # scores by character, would take "Donít" for "Don’t") and of a Windows tool's typography
    # (see _western_score); of as many, the detector's first guess, then Windows' pages, most used
    # first (it may guess none: German "über" as Big5 only).
    single_byte = _decoding(data, [name for name in guesses if not is_multi_byte_encoding(name)] + list(_WINDOWS))
    if mixed := _utf8_with_stray_bytes(data):
        (text, encoding), read = mixed, _utf8_with_stray_bytes(sample)
        western = read[0] if read else sample.decode("utf-8", errors="replace")
    elif legacy_lines := _utf8_with_legacy_lines(data, model):
        return legacy_lines
    elif single_byte:
        encoding = max(single_byte, key=lambda name: _western_score(model, sample.decode(name, errors="replace")))
        text, western = data.decode(encoding), sample.decode(encoding, errors="replace")
    elif east_asian is None:  # hopeless: keep every byte visible as U+FFFD rather than fail
        return data.decode("utf-8", errors="replace"), "utf-8"
    else:
        return _without_mark(data.decode(east_asian)), east_asian
    if east_asian is not None and _likelier_east_asian(model, sample.decode(east_asian, errors="replace"), western):
        return _without_mark(data.decode(east_asian)), east_asian
    return text, encoding


# Byte-order marks of the encodings whose characters are two or four bytes, UTF-32's first: its
# little-endian mark starts as UTF-16's does.
_WIDE_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
               (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 where ``data`` is in one: by its byte-order mark, which Windows writes
    (Notepad's "Unicode"), or, without one, by UTF-16's NUL in every other byte of text that is
    mostly ASCII (and in no byte between); None where it does not read so."""
    found = next((name for mark, name in _WIDE_MARKS if data.startswith(mark)), None)
    if found is None and data and len(data) % 2 == 0:  # (an empty note is none)
        probe = data[:_BINARY_PROBE]
        for name, high, low in (("utf-16-le", probe[1::2], probe[::2]), ("utf-16-be", probe[::2], probe[1::2])):
            if b"\0" not in low and high.count(0) >= len(high) / 2:
                found = name
    if found is None:
        return None
    try:
        data.decode(found)
    except UnicodeDecodeError:
        return None
    return found


def _escaped_reading(data: bytes) -> tuple[str, str] | None:
    """``data`` read as one of mail's encodings of Japanese and Korean, where it is one: 7-bit, so
    it reads as ASCII ("\x1b$B2q5D" for "会議"), but with escape sequences that switch to a
    double-byte set, and back to ASCII before each line ends (as RFC 1468 and 1557 have it; a vim
    macro's "<Esc>$B" does not). Read so, it holds no control character but a line's; a terminal's
    colour codes ("\x1b[31m") are none of these."""
    if not _TO_DOUBLE_BYTE.search(data) and b"\x0e" not in data:
        return None
    for line in data.split(b"\n"):
        if _last(_TO_DOUBLE_BYTE, line) > _last(_TO_ASCII, line) or line.rfind(b"\x0e") > line.rfind(b"\x0f"):
            return None
    for encoding in _ESCAPED:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text.isascii() and not _CONTROLS.search(text):
            return text, encoding
    return None


def _last(pattern: re.Pattern[bytes], line: bytes) -> int:
    """Where the last match of ``pattern`` in ``line`` starts (-1 for none)."""
    return max((match.start() for match in pattern.finditer(line)), default=-1)


# The first readable wins: ISO-2022-JP-2 and -2004 extend ISO-2022-JP's sets; Python's
# "iso2022_jp_ext" alone reads half-width katakana ("\x1b(I").
_ESCAPED = ("iso2022_jp", "iso2022_kr", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_ext")
_TO_DOUBLE_BYTE = re.compile(rb"\x1b\$(?:[@AB]|\([A-Z])|\x1b\(I")  # Korean's "\x1b$)C" only names its set
_TO_ASCII = re.compile(rb"\x1b\([BJ]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_mark(text: str) -> str:
    """``text`` without the byte-order mark it may open with (GB18030 has one, as UTF-8 has)."""
    return text.removeprefix("\ufeff")


def _likelier_east_asian(model: LanguageModel, reading: str, western: str) -> bool:
    """Whether an East Asian ``reading`` of a note's bytes is far likelier than a ``western`` one
    ("über", not "黚er"; "用Python写API", not "УГPythonРґAPI"). A Western reading whose only
    characters beyond ASCII are typography ("Don’t" and "“quoted”", where the model would take
    "Don稚") is no mojibake; "Git√·GitHub" is."""
    if all(char.isascii() or char in _TYPOGRAPHY for char in western):
        return False
    return _reading_score(model, reading) > _reading_score(model, western) + _EAST_ASIAN_MARGIN


def _decoding(data: bytes, encodings: list[str]) -> list[str]:
    """Those of ``encodings`` that read every byte of ``data``, each codec once, in order; of
    those that keep ASCII as it is (no note is EBCDIC, which the detector guesses for "“Hello”")."""
    found: dict[str, str] = {}
    for encoding in encodings:
        try:
            data.decode(encoding)
            if _ASCII.decode(encoding) != _ASCII.decode("ascii"):
                continue
        except UnicodeDecodeError:
            continue
        found.setdefault(codecs.lookup(encoding).name, encoding)
    return list(found.values())


def _reading_score(model: LanguageModel, text: str) -> float:
    """How likely a legacy encoding's reading of a note is; a Traditional Chinese one (Big5's)
    is read with its words looked up in Simplified characters too, as a repair reads it."""
    return _fixed_score(model.traditional() if model.writes_traditional(text) else model, text)


def _utf8_with_stray_bytes(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few bytes that are not (a line typed or pasted in a Windows tool: "caf\xe9"),
    each read through cp1252 instead of lost; None where the bytes are mostly not UTF-8. A legacy
    encoding's bytes spell valid UTF-8 now and then (a tenth of GBK's characters do), far less
    often than they do not."""
    text = data.decode("utf-8", errors="surrogateescape")
    stray = _STRAY_BYTES.findall(text)
    valid = sum(1 for char in text if char > "\x7f") - sum(map(len, stray))
    if valid < 2 * sum(map(len, stray)):
        return None
    lines = sorted({text.count("\n", 0, match.start()) + 1 for match in _STRAY_BYTES.finditer(text)})
    text = _STRAY_BYTES.sub(lambda m: m.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace"), text)
    return text, f"utf-8 with cp1252 on line{'s' * (len(lines) > 1)} {', '.join(map(str, lines[:5]))}"


_STRAY_BYTES = re.compile("[\udc80-\udcff]+")


def _utf8_with_legacy_lines(data: bytes, model: LanguageModel) -> tuple[str, str] | None:
    """UTF-8 with whole lines in a legacy encoding (a line typed or pasted in a tool on a Chinese
    Windows, appended in GBK), each read in it; None where the lines that are UTF-8 read likelier
    in that encoding too (a GBK note's "学习" spells UTF-8's "ѧϰ"), or no line is. (A few bytes of
    a Windows page among UTF-8 are _utf8_with_stray_bytes's: a short line alone reads as anything.)"""
    lines = data.split(b"\n")
    legacy = [i for i, line in enumerate(lines) if not _is_utf8(line)]
    utf8 = b"\n".join(line for line in lines if not line.isascii() and _is_utf8(line))
    if not legacy or not utf8:
        return None
    _, encoding = decode(b"\n".join(lines[i] for i in legacy))
    try:
        if codecs.lookup(encoding).name == "utf-8":
            return None
    except LookupError:
        return None  # UTF-8 with stray bytes on those lines too: _utf8_with_stray_bytes reads it
    try:
        other = utf8.decode(encoding)
    except UnicodeDecodeError:
        other = None
    if other is not None and _reading_score(model, other) >= _reading_score(model, utf8.decode("utf-8")):
        return None
    text = "\n".join(line.decode(encoding, errors="replace") if i in legacy else line.decode("utf-8")
                     for i, line in enumerate(lines))
    numbers = ", ".join(str(i + 1) for i in legacy[:5]) + (", …" if len(legacy) > 5 else "")
    return text, f"utf-8 with {encoding} on line{'s' * (len(legacy) > 1)} {numbers}"


_ASCII = bytes(range(0x80))
# What a Windows tool writes beyond ASCII in text of no other letters: Word's quotes and dashes,
# the euro, degrees, times.
_TYPOGRAPHY = frozenset("‘’‚“”„–—…•€°×÷±·©®™«»§¶′″")


def _western_score(model: LanguageModel, text: str) -> int:
    """How well a single-byte page reads a note: its letters in known words, and its typography,
    each mark as two: a wrong page reads it as a letter, which the lists may hold alone ("5 € — ok"
    in cp1125 is "5 А Ч ok", in mac_iceland "Don’t panic —" is "Donít panic ó")."""
    return _known_letters(model, text) + 2 * sum(char in _TYPOGRAPHY for char in text)


def _known_letters(model: LanguageModel, text: str) -> int:
    """The letters of the known words of ``text`` that are not ASCII words: a wrong page's reading
    of a long word falls apart into letters that the lists hold alone ("Ё", "â"), where a French
    "à" is one."""
    return sum(len(word) for word in _WORD.findall(text) if not word.isascii() and model.word(word) is not None)


def may_need_repair(text: str) -> bool:
    """Cheap: False means :func:`repair_text` would certainly return ``text`` unchanged (no
    character stands for a UTF-8 lead byte followed by its continuation, in a single-byte code
    page or in GBK or Shift-JIS)."""
    if _SEQUENCE_START.search(text) and _detect_code_page(text, [])[0] is not None:
        return True
    return any(_may_be_read_as(text, codec) for codec in _DOUBLE_BYTE)


def _may_be_read_as(text: str, codec: str) -> bool:
    # Text read as the double-byte page: its bytes (a lost one as a NUL), each by what it is in UTF-8.
    data = text.replace("\ufffd", "\0").encode(codec, "ignore")
    classes = data.translate(_BYTE_CLASSES)  # a plain search for them is many times a regex's speed
    if _double_byte_damaged(classes.count(_SEQUENCE), len(data) - (len(text) - _non_ascii(text))):
        return True
    # Clean Chinese spells such sequences now and then; the lines where they are are looked at.
    # The page's bytes hold no newline but its own: the lines of its bytes are those of the text.
    lines: list[str] = []
    line = counted = 0  # the line of the byte ``counted``
    hit = classes.find(_CHAIN)
    while hit >= 0:
        lines = lines or text.split("\n")
        line, counted = line + data.count(b"\n", counted, hit), hit
        if any(_structured(lines[line][start:end], codec) for start, end in _double_byte_runs(lines[line], [], codec)):
            return True
        line_end = data.find(b"\n", hit)
        hit = classes.find(_CHAIN, line_end) if line_end >= 0 else -1
    return False


def repair_text(text: str, context: Context | Sequence[str] = ()) -> RepairResult:
    """Repair the mojibake in ``text``, with the clean notes of ``context`` (given as a Context
    where several texts are repaired against the same notes); see the module docstring for how."""
    result = _repair_layer(text, context)
    # Text damaged twice (read through a code page, saved, and read through it again) is mojibake
    # again once repaired: each layer is repaired in turn.  Only a text damaged as a whole is: in
    # the repair of one mostly clean, mojibake is what its author quoted ("Ã© for é").
    for _ in range(_LAYERS - 1):
        again = _repair_layer(result.text, context, whole=True) if result.changed else result
        if not again.changed:
            break
        result = RepairResult(
            again.text, result.encoding, result.runs + again.runs, result.chars_changed + again.chars_changed,
            result.rebuilt_bytes + again.rebuilt_bytes, tuple(sorted({*result.lines, *again.lines})),
            result.damage + again.damage, again.written_in,
            _still_standing(result.guesses, again.lines) + again.guesses,
        )
    return result


def _still_standing(guesses: tuple[Guess, ...], changed: tuple[int, ...]) -> tuple[Guess, ...]:
    """The ``guesses`` of a layer of damage not on the ``changed`` lines of the repair under it,
    which rewrites what they were guesses of."""
    return tuple(guess for guess in guesses if guess.line not in changed)


def _repair_layer(text: str, context: Context | Sequence[str], whole: bool = False) -> RepairResult:
    """One layer of the repair: ``text`` repaired as damaged through one code page (where
    ``whole``, only if damaged as a whole)."""
    if not may_need_repair(text):
        return RepairResult(text)
    if not isinstance(context, Context):
        context = Context(context)
    protected = _code_spans(text)
    model = context.model_for(text)
    result = _repair_utf8_layer(text, context, model, protected, whole)
    return _legacy_reading(text, result, model, whole) or result


def _repair_utf8_layer(
    text: str, context: Context, model: LanguageModel, protected: list[tuple[int, int]], whole: bool
) -> RepairResult:
    page, damaged = _detect_code_page(text, protected)
    if damaged and any(not char.isascii() and char not in page.to_byte and char != _HOLE
                       for start, end in protected for char in text[start:end]):
        damaged = False  # code holding what the page cannot spell (你好) was not read through it: a quote
    codec = None
    if page is None:
        codec, double_byte_runs, damaged = _detect_double_byte(text, protected)
        if codec is None:
            return RepairResult(text)
    if whole and not (damaged and (page is None or _damage_share(text, page) >= _WHOLE)):
        return RepairResult(text)
    if restored := _restored_copy(text, context, codec):
        return restored
    if codec is not None:
        return _repair_runs(text, double_byte_runs, _DoubleByteRunRepairer(model, damaged, codec), damaged)
    # A damaged text was damaged whole, its code too: quoted mojibake there is then doubly
    # damaged, and one repair gives back the quote as its author wrote it.
    runs_found = list(_runs(text, page.run_pattern, [] if damaged else protected))
    return _repair_runs(text, runs_found, _PageRunRepairer(model, page, damaged), damaged)


def _repair_runs(text: str, runs_found: list[tuple[int, int]], repairer: _RunRepairer, damaged: bool) -> RepairResult:
    """``text`` with each of its runs repaired where ``repairer`` finds a repair likelier."""
    # The characters the text itself holds intact are evidence for its damaged ones.
    intact = repairer.intact_chars(text, runs_found)
    repairer.add_context({char for _, char in intact})
    intact_at = [position for position, _ in intact]
    text_lead = repairer.model.traditional_lead("".join(char for _, char in intact))
    if damaged:
        repairer.leads = repairer.lead_chars(text[start:end] for start, end in runs_found)
    out: list[str] = []
    done = 0
    runs = changed = rebuilt = 0
    lines: set[int] = set()
    guesses: list[Guess] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    # The line before a run as repaired so far, so that a quote repaired earlier on the line
    # pairs with the one in this run.
    line_head = ""
    head_done = 0
    column = 0  # of the run on its line, as repaired so far
    # A damaged text may hold lines written or pasted clean since (Polish "łąkę, źrebię" under a
    # damaged line of Chinese): left as they are.
    clean_lines = repairer.clean_lines(text, runs_found, line_starts) if damaged else set()
    for start, end in runs_found:
        if not damaged and not repairer.structured(text[start:end]):
            continue  # in a mostly clean text, only a run with UTF-8 structure may be mojibake
        if bisect_right(line_starts, start) in clean_lines:
            continue
        between = text[head_done:start]
        line_head = (between[between.rfind("\n") + 1 :] if "\n" in between else line_head + between)[-_LINE_REACH:]
        column = len(between) - between.rfind("\n") - 1 if "\n" in between else column + len(between)
        head_done = start
        left = _word_tail("".join(out[-2:]) + text[done:start])
        rest = _line_rest(text, end)
        # The brackets intact in the runs after it on its line: as the text stands they are mojibake
        # ("οΌ‰" for "）"), and "（" had no other half to pair with ("精通（人工智能 深度）").
        later = intact[bisect_left(intact_at, end) : bisect_left(intact_at, end + len(rest))]
        line = (line_head, rest + "".join(char for _, char in later if char in _PAIRED))
        near = {_kind(char) for char in _on_line(text, intact, intact_at, start, end, _KIND_REACH)}
        near |= {_kind(char) for char in line_head[-_KIND_REACH:] if not char.isascii()}
        # Chinese is repaired in the script of its line (where the line does not say, of the
        # text): in a Simplified one, a Traditional character is no likelier for its Simplified
        # twin ("橘子" is no "機子").
        script_evidence = "".join(_on_line(text, intact, intact_at, start, end, _SCRIPT_REACH)) + line_head
        lead = repairer.model.traditional_lead(script_evidence)
        traditional = (lead or text_lead) > 0
        fix = repairer.repair(text[start:end], left, _right_context(text, end), line, near, traditional)
        if fix is None:
            continue
        replacement, lost, close = fix
        line_head = (line_head + replacement)[-_LINE_REACH:]
        number = bisect_right(line_starts, start)
        for first, last, other in close:
            guesses.append(Guess.of(number, column + first + 1, replacement, first, last, other))
        column += len(replacement)
        head_done = end
        out.append(text[done:start])
        out.append(replacement)
        done = end
        runs += 1
        changed += len(replacement)
        rebuilt += lost
        lines.add(number)
    if not runs:
        return RepairResult(text)
    out.append(text[done:])
    return RepairResult(
        "".join(out), "utf-8", runs, changed, rebuilt, tuple(sorted(lines)), (repairer.name,), guesses=tuple(guesses)
    )


def _on_line(
    text: str, intact: list[tuple[int, str]], intact_at: list[int], start: int, end: int, reach: int
) -> list[str]:
    """The ``intact`` characters within ``reach`` of the run ``text[start:end]`` on its line."""
    around = intact[bisect_left(intact_at, start - reach) : bisect_right(intact_at, end + reach)]
    return [char for at, char in around if "\n" not in text[min(at, start) : max(at, end)]]


def _restored_copy(text: str, context: Context, codec: str | None) -> RepairResult | None:
    """``text`` repaired as the note of ``context`` that it is a damaged copy of, if it is one,
    through a single-byte code page or as read through ``codec`` (GBK, Shift-JIS).

    A single-byte code page keeps every ASCII character in place, so only the notes with the same
    ASCII characters are damaged for the comparison."""
    for original in context.by_ascii.get(text.encode("ascii", "ignore"), ()):
        data = original.encode("utf-8")
        for page in _CODE_PAGES:
            # Lost: every byte the page leaves undefined and the soft hyphen (as note 000 lost them),
            # those bytes alone, or none (read strictly, each lost one shown as U+FFFD).
            if text in (data.translate(None, page.lost).decode(page.name), data.decode(page.name, errors="ignore"),
                        data.decode(page.name, errors="replace")):
                # Each character of a run is one byte, all but the lost ones.
                runs = list(_runs(text, page.run_pattern, []))
                return _restored(text, original, runs, len(data) - len(text) + text.count(_HOLE), page.name)
    if codec and (original := context.read_as(codec).get(text)):
        return _restored(text, original, _double_byte_runs(text, [], codec), text.count("\ufffd"), codec)
    return None


def _restored(text: str, original: str, runs: list[tuple[int, int]], rebuilt: int, page: str) -> RepairResult:
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    lines = tuple(sorted({bisect_right(line_starts, start) for start, _ in runs}))
    changed = sum(1 for c in original if not c.isascii())
    return RepairResult(original, "utf-8", len(runs), changed, rebuilt, lines, (page,))


# --- East Asian encodings read through a code page -----------------------------------------

# The encodings of Chinese, Japanese and Korean Windows, whose text a tool reading a single-byte
# code page shows as mojibake too ("你好" in GBK read as cp1252: "ÄãºÃ"; in Shift-JIS, "‚±‚ñ").
_LEGACY_ENCODINGS = ("gbk", "big5", "cp932", "cp949")
# A line's reading is evidence that the text is such mojibake only where the model finds it
# likelier than the line's UTF-8 repair by this much per non-ASCII character of the line (measured:
# Chinese, Japanese and Korean read through cp1252 or Latin-1 by 10 to 17; the best reading of
# UTF-8 damage as one of them by less than 2: lossy emoji read as GBK, "☕" as "β•", read again
# "鈺") ...
_LEGACY_MARGIN = 5.0
# ... where it is written text: at least this likely per character of its non-ASCII runs (real
# text: -4 to -11; the rare characters a clean Icelandic or Vietnamese word or UTF-8 Hebrew reads
# as: -13 to -20, "staðsett" as "sta餾ett", "×›×š" as "讻尊") ...
_WRITTEN = -13.0
# ... and where it holds this many characters of East Asian scripts ("ÞÚ" reads as "挹"), half of
# its non-ASCII ones at least (GBK and Big5 hold Latin, Greek and Cyrillic letters too: UTF-8
# Arabic reads as "ùé").
_LEGACY_CHARS = 2
# In a text damaged so as a whole, any line is read that is likelier so and at least this likely
# per character: a short line of rarer characters ("記得帶雨傘", -13.8), not a clean line written
# in since ("STUÐNING" reads as "STU蠳ING").
_LEGACY_WEAK_QUALITY = -15.0
# A text is damaged so as a whole when more than this share of its non-ASCII characters is on
# lines of evidence (the rest: short lines, and words of other scripts, which such encodings spell).
_LEGACY_WHOLE = 0.5


def _legacy_reading(text: str, utf8: RepairResult, model: LanguageModel, under: bool) -> RepairResult | None:
    """``text`` with the lines that are the bytes of an East Asian encoding read through a
    single-byte code page read as that encoding, where that is far likelier than ``utf8`` (the
    text's repair as UTF-8); None where no line is.  One encoding through one page damaged the
    text: of them all, the pair with the most evidence.

    A text damaged so as a whole (most of its characters on lines of evidence) has its other lines
    read so too where likelier at all, and those it cannot read left as they are (the UTF-8 repair
    of such a text is nonsense).  In a mostly clean text, only the lines that are evidence are
    read, code quotes, and UTF-8 damage elsewhere keeps the UTF-8 repair.  A layer ``under``
    another is read only where every line can be: the repair above it may have read some lines
    as UTF-8 already."""
    lines = text.split("\n")
    repaired = utf8.text.split("\n")  # a repair changes characters of runs, never a line end
    readings = _line_readings(lines, repaired, model)
    if not readings:
        return None
    (index, encoding), read = max(
        readings.items(), key=lambda item: sum(gain for _, gain, strong in item[1].values() if strong)
    )
    page = _CODE_PAGES[index]
    non_ascii = [number for number, line in enumerate(lines) if not line.isascii()]
    evidence = sum(_non_ascii(lines[number]) for number, (*_, strong) in read.items() if strong)
    whole = evidence > _LEGACY_WHOLE * sum(_non_ascii(lines[number]) for number in non_ascii)
    if under and not (whole and all(number in read for number in non_ascii)):
        return None
    chosen = {number: reading for number, (reading, _, strong) in read.items() if strong or whole}
    # The bytes lost on the lines read, chosen again, now by the model (see _line_readings).
    guesses = []
    for number in sorted(chosen):
        if "\ufffd" in lines[number]:
            chosen[number], found = _lost_bytes_read(number + 1, lines[number], page, encoding, model)
            guesses += found
    # Code quotes mojibake: its spans as they are once the lines are read (a backtick the damage
    # spells, the trail byte of "チ" or "常", opens none).
    once_read = "\n".join(chosen.get(number, line) for number, line in enumerate(lines))
    line_starts = [0] + [m.end() for m in re.finditer("\n", once_read)]
    quoting = {
        number
        for start, end in _code_spans(once_read)
        for number in range(bisect_right(line_starts, start) - 1, bisect_right(line_starts, end - 1))
    }
    if all(number in quoting for number, (*_, strong) in read.items() if strong):
        return None  # evidence only in code: quoted
    if not whole:
        chosen = {number: reading for number, reading in chosen.items() if number not in quoting}
        if any(lines[number] != repaired[number] for number in non_ascii if number not in chosen):
            return None  # UTF-8 damage beside it: its repair stands
    runs = [run for number in chosen for run in _runs(lines[number], page.run_pattern, [])]
    result = "\n".join(chosen.get(number, line) for number, line in enumerate(lines))
    changed = sum(map(_non_ascii, chosen.values()))
    lines_read = tuple(number + 1 for number in sorted(chosen))
    rebuilt = sum(lines[number].count("\ufffd") for number in chosen)  # each a byte the page left undefined
    return RepairResult(
        result, "utf-8", len(runs), changed, rebuilt, lines_read, (page.name,), encoding, guesses=tuple(guesses)
    )


def _lost_bytes_read(
    number: int, line: str, page: _CodePage, encoding: str, model: LanguageModel
) -> tuple[str, list[Guess]]:
    """Line ``number``, ``line``, read as ``encoding`` through ``page``, each byte lost (U+FFFD)
    the one the model reads likeliest there; with the guesses among them."""
    spelled = _page_bytes(line, page)
    assert spelled is not None, "the line was read through the page"
    filled, close = _with_lost_bytes(*spelled, encoding, page, model)
    reading = filled.decode(encoding, errors="replace")
    guesses = []
    for column, text, other in close:
        end = column + len(text)
        if reading[column:end] == text:  # a hole filled later may have changed what this one read
            guesses.append(Guess.of(number, column + 1, reading, column, end, other))
    return reading, guesses


def _line_readings(
    lines: list[str], repaired: list[str], model: LanguageModel
) -> dict[tuple[int, str], dict[int, tuple[str, float, bool]]]:
    """Per code page (by index) and encoding that some line is evidence for: each line it reads
    likelier than the line's UTF-8 repair, as (reading, gain, whether evidence).

    A line is such mojibake only when the page spells each of its characters, and those bytes are
    no UTF-8 (which the UTF-8 repair reads) but text of the encoding, none of it control,
    private-use or unassigned characters."""
    # Each line is read in its script, a Traditional one with the model's Traditional view.
    score = lru_cache(maxsize=None)(
        lambda text, traditional: _fixed_score(model.traditional() if traditional else model, text)
    )
    readings: dict[tuple[int, str], dict[int, tuple[str, float, bool]]] = {}
    for index, page in enumerate(_CODE_PAGES):
        for number, line in enumerate(lines):
            if line.isascii():
                continue
            spelled = _page_bytes(line, page)
            if spelled is None or _is_utf8(_without_holes(*spelled)):
                continue
            for encoding in _LEGACY_ENCODINGS:
                # Lost bytes are chosen by their characters: by words too, for every line, page
                # and encoding, would take seconds a line (the lines read are, later).
                try:
                    reading = _with_lost_bytes(*spelled, encoding, page, model, exact=False)[0].decode(encoding)
                except UnicodeDecodeError:
                    continue
                chars = _NON_ASCII.findall(reading)
                if any(unicodedata.category(char) in ("Cc", "Co", "Cn", "Cs") for run in chars for char in run):
                    continue
                traditional = model.writes_traditional(reading)
                utf8 = repaired[number]
                gain = score(reading, traditional) - score(utf8, model.writes_traditional(utf8))
                if gain <= 0:
                    continue
                quality = _per_character(lambda run: score(run, traditional), reading)
                if quality < _LEGACY_WEAK_QUALITY:
                    continue
                east_asian = sum(_kind(char) in _EAST_ASIAN_KINDS for run in chars for char in run)
                strong = (
                    gain > _LEGACY_MARGIN * _non_ascii(line)
                    and quality >= _WRITTEN
                    and east_asian >= max(_LEGACY_CHARS, _non_ascii(reading) / 2)
                )
                readings.setdefault((index, encoding), {})[number] = (reading, gain, strong)
    return {key: read for key, read in readings.items() if any(strong for *_, strong in read.values())}


def _page_bytes(line: str, page: _CodePage) -> tuple[bytes, list[int]] | None:
    """The bytes ``line`` spells in ``page``, and where the holes are: each U+FFFD, a byte the page
    leaves undefined that a tool read as that (the hole its first such byte, for now); None where
    the page cannot spell the line."""
    try:
        data = bytes(
            ord(char) if char < "\x80" else page.unread[0] if char == "\ufffd" and page.unread else page.to_byte[char]
            for char in line
        )
    except KeyError:
        return None
    return data, [i for i, char in enumerate(line) if char == "\ufffd"]


def _without_holes(data: bytes, holes: list[int]) -> bytes:
    """``data`` less the bytes at ``holes``."""
    if not holes:
        return data
    lost = set(holes)
    return bytes(byte for i, byte in enumerate(data) if i not in lost)


def _with_lost_bytes(
    data: bytes, holes: list[int], encoding: str, page: _CodePage, model: LanguageModel, exact: bool = True
) -> tuple[bytes, list[tuple[int, str, str]]]:
    """``data`` with each of its ``holes`` the byte ``page`` leaves undefined that reads likeliest
    there in ``encoding`` (not ``exact``: by its characters alone, not its words): the readings differ
    only around it (a double-byte encoding finds its step again at the next ASCII character or
    lead byte), and that is what is scored.  Two holes a byte or two apart ("メモ" is 83 81 83 82,
    and cp1250 reads neither 83 nor 81) are filled together.  With the guesses among them (where
    the reading, the text chosen, the runner-up's)."""
    guesses: list[tuple[int, str, str]] = []
    if not holes:
        return data, guesses
    filled = bytearray(data)
    # Ideographs among kana are Japanese, and as likely as Japanese writes them.
    if any(_kind(char) == "kana" for char in filled.decode(encoding, errors="replace")):
        model = model.japanese()
    clusters = [[holes[0]]]
    for hole in holes[1:]:
        if exact and hole - clusters[-1][-1] <= 2 and len(clusters[-1]) < 2:
            clusters[-1].append(hole)
        else:
            clusters.append([hole])
    for cluster in clusters:
        readings = {}
        for values in itertools.product(page.unread, repeat=len(cluster)):
            for hole, value in zip(cluster, values):
                filled[hole] = value
            readings[values] = filled.decode(encoding, errors="replace")
        texts = list(readings.values())
        same_head = len(os.path.commonprefix(texts))
        same_tail = min(len(os.path.commonprefix([text[::-1] for text in texts])), min(map(len, texts)) - same_head)
        differing = {
            values: reading[max(0, same_head - 4) : len(reading) - same_tail + 4] for values, reading in readings.items()
        }
        # By characters first; the likeliest few of them by words too.
        ranked = sorted(differing, key=lambda values: sum(map(model.char, differing[values])), reverse=True)
        best = ranked[0]
        if exact and len(ranked) > 1:
            scores = {values: _fixed_score(model, differing[values]) for values in ranked[:_HOLE_OPTIONS]}
            best, runner_up = sorted(scores, key=scores.__getitem__, reverse=True)[:2]
            chosen, other = (
                readings[values][same_head : len(readings[values]) - same_tail] for values in (best, runner_up)
            )
            if scores[best] - scores[runner_up] < _GUESS_MARGIN and chosen != other:
                guesses.append((same_head, chosen, other))
        for hole, value in zip(cluster, best):
            filled[hole] = value
    return bytes(filled), guesses


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _per_character(score: Callable[[str], float], text: str) -> float:
    """The ``score`` of the non-ASCII runs of ``text``, per character of them."""
    runs = _NON_ASCII.findall(text)
    return sum(map(score, runs)) / max(1, sum(map(len, runs)))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- code pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CodePage:
    """How one code page maps bytes 0x80..0xFF to characters, and which bytes it loses."""

    name: str
    to_byte: dict[str, int]
    lost_continuations: tuple[int, ...]  # lost bytes in 0x80..0xBF, rebuilt inside a character
    lost_leads: tuple[int, ...]  # lost bytes in 0xC2..0xF4, rebuilt before orphaned continuations
    run_pattern: re.Pattern[str] = field(compare=False)
    unread: bytes = b""  # the bytes it leaves undefined: a strict reading shows each as U+FFFD

    @property
    def lost(self) -> bytes:
        """The bytes the page drops, of all those UTF-8 text can hold."""
        return bytes(self.lost_continuations + self.lost_leads)

    @cached_property
    def undefined(self) -> frozenset[str]:
        """The C1 controls that stand for the bytes the page leaves undefined (as Windows keeps them)."""
        return frozenset(chr(byte) for byte in self.lost if 0x80 <= byte <= 0x9F)

    def merged(self, other: _CodePage) -> _CodePage:
        """This page, also rebuilding the bytes ``other`` loses (when both explain the text), named
        for both ("cp1252 or cp1254"); its characters are this page's."""
        return _CodePage(
            f"{self.name} or {other.name}",
            self.to_byte,
            tuple(sorted(set(self.lost_continuations) | set(other.lost_continuations))),
            tuple(sorted(set(self.lost_leads) | set(other.lost_leads))),
            self.run_pattern,
            self.unread,
        )


# What a strict reading (Python's errors="replace", many editors) shows for each byte the page
# leaves undefined: in a run, such a byte, lost where it stood. The repair treats it as dropped.
_HOLE = "\ufffd"


def _page_data(page: _CodePage, run: str) -> bytes:
    """The bytes the characters of a run stand for in ``page``, without its lost ones."""
    return bytes(page.to_byte[c] for c in run if c != _HOLE)


def _load_code_page(name: str) -> _CodePage:
    to_byte: dict[str, int] = {}
    lost: list[int] = []
    for byte in range(0x80, 0x100):
        try:
            char = bytes([byte]).decode(name)
        except UnicodeDecodeError:
            # Undefined: a decoder with errors="ignore" drops it; Windows (and ftfy's "sloppy"
            # codecs) keep it as the C1 control of the same number.
            lost.append(byte)
            char = chr(byte)
        if char == "\xad":
            lost.append(byte)  # the soft hyphen is invisible, and dropped by editors and sync
        to_byte[char] = byte  # where it is still there, it is that byte
    chars = "".join(sorted(to_byte)) + _HOLE  # a run goes on over a lost byte a strict reading shows
    return _CodePage(
        name,
        to_byte,
        tuple(b for b in lost if b <= 0xBF),
        tuple(b for b in lost if 0xC2 <= b <= 0xF4),
        re.compile(f"[{re.escape(chars)}]+"),
        bytes(byte for byte in lost if to_byte.get("\xad") != byte),
    )


_CODE_PAGES = tuple(_load_code_page(name) for name in CODE_PAGES)
# Characters no author writes that a code page spells a byte with (C1 controls: Latin-1's, and
# those Windows keeps for the bytes a page leaves undefined; MacRoman's Apple logo, in private
# use): text damaged twice holds them after its first repair, and they are bytes to the second,
# whichever page that went through.
_BYTE_CHARS = frozenset(c for page in _CODE_PAGES for c in page.to_byte if unicodedata.category(c) in ("Cc", "Co"))


def _chars(low: int, high: int) -> str:
    """A regex class of the characters that stand for bytes low..high in some code page."""
    return "[" + re.escape("".join(sorted({c for p in _CODE_PAGES for c, b in p.to_byte.items() if low <= b <= high}))) + "]"


# A lead byte followed by a continuation byte (in some code pages): where mojibake can start. A lead
# alone is common in clean text ("·" is MacRoman's 0xE1, "å" is cp1252's 0xE5).
_SEQUENCE_START = re.compile(_chars(0xC2, 0xF4) + _chars(0x80, 0xBF))


def _detect_code_page(text: str, protected: list[tuple[int, int]]) -> tuple[_CodePage | None, bool]:
    """The code page the text went through (merged with any that explain it as well), or None;
    and whether the text is mostly damaged (most of its code-page characters are mojibake)."""
    scores = []
    totals = []
    for page in _CODE_PAGES:
        score = total = 0
        for start, end in _runs(text, page.run_pattern, protected):
            data = _page_data(page, text[start:end])
            continuations = _well_formed_continuations(data)
            if continuations and not _clean_word(_word_around(text, start, end)):
                score += continuations
            total += len(data)
        scores.append(score)
        totals.append(total)
    best = max(scores)
    if best == 0:
        return None, False
    winners = [i for i, score in enumerate(scores) if score == best]
    # Of pages that explain the text alike, the one that defines its C1 controls reads it: Latin-1
    # does ("\x9c"), where cp1257 only keeps an undefined byte as one, and spells "¨" another byte.
    winners.sort(key=lambda i: sum(map(text.count, _CODE_PAGES[i].undefined)))
    page = _CODE_PAGES[winners[0]]
    for other in winners[1:]:
        page = page.merged(_CODE_PAGES[other])
    # In mojibake about half the characters are continuations; in clean text, very few.
    return page, best >= 0.3 * totals[winners[0]]


def _clean_lines(text: str, page: _CodePage, runs: Iterable[tuple[int, int]], line_starts: list[int]) -> set[int]:
    """The lines of a damaged text (numbered as ``bisect_right(line_starts, position)``) that were
    written or pasted clean: each shows it by a character the code page cannot spell ("é" among
    cp1253's Greek, "∀"), a word of one script, or code-page characters that all stand for
    continuation bytes ("“", "—", "€": damage only if every lead byte were lost), and its runs
    spell UTF-8 structure only where they are words surely clean ("Київ" in cp1251)."""
    structured: set[int] = set()
    shown: set[int] = set()
    with_runs: set[int] = set()
    led: set[int] = set()  # lines with a lead byte somewhere in their runs
    for start, end in runs:
        line = bisect_right(line_starts, start)
        word = _word_around(text, start, end)
        data = _page_data(page, text[start:end])
        with_runs.add(line)
        if any(_sequence_length(byte) > 1 for byte in data):
            led.add(line)
        if _well_formed_continuations(data) and not _clean_word(word):
            structured.add(line)
        elif len(word) > 1 and _plausible_word(word):
            shown.add(line)
    shown |= with_runs - led
    for line, (first, last) in enumerate(zip(line_starts, [*line_starts[1:], len(text)]), 1):
        if line not in shown and any(not c.isascii() and c not in page.to_byte and c != _HOLE for c in text[first:last]):
            shown.add(line)
    return shown - structured


def _lead_chars(page: _CodePage, runs: Iterable[str]) -> set[str]:
    """The characters that stand for a lead byte followed by its continuation somewhere."""
    found = set()
    for run in runs:
        run = run.replace(_HOLE, "")
        for char, following in zip(run, run[1:]):
            if _sequence_length(page.to_byte[char]) > 1 and 0x80 <= page.to_byte[following] <= 0xBF:
                found.add(char)
    return found


def _damage_share(text: str, page: _CodePage) -> float:
    """The share of the non-ASCII characters of ``text`` that stand for bytes of well-formed UTF-8
    sequences in ``page`` (each a lead and the continuations after it)."""
    in_sequences = sum(
        sum(_well_formed(_page_data(page, text[start:end]))) for start, end in _runs(text, page.run_pattern, [])
    )
    return in_sequences / max(1, _non_ascii(text))


def _well_formed_continuations(data: bytes) -> int:
    """Continuation bytes that follow a lead byte within its sequence length."""
    return _well_formed(data)[0]


def _well_formed(data: bytes) -> tuple[int, int]:
    """Continuation bytes that follow a lead byte within its sequence length, and those leads."""
    continuations = leads = room = expected = 0
    for byte in data:
        if 0x80 <= byte <= 0xBF and room:
            continuations += 1
            leads += room == expected  # its first continuation
            room -= 1
        else:
            room = expected = _sequence_length(byte) - 1
    return continuations, leads


def _sequence_length(byte: int) -> int:
    if 0xC2 <= byte <= 0xDF:
        return 2
    if 0xE0 <= byte <= 0xEF:
        return 3
    if 0xF0 <= byte <= 0xF4:
        return 4
    return 1


# --- where runs are ---------------------------------------------------------------------------


_MARKDOWN = MarkdownIt("commonmark")
# Inline code: a span of backticks, or HTML's <code> element.
_CODE_SPAN = re.compile(
    r"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)|<code\b[^>]*>(?:(?!\n[ \t]*\n).)*?</code>", re.DOTALL
)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks and inline code: quoted text, left alone.  Not
    indented blocks: the site's Markdown extensions indent prose too (admonitions, footnotes)."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)] + [len(text)]
    spans = []
    fenced = []
    for token in _MARKDOWN.parse(text):
        if token.type == "fence" and token.map:
            first, last = token.map
            fenced.append((line_starts[first], line_starts[min(last, len(line_starts) - 1)]))
    spans.extend(fenced)
    for match in _CODE_SPAN.finditer(text):
        if not any(start <= match.start() < end for start, end in fenced):
            spans.append(match.span())
    return sorted(spans)


def _runs(text: str, pattern: re.Pattern[str], protected: list[tuple[int, int]]):
    """(start, end) of each run of code-page characters outside the protected ranges."""
    for match in pattern.finditer(text):
        start, end = match.span()
        for p_start, p_end in protected:
            if p_start < end and start < p_end:
                break
        else:
            yield start, end


def _word_tail(text: str) -> str:
    tail = []
    for char in reversed(text[-_CONTEXT_CHARS - 1 :]):
        if not _joins_words(char):
            break
        tail.append(char)
    return "".join(reversed(tail[:_CONTEXT_CHARS]))


def _word_around(text: str, start: int, end: int) -> str:
    """The run ``text[start:end]`` with the letters either side that join its word."""
    return _word_tail(text[max(0, start - _CONTEXT_CHARS - 1) : start]) + text[start:end] + _right_context(text, end)


def _right_context(text: str, end: int) -> str:
    head = []
    for char in text[end : end + _CONTEXT_CHARS]:
        if not _joins_words(char):
            break
        head.append(char)
    return "".join(head)


def _line_rest(text: str, end: int) -> str:
    """The rest of the line after ``end``, as far as a run looks."""
    line_end = text.find("\n", end, end + _LINE_REACH)
    return text[end : end + _LINE_REACH if line_end < 0 else line_end]


def _joins_words(char: str) -> bool:
    return char.isalnum() or (not char.isascii() and not char.isspace())


# --- one run ----------------------------------------------------------------------------------

Candidates = list[tuple[str, float]]  # (character, prior log-score) for one position
Slots = list[tuple[Candidates, int]]  # a run's candidates per character, with their rebuilt bytes


class _RunRepairer(ABC):
    """Decides each run of a text: its repair, or the run as it stands.  A subclass knows how the
    run's characters stand for bytes, and so where the UTF-8 sequences and the lost bytes are."""

    name: str  # of the code page

    def __init__(self, model: LanguageModel, damaged: bool) -> None:
        self.model = model
        self.damaged = damaged
        self.keep_cost = _KEEP_COST if damaged else 0.0
        self.seen: set[str] = set()
        self.leads: set[str] = set()

    def add_context(self, chars: set[str]) -> None:
        """Favour candidates the text spells intact elsewhere."""
        self.seen = chars

    @abstractmethod
    def structured(self, run: str) -> bool:
        """Whether ``run`` spells UTF-8 structure: a lead byte followed by its continuation."""

    @abstractmethod
    def clean_lines(self, text: str, runs: Iterable[tuple[int, int]], line_starts: list[int]) -> set[int]:
        """The lines of a damaged text written or pasted clean (see :func:`_clean_lines`)."""

    @abstractmethod
    def lead_chars(self, runs: Iterable[str]) -> set[str]:
        """The characters that stand for a lead byte followed by its continuation somewhere."""

    @abstractmethod
    def intact_chars(self, text: str, runs: Iterable[tuple[int, int]]) -> list[tuple[int, str]]:
        """The characters that the runs of ``text`` spell with every byte present (no guess
        involved), each with the position of its first byte, in order."""

    @abstractmethod
    def slots_of(self, run: str, following: str = "") -> Slots | None:
        """The run's candidates per character, with the bytes each rebuilds; None where the run
        is no damage the repairer knows.  ``following`` is the character after the run."""

    def _keep_costs(self, slots: Slots) -> float:
        """What keeping the run as it stands costs in a damaged text: each of its characters that
        decodes is unlikely to be clean there."""
        return self.keep_cost * sum(1 for candidates, _ in slots if candidates[0][1] != 0.0)

    @abstractmethod
    def _clean_odds(self, word: str) -> float:
        """How much likelier ``word`` (the run with the letters either side) is clean than its
        repair must show, beyond what the language model tells."""

    @abstractmethod
    def _lone_leads(self, run: str) -> int:
        """Lead characters of the run without a continuation after them that lead complete
        sequences elsewhere in the text."""

    def repair(
        self, run: str, left: str, right: str, line: tuple[str, str], near: set[str] = frozenset(),
        traditional: bool = False,
    ) -> tuple[str, int, list[tuple[int, int, str]]] | None:
        """The repaired run, its count of rebuilt bytes, and its guesses (see :meth:`_Search.guesses`);
        or None to keep the run as it is.

        ``line`` is the rest of the line before (as repaired so far) and after the run, to pair
        brackets; ``near`` the kinds of the intact and repaired characters near the run;
        ``traditional`` whether the Chinese around it is written in Traditional characters."""
        unpaired = self.slots_of(run, line[1][:1])
        if unpaired is None:
            return None  # not damage the repairer knows
        if all(candidates[0][1] == 0.0 for candidates, _ in unpaired):
            return None  # nothing decodes: these are clean characters of the code page
        unpaired = [(_coherent(candidates, near), lost) for candidates, lost in unpaired]
        # Ideographs among kana are Japanese, and as frequent as Japanese uses them (its "東" and
        # "書" are Traditional Chinese's, its "会" and "学" Simplified's).
        if "kana" in near:
            model = self.model.japanese()
        else:
            model = self.model.traditional() if traditional else self.model
        fixed = [[(c, 0.0)] for c in left]
        # A run at the end of its line ends with what may end a line ("。", not "、").
        after = [[(c, 0.0)] for c in right + "\n" * (not line[1].rstrip("\r"))]
        # What stands before the lattice (a space, a line start) tells where punctuation can go.
        before = "" if left else (line[0][-1:] or "\n")
        # The run's own certain characters ("】" intact after a damaged "【") count for pairing.
        certain = [candidates[0][0] if len(candidates) == 1 else "" for candidates, _ in unpaired]
        slots = _pair_run(unpaired, certain, line)
        search = _Search(model, fixed + [c for c, _ in slots] + after, before, guessing=True)
        best_score, best = search.best()
        reading = list(best[len(left) : len(left) + len(slots)])
        if any(char in _PAIRED and not known for char, known in zip(reading, certain)):
            # Both halves of a pair may be damaged ("“…”" in one run, read as "“…“"): pair
            # again, with the first reading of the run as the other characters.
            slots = _pair_run(unpaired, reading, line)
            search = _Search(model, fixed + [c for c, _ in slots] + after, before, guessing=True)
            best_score, best = search.best()
        lattice = search.lattice
        span = (len(fixed), len(fixed) + len(slots))
        best_score, best = _balanced(model, lattice, span, (best_score, best), line, before)
        keep_score, _ = _viterbi(model, fixed + [[(c, 0.0)] for c in run] + after, before)
        # A lead character standing alone ("β" of a damaged "∈" in cp1253) is unlikely to be
        # clean where the same character leads well-formed sequences elsewhere in the text.
        lone = self._lone_leads(run)
        kept = keep_score - self._keep_costs(unpaired) - _LONE_LEAD_COST * lone + self._clean_odds(left + run + right)
        if best_score <= kept:
            return None
        repaired = _refine(model, best[len(left) : len(best) - len(after)], slots, line, near)
        if repaired == run or not self._written(repaired):
            return None
        guesses = search.guesses(repaired, span) if len(repaired) == len(slots) else []
        return repaired, sum(lost for _, lost in slots), guesses

    def _written(self, repaired: str) -> bool:
        """Whether a run's repair may be what its author wrote."""
        return True


class _PageRunRepairer(_RunRepairer):
    """The repairer of UTF-8 read through a single-byte code page: a character of a run is a byte."""

    def __init__(self, model: LanguageModel, page: _CodePage, damaged: bool) -> None:
        super().__init__(model, damaged)
        self.page = page
        self.name = page.name

    def structured(self, run: str) -> bool:
        return bool(_well_formed_continuations(self._bytes(run)))

    def clean_lines(self, text: str, runs: Iterable[tuple[int, int]], line_starts: list[int]) -> set[int]:
        return _clean_lines(text, self.page, runs, line_starts)

    def lead_chars(self, runs: Iterable[str]) -> set[str]:
        return _lead_chars(self.page, runs)

    def slots_of(self, run: str, following: str = "") -> Slots | None:
        run = run.replace(_HOLE, "")  # each a lost byte, rebuilt as a dropped one is
        return self._slots(run, self._bytes(run))

    def _bytes(self, run: str) -> bytes:
        return _page_data(self.page, run)

    def _clean_odds(self, word: str) -> float:
        # In a mostly clean text, a word of one script cased as words are ("вії", "Её", "смієшся")
        # is likelier that word than damage that the structure of a sequence or two speaks for
        # ("席", "Ÿ", "с쳺шся"); damage spelled that way ("Ãªtre") scores far apart.
        return _PLAUSIBLE_WORD if not self.damaged and _plausible_word(word) else 0.0

    def _lone_leads(self, run: str) -> int:
        return sum(
            1
            for char, following in zip(run, run[1:] + " ")
            if char in self.leads and not 0x80 <= self.page.to_byte.get(following, 0) <= 0xBF
        )

    def intact_chars(self, text: str, runs: Iterable[tuple[int, int]]) -> list[tuple[int, str]]:
        found = []
        for start, end in runs:
            position = start
            for candidates, lost in self.slots_of(text[start:end]) or ():
                if len(candidates) == 1 and candidates[0][1] > 0 and not lost:
                    found.append((position, candidates[0][0]))
                # Each character of the run is one byte; a character kept as it stands is one too.
                kept = candidates[0][1] == 0.0
                position += 1 if kept else len(candidates[0][0].encode("utf-8")) - lost
        return found

    def _slots(self, run: str, data: bytes) -> Slots:
        """Cut the run's bytes into one candidate list per original character, each with the
        number of bytes its candidates rebuild."""
        slots: Slots = []
        i = 0
        while i < len(data):
            length = _sequence_length(data[i])
            lost = 0
            if length > 1:
                j = i + 1
                while j < len(data) and j - i < length and 0x80 <= data[j] <= 0xBF:
                    j += 1
                lost = length - (j - i)
                candidates = self._rebuild(data[i : i + 1], data[i + 1 : j], lost)
            elif 0x80 <= data[i] <= 0xBF and self.page.lost_leads:
                j = i + 1
                while j < len(data) and j - i < 3 and 0x80 <= data[j] <= 0xBF:
                    j += 1
                lost = 1
                candidates = [
                    candidate
                    for lead in self.page.lost_leads
                    if _sequence_length(lead) == j - i + 1
                    for candidate in self._rebuild(bytes([lead]), data[i:j], 0, lead_lost=True)
                ]
            else:
                j = i + 1
                candidates = []
            if candidates:
                slots.append((candidates, lost))
            else:  # not part of any character: keep what is there
                slots.extend(([(c, 0.0)], 0) for c in run[i:j])
            i = j
        return slots

    def _rebuild(self, lead: bytes, present: bytes, missing: int, lead_lost: bool = False) -> Candidates:
        """Every character the lead and present continuation bytes can be, with its prior.

        Continuations that follow their lead are evidence of mojibake; rebuilt bytes are guesses."""
        evidence = 0 if lead_lost else _INTACT_BONUS * len(present)
        prior = evidence - _REBUILT_COST * (missing + lead_lost)
        if prior == 0.0:
            prior = -0.1  # keep 0.0 for characters left as they stand
        found: dict[str, float] = {}
        length = 1 + len(present) + missing
        for positions in itertools.combinations(range(length - 1), missing):
            for values in itertools.product(self.page.lost_continuations, repeat=missing):
                tail = list(present)
                for position, value in zip(positions, values):
                    tail.insert(position, value)
                char = _decode_char(lead + bytes(tail), _BYTE_CHARS if not missing else frozenset())
                if char is not None:
                    found[char] = prior + _SEEN_BONUS * (char in self.seen)
        return list(found.items())


# --- UTF-8 read as GBK or Shift-JIS ----------------------------------------------------------

# Windows' Chinese and Japanese code pages (936, GBK; 932, Shift-JIS) read two bytes as one
# character, so UTF-8 read through them is CJK-looking nonsense ("你好" -> "浣犲ソ", "譁�蟄怜喧縺�"
# for 文字化け), which no single-byte page explains; a byte a page pairs with nothing and cannot
# read alone is replaced (U+FFFD) and lost.
_DOUBLE_BYTE = ("gbk", "cp932")


def _lost_byte(error: UnicodeError) -> tuple[bytes, int]:
    """The encoding error handler that writes each U+FFFD of a run as a NUL byte: a lost byte (no
    run holds a NUL, and no pair ends in one)."""
    if not isinstance(error, UnicodeEncodeError) or error.object[error.start : error.end].strip("\ufffd"):
        raise error
    return b"\0" * (error.end - error.start), error.end


_LOST = "vaultsite-lost-byte"
codecs.register_error(_LOST, _lost_byte)
# Bytes by what they are in UTF-8: a lead of three bytes (L), a continuation or a lost byte (C),
# anything else.  Damaged CJK text is three-byte sequences ("LCC") through and through; clean
# Chinese read as GBK spells one at a byte in thirty or so (a fifth of its lead bytes are UTF-8's
# three-byte leads, a third of its trail bytes continuations), clean Cyrillic or Greek none.
_BYTE_CLASSES = bytes(
    ord("L") if 0xE0 <= b <= 0xEF else ord("C") if 0x80 <= b <= 0xBF or b == 0 else ord(".") for b in range(256)
)
_SEQUENCE = b"LCC"
# Four in a row: a line or two of a clean Chinese note spells them by chance ("陽光對於快樂"),
# nearly every line of a damaged one does.
_CHAIN = _SEQUENCE * 4
# A text or run whose bytes are this much three-byte sequences is damaged; a clean one seldom
# spells more than a tenth.  A text is damaged only with this many of them: one chance chain in a
# short note is not.
_DOUBLE_BYTE_DAMAGED = 0.5
_DOUBLE_BYTE_DAMAGED_SEQUENCES = 8
# A run of a mostly clean text may be damage with a chain and this much of its bytes in sequences.
_DOUBLE_BYTE_STRUCTURE = 0.6
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _double_byte_damaged(sequences: int, size: int) -> bool:
    """Whether text whose non-ASCII characters are ``size`` bytes in the page and spell
    ``sequences`` three-byte sequences was damaged as a whole."""
    return sequences >= _DOUBLE_BYTE_DAMAGED_SEQUENCES and 3 * sequences >= _DOUBLE_BYTE_DAMAGED * size


def _detect_double_byte(
    text: str, protected: list[tuple[int, int]]
) -> tuple[str | None, list[tuple[int, int]], bool]:
    """The double-byte page ``text`` was read through (None where none), the runs of it to repair,
    and whether it is damaged as a whole (its code then too).  Of the pages, the one whose runs
    spell the most sequences."""
    found = []
    for codec in _DOUBLE_BYTE:
        runs = _double_byte_runs(text, protected, codec)
        pieces = [text[start:end] for start, end in runs]
        sequences = sum(_classes(piece, codec).count(_SEQUENCE) for piece in pieces)
        if _double_byte_damaged(sequences, sum(len(piece.encode(codec, _LOST)) for piece in pieces)):
            found.append((sequences, True, codec, _double_byte_runs(text, [], codec)))
        elif any(_structured(piece, codec) for piece in pieces):
            found.append((sequences, False, codec, runs))
    if not found:
        return None, [], False
    _, damaged, codec, runs = max(found, key=lambda item: (item[1], item[0]))
    return codec, runs, damaged


def _double_byte_runs(text: str, protected: list[tuple[int, int]], codec: str) -> list[tuple[int, int]]:
    """(start, end) of each run of characters ``codec`` spells (U+FFFD for a lost byte among them)
    outside the protected ranges."""
    found = []
    for start, end in _runs(text, _NON_ASCII, protected):
        while start < end:
            try:
                text[start:end].encode(codec, _LOST)
            except UnicodeEncodeError as error:
                if error.start:
                    found.append((start, start + error.start))
                start += error.end
            else:
                found.append((start, end))
                break
    return found


def _classes(run: str, codec: str) -> bytes:
    return run.encode(codec, _LOST).translate(_BYTE_CLASSES)


def _structured(run: str, codec: str) -> bool:
    """Whether a run of a text not damaged as a whole may be damage: a chain of sequences, and
    most of its bytes in sequences."""
    classes = _classes(run, codec)
    return _CHAIN in classes and 3 * classes.count(_SEQUENCE) >= _DOUBLE_BYTE_STRUCTURE * len(classes)


_CONTINUATIONS = range(0x80, 0xC0)
# An intact continuation is weaker evidence here than through a single-byte page: clean Chinese
# read as GBK spells a three-byte sequence at one byte in thirty, a two-byte one far more often.
_DOUBLE_BYTE_INTACT_BONUS = {2: 1.0, 3: 2.0, 4: 2.0}
# How much likelier than the text as it stands a run's repair must be in a mostly clean text.
_DOUBLE_BYTE_CLEAN_ODDS = 10.0
_LEADS = {length: [lead for lead in range(0xC2, 0xF5) if _sequence_length(lead) == length] for length in (2, 3, 4)}


@lru_cache(maxsize=1 << 16)
def _reads(codec: str, data: bytes) -> bool:
    """Whether ``codec`` reads the bytes as one character."""
    try:
        return len(data.decode(codec)) == 1
    except UnicodeDecodeError:
        return False


class _DoubleByteRunRepairer(_RunRepairer):
    """The repairer of UTF-8 read as GBK or Shift-JIS: a character of a run is two bytes (or one:
    an ASCII character, a byte the page reads alone or pairs with nothing), and each U+FFFD a
    lost byte."""

    def __init__(self, model: LanguageModel, damaged: bool, codec: str) -> None:
        super().__init__(model, damaged)
        self.name = self.codec = codec

    def structured(self, run: str) -> bool:
        return _structured(run, self.codec)

    def clean_lines(self, text: str, runs: Iterable[tuple[int, int]], line_starts: list[int]) -> set[int]:
        return set()  # a clean line's runs seldom read as UTF-8 at all

    def lead_chars(self, runs: Iterable[str]) -> set[str]:
        return set()

    def _lone_leads(self, run: str) -> int:
        return 0

    def _keep_costs(self, slots: Slots) -> float:
        # Clean Chinese read as GBK spells a two-byte sequence all the time ("系统" is "ϵͳ"): in a
        # damaged text, only damage of its kind (three bytes and more) is unlikely to be clean.
        return self.keep_cost * sum(1 for candidates, _ in slots if len(candidates[0][0].encode()) > 2)

    def _written(self, repaired: str) -> bool:
        # In a mostly clean text, clean Traditional Chinese read as Shift-JIS spells a chain of
        # sequences now and then ("關門頭髮語言"), whose repair, a third shorter, can outscore it
        # with rare characters ("萖哪雌ꌾ"): a repair must be written text.
        return self.damaged or _per_character(lambda run: _fixed_score(self.model, run), repaired) >= _WRITTEN

    def _clean_odds(self, word: str) -> float:
        # In a mostly clean text, clean Chinese spells runs of three-byte sequences now and then
        # ("陽光對於快樂" spells four), as likely as the repair's rarer characters.
        return 0.0 if self.damaged else _DOUBLE_BYTE_CLEAN_ODDS

    def intact_chars(self, text: str, runs: Iterable[tuple[int, int]]) -> list[tuple[int, str]]:
        return [
            (start + at, candidates[0][0])
            for start, end in runs
            for candidates, lost, at in self._placed_slots(text[start:end])
            if len(candidates) == 1 and candidates[0][1] > 0 and not lost
        ]

    def slots_of(self, run: str, following: str = "") -> Slots | None:
        return [(candidates, lost) for candidates, lost, _ in self._placed_slots(run, following)] or None

    def _placed_slots(self, run: str, following: str = "") -> list[tuple[Candidates, int, int]]:
        """One candidate list per UTF-8 sequence of the run's bytes, with its rebuilt bytes and
        the run's character its first byte comes from.  Where a byte fits no sequence (a note cut
        in the middle of a character, a character typed in since), the characters it and the
        sequence before it come from stand as they are; none where most bytes fit none (clean
        text: "王小明" spells one sequence, "小" as "С")."""
        data = run.encode(self.codec, _LOST)
        # A byte lost at the end of the run is one the page could not pair with the ASCII
        # character after it ("（" before "CNN" lost a byte that pairs with no "C").
        after_run = following.encode() if following.isascii() else b""
        # The run's character that each byte comes from, and the byte each character starts at.
        owner = [k for k, char in enumerate(run) for _ in range(len(char.encode(self.codec, _LOST)))]
        starts = [0]
        for char in run:
            starts.append(starts[-1] + len(char.encode(self.codec, _LOST)))
        slots: list[tuple[Candidates, int, int, int]] = []  # (candidates, lost, first byte, end)
        i = 0
        while i < len(data):
            if slot := self._slot(data, i, after_run):
                length, candidates = slot
                slots.append((candidates, data[i : i + length].count(0), i, i + length))
                i += length
                continue
            first = last = owner[i]
            while slots and slots[-1][3] > starts[first]:
                first = min(first, owner[slots.pop()[2]])
            slots.extend(([(run[k], 0.0)], 0, starts[k], starts[k + 1]) for k in range(first, last + 1))
            i = starts[last + 1]
        kept = sum(end - at for candidates, _, at, end in slots if candidates[0][1] == 0.0)
        if kept > (1 - _DOUBLE_BYTE_STRUCTURE) * len(data):
            return []
        return [(candidates, lost, owner[at]) for candidates, lost, at, _ in slots]

    def _slot(self, data: bytes, i: int, after_run: bytes) -> tuple[int, Candidates] | None:
        """The length and candidates of the UTF-8 sequence at byte ``i``, if one is there;
        ``after_run`` is the byte after ``data`` in the text, if the page reads it alone."""
        byte = data[i]
        if 0 < byte < 0x80:  # an ASCII character that a GBK pair took in
            return 1, [(chr(byte), 0.0)]
        length = _sequence_length(byte)
        if byte == 0:  # a lost lead: as long as its sequence of continuations
            length = 1
            while i + length < len(data) and length < 4 and (data[i + length] == 0 or 0x80 <= data[i + length] <= 0xBF):
                length += 1
        sequence = data[i : i + length]
        if length == 1 or len(sequence) < length or not all(b == 0 or 0x80 <= b <= 0xBF for b in sequence[1:]):
            return None
        candidates = self._fill(sequence, (data[i + length :] + after_run)[:1])
        return (length, candidates) if candidates else None

    def _fill(self, sequence: bytes, after: bytes) -> Candidates:
        """Every character ``sequence`` can be with its lost bytes put back, with its prior.  A
        lost byte is one the page can neither read alone nor pair with the byte after it."""
        lost = [i for i, byte in enumerate(sequence) if byte == 0]
        if len(lost) > 2:
            return []
        prior = _DOUBLE_BYTE_INTACT_BONUS[len(sequence)] * (len(sequence) - 1 - len(lost)) - _REBUILT_COST * len(lost)
        if prior == 0.0:
            prior = -0.1  # keep 0.0 for characters left as they stand
        found: dict[str, float] = {}
        choices = [_LEADS[len(sequence)] if i == 0 else _CONTINUATIONS for i in lost]
        for values in itertools.product(*choices):
            filled = bytearray(sequence)
            for i, value in zip(lost, values):
                filled[i] = value
            with_next = bytes(filled) + after
            if any(
                _reads(self.codec, with_next[i : i + 1]) or _reads(self.codec, with_next[i : i + 2]) for i in lost
            ):
                continue
            char = _decode_char(bytes(filled))
            if char is not None:
                # No bonus for a character the text holds intact elsewhere, unlike through a
                # single-byte page: the choices here are mostly between common kana ("は" or
                # "の"), each intact somewhere, and the bonus outweighed the analyser's grammar.
                found[char] = prior
        return list(found.items())


def _refine(model: LanguageModel, reading: str, slots: Slots, line: tuple[str, str], near: set[str]) -> str:
    """``reading`` of a Japanese or Korean run decided again, one character at a time and then
    two neighbours at a time, by how likely the language's analyser finds the sentence around
    each of their candidates."""
    # The run's language: its own reading tells, where the characters near it do not.
    kinds = near | {_kind(char) for char in reading}
    language = next((kind for kind in _ANALYSED if kind in kinds), "")
    score = sentence_score(language)
    if score is None:
        return reading
    kinds = _ANALYSED[language]

    def both(text: str) -> float:
        return _fixed_score(model, text) + _ANALYSED_WEIGHT * score(text)

    chars = list(reading)
    # What follows the run up to the next character that is not ASCII (in a damaged text, the
    # next damaged run).
    after = re.match(r"[\x00-\x7f]*", line[1]).group()

    def options(i: int, most: int) -> dict[str, float]:
        """The likeliest few of the language's candidates for character ``i``, and the one it
        stands as now; none where it has no others."""
        candidates = slots[i][0]
        if len(candidates) < 2 or _kind(chars[i]) not in kinds:
            return {}
        ranked = sorted(
            ((prior + model.char(char), char, prior) for char, prior in candidates if _kind(char) in kinds),
            reverse=True,
        )
        floor = ranked[0][0] - _ANALYSED_SPREAD  # the run's own reading is one of them
        found = {char: prior for rank, char, prior in ranked[:most] if rank >= floor}
        found.setdefault(chars[i], dict(candidates)[chars[i]])
        return found if len(found) > 1 else {}

    try:
        # Two neighbours at a time finds a word that no single change makes ("起きて、" from
        # "起きユダ": "起きてダ" and "起きユ、" are no likelier than what stands).
        for span, most in ((1, _ANALYSED_OPTIONS), (2, _ANALYSED_PAIR_OPTIONS)):
            for i in range(len(slots) - span + 1):
                choices = [options(k, most) for k in range(i, i + span)]
                if not all(choices):
                    continue
                # The sentence around the characters, as far as the reach.
                head = _SENTENCE_END.split(line[0] + "".join(chars[max(0, i - _ANALYSED_REACH) : i]))[-1]
                tail = _SENTENCE_END.split("".join(chars[i + span : i + span + _ANALYSED_REACH]) + after)[0]
                head, tail = head[-_ANALYSED_REACH:], tail[:_ANALYSED_REACH]
                scores = {}
                for combo in itertools.product(*(choice.items() for choice in choices)):
                    text = "".join(char for char, _ in combo)
                    scores[text] = sum(prior for _, prior in combo) + both(head + text + tail)
                best = max(scores, key=scores.__getitem__)
                if scores[best] > scores["".join(chars[i : i + span])] + _ANALYSED_MARGIN:
                    chars[i : i + span] = best
    except (UnicodeError, ValueError, RuntimeError):
        return reading  # text the analyser cannot take (a lone surrogate): the first reading stands
    return "".join(chars)


def _balanced(
    model: LanguageModel, lattice: list[Candidates], span: tuple[int, int], best: tuple[float, str],
    line: tuple[str, str], before: str,
) -> tuple[float, str]:
    """The ``best`` reading of ``lattice``, or, where its run (``span`` of it) leaves a bracket of
    its line open (or closes one never opened), the likeliest reading with one of the run's
    characters the missing half, unless that is far less likely.  A pair's bonus is each
    character's own: "「苹果、香蕉」" needs one "」" of the candidates "、" shares with it, and
    only the whole line tells which."""
    start, end = span
    head, rest = line
    score, reading = best
    for opening, closing in zip(_PAIRS[::2], _PAIRS[1::2]):
        opened, unopened = _unmatched(head + reading[start:end] + rest, opening, closing)
        if not opened and not unopened:
            continue
        # The missing half goes after the last bracket left open, or before the first closed
        # without opening (positions in the run).
        wanted = closing if opened else opening
        bound = opened[-1] - len(head) if opened else unopened[0] - len(head)
        # A line's last sentence end stays (but for a second one, "。。"): a quote may run on into
        # the next paragraph, which opens with "「" again and only the last closes.
        closing_end = _SENTENCE_END.match(reading[end - 1]) and not _SENTENCE_END.match(reading[end - 2 : end - 1])
        last = end - 1 if closing_end and not rest.strip() else end
        places = [
            (i, prior)
            for i in range(start, last)
            if reading[i] != wanted and (i - start > bound if opened else i - start < bound)
            for char, prior in lattice[i]
            if char == wanted
        ]
        # The places nearest the bracket: each is a search of the whole run.
        places = places[:_BALANCE_PLACES] if opened else places[-_BALANCE_PLACES:]
        options = [_viterbi(model, [*lattice[:i], [(wanted, prior)], *lattice[i + 1 :]], before) for i, prior in places]
        if options and (option := max(options))[0] > score - _UNBALANCED_COST:
            score, reading = option
    return score, reading


def _unmatched(text: str, opening: str, closing: str) -> tuple[list[int], list[int]]:
    """The positions of the brackets of ``text`` left open, and of those closed without opening."""
    opened: list[int] = []
    unopened: list[int] = []
    for at, char in enumerate(text):
        if char == opening:
            opened.append(at)
        elif char == closing and opened:
            opened.pop()
        elif char == closing:
            unopened.append(at)
    return opened, unopened


def _pair_run(slots: Slots, others: list[str], line: tuple[str, str]) -> Slots:
    """The slots with :func:`_pair_brackets` applied, each seeing ``others`` (one character per
    slot, "" where unknown) and the rest of its line around it, as far as a run looks."""
    paired = []
    for i, (candidates, lost) in enumerate(slots):
        if len(candidates) > 1:
            before = (line[0] + "".join(others[max(0, i - _LINE_REACH) : i]))[-_LINE_REACH:]
            after = ("".join(others[i + 1 : i + 1 + _LINE_REACH]) + line[1])[:_LINE_REACH]
            candidates = _pair_brackets(candidates, before, after)
        paired.append((candidates, lost))
    return paired


def _pair_brackets(candidates: Candidates, before: str, after: str) -> Candidates:
    """Favour an opening bracket or quote that a later one on its line is left waiting for, a
    closing one that an earlier one waits for, and an emoji whose name the line has just said
    ("a rainbow 🌈"); disfavour a mathematical operator without the operands it needs."""
    if len(candidates) == 1:
        return candidates
    words = set(_WORD.findall(before[-_NAME_REACH:].lower()))
    paired = []
    for char, prior in candidates:
        index = _PAIRS.find(char)
        if index >= 0:
            opening, closing = _PAIRS[index & ~1], _PAIRS[index | 1]
            if index % 2 == 0:
                waiting = after.count(closing) - after.count(opening)
            else:
                waiting = before.count(opening) - before.count(closing)
            if waiting > 0 or (opening == closing and (before + after).count(char) % 2):
                prior += _PAIRED_BONUS
        elif words and words & emoji_name_words(char):
            prior += _NAMED_BONUS
        elif not _has_operands(char, before, after):
            prior -= _NO_OPERAND_COST
        paired.append((char, prior))
    return paired


# A damaged operator's candidates are other operators of its block ("∞", "∈", "√" all lose both
# continuation bytes through cp1253), and where each may stand tells them apart: relations of sets
# and logic between two operands ("x ∈ A", "A∪B"), prefix operators right before one ("√x",
# "∀n"), and symbols that are operands not glued to a letter ("∞x").  ("≈" or "≥" may open a
# phrase, "≈ 5 min", and so are left out.)
_RELATIONS = frozenset("∈∉∋⊂⊆⊃⊇⊄∪∩∧∨≡")
_PREFIXES = frozenset("√∛∑∏∫∮∂∇∀∃∄¬")
_OPERANDS = frozenset("∞∅ℝℕℤℚℂ")
_NO_OPERAND_COST = 6.0


def _has_operands(char: str, before: str, after: str) -> bool:
    """Whether ``char`` has the operands it needs between ``before`` and ``after`` on its line: a
    relation one on each side (not an opening bracket or a superscript's caret on the left, nor
    closing punctuation on the right), spaced alike ("x ∈ A", not "^∈", "→ ∈." or " ∈x"); a
    prefix operator one right after it ("√x", not "√ e" or "√."); an operand no letter glued on."""
    right = after.lstrip(" ")[:1]
    if char in _RELATIONS:
        return (
            before.rstrip(" ")[-1:] not in ("", *"([{^_", *_RELATIONS)
            and right not in ("", *_CLOSING, *_RELATIONS)
            and before.endswith(" ") == after.startswith(" ")
        )
    if char in _PREFIXES:
        return right not in ("", *_CLOSING, *_RELATIONS) and not after.startswith(" ")
    if char in _OPERANDS:
        return not after[:1].isalpha()
    return True


_CLOSING = ".,;:!?)]}"


def _clean_word(word: str) -> bool:
    """A word that is surely clean text, though a code page spells UTF-8 structure with it.

    Cyrillic words do so all the time ("вії", "её" in cp1251), while damage through cp1251 seldom
    spells a word cased as words are (its two-byte leads are capitals: "РґР°"); in Latin or Greek
    letters it may ("Dziƒôkujƒô" through MacRoman), so there only a known word is surely clean.
    Punctuation beside a word of two letters or more is no part of it ("σκύλο·", "«λέξη»" spell
    structure through cp1253)."""
    bare = _EDGE_PUNCTUATION.sub("", word)
    if bare != word and len(bare) < 2:
        return False
    return _plausible_word(bare) and (_kind(bare[-1]) == "cyrillic" or default_model().word(bare) is not None)


_EDGE_PUNCTUATION = re.compile(r"^[^\w\s]+|[^\w\s]+$")


def _plausible_word(word: str) -> bool:
    """Letters of one script, cased as words are ("вії", "Её", "ЗИМА"; not "РґР°" or "Ã©")."""
    kinds = {"latin" if char.isascii() else _kind(char) for char in word}
    return (
        word.isalpha()
        and len(kinds) == 1
        and kinds <= {"latin", "greek", "cyrillic"}
        and (word.islower() or word.istitle() or word.isupper())
    )


def _coherent(candidates: Candidates, near: set[str]) -> Candidates:
    """Favour the candidates of the kinds of the intact characters ``near`` them."""
    if len(candidates) == 1 or not near:
        return candidates
    return [(char, prior + _KIND_BONUS * (_kind(char) in near)) for char, prior in candidates]


# Runs in the languages that an analyser scores (vaultsite.morphology), by a kind of character in
# the run or near it, and the kinds of their characters it decides.
_ANALYSED = {"kana": {"kana", "cjk"}, "hangul": {"hangul"}}
_ANALYSED_OPTIONS = 12  # candidates of one character put to the analyser, at most
_ANALYSED_PAIR_OPTIONS = 4  # and of each of two neighbours
_ANALYSED_SPREAD = 4.0  # and only those this much less likely alone than the likeliest
_ANALYSED_REACH = 8  # characters of sentence on each side of it
_ANALYSED_WEIGHT = 0.6  # of the analyser's score, beside the model's
# How much better another candidate must score to replace the one the Viterbi search chose.
_ANALYSED_MARGIN = 1.0
# Where a sentence ends (and control characters, which no sentence holds).
_SENTENCE_END = re.compile(r"[。！？!?\x00-\x1f\x7f]")


# The kinds of character a line keeps to, by Unicode block (from Unicode's Blocks.txt): the
# blocks of one writing system or of one notation share a kind ("ⁿ", "ℝ" and "∫" are all
# mathematics; ideographs and CJK punctuation are Chinese or Japanese, and kana Japanese); other
# blocks are kinds of their own, and emoji one kind whatever their block.
_KINDS = (
    (0x0000, "ascii"), (0x0080, "latin"), (0x02B0, "modifiers"), (0x0300, "combining"),
    (0x0370, "greek"), (0x0400, "cyrillic"), (0x0530, "other"), (0x1100, "hangul"),
    (0x1200, "other"), (0x1E00, "latin"), (0x1F00, "greek"), (0x2000, "punctuation"),
    (0x2070, "math"), (0x20A0, "currency"), (0x20D0, "combining"), (0x2100, "math"),
    (0x2150, "number forms"), (0x2190, "arrows"), (0x2200, "math"), (0x2300, "technical"),
    (0x2400, "control pictures"), (0x2440, "other"), (0x2460, "enclosed"), (0x2500, "boxes"),
    (0x25A0, "shapes"), (0x2600, "symbols"), (0x2700, "dingbats"), (0x27C0, "math"),
    (0x27F0, "arrows"), (0x2800, "braille"), (0x2900, "arrows"), (0x2980, "math"),
    (0x2B00, "symbols"), (0x2C00, "other"), (0x2E00, "punctuation"), (0x2E80, "radicals"),
    (0x3000, "cjk"), (0x3040, "kana"), (0x3100, "other"), (0x3130, "hangul"), (0x3190, "other"),
    (0x3200, "enclosed"), (0x3300, "cjk compatibility"), (0x3400, "cjk rare"), (0x4DC0, "other"),
    (0x4E00, "cjk"), (0xA000, "other"), (0xAC00, "hangul"), (0xD7B0, "other"),
    (0xF900, "cjk compatibility"), (0xFB00, "other"), (0xFF00, "cjk"), (0xFFF0, "other"),
    (0x1F000, "symbols"), (0x20000, "cjk rare"),
)
_KIND_STARTS = tuple(start for start, _ in _KINDS)
_EAST_ASIAN_KINDS = frozenset({"cjk", "cjk rare", "cjk compatibility", "radicals", "kana", "hangul"})


@lru_cache(maxsize=8192)
def _kind(char: str) -> str:
    """What kind of character ``char`` is: its writing system, notation or emoji."""
    if is_emoji(char):
        return "emoji"
    kind = _KINDS[bisect_right(_KIND_STARTS, ord(char)) - 1][1]
    if kind != "arrows" and unicodedata.category(char) == "Sm":
        return "math"  # "¬", "±", "×" of Latin-1, "⁻" among the superscripts
    return kind


def _decode_char(data: bytes, byte_chars: frozenset[str] = frozenset()) -> str | None:
    """The character ``data`` spells in UTF-8, if an author may have written it (or it is one of
    ``byte_chars``)."""
    try:
        char = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if unicodedata.category(char) in ("Cn", "Co", "Cs", "Cc") and char not in byte_chars:
        return None  # unassigned, private-use or control: never what an author wrote
    return char


def _viterbi(model: LanguageModel, lattice: list[Candidates], before: str = "") -> tuple[float, str]:
    """The most probable text through ``lattice`` (one candidate list per position)."""
    return _Search(model, lattice, before).best()


_State = tuple[float, int, object, str]
_Token = tuple[int, str, float]  # (end, text, score) of a word or single character


class _Search:
    """The search for the most probable text through a lattice (one candidate list per position).

    Tokens are known words (found by walking the candidates along the model's word prefixes) or
    single characters; the state is (position, class of the last character) so that the emoji
    grammar and the Chinese character pairs can score each character against the one before it.
    """

    def __init__(
        self, model: LanguageModel, lattice: list[Candidates], before: str = "", guessing: bool = False
    ) -> None:
        """The forward pass; ``guessing`` keeps what :meth:`guesses` needs of it."""
        self.model = model
        self.lattice = lattice
        size = len(lattice)
        # Per position, per class of last character (follower_class): the best score, where its
        # last token started, the class before it, and the token.
        self.states: list[dict[object, _State]] = [{} for _ in range(size + 1)]
        self.states[0][follower_class(before)] = (0.0, -1, None, before)
        self.tokens: list[list[_Token]] = [[] for _ in lattice]  # per position, those starting there
        # Per position, per class of last character: the score of each token from there.
        self.steps: list[dict[object, list[float]]] = [{} for _ in lattice]
        for i in range(size):
            if not self.states[i]:
                continue
            tokens = self.tokens[i] = _tokens(model, lattice, i)
            followings = [follower_class(token[-1]) for _, token, _ in tokens]
            for key, (score, _, _, previous) in self.states[i].items():
                last = previous[-1:]
                steps = [self._step(last, token, token_score) for _, token, token_score in tokens]
                if guessing:
                    self.steps[i][key] = steps
                for (end, token, _), following, step in zip(tokens, followings, steps):
                    if score + step > self.states[end].get(following, (-math.inf,))[0]:
                        self.states[end][following] = (score + step, i, key, token)

    def best(self) -> tuple[float, str]:
        """The most probable text, and its score."""
        key, (score, *_) = max(self.states[-1].items(), key=lambda item: item[1][0])
        return score, self._path(len(self.lattice), key)

    def _step(self, last: str, token: str, token_score: float) -> float:
        """The score of ``token`` after the character ``last``."""
        return token_score - _TOKEN_COST + pair_score(last, token[0]) + self.model.pair(last, token[0])

    def _path(self, position: int, key: object) -> str:
        """The text of the best path to the state (``position``, ``key``)."""
        pieces = []
        while position > 0:
            _, previous, key, token = self.states[position][key]
            pieces.append(token)
            position = previous
        return "".join(reversed(pieces))

    def guesses(self, reading: str, span: tuple[int, int]) -> list[tuple[int, int, str]]:
        """Where ``reading``, the repair of ``lattice[span[0]:span[1]]``, chose between readings
        the model finds about as likely: (start, end, the other reading) of each such stretch,
        positions counted in the span.  A position with one candidate is no choice; of those with
        more, the best path through each other candidate is weighed against the best through the
        one chosen (the forward pass and a backward one meet at the token through it)."""
        lattice, states, size = self.lattice, self.states, len(self.lattice)
        choices = [span[0] <= position < span[1] and len(lattice[position]) > 1 for position in range(size)]
        if not any(choices):
            return []
        # The backward pass: per position, per class of the last character before it, the best
        # score to the end, the end of the next token, the class after it, and the token.
        rest: list[dict[object, _State]] = [{} for _ in range(size + 1)]
        rest[size] = dict.fromkeys(states[size], (0.0, size, None, ""))
        # Per position, per candidate: the best score of a whole path through it, and its token
        # there (with the state it starts from).
        through: list[dict[str, _State]] = [{} for _ in range(size)]
        for i in reversed(range(size)):
            # What does not depend on the state a token follows: the best after it, and the
            # choices it makes.
            ahead = []
            for index, (end, token, _) in enumerate(self.tokens[i]):
                following = follower_class(token[-1])
                if following in rest[end]:
                    made = [(i + offset, char) for offset, char in enumerate(token) if choices[i + offset]]
                    ahead.append((index, end, token, following, rest[end][following][0], made))
            for key, (score, *_) in states[i].items():
                steps = self.steps[i][key]
                top: _State = (-math.inf, size, None, "")
                for index, end, token, following, after, made in ahead:
                    total = steps[index] + after
                    if total > top[0]:
                        top = (total, end, following, token)
                    for position, char in made:
                        if score + total > through[position].get(char, (-math.inf,))[0]:
                            through[position][char] = (score + total, i, key, token)
                rest[i][key] = top
        close = []
        for position in range(*span):
            chosen = reading[position - span[0]]
            if not choices[position] or chosen not in through[position]:
                continue
            others = [state for char, state in through[position].items() if char != chosen]
            if not others:
                continue
            score, i, key, token = max(others, key=lambda state: state[0])
            margin = through[position][chosen][0] - score
            if margin >= _GUESS_MARGIN:
                continue
            other = self._path(i, key) + token
            end, key = i + len(token), follower_class(token[-1])
            while end < size:
                _, end, key, token = rest[end][key]
                other += token
            other = other[span[0] : span[1]]
            # The choice is the stretch around the position that the two readings spell
            # differently (a Japanese run, decided again by its analyser, may differ elsewhere).
            start = stop = position - span[0]
            while start > 0 and reading[start - 1] != other[start - 1]:
                start -= 1
            while stop < len(reading) and reading[stop] != other[stop]:
                stop += 1
            close.append((margin, start, stop, other[start:stop]))
        # Of overlapping stretches, the closest call.
        guesses: list[tuple[int, int, str]] = []
        for _, start, stop, other in sorted(close):
            if all(stop <= taken_start or start >= taken_stop for taken_start, taken_stop, _ in guesses):
                guesses.append((start, stop, other))
        return sorted(guesses)


def _fixed_score(model: LanguageModel, text: str) -> float:
    """The model's score of ``text`` as it stands."""
    return _viterbi(model, [[(char, 0.0)] for char in text])[0]


def _tokens(model: LanguageModel, lattice: list[Candidates], start: int) -> list[tuple[int, str, float]]:
    """(end, text, score) of every word or single character that can start at ``start``."""
    tokens = []
    for char, prior in lattice[start]:
        tokens.append((start + 1, char, prior + model.char(char)))
    stack = [(start + 1, char, prior) for char, prior in lattice[start] if model.is_prefix(char)]
    while stack:
        position, text, prior = stack.pop()
        if position == len(lattice):
            continue
        for char, char_prior in lattice[position]:
            longer = text + char
            internal = prior + char_prior + pair_score(text[-1], char)
            score = model.word(longer)
            if score is not None:
                tokens.append((position + 1, longer, internal + score))
            if model.is_prefix(longer):
                stack.append((position + 1, longer, internal))
    return tokens
