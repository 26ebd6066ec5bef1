"""Versions of one note (vaultsite.dedup): fixture vaults beside the groups they must make, fixture
pairs beside the diff they must show, the real vault's three versions of one note, and a small
site whose version page must show a difference no eye can see.

A fixture case's input is a small vault: each note starts with `=== path`, optionally followed by
` :: repaired mtime=ISO git=ISO`; its expected output lists each group (canonical, then `<-` each
other version, then `why:` each reason). `pytest --regen` rewrites the expected outputs.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import random
import re

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from conftest import FIXTURES, ROOT, build_site
from fixtures import Case, read_cases, regenerating
from vaultsite.dedup import (
    Group, NoteVersion, _all_pairs, _candidates, _facts, _group, diff_markdown, group_versions,
    title_key,
)
from vaultsite.links import folded_names, strip_copy_marker

GROUP_FILES = [FIXTURES / "dedup" / "groups.md", FIXTURES / "dedup" / "robust.md"]
DIFF_FILES = [FIXTURES / "dedup" / "diff.md"]
GROUP_CASES = [case for path in GROUP_FILES for case in read_cases(path)]
DIFF_CASES = [case for path in DIFF_FILES for case in read_cases(path)]
DEFAULT_TIME = "2024-01-01T00:00"


def timestamp(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc).timestamp()


def parse_vault(block: str) -> list[NoteVersion]:
    notes, header, lines = [], None, []

    def flush():
        if header is not None:
            path, _, attributes = header.partition(" :: ")
            facts = dict(a.partition("=")[::2] for a in attributes.split())
            notes.append(NoteVersion(
                path=path, text="\n".join(lines) + "\n", repaired="repaired" in facts,
                mtime=timestamp(facts.get("mtime") or DEFAULT_TIME),
                git_time=timestamp(facts["git"]) if facts.get("git") else None,
            ))

    for line in block.split("\n"):
        if line.startswith("=== "):
            flush()
            header, lines = line[4:], []
        else:
            lines.append(line)
    flush()
    return notes


def show(groups: list[Group]) -> str:
    out = []
    for group in groups:
        out.append(group.canonical)
        out.extend(f"  <- {path}" for path in group.versions)
        out.extend(f"  why: {reason}" for reason in group.reasons)
    return "\n".join(out) or "(no groups)"


@pytest.fixture(scope="module")
def regenerated(regen):
    yield from regenerating(GROUP_FILES + DIFF_FILES, regen)

def check(case: Case, got: str, regen: bool, regenerated: dict[str, str]) -> None:
    if regen:
        regenerated[case.id] = got
    else:
        assert got == case.expected, f"{case.file.name}:{case.line}"


@pytest.mark.parametrize("case", GROUP_CASES, ids=[c.id for c in GROUP_CASES])
def test_groups(case, regen, regenerated):
    check(case, show(group_versions(parse_vault(case.input))), regen, regenerated)


@pytest.mark.parametrize("case", GROUP_CASES, ids=[c.id for c in GROUP_CASES])
def test_input_order_does_not_matter(case):
    notes = parse_vault(case.input)
    expected = group_versions(notes)
    for seed in range(3):
        shuffled = notes[:]
        random.Random(seed).shuffle(shuffled)
        assert group_versions(shuffled) == expected


@pytest.mark.parametrize("case", DIFF_CASES, ids=[c.id for c in DIFF_CASES])
def test_diff(case, regen, regenerated):
    texts = {note.path: note.text for note in parse_vault(case.input)}
    got = diff_markdown(texts["canonical"], texts["version"]).rstrip("\n")
    check(case, got, regen, regenerated)


@pytest.mark.parametrize(("stem", "folder", "expected"), [
    ("Note (conflicted copy 2024-05-01)", [], "Note"),
    ("Note (Ann's conflicted copy 2024-05-01 123456)", [], "Note"),
    ("Note.sync-conflict-20240501-123456-ABCD", [], "Note"),
    ("Note_conflict-20240501-123456", [], "Note"),
    ("Note-DESKTOP-1A2B3C4", [], "Note"),
    ("Note (1)", [], "Note"),
    ("Note - Copy (2)", [], "Note"),
    ("Deep Learning (Neural Network) (Windows copy)", [], "Deep Learning (Neural Network)"),
    ("Note (copy) (1)", [], "Note"),
    ("Deep Learning (Neural Network)", [], "Deep Learning (Neural Network)"),
    ("Note 2", ["Note"], "Note"),
    ("Note 2", [], "Note 2"),
    ("Lecture 2", ["Lecture 1"], "Lecture 2"),
    ("Deep copy", ["Deep"], "Deep"),
    ("Deep copy", [], "Deep copy"),
    ("Note copy 2", ["note"], "Note"),
    ("(1)", [], "(1)"),
])
def test_copy_markers(stem, folder, expected):
    assert strip_copy_marker(stem, folded_names(folder)) == expected


def test_titles():
    def title(path: str, text: str) -> str:
        [facts] = _facts([NoteVersion(path, text, False, 0.0, None)])
        return facts.title
    assert title("a/File.md", "---\ntitle: From Front Matter\n---\n# Heading\n") == "From Front Matter"
    assert title("a/File.md", "```\n# not this\n```\n# Heading ##\n") == "Heading"
    assert title("a/File name.md", "no heading\n") == "File name"
    assert title_key("🧬 Deep-Learning (Neural Network)") == "deep learning neural network"
    assert title_key("Ｃａｆｅ\u0301 ①") == title_key("café 1") == "café 1"
    assert title_key("深度学习（神经网络）") == "深度学习 神经网络"


# --- the real vault ----------------------------------------------------------------------------

DOCS = ROOT / "docs"
FOLDER = "📚 Knowledge Base/💻 Computer Science/🤖 Artificial Intelligence (AI)"
NEWEST = (f"{FOLDER}/🧠 AI Basics & Machine Learning (ML)/🧬 Deep Learning (Neural Network)/"
          "Deep Learning (Neural Network).md")
MOJIBAKE = NEWEST.replace(").md", ") (Windows copy).md")
OLDER = f"{FOLDER}/Deep Learning (old export)/Deep Learning (Neual Network).md"


def real_notes(repair: bool) -> list[NoteVersion]:
    """The vault's notes as the plugin reads them, all from one commit; their file times are
    deliberately the wrong way round (a fresh checkout's), so the commit time must decide."""
    if repair:
        repair_bytes = pytest.importorskip("vaultsite.repair").repair_bytes
    notes = []
    for n, path in enumerate(sorted(DOCS.rglob("*.md"), reverse=True)):
        data, vault_path = path.read_bytes(), path.relative_to(DOCS).as_posix()
        if repair:
            result = repair_bytes(data)
            text, repaired = result.text, result.changed
        else:  # as if repair were off: mojibake read as it is
            text, repaired = data.decode("utf-8"), vault_path == MOJIBAKE
        notes.append(NoteVersion(vault_path, text, repaired, mtime=1_800_000_000.0 + n,
                                 git_time=1_700_000_000.0))
    return notes


@pytest.mark.parametrize("repair", [True, False], ids=["repaired", "mojibake"])
def test_real_versions_are_one_group_with_001_canonical(repair):
    groups = group_versions(real_notes(repair))
    assert [(g.canonical, g.versions) for g in groups] == [(NEWEST, (OLDER, MOJIBAKE))]
    assert any("one typo away" in reason for reason in groups[0].reasons)


def test_real_older_version_keeps_its_sections_in_the_diff():
    texts = {note.path: note.text for note in real_notes(repair=False)}
    diff = diff_markdown(texts[NEWEST], texts[OLDER])
    ours, theirs = html.unescape(re.sub(r"<[^>]+>", "", diff)).split("### Only in the canonical version")
    for line in ("## Convolution Neural Network (CNN)", "## Recurrent Neural Network (RNN)",
                 "### Gated RNN", "- **Translation invariance:** similar output no matter where the object is",
                 "### Pooling Layer"):
        assert line in ours
    assert "### Related Topics" in theirs
    # The diff is headings, captions and <pre> blocks: nothing of the notes renders, links or
    # joins the TOC.
    tokens = MarkdownIt("commonmark").parse(diff)
    assert {t.type for t in tokens if t.level == 0} <= {
        "heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline", "html_block"}
    assert all(t.content.startswith('<pre class="vs-diff"><code>') for t in tokens if t.type == "html_block")
    headings = [tokens[n + 1].content for n, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Only in this version", "Only in the canonical version"]


def test_a_version_page_shows_an_invisible_difference(tmp_path):
    """A copy whose one difference is a zero-width joiner inside an emoji: its diff must not show
    two lines that look the same."""
    lines = [f"Line {i} of the course list, with enough words to compare." for i in range(30)]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    (docs / "Courses.md").write_text("# Courses\n\n👩🏼🏫 Universities\n" + "\n".join(lines) + "\n",
                                     encoding="utf-8")
    copy = docs / "Courses (Windows copy).md"
    copy.write_text("# Courses\n\n👩🏼\u200d🏫 Universities\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")
    older = copy.stat().st_mtime - 3600
    os.utime(copy, (older, older))  # the canonical note is the newer one
    result = build_site(tmp_path, docs)
    assert result.returncode == 0, result.stderr
    page = tmp_path / "site" / "Courses (Windows copy)" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    ours, theirs = soup.select("article pre.vs-diff")
    assert ours.get_text() != theirs.get_text()
    [marker] = ours.select("mark abbr")
    assert (marker.get_text(), marker["title"]) == ("⟨U+200D⟩", "U+200D ZERO WIDTH JOINER")
    assert ours.get_text() == "👩🏼⟨U+200D⟩🏫 Universities"


def test_a_version_page_shows_the_code_fences_and_formulas_of_its_diff_as_written(tmp_path):
    """The fence lines of a version's code vanished from its diff, the code drawn as a code box
    inside the diff's box (superfences read it first): a diff shows the lines as the note has them."""
    lines = [f"Line {i} of the complexity note, with enough words to compare." for i in range(30)]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    body = "\n".join(lines) + "\n"
    (docs / "算法" ).mkdir()
    (docs / "算法" / "时间复杂度.md").write_text(
        "# 时间复杂度\n\n" + body + "\n## 化简\n\n```python\nO(n^2)\n```\n\n~~~\nx\n~~~\n\n$$\nx^2\n$$\n", encoding="utf-8")
    copy = docs / "旧" / "时间复杂度.md"
    copy.parent.mkdir()
    copy.write_text("# 时间复杂度\n\n" + body, encoding="utf-8")
    older = copy.stat().st_mtime - 3600
    os.utime(copy, (older, older))
    result = build_site(tmp_path, docs)
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((tmp_path / "site" / "旧" / "时间复杂度" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    [theirs] = soup.select("article pre.vs-diff")
    assert theirs.get_text() == "## 化简\n\n```python\nO(n^2)\n```\n\n~~~\nx\n~~~\n\n$$\nx^2\n$$"
    assert not theirs.select("pre pre, .highlight, math")


def test_index_finds_what_all_pairs_find():
    """The name index and LSH only choose which pairs to compare: on every fixture vault and on
    the real one they must find the groups that comparing every pair finds."""
    vaults = [parse_vault(case.input) for case in GROUP_CASES] + [real_notes(repair=False)]
    for notes in vaults:
        assert group_versions(notes) == _group(_facts(notes), _all_pairs)


def test_huge_and_binary_notes_do_not_throw():
    rng = random.Random(0)
    junk = bytes(rng.randrange(256) for _ in range(50_000)).decode("utf-8", errors="replace")
    huge = "# Huge\n" + " ".join(f"w{rng.randrange(10**6)}" for _ in range(100_000)) + "\n" + "长" * 100_000
    notes = [NoteVersion(f"x/{n}.md", text, False, 0.0) for n, text in zip("abcd", [junk, junk, huge, huge[:-5]])]
    groups = group_versions(notes)
    assert [(g.canonical, g.versions) for g in groups] == [("x/a.md", ("x/b.md",)), ("x/c.md", ("x/d.md",))]
    assert "Only in this version" in diff_markdown(junk, huge)


def test_many_notes_sharing_a_name_are_compared_only_when_they_share_text():
    """Forty READMEs with their own text, two of them versions, and stub Index notes in forty
    folders: the index compares only what could be versions, and finds what all pairs find."""
    rng = random.Random(1)
    words = [f"w{n}" for n in range(3000)]
    text = lambda: " ".join(rng.choice(words) for _ in range(120))  # noqa: E731
    notes = [NoteVersion(f"p{n}/README.md", f"# README\n\n{text()}\n", False, 0.0) for n in range(40)]
    notes.append(NoteVersion("old/README.md", notes[7].text.replace("w", "v", 3), False, -60.0))
    notes += [NoteVersion(f"p{n}/Index.md", "# Index\n", False, 0.0) for n in range(40)]
    notes.append(NoteVersion("p3/Index 1.md", "# Index\n", False, -60.0))
    facts = _facts(notes)
    assert len(_candidates(facts)) < 10  # of 3,321 pairs; a plain name index made 1,640
    groups = group_versions(notes)
    assert [(g.canonical, g.versions) for g in groups] == [
        ("p3/Index.md", ("p3/Index 1.md",)), ("p7/README.md", ("old/README.md",))]
    assert groups == _group(facts, _all_pairs)


def test_notes_from_one_template_are_rarely_compared():
    """Three hundred long notes that share a template (Jaccard about 0.2 between any two): LSH
    must not make them all candidates, yet must find the one near-identical copy."""
    rng = random.Random(2)
    words = [f"w{n}" for n in range(5000)]
    template = " ".join(rng.choice(words) for _ in range(200))
    notes = [NoteVersion(f"n/{n}.md", f"{template}\n{' '.join(rng.choice(words) for _ in range(400))}\n",
                         False, 0.0) for n in range(300)]
    notes.append(NoteVersion("copy/x.md", notes[5].text.replace("w", "v", 5), False, -60.0))
    facts = _facts(notes)
    assert len(_candidates(facts)) < 300  # of 45,150 pairs; 16 bands of 4 made 2,576
    assert [(g.canonical, g.versions) for g in group_versions(notes)] == [("n/5.md", ("copy/x.md",))]
