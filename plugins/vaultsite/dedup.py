"""Versions of one note: group them, choose the canonical one, show what each adds.

Pure: (path, text, facts) in, groups and Markdown out; nothing here knows MkDocs.

Title
    Front matter ``title``, else the first ``# `` heading outside code, else the file name.
    Each note is known by up to two *names*: its title and its file name less any copy marker.
    A name's key is NFKC, casefolded, with everything that is not a letter, digit or combining
    mark (punctuation, emoji, symbols, joiners) turned into a space: ``"🧬 Deep-Learning (Neural
    Network)"`` and ``"deep learning neural network"`` have the same key.

Copy markers (file names only, repeated until none is left, never down to nothing)
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
      near-identical (Jaccard >= 0.8): copies, exports, repaired mojibake copies. Candidates come
      from MinHash LSH (one-permutation hashing into 64 bins, 16 bands of 4) and every candidate
      pair is then checked exactly, so a collision never merges notes; a pair at Jaccard 0.8 is
      missed with probability about 0.02% (at 0.9, 4 in 10^8);
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
    Roughly linear in the vault: one pass to compute names and shingles, dictionary look-ups for
    candidates; exact comparisons only within a name (quadratic only in the number of notes that
    share one name) and within an LSH bucket.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import posixpath
import re
import unicodedata
import zlib
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable, Sequence

from . import frontmatter

SHINGLE = 3              # tokens per shingle
MIN_SHINGLES = 8         # below this a note is a stub: grouped only as a same-folder copy
MIN_CONTENT_ONLY = 20    # both notes need this many shingles to be grouped on content alone
TITLE_CONTAINMENT = 0.25  # share of the smaller note's shingles found in the other
COPY_JACCARD = 0.8       # near-identical content, whatever the names
FUZZY_MIN_CHARS = 8      # a typo is tolerated in keys of at least this many letters and digits
BINS, ROWS = 64, 4       # MinHash: 64 one-permutation bins, banded 16 x 4
_BIN_SHIFT = 64 - 6
_MASK = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15
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


def note_title(path: str, text: str) -> str:
    """Front matter `title`, else the first `# ` heading, else the file name (as written)."""
    meta, body = split_front_matter(text)
    title = meta.get("title")
    if isinstance(title, (str, int, float)) and str(title).strip():
        return str(title).strip()
    h1 = _first_h1(body)
    return h1[0] if h1 else _stem(path)


def title_key(title: str) -> str:
    """Unicode-normalized, casefolded, emoji- and punctuation-free: what titles are matched by."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", title).casefold())
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text)
    return " ".join(kept.split())


def strip_copy_marker(stem: str, originals: Iterable[str] = ()) -> str:
    """`stem` less sync-conflict and copy markers; `originals` are the other stems of its folder
    (a bare trailing number or "copy" is only a marker when the unmarked stem is among them)."""
    folded = {unicodedata.normalize("NFC", o).casefold() for o in originals}
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


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    return name[:-3] if name.lower().endswith(".md") else posixpath.splitext(name)[0]


def _deletions(key: str) -> frozenset[str]:
    """The key and every string one character shorter: two keys within one typo share one."""
    if len(key.replace(" ", "")) < FUZZY_MIN_CHARS:
        return frozenset((key,))
    return frozenset([key] + [key[:i] + key[i + 1:] for i in range(len(key))])


def _digits(key: str) -> str:
    return "".join(ch for ch in key if ch.isdigit())


# --- content -----------------------------------------------------------------------------------

_CJK = ("\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


def _token_ids(text: str, vocabulary: dict[str, int]) -> list[int]:
    ids = []
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold()):
        value = vocabulary.get(token)
        if value is None:
            value = vocabulary[token] = zlib.crc32(token.encode("utf-8"))
        ids.append(value)
    return ids


def _shingles(ids: list[int]) -> frozenset[int]:
    # hash() of a tuple of ints is not salted per process, so this is deterministic.
    if len(ids) < SHINGLE:
        return frozenset((hash(tuple(ids)) & _MASK,)) if ids else frozenset()
    return frozenset(hash(s) & _MASK for s in zip(*(ids[i:] for i in range(SHINGLE))))


def _minhash(shingles: frozenset[int]) -> tuple[int, ...]:
    """One-permutation MinHash: the smallest mixed hash in each of BINS ranges of the hash
    space (found by bisection in the sorted hashes); an empty bin borrows from the next full one."""
    hashes = sorted((h * _MIX) & _MASK for h in shingles)
    signature: list[int | None] = []
    for b in range(BINS):
        i = bisect.bisect_left(hashes, b << _BIN_SHIFT)
        signature.append(hashes[i] if i < len(hashes) and hashes[i] >> _BIN_SHIFT == b else None)
    full = [b for b in range(BINS) if signature[b] is not None]
    for b in range(BINS):
        if signature[b] is None:
            nxt = full[bisect.bisect_left(full, b) % len(full)]
            signature[b] = ((signature[nxt] & ((1 << _BIN_SHIFT) - 1)) << 6 | (nxt - b) % BINS)
        else:
            signature[b] &= (1 << _BIN_SHIFT) - 1
    return tuple(signature)  # type: ignore[arg-type]


# --- per-note facts ----------------------------------------------------------------------------

@dataclass
class _Facts:
    note: NoteVersion
    title: str
    names: tuple[tuple[str, frozenset[str]], ...]   # (key, its deletions)
    shown: dict[str, str]      # key -> the name as written (title, or file name less its marker)
    folder: str
    stem_key: str
    copy_name: bool            # the file name carried a copy marker
    shingles: frozenset[int]
    tokens: tuple[int, ...]
    length: int                # non-space characters of the body
    meta_time: float | None


def _meta_time(meta: dict) -> float | None:
    times = [t for t in (_timestamp(meta.get(k)) for k in _DATE_KEYS) if t is not None]
    return max(times) if times else None


def _timestamp(value: object) -> float | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp()
    return None


def _facts(notes: Sequence[NoteVersion]) -> list[_Facts]:
    """Everything grouping needs of each note, computed once, notes sorted by path."""
    notes = sorted(notes, key=lambda n: n.path)
    stems: dict[str, list[str]] = defaultdict(list)
    for note in notes:
        stems[posixpath.dirname(note.path)].append(_stem(note.path))
    vocabulary: dict[str, int] = {}
    facts = []
    for note in notes:
        meta, body = split_front_matter(note.text)
        h1 = _first_h1(body)
        title = note_title(note.path, note.text)
        if h1:  # the title heading is the name, not the content
            lines = body.split("\n")
            body = "\n".join(lines[:h1[1]] + lines[h1[1] + 1:])
        folder, stem = posixpath.dirname(note.path), _stem(note.path)
        bare = strip_copy_marker(stem, stems[folder])
        keys: dict[str, str] = {}
        for name in (title, bare):
            keys.setdefault(title_key(name), name)
        keys.pop("", None)
        ids = _token_ids(body, vocabulary)
        facts.append(_Facts(
            note=note, title=title, names=tuple((k, _deletions(k)) for k in keys), shown=keys,
            folder=folder,
            stem_key=title_key(bare) or bare, copy_name=bare != stem, shingles=_shingles(ids),
            tokens=tuple(ids), length=sum(not c.isspace() for c in body), meta_time=_meta_time(meta),
        ))
    return facts


# --- evidence ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Evidence:
    kind: str        # "title" (same key), "typo" (one typo apart), "content" (near-identical)
    share: float     # title kinds: share of the smaller note's shingles in the other; content: Jaccard
    names: tuple[str, str] = ("", "")


def _title_match(a: _Facts, b: _Facts) -> tuple[str, str, str] | None:
    """("title"|"typo", key of a, key of b) for the closest pair of names, or None."""
    best = None
    for ka, da in a.names:
        for kb, db in b.names:
            if ka == kb:
                return "title", ka, kb
            if best is None and len(da) > 1 and len(db) > 1 and not da.isdisjoint(db) \
                    and _digits(ka) == _digits(kb):
                best = ("typo", ka, kb)
    return best


def _pair_evidence(a: _Facts, b: _Facts) -> _Evidence | None:
    """Why `a` and `b` are versions of one note, or None: the one pairwise rule, used on the
    candidate pairs here and on all pairs by the benchmark's baseline."""
    small = min(len(a.shingles), len(b.shingles))
    common = len(a.shingles & b.shingles) if small else 0
    title = _title_match(a, b)
    if title:
        if small >= MIN_SHINGLES and common >= TITLE_CONTAINMENT * small:
            return _Evidence(title[0], common / small, title[1:])
        if (small < MIN_SHINGLES and a.folder == b.folder and a.stem_key == b.stem_key
                and a.tokens == b.tokens and (a.copy_name or b.copy_name)):
            return _Evidence(title[0], 1.0, title[1:])
    if small >= MIN_CONTENT_ONLY:
        jaccard = common / (len(a.shingles) + len(b.shingles) - common)
        if jaccard >= COPY_JACCARD:
            return _Evidence("content", jaccard)
    return None


def _candidates(facts: list[_Facts]) -> set[tuple[int, int]]:
    """Pairs that share a name (or one of its one-typo deletions) or an LSH band."""
    buckets: dict[object, list[int]] = defaultdict(list)
    for i, f in enumerate(facts):
        for variant in set().union(*(d for _, d in f.names)) if f.names else ():
            buckets[variant].append(i)
        if len(f.shingles) >= MIN_CONTENT_ONLY:
            signature = _minhash(f.shingles)
            for band in range(0, BINS, ROWS):
                buckets[(band, signature[band:band + ROWS])].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) > 1:
            pairs.update(combinations(members, 2))  # members are ascending, so i < j
    return pairs


def _all_pairs(facts: list[_Facts]) -> Iterable[tuple[int, int]]:
    return combinations(range(len(facts)), 2)


def group_versions(notes: Sequence[NoteVersion]) -> list[Group]:
    """Groups of two or more notes that are versions of one note, sorted by canonical path."""
    with _gc_paused():
        return _group(_facts(notes), _candidates)


@contextmanager
def _gc_paused():
    """Grouping makes a million small objects that all live until it ends; the cyclic garbage
    collector would walk them again and again (3x slower at 10,000 notes), and none are cycles."""
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
    order = sorted(member_ids, key=lambda i: _rank(facts[i], source))
    best = facts[order[0]]
    reasons = _grouping_reasons(facts, order, edges, neighbours)
    reasons.append(f"“{best.note.path}” is canonical: " + "; ".join(
        _beats(best, facts[i], source) for i in order[1:]) + ".")
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


def _beats(best: _Facts, other: _Facts, source: int) -> str:
    name = f"“{other.note.path}”"
    if other.note.repaired and not best.note.repaired:
        return f"{name} was repaired from mojibake and a clean version exists"
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

def diff_markdown(canonical_text: str, version_text: str) -> str:
    """What `version_text` has that `canonical_text` lacks, and the reverse, as Markdown.

    Line by line, whatever the order (a moved paragraph is not a difference): each run of
    consecutive lines of one text that the other does not hold anywhere (blank lines and trailing
    spaces never count, NFC; a run keeps at most one blank line in a row) is a fenced `markdown`
    block, headed by its line number and the heading it sits under, in two sections, "Only in this
    version" and "Only in the canonical version" (level-3 headings, so a page can put its own
    level-2 heading above). The blocks are code, so nothing in them renders, links, or adds to the
    table of contents.
    """
    ours = _runs(version_text, canonical_text)
    theirs = _runs(canonical_text, version_text)
    if not ours and not theirs:
        return "This version has the same lines as the canonical version.\n"
    count = lambda runs: sum(len([l for l in r[2] if l.strip()]) for r in runs)  # noqa: E731
    parts = [f"Lines only in this version: {count(ours)}. "
             f"Lines only in the canonical version: {count(theirs)}.\n"]
    for title, runs in (("Only in this version", ours), ("Only in the canonical version", theirs)):
        if runs:
            parts.append(f"### {title}\n")
            parts.extend(_block(*run) for run in runs)
    return "\n".join(parts)


def _line_key(line: str) -> str:
    return unicodedata.normalize("NFC", line).strip()


def _runs(text: str, other: str) -> list[tuple[int, str, list[str]]]:
    """(first line number, heading above, lines) for each run of `text` lines absent from `other`."""
    _, body = split_front_matter(other)
    known = {_line_key(line) for line in body.split("\n")}
    meta_lines = text.count("\n", 0, len(text) - len(split_front_matter(text)[1]))
    runs: list[tuple[int, str, list[str]]] = []
    current: list[str] | None = None
    heading, fence = "", None
    for number, line in enumerate(split_front_matter(text)[1].split("\n"), meta_lines + 1):
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
                runs.append((number, heading, current))
            current.append(line.rstrip())
        if not in_code and re.match(r"^ {0,3}#{1,6}[ \t]", line):
            heading = line.strip().lstrip("#").strip()
    for _, _, lines in runs:
        while lines and not lines[-1]:
            lines.pop()
    return runs


def _block(number: int, heading: str, lines: list[str]) -> str:
    text = "\n".join(lines)
    ticks = max([3] + [len(m) + 1 for m in re.findall(r"`{3,}", text)])
    fence = "`" * ticks
    where = f"Line {number}" + (f", under “{heading}”" if heading else "")
    return f"{where}:\n\n{fence}markdown\n{text}\n{fence}\n"
