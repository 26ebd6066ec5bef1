"""`mkdocs serve --livereload`: a saved note reloads the page open in the browser, by itself.

MkDocs 1.6.1 with click 8.2.2 .. 8.3.x silently served without live reload (mkdocs issues #4032,
#4055); this test is what notices if the installed click does that again. It serves a small copy
of the vault (three notes, one notebook and a damaged note) on a free port, opens a page in
headless Chromium, saves an edit to the note, and waits for the page to change without anyone
reloading it. The rebuild after the edit must take the notebook from the cache, never execute it
again, and keep the repair of the damaged note, which did not change.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote
from urllib.request import urlopen

import pytest

from conftest import ROOT
from test_browser import CHROMIUM
from test_repair import damage

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")

FOLDER = ("📚 Knowledge Base/💻 Computer Science/🤖 Artificial Intelligence (AI)/"
          "🧠 AI Basics & Machine Learning (ML)/🧬 Deep Learning (Neural Network)")
NOTE = f"{FOLDER}/Neural Networks.md"
NOTEBOOK = f"{FOLDER}/2️⃣ Neural Network Models 🗿/Perceptron/Perceptron.md"
DAMAGED = "Damaged.md"
STARTUP = 90  # seconds for the first build (it executes the notebook once)
RELOAD = 30  # seconds from saving the note to the changed page in the browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds} s; the server's log:\n{log.read_text(encoding='utf-8')[-3000:]}")


@pytest.fixture
def served(tmp_path):
    """A small vault under `mkdocs serve --livereload`; yields (url, docs folder, log file)."""
    docs = tmp_path / "docs"
    for name in ("index.md", NOTE, NOTEBOOK):
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "docs" / name, docs / name)
    # A note damaged the way note 000 was, with no clean copy in the vault to restore it from.
    corpus = (ROOT / "tests" / "fixtures" / "repair" / "corpus.md").read_text(encoding="utf-8")
    (docs / DAMAGED).write_text(damage(corpus, "cp1254"), encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}"],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(lambda: "Serving on" in log.read_text(encoding="utf-8") or server.poll() is not None,
                  STARTUP, "mkdocs serve did not start", log)
        assert server.poll() is None, log.read_text(encoding="utf-8")
        _wait_for(lambda: _answers(url), 10, "the server did not answer", log)
        yield url, docs, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_saving_a_note_reloads_the_page_in_the_browser(served):
    from playwright.sync_api import sync_playwright

    url, docs, log = served
    assert "Perceptron.md: executed in" in log.read_text(encoding="utf-8"), "the first build runs the notebook"
    page_url = url + quote(NOTE.removesuffix(".md") + "/")
    marker = f"Saved while serving {time.time_ns()}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.goto(page_url, wait_until="load")
            assert "Neural Networks" in page.title()
            assert marker not in page.inner_text("article")
            built = log.read_text(encoding="utf-8")
            note = docs / NOTE
            note.write_bytes(note.read_bytes() + f"\n\n{marker}\n".encode())
            # No reload from here: the page must change by itself (the livereload script).
            page.wait_for_function("m => document.body.innerText.includes(m)", arg=marker,
                                   timeout=RELOAD * 1000, polling=200)
        finally:
            browser.close()
    rebuild = log.read_text(encoding="utf-8")[len(built):]
    assert "Building documentation" in rebuild or "Detected file changes" in rebuild, rebuild
    assert "executed" not in rebuild, f"the edit executed a notebook again:\n{rebuild}"
    # Nor repaired the damaged note again, which did not change (a repair takes seconds): a repair
    # is always told, one kept from the build before only once.
    assert f"{DAMAGED}: repaired" in built, "the first build repairs the damaged note"
    assert f"{DAMAGED}: repaired" not in rebuild, rebuild


def _page(url: str) -> str:
    try:
        with urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def test_a_rebuild_sees_what_changed_in_the_vault_not_only_the_saved_note(served):
    """A rebuild takes the notes that did not change from the build before, but a note written
    while serving turns the links to it into links, in notes that were not saved, and a note that
    embeds a saved note shows its new text."""
    url, docs, log = served
    linking, linked = docs / "Serve A.md", docs / "Serve B.md"
    (docs / "Serve C.md").write_text("# Serve C\n\n![[Serve B]]\n", encoding="utf-8")
    linking.write_text("# Serve A\n\nSee [[Serve B]].\n", encoding="utf-8")
    page_a, page_b, page_c = url + quote("Serve A/"), url + quote("Serve B/"), url + quote("Serve C/")
    _wait_for(lambda: 'class="vs-unwritten"' in _page(page_a), RELOAD, "the link to an unwritten note", log)
    link = f'See <a href="../{quote("Serve B")}/">Serve B</a>'  # in the text (the nav links it too)
    linked.write_text("# Serve B\n\nFirst words.\n", encoding="utf-8")
    _wait_for(lambda: "First words." in _page(page_b), RELOAD, "the note written while serving", log)
    assert link in _page(page_a) and 'class="vs-unwritten"' not in _page(page_a)
    linked.write_text("# Serve B\n\nSecond words.\n", encoding="utf-8")
    _wait_for(lambda: "Second words." in _page(page_b), RELOAD, "the saved note's new text", log)
    assert link in _page(page_a)
    assert "Second words." in _page(page_c) and "First words." not in _page(page_c)  # the embed
    assert "vs-backlinks" in _page(page_b)  # from the note that was not saved
    # A link to a heading whose id changed with its note's headings, in a note that was not saved.
    page_d = url + quote("Serve D/")
    linked.write_text("# Serve B\n\nSecond words.\n\n## First\n### Intro\n\n## Second\n### Intro\n", encoding="utf-8")
    (docs / "Serve D.md").write_text("# Serve D\n\n[[Serve B#Second#Intro]]\n", encoding="utf-8")
    _wait_for(lambda: "#intro_1" in _page(page_d), RELOAD, "the link to the second Intro", log)
    linked.write_text("# Serve B\n\nSecond words.\n\n## Zero\n### Intro\n\n## First\n### Intro\n\n"
                      "## Second\n### Intro\n", encoding="utf-8")
    _wait_for(lambda: "#intro_2" in _page(page_d), RELOAD, "the link to the second Intro, now the third", log)
    # A rebuild tells what changed, not again what the rebuild before told it kept as it was.
    def last_build() -> str:
        return log.read_text(encoding="utf-8").rsplit("Detected file changes", 1)[-1]
    _wait_for(lambda: "vaultsite: " in last_build(), 10, "the rebuild's last line", log)  # its summary
    last = last_build()
    assert "outputs from the cache" not in last and f"{DAMAGED}: repaired" not in last, last
    # The search index, whose pages that did not change kept their entries, is a fresh build's.
    built = docs.parent / "built"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(built)], cwd=docs.parent,
                   check=True, capture_output=True, timeout=120)
    index = (built / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Second words." in index and "First words." not in index
    assert _page(url + "search/search_index.json") == index
