"""Repair throughput on clean and on damaged text, beside ftfy.fix_text on the same input.

    python bench/bench_repair.py

Prints a Markdown table.  Inputs: the held-out corpus of tests/fixtures/repair (mixed Chinese,
Japanese, Korean, European text, math, emoji, code), as it is (clean) and damaged the way note 000
was (UTF-8 read as cp1254, undefined bytes and the soft hyphen lost).  Each figure is the best of a
few timed runs, measured in this run; the language model is loaded before timing (its one-off
load time is printed below the table).
"""

from __future__ import annotations

import time
from pathlib import Path

import ftfy

from vaultsite.langmodel import default_model
from vaultsite.repair import repair_text

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "repair" / "corpus.md"


def damage(text: str, page: str = "cp1254") -> str:
    kept = bytes(b for b in text.encode("utf-8") if b != 0xAD)
    return kept.decode(page, errors="ignore")


def mb_per_s(function, text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return len(text.encode("utf-8")) / best / 1e6


def main() -> None:
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
    }
    print("| input | size | vaultsite repair_text (MB/s) | ftfy.fix_text (MB/s) | vaultsite / ftfy |")
    print("|---|---:|---:|---:|---:|")
    for name, text in inputs.items():
        ours = mb_per_s(repair_text, text)
        theirs = mb_per_s(ftfy.fix_text, text)
        size = len(text.encode("utf-8")) / 1e3
        print(f"| {name} | {size:.0f} kB | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f}× |")
    print(f"\nLanguage model load (once per process, not in the figures): {load:.1f} s")


if __name__ == "__main__":
    main()
