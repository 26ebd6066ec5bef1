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
