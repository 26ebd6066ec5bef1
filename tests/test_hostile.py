"""A vault of bad input: the build goes on, names each problem's file (and line), publishes every
good note, fails under --strict, and never reads or publishes anything outside docs_dir."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_site

SECRET = "TOP-SECRET-OUTSIDE-THE-VAULT"

NOTES: dict[str, bytes | str] = {
    "index.md": "# Home\n",
    "binary.md": bytes(range(256)) * 40,
    "empty.md": "",
    "only-front-matter.md": "---\ntitle: Just meta\n---\n",
    "bad-front-matter.md": "---\ntitle: [unclosed\n  : : :\n---\n# Bad front matter\ntext\n",
    "multimarkdown-looking.md": "Note: this first line is text, not metadata\n\n# Kept\n",
    "cp1252.md": "# Café\n\nNaïve “quotes” – déjà vu\n".encode("cp1252"),
    "gbk.md": "# 中文笔记\n\n这是一个用GBK编码保存的笔记，深度学习与神经网络。\n".encode("gbk"),
    "bom-crlf.md": "\ufeff# BOM note\r\n\r\nline one\r\nline two\r\n".encode("utf-8"),
    "huge.md": "# Huge\n\n" + "\n".join(f"Paragraph {i} with [a link](Nowhere{i % 50}.md), `code` and **bold**."
                                      for i in range(40000)) + "\n",
    "deep-list.md": "# Deep\n\n" + "".join("  " * i + f"- level {i}\n" for i in range(60)),
    "brackets.md": "# Brackets\n\n" + "[" * 5000 + " and " + "](" * 3000 + "\n" + "[a](" * 4000 + "\n",
    "quotes.md": "# Quotes\n\n" + "".join(">" * i + f" q{i}\n" for i in range(1, 80)),
    "A.md": "# A\n\n![[B]]\n",
    "B.md": "# B\n\n![[A]]\n",
    "Self.md": "# Self\n\n![[Self]]\n",
    "100% sure?.md": "# Sure\n",
    "a & b #1.md": "# Ampersand\n",
    "🧪 emoji name.md": "# Emoji\n",
    unicodedata.normalize("NFD", "Résumé.md"): "# Résumé\n",
    "links.md": (
        "# Links\n\n"
        "[pct](100%25%20sure%3F.md) [amp](a%20&%20b%20%231.md) [emoji](🧪%20emoji%20name.md) [[Résumé]]\n"
        "[up](../../secret.md) ![img](../../outside/secret.png) <img src=\"../../outside/secret.png\">\n"
        "[abs](/etc/passwd) [win](C:\\Users\\me\\secret.md) [long](/Users/me/notes/attachments/2019/screenshots/1546691834085.png)"
        " ![bash](/c/Users/me/a.png)\n"
        "[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) [tab](java\tscript:alert(1))\n"
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n"
        "<a href=\"javascript:alert(2)\">raw js</a>\n"
        "[ref js][r] <iframe src=\"JavaScript&#58;alert(3)\"></iframe> <img src=\"https://example.com/x.png\" onerror=\"alert(4)\">\n"
        "\n[r]: javascript:alert(9)\n"
    ),
    # A raw tag right after "](" is no link's destination: it is sanitized as any raw tag is.
    "tricks.md": ("# Tricks\n\ntext ](<img src=x onerror=alert(5)>) here\n\n](<a href=\"javascript:alert(6)\">x</a>\n\n"
                  "](<iframe srcdoc=\"<script>alert(7)</script>\"></iframe>\n"),
    "old-mac.md": b"# Old Mac\r\rlines end with CR alone\r- a list\r- of two\r",  # CR line endings
    "late-nul.md": b"# Late NUL\n\n" + b"x" * 9000 + b"\nmore\0text\n",
    "cp1252.md.orig": "# Backup of a repaired note\n",
    "hang.md": (
        "---\njupyter:\n  kernelspec:\n    name: python3\n    display_name: Python 3\n    language: python\n---\n\n"
        "# Hangs\n\n```python\nimport time\ntime.sleep(600)\n```\n"
    ),
    "raises.md": (
        "---\njupyter:\n  kernelspec:\n    name: python3\n    display_name: Python 3\n    language: python\n---\n\n"
        "# Raises\n\n```python\nx = 1\n```\n\n```python\nraise ValueError('bad cell')\n```\n"
    ),
}

# Every file the build opens is recorded, to prove nothing outside the project is read.
DRIVER = """
import sys
opened = open(sys.argv[1], "w")
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and not opened.closed:
        opened.write(args[0] + "\\n")
sys.addaudithook(hook)
from mkdocs.__main__ import cli
sys.argv = ["mkdocs", *sys.argv[2:]]
cli()
"""


def build(project: Path, strict: bool) -> subprocess.CompletedProcess:
    args = ["build", "--site-dir", "site", *(["--strict"] if strict else [])]
    return subprocess.run([sys.executable, "-c", DRIVER, str(project / "opened.txt"), *args],
                          cwd=project, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    top = tmp_path_factory.mktemp("hostile")
    project = top / "project"
    docs = project / "docs"
    docs.mkdir(parents=True)
    (top / "secret.md").write_text(SECRET, encoding="utf-8")
    (top / "outside").mkdir()
    (top / "outside" / "secret.png").write_text(SECRET, encoding="utf-8")
    for name, content in NOTES.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (docs / name).write_bytes(data)
    # Names that are not UTF-8, as `touch $'caf\xe9.md'` makes them on Linux: no URL can name them.
    (docs / os.fsdecode(b"caf\xe9.md")).write_text("# Caf\n", encoding="utf-8")
    (docs / os.fsdecode(b"d\xe9")).mkdir()
    (docs / os.fsdecode(b"d\xe9/pic\xff.png")).write_bytes(b"not even an image")
    # Links in the vault to a note, a folder and an image outside it.
    (docs / "Linked Secret.md").symlink_to(top / "secret.md")
    (docs / "linked folder").symlink_to(top / "outside", target_is_directory=True)
    (docs / "linked.png").symlink_to(top / "outside" / "secret.png")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  - vaultsite\n" in config and "\nstrict:" not in config
    config = config.replace("\n  - vaultsite\n", "\n  - vaultsite:\n      notebook_timeout: 5\n")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return project, build(project, strict=False)


def page(project: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((project / "site" / name / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_the_build_goes_on_and_names_each_problem(hostile):
    project, result = hostile
    assert result.returncode == 0, result.stderr
    log = result.stderr
    for expected in (
        "binary.md:1: binary data in a note (NUL bytes), not published",
        "late-nul.md:4: NUL bytes in a note, left out",
        "Linked Secret.md: a link to", "linked.png: a link to",
        "bad-front-matter.md:3: front matter is not valid YAML",
        "A.md:3: embed cycle", "B.md:3: embed cycle", "Self.md:3: embed cycle",
        "links.md:5: link to '/etc/passwd' not published",
        "links.md:5: link to '/Users/me/notes/attachments/2019/screenshots/1546691834085.png' not published",
        "links.md:5: link to '/c/Users/me/a.png' not published",
        "links.md:6: link to 'javascript:alert(1)' not published",
        "links.md:6: link to 'JaVaScRiPt:alert(1)' not published",
        "links.md:7: link to 'data:text/html",
        "links.md:8: link to 'href=javascript:alert(2)' not published",
        "links.md:9: link to 'src=JavaScript:alert(3)' not published",
        "links.md:9: link to 'onerror=alert(4)' not published",
        "links.md:11: link to 'javascript:alert(9)' not published",
        "links.md:4: link climbs out of the vault, not followed: ../../secret.md",
        "links.md:4: link climbs out of the vault, not followed: ../../outside/secret.png",
        "hang.md:", "raises.md:",
        "caf\\xe9.md: a file name that is not UTF-8 has no URL: not published; rename the file",
        "d\\xe9/pic\\xff.png: a file name that is not UTF-8 has no URL: not published",
    ):
        assert expected in log, expected
    assert re.search(r"hang\.md:\d+: cell \d+: .*(?i:timed? ?out)", log), "a hanging cell times out, named"
    assert re.search(r"raises\.md:\d+: cell \d+: .*ValueError: bad cell", log)
    assert "Traceback" not in log, "a stopped kernel's noise stays out of the build log"
    assert "bom-crlf.md:" not in log, "a byte-order mark is no repair"


def test_strict_fails_on_those_problems(hostile):
    project, _ = hostile
    result = build(project, strict=True)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Aborted with" in output and "warnings in strict mode" in output


def test_every_good_note_is_published(hostile):
    project, _ = hostile
    site = project / "site"
    for name in ("empty", "only-front-matter", "cp1252", "gbk", "bom-crlf", "huge", "deep-list", "brackets",
                 "quotes", "A", "B", "Self", "100% sure?", "a & b #1", "🧪 emoji name", "links", "hang", "raises"):
        assert (site / name / "index.html").is_file(), name
    assert not (site / "binary").exists(), "a binary file is not a page"
    assert "moretext" in page(project, "late-nul").get_text()
    assert not list(site.rglob("*.orig")), "a repaired note's backup is not published"
    assert list(site.glob("assets/javascripts/bundle.*.min.js")), "the theme's files are not the vault's"
    assert "Naïve “quotes” – déjà vu" in page(project, "cp1252").get_text()
    assert "深度学习与神经网络" in page(project, "gbk").get_text()
    bom = page(project, "bom-crlf").select_one("article")
    assert bom.h1.find(string=True) == "BOM note" and "line one" in bom.get_text()
    assert "this first line is text, not metadata" in page(project, "multimarkdown-looking").get_text()
    broken = page(project, "bad-front-matter").select_one("article")
    assert "title: [unclosed" in broken.get_text(), "broken front matter is shown, not lost"
    old_mac = page(project, "old-mac").select_one("article")
    assert old_mac.h1.find(string=True) == "Old Mac" and [li.get_text() for li in old_mac.select("li")] == ["a list", "of two"]
    deep = page(project, "deep-list").select_one("article")
    assert "level 59" in deep.get_text()
    assert len(page(project, "huge").select("article p")) >= 40000 // 200


def test_names_with_special_characters_link_and_resolve(hostile):
    project, _ = hostile
    links = page(project, "links")
    hrefs = {a.get_text(): a["href"] for a in links.select("article a[href]")}
    assert hrefs["pct"] == "../100%25%20sure%3F/"
    assert hrefs["amp"] == "../a%20%26%20b%20%231/"
    assert hrefs["emoji"] == "../%F0%9F%A7%AA%20emoji%20name/"
    assert hrefs["Résumé"].startswith("../Re")
    for href in hrefs.values():
        target = (project / "site" / "links" / unquote(href.split("#")[0])).resolve()
        assert (target / "index.html").is_file() or target.is_file(), href


def test_scripts_and_data_are_never_live_links(hostile):
    project, _ = hostile
    for name in ("links", "tricks"):
        html = (project / "site" / name / "index.html").read_text(encoding="utf-8")
        assert not re.search(r"""(href|src)\s*=\s*["']?\s*(java\s*script|vbscript|data:text)""", html, re.IGNORECASE)
        assert "onerror" not in html and "srcdoc" not in html, name
    texts = [s.get_text() for s in page(project, "links").select(".vs-unsafe")]
    assert {"js", "JS", "tab", "data", "abs", "win"} <= set(texts)


def test_nothing_outside_the_vault_is_read_copied_or_published(hostile):
    project, _ = hostile
    outside = project.parent
    opened = (project / "opened.txt").read_text(encoding="utf-8").split("\n")
    leaks = [p for p in opened if p and Path(p).resolve().is_relative_to(outside)
             and not Path(p).resolve().is_relative_to(project)]
    assert leaks == []
    for path in (project / "site").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert not list((project / "site").rglob("secret*"))
    report = json.loads((project / ".cache" / "vaultsite" / "report.json").read_text(encoding="utf-8"))
    assert report["notes"]["links.md"]["missing_assets"], "the links climbing out are reported as missing"
    assert not [note for note, entry in report["notes"].items() if 0 in entry.get("normalized", {}).values()]


def test_a_cache_folder_that_cannot_be_made_stops_the_build_naming_what_is_in_the_way(tmp_path):
    """`.cache` a file beside mkdocs.yml is the machine's problem, not the vault's: the build stops
    with a message saying so, not a traceback."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / ".cache").write_text("", encoding="utf-8")
    result = build_site(tmp_path, tmp_path / "docs")
    assert result.returncode == 1
    cache = tmp_path.resolve() / ".cache"
    assert (f"vaultsite: cannot make the cache folder {cache / 'vaultsite'}: {cache} is a file, not a folder; "
            "move it, or set another cache_dir for the plugin in mkdocs.yml") in result.stderr
    assert "Traceback" not in result.stderr


def test_a_note_vaultsite_fails_on_is_shown_as_written_and_named(tmp_path, monkeypatch, caplog):
    """A bug of ours on one note (normalizing it raises) stops no build: the note is shown as
    written, the others as always, and the warning names the note and what went wrong. Shown as
    its text: what normalizing leaves out stays out, its comments (published, they were) and what
    would run a script (a `javascript:` link was a link); `%%` in code is code."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import vaultsite.plugin

    normalize = vaultsite.plugin.normalize

    def failing_on_bad(text: str, path: str, *args):
        if path == "Bad.md":
            raise ValueError("no such state")
        return normalize(text, path, *args)

    monkeypatch.setattr(vaultsite.plugin, "normalize", failing_on_bad)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "Bad.md").write_text(
        "---\ntags: [x]\n---\n# Bad\n\nSee [[Good]]. %% private: call Ann %%\n\n[x](javascript:alert(1)) "
        "<img src=x onerror=alert(2)>\n\n```python\n%%timeit\nf()\n```\n\n%%\nsecret\n%%\n\n```\n%%time\n```\n"
        "shown %% and never closed\n", encoding="utf-8")
    (tmp_path / "docs" / "Good.md").write_text("# Good\n\nSee [[Bad]].\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    with caplog.at_level(logging.WARNING):
        build(config)
    assert ("Bad.md:4: this note could not be normalized (ValueError: no such state); it is shown as written"
            in caplog.text)
    site = tmp_path / "site"
    bad = BeautifulSoup((site / "Bad" / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = bad.select_one("article").get_text()
    assert "See [[Good]]." in text and "%%timeit\nf()" in text and "%%time" in text and "shown " in text
    assert not [hidden for hidden in ("private", "secret", "never closed") if hidden in text], text
    assert not bad.select("article [href^=javascript], article [onerror]")
    good = BeautifulSoup((site / "Good" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert good.select_one("article a[href='../Bad/']").get_text() == "Bad"
