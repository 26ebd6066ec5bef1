"""Formulas read as TeX sets them: a small vault (tests/fixtures/math/) built strictly, its MathML
read from the HTML, and its layout measured in a real, offline Chromium."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image, ImageStat

from conftest import FIXTURES, built_copy
from fixtures import Case, read_cases, regenerating
from test_browser import CHROMIUM, browser, serving, watch_offline  # noqa: F401 (browser: a fixture used below)
from vaultsite.mathml import _convert

NAMESPACE = "http://www.w3.org/1998/Math/MathML"
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_copy(tmp_path_factory, "math", FIXTURES / "math") / "site"


@pytest.fixture(scope="module")
def article(site) -> BeautifulSoup:
    html = (site / "formulas" / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one("article")


FILES = sorted((FIXTURES / "mathml").glob("*.md"))
CASES = [case for path in FILES for case in read_cases(path)]


@pytest.fixture(scope="module")
def regenerated(regen):
    yield from regenerating(FILES, regen)


def drawn(tex: str) -> str:
    """The MathML drawn for `tex`, a formula as a note writes it ($...$ or $$...$$): what the
    annotation holding the TeX is beside, namespace left out."""
    block = tex.startswith("$$")
    mathml = _convert(tex.strip("$"), block)
    semantics = ET.fromstring(mathml)[0]
    for element in semantics.iter():
        element.tag = element.tag.removeprefix(f"{{{NAMESPACE}}}")
    return ET.tostring(semantics[0], encoding="unicode")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture_case(case: Case, regen, regenerated):
    """Each line of a case's input is a formula; the line of its expected output at the same place, its MathML."""
    got = "\n".join(drawn(tex) for tex in case.input.split("\n"))
    if regen:
        regenerated[case.id] = got
        return
    assert got == case.expected


def test_a_hat_is_the_circumflex_accent(article):
    """A caret (^) is drawn where text fonts put it, floating well above the y; the modifier
    letter circumflex, the accent's spacing form, is drawn low enough to sit on the letter, and
    the combining circumflex, which math fonts draw as wide as it must be, over a \\widehat."""
    hats = [mover.contents[1].get_text() for mover in article.select("mover")]
    assert hats == ["\u02c6", "\u02c6", "\u0302", "\u02c6"]  # ŷ, ŷ_t, the wide hat over xy, ŷ again


@needs_chromium
def test_a_line_over_or_under_a_formula_spans_all_of_it(page):
    """\\overline{A \\cup B} and \\underline{CD} draw a rule as wide as what they cover: the bar
    latex2mathml writes as an accent covered one glyph (the ∪, the C)."""
    for letters, side in (("A∪B", "top"), ("CD", "bottom")):
        em, runs = formula(page, *letters)
        rule = page.evaluate(f"""() => [...document.querySelectorAll('article mrow')]
            .filter(row => row.textContent.replace(/\\s/g, '') === '{letters}'
                           && parseFloat(getComputedStyle(row).border{side.title()}Width) > 0)
            .map(row => {{ const box = row.getBoundingClientRect(); return [box.left, box.right]; }})""")
        glyphs = [run for run in runs if run[0] in letters]
        assert len(rule) == 1, f"{letters}: no rule drawn"
        (left, right), = rule
        assert left <= glyphs[0][1] + 0.05 * em and right >= glyphs[-1][2] - 0.05 * em, (letters, rule, glyphs)


def test_styled_digits_and_greek_are_their_own_characters(article):
    """Browsers draw mathvariant only as "normal" (upright): a double-struck 1 or a bold θ shows
    as a plain 1 or θ unless it is its own character, as ℝ already is."""
    indicator = next(math for math in article.select("math") if "∈" in math.get_text())
    assert "\U0001d7d9" in indicator.get_text()  # 𝟙
    assert "\U0001d73d" in indicator.get_text()  # 𝜽, \boldsymbol{\theta}
    assert not article.select("[mathvariant]:not([mathvariant=normal])")


def test_malformed_mathml_from_latex2mathml_is_published_as_written(site):
    """latex2mathml writes `a & b` with a bare & (not XML, which the corrections need): HTML reads
    it, as before, and the build goes on."""
    html = (site / "malformed" / "index.html").read_text(encoding="utf-8")
    [math] = BeautifulSoup(html, "html.parser").select("article math")
    assert math.get_text() == "a&b"


def test_limits_go_under_lim_and_max_in_a_display_formula_and_beside_them_in_text(article):
    """As TeX sets them (and Obsidian's MathJax draws them): under the operator in a display
    formula (latex2mathml wrote subscripts); beside it in a line of text. \\arg is a name."""
    display = next(math for math in article.select("math[display=block]") if "lim" in math.get_text())
    assert {under.contents[0].get_text() for under in display.select("munder")} >= {"max", "lim"}
    assert not display.select("msub > mi:-soup-contains('max'), msub > mi:-soup-contains('lim')")
    inline = next(math for math in article.select("math[display=inline]") if "arg" in math.get_text())
    assert inline.select("msub > mi:-soup-contains('max')") and not inline.select("munder")
    assert [mi.get_text() for mi in display.select("mi") if "arg" in mi.get_text()] == ["arg"]  # not "\\arg"


def test_a_formula_over_several_lines_is_one_display_formula(article):
    """Obsidian and Typora take a formula between lines of "$$", text right above or below it
    too: it is one display formula, aligned equations and cases included, with no "$$" left."""
    assert "$$" not in article.get_text()
    blocks = {math.select_one("annotation").get_text(): math for math in article.select("math[display=block]")}
    aligned = next(math for tex, math in blocks.items() if "aligned" in tex)
    cases = next(math for tex, math in blocks.items() if "cases" in tex)
    for math in (aligned, cases):
        assert len(math.select("mtr")) == 2
        assert "&" not in math.select_one("semantics > :first-child").get_text()


@pytest.fixture(scope="module")
def server(site):
    yield from serving(site)


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def page(request, browser, server):  # noqa: F811
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = watch_offline(context.new_page(), server)
    page.goto(f"{server}/formulas/", wait_until="networkidle")
    assert (page.off_machine, page.failed, page.errors) == ([], [], [])
    yield page
    context.close()


# Each formula's text as drawn: its font size, and [text, left, right, top, bottom] of each
# visible run of characters (function application, U+2061, is invisible), in reading order.
GLYPHS = """() => [...document.querySelectorAll('article math')].map(math => {
    const walker = document.createTreeWalker(math, NodeFilter.SHOW_TEXT), runs = [];
    while (walker.nextNode()) {
        const text = walker.currentNode.data.replace(/[\\u2061\\s]/g, '');
        if (!text) continue;
        const range = document.createRange();
        range.selectNodeContents(walker.currentNode);
        const box = range.getBoundingClientRect();
        runs.push([text, box.left, box.right, box.top, box.bottom]);
    }
    return [parseFloat(getComputedStyle(math).fontSize), runs];
})"""


def formula(page, *texts: str) -> tuple[float, list]:
    """The font size and text runs of the formula whose runs include all of `texts`."""
    return next((em, runs) for em, runs in page.evaluate(GLYPHS) if set(texts) <= {run[0] for run in runs})


def gaps(runs: list, text: str) -> list[tuple[float, float]]:
    """The space before and after each run `text`."""
    return [(run[1] - runs[i - 1][2], runs[i + 1][1] - run[2]) for i, run in enumerate(runs) if run[0] == text]


@needs_chromium
def test_an_operator_name_is_set_off_from_its_operand_but_not_from_a_bracket(page):
    """TeX puts a thin space (1/6 em) between log and a symbol or a closing bracket on either side
    (log p_i, (1 − y_i) log), none before an opening bracket (log(1 − p), Attention(Q)), and \\!
    takes back the one before \\left(."""
    em, runs = formula(page, "log")
    (_, before_symbol), (after_bracket, before_bracket) = gaps(runs, "log")
    assert 0.12 * em < before_symbol < 0.25 * em
    assert 0.12 * em < after_bracket < 0.25 * em
    assert abs(before_bracket) < 0.05 * em
    em, runs = formula(page, "Attention")
    assert abs(gaps(runs, "Attention")[0][1]) < 0.05 * em
    assert abs(gaps(runs, "softmax")[0][1]) < 0.1 * em  # a stretched bracket's glyph starts a little in


@needs_chromium
def test_a_prime_sits_beside_its_symbol(page):
    """U+2032 and its doubles are drawn raised already, as a prime is handwritten: raised again as
    a superscript they float off tanh′, f″ and h′."""
    for symbol, prime, *rest in (("tanh", "′", "="), ("f", "″"), ("h", "′", "t")):
        em, runs = formula(page, symbol, prime, *rest)
        texts = [run[0] for run in runs]
        base, mark = runs[texts.index(symbol)], runs[texts.index(prime)]
        assert abs(mark[4] - base[4]) < 0.1 * em, f"{symbol}{prime}: the prime is raised off the line"
        assert -0.05 * em < mark[1] - base[2] < 0.2 * em, f"{symbol}{prime}: the prime stands apart"


@needs_chromium
def test_a_bar_of_a_size_is_that_tall_under_scripts_and_between_terms_too(page):
    """`\\Big|` and `\\bigg|` are bars 1.6 and 2 em tall (an evaluation bar, an absolute value
    around a fraction): between two terms, or under the scripts of an evaluation, the browser
    drew them a letter's height."""
    em, bars = page.evaluate("""() => {
        const math = [...document.querySelectorAll('article math')].find(m => m.textContent.includes('G(t)'));
        return [parseFloat(getComputedStyle(math).fontSize),
                [...math.querySelectorAll('mo')].filter(mo => mo.textContent === '|')
                    .map(mo => mo.getBoundingClientRect().height)];
    }""")
    assert [height / em > size for height, size in zip(bars, (1.5, 1.9, 1.9))] == [True] * 3


@needs_chromium
def test_an_inline_formula_and_the_chinese_punctuation_beside_it_share_a_line(page):
    """No line starts with "，", "。" or "." after a formula, nor ends with "（" or "(" before one: a
    line broke between a formula and its comma, which started the next line, at every width. What
    keeps them together is the formula and its marks alone (no sentence that must not wrap)."""
    runs = page.evaluate("""() => [...document.querySelectorAll('article .vs-nobr')].map(run => [
        [...run.childNodes].filter(node => node.nodeType === Node.TEXT_NODE).map(node => node.data).join(''),
        run.querySelectorAll('math').length, run.getClientRects().length])""")
    assert {mark for marks, _, _ in runs for mark in marks} >= {"，", "。", "）", "（", ".", "("}
    assert all(not marks.strip("，。、；：？！）」』】》”’.,;:!?)]（「『【《“‘([") and formulas == 1 and lines == 1 for marks, formulas, lines in runs), runs


@needs_chromium
def test_a_wide_inline_formula_scrolls_its_paragraph_not_the_page(page):
    """A formula in a line of text breaks nowhere: one wider than a phone moved the whole page
    sideways under its header; its paragraph scrolls instead."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if page.viewport_size["width"] < 500:
        paragraph = page.locator("article p", has_text="A long inline one")
        assert paragraph.evaluate("p => p.scrollWidth > p.clientWidth"), "the formula is wider than a phone"
        paragraph.evaluate("p => p.scrollLeft = 50")
        assert paragraph.evaluate("p => p.scrollLeft") == 50, "and its paragraph scrolls"


@needs_chromium
def test_an_equation_number_covers_the_formula_scrolling_under_it_top_to_bottom(page):
    """A formula wider than a phone scrolls under its number: the number's cover was a line of text
    high, and a fraction's top and bottom showed above and below it."""
    heights = page.evaluate("""() => [...document.querySelectorAll('article .vs-eqno')].map(number =>
        [number.getBoundingClientRect().height, number.parentElement.querySelector('math').getBoundingClientRect().height])""")
    assert heights and all(number >= formula for number, formula in heights), heights


@needs_chromium
def test_aligned_equations_line_up_at_their_relation(page):
    """Chromium draws MathML Core, which leaves out a table's column alignment: without the
    stylesheet's, the rows of `aligned` are centred and their "=" do not line up."""
    em, runs = formula(page, "δ")
    first, second = [run for run in runs if run[0] == "="]
    assert second[3] > first[4] - 0.1 * em, "one row under the other"
    assert abs(first[1] - second[1]) < 0.05 * em
    # The left sides end where their relations start, however wide: a right cell started at its
    # left, and "X" stood far from its "∼", under "E(X)".
    em, runs = formula(page, "∼")
    ends = [runs[i - 1][2] for i, run in enumerate(runs) if run[0] in ("∼", "=")]
    assert len(ends) == 2 and abs(ends[0] - ends[1]) < 0.05 * em
    # An array's right-aligned columns stay two columns (flex boxes side by side shared one).
    _, runs = formula(page, "333")
    cells = {run[0]: run for run in runs if run[0] in ("1", "22", "333", "4")}
    assert cells["22"][1] > cells["1"][2] and abs(cells["22"][3] - cells["1"][3]) < 1, "one row"
    assert cells["333"][3] > cells["1"][4] - 1 and cells["4"][1] > cells["333"][2], "and another under it"


@needs_chromium
def test_a_matrix_has_brackets_as_tall_as_it_is(page):
    """Both bars of a determinant reach from its first row to its last, as both parentheses of a
    matrix do: the closing bar was drawn one line high, as the infix "|" (divides)."""
    fenced = page.evaluate("""() => [...document.querySelectorAll('article math mtable')]
        .map(table => [table, table.previousElementSibling, table.nextElementSibling])
        .filter(([, opening, closing]) => opening && closing)
        .map(([table, ...fences]) => [table.getBoundingClientRect().height,
            ...fences.map(fence => [fence.textContent, fence.getBoundingClientRect().height])])""")
    assert [(opening[0], closing[0]) for _, opening, closing in fenced] == [("|", "|"), ("(", ")")]
    for height, opening, closing in fenced:
        assert opening[1] >= 0.9 * height and closing[1] >= 0.9 * height, (height, opening, closing)


def edge_shading(block) -> tuple[float, float]:
    """How much darker than its middle the block's left and right edges are, formula hidden."""
    block.evaluate("b => b.querySelector('math').style.visibility = 'hidden'")
    image = Image.open(io.BytesIO(block.screenshot())).convert("L")
    block.evaluate("b => b.querySelector('math').style.visibility = ''")
    width, height = image.size

    def mean(left: int, right: int) -> float:
        return ImageStat.Stat(image.crop((left, 0, right, height))).mean[0]
    middle = mean(width // 2 - 2, width // 2 + 2)
    return middle - mean(0, 4), middle - mean(width - 4, width)


@needs_chromium
def test_a_wide_formula_scrolls_and_shows_that_it_does(page):
    """A formula wider than the column scrolls inside it, to its end, and a shadow marks each edge
    with more formula beyond it: a scrollbar alone says nothing on phones and Macs, where it shows
    only while scrolling."""
    right_of = "e => e.getBoundingClientRect().right"
    wide = page.locator("article .vs-math").filter(has_text="MultiHead")
    assert wide.evaluate("b => b.scrollWidth > b.clientWidth")
    assert wide.evaluate(right_of) <= page.locator("article").evaluate(right_of) + 0.5
    left, right = edge_shading(wide)
    assert left < 2 and right > 10, "at the start, the right edge alone says there is more"
    wide.evaluate("b => b.scrollLeft = b.scrollWidth")
    left, right = edge_shading(wide)
    assert left > 10 and right < 2, "at the end, the left edge alone says there is more"
    assert formula(page, "MultiHead")[1][-1][2] <= wide.evaluate(right_of) + 0.5, "the end is in view"

    # (In a callout too, whose em is no whole number of pixels: a hairline of shadow showed at its right.)
    for narrow in (page.locator("article .vs-math").filter(has_text="∈"), page.locator(".vs-embed .vs-math"),
                   page.locator(".admonition .vs-math")):
        assert narrow.evaluate("b => b.scrollWidth <= b.clientWidth")
        assert max(map(abs, edge_shading(narrow))) < 2, "a formula that fits has no shadow, nor a band"


@needs_chromium
def test_a_numbered_equation_has_its_number_at_the_right_margin(page):
    """MathJax sets `\\tag{2-1}` at the right margin, apart from the formula; latex2mathml glued
    "(2-1)" to it, where it read as a product: ΔH(2-1). A wide formula's number stays in view while
    the formula scrolls under it (on a phone, it was at the far end of the scroll)."""
    right_of, left_of = "e => e.getBoundingClientRect().right", "e => e.getBoundingClientRect().left"
    column = page.locator("article")
    for label in ("(2-1)", "(3)"):
        block = page.locator("article .vs-math").filter(has_text=label)
        tag = block.locator(".vs-eqno")
        assert abs(tag.evaluate(right_of) - column.evaluate(right_of)) < 2, label
        assert block.evaluate(left_of) <= tag.evaluate(left_of) and tag.evaluate(right_of) <= block.evaluate(right_of) + 0.5
    _, runs = formula(page, "Δ")
    assert "(2-1)" not in {run[0] for run in runs}
    assert page.locator(".vs-eqno").first.evaluate(left_of) - runs[-1][2] > 20, "set apart from the formula"
    # (In the text's colour: named as an Obsidian #tag, it was drawn as one, a pill in the accent colour.)
    assert page.locator(".vs-eqno").first.evaluate("e => getComputedStyle(e).color") == \
        column.evaluate("e => getComputedStyle(e).color")


@needs_chromium
def test_the_numbers_of_aligned_equations_stand_in_a_column_beside_their_rows(page):
    """`\\tag` on each row of `align`: latex2mathml glued each number to its row's end, "e(4.2)"."""
    _, runs = formula(page, "(4.1)")
    box = {run[0]: run for run in runs}
    end = max(run[2] for run in runs if not run[0].startswith("(4."))  # (the blank column's are left of it)
    first, second = [run for run in runs if run[0].startswith("(4.") and run[1] > end]
    assert (first[0], second[0]) == ("(4.1)", "(4.2)") and abs(first[1] - second[1]) < 1, "one column"
    assert first[1] - end > 20, "apart from the equations"
    for number, beside in ((first, "a"), (second, "e")):
        middle = (number[3] + number[4]) / 2
        assert box[beside][3] < middle < box[beside][4], f"{number[0]} beside its row"


@needs_chromium
def test_a_formula_scrolls_only_sideways(page):
    """Glyphs reach a little past MathML's boxes (the N of 1/N, a subscript): that must not let a
    formula move up and down under the reader's wheel or finger."""
    for block in page.locator("article .vs-math").all():
        block.scroll_into_view_if_needed()
        box = block.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, 40)
        page.wait_for_timeout(100)
        assert block.evaluate("b => b.scrollTop") == 0, block.text_content()[:40]


TEXT_BOX = """h => {
    const range = document.createRange();
    range.selectNodeContents(h.firstChild);
    return range.getBoundingClientRect().toJSON();
}"""


@needs_chromium
def test_a_heading_that_fills_its_line_keeps_its_permalink_on_that_line(page):
    """The ¶ shows when the heading is hovered; until then it must take no room in the line, or a
    heading that just fills its line gets an empty-looking second one. (It sits in the room the
    heading keeps at its end, past the line: see test_browser's phone test.)"""
    heading = page.locator("article h2")
    heading.scroll_into_view_if_needed()  # (hovering scrolls it there, after its text is measured)
    one_line = heading.bounding_box()["height"]
    text = heading.evaluate(TEXT_BOX)
    end = heading.evaluate("h => parseFloat(getComputedStyle(h).paddingRight)")
    heading.evaluate(f"h => h.style.width = '{math.ceil(text['width'] + end)}px'")
    assert heading.bounding_box()["height"] == one_line
    heading.hover()
    link = page.locator("article h2 .headerlink")
    link.evaluate("a => Promise.all(a.getAnimations().map(fade => fade.finished))")
    assert link.evaluate("a => getComputedStyle(a).opacity") == "1"
    assert abs(link.bounding_box()["y"] - text["top"]) < 0.5 * one_line, "the ¶ stays on the heading's line"


MATH_FONTS = ("STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Math TeX Gyre")


def _installed_math_font() -> bool:
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    return any(font in listed for font in MATH_FONTS)


@needs_chromium
@pytest.mark.skipif(not _installed_math_font(), reason="no math font on this machine")
def test_formulas_are_set_in_a_math_font_where_the_reader_has_one(page):
    """The page's text font (Noto Sans CJK on a Chinese page) has no stretchy brackets and sets ∑
    at text size; a math font the reader's machine has draws the formula as TeX would."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    tokens = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "article math :is(mi, mn, mo)"})["nodeIds"]
    fonts = {font["familyName"] for token in tokens
             for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": token})["fonts"]}
    assert fonts and fonts <= set(MATH_FONTS), fonts


def test_a_formulas_number_written_in_tex_is_typeset():
    """`\\tag{\\ast}` showed "(\\ast)"; `\\tag*{A.1}` has no brackets."""
    from vaultsite.mathml import typeset

    html, problems = typeset('<div class="arithmatex">\\[x \\tag{\\ast}\\]</div>'
                             '<div class="arithmatex">\\[y \\tag*{A.1}\\]</div>')
    numbers = [BeautifulSoup(html, "html.parser").select(".vs-eqno")[i] for i in (0, 1)]
    assert problems == [] and numbers[0].select_one("math mi").get_text() == "*" and numbers[1].get_text() == "A.1"
