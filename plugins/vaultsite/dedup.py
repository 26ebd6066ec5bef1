"""Versions of one note: group them, choose the canonical one, show what each adds.

Pure: (path, text, facts) in, groups and Markdown out; nothing here knows MkDocs.

Title
    Front matter ``title``, else the first ``# `` heading outside code, else the file name.
    Each note is known by up to two *names*: its title and its file name less any copy marker.
    A name's key is NFKC, casefolded, with everything that is not a letter, digit or combining
    mark (punctuation, emoji, symbols, joiners) turned into a space: ``"🧬 Deep-Learning (Neural
    Network)"`` and ``"deep learning neural network"`` have the same key.

Copy markers (file names only, repeated until none is left, never down to nothing; links.strip_copy_marker)
    Always stripped: Syncthing ``.sync-conflict-20240501-123456-ABCD``, ownCloud
    ``_conflict-20240501-123456``, OneDrive ``-DESKTOP-1A2B3C``, a numbered ``(1)`` and any
    parenthetical that says copy or conflict: ``(conflicted copy 2024-05-01)``, ``(Ann's
    conflicted copy …)``, ``(Windows copy)``, ``(Copy 2)``, and Windows' ``- Copy`` / ``- Copy (2)``.
    Stripped only when the unmarked name exists in the same folder (they are legitimate titles
    too): a trailing number (``Note 2`` beside ``Note``, but ``Lecture 2`` stays) and macOS'
    ``copy`` / ``copy 2`` (``Deep copy`` stays). A legitimate parenthetical such as ``Deep
    Learning (Neural Network)`` is never touched.

Titles match
    when two names have the same key, or, for keys of at least 8 letters and digits, when deleting
    at most one character from each makes them equal (one missing, extra, wrong or swapped letter:
    ``Neual``/``Neural``) *and* their digits are the same (a typo never changes a number:
    ``Lecture 11`` is not ``Lecture 12``). Found through an index of each key and its one-character
    deletions, so only notes with matching names are ever compared.

Content
    The body (without front matter and the title heading) as NFKC-casefolded tokens: words, and
    each CJK character on its own; its shingles are the runs of 3 tokens. A note with fewer than
    8 shingles is too small to judge and joins a group only as a token-for-token copy, in the same
    folder, of a note whose name it shares (``Untitled.md`` and ``Untitled 1.md``); two stub
    ``Index`` notes in different folders stay apart.

Notes are versions of one note
    - when their titles match and at least 25% of the smaller note's shingles are in the other
      (an older, shorter version keeps its links and lines: 003 shares 51% of its text with 001);
    - or, whatever their names, when both have at least 20 shingles and their shingle sets are
      near-identical (Jaccard >= 0.8): copies, exports, repaired mojibake copies;
    - but never when their names both hold numbers, and other ones: daily notes of one template,
      ``2024-01-01`` and ``2024-01-02``, are a series (``Note 01`` and ``Note 1`` are one number). Candidates come
      from MinHash LSH (one-permutation hashing into 256 bins, 36 bands of 7) and every candidate
      pair is then checked exactly, so a collision never merges notes; a pair at Jaccard 0.8 is
      missed with probability about 0.02% (at 0.9, 7 in 10^11; less still for notes of under a
      few hundred shingles, whose many empty bins borrow from their neighbours), while two long
      notes at Jaccard 0.3 (written from one template, say) are compared with probability 0.8%;
    - and transitively: versions of versions are one group.
    Two notes that share a title but not their text (two ``README``s) are not versions.

Canonical version
    Ranked by, in order: a repaired copy never beats a clean one; newer beats older; the longer
    (more non-space characters of body) beats the shorter; a file name without a copy marker
    beats one with; the path that sorts first. "Newer" uses the most authoritative time that
    *every* note of the group has: the latest front matter
    ``updated``/``modified``/``last_modified``/``lastmod``/``date``, else the last commit time, else
    the file time; times count to the minute (a checkout writes files seconds apart, and in a
    fresh clone file times say nothing: pass ``git_time``). The other versions follow in the same
    order.

Cost
    Roughly linear in the vault: one pass to compute names and shingles (as arrays of hashes;
    the shingles on several processes where `workers` allows),
    sorting to find candidates; exact comparisons only of stubs with the same tokens, of notes
    that share a name and at least one shingle, and within an LSH bucket.
"""

from __future__ import annotations

import datetime as dt
import gc
import html
import posixpath
import re
import unicodedata
import zlib
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property
from itertools import chain, combinations
from typing import Iterable, NamedTuple, Sequence

import numpy as np

from . import frontmatter, parallel
from .links import folded_names, strip_copy_marker, titles_note
from .slugs import WORD

SHINGLE = 3              # tokens per shingle
MIN_SHINGLES = 8         # below this a note is a stub: grouped only as a same-folder copy
MIN_CONTENT_ONLY = 20    # both notes need this many shingles to be grouped on content alone
TITLE_CONTAINMENT = 0.25  # share of the smaller note's shingles found in the other
COPY_JACCARD = 0.8       # near-identical content, whatever the names
FUZZY_MIN_CHARS = 8      # a typo is tolerated in keys of at least this many letters and digits
BINS, BANDS, ROWS = 256, 36, 7  # MinHash: 256 one-permutation bins, the first 252 banded 36 x 7
_BIN_BITS = 8            # log2(BINS): a mixed hash's top bits are its bin
_LOW = np.uint64((1 << (64 - _BIN_BITS)) - 1)   # a mixed hash less its bin
_EMPTY = np.uint64((1 << 64) - 1)   # no hash in the bin (above any hash less its bin)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_CHUNK = 1024            # notes MinHashed at once: bounds the arrays of all their shingles
_DATE_KEYS = ("updated", "modified", "last_modified", "lastmod", "date")


@dataclass(frozen=True)
class NoteVersion:
    path: str            # vault-relative path, e.g. "a/b/Deep Learning (Neural Network).md"
    text: str            # the (already mojibake-repaired) Markdown, front matter included
    repaired: bool       # True when the text was repaired from mojibake / legacy encoding
    mtime: float         # file modification time (fallback for "newer")
    git_time: float | None = None   # last commit time if known


@dataclass(frozen=True)
class Group:
    canonical: str                 # path of the canonical version
    versions: tuple[str, ...]      # the other paths, most relevant first
    reasons: tuple[str, ...]       # human sentences: why grouped, why this one is canonical


# --- titles and names --------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H1 = re.compile(r"^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")

def split_front_matter(text: str) -> tuple[dict, str]:
    """The front matter as a dict ({} when absent or not a mapping) and the body after it."""
    front = frontmatter.split(text.replace("\r\n", "\n"))
    return front.meta, front.body


def _code_fence(fence: str | None, line: str) -> tuple[str | None, bool]:
    """The fence still open after `line` (given the one open before it), and whether `line` is
    part of fenced code (its fences included)."""
    opened = _FENCE.match(line)
    if fence:
        closes = opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence)
        return (None if closes else fence), True
    return (opened.group(1), True) if opened else (None, False)


def _first_h1(body: str) -> tuple[str, int] | None:
    """The first `# ` heading outside fenced code and the index of its line."""
    fence = None
    for number, line in enumerate(body.split("\n")):
        fence, in_code = _code_fence(fence, line)
        if not in_code:
            match = _H1.match(line.rstrip("\r"))
            if match and match.group(1).strip():
                return match.group(1).strip(), number
    return None


def _title(path: str, meta: dict, h1: tuple[str, int] | None) -> str:
    """The title versions are matched by: front matter `title`, else the first `# ` heading where
    it may title the note (a template's `# Meta` may not: notes of one template were versions),
    else the file name, as the site titles the note (see plugin._page_title)."""
    if (title := frontmatter.title(meta)) is not None:
        return title
    return h1[0] if h1 and titles_note(h1[0], path) else _stem(path)


class _KeyChars(dict):
    """The str.translate table of title keys: a letter, digit or combining mark stays, any other
    character becomes a space. Filled as characters are met, so each is classified once."""

    def __missing__(self, code: int) -> str:
        kept = self[code] = chr(code) if unicodedata.category(chr(code))[0] in "LNM" else " "
        return kept


_KEY_CHARS = _KeyChars()


def title_key(title: str) -> str:
    """Unicode-normalized, casefolded, emoji- and punctuation-free: what titles are matched by."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", title).casefold())
    return " ".join(text.translate(_KEY_CHARS).split())


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    return name[:-3] if name.lower().endswith(".md") else posixpath.splitext(name)[0]


class _Name(NamedTuple):
    key: str
    variants: frozenset[str]    # what the name is indexed by: see _name
    fuzzy: bool                 # long enough for a typo to be tolerated


def _name(key: str) -> _Name:
    """The key's variants: the key and, if it is long enough for a typo, every string one
    character shorter, each tagged with the key's digits (a typo never changes a number). Two
    fuzzy keys are one typo apart, with the same digits, exactly when they share a variant."""
    tag = "\t" + "".join(ch for ch in key if ch.isdigit())  # keys have no tabs
    if len(key.replace(" ", "")) < FUZZY_MIN_CHARS:
        return _Name(key, frozenset((key + tag,)), False)
    shorter = [key[:i] + key[i + 1:] + tag for i in range(len(key))]
    return _Name(key, frozenset([key + tag, *shorter]), True)


# --- content -----------------------------------------------------------------------------------



def _token_ids(text: str, vocabulary: dict[str, int]) -> list[int]:
    tokens = WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    ids = list(map(vocabulary.get, tokens))  # in C: after a few notes, most words are known
    if None in ids:  # new words are hashed one by one
        for token in set(tokens).difference(vocabulary):
            vocabulary[token] = zlib.crc32(token.encode("utf-8"))
        ids = list(map(vocabulary.__getitem__, tokens))
    return ids


def _shingles(ids: list[int]) -> np.ndarray:
    """The distinct hashes of the runs of SHINGLE = 3 token ids (a shorter text is one run),
    sorted: an array takes an eighth of the memory of a set of ints."""
    if not ids:
        return np.empty(0, np.uint64)
    a = np.array(ids + [0] * (SHINGLE - len(ids)), np.uint64)
    # Two 32-bit ids side by side, mixed, then the third: equal hashes mean equal runs, but for a
    # chance of about 2**-64.
    runs = ((a[:-2] << np.uint64(32) | a[1:-1]) * _MIX ^ a[2:]) * _MIX
    runs.sort()
    return runs[np.concatenate(([True], runs[1:] != runs[:-1]))]


def _common(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values share."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    found = np.searchsorted(b, a)
    return int(np.count_nonzero(b[np.minimum(found, len(b) - 1)] == a))


def _band_keys(sets: Sequence[np.ndarray]) -> np.ndarray:
    """One-permutation MinHash of each set, as a (len(sets), BANDS) array of band keys: two sets
    share a band's key when their signatures agree in all its ROWS bins (or, rarely, by chance).

    A set's signature is the smallest mixed hash in each of BINS ranges of the hash space; an
    empty bin borrows the value of the next full one (cyclically), tagged with its distance."""
    sizes = np.fromiter(map(len, sets), np.int64, len(sets))
    mixed = np.concatenate(sets) * _MIX  # modulo 2**64: a multiplicative hash
    bins = (mixed >> np.uint64(64 - _BIN_BITS)).astype(np.int64)
    minima = np.full((len(sets), BINS), _EMPTY)
    np.minimum.at(minima, (np.repeat(np.arange(len(sets)), sizes), bins), mixed & _LOW)
    # The next full bin at or after each bin: the least full position at or after it in the
    # row laid twice end to end (so the search wraps around); every set has a full bin.
    position = np.arange(2 * BINS, dtype=np.int16)
    full = np.where(np.tile(minima != _EMPTY, 2), position, 2 * BINS)
    source = np.minimum.accumulate(full[:, ::-1], axis=1)[:, ::-1][:, :BINS]
    signature = ((np.take_along_axis(minima, source % BINS, axis=1) << np.uint64(_BIN_BITS))
                 | (source - position[:BINS]).astype(np.uint64))
    rows = signature[:, :BANDS * ROWS].reshape(len(sets), BANDS, ROWS)
    # A band's keys start from its number, so two bands never share a key.
    keys = np.tile(np.arange(BANDS, dtype=np.uint64), (len(sets), 1))
    for row in range(ROWS):
        keys = (keys ^ rows[:, :, row]) * _MIX
    return keys


# --- per-note facts ----------------------------------------------------------------------------

@dataclass
class _Facts:
    note: NoteVersion
    title: str
    names: tuple[_Name, ...]
    shown: dict[str, str]      # key -> the name as written (title, or file name less its marker)
    folder: str
    stem_key: str
    copy_name: bool            # the file name carried a copy marker
    shingles: np.ndarray      # sorted distinct uint64 hashes
    tokens: tuple[int, ...] | None   # a stub's tokens (all a stub is compared by), else None
    meta_time: float | None

    @cached_property
    def length(self) -> int:
        """Non-space characters of the body: only ranking a group needs it, so only groups pay."""
        return sum(map(len, _content(self.note)[2].split()))


def _meta_time(meta: dict) -> float | None:
    times = [t for t in (_timestamp(meta.get(k)) for k in _DATE_KEYS) if t is not None]
    return max(times) if times else None


def _timestamp(value: object) -> float | None:
    if isinstance(value, str):  # (front matter keeps a date as written: see frontmatter._Loader)
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:  # one YAML reads otherwise (`2024-08-09 10:30:00 +8`)
            value = frontmatter.yaml_time(value)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp()
    return None


def _facts(notes: Sequence[NoteVersion], workers: int = 1) -> list[_Facts]:
    """Everything grouping needs of each note, computed once, notes sorted by path; the notes'
    shingles on up to `workers` processes (most of the time goes into them)."""
    notes = sorted(notes, key=lambda n: n.path)
    stems: dict[str, list[str]] = defaultdict(list)
    for note in notes:
        stems[posixpath.dirname(note.path)].append(_stem(note.path))
    folded = {folder: folded_names(names) for folder, names in stems.items()}  # once, not once a note
    contents = [_content(note) for note in notes]
    vocabulary: dict[str, int] = {}  # each process grows its own copy

    def shingled(body: str) -> tuple[np.ndarray, tuple[int, ...] | None]:
        ids = _token_ids(body, vocabulary)
        shingles = _shingles(ids)
        return shingles, tuple(ids) if len(shingles) < MIN_SHINGLES else None

    shingles_of = parallel.map_ordered(shingled, [body for _, _, body in contents], workers)
    facts = []
    for note, (meta, title, _), (shingles, tokens) in zip(notes, contents, shingles_of):
        folder, stem = posixpath.dirname(note.path), _stem(note.path)
        bare = strip_copy_marker(stem, folded[folder])
        bare_key = title_key(bare)
        keys = {title_key(title): title}
        keys.setdefault(bare_key, bare)
        keys.pop("", None)
        facts.append(_Facts(
            note=note, title=title, names=tuple(_name(k) for k in keys), shown=keys, folder=folder,
            stem_key=bare_key or bare, copy_name=bare != stem, shingles=shingles, tokens=tokens,
            meta_time=_meta_time(meta),
        ))
    return facts


def _content(note: NoteVersion) -> tuple[dict, str, str]:
    """The note's front matter, its title, and its body less the title heading (the title is the
    note's name, not its content)."""
    meta, body = split_front_matter(note.text)
    h1 = _first_h1(body)
    if h1:
        lines = body.split("\n")
        body = "\n".join(lines[:h1[1]] + lines[h1[1] + 1:])
    return meta, _title(note.path, meta, h1), body


# --- evidence ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Evidence:
    kind: str        # "title" (same key), "typo" (one typo apart), "content" (near-identical)
    share: float     # title kinds: share of the smaller note's shingles in the other; content: Jaccard
    names: tuple[str, str] = ("", "")


def _title_match(a: _Facts, b: _Facts) -> tuple[str, str, str] | None:
    """("title"|"typo", key of a, key of b) for the closest pair of names, or None."""
    best = None
    for ka, va, fuzzy_a in a.names:
        for kb, vb, fuzzy_b in b.names:
            if ka == kb:
                return "title", ka, kb
            if best is None and fuzzy_a and fuzzy_b and not va.isdisjoint(vb):
                best = ("typo", ka, kb)
    return best


def _pair_evidence(a: _Facts, b: _Facts) -> _Evidence | None:
    """Why `a` and `b` are versions of one note, or None: the one pairwise rule, used on the
    candidate pairs here and on all pairs by the benchmark's baseline."""
    small, large = sorted((len(a.shingles), len(b.shingles)))
    # Notes whose names hold other numbers are two of a series, however alike, whatever their titles
    # (daily notes of one template, `2024-01-01` and `2024-01-02`; `Lecture 1` and `Lecture 2`).
    if _numbered_apart(a.stem_key, b.stem_key):
        return None
    title = _title_match(a, b)
    if small < MIN_SHINGLES:
        if (title and a.folder == b.folder and a.stem_key == b.stem_key and a.tokens == b.tokens
                and (a.copy_name or b.copy_name)):
            return _Evidence(title[0], 1.0, title[1:])
        return None
    # Jaccard is at most small / large: most pairs need not count their common shingles.
    by_content = small >= MIN_CONTENT_ONLY and small / large >= COPY_JACCARD
    if not (title or by_content):
        return None
    common = _common(a.shingles, b.shingles)
    if title and common >= TITLE_CONTAINMENT * small:
        return _Evidence(title[0], common / small, title[1:])
    if by_content:
        jaccard = common / (small + large - common)
        if jaccard >= COPY_JACCARD:
            return _Evidence("content", jaccard)
    return None


def _numbered_apart(a: str, b: str) -> bool:
    """Whether two name keys both hold numbers, and other ones (`Note 01` is `Note 1`)."""
    numbers = [[int(n) for n in _NUMBERS.findall(unicodedata.normalize("NFKC", key))] for key in (a, b)]
    return all(numbers) and numbers[0] != numbers[1]


_NUMBERS = re.compile(r"\d+")


def _candidates(facts: list[_Facts]) -> set[tuple[int, int]]:
    """The pairs `_pair_evidence` could accept: stubs with the same folder, file name and tokens;
    other notes that share a name variant and a shingle, or an LSH band."""
    stubs: dict[tuple, list[int]] = defaultdict(list)
    named: list[int] = []
    for i, f in enumerate(facts):
        if f.tokens is None:
            named.append(i)
        else:
            stubs[(f.folder, f.stem_key, f.tokens)].append(i)
    groups = {tuple(members) for members in stubs.values() if len(members) > 1}
    # Notes sharing a name variant, found by sorting the variants' hashes (a chance collision
    # only adds a pair to check) rather than by a dictionary of some 30 variants a note.
    variants = [set().union(*(name.variants for name in facts[i].names)) for i in named]
    hashes = np.fromiter(map(hash, chain.from_iterable(variants)), np.int64, sum(map(len, variants)))
    for members in _shared(hashes, np.repeat(np.asarray(named, np.int64), list(map(len, variants)))):
        # Notes that share a name but not a single shingle (READMEs) are not versions: when
        # many share one, finding the few that share text is cheaper than comparing all pairs.
        groups.update((members,) if len(members) == 2 else _sharing(facts, members))
    sizable = [i for i in named if len(facts[i].shingles) >= MIN_CONTENT_ONLY]
    if len(sizable) > 1:
        keys = np.concatenate([_band_keys([facts[i].shingles for i in sizable[k:k + _CHUNK]])
                               for k in range(0, len(sizable), _CHUNK)])
        groups.update(_shared(keys.ravel(), np.repeat(np.asarray(sizable), BANDS)))
    return {pair for members in groups for pair in combinations(members, 2)}  # ascending: i < j


def _sharing(facts: list[_Facts], members: tuple[int, ...]) -> set[tuple[int, ...]]:
    """The notes among `members` (ascending) that hold each shingle held by two or more."""
    sets = [facts[i].shingles for i in members]
    return _shared(np.concatenate(sets), np.repeat(np.asarray(members), list(map(len, sets))))


def _shared(values: np.ndarray, owners: np.ndarray) -> set[tuple[int, ...]]:
    """The distinct tuples of owners that hold one value, for values held by two or more.
    `owners` is ascending (each owner holds a value once, but by a chance collision of hashes),
    and a stable sort keeps each tuple ascending too."""
    order = np.argsort(values, kind="stable")
    values, owners = values[order], owners[order]
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1], [True])))
    runs = np.flatnonzero(np.diff(starts) > 1).tolist()
    return {tuple(owners[starts[run]:starts[run + 1]].tolist()) for run in runs}


def _all_pairs(facts: list[_Facts]) -> Iterable[tuple[int, int]]:
    return combinations(range(len(facts)), 2)


def group_versions(notes: Sequence[NoteVersion], workers: int = 1) -> list[Group]:
    """Groups of two or more notes that are versions of one note, sorted by canonical path;
    the notes' text is read on up to `workers` processes (see parallel.py)."""
    with _gc_paused():
        return _group(_facts(notes, workers), _candidates)


@contextmanager
def _gc_paused():
    """Grouping makes several hundred thousand small objects (names and their variants, tokens),
    none of them cycles; the cyclic garbage collector would walk the ones that live until it ends
    again and again (8% slower at 10,000 notes)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _group(facts: list[_Facts], candidates) -> list[Group]:
    edges: dict[tuple[int, int], _Evidence] = {}
    parent = list(range(len(facts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in candidates(facts):
        found = _pair_evidence(facts[i], facts[j])
        if found:
            edges[(i, j)] = found
            ri, rj = root(i), root(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(facts)):
        members[root(i)].append(i)
    neighbours: dict[int, list[int]] = defaultdict(list)
    for i, j in edges:
        neighbours[i].append(j)
        neighbours[j].append(i)
    groups = [_make_group(facts, m, edges, neighbours) for m in members.values() if len(m) > 1]
    return sorted(groups, key=lambda g: g.canonical)


# --- canonical choice and reasons --------------------------------------------------------------

_SOURCES = ("front matter date", "last commit", "file time")


def _time_source(facts: list[_Facts]) -> int:
    if all(f.meta_time is not None for f in facts):
        return 0
    if all(f.note.git_time is not None for f in facts):
        return 1
    return 2


def _time(f: _Facts, source: int) -> int:
    value = (f.meta_time, f.note.git_time, f.note.mtime)[source]
    return int(value // 60)  # to the minute


def _rank(f: _Facts, source: int) -> tuple:
    return (f.note.repaired, -_time(f, source), -f.length, f.copy_name, f.note.path)


def _make_group(facts: list[_Facts], member_ids: list[int], edges, neighbours) -> Group:
    group = [facts[i] for i in member_ids]
    source = _time_source(group)
    # A copy with the text of a version not named as a copy (a sync client's duplicate, or one that
    # `vaultsite fix --write` repaired) adds nothing: however new, it is not the canonical page.
    originals = {f.note.text for f in group if not f.copy_name}
    duplicates = {i for i in member_ids if facts[i].copy_name and facts[i].note.text in originals}
    order = sorted(member_ids, key=lambda i: (i in duplicates, _rank(facts[i], source)))
    best = facts[order[0]]
    reasons = _grouping_reasons(facts, order, edges, neighbours)
    reasons.append(f"“{best.note.path}” is canonical: " + "; ".join(
        _beats(best, facts[i], source, i in duplicates) for i in order[1:]) + ".")
    return Group(best.note.path, tuple(facts[i].note.path for i in order[1:]), tuple(reasons))


def _grouping_reasons(facts, order: list[int], edges, neighbours) -> list[str]:
    """One sentence per version: the evidence that tied it to the group, found by walking the
    group's edges outwards from the canonical version (best-ranked neighbours first)."""
    position = {i: n for n, i in enumerate(order)}
    seen, queue, sentences = {order[0]}, [order[0]], []
    while queue:
        i = queue.pop(0)
        for j in sorted(neighbours[i], key=lambda k: position.get(k, len(order))):
            if j in seen:
                continue
            seen.add(j)
            queue.append(j)
            found = edges[(min(i, j), max(i, j))]
            names = found.names if j < i else found.names[::-1]
            sentences.append(_describe(facts[j], facts[i], found, names))
    return sentences


def _describe(version: _Facts, other: _Facts, found: _Evidence, names: tuple[str, str]) -> str:
    share = f"{found.share:.0%}"
    if found.kind == "content":
        return (f"“{version.note.path}” has nearly the same text as “{other.note.path}” "
                f"(they share {share} of their three-word runs).")
    mine, theirs = version.shown.get(names[0], ""), other.shown.get(names[1], "")
    if found.kind == "title":
        said = f"the same name as “{other.note.path}” (“{mine}”)"
    else:
        said = f"a name one typo away from that of “{other.note.path}” (“{mine}” / “{theirs}”)"
    return f"“{version.note.path}” has {said}, and {share} of the shorter note's text is in the other."


def _beats(best: _Facts, other: _Facts, source: int, duplicate: bool) -> str:
    name = f"“{other.note.path}”"
    if other.note.repaired and not best.note.repaired:
        return f"{name} was repaired from mojibake and a clean version exists"
    if duplicate:
        newer = _time(other, source) > _time(best, source)
        return f"{name} is a copy with the same text" + (", though newer" if newer else "")
    if _time(best, source) != _time(other, source):
        return (f"it is newer than {name} ({_SOURCES[source]} {_when(best, source)} against "
                f"{_when(other, source)})")
    if best.length != other.length:
        return f"it is longer than {name} ({best.length:,} against {other.length:,} characters)"
    if other.copy_name and not best.copy_name:
        return f"it is as new and as long as {name}, whose file name is a copy's"
    return f"it is as new and as long as {name} and its path sorts first"


def _when(f: _Facts, source: int) -> str:
    moment = dt.datetime.fromtimestamp(_time(f, source) * 60, dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# --- the readable diff -------------------------------------------------------------------------

SIMILAR = 0.6     # a differing line this similar to one the other text lacks is a changed copy of it
NEAR = 10         # ... looked for this many of the other text's differing lines either side, at most
LONGEST = 1000    # the most characters of two lines' changed middles compared one by one

# Default-ignorable characters that are not format characters (those are category Cf): variation
# selectors, the combining grapheme joiner, Hangul fillers, Khmer inherent vowels.
_IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
                        "\U000e0100-\U000e01ef]")


def diff_markdown(canonical_text: str, version_text: str) -> str:
    """What `version_text` has that `canonical_text` lacks, and the reverse, as Markdown.

    Line by line, whatever the order (a moved paragraph is not a difference): each run of
    consecutive lines of one text that the other does not hold anywhere (blank lines and leading
    or trailing spaces never count, NFC; a run keeps at most one blank line in a row) is a
    `<pre>` block, headed by its line number and the heading it sits under, in two sections, "Only
    in this version" and "Only in the canonical version" (level-3 headings, so a page can put its
    own level-2 heading above). The blocks are raw HTML, so nothing of the notes in them renders,
    links, or adds to the table of contents.

    A line that is a changed copy of one the other section shows (the most similar, in the stretch
    where the two texts differ as difflib aligns their lines) has the characters that its copy
    lacks in `<mark>`. There a character that shows as nothing or as blank (a zero-width joiner, a
    variation selector, a byte order mark, a soft hyphen, any format or control character, any
    space but the plain one) or just like the characters it replaces (the same NFKC form: a
    no-break space for a space, Ａ for A) is written as its code point, ⟨U+200D⟩, named in an
    `<abbr>` title: a difference never looks like none.
    """
    version_first, version = _body_lines(version_text)
    canonical_first, canonical = _body_lines(canonical_text)
    ours = _runs(version, version_first, canonical, _changed_copies(version, canonical))
    theirs = _runs(canonical, canonical_first, version, _changed_copies(canonical, version))
    if not ours and not theirs:
        return "This version has the same lines as the canonical version.\n"
    count = lambda runs: sum(len([l for l in r[2] if l]) for r in runs)  # noqa: E731
    parts = [f"Lines only in this version: {count(ours)}. "
             f"Lines only in the canonical version: {count(theirs)}.\n"]
    blocks = {title: [_block(*run) for run in runs]
              for title, runs in (("Only in this version", ours), ("Only in the canonical version", theirs))}
    if any("<mark>" in block for block in chain(*blocks.values())):
        parts.append("Highlighted: what a line has that its changed copy in the other section lacks. "
                     "A character that shows as nothing or looks like another is written as its code "
                     "point, such as ⟨U+200D⟩; hover over it for its name.\n")
    for title, shown in blocks.items():
        if shown:
            parts.append(f"### {title}\n")
            parts.extend(shown)
    return "\n".join(parts)


def _body_lines(text: str) -> tuple[int, list[str]]:
    """The number of the first line after the front matter, and the lines from there."""
    body = split_front_matter(text)[1]
    return text.count("\n", 0, len(text) - len(body)) + 1, body.split("\n")


def _line_key(line: str) -> str:
    return unicodedata.normalize("NFC", line).strip()


def _shown(line: str) -> str:
    return unicodedata.normalize("NFC", line).rstrip()


def _runs(lines: list[str], first: int, other: list[str],
          copies: dict[int, int]) -> list[tuple[int, str, list[str]]]:
    """(first line number, heading above, lines as HTML) for each run of `lines` absent from
    `other`; `copies` maps a line to the line of `other` it is a changed copy of."""
    known = {_line_key(line) for line in other}
    runs: list[tuple[int, str, list[str]]] = []
    current: list[str] | None = None
    heading, fence = "", None
    for i, line in enumerate(lines):
        fence, in_code = _code_fence(fence, line)
        key = _line_key(line)
        if not key:
            if current is not None and current[-1]:
                current.append("")  # blank lines inside a run, at most one in a row
        elif key in known:
            current = None
        else:
            if current is None:
                current = []
                runs.append((first + i, heading, current))
            current.append(_marked(_shown(line), _shown(other[copies[i]]) if i in copies else None))
        if not in_code and re.match(r"^ {0,3}#{1,6}[ \t]", line):
            heading = line.strip().lstrip("#").strip()
    for _, _, shown in runs:
        while shown and not shown[-1]:
            shown.pop()
    return runs


def _changed_copies(lines: list[str], other: list[str]) -> dict[int, int]:
    """For each line of `lines` that `other` lacks, the line it is a changed copy of, if any: the
    most similar (SIMILAR at least) of the lines `other` has and `lines` lacks, in the stretch
    where the two differ (lines aligned as difflib aligns them), NEAR places around it at most."""
    keys, other_keys = [_line_key(l) for l in lines], [_line_key(l) for l in other]
    known, other_known = set(keys), set(other_keys)
    copies: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, keys, other_keys).get_opcodes():
        if tag != "replace":
            continue
        mine = [i for i in range(i1, i2) if keys[i] and keys[i] not in other_known]
        theirs = [j for j in range(j1, j2) if other_keys[j] and other_keys[j] not in known]
        for n, i in enumerate(mine):
            nearby = theirs[max(0, n - NEAR):n + NEAR + 1]
            score, j = max(((_similarity(keys[i], other_keys[j]), j) for j in nearby),
                           key=lambda scored: scored[0], default=(0.0, -1))
            if score >= SIMILAR:
                copies[i] = j
    return copies


def _similarity(a: str, b: str) -> float:
    """difflib's ratio: twice the characters the two have in common, over both lengths."""
    if 2 * min(len(a), len(b)) < SIMILAR * (len(a) + len(b)):
        return 0.0  # too different in length to be that similar
    same = sum(i2 - i1 for tag, i1, i2, _, _ in _char_opcodes(a, b) if tag == "equal")
    return 2 * same / (len(a) + len(b))


def _char_opcodes(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from `a` to `b`, character by character. Only what lies between their
    common start and end is compared, and when either middle is longer than LONGEST it is one
    replacement: comparing costs the product of the lengths."""
    start = len(posixpath.commonprefix([a, b]))
    end = len(posixpath.commonprefix([a[start:][::-1], b[start:][::-1]]))
    a_end, b_end = len(a) - end, len(b) - end
    if max(a_end, b_end) - start <= LONGEST:
        middle = [(tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2
                  in SequenceMatcher(None, a[start:a_end], b[start:b_end], autojunk=False).get_opcodes()]
    else:
        middle = [("replace", start, a_end, start, b_end)]
    opcodes = [("equal", 0, start, 0, start), *middle, ("equal", a_end, len(a), b_end, len(b))]
    return [op for op in opcodes if op[1] < op[2] or op[3] < op[4]]


def _marked(line: str, copy: str | None) -> str:
    """`line` as HTML, with what its changed `copy` lacks in <mark>."""
    if copy is None:
        return html.escape(line, quote=False)
    out = []
    for tag, i1, i2, j1, j2 in _char_opcodes(line, copy):
        if tag == "equal":
            out.append(html.escape(line[i1:i2], quote=False))
        elif i1 < i2:
            out.append(f"<mark>{_spelled(line[i1:i2], copy[j1:j2])}</mark>")
    return "".join(out)


def _spelled(changed: str, replaced: str) -> str:
    """Changed characters as HTML: a character that shows as nothing or as the one it replaces,
    as its code point."""
    nfkc = lambda text: unicodedata.normalize("NFKC", text)  # noqa: E731
    alike = bool(replaced) and nfkc(changed) == nfkc(replaced)

    def spelled(char: str) -> str:
        if (alike or unicodedata.category(char) in ("Cf", "Cc") or _IGNORABLE.match(char)
                or char.isspace() and char != " "):
            code = f"U+{ord(char):04X}"
            title = html.escape(f"{code} {unicodedata.name(char, '')}".rstrip())
            return f'<abbr title="{title}">⟨{code}⟩</abbr>'
        return html.escape(char, quote=False)
    return "".join(map(spelled, changed))


def _block(number: int, heading: str, lines: list[str]) -> str:
    where = f"Line {number}" + (f", under “{heading}”" if heading else "")
    text = "\n".join(lines).translate(_FENCE_MARKS)
    return f'{where}:\n\n<pre class="vs-diff"><code>{text}</code></pre>\n'


# Fences are read before raw HTML is (superfences): inside a diff, their marks are character
# references, as the browser shows them, where no fence starts.
_FENCE_MARKS = str.maketrans({"`": "&#96;", "~": "&#126;"})
