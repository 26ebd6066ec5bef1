"""Cold and warm execution of the site's six notebooks, measured in the same run.

    python bench/bench_notebooks.py

Prints a Markdown table.  Cold: an empty cache, every notebook executed (two kernels at a time).
Warm: the same sources again, everything from the cache.  Warm after a Markdown edit: one
Markdown cell of every notebook changed, still nothing executed.  Each warm figure is the best of
a few runs; the cold run is done once (it is the one that costs).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from vaultsite.notebooks import execute

MODELS = (Path(__file__).resolve().parent.parent / "docs" / "📚 Knowledge Base" / "💻 Computer Science"
          / "🤖 Artificial Intelligence (AI)" / "🧠 AI Basics & Machine Learning (ML)"
          / "🧬 Deep Learning (Neural Network)" / "2️⃣ Neural Network Models 🗿")


def timed(sources, cache):
    start = time.perf_counter()
    results = execute(sources, cache)
    return time.perf_counter() - start, results


def best(sources, cache, repeat=5):
    return min(timed(sources, cache)[0] for _ in range(repeat))


def main() -> None:
    paths = sorted(p for p in MODELS.rglob("*.md") if p.name != "Neural Network Models.md")
    sources = {p: p.read_text(encoding="utf-8") for p in paths}
    edited = {p: t.replace(" · ", " • ", 1) for p, t in sources.items()}
    with tempfile.TemporaryDirectory() as cache:
        cold, results = timed(sources, cache)
        assert all(r.error is None for r in results), [r.error for r in results if r.error]
        warm = best(sources, cache)
        assert all(r.from_cache for r in execute(edited, cache))
        warm_edit = best(edited, cache)
    print(f"| run ({len(sources)} notebooks) | seconds | cold / run |")
    print("|---|---:|---:|")
    print(f"| cold (empty cache) | {cold:.2f} | 1.0× |")
    print(f"| warm | {warm:.3f} | {cold / warm:.0f}× |")
    print(f"| warm, a Markdown cell edited in each | {warm_edit:.3f} | {cold / warm_edit:.0f}× |")
    print()
    for r in results:
        print(f"- {r.summary()}")


if __name__ == "__main__":
    main()
