"""A vault built on two processes is the same site, with the same warnings, as on one: the notes
normalized and their pages rendered ahead in forked children, their versions and search words
worked out on both cores."""

from __future__ import annotations

import json
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
            f"![missing](pic-{i}.png)\n"
            f"[A folder, which MkDocs cannot link][folder]\n\n[folder]: {'../' * (i % 2)}sub/\n\n"
            f"## Math $x_{i % 3}^2$\n\n$$\\frac{{a}}{{{i % 5}}}$$\n\nAnd $\\left( {i % 2}$\n",
            encoding="utf-8")
        if i % 40 == 0:  # a sync client's copy: one page with its versions
            (folder / f"笔记 Note {i} (1).md").write_bytes((folder / f"笔记 Note {i}.md").read_bytes())


def build(project: Path, workers: int, strict: bool = False, hooks: str = "",
          verbose: bool = True) -> subprocess.CompletedProcess:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  - vaultsite\n" in config and "\nstrict:" not in config
    config = config.replace("\n  - vaultsite\n", f"\n  - vaultsite:\n      workers: {workers}\n")
    config += f"\nstrict: {str(strict).lower()}\n"
    if hooks:
        (project / "hooks.py").write_text(hooks, encoding="utf-8")
        config += "\nhooks:\n  - hooks.py\n"
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *["--verbose"][:verbose], "--site-dir", "site"],
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
    assert re.search(r"normalizing \d+ notes and rendering them ahead, in 2 forked processes\b", results[2].stderr)

    assert warnings(results[1]) == warnings(results[2])
    assert any(re.search(r"笔记 Note \d+\.md:\d+: links to a heading", w) for w in warnings(results[2]))
    # Logged by MkDocs while a child rendered the page; by vaultsite from the formulas it converted
    assert any("unrecognized relative link 'sub/'" in w for w in warnings(results[2]))
    assert any(re.search(r"\.md:\d+: formula that cannot be typeset, shown as TeX: \$\\left\( 1\$", w)
               for w in warnings(results[2]))

    assert "made ahead in a forked process" not in results[1].stderr
    assert re.search(r"search index: .* entries, .*, made ahead in a forked process", results[2].stderr)

    one, two = tmp_path / "workers-1" / "site", tmp_path / "workers-2" / "site"
    pages = sorted(p.relative_to(one) for p in one.rglob("*") if p.suffix in (".html", ".json"))
    assert len(pages) > NOTES
    assert "canonical page of 2 versions" in results[2].stderr
    assert pages == sorted(p.relative_to(two) for p in two.rglob("*") if p.suffix in (".html", ".json"))
    for page in pages:
        assert (one / page).read_bytes() == (two / page).read_bytes(), page


def warnings(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("WARNING")]


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


@linux_only
def test_a_background_result_comes_from_a_forked_process():
    out = run_alone("""
        import os
        from vaultsite import parallel
        print(parallel.in_background(lambda: os.getpid()).result() != os.getpid())
    """)
    assert out.strip() == "True"


@linux_only
@pytest.mark.parametrize("how", ["os._exit(1)", "1 / 0"])
def test_a_background_child_that_dies_or_fails_fails_the_step(how):
    out = run_alone(f"""
        import os
        from vaultsite import parallel
        try:
            parallel.in_background(lambda: {how}).result()
        except ChildProcessError as error:
            print(error)
    """)
    assert ("died (exit code 1)" if how.startswith("os") else "ZeroDivisionError") in out


@linux_only
def test_a_background_child_is_stopped_when_its_result_is_not_wanted():
    out = run_alone("""
        import time
        from vaultsite import parallel
        start = time.perf_counter()
        background = parallel.in_background(lambda: time.sleep(60))
        background.cancel()
        print(time.perf_counter() - start < 10, background._child.is_alive())
    """)
    assert out.split() == ["True", "False"]


@linux_only
def test_warnings_logged_while_a_child_renders_count_for_strict(tmp_path):
    """Not verbose, as CI builds: MkDocs' warnings about a page a child rendered (a relative link
    it does not recognize) and ours about its links to headings count in the parent's tally."""
    results = {}
    for workers in (1, 2):
        project = tmp_path / f"workers-{workers}"
        write_vault(project / "docs")
        results[workers] = build(project, workers, strict=True, verbose=False)
        assert results[workers].returncode == 1
    assert warnings(results[1]) == warnings(results[2])
    assert any("unrecognized relative link 'sub/'" in w for w in warnings(results[2]))
    assert any(re.search(r"\.md:\d+: links to a heading that .* does not have", w) for w in warnings(results[2]))
    aborted = [re.search(r"Aborted with \d+ warnings in strict mode!", r.stdout) for r in results.values()]
    assert aborted[0] and aborted[0].group(0) == aborted[1].group(0)


@linux_only
def test_a_page_changed_after_the_plugin_renders_as_changed(tmp_path):
    """A plugin after ours changes the Markdown: the page a child rendered ahead is not used."""
    write_vault(tmp_path / "docs")
    hook = textwrap.dedent("""
        def on_page_markdown(markdown, page, **kwargs):
            return markdown + "\\n\\nAdded by a hook after vaultsite.\\n"
    """)
    result = build(tmp_path, 2, hooks=hook)
    assert result.returncode == 0, result.stderr
    assert "rendering them ahead, in 2 forked processes" in result.stderr
    pages = list((tmp_path / "site").glob("📁 第1组 Group 1/笔记 Note */index.html"))
    assert len(pages) == NOTES // 4
    for page in pages:
        assert ">Added by a hook after vaultsite.</p>" in page.read_text(encoding="utf-8"), page  # (<p lang="en">)


@linux_only
def test_a_page_changed_before_the_search_plugin_indexes_it_is_indexed_as_changed(tmp_path):
    """A plugin before Material's search plugin changes a page's HTML as MkDocs writes it: the
    entries the child made ahead of that page are not used, and the index is the one a single
    core makes."""
    hook = textwrap.dedent("""
        from mkdocs.plugins import event_priority

        @event_priority(10)
        def on_page_context(context, page, **kwargs):
            if page.file.src_uri.endswith("3.md"):
                page.content += "<p>Added by a hook zzhooked</p>"
            return context
    """)
    (_, one), (result, two) = search_indexes(tmp_path, hook)
    assert "made ahead" not in result.stderr
    assert one == two
    hooked = [doc["location"] for doc in json.loads(two)["docs"] if "zzhooked" in doc["text"]]
    assert len(hooked) == NOTES // 10


@linux_only
def test_a_search_index_the_child_cannot_make_is_made_here(tmp_path):
    hook = textwrap.dedent("""
        import os
        from material.plugins.search.plugin import SearchIndex

        PARENT, SEGMENT = os.getpid(), SearchIndex._segment_chinese

        def segment_here_only(self, data):
            if os.getpid() != PARENT:
                raise RuntimeError("not in a child")
            return SEGMENT(self, data)

        SearchIndex._segment_chinese = segment_here_only
    """)
    (_, one), (result, two) = search_indexes(tmp_path, hook)
    assert "search index made here, not ahead: in a forked process of the build: RuntimeError: not in a child" \
        in result.stderr
    assert one == two
    assert not list((tmp_path / "workers-2" / "site" / "search").glob("*.ahead"))


def search_indexes(tmp_path: Path, hook: str) -> list[tuple[subprocess.CompletedProcess, bytes]]:
    """The test vault built with `hook` on one process and on two: each build and its search index."""
    built = []
    for workers in (1, 2):
        project = tmp_path / f"workers-{workers}"
        write_vault(project / "docs")
        result = build(project, workers, hooks=hook)
        assert result.returncode == 0, result.stderr
        built.append((result, (project / "site" / "search" / "search_index.json").read_bytes()))
    return built
