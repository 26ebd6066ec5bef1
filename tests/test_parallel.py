"""A vault built on two processes is the same site, with the same warnings, as on one: the notes
normalized ahead in a forked child, their versions and search words worked out on both cores."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from vaultsite import parallel

NOTES = 160  # enough for two shares of parallel.MIN_SHARE
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="forks only on Linux")


def write_vault(docs: Path) -> None:
    for i in range(NOTES):
        folder = docs / f"📁 第{i % 4}组 Group {i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        other = (i * 7 + 3) % NOTES
        (folder / f"笔记 Note {i}.md").write_text(
            f"# 笔记 Note {i}\n\n## 第一节 Part one\n\n"
            f"See [[笔记 Note {other}#第一节 Part one]] and [[Note never written {i % 5}]].\n"
            f"- a list right after a line\n\t- nested with a tab\n\n"
            f"A heading that is not there: [[笔记 Note {other}#No such part]]\n"
            f"![missing](pic-{i}.png)\n",
            encoding="utf-8")
        if i % 40 == 0:  # a sync client's copy: one page with its versions
            (folder / f"笔记 Note {i} (1).md").write_bytes((folder / f"笔记 Note {i}.md").read_bytes())


def build(project: Path, workers: int) -> subprocess.CompletedProcess:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  - vaultsite\n" in config and "\nstrict: true\n" in config
    config = config.replace("\n  - vaultsite\n", f"\n  - vaultsite:\n      workers: {workers}\n")
    (project / "mkdocs.yml").write_text(config.replace("\nstrict: true\n", "\nstrict: false\n"),
                                        encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--verbose", "--site-dir", "site"],
                          cwd=project, capture_output=True, text=True, timeout=600)


@linux_only
def test_two_processes_build_the_same_site_with_the_same_warnings(tmp_path):
    results = {}
    for workers in (1, 2):
        project = tmp_path / f"workers-{workers}"
        write_vault(project / "docs")
        results[workers] = build(project, workers)
        assert results[workers].returncode == 0, results[workers].stderr
    assert re.search(r"normalizing \d+ notes as their pages are read", results[1].stderr)
    assert re.search(r"normalizing \d+ notes ahead, in 1 forked process\b", results[2].stderr)

    def warnings(result):
        return [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings(results[1]) == warnings(results[2])
    assert any(re.search(r"笔记 Note \d+\.md:\d+: links to a heading", w) for w in warnings(results[2]))

    one, two = tmp_path / "workers-1" / "site", tmp_path / "workers-2" / "site"
    pages = sorted(p.relative_to(one) for p in one.rglob("*") if p.suffix in (".html", ".json"))
    assert len(pages) > NOTES
    assert "canonical page of 2 versions" in results[2].stderr
    assert pages == sorted(p.relative_to(two) for p in two.rglob("*") if p.suffix in (".html", ".json"))
    for page in pages:
        assert (one / page).read_bytes() == (two / page).read_bytes(), page


def run_alone(code: str) -> str:
    """`code` in a fresh Python process: with one thread, so it may fork (by now pytest's own
    process may run other threads, and then everything runs in it, in order)."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@linux_only
@pytest.mark.parametrize("mapping", ["map_ordered", "imap_ordered"])
def test_results_come_in_order_from_forked_processes(mapping):
    out = run_alone(f"""
        import os
        from vaultsite import parallel
        items = list(range(10 * parallel.MIN_SHARE))
        results = list(parallel.{mapping}(lambda x: (x * x, os.getpid()), items, 3))
        assert [square for square, _ in results] == [x * x for x in items]
        pids = {{pid for _, pid in results}}
        print(len(pids - {{os.getpid()}}) > 0, os.getpid() in pids)
    """)
    # Children worked either way; map_ordered works a share here too, imap_ordered none.
    assert out.split() == ["True", str(mapping == "map_ordered")]


@linux_only
@pytest.mark.parametrize("mapping", ["map_ordered", "imap_ordered"])
def test_a_child_that_dies_fails_the_step_instead_of_hanging(mapping):
    out = run_alone(f"""
        import os
        from concurrent.futures.process import BrokenProcessPool
        from vaultsite import parallel
        parent = os.getpid()
        try:
            list(parallel.{mapping}(lambda x: os._exit(1) if os.getpid() != parent else x, range(400), 3))
        except BrokenProcessPool:
            print("the step failed")
    """)
    assert out.strip() == "the step failed"
