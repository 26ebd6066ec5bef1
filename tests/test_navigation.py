"""Folder notes in the navigation (vaultsite.navigation): a small vault built strictly, its
navigation read from the pages as a reader's browser gets them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from bs4 import BeautifulSoup

from conftest import build_site

MODELS = "Area/2️⃣ Models 🗿"
NOTES = {
    "index.md": "# Home\n",
    "Area/Elsewhere.md": "# Elsewhere\n",
    # The folder note: named like its folder, less the folder's number and emoji. It links to a
    # note outside the folder, to its siblings and into a subfolder, not to Beta, Delta or Omega.
    f"{MODELS}/Models.md": "# Models\n\nBack to [Elsewhere](../Elsewhere.md). Read in order: [[Zeta]],\n"
                           "[Alpha](Alpha/Alpha.md), then [[Mu]] and [[Group]]; [[Zeta]] again.\n",
    f"{MODELS}/Beta.md": "# Beta\n",
    f"{MODELS}/Delta.md": "# Delta\n",
    f"{MODELS}/Zeta.md": "# Zeta\n",
    f"{MODELS}/Alpha/Alpha.md": "# Alpha\n",
    f"{MODELS}/Group/Group.md": "# Group\n",
    f"{MODELS}/Group/Mu.md": "# Mu\n",
    f"{MODELS}/Omega/Omega.md": "# Omega\n",
    # No folder note here: the folder keeps MkDocs' order, its files, then its subfolders.
    "Area/Plain/b.md": "# B\n",
    "Area/Plain/a.md": "# A\n",
    "Area/Plain/Sub/Sub.md": "# Sub\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("navigation")
    docs = project / "docs"
    for name, text in NOTES.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    result = build_site(project, docs)
    assert result.returncode == 0, result.stderr
    return project / "site"


def section(site: Path, page: str, title: str) -> tuple[str | None, list[str]]:
    """On the page built from `page`: the page the section called `title` links to (its landing
    page, as a site path) and the titles the section lists, in order."""
    path = site / page.removesuffix(".md") / "index.html"
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def link(item):
        return item.select_one(":scope > .md-nav__container > a, :scope > label.md-nav__link, :scope > a")

    for item in soup.select("nav.md-nav--primary li.md-nav__item--nested"):
        own = link(item)
        if own.get_text(" ", strip=True) == title:
            here = path.relative_to(site).as_posix()
            landing = unquote(urljoin(here, own["href"])) if own.name == "a" else None
            children = item.select(":scope > nav > ul > li")
            return landing, [link(child).get_text(" ", strip=True) for child in children]
    raise AssertionError(f"no section {title!r} on {page}")


def test_the_folder_note_is_the_landing_page_and_orders_its_folder(site):
    landing, listed = section(site, f"{MODELS}/Zeta.md", "2️⃣ Models 🗿")
    assert landing == f"{MODELS}/Models/"
    # Linked first to last (Zeta twice: its first link counts; Mu's link leads into Group), then
    # the rest as MkDocs orders them.
    assert listed == ["Zeta", "Alpha", "Group", "Beta", "Delta", "Omega"]


def test_a_subfolder_with_its_own_note_is_a_section_led_by_it(site):
    landing, listed = section(site, f"{MODELS}/Group/Mu.md", "Group")
    assert (landing, listed) == (f"{MODELS}/Group/Group/", ["Mu"])


def test_a_folder_without_a_folder_note_keeps_mkdocs_order(site):
    assert section(site, "Area/Plain/a.md", "Plain") == (None, ["A", "B", "Sub"])


def built(tmp_path_factory, name: str, notes: dict[str, str]) -> Path:
    """The site of a vault of `notes` ({path: text}), built strictly."""
    project = tmp_path_factory.mktemp(name)
    for path, text in notes.items():
        (project / "docs" / path).parent.mkdir(parents=True, exist_ok=True)
        (project / "docs" / path).write_text(text, encoding="utf-8")
    result = build_site(project, project / "docs")
    assert result.returncode == 0, result.stderr
    return project / "site"


def read(site: Path, note: str) -> BeautifulSoup:
    path = site / ("" if note == "index.md" else note.removesuffix(".md")) / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def shown_title(soup: BeautifulSoup) -> tuple[str, str]:
    """The page's title as its H1 and its `<title>` show it."""
    return (" ".join(soup.select_one("article h1").get_text().split()).rstrip("¶"),
            soup.title.get_text().rpartition(" - ")[0])


NAMED = {
    "index.md": "# Home\n",
    "tips1.md": "text\n",
    "00-MOC/my_moc-note.md": "text\n",
    "25_2/basic grammer 1.md": "text\n",
    "os/c++/R&D <em>x.md": "text\n",
    "os/c++/heading.md": "# a **written** title\n",
    "os/front.md": "---\ntitle: a front_matter title\n---\ntext\n",
    # MkDocs titles both "A b", and made them one section.
    "a-b/one.md": "text\n",
    "a_b/two.md": "text\n",
    # Folder notes: the section's page; a folder of its note alone is that page.
    "lang/lang.md": "text\n",
    "lang/other_note.md": "text\n",
    "solo/solo.md": "text\n",
    # Several `# ` headings: the first is the title where it names the note, as written or not.
    "h1s/盾斧.md": "# 剑形态\ntext\n\n# 斧形态\ntext\n",
    "h1s/3B1B - Neural Networks.md": "# 3B1b: neural networks\n## Contents\n# 01 - Deep Learning\ntext\n",
    "guide/index.md": "# Guide\n\n# Part 1\ntext\n\n# Part 2\ntext\n",  # named by its folder
}


@pytest.fixture(scope="module")
def named(tmp_path_factory) -> Path:
    return built(tmp_path_factory, "named", NAMED)


def test_a_title_made_of_a_file_name_is_the_name_as_written(named):
    """Obsidian shows a note's name as written: MkDocs showed `tips1.md` as "Tips1" and
    `my_moc-note.md` as "My moc note", in the page's H1, its `<title>` and the navigation."""
    for note, title in [("tips1.md", "tips1"), ("00-MOC/my_moc-note.md", "my_moc-note"),
                        ("25_2/basic grammer 1.md", "basic grammer 1"), ("os/c++/R&D <em>x.md", "R&D <em>x"),
                        ("lang/other_note.md", "other_note"), ("solo/solo.md", "solo")]:
        soup = read(named, note)
        assert shown_title(soup) == (title, title), note
        assert soup.select_one("nav.md-nav--primary .md-nav__link--active").get_text(strip=True) == title
    # A leading H1 and front matter title the page as they did.
    assert shown_title(read(named, "os/c++/heading.md")) == ("a written title", "a written title")
    assert shown_title(read(named, "os/front.md"))[1] == "a front_matter title"


def test_a_note_of_several_h1_sections_is_titled_by_its_name_unless_the_first_names_it(named):
    """盾斧.md, of the sections `# 剑形态` and `# 斧形态`, was titled "剑形态" everywhere, and its name
    shown nowhere; Obsidian titles it by its name, over its sections."""
    def headings(note: str) -> list[tuple[str, str]]:
        return [(h.name, h.get_text().rstrip("¶")) for h in read(named, note).select("article h1, article h2, article h3")]
    assert shown_title(read(named, "h1s/盾斧.md")) == ("盾斧", "盾斧")
    assert headings("h1s/盾斧.md") == [("h1", "盾斧"), ("h2", "剑形态"), ("h2", "斧形态")]
    assert shown_title(read(named, "h1s/3B1B - Neural Networks.md")) == ("3B1b: neural networks",) * 2
    assert headings("h1s/3B1B - Neural Networks.md") == [
        ("h1", "3B1b: neural networks"), ("h3", "Contents"), ("h2", "01 - Deep Learning")]
    guide = BeautifulSoup((named / "guide" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert shown_title(guide) == ("Guide", "Guide")


def test_a_section_is_its_folders_name_as_written(named):
    """MkDocs titled `00-MOC` "00 MOC", `os` "Os", and `a-b` and `a_b` alike, as one section."""
    assert section(named, "00-MOC/my_moc-note.md", "00-MOC") == (None, ["my_moc-note"])
    assert section(named, "25_2/basic grammer 1.md", "25_2") == (None, ["basic grammer 1"])
    assert section(named, "os/c++/heading.md", "os") == (None, ["a front_matter title", "c++"])
    assert section(named, "os/c++/heading.md", "c++") == (None, ["a written title", "R&D <em>x"])  # (heading.md, R&D…)
    assert section(named, "a-b/one.md", "a-b") == (None, ["one"])
    assert section(named, "a_b/two.md", "a_b") == (None, ["two"])
    assert section(named, "lang/other_note.md", "lang") == ("lang/lang/", ["other_note"])


TOPIC = "[TOC]\n\n# The *topic*\n\n" + "".join(f"Line {i} about the topic, with enough words to compare.\n"
                                              for i in range(30))
LISTED = {  # no index.md: the home page lists the notes
    "titles.md": "intro line\n\n# 1 [[esc]] and **bold**\n\n[[Nowhere]]\n",
    "Vue.md": "# Using **Vue** ==now== ~~not~~ [[x]]\n\nSee [[titles]] and [[Nowhere]].\n",
    "pics.md": "some text\n\n# 图片\n\n[[Vue]] [[v1.2 notes]] [[v1.3 notes]]\n",
    "front.md": "---\ntitle: Front *matter* [x]\n---\n# Heading\n\n[[titles]]\n",
    "topic.md": TOPIC,
    "topic (conflicted copy).md": TOPIC,
}


@pytest.fixture(scope="module")
def listed(tmp_path_factory) -> Path:
    return built(tmp_path_factory, "listed", LISTED)


def test_a_note_is_listed_by_the_title_its_page_shows(listed):
    """The home page, "Linked from", the unwritten-notes page and the list of versions titled a
    note by its first `# ` line anywhere, unrendered ("1 [[esc]] and **bold**"), while its page
    said "titles"; a title's highlight and strike-through marks are no text ("==now==")."""
    titles = {"titles.md": "titles", "Vue.md": "Using Vue now not x", "pics.md": "pics",
              "front.md": "Front *matter* [x]", "topic.md": "The topic"}
    for note, title in titles.items():
        assert shown_title(read(listed, note))[1] == title, note
    home = {a.get_text() for a in read(listed, "index.md").select("article li a")}
    assert home == set(titles.values())  # (a version is not listed)

    def linked_from(note: str) -> list[str]:
        return [a.get_text() for a in read(listed, note).select(".vs-backlinks a")]
    assert linked_from("titles.md") == ["Front *matter* [x]", "Using Vue now not x"]
    assert linked_from("Vue.md") == ["pics"]
    unwritten = read(listed, "unwritten.md")
    assert {"v1.2 notes", "v1.3 notes"} <= {li.strong.get_text() for li in unwritten.select("article li")}
    entry = next(li for li in unwritten.select("article li") if li.strong.get_text() == "Nowhere")
    assert [a.get_text() for a in entry.select("a")] == ["Using Vue now not x", "titles"]  # (by path)
    versions = read(listed, "topic.md").select("article details a")
    assert [a.get_text() for a in versions] == ["The topic"]
    banner = read(listed, "topic (conflicted copy).md").select_one("article .admonition.warning a")
    assert banner.get_text() == "The topic"


def test_notes_and_folders_are_listed_as_obsidian_lists_them_numbers_by_value(tmp_path_factory):
    """Lessons `0_` to `99_` and folders `1-`, `2-`, `10-` were listed character by character (10
    to 19 before 2, MkDocs' order), and `Zeta` before `alpha`; Obsidian's list of files orders
    numbers by value, letters whatever their case. A folder's files still come before its
    subfolders, and the home page lists them alike."""
    names = ["0_数据校验", "1_Node简介", "2_CommonJS", "9_Buffer", "10_Stream", "11_EventEmitter", "alpha", "Zeta"]
    notes = {f"06-Node/{name}.md": f"# {name}\n\ntext\n" for name in names}
    notes |= {f"{folder}/note {folder}.md": "text\n" for folder in ("1-基础", "2-进阶", "10-实战")}
    notes |= {"06-Node/sub/deeper.md": "text\n"}
    site = built(tmp_path_factory, "natural", notes)
    nav = [a.get_text(strip=True) for a in read(site, "06-Node/alpha.md").select("nav.md-nav--primary .md-nav__link")]
    assert [label for label in nav if label in {*names, "sub", "1-基础", "2-进阶", "06-Node", "10-实战"}] == [
        "1-基础", "2-进阶", "06-Node", *names, "sub", "10-实战"]
    home = [li.get_text(strip=True) for li in read(site, "index.md").select("article li")]
    assert [label for label in home if label in names] == names
