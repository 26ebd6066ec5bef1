"""Each fixture case is a note in a small vault built with the site's real configuration; the
HTML MkDocs writes for it must match the case's expected output (`pytest --regen` rewrites them)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import FIXTURES, build_site
from fixtures import Case, read_cases, regenerating

FILES = sorted((FIXTURES / "normalize").glob("*.md"))
CASES = [case for path in FILES for case in read_cases(path)]

TARGET_NOTE = """# Target Note

## 👉 Big Data, Deep Learning, AGI (2005–2017)
text

## 神经网络 基础
text

## Using `pip install` 安装
text

## $L_2$ 正则化
text of $L_2$

## A _first_ try, with [a link](https://example.org)
text

A paragraph others link to. ^target-block
"""


EMBED_ME = """# Embed Me

## Part one
text of part one, with [a link](Target%20Note.md)

## Part two
text of part two
"""


# Headings a link or an embed finds as Obsidian does: by a path of headings, or without punctuation.
PARTS = """# Parts

## Part A
### Intro
text under Part A

## Part B
### Intro
text under Part B

## Done :tada:
text of done

## Results[^1]
text of results

[^1]: The results' footnote.
"""


def page_name(case: Case) -> str:
    return f"{case.file.stem}-{case.line}"


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("fixtures")
    notes = project / "docs" / "notes"
    (notes / "pics").mkdir(parents=True)
    (notes / "sub folder 🗿").mkdir()
    (project / "docs" / "index.md").write_text("# Fixtures\n", encoding="utf-8")
    (notes / "Target Note.md").write_text(TARGET_NOTE, encoding="utf-8")
    (notes / "sub folder 🗿" / "Deep Note.md").write_text("# Deep Note\n", encoding="utf-8")
    (project / "docs" / "elsewhere").mkdir()
    (project / "docs" / "elsewhere" / "Name Only.md").write_text("# Name Only\n", encoding="utf-8")
    (notes / unicodedata.normalize("NFD", "Café Note.md")).write_text("# Café\n", encoding="utf-8")
    (notes / "100% sure?.md").write_text("# Sure\n", encoding="utf-8")
    (notes / "Embed Me.md").write_text(EMBED_ME, encoding="utf-8")
    (notes / "Parts.md").write_text(PARTS, encoding="utf-8")
    (notes / "Boxed.md").write_text("# Boxed\n\n## Summary\ntext\n\n> [!note] Box\n> ## Summary\n> inside\n",
                                    encoding="utf-8")
    (notes / "Self Linked.md").write_text("# Self Linked\n\n## One\nSee [[#Two]] and [two](#two).\n\n## Two\ntext\n",
                                          encoding="utf-8")
    (notes / "Chapters.md").write_text("# Chapters\n\n# One\ntext\n\n# Two\ntext\n", encoding="utf-8")
    Image.new("RGB", (400, 100), "steelblue").save(notes / "pics" / "wide.png")
    Image.new("RGB", (40, 10), "steelblue").save(notes / "pics" / "screen online.png")
    Image.new("RGB", (1, 1), "steelblue").save(notes / "pics" / "dot.png")
    (notes / "notes on ML.md").write_text("# Notes on ML\n", encoding="utf-8")
    (notes / "Sectioned.md").write_text("# Sectioned\n\n## Part\nText[^1].\n\nA sentence[^n2]. ^blk\n\n## Notes\n"
                                        "More.\n\n[^1]: Def text.\n[^n2]: Second.\n", encoding="utf-8")
    (notes / "Listed.md").write_text("- one\n\t- ![[Target Note#^target-block]]\n- two\n", encoding="utf-8")
    (notes / "Footnoted.md").write_text("# Footnoted\n\nThe embed's note.[^1]\n\n[^1]: The embed's footnote.\n",
                                        encoding="utf-8")
    for name in ("paper.pdf", "song.mp3", "clip.mp4", "board.canvas"):  # shown by what they are, not read
        (notes / "att" / name).parent.mkdir(exist_ok=True)
        (notes / "att" / name).write_bytes(b"\0")
    for case in CASES:
        # (Titled by its slug of a name, as a note's `# ` heading may title it: see normalize._headings.)
        (notes / f"{page_name(case)}.md").write_text(f"{case.input}\n", encoding="utf-8")
    result = build_site(project, project / "docs")
    assert result.returncode == 0, result.stderr
    return project / "site"


def rendered(site: Path, case: Case) -> str:
    """The note's HTML as the reader gets it, less Material's chrome (title it adds, ¶ links) and
    the language each block is said to be in (test_site has cases of its own for that)."""
    html = (site / "notes" / page_name(case) / "index.html").read_text(encoding="utf-8")
    article = BeautifulSoup(html, "html.parser").select_one("article")
    for link in article.select("a.headerlink"):
        link.decompose()
    for block in article.select("[lang]"):
        del block["lang"]
    first = article.find("h1")
    if first is not None and not first.get("id"):
        first.decompose()  # the title Material adds when the note has no H1 of its own
    return "\n".join(line.strip() for line in article.decode_contents().strip().splitlines() if line.strip())


@pytest.fixture(scope="session")
def regenerated(regen):
    yield from regenerating(FILES, regen)

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture_case(case, fixture_site, regen, regenerated):
    got = rendered(fixture_site, case)
    if regen:
        regenerated[case.id] = got
        return
    assert got == case.expected


def test_no_page_gives_two_elements_one_id(fixture_site):
    """A link to an id lands on the first element that has it: an embed's heading or block took
    the id of the page's own, or of another in the embed (a heading in a callout)."""
    for case in CASES:
        html = (fixture_site / "notes" / page_name(case) / "index.html").read_text(encoding="utf-8")
        ids = [tag["id"] for tag in BeautifulSoup(html, "html.parser").select("[id]")]
        assert len(ids) == len(set(ids)), (case.id, [i for i in set(ids) if ids.count(i) > 1])


def test_footnote_links_land_on_their_footnotes_and_back_on_their_references(fixture_site):
    """Each footnote reference shows the number of the footnote it links to; each footnote's back
    links go to its references, the first to the first a reader meets (a footnote cited twice)."""
    for case in CASES:
        html = (fixture_site / "notes" / page_name(case) / "index.html").read_text(encoding="utf-8")
        article = BeautifulSoup(html, "html.parser").select_one("article")
        items = article.select("div.footnote > ol > li")
        numbers = {"#" + item["id"]: str(n) for n, item in enumerate(items, start=1)}
        references = article.select("a.footnote-ref")
        assert [a.get_text() for a in references] == [numbers.get(a["href"]) for a in references], case.id
        for item in items:
            back = [a["href"] for a in item.select("a.footnote-backref")]
            assert back == ["#" + a.parent["id"] for a in references if a["href"] == "#" + item["id"]], case.id


def footnoted(note: str, definition_order: bool, *extensions: str) -> str:
    """`note` in HTML, by the footnotes extension and `extensions` (Python-Markdown's own, no site)."""
    return markdown.markdown(note, extensions=["footnotes", *extensions],
                             extension_configs={"footnotes": {"USE_DEFINITION_ORDER": definition_order}})


def test_footnotes_in_the_order_of_their_definitions_where_mkdocs_yml_asks_for_it():
    """USE_DEFINITION_ORDER: true (the plugin sets false) numbers footnotes as they are defined."""
    note = "- item[^b]\n\nText[^a], and again[^b].\n\n[^a]: A\n[^b]: B\n"
    assert footnoted(note, True, "vaultsite.footnote_order") == footnoted(note, True)


def test_footnotes_only_footnotes_no_reader_gets_to_refer_to_show_the_numbers_they_are_listed_by():
    """Two footnotes referring only to each other are listed last, numbered as listed."""
    note = "Text[^a]\n\n[^c]: C, see [^d]\n[^a]: A\n[^d]: D, see [^c]\n"
    soup = BeautifulSoup(footnoted(note, False, "vaultsite.footnote_order"), "html.parser")
    assert [item["id"] for item in soup.select("div.footnote > ol > li")] == ["fn:a", "fn:d", "fn:c"]
    numbers = {a["href"]: a.get_text() for a in soup.select("a.footnote-ref")}
    assert numbers == {"#fn:a": "1", "#fn:d": "2", "#fn:c": "3"}


def test_an_embedded_notes_headings_stay_out_of_the_table_of_contents(fixture_site):
    """Obsidian's outline of a note leaves out the headings of the notes it embeds, and a heading
    of the note after an embed is not taken for one of the embed's subheadings."""
    for embedded, shown, expected in (("Embed Me", "h2[id='e1:part-one']", ["Before", "After"]),
                                      ("Chapters", "h1[id='e1:one']", ["Before", "After", "Deeper"])):
        case = next(case for case in CASES if "table of contents" in case.title and embedded in case.input)
        html = (fixture_site / "notes" / page_name(case) / "index.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert soup.select_one(f"article .vs-embed {shown}"), "the embed shows its headings"
        toc = [link.get_text(strip=True) for link in soup.select(".md-sidebar--secondary .md-nav--secondary a")]
        assert toc == expected, embedded


def test_each_note_is_read_for_its_headings_once_however_many_notes_links_reach(tmp_path, monkeypatch):
    """A link to a heading finds it among its note's headings; once links reached the headings of
    more notes than a bounded cache held (512), each link read its note again (1,500 notes with 30
    heading links each: normalizing took 8 times as long)."""
    from vaultsite import links
    from vaultsite.normalize import normalize
    from vaultsite.slugs import slugify
    from vaultsite.vault import VaultIndex

    texts = {f"N{i}.md": f"# N{i}\n\n## Part\ntext\n" for i in range(600)}
    texts["L.md"] = "# L\n\n" + "\n".join(f"[[N{i % 600}#Part]]" for i in range(1800)) + "\n"
    vault = VaultIndex({path: path[:-3] + "/" for path in texts}, tmp_path, texts)
    parse, parsed = links._block_md.parse, []
    monkeypatch.setattr(links._block_md, "parse", lambda text, *args: parsed.append(text) or parse(text, *args))
    result = normalize(texts["L.md"], "L.md", vault, lambda text: slugify(case="lower")(text, "-"))
    assert result.text.count("(<N599.md#part>)") == 3
    assert len(parsed) <= len(texts)


def test_a_flow_diagram_with_long_runs_of_spaces_is_read_at_once():
    """A step or a line of flowchart.js holding a long run of spaces took minutes to read (every
    way of splitting the run was tried): the build seemed to hang on the note."""
    import time

    from vaultsite.diagrams import flowchart

    spaces = " " * 3000
    start = time.perf_counter()
    assert flowchart(f"a=>start: A\nb=>end: B\na->b{spaces}x") is None
    assert flowchart(f"a=>start: A\nb=>end: B\na{spaces}->b{spaces}(yes{spaces}") is None
    assert flowchart(f"a=>start: A\nb=>end: B\na{spaces}->{spaces}b{spaces}") == (
        'flowchart TB\n  n1(["A"])\n  n2(["B"])\n  n1 --> n2')
    assert time.perf_counter() - start < 1


def test_a_note_of_many_tags_is_read_in_linear_time(tmp_path):
    """Each tag of a note's text was looked for among those found before it: 80,000 tags (a log
    of commits named `#a1b2c3d`, a pasted list of hashtags) took 37 s to normalize."""
    import time

    from vaultsite.normalize import normalize
    from vaultsite.slugs import slugify
    from vaultsite.vault import VaultIndex

    text = "# Tags\n\n" + "\n".join(f"#t{i} and #t{i // 2} again" for i in range(80_000)) + "\n"
    vault = VaultIndex({"T.md": "T/"}, tmp_path, {"T.md": text})
    start = time.perf_counter()
    result = normalize(text, "T.md", vault, lambda text: slugify(case="lower")(text, "-"))
    assert time.perf_counter() - start < 10
    assert result.tags == [f"t{i}" for i in range(80_000)]


def test_an_embed_in_an_html_block_is_text_as_the_block_shows_it(tmp_path):
    """`![[Note]]` on a line of an HTML block is shown as written, as Obsidian shows it: the note
    put there showed its Markdown as typed (`[B](<B.md>)`, `## Part`), the HTML block around it
    being no Markdown to Python-Markdown."""
    from vaultsite.normalize import normalize
    from vaultsite.slugs import slugify
    from vaultsite.vault import VaultIndex

    texts = {"A.md": "# A\n\n<div>\n![[B]]\n</div>\n\n![[B]]\n", "B.md": "# B\n\n## Part\ntext\n"}
    vault = VaultIndex({path: path[:-3] + "/" for path in texts}, tmp_path, texts)
    result = normalize(texts["A.md"], "A.md", vault, lambda text: slugify(case="lower")(text, "-"))
    assert result.text.startswith("# A\n\n<div>\n![[B]]\n</div>\n")
    assert result.text.count('class="vs-embed"') == 1


def test_a_pages_title_is_read_from_its_first_block_alone(monkeypatch):
    """Each note's title is read in the main process, one note after another: its whole text was
    parsed for it (a note of 4 MB took 7 s)."""
    from vaultsite import links

    parse, parsed = links._block_md.parse, []
    monkeypatch.setattr(links._block_md, "parse", lambda text, *args: parsed.append(len(text)) or parse(text, *args))
    body = "A paragraph with [a link](x.md).\n\n- an item\n- another\n\n" * 20_000
    assert links.leading_title("# Using **Vue**\n\n" + body) == "Using Vue"
    assert links.leading_title("[a]: x.md\n\nTitle\n=====\n\n" + body) == "Title"
    assert links.leading_title("Text first.\n\n# Title\n\n" + body) is None
    assert sum(parsed) < 1000
