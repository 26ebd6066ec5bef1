"""Repair throughput on clean and on damaged text, beside ftfy.fix_text on the same input.

    python bench/bench_repair.py             # throughput
    python bench/bench_repair.py --accuracy  # accuracy per code page, with the wrong characters

Prints a Markdown table.  Inputs: the held-out corpus of tests/fixtures/repair (mixed Chinese,
Japanese, Korean, European text, math, emoji, code), as it is (clean), damaged the way note 000
was (UTF-8 read as cp1254, undefined bytes and the soft hyphen lost), and read as GBK (each byte
GBK pairs with nothing lost); and a note in GBK read through cp1252 ("ÄãºÃ" for 你好).  Each figure is the best of a few timed runs, measured in this run;
the language model is loaded before timing (its one-off load time is printed below the table).
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

import ftfy

from vaultsite.langmodel import default_model
from vaultsite.repair import CODE_PAGES, repair_text

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "repair"
CORPUS = FIXTURES / "corpus.md"
NOTES = Path(__file__).resolve().parents[2] / "shared" / "notes"


def damage(text: str, page: str = "cp1254") -> str:
    kept = bytes(b for b in text.encode("utf-8") if b != 0xAD)
    return kept.decode(page, errors="ignore")


def legacy(encoding: str, page: str) -> str:
    """The note of tests/fixtures/repair/legacy in ``encoding``, read through ``page``."""
    return (FIXTURES / "legacy" / f"{encoding}.md").read_text(encoding="utf-8").encode(encoding).decode(page)


def mb_per_s(function, text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return len(text.encode("utf-8")) / best / 1e6


def measure() -> tuple[list[tuple[str, float, float, float]], float]:
    """[(input, kB, vaultsite MB/s, ftfy MB/s)], and the language model's load time in seconds."""
    start = time.perf_counter()
    default_model()
    load = time.perf_counter() - start

    corpus = CORPUS.read_text(encoding="utf-8")
    # ftfy's default fix_text changes clean text (it uncurls quotes and turns "，" into ","),
    # so it is timed with the defaults anyone would call it with.
    cjk = "\n".join(line for line in corpus.splitlines() if all(c.isascii() or ord(c) > 0x2000 for c in line))
    inputs = {
        "clean CJK, emoji, English (fast path)": cjk * 100,
        "clean, all languages": corpus * 40,
        "damaged (cp1254, lossy)": damage(corpus) * 4,
        "damaged (read as GBK, lossy)": corpus.encode("utf-8").decode("gbk", errors="replace") * 4,
        "GBK read through cp1252": legacy("gbk", "cp1252") * 20,
    }
    rows = []
    for name, text in inputs.items():
        ours = mb_per_s(repair_text, text)
        theirs = mb_per_s(ftfy.fix_text, text)
        rows.append((name, len(text.encode("utf-8")) / 1e3, ours, theirs))
    return rows, load


def table(rows: list[tuple[str, float, float, float]]) -> str:
    lines = ["| input | size | vaultsite repair_text (MB/s) | ftfy.fix_text (MB/s) | vaultsite / ftfy |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {name} | {size:.0f} kB | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f}× |"
              for name, size, ours, theirs in rows]
    return "\n".join(lines)


def accuracy_report() -> str:
    """Accuracy per code page on the development text (dev.md, which tuning may look at) and on
    the held-out corpus, and on note 000; each with the characters it gets wrong."""
    sys.path.insert(0, str(FIXTURES.parent.parent))
    from test_repair import accuracy, damage as damage_through, read_as_gbk  # one definition of each

    def wrong(true: str, repaired: str) -> str:
        matcher = difflib.SequenceMatcher(None, true, repaired, autojunk=False)
        return " ".join(f"{true[a:b]}→{repaired[c:d]}" for op, a, b, c, d in matcher.get_opcodes() if op != "equal")

    lines = ["| text | code page | accuracy | wrong |", "|---|---|---:|---|"]
    for name in ("dev.md", "corpus.md"):
        true = (FIXTURES / name).read_text(encoding="utf-8")
        for page in CODE_PAGES:
            repaired = repair_text(damage_through(true, page)).text
            lines.append(f"| {name} | {page} | {accuracy(true, repaired):.2%} | {wrong(true, repaired)} |")
        repaired = repair_text(read_as_gbk(true)).text
        lines.append(f"| {name} | read as GBK | {accuracy(true, repaired):.2%} | {wrong(true, repaired)} |")
    for note in sorted((FIXTURES / "legacy").glob("*.md")):
        true = note.read_text(encoding="utf-8")
        repaired = repair_text(legacy(note.stem, "latin-1")).text
        lines.append(f"| legacy/{note.name} | {note.stem} read as Latin-1 | {accuracy(true, repaired):.2%} | {wrong(true, repaired)} |")
    twin = NOTES / "001_92c9aa251153fdad.txt"
    if twin.exists():
        true = twin.read_text(encoding="utf-8").replace("👩🏼🏫", "👩🏼\u200d🏫")
        damaged = (NOTES / "000_409f261161ad2263.txt").read_text(encoding="utf-8")
        for label, context in (("alone", ()), ("with its twin", [twin.read_text(encoding="utf-8")])):
            repaired = repair_text(damaged, context).text
            lines.append(f"| note 000 {label} | cp1254 | {accuracy(true, repaired):.2%} | {wrong(true, repaired)} |")
    return "\n".join(lines)


def main() -> None:
    if "--accuracy" in sys.argv:
        print(accuracy_report())
        return
    rows, load = measure()
    print(table(rows))
    print(f"\nLanguage model load (once per process, not in the figures): {load:.1f} s")


if __name__ == "__main__":
    main()
