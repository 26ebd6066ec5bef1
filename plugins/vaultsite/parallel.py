"""Share per-note work with the machine's idle cores.

MkDocs builds on one core. A step that treats each note on its own (normalizing it) hands all
but one share of the notes to forked copies of the build: a child starts with everything the
build holds (the vault, its index, the texts), so only the results travel back, pickled. The
build itself works through the first share meanwhile, and the results come back in order, the
same as one core gives. A child never collects garbage: it lives for one step, and the
collector would walk (and so copy) every page of the parent's memory.

Fork is safe only in a process with one thread and where it is the platform's way (Linux):
under `mkdocs serve` (a server thread is running), on macOS and Windows, or for a few notes,
everything runs here, in order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a share, a fork costs more than it saves.
MIN_SHARE = 50

_job: tuple[Callable, list[Sequence]] | None = None  # what the forked children work on


def available_cores() -> int:
    """The cores this process may run on (its affinity, where the platform says)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform == "linux" and threading.active_count() == 1


def processes(items: int, workers: int) -> int:
    """How many processes map_ordered uses for `items` items and up to `workers` processes."""
    return max(1, min(workers, items // MIN_SHARE)) if can_fork() else 1


def map_ordered(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """[fn(item) for item in items], on up to `workers` processes (this one among them).

    `fn` must not log or write (a child's output would be lost): it returns what it found.
    """
    global _job
    shares = processes(len(items), workers)
    if shares == 1:
        return [fn(item) for item in items]
    # Interleaved shares: the notes of a folder tend to cost alike, and contiguous shares of
    # sorted notes came out uneven.
    chunks = [items[i::shares] for i in range(shares)]
    _job = (fn, chunks)
    try:
        with multiprocessing.get_context("fork").Pool(shares - 1, initializer=gc.disable) as pool:
            theirs = pool.map_async(_run_share, range(1, shares))
            mine = [fn(item) for item in chunks[0]]
            results: list = [None] * len(items)
            for i, share in enumerate([mine, *theirs.get()]):
                results[i::shares] = share
    finally:
        _job = None
    return results


def _run_share(index: int) -> list:
    fn, chunks = _job
    return [fn(item) for item in chunks[index]]
