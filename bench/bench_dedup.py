"""Grouping versions of notes (vaultsite.dedup) at 1,000 and 10,000 notes, against all pairs.

    python bench/bench_dedup.py [--sizes 1000,2000,5000,10000] [--baseline 500,1000] [--repeat 3]

A synthetic vault, the same for a given size on every run: mixed English/Chinese notes of 150-400
tokens, and for each hundred notes about 70 originals, 6 exact copies under other names, 6
conflict-suffix copies beside their note (lightly edited), 6 older shorter versions (half with a
typo in the title), 6 notes sharing an original's title but not its text, 3 stub ``Index`` notes
in different folders, 3 ``README``s with unrelated text. The generator knows the groups it made;
the table says whether grouping found exactly those.

The baseline is the pairwise rule (`dedup._pair_evidence`) on every pair of notes: the same features,
the same decisions, no index; it is run at the small sizes only, and must find the same groups.
Each time is the best of `--repeat` runs, features included. Prints a Markdown table; read the
ratios and the growth, the absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from vaultsite import dedup  # noqa: E402
from vaultsite.dedup import NoteVersion  # noqa: E402

DAY = 86_400.0
CJK = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也能而子那得"


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10))))
    return sorted(words)


def body(rng: random.Random, words: list[str]) -> list[str]:
    lines = []
    for _ in range(rng.randint(12, 30)):
        if rng.random() < 0.2:
            lines.append("".join(rng.choice(CJK) for _ in range(rng.randint(6, 16))))
        else:
            lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(6, 14))))
        if rng.random() < 0.15:
            lines.append(f"## {rng.choice(words).title()}")
    return lines


def typo(title: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(title) if ch.isalpha()]
    i = rng.choice(letters[1:])
    return title[:i] + title[i + 1:]


def synthetic_vault(n: int, seed: int = 4) -> tuple[list[NoteVersion], set[frozenset[str]]]:
    """`n` notes and the groups they are meant to form."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    notes: list[NoteVersion] = []
    groups: list[list[str]] = []
    t0 = 1_700_000_000.0

    def add(path: str, title: str | None, lines: list[str], when: float, repaired: bool = False) -> str:
        text = (f"# {title}\n\n" if title else "") + "\n".join(lines) + "\n"
        notes.append(NoteVersion(path, text, repaired, mtime=when))
        return path

    while len(notes) < n:
        k = len(notes)
        folder = f"📚 Area {k % 37}/Topic {k % 101} 主题"
        title = " ".join(rng.choice(words).title() for _ in range(rng.randint(2, 4))) + f" ({k})"
        lines = body(rng, words)
        when = t0 + rng.random() * 300 * DAY
        kind = rng.random()
        original = add(f"{folder}/{title}.md", title, lines, when)
        if kind < 0.085:     # an exact copy under another name, maybe a repaired one
            other = " ".join(rng.choice(words) for _ in range(3))
            groups.append([original, add(f"Imports/{k}/{other}.md", other, lines, when - DAY, rng.random() < .5)])
        elif kind < 0.17:    # conflict copies beside the note, lightly edited
            edited = lines[:]
            edited[rng.randrange(len(edited))] = " ".join(rng.choice(words) for _ in range(8))
            suffix = rng.choice([" (conflicted copy 2024-05-01)", ".sync-conflict-20240501-123456-ABCD",
                                 " 2", " (1)", " - Copy"])
            groups.append([original, add(f"{folder}/{title}{suffix}.md", None, edited, when - 600)])
        elif kind < 0.255:   # an older, shorter version with a section the newer one dropped
            old_title = typo(title, rng) if rng.random() < 0.5 else title
            older = lines[: max(4, len(lines) * rng.randint(35, 70) // 100)] + body(rng, words)[:5]
            groups.append([original, add(f"Old export/{k}/{old_title}.md", old_title, older, when - 90 * DAY)])
        elif kind < 0.34:    # same title, unrelated text: not a version
            add(f"Elsewhere/{k}/{title}.md", title, body(rng, words), when)
        elif kind < 0.38:    # stub Index notes and unrelated READMEs
            add(f"{folder}/Hub {k}/Index.md", "Index", [], when)
            add(f"Projects/{k}/README.md", "README", body(rng, words), when)
    del notes[n:]
    kept = {note.path for note in notes}
    return notes, {frozenset(g) for g in groups if set(g) <= kept}


def found(groups: list[dedup.Group]) -> set[frozenset[str]]:
    return {frozenset((g.canonical, *g.versions)) for g in groups}


def all_pairs(notes: list[NoteVersion]) -> list[dedup.Group]:
    """The baseline: `group_versions` with every pair as a candidate."""
    with dedup._gc_paused():
        return dedup._group(dedup._facts(notes), dedup._all_pairs)


def best_of(repeat: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(sizes: list[int], baseline_sizes: set[int], repeat: int = 3) -> str:
    """The Markdown table and the line on growth, for grouping at `sizes` (all pairs too at
    `baseline_sizes`)."""
    rows, per_note = [], {}
    for n in sorted(set(sizes) | baseline_sizes):
        notes, expected = synthetic_vault(n)
        seconds, groups = best_of(repeat, lambda: dedup.group_versions(notes))
        per_note[n] = seconds / n
        ok = "yes" if found(groups) == expected else f"no ({len(found(groups))} of {len(expected)})"
        base = ratio = "–"
        if n in baseline_sizes:
            base_seconds, base_groups = best_of(1, lambda: all_pairs(notes))
            assert found(base_groups) == found(groups), "the index missed pairs the baseline found"
            base, ratio = f"{base_seconds:.2f} s", f"{base_seconds / seconds:.1f}×"
        rows.append(f"| {n:,} | {len(expected):,} | {ok} | {seconds:.3f} s | {n / seconds:,.0f} | "
                    f"{seconds / n * 1e6:.0f} µs | {base} | {ratio} |")
    lines = ["| notes | groups made | found exactly | grouping | notes/s | per note | all pairs | speed-up |",
             "|---:|---:|:---:|---:|---:|---:|---:|---:|", *rows]
    small, large = min(per_note), max(per_note)
    lines.append(f"\nCost per note at {large:,} notes is {per_note[large] / per_note[small]:.2f}× that at "
                 f"{small:,} (1.00× is linear; all pairs would be {large / small:.0f}×).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--baseline", default="500,1000", help="sizes at which to run all pairs too")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(measure([int(s) for s in args.sizes.split(",")],
                  {int(s) for s in args.baseline.split(",") if s}, args.repeat))


if __name__ == "__main__":
    main()
