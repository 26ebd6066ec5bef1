"""Execute notebooks with a content-addressed cache, and turn an executed notebook into a note.

Knows nothing of MkDocs: notebook sources (path and text) in, executed notebooks and a record of
what ran out.  Sources may be jupytext Markdown (`.md` with a `jupyter:` front matter), jupytext
percent scripts (`.py`) or `.ipynb` files.

The cache key of a notebook is what its outputs depend on, not its bytes: the code cells' sources,
the kernel, the Python version and the versions of the distributions its code imports.  Fixing a
typo in a Markdown cell keeps the key, so the cached outputs are put back onto the *current*
cells and nothing runs.  An entry is one JSON file per key under the cache folder, written
atomically; an entry that cannot be read or does not fit the notebook is ignored and rebuilt.
Entries are never evicted by a build (a `--dirty` build sees only some notebooks): `prune` is
there for a full build to call.

Execution is nbclient's: one ipykernel per notebook, started in the notebook's own folder, a
timeout per cell, at most `workers` notebooks at a time.  A failing notebook is returned with its
outputs up to the failing cell and an `error` naming the notebook, the cell and the exception; it
is not cached, so the next build tries again.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    from nbformat import NotebookNode

# nbformat and jupytext are imported where a notebook is read: they take a seventh of a second to
# import, and most vaults hold no notebook.

SCHEMA = 1  # bump when the entry format or what the key covers changes
KERNEL = "python3"
TIMEOUT = 60  # seconds per cell
WORKERS = 2
# One BLAS thread per kernel: two kernels on two cores, and sums in the same order every run.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1"}

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MAGIC = re.compile(r"^\s*[%!]")
_CELL_LINE = re.compile(r"(?:Cell In\s*\[\d*\]|<ipython-input-[^>]*>),?\s*line (\d+)")


class KernelUnavailable(RuntimeError):
    """The kernel cannot be started: an environment problem, not a notebook's."""


# --- reading -------------------------------------------------------------------------------------

def is_notebook(path: str | Path, text: str) -> bool:
    """Whether a vault file is a notebook: any `.ipynb`; a `.md` or `.py` whose jupytext header
    names a Python kernel (the rule mkdocs-jupyter uses for `.md`)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".ipynb":
        return True
    if suffix == ".md" and not text.startswith("---"):
        return False
    if suffix == ".py" and "jupytext" not in text[:2000]:
        return False
    if suffix not in (".md", ".py"):
        return False
    try:
        kernelspec = read(path, text).metadata.get("kernelspec", {})
    except Exception:  # not a notebook we can read is not a notebook
        return False
    return kernelspec.get("language") == "python"


def read(path: str | Path, text: str) -> NotebookNode:
    """Parse a notebook source (`.ipynb`, jupytext `.md` or `.py`) into an nbformat v4 notebook."""
    import jupytext
    import nbformat

    suffix = Path(path).suffix.lower()
    if suffix == ".ipynb":
        return nbformat.reads(text, as_version=4)
    return jupytext.reads(text, fmt=suffix.lstrip("."))


def code_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


# --- the cache key -------------------------------------------------------------------------------

def imported_modules(sources: Iterable[str]) -> set[str]:
    """Top-level names of the modules the code imports (IPython magics and shell lines skipped)."""
    names: set[str] = set()
    for source in sources:
        code = "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # the kernel will say so; the key still has the source
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


@lru_cache(maxsize=1)
def _distributions() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def package_versions(modules: Iterable[str]) -> dict[str, str]:
    """`module -> "dist==version"` for imported modules that come from an installed distribution;
    the standard library is covered by the Python version, anything else is marked unknown."""
    versions = {}
    for module in sorted(set(modules)):
        if module in sys.stdlib_module_names:
            continue
        dists = sorted(set(_distributions().get(module, [])))
        found = []
        for dist in dists:
            try:
                found.append(f"{dist}=={metadata.version(dist)}")
            except metadata.PackageNotFoundError:
                pass
        versions[module] = ",".join(found) or "unknown"
    return versions


def cache_key(nb: NotebookNode, kernel: str = KERNEL) -> str:
    sources = [cell.source for cell in code_cells(nb)]
    basis = {
        "schema": SCHEMA,
        "kernel": kernel,
        "python": sys.version,
        "packages": package_versions(imported_modules(sources)),
        "code": sources,
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- the cache -----------------------------------------------------------------------------------

class NotebookCache:
    """`<folder>/<key>.json`: the outputs and execution counts of each code cell, in order."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def load(self, key: str, nb: NotebookNode) -> tuple[NotebookNode | None, str]:
        """The notebook with the cached outputs put onto its current cells, or None and why not."""
        import nbformat

        path = self.path(key)
        if not path.exists():
            return None, "not cached"
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            cells = code_cells(nb)
            if entry.get("schema") != SCHEMA or entry.get("key") != key or len(entry["cells"]) != len(cells):
                return None, f"cache entry {path.name} does not fit, rebuilt"
            merged = nbformat.from_dict(nb)
            for cell, cached in zip(code_cells(merged), entry["cells"]):
                cell.outputs = [nbformat.from_dict(o) for o in cached["outputs"]]
                cell.execution_count = cached["execution_count"]
            nbformat.validate(merged)
            return merged, "from cache"
        except Exception as error:  # a damaged entry is a miss, never a crash
            return None, f"cache entry {path.name} is unreadable ({type(error).__name__}), rebuilt"

    def save(self, key: str, nb: NotebookNode, seconds: float) -> None:
        entry = {
            "schema": SCHEMA,
            "key": key,
            "seconds": round(seconds, 3),
            "cells": [{"outputs": cell.outputs, "execution_count": cell.execution_count}
                      for cell in code_cells(nb)],
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path(key).with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path(key))

    def prune(self, keep: Iterable[str]) -> list[Path]:
        """Delete the entries whose key is not in `keep`; call it after a full build only."""
        keep = set(keep)
        removed = []
        for path in self.folder.glob("*.json"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed


# --- execution -----------------------------------------------------------------------------------

@dataclass
class Executed:
    """One notebook after `execute`: its cells with outputs, and what it took to get them."""

    path: Path
    notebook: NotebookNode
    key: str
    from_cache: bool
    seconds: float = 0.0
    error: str | None = None  # "<path>: cell N (line L): <exception line>", None when it ran clean
    cache_note: str = ""  # why it was not taken from the cache ("not cached", "... unreadable ...")
    # The parts of `error`, for a caller that names the file its own way ("<src_uri>:<line>: ..."):
    error_cell: int | None = None  # 1-based, among all cells
    error_line: int | None = None  # in the source file (text formats)
    error_message: str | None = None

    def summary(self) -> str:
        name = self.path.name
        if self.error:
            return f"{self.error} (after {self.seconds:.1f} s)"
        if self.from_cache:
            return f"{name}: from cache"
        return f"executed {name} in {self.seconds:.1f} s"


@dataclass
class _Run:
    path: Path
    text: str
    nb: NotebookNode
    key: str
    note: str = ""
    current: dict = field(default_factory=dict)


def execute(sources: Mapping[str | Path, str], cache_dir: str | Path, *, kernel: str = KERNEL,
            timeout: float = TIMEOUT, workers: int = WORKERS) -> list[Executed]:
    """Execute each notebook (absolute path -> source text) unless its outputs are cached.

    Returns one `Executed` per source, in the order given.  Notebooks that must run do so in
    parallel, `workers` at a time, each in its own folder.  Raises `KernelUnavailable` if the
    kernel cannot be started and `OSError` if the cache cannot be written.
    """
    import nbformat

    cache = NotebookCache(cache_dir)
    results: dict[Path, Executed] = {}
    pending: list[_Run] = []
    for raw_path, text in sources.items():
        path = Path(raw_path)
        try:
            nb = read(path, text)
        except Exception as error:  # a damaged notebook is a content problem: report it, go on
            message = f"cannot be read as a notebook ({type(error).__name__}: {error})"
            results[path] = Executed(path, nbformat.v4.new_notebook(), "", from_cache=False,
                                     error=f"{path}: {message}", error_message=message)
            continue
        key = cache_key(nb, kernel)
        cached, note = cache.load(key, nb)
        if cached is not None:
            results[path] = Executed(path, cached, key, from_cache=True)
        else:
            pending.append(_Run(path, text, nb, key, note))
    if pending:
        for run, done in zip(pending, _run_all(pending, kernel, timeout, workers)):
            results[run.path] = done
            if done.error is None:
                cache.save(run.key, done.notebook, done.seconds)
    return [results[Path(p)] for p in sources]


def _run_all(runs: list[_Run], kernel: str, timeout: float, workers: int) -> list[Executed]:
    async def all_of_them():
        limit = asyncio.Semaphore(max(1, workers))

        async def one(run: _Run) -> Executed:
            async with limit:
                return await _run_one(run, kernel, timeout)

        return await asyncio.gather(*(one(run) for run in runs))

    # A loop of our own in a thread of our own: the caller may already be running one (serve).
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, all_of_them()).result()


async def _run_one(run: _Run, kernel: str, timeout: float) -> Executed:
    import nbformat
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.from_dict(run.nb)
    client = NotebookClient(
        nb, kernel_name=kernel,
        # The kernel's own log (a warning about TCP on localhost) is not the build's business.
        extra_arguments=["--IPKernelApp.log_level=ERROR"], timeout=timeout, allow_errors=False, record_timing=False,
        resources={"metadata": {"path": str(run.path.parent)}},  # runs in the notebook's folder
        on_cell_execute=lambda cell, cell_index: run.current.update(cell=cell, index=cell_index),
    )
    start = time.perf_counter()
    message, line_in_cell = None, None
    try:
        # The kernel's stderr would pour a traceback into the build log when a timeout stops it.
        await client.async_execute(env={**os.environ, **KERNEL_ENV}, stderr=subprocess.DEVNULL)
    except NoSuchKernel as missing:
        raise KernelUnavailable(f"no Jupyter kernel named {kernel!r} to run {run.path}: {missing} "
                                f"(install ipykernel in this environment)") from missing
    except CellTimeoutError:
        message = f"did not finish within {timeout:g} s (the per-cell timeout)"
    except CellExecutionError as failed:
        message, line_in_cell = _exception_line(failed), _traceback_line(failed.traceback)
    except DeadKernelError as dead:
        message = f"the kernel died ({dead})"
    except RuntimeError as failed:  # the kernel would not start or answer
        if "cell" not in run.current:
            raise KernelUnavailable(f"cannot start kernel {kernel!r} for {run.path}: {failed}") from failed
        message = str(failed)
    done = Executed(run.path, nb, run.key, from_cache=False, seconds=time.perf_counter() - start,
                    cache_note=run.note)
    if message is not None:
        index = run.current.get("index")
        start_line = None if index is None else _source_line(run, index)
        done.error_message = message
        done.error_cell = None if index is None else index + 1
        done.error_line = None if start_line is None else start_line + (line_in_cell or 1) - 1
        where = str(run.path)
        if done.error_cell is not None:
            where += f": cell {done.error_cell}"
            if done.error_line is not None:
                where += f" (line {done.error_line})"
        done.error = f"{where}: {message}"
    return done


def _source_line(run: _Run, index: int) -> int | None:
    """The line of the source file where code cell `index` begins (text formats only): found by
    looking for each code cell's source in order."""
    if run.path.suffix.lower() == ".ipynb":
        return None
    position = 0
    for i, cell in enumerate(run.nb.cells):
        if cell.cell_type != "code" or not cell.source:
            continue
        found = run.text.find(cell.source.splitlines()[0], position)
        if found < 0:
            return None
        if i == index:
            return run.text.count("\n", 0, found) + 1
        position = found + 1
    return None


def _traceback_line(traceback: str) -> int | None:
    lines = [int(m.group(1)) for m in _CELL_LINE.finditer(_ANSI.sub("", traceback or ""))]
    return lines[-1] if lines else None


def _exception_line(failed) -> str:
    if getattr(failed, "ename", None):
        return f"{failed.ename}: {failed.evalue}".rstrip(": ")
    last = [line for line in _ANSI.sub("", str(failed)).splitlines() if line.strip()]
    return last[-1] if last else type(failed).__name__


# --- as a note -----------------------------------------------------------------------------------

ASSETS = "nb-assets"


def to_markdown(nb: NotebookNode, assets: str = ASSETS) -> tuple[str, dict[str, bytes]]:
    """An executed notebook as a Markdown note: Markdown cells as they are, code as ```python
    fences, text outputs as ```text fences, errors as a `> [!failure]` callout, images as files.

    Returns the Markdown and the images to publish, `{path relative to the notebook: bytes}`,
    named by content so an unchanged plot keeps its URL.
    """
    parts: list[str] = []
    files: dict[str, bytes] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code":
            if cell.source.strip():
                parts.append(_fence(cell.source, "python"))
            parts.extend(_output_markdown(output, assets, files) for output in _merged_streams(cell.outputs))
    return "\n\n".join(part.rstrip("\n") for part in parts if part.strip()) + "\n", files


def _merged_streams(outputs: list) -> list:
    merged: list = []
    for output in outputs:
        if (output.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream" and merged[-1].get("name") == output.get("name")):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + output["text"]}
        else:
            merged.append(output)
    return merged


def _output_markdown(output, assets: str, files: dict[str, bytes]) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return _fence(_ANSI.sub("", output["text"]), "text")
    if kind == "error":
        body = _fence(_ANSI.sub("", "\n".join(output.get("traceback", []))), "text")
        title = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip(": ")
        return "\n".join([f"> [!failure] {title}", *(f"> {line}" for line in body.splitlines())])
    data = output.get("data", {})
    for mime, suffix in (("image/png", ".png"), ("image/jpeg", ".jpg"), ("image/svg+xml", ".svg")):
        if mime in data:
            content = data[mime]
            raw = (content if isinstance(content, str) else "".join(content)).encode() if suffix == ".svg" \
                else base64.b64decode(content)
            name = f"{assets}/{hashlib.sha256(raw).hexdigest()[:16]}{suffix}"
            files[name] = raw
            alt = _alt_text(data.get("text/plain", "output"))
            return f"![{alt}]({name})"
    if "text/markdown" in data:
        return data["text/markdown"]
    if "text/html" in data:
        return f'<div class="vaultsite-nb-output" markdown="0">\n{data["text/html"]}\n</div>'
    if "text/plain" in data:
        return _fence(_ANSI.sub("", data["text/plain"]), "text")
    return ""


def _alt_text(text: str) -> str:
    # matplotlib's "<Figure size 640x480 with 1 Axes>": keep it readable, no brackets in alt text
    text = unicodedata.normalize("NFC", str(text)).strip().strip("<>")
    return re.sub(r"[\[\]\n]+", " ", text)[:80] or "output"


def _fence(text: str, language: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"
