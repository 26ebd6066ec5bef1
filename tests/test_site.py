"""The real vault (docs/) builds strictly and reads as its author saw it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from bs4 import BeautifulSoup
from PIL import Image

MAIN = "Deep Learning (Neural Network)"


def pages(site: Path) -> dict[Path, BeautifulSoup]:
    return {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in site.rglob("*.html")}


def page(site: Path, name: str) -> BeautifulSoup:
    [path] = [p for p in site.rglob("index.html") if p.parent.name == name]
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def site(real_site) -> Path:
    return real_site / "site"


def test_builds_strictly_with_no_warning(real_site):
    log = (real_site / "build.log").read_text(encoding="utf-8")
    assert not re.search(r"^WARNING\b", log, re.MULTILINE), log
    assert re.search(r"vaultsite: \d+ notes \(\+\d+ versions\): ", log), "the build log has the one-line summary"


def test_no_raw_obsidian_or_typora_syntax_is_left(site):
    """Outside code: a version's diff quotes the note's source in code blocks on purpose."""
    for path, soup in pages(site).items():
        for code in soup.select("pre, code"):
            code.decompose()
        text = soup.select_one("article").get_text() if soup.select_one("article") else ""
        assert "[TOC]" not in text, path
        assert ":clapper:" not in text, path
        assert not re.search(r"\]\([^)]*\.md\)", text), f"{path}: Typora link text left as text"
        assert not re.search(r"!\[[^\]]*\]\(", text), f"{path}: image syntax left as text"


def test_components_list_has_five_items(site):
    soup = page(site, MAIN)
    intro = soup.find(string=re.compile("Components in artificial neural networks"))
    items = intro.find_parent("p").find_next_sibling("ol").find_all("li", recursive=False)
    assert len(items) == 5
    assert items[0].strong.get_text() == "Inputs:"


def test_xor_is_nested_under_linear_perceptrons(site):
    soup = page(site, MAIN)
    xor = soup.find("li", string="XOR Problems")
    assert xor.find_parent("li").contents[0].strip() == "Linear Perceptrons"


def test_every_heading_has_an_id(site):
    for path, soup in pages(site).items():
        for heading in soup.select("article h1, article h2, article h3, article h4, article h5, article h6"):
            if heading.find_parent(class_="md-nav"):
                continue
            assert heading.get("id") or heading.name == "h1", f"{path}: {heading}"


def test_no_image_points_at_a_missing_file(site):
    for path, soup in pages(site).items():
        for img in soup.select("img[src]"):
            src = img["src"]
            if src.startswith(("data:", "http")):
                continue
            target = Path(unquote(urljoin(path.as_posix(), src.split("#")[0])))
            assert target.is_file(), f"{path}: <img src={src}>"


def test_missing_images_show_as_placeholders_and_are_reported(real_site, site):
    soup = page(site, "3B1B - Neural Networks")
    names = [span.get_text() for span in soup.select(".vs-missing")]
    assert "3b1b001.png" in names
    report = json.loads((real_site / ".cache" / "vaultsite" / "report.json").read_text(encoding="utf-8"))
    entry = next(v for k, v in report["notes"].items() if k.endswith("3B1B - Neural Networks.md"))
    assert any("Pics/3b1b001.png" in item for item in entry["missing_assets"])
    assert report["summary"]["missing_assets"] >= len(names)


def test_bookmark_definitions_are_visible_links(site):
    soup = page(site, MAIN)
    link = soup.find("a", href="https://dzone.com/articles/deep-learning-vs-machine-learning-the-hottest-topi")
    assert link is not None and link.get_text() == "Deep Learning vs. Machine Learning"


def test_one_page_title_for_a_note_with_many_h1(site):
    soup = page(site, "3B1B - Neural Networks")
    assert [h.find(string=True) for h in soup.select("article h1")] == ["3B1B - Neural Networks"]
    assert soup.title.get_text().startswith("3B1B - Neural Networks")


def test_a_template_heading_titles_no_note(tmp_path):
    """Notes written from one template open with its `# Meta`: each was titled "Meta" (its page, the
    navigation, search) and, sharing that title, merged as versions of one note. Obsidian titles a
    note by its name; a heading that names it, in words the name holds or that hold the name, still
    titles it, as one does a note whose name is no title (a slug)."""
    template = "# Meta\n\n- parent :: [[Sliding window]]\n- refs: https://example.org/{}\n\n## Code\n\n{}\n"
    result = small_vault(tmp_path, {
        "leetcode/209. Minimum size subarray.md": template.format("209", "Two pointers over the array."),
        "leetcode/704. Binary search.md": template.format("704", "Halve the range each step."),
        "Transformers.md": "# Transformers · 注意力机制\n\ntext\n",
        "2-ado-mcp.md": "# Azure DevOps MCP Server\n\ntext\n",
        "06. The Kernel Trick.md": "# 5. The Kernel Trick\n\ntext\n",  # (numbered apart: a series' order)
        "Daily/2024-01-01.md": "# Daily Note\n\n## Code\n\nRoadmap.\n",  # (a date is a name to show)
        "Linux.md": "# Linux basics\n\n## Shell\n\n# Linux networking\n",  # (of several, a chapter)
    })
    assert result.returncode == 0, result.stderr
    assert "(+0 versions)" in result.stderr
    for name, number in (("209. Minimum size subarray", "209"), ("704. Binary search", "704")):
        soup = page(tmp_path / "site", name)
        headings = [(h.name, h.find(string=True)) for h in soup.select("article h1, article h2, article h3")]
        assert headings == [("h1", name), ("h2", "Meta"), ("h3", "Code")], name
        assert soup.title.get_text().startswith(name) and f"example.org/{number}" in str(soup.article)
    def headings(name: str) -> list[tuple[str, str]]:
        return [(h.name, h.find(string=True)) for h in page(tmp_path / "site", name).select("article :is(h1, h2, h3)")]
    assert headings("2024-01-01") == [("h1", "2024-01-01"), ("h2", "Daily Note"), ("h3", "Code")]
    assert headings("Linux") == [("h1", "Linux"), ("h2", "Linux basics"), ("h3", "Shell"), ("h2", "Linux networking")]
    for name, title in (("Transformers", "Transformers · 注意力机制"), ("2-ado-mcp", "Azure DevOps MCP Server"),
                        ("06. The Kernel Trick", "5. The Kernel Trick")):
        titled = page(tmp_path / "site", name)
        assert [h.find(string=True) for h in titled.select("article h1")] == [title]
    labels = [label.get_text(strip=True) for label in titled.select(".md-nav__link")]
    assert "209. Minimum size subarray" in labels and "Meta" not in labels


def test_a_note_that_shows_an_h1_further_down_has_its_title_on_top(tmp_path):
    """Material writes a page's title only where its HTML holds no `<h1` at all: a note that shows
    one further down (raw `<h1>` HTML, as Obsidian's own help writes its heading samples; a `# `
    heading under a banner) had no title on top. A note that opens with its H1 keeps that one."""
    result = small_vault(tmp_path, {
        "Formatting.md": "Intro.\n\n<h1>A sample heading</h1>\n\n## Section\n\ntext\n",
        "Banner note.md": "![[banner.png]]\n\n# The heading\n\ntext\n",
        "Opened.md": "# Opened\n\ntext\n\n<h1>A sample heading</h1>\n",
        "R&D <em>x.md": "<h1>A sample heading</h1>\n",
    })
    assert result.returncode == 0, result.stderr
    for name, title, *rest in (("Formatting", "Formatting", "A sample heading"),
                               ("Banner note", "Banner note", "The heading"),
                               ("Opened", "Opened", "A sample heading"),
                               ("R&D <em>x", "R&D <em>x", "A sample heading")):
        soup = page(tmp_path / "site", name)
        assert [h.find(string=True) for h in soup.select("article h1")] == [title, *rest], name
        assert not soup.select("h1 em, .md-nav em"), name  # a file name is text
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    [entry] = [doc for doc in index["docs"] if doc["location"] == "Formatting/"]
    assert entry["title"] == "Formatting" and entry["text"].startswith("<p>Intro."), entry  # the title once


def test_a_title_the_front_matter_gives_and_the_opening_heading_repeats_is_shown_once(tmp_path):
    """A blog post's `title:` over a `# ` heading of the same words (Hexo, Typora) showed the title
    twice, the heading a rank down and every section under it too. A heading of other words is a
    section under the front matter's title, in a note named as a slug too (whose heading titles it
    otherwise: the page showed the heading alone, the title only in the navigation)."""
    result = small_vault(tmp_path, {
        "2024-05-读书笔记.md": "---\ntitle: 《活着》读后感\n---\n\n# 《活着》读后感\n\n## 摘录\n\ntext\n",
        "2024-06-post.md": "---\ntitle: my `git rebase` post\n---\n# My `git rebase` Post\n\ntext\n",
        "我的文章.md": "---\ntitle: A post\n---\n# Another heading\n\ntext\n",
        "post.md": "---\ntitle: A post\n---\n# Another heading\n\ntext\n"})
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "site", "2024-05-读书笔记")
    assert [(h.name, h.find(string=True)) for h in soup.select("article h1, article h2, article h3")] == [
        ("h1", "《活着》读后感"), ("h2", "摘录")]
    assert soup.title.get_text().startswith("《活着》读后感")
    assert [h.get_text() for h in page(tmp_path / "site", "2024-06-post").select("article h1, article h2")] == [
        "My git rebase Post¶"]
    for name in ("我的文章", "post"):
        other = page(tmp_path / "site", name)
        assert [(h.name, h.find(string=True)) for h in other.select("article h1, article h2")] == [
            ("h1", "A post"), ("h2", "Another heading")], name


def test_a_folders_name_is_text_in_the_navigation(tmp_path):
    """A section named by its folder shows the name as written, as a page named by its file does:
    the navigation of every page showed a folder `R&D <em>x` as markup."""
    result = small_vault(tmp_path, {"R&D <em>x/note.md": "text\n", "R&D <em>x/other.md": "text\n"})
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "site", "note")
    assert not soup.select(".md-nav em")
    assert "R&D <em>x" in [label.get_text(strip=True) for label in soup.select(".md-nav__link")]


def test_unwritten_notes_are_not_links(site):
    soup = page(site, MAIN)
    unwritten = soup.select(".vs-unwritten")
    assert any(u.get_text() == "Information Theory" for u in unwritten)
    assert all(u.get("title", "").startswith("Not written yet") for u in unwritten)
    for a in soup.select("article a[href]"):
        assert not a["href"].endswith(".md"), a


def test_home_page_is_bilingual_and_leads_into_the_notes(site):
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = soup.select_one("article").get_text()
    assert "知识库" in text and "Knowledge Base" in text
    hrefs = [unquote(a["href"]) for a in soup.select("article a[href]")]
    assert any(h.endswith(f"/{MAIN}/") for h in hrefs), hrefs


def test_site_requests_nothing_off_the_machine(site):
    for path, soup in pages(site).items():
        for tag in soup.select("link[href], script[src], img[src]"):
            url = tag.get("href") or tag.get("src")
            assert not url.startswith(("http:", "https:", "//")), f"{path}: {tag}"


def test_a_vault_that_draws_no_diagram_carries_no_mermaid(site):
    """Mermaid is 3.5 MB: a site carries it only where a note draws a diagram (test_browser)."""
    assert not list(site.rglob("mermaid*.js"))
    assert not any(soup.select("script[src*=mermaid]") for soup in pages(site).values())


@pytest.mark.parametrize("body, problem", [
    ("> [!nonsense] Title\n> body\n", "8: unknown callout type [!nonsense]"),
    ("> [!my-card] Title\n> body\n", "8: unknown callout type [!my-card], shown as a note"),
    ("> [!My Type] Title\n> body\n", "8: unknown callout type [!My Type], shown as a note"),
    ("$$\nx = 1\n\nmore\n", "8: display formula opened with $$ is never closed"),
    ("text %% a comment\n\nmore\n", "8: comment opened with %% is never closed"),
    ("see [[#^nope]]\n", "8: links to a block that note.md does not have: #^nope (check the block's id)"),
    ("![[index#Nope]]\n", "8: embeds a heading that index.md does not have: #Nope, shown as a link to the note"),
    ("Its sign $\\sgn x$.\n", "8: formula with a command latex2mathml does not know, shown as its name: \\sgn"),
    ("Its norm $\\big\\lVvert x$.\n", "8: formula with a command latex2mathml does not know, shown as its name: \\lVvert"),
    ("$$\n\\begin{CD} A @>f>> B \\end{CD}\n$$\n",
     "9: formula with an environment latex2mathml does not know, drawn as its content: CD"),
], ids=["callout", "custom callout", "custom callout of words", "formula", "comment", "block id", "embedded heading", "TeX command",
        "TeX command sizing a bracket", "TeX environment"])
def test_content_problem_fails_strict_naming_file_and_line(tmp_path, body, problem):
    result = small_vault(tmp_path, {"note.md": f"---\ntags: [a]\n---\n# Note\n\ntext\n\n{body}"})
    assert result.returncode != 0
    assert f"note.md:{problem}" in result.stderr


def test_a_vaults_own_callout_type_is_shown_as_the_admonition_mkdocs_yml_maps_it_to(tmp_path):
    """Obsidian shows a callout type it does not know as a note, which CSS snippets style: mapped
    in mkdocs.yml (any case), it is that admonition, with no warning to fail a strict build on, and
    titled as Obsidian titles it: by its type as written. A type of words (`[!Attack Rolls]-`) is
    one too: it showed as a quote of its `[!…]` text, what it folds away open."""
    result = small_vault(tmp_path, {"A.md": "# A\n\n> [!My-Card] Hello\n> body\n\n> [!信息]\n> 内容\n\n"
                                            "> [!Attack Rolls]-\n> Hidden body\n"},
                         plugins={"vaultsite": "callouts: {my-card: tip, 信息: info, attack rolls: example}"})
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "site", "A")
    assert [(div["class"], div.select_one(".admonition-title").get_text()) for div in soup.select("article .admonition")
            ] == [(["admonition", "tip"], "Hello"), (["admonition", "info"], "信息")]
    folded = soup.select_one("article details")
    assert (folded["class"], folded.get("open"), folded.summary.get_text()) == (["example"], None, "Attack rolls")
    assert folded.select_one("p").get_text() == "Hidden body" and "[!" not in soup.select_one("article").get_text()


def test_a_callout_mapped_to_no_admonition_of_material_is_named_as_mkdocs_yml_is_read(tmp_path):
    result = small_vault(tmp_path, {"A.md": "# A\n"}, plugins={"vaultsite": "callouts: {card: sticky}"})
    assert result.returncode != 0
    assert "callouts" in result.stderr and "sticky" in result.stderr


def test_each_block_says_the_language_it_is_written_in(tmp_path):
    """A screen reader reads a block in the voice of its `lang`, and a browser draws ideographs in
    the forms of its language: in a Chinese site, what is written in English or Japanese says so,
    down to the item of a list, and what mixes in a few words of another stays Chinese."""
    result = small_vault(tmp_path, {
        "中文.md": "# 中文笔记\n\n我们用 PyTorch 训练模型。\n\nThe model learns from data.\n\n"
                  "- 第一项\n- Second item\n\n今日は雨が降っていました。\n\n日语的“ありがとう”是谢谢。\n\n"
                  "한국어 문장입니다.\n\nSee `模型` here.\n\n使用 `ありがとう()` 函数。\n\n<p lang=\"fr\">Bonjour à tous</p>\n",
        "English.md": "# English\n\nA note in English.\n\n- one\n- two\n",
        "notes on ML.md": "关于机器学习的笔记。\n"})
    assert result.returncode == 0, result.stderr
    blocks = [(tag.name, tag.get("lang"), tag.get_text().strip()) for tag in
              page(tmp_path / "site", "中文").select("article > h1, article > p, article li")]
    assert blocks == [
        ("h1", None, "中文笔记¶"),
        ("p", None, "我们用 PyTorch 训练模型。"),
        ("p", "en", "The model learns from data."),
        ("li", None, "第一项"),
        ("li", "en", "Second item"),
        ("p", "ja", "今日は雨が降っていました。"),
        ("p", None, "日语的“ありがとう”是谢谢。"),
        ("p", "ko", "한국어 문장입니다."),
        ("p", None, "See 模型 here."),  # an ideograph in English is drawn as Chinese, not as Japanese
        ("p", None, "使用 ありがとう() 函数。"),  # code's kana are no Japanese
        ("p", "fr", "Bonjour à tous"),
    ]
    english = page(tmp_path / "site", "English")
    assert [(tag.name, tag.get("lang")) for tag in english.select("article > :not(script)")] == [
        ("h1", "en"), ("p", "en"), ("ul", "en")]
    named = page(tmp_path / "site", "notes on ML")  # titled by its file name, which is English
    assert [(tag.name, tag.get("lang")) for tag in named.select("article > :not(script)")] == [("h1", "en"), ("p", None)]


def test_ideographs_alone_in_a_japanese_block_are_japanese(tmp_path):
    """An item or a cell of ideographs alone ("東京") in a Japanese list or table is Japanese, as
    the block around it says: told Chinese, it was drawn in Chinese glyph forms."""
    result = small_vault(tmp_path, {"A.md": "# 笔记\n\n- 東京に行きました\n- 東京\n- 大阪へ行きます\n"})
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "site", "A")
    assert soup.select_one("article ul").get("lang") == "ja"
    assert [li.get("lang") for li in soup.select("article li")] == [None, None, None]


def test_japanese_of_many_ideographs_is_japanese(tmp_path):
    """A Japanese lecture's headings write a kana or two among many ideographs ("行列の対角化"):
    they were told Chinese, and drawn in its glyph forms."""
    result = small_vault(tmp_path, {"A.md": "# 笔记\n\n## 3.2 行列の対角化\n\n問題1の解答: 特性方程式は\n\n"
                                            "我们学习矩阵的对角化\n\n這篇筆記整理了日語助詞「の」和「が」的用法。\n\n"
                                            "彼は「ありがとう」と言った。\n"})
    assert result.returncode == 0, result.stderr
    blocks = [(tag.get("lang"), tag.get_text(strip=True).rstrip("¶")) for tag in page(tmp_path / "site", "A").select(
        "article > h2, article > p")]
    assert blocks == [("ja", "3.2 行列の対角化"), ("ja", "問題1の解答: 特性方程式は"), (None, "我们学习矩阵的对角化"),
                      (None, "這篇筆記整理了日語助詞「の」和「が」的用法。"),  # Traditional Chinese quoting kana
                      ("ja", "彼は「ありがとう」と言った。")]


@pytest.mark.parametrize("option, lang", [("latin_language: de", "de"), ("latin_language: ''", None)])
def test_the_language_of_blocks_in_latin_letters_is_the_one_mkdocs_yml_names(tmp_path, option, lang):
    result = small_vault(tmp_path, {"A.md": "# 笔记\n\nEin Satz auf Deutsch.\n"}, plugins={"vaultsite": option})
    assert result.returncode == 0, result.stderr
    assert page(tmp_path / "site", "A").select_one("article > p").get("lang") == lang


def small_vault(tmp_path: Path, notes: dict[str, str], plugins: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess:
    from conftest import build_site

    docs = tmp_path / "docs"
    for name, text in {"index.md": "# Home\n", **notes}.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    return build_site(tmp_path, docs, plugins=plugins)


def test_an_embedded_heading_the_note_does_not_have_is_a_link_named_as_a_heading_link_is(tmp_path):
    """`![[B#Part B#Nope]]` shows a link to the note named by its path of headings, as a wikilink
    to a heading is (`B › Part B › Nope`; it read `B › Part B#Nope`)."""
    result = small_vault(tmp_path, {"A.md": "# A\n\n![[B#Part B#Nope]]\n", "B.md": "# B\n\n## Part B\n### Intro\n"})
    assert "A.md:3: embeds a heading that B.md does not have: #Part B#Nope" in result.stderr
    soup = BeautifulSoup((tmp_path / "site" / "A" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [(a.get_text(), a["href"]) for a in soup.select("article p a")] == [("B › Part B › Nope", "../B/")]


def test_embed_cycles_are_links_and_fail_strict(tmp_path):
    result = small_vault(tmp_path, {"A.md": "# A\n\n![[B]]\n", "B.md": "# B\n\n![[A]]\n",
                                    "Self.md": "# Self\n\n![[Self]]\n"})
    assert result.returncode != 0
    assert "Self.md:3: embed cycle, shown as a link: Self.md → Self.md" in result.stderr
    assert "A.md:3: embed cycle" in result.stderr or "B.md:3: embed cycle" in result.stderr


def test_link_to_a_missing_heading_fails_strict_naming_file_and_line(tmp_path):
    result = small_vault(tmp_path, {"A.md": "# A\n\ntext\n[b](B.md#No%20Such%20Heading) [[B#Real]]\n[[B#Nope]] [[B#Nope|again]]\n"
                                            "[up](#a) [down](#gone)\n",
                                    "B.md": "# B\n\n## Real\n"})
    assert result.returncode != 0
    assert "A.md:4: links to a heading that B.md does not have: #No Such Heading" in result.stderr
    assert "#Real" not in result.stderr and "#a " not in result.stderr
    # Once, as written (the wikilink's Markdown link is not checked again), though linked to twice
    assert result.stderr.count("A.md:5: links to a heading") == 1
    assert "A.md:5: links to a heading that B.md does not have: #Nope" in result.stderr
    assert "A.md:6: links to a heading that A.md does not have: #gone" in result.stderr
    warnings = re.findall(r"^WARNING +- +(.*)$", result.stderr, re.MULTILINE)
    assert len(warnings) == 3, f"each broken link once, not again by MkDocs without its line: {warnings}"


def test_each_heading_of_a_heading_path_is_inside_the_section_of_the_one_before(tmp_path):
    """`[[#Part A#Details]]` names a Details in the section of Part A, as Obsidian reads it: the
    one under a later Part C is another heading, and the link lands on none (a warning, as any
    heading the note does not have); `[[#X#B]]` lands on the B in the section of an X, not on the
    first B after an X."""
    result = small_vault(tmp_path, {"A.md": "# A\n\n## X\n### Y\n## Z\n### B\n## X\n### B\n"
                                            "## Part A\ntext\n## Part C\n### Details\n\n"
                                            "[[#X#B]] [[#Part A#Details]] [[#Part C#Details]] [[#Details]]\n"})
    assert result.returncode != 0
    warnings = re.findall(r"^WARNING +- +(.*)$", result.stderr, re.MULTILINE)
    assert warnings == ["vaultsite: A.md:14: links to a heading that A.md does not have: #Part A#Details (check the "
                        "heading's text)"], warnings
    soup = BeautifulSoup((tmp_path / "site" / "A" / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a.get_text(): a["href"] for a in soup.select("article p a")}
    assert links["X › B"] == "#b_1"
    assert links["Part A › Details"] not in {"#details", "#b", "#b_1"}
    assert (links["Part C › Details"], links["Details"]) == ("#details", "#details")


def test_a_wikilink_reaches_a_note_whose_name_holds_dollars_and_names_show_as_written(tmp_path):
    """`[[Mongo $or $nin]]` is the note of that name, not a formula in a broken link, and the
    page of notes not written yet lists a name as written (`__main__` no bold "main")."""
    result = small_vault(tmp_path, {"A.md": "# A\n\n[[Mongo $or $nin]] and [[__main__]] and [[Query $in$]]\n",
                                    "Mongo $or $nin.md": "# Mongo\n"})
    assert result.returncode == 0, result.stderr
    links = page(tmp_path / "site", "A").select("article p a")
    assert [(a.get_text(), a["href"]) for a in links] == [("Mongo $or $nin", "../Mongo%20%24or%20%24nin/")]
    unwritten = page(tmp_path / "site", "unwritten")
    assert [li.strong.get_text() for li in unwritten.select("article li")] == ["__main__", "Query $in$"]


def test_unwritten_notes_page_and_backlinks(real_site, site):
    soup = BeautifulSoup((site / "unwritten" / "index.html").read_text(encoding="utf-8"), "html.parser")
    entry = next(li for li in soup.select("article li") if li.strong.get_text() == "Information Theory")
    assert MAIN in [a.get_text() for a in entry.select("a")]
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not any(doc["location"].startswith("unwritten/") for doc in search["docs"])


def test_a_note_not_written_yet_is_listed_once_however_its_links_spell_its_name(tmp_path):
    """Obsidian finds a note by its name in any case: "My Note" and "my note" are one note to write."""
    result = small_vault(tmp_path, {"A.md": "# Alpha\n\n[[My 🚀 Note]]\n", "B.md": "# Beta\n\n[[my 🚀 note]]\n"})
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((tmp_path / "site" / "unwritten" / "index.html").read_text(encoding="utf-8"), "html.parser")
    [entry] = soup.select("article li")
    assert entry.strong.get_text() == "My 🚀 Note"
    assert [a.get_text() for a in entry.select("a")] == ["Alpha", "Beta"]


def test_a_note_not_written_yet_is_named_as_its_link_writes_it_folders_and_slashes_too(tmp_path):
    """`[[MQ / Kafka]]` was listed as "** Kafka**" (its name cut at the last `/`, the space
    breaking the bold), `[[TCP/IP]]` as "IP"; a Markdown link's path names its file."""
    result = small_vault(tmp_path, {
        "A.md": "# Alpha\n\n[[MQ / Kafka]], [[TCP/IP]], [[../MQ / Kafka.md]], [[Kafka #Intro]] and "
                "[plan](Plans/Q3 Plan.md)\n"})
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((tmp_path / "site" / "unwritten" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [li.strong.get_text() for li in soup.select("article li")] == ["Kafka", "MQ / Kafka", "Q3 Plan", "TCP/IP"]
    spans = page(tmp_path / "site", "A").select("article .vs-unwritten")
    assert spans[3].get_text() == "Kafka › Intro"
    tips = [span["title"] for span in spans]
    assert tips == [f"Not written yet: {name}" for name in ("MQ / Kafka", "TCP/IP", "MQ / Kafka", "Kafka", "Q3 Plan")]


def test_the_unwritten_notes_page_is_in_the_nav_only_while_a_note_is_left_to_write(tmp_path):
    from conftest import build_site

    def nav(page: str) -> list[str]:
        soup = BeautifulSoup((tmp_path / "site" / page / "index.html").read_text(encoding="utf-8"), "html.parser")
        return [a["href"] for a in soup.select("nav.md-nav--primary a.md-nav__link")]

    result = small_vault(tmp_path, {"A.md": "# Alpha\n\n[[B]]\n", "B.md": "# Beta\n\n[[Gamma]]\n"})
    assert result.returncode == 0, result.stderr
    assert "../unwritten/" in nav("A")
    (tmp_path / "docs" / "B.md").write_text("# Beta\n\n[[A]]\n", encoding="utf-8")
    result = build_site(tmp_path, tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    assert not any("unwritten" in href for href in nav("A")) and "../B/" in nav("A")
    assert "Every linked note is written" in (tmp_path / "site" / "unwritten" / "index.html").read_text(encoding="utf-8")


def test_each_page_shows_the_notes_that_link_to_it(tmp_path):
    result = small_vault(tmp_path, {"A.md": "# Zeta\n\n[[B]]\n", "sub/C.md": "---\ntitle: Gamma\n---\n[see](../B.md)\n",
                                    "C# notes/D.md": "# Delta\n\n[[B]]\n", "B.md": "# B\n"})
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((tmp_path / "site" / "B" / "index.html").read_text(encoding="utf-8"), "html.parser")
    block = soup.select_one(".vs-backlinks")
    assert [a.get_text() for a in block.select("a")] == ["Delta", "Gamma", "Zeta"]  # their titles, in order
    # (A `#` of a folder's name is the path's: it was read as the start of an anchor, a link to "C".)
    assert [a["href"] for a in block.select("a")] == ["../C%23%20notes/D/", "../sub/C/", "../A/"]
    search = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    [entry] = [doc for doc in search["docs"] if doc["location"] == "B/"]
    assert "Zeta" not in entry["text"] and "Linked from" not in entry["text"]  # navigation, not text


def test_a_vault_without_a_home_page_gets_one_listing_its_notes(tmp_path):
    """Obsidian opens no home note, so a vault need not have one; the site's home link must work."""
    from conftest import build_site

    notes = {"Top.md": "plain text\n", "课程/第一周/讲义.md": "# 讲义\n\ntext\n",
             "📚 KB [x]/Alpha.md": "# Alpha\n\nThe same note, kept twice by a sync client.\n",
             "📚 KB [x]/Alpha (conflicted copy).md": "# Alpha\n\nThe same note, kept twice by a sync client.\n",
             "Evil.md": "# Evil <img src=x onerror=alert(1)> & co\n"}
    for name, text in notes.items():
        (tmp_path / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    result = build_site(tmp_path, tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    home = BeautifulSoup((tmp_path / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a.get_text(): a["href"] for a in home.select("article li a")}
    assert links == {"Top": "Top/", "讲义": "%E8%AF%BE%E7%A8%8B/%E7%AC%AC%E4%B8%80%E5%91%A8/%E8%AE%B2%E4%B9%89/",
                     "Alpha": "%F0%9F%93%9A%20KB%20%5Bx%5D/Alpha/",
                     "Evil x & co": "Evil/"}  # a version is not listed; a title is text, as its page shows it
    assert [h.get_text(strip=True).rstrip("¶") for h in home.select("article h2")] == ["课程 / 第一周", "📚 KB [x]"]
    assert all((tmp_path / "site" / unquote(href) / "index.html").is_file() for href in links.values())


def test_front_matter_tags_show_on_the_note_and_lead_to_the_notes_of_each_tag(tmp_path):
    """Tags as Obsidian reads them, however the front matter writes them; a string of them stopped
    the build (Material's tags plugin wants a list)."""
    from conftest import build_site

    notes = {"A.md": "---\ntags: [ml, 深度学习]\n---\n# A\n", "B.md": '---\ntags: "#ml, notes"\n---\n# B\n',
             "C.md": "---\ntag: ml\n---\n# C\n", "D.md": "# D\n\nno tags\n"}
    (tmp_path / "docs").mkdir()
    for name, text in notes.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    result = build_site(tmp_path, tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    chips = {name: [a.get_text(strip=True) for a in page(site, name).select("article a.md-tag")] for name in "ABCD"}
    assert chips == {"A": ["ml", "深度学习"], "B": ["ml", "notes"], "C": ["ml"], "D": []}
    listing = BeautifulSoup((site / "tags" / "index.html").read_text(encoding="utf-8"), "html.parser")
    for a in page(site, "A").select("article a.md-tag"):
        target = a["href"].split("#")[1]
        notes_of_tag = listing.find(id=target).find_next("ul").select("a")
        assert (a.get_text(strip=True), sorted(n.get_text(strip=True) for n in notes_of_tag)) in [
            ("ml", ["A", "B", "C"]), ("深度学习", ["A"])]
    # Each tag says its language, as any heading does (Material's placeholder, Latin letters, made all English).
    assert {h.get_text(strip=True).rstrip("¶"): h.get("lang") for h in listing.select("article h2")} == {
        "ml": "en", "notes": "en", "深度学习": None}


def tag_listing(site: Path) -> dict[str, list[str]]:
    """The page of tags: the notes listed under each tag."""
    return {h.get_text(strip=True).rstrip("¶"): sorted(a.get_text(strip=True) for a in h.find_next("ul").select("a"))
            for h in page(site, "tags").select("article h2")}


def test_inline_tags_lead_to_the_notes_of_each_tag(tmp_path):
    """A `#tag` in a note's text is one of its tags, as in Obsidian's tag pane: it links to the
    page of tags, which lists the note under it, in a vault with no front matter tags as well. It
    stays out of the tags above the title, which show the front matter's, as Obsidian shows them."""
    code = "```c\n#include <stdio.h>\n```\n\n`#define` as code\n"
    result = small_vault(tmp_path, {"A.md": "# A\n\nabout #ml and #深度学习/cnn, #ml again\n",
                                    "B.md": f"# B\n\n- #ml in a list\n\n{code}",
                                    "C.md": "---\ntags: [paper]\n---\n# C\n\nsee #ml\n\n![[D]]\n",
                                    "D.md": "# D\n\n#embedded only here\n"})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    listing = tag_listing(site)
    assert listing == {"ml": ["A", "B", "C"], "深度学习/cnn": ["A"], "paper": ["C"], "embedded": ["D"]}
    ids = {h["id"]: h.get_text(strip=True).rstrip("¶") for h in page(site, "tags").select("article h2")}
    for name in "ABC":
        for a in page(site, name).select("article a.vs-tag"):
            assert a["href"].startswith("../tags/#"), a
            assert ids[a["href"].split("#")[1]] == a.get_text(strip=True).lstrip("#")
    assert [a.get_text() for a in page(site, "A").select("article a.vs-tag")] == ["#ml", "#深度学习/cnn", "#ml"]
    assert [a.get_text() for a in page(site, "C").select("article a.md-tag")] == ["paper"]
    assert not page(site, "A").select("article a.md-tag")
    assert "#include" in page(site, "B").select_one("article pre").get_text()
    tags_link = [a for a in page(site, "A").select("nav a") if a.get("href", "").endswith("tags/")]
    assert tags_link, "the page of tags is in the navigation"


def test_a_note_versions_tags_lead_to_its_canonical_page_alone(tmp_path):
    """Two versions of a note, each with the same tags: the page of tags lists the note once, its
    canonical page, as the navigation and search do."""
    text = "---\ntags: [ml]\n---\n# Perceptron\n\nA perceptron is a linear classifier #neural. It learns weights."
    result = small_vault(tmp_path, {"Perceptron.md": text + "\n", "Perceptron (Windows copy).md": text + " More.\n"})
    assert result.returncode == 0, result.stderr
    assert "Perceptron (Windows copy).md: canonical page of 2 versions" in result.stderr
    listed = {h.get_text(strip=True).rstrip("¶"): [a["href"] for a in h.find_next("ul").select("a")]
              for h in page(tmp_path / "site", "tags").select("article h2")}
    assert listed == {"ml": ["../Perceptron%20%28Windows%20copy%29/"], "neural": ["../Perceptron%20%28Windows%20copy%29/"]}


def test_tags_that_differ_only_in_case_are_one_tag(tmp_path):
    """Obsidian's tags ignore case ("#ML" is "#ml"), spelt as the first note spells it: one entry in
    the page of tags, where two would share one anchor."""
    result = small_vault(tmp_path, {"A.md": "---\ntags: [ML]\n---\n# A\n", "B.md": "# B\n\nabout #ml\n",
                                    "C.md": "# C\n\n#Ml too\n"})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert tag_listing(site) == {"ML": ["A", "B", "C"]}
    [heading] = page(site, "tags").select("article h2")
    for name in "BC":
        [tag] = page(site, name).select("article a.vs-tag")
        assert tag["href"] == f"../tags/#{heading['id']}"


def test_a_problem_inside_an_embedded_note_is_warned_of_once_at_its_own_line(tmp_path):
    """It was warned of again at the line of each note embedding it, which holds no such thing; a
    cycle the embed closes is the embedding note's, at its line."""
    result = small_vault(tmp_path, {"E3.md": "# E3\n\ntext\n\n![[alpha#^nope]]\n", "alpha.md": "# alpha\n",
                                    "E4.md": "# E4\n\n![[E3]]\n", "Cyc A.md": "# Cyc A\n\n![[Cyc B]]\n",
                                    "Cyc B.md": "# Cyc B\n\n![[Cyc A]]\n"})
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert [w for w in warnings if "#^nope" in w] == [
        "WARNING -  vaultsite: E3.md:5: embeds a block that alpha.md does not have: #^nope, shown as a link to the note"]
    assert any("Cyc A.md:3: embed cycle, shown as a link: Cyc A.md → Cyc B.md → Cyc A.md" in w for w in warnings)
    assert any("Cyc B.md:3: embed cycle, shown as a link: Cyc B.md → Cyc A.md → Cyc B.md" in w for w in warnings)


def test_a_note_embedded_in_a_list_item_shows_in_the_item(tmp_path):
    """`- ![[B]]` (a map of content's list of embeds) showed a link, and an embed under an item's
    line of text ended the list, the items after it a second list: the note shows in its item, as
    Obsidian shows it, its paragraphs its own in a tight list, its callout a callout."""
    b = "# B\n\nB says **this**.\n\n> [!tip] Tip\n> in B\n\n- b1\n- b2\n"
    result = small_vault(tmp_path, {"B.md": b, "C.md": "# C\n\n![[B]]\n",
                                    "A.md": "# A\n\n- ![[B]]\n- second\n\n1. first\n   ![[B]]\n2. next\n\n- ![[C]]\n"})
    assert result.returncode == 0, result.stderr
    article = page(tmp_path / "site", "A").select_one("article")
    bullets, numbered, nested = article.find_all(["ul", "ol"], recursive=False)
    assert [li.get_text(" ", strip=True)[:12] for li in bullets.find_all("li", recursive=False)] == ["B B says thi", "second"]
    assert [li.get_text(" ", strip=True)[:12] for li in numbered.find_all("li", recursive=False)] == ["first B B sa", "next"]
    for embed in (bullets.li.div, numbered.li.div, nested.select_one("li > div.vs-embed div.vs-embed")):
        assert embed.select_one(".vs-embed-title a")["href"] == "../B/"
        assert embed.select_one("p strong").get_text() == "this"  # a paragraph of B's, not run into the title
        assert embed.select_one(".admonition.tip .admonition-title").get_text() == "Tip"
        assert [li.get_text() for li in embed.select("ul li")] == ["b1", "b2"]
    assert bullets.select("li")[-1].get_text() == "second" and not bullets.select("li > p")  # tight, as written


def test_an_embed_of_a_heading_the_note_lacks_is_a_link_by_the_notes_name(tmp_path):
    """Written as Markdown, it was labelled by its path (`game/盾斧.md › 物理流`)."""
    result = small_vault(tmp_path, {"game/盾斧.md": "# 盾斧\n\n## 剑形态\n",
                                    "A.md": "# A\n\n![物理流](game/盾斧.md#物理流)\n\n![[#^gone]]\n"})
    assert "A.md:3: embeds a heading that game/盾斧.md does not have: #物理流" in result.stderr
    assert "A.md:5: embeds a block that A.md does not have: #^gone" in result.stderr
    [link] = page(tmp_path / "site", "A").select("article p a")
    assert (link.get_text(), link["href"]) == ("盾斧 › 物理流", "../game/%E7%9B%BE%E6%96%A7/")
    assert page(tmp_path / "site", "A").select("article p")[-1].get_text() == "^gone"


def test_a_front_matter_title_that_is_no_text_is_left_out_with_a_warning(tmp_path):
    """`title: [a, b]` titled the page `['a', 'b']`, in its heading, its tab and the navigation."""
    result = small_vault(tmp_path, {"A.md": "---\ntags: [x]\ntitle: [列表, 标题]\n---\n# 标题\n"})
    assert result.returncode != 0  # strict
    assert "A.md:3: front matter title is not text (list): left out" in result.stderr
    soup = page(tmp_path / "site", "A")
    assert (soup.select_one("article h1").get_text(strip=True).rstrip("¶"), soup.title.get_text()) == (
        "标题", "标题 - 知识库 · Knowledge Base")


def test_headings_in_a_callout_or_a_quote_stay_out_of_the_table_of_contents_and_keep_their_ids(tmp_path):
    """A problem statement pasted into a folded callout with its own `# ` and `## ` headings took
    every section of the page after it as its children; Obsidian's outline leaves them out."""
    note = ("# DP\n\n## 基础\n\n> [!note]- 题面\n> # 数字三角形\n> ## 输入格式\n> text\n\n"
            "> ## Quoted\n\n### 暴力-DFS\n\nSee [[#输入格式]].\n\n## 记忆化\n")
    result = small_vault(tmp_path, {"DP.md": note})
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "site", "DP")
    toc = soup.select_one(".md-sidebar--secondary .md-nav--secondary > ul")
    outline = [(len(a.find_parents("ul")) - len(toc.find_parents("ul")), a.get_text(strip=True)) for a in toc.select("a")]
    assert outline == [(1, "基础"), (2, "暴力-DFS"), (1, "记忆化")]
    assert soup.select_one("article details h2")["id"] == "输入格式"
    assert soup.select_one("article p a[href='#输入格式']")
    # A tag named in a note's text ends with its item, cell or callout, as a browser ends it.
    result = small_vault(tmp_path, {"E.md": "# E\n\n## Tags\n\n- Use the <details> element.\n\n| <blockquote> | x |\n"
                                            "|---|---|\n\n> [!tip]\n> Wrap it in <details>\n\n## Attributes\n"})
    toc = page(tmp_path / "site", "E").select(".md-sidebar--secondary .md-nav--secondary a")
    assert [a.get_text(strip=True) for a in toc] == ["Tags", "Attributes"]


def test_an_empty_front_matter_title_or_one_of_links_alone_titles_no_page(tmp_path):
    """A template's empty `title:` titled the page "None" in the navigation and the search (its
    heading the site's name); `title: "[[Saint]]"`, a character's rank, titled it "[[Saint]]".
    Obsidian titles both by the note's name, and shows the link among the properties."""
    result = small_vault(tmp_path, {"A.md": "---\ntitle:\n---\ntext\n", "B.md": '---\ntitle: ""\n---\ntext\n',
                                    "Lena.md": '---\ntitle: "[[Saint]]"\n---\ntext\n', "Saint.md": "# Saint\n"})
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = {doc["title"] for doc in index["docs"]}
    for name in ("A", "B", "Lena"):
        soup = page(tmp_path / "site", name)
        assert (soup.select_one("article h1").get_text(strip=True), soup.title.get_text()) == (
            name, f"{name} - 知识库 · Knowledge Base")
        assert name in [a.get_text(strip=True) for a in soup.select("nav.md-nav--primary .md-nav__link")]
        assert name in titles
    properties = page(tmp_path / "site", "Lena").select_one("article .vs-properties")
    assert properties.get_text(" ", strip=True) == "title Saint"
    assert properties.select_one("a")["href"] == "../Saint/"


def test_a_note_beside_a_folder_with_an_index_of_its_own_is_published_too(tmp_path):
    """`lang.md` and `lang/index.md` were both at `lang/`: one page was lost, and every link to
    it led to the other."""
    result = small_vault(tmp_path, {"lang.md": "# Lang overview\n", "lang/index.md": "# 语言索引\n",
                                    "A.md": "# A\n\n[overview](lang.md) and [index](lang/index.md)\n"})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    links = {a.get_text(): a["href"] for a in page(site, "A").select("article p a")}
    assert links == {"overview": "../lang.html", "index": "../lang/"}
    assert BeautifulSoup((site / "lang.html").read_text(encoding="utf-8"), "html.parser").h1.get_text() == "Lang overview¶"
    assert page(site, "lang").h1.get_text() == "语言索引¶"


def test_tags_named_by_their_plus_and_sharp_signs_are_apart(tmp_path):
    """`C`, `C++` and `C#` are three tags, with three ids on the page of tags: they had one, and
    every link to C++ or C# landed on C."""
    result = small_vault(tmp_path, {"A.md": "---\ntags: [C]\n---\n# A\n", "B.md": "---\ntags: [C++]\n---\n# B\n",
                                    "D.md": '---\ntags: ["C#"]\n---\n# D\n'})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert tag_listing(site) == {"C": ["A"], "C++": ["B"], "C#": ["D"]}
    ids = {h["id"]: h.get_text(strip=True).rstrip("¶") for h in page(site, "tags").select("article h2")}
    assert len(ids) == 3
    for name, tag in (("A", "C"), ("B", "C++"), ("D", "C#")):
        [chip] = page(site, name).select("article a.md-tag")
        assert ids[unquote(chip["href"].split("#")[1])] == tag


def test_a_tag_in_a_links_text_is_no_link_in_a_link(tmp_path):
    """`[see #x](A.md)`: the tag is drawn in the link's text, and links nowhere itself; it was a link
    inside the link, which no browser shows as written (the outer link ends where the inner starts).
    A wikilink's text is text, as Obsidian shows it: `[[A|see #x]]` holds no tag."""
    result = small_vault(tmp_path, {"A.md": "# A\n\n#x here\n",
                                    "B.md": '# B\n\n[[A|see #x]], [see #x](A.md) and <a href="A.md">#x</a>\n'})
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "site", "B")
    assert not soup.select("article a a")
    assert [a.get_text() for a in soup.select("article p > a")] == ["see #x", "see #x", "#x"]
    assert [len(a.select("span.vs-tag")) for a in soup.select("article p > a")] == [0, 1, 1]


def test_the_tags_of_an_embedded_note_link_to_the_page_of_tags(tmp_path):
    """`![[B]]` shows B's `#tags`, which lead where B's own page's do (they were plain text), and
    stay B's: the page that embeds B lists none of them above its title."""
    result = small_vault(tmp_path, {"A.md": "---\ntags: [own]\n---\n# A\n\n#mine and\n\n![[B]]\n",
                                    "B.md": "---\ntags: [front]\n---\n# B\n\nabout #borrowed\n"})
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "site", "A")
    links = {a.get_text(): a["href"] for a in soup.select("article a.vs-tag")}
    assert links == {"#mine": "../tags/#tag:mine", "#borrowed": "../tags/#tag:borrowed"}
    assert [a.get_text(strip=True) for a in soup.select("article a.md-tag")] == ["own"]


def test_a_note_where_the_page_of_tags_would_be_is_kept(tmp_path):
    """A vault's `tags/index.md` has the URL of the page of tags that vaultsite writes where the
    vault has no `tags.md`: the page of tags was written over the note, without a word (in every
    vault, tags or none), and the unwritten-notes page over an `unwritten/index.md`."""
    result = small_vault(tmp_path, {"tags/index.md": "# My tag system\n\nHow I tag notes.\n",
                                    "unwritten/index.md": "# Ideas\n\nTo write.\n",
                                    "A.md": "# A\n\nabout #ml and [[Nothing yet]]\n"})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert page(site, "tags").select_one("article h1").get_text(strip=True).rstrip("¶") == "My tag system"
    assert page(site, "unwritten").select_one("article h1").get_text(strip=True).rstrip("¶") == "Ideas"


def test_the_tags_plugins_own_name_for_tags_is_read(tmp_path):
    """With `tags_name_property: topics`, Material's tags plugin reads a note's tags from `topics`:
    the inline tags go there too, and the front matter's show above the title (they were all
    dropped from there, and the inline tags listed nowhere)."""
    result = small_vault(tmp_path, {"A.md": "---\ntopics: [paper, 2024]\n---\n# A\n\nabout #ml\n",
                                    "B.md": "# B\n\n#ML too\n"},
                         plugins={"tags": "tags_name_property: topics"})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert tag_listing(site) == {"2024": ["A"], "ml": ["A", "B"], "paper": ["A"]}
    assert [a.get_text(strip=True) for a in page(site, "A").select("article a.md-tag")] == ["2024", "paper"]
    for name in "AB":
        [tag] = page(site, name).select("article a.vs-tag")
        assert tag["href"] == "../tags/#tag:ml"


def test_a_tag_the_tags_plugin_does_not_allow_is_drawn_not_listed(tmp_path):
    """With `tags_allowed`, a `#word` of a note's text that the list does not name stopped the
    build ("Tags not in allow list: fff, x12"): a note's text is no list of tags. It is drawn as a
    tag, linking nowhere; one the list names in another case is the list's."""
    result = small_vault(tmp_path, {"A.md": "---\ntags: [paper]\n---\n# A\n\nabout #ml: #fff is white, issue #x12\n",
                                    "B.md": "# B\n\n#Ml too\n"},
                         plugins={"tags": "tags_allowed: [paper, ML]"})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert tag_listing(site) == {"ML": ["A", "B"], "paper": ["A"]}
    assert [a.get_text() for a in page(site, "A").select("article a.vs-tag")] == ["#ml"]
    assert [span.get_text() for span in page(site, "A").select("article span.vs-tag")] == ["#fff", "#x12"]
    # A vault whose only tags are such has no page of tags in its navigation.
    result = small_vault(tmp_path / "other", {"A.md": "# A\n\n#fff is white\n"}, plugins={"tags": "tags_allowed: [ML]"})
    assert result.returncode == 0, result.stderr
    nav = page(tmp_path / "other" / "site", "A").select("nav a")
    assert nav and not [a for a in nav if a.get("href", "").endswith("tags/")]


@pytest.mark.parametrize("options, linked", [("tags: false", ["#ml", "#draft"]), ("shadow_tags: [draft]", ["#ml"])])
def test_a_tag_links_where_the_page_of_tags_lists_it(tmp_path, options, linked):
    """With `tags: false` (no tags above the title) a `#tag` still links to the page of tags, which
    lists it (it linked nowhere); a shadow tag, which the page of tags does not list in a build,
    links nowhere (it led to a heading the page does not have)."""
    result = small_vault(tmp_path, {"A.md": "---\ntags: [paper]\n---\n# A\n\nabout #ml, #draft\n"},
                         plugins={"tags": options})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    ids = {h["id"] for h in page(site, "tags").select("article h2")}
    tags = page(site, "A").select("article .vs-tag")
    assert [tag.get_text() for tag in tags if tag.name == "a"] == linked
    assert all(tag["href"].startswith("../tags/#") and tag["href"].split("#")[1] in ids for tag in tags if tag.name == "a")


def test_a_vault_without_tags_has_no_page_of_tags_in_its_navigation(tmp_path):
    result = small_vault(tmp_path, {"A.md": "# A\n\n```c\n#include <stdio.h>\n```\n"})
    assert result.returncode == 0, result.stderr
    nav = page(tmp_path / "site", "A").select("nav a")
    assert nav and not [a for a in nav if a.get("href", "").endswith("tags/")]


def test_a_tag_is_text_never_markup(tmp_path):
    """Material's tags plugin writes a tag's name into the page as it is: a front matter tag
    written as a tag of HTML was HTML on the note and on the page of tags (a script that ran)."""
    from conftest import build_site

    (tmp_path / "docs").mkdir()
    tags = '["<svg/onload=alert(1)>", "<script>alert(2)</script>", "<b>bold</b>", "R&D"]'
    (tmp_path / "docs" / "A.md").write_text(f"---\ntags: {tags}\n---\n# A\n", encoding="utf-8")
    result = build_site(tmp_path, tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for name in ("A", "tags"):
        soup = page(site, name)
        assert not soup.select("[onload]") and not soup.select("article b"), name
        assert not [script for script in soup.select("script") if "alert" in script.get_text()], name
    assert sorted(a.get_text(strip=True) for a in page(site, "A").select("article a.md-tag")) == [
        "<b>bold</b>", "<script>alert(2)</script>", "<svg/onload=alert(1)>", "R&D"]


def test_a_tag_is_text_never_markup_wherever_the_tags_plugin_reads_tags(tmp_path):
    """As `tags`, so the front matter key the tags plugin reads instead (`tags_name_property`):
    its names were written into the pages as HTML."""
    result = small_vault(tmp_path, {"A.md": '---\ntopics: ["<img src=x onerror=alert(1)>", "R&D"]\n---\n# A\n'},
                         plugins={"tags": "tags_name_property: topics"})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for name in ("A", "tags"):
        assert not page(site, name).select("[onerror]"), name
    assert sorted(a.get_text(strip=True) for a in page(site, "A").select("article a.md-tag")) == [
        "<img src=x onerror=alert(1)>", "R&D"]


def test_a_front_matter_title_is_text_never_markup(tmp_path):
    """MkDocs and Material write a front matter title into the page as it is: in the navigation,
    a title written as HTML was HTML (a script that ran)."""
    from conftest import build_site

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "A.md").write_text('---\ntitle: "<img src=x onerror=alert(9)> R&D"\n---\ntext\n',
                                            encoding="utf-8")
    (tmp_path / "docs" / "B.md").write_text("# B\n\nSee [[A]].\n", encoding="utf-8")
    result = build_site(tmp_path, tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    for name in ("A", "B"):
        soup = page(tmp_path / "site", name)
        assert not soup.select("[onerror]"), name
        assert "<img src=x onerror=alert(9)> R&D" in [a.get_text(strip=True) for a in soup.select(".md-nav a")], name
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "<img" not in json.dumps(index)


def test_report_says_where_the_build_time_went(real_site):
    report = json.loads((real_site / ".cache" / "vaultsite" / "report.json").read_text(encoding="utf-8"))
    seconds = report["seconds"]
    for event, inside in (("on_files", {"read and repair", "notebooks"}), ("on_nav", {"normalize"})):
        steps = {step: s for step, s in seconds.items() if step.startswith(f"{event}: ")}
        assert {f"{event}: {step}" for step in inside} <= steps.keys()
        assert sum(steps.values()) <= seconds[event]
    assert seconds["on_files: read and repair"] > 0  # on_nav's only starts normalizing: may round to 0
    assert seconds["on_post_build: search index"] > 0 and seconds["on_page_content"] > 0


def test_versions_of_a_note_are_one_canonical_page(real_site, site):
    soup = page(site, MAIN)
    nav = soup.select("nav.md-nav--primary a.md-nav__link")
    # The canonical note is its folder's landing page (a folder note), once; its versions are not.
    assert [a.get_text(" ", strip=True) for a in nav if "md-nav__link--active" in a["class"]] == [f"🧬 {MAIN}"]
    assert not any("Windows copy" in unquote(a["href"]) or "Neual" in unquote(a["href"]) for a in nav)
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert [d["title"] for d in search["docs"] if "#" not in d["location"]].count(MAIN) == 1
    versions = [a for a in soup.select("details.info a") if a.get_text() in (MAIN, "Deep Learning (Neual Network)")]
    assert len(versions) == 2, "the canonical page links its two other versions"
    report = json.loads((real_site / ".cache" / "vaultsite" / "report.json").read_text(encoding="utf-8"))
    [group] = report["groups"]
    assert group["canonical"].endswith(f"/{MAIN}.md")
    assert sorted(Path(v).name for v in group["versions"]) == [
        "Deep Learning (Neual Network).md", "Deep Learning (Neural Network) (Windows copy).md"]
    assert group["why"]


def test_a_version_keeps_its_full_text_and_shows_its_diff(site):
    older = page(site, "Deep Learning (Neual Network)")
    text = older.select_one("article").get_text()
    for section in ("Convolution Layer", "Pooling Layer", "Gated RNN", "Bi-RNN & Deep RNN"):
        assert section in [h.find(string=True) for h in older.select("article h2, article h3")], section
    assert "Differences from the canonical version" in text
    banner = older.select_one(".admonition.warning")
    assert banner.find("a").get_text() == MAIN
    copy = page(site, f"{MAIN} (Windows copy)")
    assert "动手学深度学习" in copy.select_one("article").get_text(), "the repaired copy shows repaired text"


# Notes read in the wrong encoding: UTF-8 that a tool on a Chinese Windows read as GBK ("浣犲ソ"
# for 你好; here a GBK pair takes in the link's "["), or on a Japanese one as Shift-JIS, and Big5
# that a Western tool read through cp1252 ("§A¦n" for 你好).
WRONG_ENCODINGS = {
    "utf8-read-as-gbk": (["循环神经网络", "门控单元"], "长短期记忆网络解决了梯度消失的问题，见", "utf-8", "gbk"),
    "big5-read-as-cp1252": (["旅行日記", "晚餐"], "今天從台北搭高鐵到高雄，行程見", "big5", "cp1252"),
    "utf8-read-as-cp932": (["読書メモ", "勾配降下法"], "損失が小さくなる方向へ少しずつ進む。詳しくは", "utf-8", "cp932"),
}


@pytest.mark.parametrize("case", WRONG_ENCODINGS)
def test_a_note_read_in_the_wrong_encoding_is_published_as_written(tmp_path, case):
    """The page shows the note as written, its link works, and the log says how it was read."""
    (title, section), sentence, written_in, read_as = WRONG_ENCODINGS[case]
    true = f"# {title}\n\n{sentence}[[行程表]]。\n\n## {section}\n"
    damaged = true.encode(written_in).decode(read_as, errors="replace")
    result = small_vault(tmp_path, {"note.md": damaged, "行程表.md": "# 行程表\n"})
    assert result.returncode == 0, result.stderr
    article = page(tmp_path / "site", "note").select_one("article")
    assert [h.find(string=True) for h in article.select("h1, h2")] == [title, section]
    assert f"{sentence}行程表。" in article.get_text()
    assert unquote(article.select_one("p a")["href"]) == "../行程表/"
    assert "note.md: repaired" in result.stderr and f"{written_in} read as {read_as}".lower() in result.stderr.lower()


def test_a_note_saved_as_unicode_by_notepad_is_published(tmp_path):
    """Notepad's "Unicode" is UTF-16 (a NUL in most characters' bytes): a note, not binary data."""
    notes = {"unicode.md": "# 记事本\n\n用“Unicode”保存的笔记，见 [[other]]。\n".encode("utf-16"),
             "no-mark.md": "# Plain\n\nUTF-16 without a byte-order mark.\n".encode("utf-16-le"),
             "other.md": "# Other\n".encode("utf-32")}
    (tmp_path / "docs").mkdir()
    for name, data in {"index.md": b"# Home\n", **notes}.items():
        (tmp_path / "docs" / name).write_bytes(data)
    result = small_vault(tmp_path, {})
    assert result.returncode == 0, result.stderr
    article = page(tmp_path / "site", "unicode").select_one("article")
    assert article.h1.find(string=True) == "记事本" and "用“Unicode”保存的笔记，见 other。" in article.get_text()
    assert article.select_one("p a")["href"] == "../other/"  # the UTF-32 note
    assert page(tmp_path / "site", "no-mark").select_one("article h1").find(string=True) == "Plain"
    assert "unicode.md: decoded from utf-16" in result.stderr and "binary" not in result.stderr


def test_the_guesses_of_a_lossy_repair_are_in_the_build_report(tmp_path):
    """Each rebuilt word that another reading would make about as likely, for the author to check."""
    from test_repair import damage

    true = "# 周末计划\n\n周六上午去图书馆还书，下午和朋友在公园里跑步。\n晚上把这周的笔记整理一遍，再给老师写一封邮件。\n"
    result = small_vault(tmp_path, {"plan.md": damage(true, "cp1253")})
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / ".cache" / "vaultsite" / "report.json").read_text(encoding="utf-8"))
    guesses = report["notes"]["plan.md"]["repair"]["guesses"]
    assert guesses and {guess["line"] for guess in guesses} <= {1, 3, 4}  # the lines with text
    assert all(guess["alternative"] != guess["text"] for guess in guesses)
    assert f"{len(guesses)} guessed words to check" in result.stderr


def test_links_by_name_to_a_version_land_on_the_canonical_note(tmp_path):
    body = "# Topic\n\n" + "\n".join(f"Line {i} about the topic, with enough words to compare." for i in range(30)) + "\n"
    result = small_vault(tmp_path, {"Topic.md": body, "Topic (conflicted copy 2024-05-01).md": body,
                                    "Other.md": "# Other\n\n[[Topic (conflicted copy 2024-05-01)]] [[Topic]]\n"})
    assert result.returncode == 0, result.stderr
    other = BeautifulSoup((tmp_path / "site" / "Other" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in other.select("article p a")] == ["../Topic/", "../Topic/"]
    assert (tmp_path / "site" / "Topic (conflicted copy 2024-05-01)" / "index.html").is_file()
    assert "vaultsite: 3 notes (+1 version): " in result.stderr  # index.md, Topic and Other
    search = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not any("conflicted" in d["location"] for d in search["docs"])


DRAWING = """---
excalidraw-plugin: parsed
tags: [excalidraw]
---
==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠== You can decompress Drawing data with the command palette.

# Excalidraw Data

## Text Elements
Input layer ^WrzidKSu

%%
## Drawing
```compressed-json
N4KAkARALgngDgUwgLgAQQQDwMYEMA2AlgCYBOuA7hADTgQBuCpAzoQPYB2KqATLZMzYBXUtiRoIACyhQ4zZAHoFAc0JRJQgEYA6bGwC2
```
%%
"""


def test_an_excalidraw_drawing_is_shown_by_its_exported_image_or_by_name(tmp_path):
    """A drawing is data only the Excalidraw plugin draws: its embeds and its page showed the plugin's
    banner and its "Excalidraw Data" headings (and two drawings were versions of one note, by that
    title). The image the plugin exports beside it is shown, at the embed's size; without one, the
    drawing's name, with a warning that says how to show it; its page holds the texts written in it."""
    (tmp_path / "docs" / "draw").mkdir(parents=True)
    (tmp_path / "docs" / "draw" / "Net.excalidraw.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50"/></svg>')
    result = small_vault(tmp_path, {"draw/Net.excalidraw.md": DRAWING,
                                    "draw/Sketch.excalidraw.md": DRAWING.replace("Input layer", "#1 priority"),
                                    "BFS.md": "# BFS\n\n- in a list\n\n    ![[Net.excalidraw|300]]\n\n"
                                              "![[Sketch.excalidraw]]\n"})
    assert "draw/Sketch.excalidraw.md:5: an Excalidraw drawing with no image exported beside it" in result.stderr
    assert "draw/Net.excalidraw.md:5" not in result.stderr and "(+0 versions)" in result.stderr
    article = page(tmp_path / "site", "BFS").select_one("article")
    assert [(img["src"], img.get("width")) for img in article.select("li img")] == [("../draw/Net.excalidraw.svg", "300")]
    assert article.select_one(".vs-drawing").get_text() == "✏️ Sketch"
    assert "EXCALIDRAW" not in article.get_text() and not article.select(".vs-embed")
    drawing = page(tmp_path / "site", "Sketch.excalidraw")
    assert [h.get_text() for h in drawing.select("article h1")] == ["Sketch"]
    assert "#1 priority" in drawing.article.get_text() and "Excalidraw Data" not in drawing.article.get_text()


def test_a_drawing_named_without_excalidraw_is_a_drawing_by_its_data(tmp_path):
    """The plugin names drawings without `.excalidraw` where told to (`Drawing 2024-03-01
    01.17.41.md`): such a drawing was a note, its embeds the plugin's banner and a heading "Text
    Elements" over its labels. Its data makes it a drawing, shown by the image exported beside it."""
    (tmp_path / "docs" / "Excalidraw").mkdir(parents=True)
    (tmp_path / "docs" / "Excalidraw" / "A 2024-03-01 01.17.41.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50"/></svg>')
    result = small_vault(tmp_path, {"Excalidraw/A 2024-03-01 01.17.41.md": DRAWING,
                                    "Excalidraw/B 2024-03-02 09.00.00.md": DRAWING.replace("Input layer", "RTC"),
                                    "BFS.md": "# BFS\n\n![[A 2024-03-01 01.17.41|300]]\n\n![[B 2024-03-02 09.00.00]]\n",
                                    "Shapes.md": "# Shapes API\n\n## Drawing\n```json\n{}\n```\n\nImportant text\n",
                                    # (the plugin's text elements commented out: no `%%` over its data)
                                    "C 2024-03-03.md": DRAWING.replace("%%\n## Drawing", "## Drawing")})
    assert "B 2024-03-02 09.00.00.md:5: an Excalidraw drawing with no image exported beside it" in result.stderr
    article = page(tmp_path / "site", "BFS").select_one("article")
    assert [(img["src"], img.get("width")) for img in article.select("img")] == [
        ("../Excalidraw/A%202024-03-01%2001.17.41.svg", "300")]
    assert article.select_one(".vs-drawing").get_text() == "✏️ B 2024-03-02 09.00.00"
    assert "EXCALIDRAW" not in article.get_text() and not article.select(".vs-embed")
    drawing = page(tmp_path / "site", "B 2024-03-02 09.00.00").select_one("article")
    assert "RTC" in drawing.get_text() and "Text Elements" not in drawing.get_text()
    assert "Important text" in page(tmp_path / "site", "Shapes").select_one("article").get_text()  # a note
    assert "Text Elements" not in page(tmp_path / "site", "C 2024-03-03").select_one("article").get_text()


def test_a_notes_properties_are_shown_under_its_title_their_links_links(tmp_path):
    """Obsidian's reading view shows a note's properties, its aliases too: a note of properties alone
    was an empty page, and the notes they link to did not list it as a backlink. What the site
    shows otherwise (tags), and the settings of tools (jupytext), are not properties to show."""
    result = small_vault(tmp_path, {
        "Book.md": '---\nauthors:\n  - "[[Vlad Khononov]]"\n  - "[[Not yet]]"\nlink: https://example.org/b\naliases: [DDD]\n'
                   "tags: [book]\ndate created: 2022-08-16, 13:19:43\nrating: 4\njupyter:\n  kernel: x\n---\n",
        "Vlad Khononov.md": "Bio.\n",
        "Paper.md": '---\nsummary: |\n  one line,\n  and another\nstatus: draft\nsee: "[[Vlad Khononov#Nope]]"\n'
                    "excalidraw-autoexport: png\n---\n"})
    # (A value over several lines leaves the lines of the keys under it as they are.)
    assert "Paper.md:6: links to a heading that Vlad Khononov.md does not have: #Nope" in result.stderr
    paper = page(tmp_path / "site", "Paper").select_one(".vs-properties")
    assert [p.get_text(" ", strip=True) for p in paper.select("p")] == [
        "summary one line, and another", "status draft", "see Vlad Khononov › Nope"]
    properties = page(tmp_path / "site", "Book").select_one("article h1 + .vs-properties")
    keys = [p.select_one(".vs-property").get_text() for p in properties.select("p")]
    shown = [(key, p.get_text()[len(key):].strip()) for key, p in zip(keys, properties.select("p"))]
    assert shown == [("authors", "Vlad Khononov, Not yet"), ("link", "https://example.org/b"), ("aliases", "DDD"),
                     ("date created", "2022-08-16, 13:19:43"), ("rating", "4")]
    assert properties.select_one("a")["href"] == "../Vlad%20Khononov/"
    assert properties.select_one(".vs-unwritten").get_text() == "Not yet"
    assert properties.select("a")[1]["href"] == "https://example.org/b"
    assert [a.get_text() for a in page(tmp_path / "site", "Vlad Khononov").select(".vs-backlinks a")] == ["Book", "Paper"]


def test_properties_are_read_as_yaml_1_2_reads_them_as_obsidian_does(tmp_path):
    """PyYAML reads YAML 1.1, where `16:04` is a number of minutes (shown as 964), `yes` and `off`
    truth values and `0123` an octal number (83); Obsidian reads YAML 1.2, and shows them as written."""
    result = small_vault(tmp_path, {"Redis.md": "---\ntime: 16:04\nanswer: yes\nswitch: off\ncode: 0123\n"
                                                "done: true\nrating: 4\nscore: 1.5\nlr: 1e-5\n---\n# Redis\n"})
    assert result.returncode == 0, result.stderr
    shown = [p.get_text(" ", strip=True) for p in page(tmp_path / "site", "Redis").select(".vs-properties p")]
    assert shown == ["time 16:04", "answer yes", "switch off", "code 0123", "done ✓", "rating 4", "score 1.5",
                     "lr 1e-5"]


def test_dates_and_times_in_properties_show_as_written_and_tags_are_read_in_any_case(tmp_path):
    """A time with its zone or fractions of a second (as export tools write them) was read as a time
    and shown as Python prints one ("2026-08-20 20:41:15.604000+00:00"); `Tags:` (a template's
    capitals) gave no tags, where Obsidian reads the key in any case."""
    result = small_vault(tmp_path, {"Log.md": "---\nTags: [Journal]\ncreated: 2026-08-20T20:41:15.604Z\n"
                                              "day: 2024-08-19\nseen: [2024-08-19T10:30:00+08:00]\n---\n# Log\n"})
    assert result.returncode == 0, result.stderr
    log = page(tmp_path / "site", "Log")
    shown = [p.get_text(" ", strip=True) for p in log.select(".vs-properties p")]
    assert shown == ["created 2026-08-20T20:41:15.604Z", "day 2024-08-19", "seen 2024-08-19T10:30:00+08:00"]
    assert [a.get_text(strip=True) for a in log.select("article a.md-tag")] == ["Journal"]


def test_the_templates_folder_obsidians_settings_name_is_not_published(tmp_path):
    """Obsidian's Templates (and Templater) plugins keep notes to start others from, `{{date}}`
    and `{{title}}` and all: the folder was published, listed `{{title}}` as a note not written
    yet, and its front matter failed a strict build."""
    (tmp_path / "docs" / ".obsidian" / "plugins" / "templater-obsidian").mkdir(parents=True)
    (tmp_path / "docs" / ".obsidian" / "templates.json").write_text('{"folder": "Templates"}', encoding="utf-8")
    (tmp_path / "docs" / ".obsidian" / "plugins" / "templater-obsidian" / "data.json").write_text(
        '{"templates_folder": "_meta/tpl"}', encoding="utf-8")
    template = "---\ndate: {{date}}\n---\n# {{title}}\n\n[[{{title}}]]\n"
    result = small_vault(tmp_path, {"Templates/Note template.md": template, "_meta/tpl/Daily.md": template,
                                    "Templates of mine.md": "# Templates of mine\n\ntext\n"})
    assert result.returncode == 0, result.stderr
    assert "Templates/: the vault's templates folder (as .obsidian/templates.json says): not published" in result.stderr
    site = tmp_path / "site"
    assert not (site / "Templates").exists() and not (site / "_meta").exists()
    assert (site / "Templates of mine" / "index.html").exists()


def test_a_link_to_a_note_mkdocs_leaves_out_is_to_a_note_not_written_yet(tmp_path):
    """MkDocs leaves a top `templates/` folder out of the site (its `exclude_docs`): links to a note
    there led to no page, a 404 no warning told of."""
    result = small_vault(tmp_path, {"templates/Daily.md": "# Daily\n",
                                    "Log.md": "[[Daily]], [the template](templates/Daily.md)\n"})
    assert result.returncode == 0, result.stderr
    log = page(tmp_path / "site", "Log").select_one("article")
    assert not log.select("a[href*=templates]")
    assert [span.get_text() for span in log.select(".vs-unwritten")] == ["Daily", "the template"]


def test_front_matter_that_is_no_yaml_is_shown_under_the_title_and_named_in_the_warning(tmp_path):
    """A template's placeholder is named as one; the box showing the front matter sits under the page's
    title (above it, the title showed twice), and its message is text (YAML's "<stream end>" was a tag)."""
    result = small_vault(tmp_path, {"Daily.md": "---\ndate: {{date}}\n---\n# Daily\n",
                                    "Broken.md": "---\nx: \"{{date}}\"\ntitle: [unclosed\n---\n# Broken\n\ntext\n"})
    assert 'Daily.md:2: front matter is not valid YAML: found unhashable key (a template\'s placeholder, such as ' \
           '{{date}}, is YAML only in quotes: "{{date}}")' in result.stderr
    for name in ("Daily", "Broken"):
        article = page(tmp_path / "site", name).select_one("article")
        assert [h.find(string=True) for h in article.select("h1")] == [name]
        assert article.select_one("h1 ~ .admonition.failure") is not None
    assert page(tmp_path / "site", "Broken").select_one(".admonition-title").get_text().endswith("got '<stream end>'")
    assert "placeholder" not in next(line for line in result.stderr.splitlines() if "Broken.md" in line)


def test_paths_from_the_root_are_read_from_typoras_root_folder(tmp_path):
    """Typora reads `![](/a.png)` from the folder its front matter `typora-root-url` names: one from
    the note's (`assets`, `./`), or a path on the author's disk ending in one of the vault. Each image
    was "not published: a path on the author's disk", or a missing file."""
    for folder in ("商城/assets", "商城/assets/old"):
        (tmp_path / "docs" / folder).mkdir(parents=True)
        Image.new("RGB", (40, 10), "steelblue").save(tmp_path / "docs" / folder / "a.png")
    result = small_vault(tmp_path, {
        "商城/基础.md": "---\ntypora-root-url: assets\n---\n\n# 基础\n\n![a](/a.png) ![old](/old/a.png)\n",
        "商城/进阶.md": "---\ntypora-root-url: ./\n---\n\n# 进阶\n\n![a](/assets/a.png)\n",
        "商城/高级.md": "---\ntypora-root-url: D:\\\\notes\\\\商城\\\\assets\n---\n\n# 高级\n\n![a](/a.png)\n",
    })
    assert result.returncode == 0, result.stderr
    for name, sources in (("基础", ["../assets/a.png", "../assets/old/a.png"]), ("进阶", ["../assets/a.png"]),
                          ("高级", ["../assets/a.png"])):
        article = page(tmp_path / "site", name).select_one("article")
        assert [unquote(img["src"]) for img in article.select("img")] == sources, name
        assert not article.select(".vs-unsafe, .vs-missing"), name


def test_relative_wikilinks_are_read_from_the_linking_notes_folder(tmp_path):
    """Obsidian's "Relative path to file" links (`../`, `./`) lead to the file at that path, even
    where a note of the same name is nearer; none of them is a note not written yet."""
    (tmp_path / "docs" / "pics").mkdir(parents=True)
    Image.new("RGB", (40, 10), "steelblue").save(tmp_path / "docs" / "pics" / "a.png")
    result = small_vault(tmp_path, {
        "课程/第一周/讲义.md": "# 讲义\n\n[[../../其他/参考|参考资料]], [[./练习]], [[../../其他/参考#小节|小节]]\n\n"
                              "![[../../pics/a.png]]\n\n![[../../其他/参考#小节]]\n",
        "课程/第一周/练习.md": "# 练习\n",
        "其他/参考.md": "# 参考\n\n## 小节\n\ntext of the section\n",
        "课程/参考.md": "# A namesake, nearer 讲义\n",
    })
    assert result.returncode == 0, result.stderr
    html = tmp_path / "site" / "课程" / "第一周" / "讲义" / "index.html"
    article = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one("article")
    assert not article.select(".vs-unwritten, .vs-missing")
    assert [(a.get_text(), unquote(a["href"])) for a in article.select("article > p > a")] == [
        ("参考资料", "../../../其他/参考/"), ("练习", "../练习/"), ("小节", "../../../其他/参考/#小节")]
    assert unquote(article.select_one("img")["src"]) == "../../../pics/a.png"
    assert "text of the section" in article.select_one(".vs-embed").get_text()
    report = json.loads((tmp_path / ".cache" / "vaultsite" / "report.json").read_text(encoding="utf-8"))
    assert report["notes"]["课程/第一周/讲义.md"]["unwritten"] == []


def test_links_to_a_heading_with_code_or_math_land_on_its_id(tmp_path):
    """The id Markdown gives `## Using `pip install` 安装` is made of the heading's text, code and
    math included: links and embeds that name the heading as Obsidian writes it land on it."""
    result = small_vault(tmp_path, {
        "目标.md": "# 目标\n\n## Using `pip install` 安装\n\npip it\n\n## $L_2$ 正则化\n\nweight decay\n",
        "other.md": "# Other\n\n[[目标#Using `pip install` 安装]], [[目标#$L_2$ 正则化|L2]], "
                    "[x](目标.md#Using%20`pip%20install`%20安装)\n\n![[目标#Using `pip install` 安装]]\n",
    })
    assert result.returncode == 0, result.stderr
    ids = {h["id"] for h in page(tmp_path / "site", "目标").select("article h2")}
    article = page(tmp_path / "site", "other").select_one("article")
    fragments = [unquote(a["href"]).partition("#")[2] for a in article.select("article > p > a")]
    assert fragments == ["using-pip-install-安装", "l_2-正则化", "using-pip-install-安装"]
    assert set(fragments) <= ids
    assert "pip it" in article.select_one(".vs-embed").get_text()


NETWORKS = ["Perceptron", "MLP (Multi-Layer Perceptron)", "CNN (Convolutional Neural Network)",
            "RNN (Recurrent Neural Network)", "LSTM (Long-Short Term Memories)", "Transformers"]


@pytest.mark.parametrize("name", NETWORKS)
def test_each_network_type_has_a_page_of_executed_code_with_plots(site, name):
    soup = page(site, name)
    article = soup.select_one("article")
    assert article.select(".highlight code"), "code cells"
    plots = article.select("img[src$='.png']")
    assert plots, "at least one plot"
    html_path = next(p for p in site.rglob("index.html") if p.parent.name == name)
    for img in plots:
        assert (html_path.parent / unquote(img["src"])).resolve().is_file(), img["src"]
    assert not article.select(".admonition.failure"), "no cell failed"


def test_the_main_notes_links_reach_the_network_pages(site):
    soup = page(site, MAIN)
    linked = {a.get_text() for a in soup.select("article a[href]")}
    for name in ("CNN (Convolutional Neural Network)", "RNN (Recurrent Neural Network)",
                 "LSTM (Long-Short Term Memories)", "Transformers", "Neural Network Models"):
        assert name in linked, name
    overview = page(site, "Neural Network Models")
    assert {a.get_text() for a in overview.select("article table a")} >= set(NETWORKS)


def test_a_warm_build_executes_no_notebook(real_site):
    from conftest import build_site

    result = build_site(real_site, real_site / "docs")
    assert result.returncode == 0, result.stderr
    assert "executed in" not in result.stderr
    assert result.stderr.count("outputs from the cache") == len(NETWORKS)


def test_a_property_material_reads_as_a_setting_is_its_only_where_material_can_use_it(tmp_path):
    """Obsidian's plugins write keys that Material reads as settings of a page: Templater's
    `template: "[[Ticket]]"` (Material looked for that page template: no site at all), Iconize's
    `icon: LiSword` (no such icon: no site), a worldbuilding template's `status: active` (an
    unexplained ⓘ beside each note in the navigation), `hide: true`, `search: later`. Where Material
    can use one (an icon, a status mkdocs.yml names, `hide: [toc]`) it is Material's, as before;
    otherwise it is a property like any other, shown as Obsidian shows it (a status is both)."""
    result = small_vault(tmp_path, {
        "Ticket.md": '---\ntemplate: "[[Ticket]]"\nicon: LiSword\nstatus: active\nhide: true\nsearch: later\n'
                     "subtitle: \"[[Home]]\"\n---\nBody.\n",
        "Home.md": "---\nicon: material/home\nstatus: new\nhide: toc\nsearch: {boost: 2}\n---\n## Section\n\nText.\n"})
    assert result.returncode == 0, result.stderr
    ticket = page(tmp_path / "site", "Ticket")
    shown = [p.get_text(" ", strip=True) for p in ticket.select(".vs-properties p")]
    assert shown == ["template Ticket", "icon LiSword", "status active", "hide ✓", "search later",
                     "subtitle Home"]
    assert [a["href"] for a in ticket.select(".vs-properties a")] == ["./", "../Home/"]
    entries = {a.get_text(strip=True): a for a in ticket.select(".md-nav--primary a")}
    assert not entries["Ticket"].select(".md-status, small, svg") and ticket.select_one(".md-sidebar--primary")
    assert entries["Home"].select_one("svg") and entries["Home"].select_one(".md-status--new")
    home = page(tmp_path / "site", "Home")
    assert [p.get_text(" ", strip=True) for p in home.select(".vs-properties p")] == ["status new"]
    assert home.select_one(".md-sidebar--secondary")["hidden"] is not None
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert {doc["location"]: doc.get("boost") for doc in index["docs"] if doc["location"] in ("Home/", "Ticket/")} == {
        "Home/": 2, "Ticket/": None}
