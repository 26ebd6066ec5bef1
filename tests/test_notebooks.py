"""Notebook execution and its cache (issue 5): sources in, executed notebooks and what ran out.

Each test gets its own cache folder; the notebooks are small jupytext Markdown files in
tests/fixtures/notebooks, copied next to the test so edits never touch the fixtures.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from conftest import ROOT
from vaultsite import notebooks
from vaultsite.notebooks import Executed, cache_key, execute, imported_modules, is_notebook, read, to_markdown

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
MODELS = (ROOT / "docs" / "📚 Knowledge Base" / "💻 Computer Science" / "🤖 Artificial Intelligence (AI)"
          / "🧠 AI Basics & Machine Learning (ML)" / "🧬 Deep Learning (Neural Network)"
          / "2️⃣ Neural Network Models 🗿")
REAL = [
    "Perceptron/Perceptron.md",
    "MLP (Multi-Layer Perceptron)/MLP (Multi-Layer Perceptron).md",
    "CNN (Convolutional Neural Network)/CNN (Convolutional Neural Network).md",
    "RNN (Recurrent Neural Network)/RNN (Recurrent Neural Network).md",
    "RNN (Recurrent Neural Network)/LSTM (Long-Short Term Memories)/LSTM (Long-Short Term Memories).md",
    "Transformers/Transformers.md",
]


def copy(tmp_path: Path, *names: str) -> dict[Path, str]:
    sources = {}
    for name in names:
        folder = tmp_path / Path(name).stem
        folder.mkdir(exist_ok=True)
        path = shutil.copy(FIXTURES / name, folder / name)
        sources[Path(path)] = Path(path).read_text(encoding="utf-8")
    return sources


def run(sources: dict[Path, str], cache: Path, **options) -> dict[str, Executed]:
    return {result.path.name: result for result in execute(sources, cache, **options)}


def outputs(result: Executed) -> list[str]:
    return ["".join(o.get("text", "")) or o.get("data", {}).get("text/plain", "")
            for cell in notebooks.code_cells(result.notebook) for o in cell.outputs]


# --- the cache -------------------------------------------------------------------------------------

def test_a_warm_run_executes_nothing(tmp_path):
    sources = copy(tmp_path, "hello.md")
    cold = run(sources, tmp_path / "cache")["hello.md"]
    warm = run(sources, tmp_path / "cache")["hello.md"]
    assert not cold.from_cache and cold.error is None and cold.summary().startswith("executed hello.md in ")
    assert warm.from_cache and warm.summary() == "hello.md: from cache"
    assert outputs(warm) == outputs(cold) == ["sum 3\n", "array([0, 2, 4])"]


def test_a_markdown_edit_does_not_execute_and_shows_up(tmp_path):
    sources = copy(tmp_path, "hello.md")
    run(sources, tmp_path / "cache")
    path, text = next(iter(sources.items()))
    edited = text.replace("Another *Markdown* cell.", "Another *Markdown* cell, typo fixed · 改了错别字.")
    result = run({path: edited}, tmp_path / "cache")["hello.md"]
    assert result.from_cache
    assert "typo fixed · 改了错别字" in result.notebook.cells[2].source
    assert outputs(result) == ["sum 3\n", "array([0, 2, 4])"]


def test_a_code_edit_executes_that_notebook_only(tmp_path):
    sources = copy(tmp_path, "hello.md", "plot.md")
    run(sources, tmp_path / "cache")
    hello = next(p for p in sources if p.name == "hello.md")
    sources[hello] = sources[hello].replace("x * 2", "x * 3")
    results = run(sources, tmp_path / "cache")
    assert not results["hello.md"].from_cache and results["plot.md"].from_cache
    assert outputs(results["hello.md"])[-1] == "array([0, 3, 6])"


def test_a_corrupt_entry_is_ignored_and_rebuilt(tmp_path):
    sources = copy(tmp_path, "hello.md")
    cache = tmp_path / "cache"
    run(sources, cache)
    for damage in (b"{not json", b'{"schema": 1, "key": "other", "cells": []}', b"\xff\xfe\x00"):
        (entry,) = cache.glob("*.json")
        entry.write_bytes(damage)
        rebuilt = run(sources, cache)["hello.md"]
        assert not rebuilt.from_cache and rebuilt.error is None
        assert "rebuilt" in rebuilt.cache_note
        assert run(sources, cache)["hello.md"].from_cache


def test_the_key_covers_code_kernel_and_imported_versions(monkeypatch):
    text = (FIXTURES / "hello.md").read_text(encoding="utf-8")
    nb = read("hello.md", text)
    key = cache_key(nb)
    assert cache_key(read("hello.md", text.replace("A tiny notebook.", "Edited."))) == key
    assert cache_key(read("hello.md", text.replace("x * 2", "x * 2  # note"))) != key
    assert cache_key(nb, kernel="other") != key
    monkeypatch.setattr(notebooks, "package_versions", lambda modules: {"numpy": "numpy==0.0"})
    assert cache_key(nb) != key


def test_imports_are_found_past_magics():
    assert imported_modules(["%matplotlib inline\nimport numpy as np, os.path\n!ls\n",
                             "from matplotlib import pyplot\nfrom . import local\n"]) == {
        "numpy", "os", "matplotlib"}
    assert "numpy" in notebooks.package_versions({"numpy", "os"})
    assert "os" not in notebooks.package_versions({"numpy", "os"})


# --- execution -------------------------------------------------------------------------------------

def test_a_raising_cell_names_notebook_cell_line_and_exception(tmp_path):
    sources = copy(tmp_path, "fail.md")
    result = run(sources, tmp_path / "cache")["fail.md"]
    path = next(iter(sources))
    line = path.read_text(encoding="utf-8").splitlines().index("x / 0") + 1
    assert result.error == f"{path}: cell 4 (line {line}): ZeroDivisionError: division by zero"
    assert (result.error_cell, result.error_line, result.error_message) == (
        4, line, "ZeroDivisionError: division by zero")
    # the page can show the error: outputs up to the failing cell, the error among them
    assert [o.output_type for cell in notebooks.code_cells(result.notebook) for o in cell.outputs] == ["error"]
    assert "> [!failure] ZeroDivisionError: division by zero" in to_markdown(result.notebook)[0]
    # a failure is not cached: the next build tries again
    assert not run(sources, tmp_path / "cache")["fail.md"].from_cache
    assert not list((tmp_path / "cache").glob("*.json"))


def test_a_hanging_cell_times_out_with_a_clear_error(tmp_path):
    sources = copy(tmp_path, "slow.md")
    start = time.perf_counter()
    result = run(sources, tmp_path / "cache", timeout=2)["slow.md"]
    assert time.perf_counter() - start < 30
    path = next(iter(sources))
    line = path.read_text(encoding="utf-8").splitlines().index("time.sleep(600)") + 1
    assert result.error == f"{path}: cell 3 (line {line}): did not finish within 2 s (the per-cell timeout)"


def test_independent_notebooks_run_in_parallel_each_in_its_own_folder(tmp_path):
    cell = "import os, time\nstart = time.time()\ntime.sleep(2)\nprint(os.getcwd(), start, time.time())"
    sources = {}
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        path = tmp_path / name / f"{name}.ipynb"
        path.write_text(json.dumps({
            "nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "id": name, "metadata": {}, "source": cell,
                       "outputs": [], "execution_count": None}],
        }), encoding="utf-8")
        sources[path] = path.read_text(encoding="utf-8")
    results = run(sources, tmp_path / "cache", workers=2)
    spans = {}
    for name, result in results.items():
        folder, start, end = outputs(result)[0].split()
        assert Path(folder) == result.path.parent
        spans[name] = (float(start), float(end))
    assert max(s for s, _ in spans.values()) < min(e for _, e in spans.values()), spans


def test_an_unreadable_notebook_is_reported_not_raised(tmp_path):
    path = tmp_path / "broken.ipynb"
    result = run({path: "{not a notebook"}, tmp_path / "cache")["broken.ipynb"]
    assert result.error.startswith(f"{path}: cannot be read as a notebook (")
    assert not result.notebook.cells


def test_an_executed_notebook_becomes_a_note_with_its_plots(tmp_path):
    result = run(copy(tmp_path, "plot.md"), tmp_path / "cache")["plot.md"]
    markdown, files = to_markdown(result.notebook)
    (name, png), = files.items()
    assert png.startswith(b"\x89PNG") and name.startswith("nb-assets/") and name.endswith(".png")
    assert markdown.startswith("# Plot · 画图\n\n```python\n%matplotlib inline\n")
    assert f"![Figure size 640x480 with 1 Axes]({name})" in markdown
    assert f"```text\n{tmp_path / 'plot'}\n```" in markdown


def test_which_files_are_notebooks():
    assert is_notebook("x.md", (FIXTURES / "hello.md").read_text(encoding="utf-8"))
    assert not is_notebook("x.md", "# A note\n\n```python\nprint(1)\n```\n")
    assert not is_notebook("x.md", "---\ntitle: front matter, no kernel\n---\n# Note\n")
    assert is_notebook("x.ipynb", "{}")
    assert not is_notebook("x.py", "print('a script')\n")


# --- the six notebooks of the site -----------------------------------------------------------------

def test_the_six_notebooks_execute_cleanly_with_plots(tmp_path):
    sources = {MODELS / name: (MODELS / name).read_text(encoding="utf-8") for name in REAL}
    assert all(is_notebook(path, text) for path, text in sources.items())
    results = execute(sources, tmp_path / "cache")
    for result in results:
        assert result.error is None, result.error
        assert not result.from_cache
        assert result.seconds < 20, result.summary()
        markdown, images = to_markdown(result.notebook)
        assert images, f"{result.path.name} has no plot"
    assert all(r.from_cache for r in execute(sources, tmp_path / "cache"))
