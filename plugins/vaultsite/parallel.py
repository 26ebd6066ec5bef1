"""Share per-note work with the machine's idle cores.

MkDocs builds on one core. Work that treats each note (or text) on its own goes to forked copies
of the build: a child starts with everything the build holds (the vault, its index, the texts),
so only the results travel back, pickled, and they come back in order, the same as one core
gives. Three ways:

- `map_ordered`: all results now. The build takes the first share itself, children the others.
- `imap_ordered`: results one at a time, worked out ahead by children while the build waits for
  them (MkDocs reading the pages while their notes are normalized and rendered).
- `in_background`: one result, worked out by one child while the build goes on (MkDocs writing
  the pages while their search index is made).

A child never walks the parent's objects with the garbage collector, which would copy every page
of the parent's memory: a `map_ordered` child lives for one step and does not collect at all; an
`imap_ordered` or `in_background` child, which makes many objects (a rendered page is a cycle of
Markdown objects), collects only what it made itself.

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
import traceback
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a share, a fork costs more than it saves.
MIN_SHARE = 50

_job: tuple[Callable, list[Sequence]] | None = None  # what the forked children work on
# Items a child works out at a time in the background: a result each would cost a message each.
_BACKGROUND_CHUNK = 16


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
        with _forking_pool(shares - 1, initializer=gc.disable) as pool:
            theirs = pool.map(_run_share, range(1, shares))  # the children are forked here
            _job = None
            mine = [fn(item) for item in chunks[0]]
            results: list = [None] * len(items)
            for i, share in enumerate([mine, *theirs]):
                results[i::shares] = share
    finally:
        _job = None
    return results


def _run_share(index: int) -> list:
    fn, chunks = _job
    return [fn(item) for item in chunks[index]]


def imap_processes(items: int, workers: int) -> int:
    """How many children imap_ordered starts for `items` items and up to `workers` processes:
    every core goes to them (the caller mostly waits for the results), but on one core none."""
    return min(workers, items // MIN_SHARE) if can_fork() and workers > 1 else 0


def imap_ordered(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """fn(item) for each item, in order, as they are asked for: worked out ahead by up to
    `workers` forked children, or else here, when asked for.

    Started at once: the children work while the caller does something else. Close the iterator
    (or exhaust it) before the next fork: until then the results come in on a thread.
    """
    global _job
    children = imap_processes(len(items), workers)
    if not children:
        return (fn(item) for item in items)
    _job = (fn, [items])
    pool = _forking_pool(children, initializer=gc.freeze)
    try:
        results = pool.map(_run_one, range(len(items)), chunksize=_BACKGROUND_CHUNK)  # forked here
    finally:
        _job = None  # the children have their copy
    return _results(pool, results)


class Background:
    """fn() worked out by one forked child while the build goes on (see in_background)."""

    def __init__(self, fn: Callable[[], R]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._child = context.Process(target=_send_result, args=(fn, send), daemon=True)
        self._child.start()  # forked: fn is not pickled
        send.close()

    def result(self) -> R:
        """Wait for fn's result; ChildProcessError if fn raised or the child died."""
        try:
            done, value = self._receive.recv()
        except EOFError:
            self._child.join()
            raise ChildProcessError("a forked process of the build died "
                                    f"(exit code {self._child.exitcode})") from None
        finally:
            self._receive.close()
        self._child.join()
        if not done:
            raise ChildProcessError(f"in a forked process of the build: {value}")
        return value

    def cancel(self) -> None:
        """Stop the child, if it still works: its result is not wanted."""
        self._child.terminate()
        self._child.join()
        self._receive.close()


def in_background(fn: Callable[[], R]) -> Background | None:
    """Start fn() in a forked child; None where the build may not fork.

    A plain process and a pipe, not an executor: no thread is left here meanwhile (the build may
    fork again), and the child, a daemon, ends with the build if the build fails first.
    """
    return Background(fn) if can_fork() else None


def _send_result(fn: Callable[[], R], send) -> None:
    gc.freeze()
    try:
        result = (True, fn())
    except Exception:
        result = (False, "".join(traceback.format_exception_only(*sys.exc_info()[:2])).strip())
    send.send(result)


def _forking_pool(processes: int, initializer: Callable[[], None]) -> ProcessPoolExecutor:
    # An executor, not a multiprocessing.Pool: a child that dies (out of memory, say) fails the
    # build with BrokenProcessPool where a Pool would wait for its results for ever.
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                               initializer=initializer)


def _results(pool: ProcessPoolExecutor, results: Iterator) -> Iterator:
    try:
        yield from results
    finally:  # all taken, or closed early: what is not started yet never will be
        pool.shutdown(cancel_futures=True)


def _run_one(index: int):
    fn, (items,) = _job
    return fn(items[index])
