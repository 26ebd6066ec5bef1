"""The built site in a real, offline Chromium: pages load cleanly and formulas are typeset.

Needs Debian's `chromium` (.ci/run installs it). Screenshots go to test-artifacts/ for a person
to look at.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and os.environ.get("CI"):
    pytest.fail("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")

ARTIFACTS = ROOT / "test-artifacts"
NOTES = "📚 Knowledge Base/💻 Computer Science/🤖 Artificial Intelligence (AI)/🧠 AI Basics & Machine Learning (ML)/🧬 Deep Learning (Neural Network)"


def serving(site: Path) -> Iterator[str]:
    """Serve the built `site` on a free local port, yielding its address (a fixture's body)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(real_site):
    yield from serving(real_site / "site")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def watch_offline(page, base: str, console: tuple[str, ...] = ("error",)):
    """Refuse and record every request off `base`; record failed requests and console messages."""
    page.off_machine, page.failed, page.errors = [], [], []

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            page.off_machine.append(r.request.url)
            r.abort()

    def failed(request):
        # (One the browser cancelled, as a navigation or the page's closing cancels a search
        # worker's script it is fetching, is no fault of the site's: a 404 or a refusal is.)
        if request.failure != "net::ERR_ABORTED":
            page.failed.append(request.url)

    page.route("**/*", route)
    page.on("requestfailed", failed)
    page.on("response", lambda res: res.status >= 400 and page.failed.append(f"{res.status} {res.url}"))
    page.on("console", lambda msg: msg.type in console and page.errors.append(msg.text))
    return page


@pytest.fixture
def offline_page(browser, server):
    """A page whose every request off 127.0.0.1 is refused and recorded, with console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield watch_offline(context.new_page(), server)
    context.close()


def visit(page, server: str, path: str) -> None:
    page.goto(f"{server}/{quote(path)}", wait_until="networkidle")
    assert page.off_machine == [], "requests off the machine"
    assert page.failed == [], "failed requests"
    assert page.errors == [], "console errors"


def test_formulas_are_typeset_offline(offline_page, server):
    visit(offline_page, server, f"{NOTES}/3B1B - Neural Networks/")
    blocks = offline_page.locator(".vs-math math")
    assert blocks.count() >= 2
    # A typeset fraction stands taller than a line of text; TeX shown as text would not.
    fraction = offline_page.locator("math mfrac").first.bounding_box()
    line = offline_page.locator("article p").first.bounding_box()
    assert fraction and fraction["height"] > 1.3 * offline_page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('article p')).lineHeight)")
    assert line and "\\frac" not in offline_page.locator("article").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    offline_page.locator("math mfrac").first.scroll_into_view_if_needed()
    offline_page.screenshot(path=str(ARTIFACTS / "3b1b-formulas.png"))


@pytest.mark.parametrize("path", ["", f"{NOTES}/Deep Learning (Neural Network)/"], ids=["home", "main-note"])
def test_pages_load_cleanly_and_are_saved_as_screenshots(offline_page, server, path):
    visit(offline_page, server, path)
    ARTIFACTS.mkdir(exist_ok=True)
    name = "home" if not path else "main-note"
    offline_page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_a_numbered_list_inside_a_list_is_numbered(offline_page, server):
    """As Obsidian numbers it (1., 2.) at every depth, in a numbered list or a bulleted one, not
    lettered (a., b.) nor in Roman numerals (i., ii.) as Material styles it."""
    visit(offline_page, server, f"{NOTES}/3B1B - Neural Networks/")
    styles = offline_page.eval_on_selector_all("article ol ol", "els => els.map(e => getComputedStyle(e).listStyleType)")
    assert styles and set(styles) == {"decimal"}
    # Lists of every shape to five deep, as a note of any vault may nest them.
    offline_page.evaluate("""() => {
        const nest = kinds => kinds.reduceRight((inner, kind) => `<${kind}><li>x${inner}</li></${kind}>`, "");
        const shapes = ["ul ol", "ol ul ol", "ul ol ol", "ol ol ol ol", "ul ol ul ol ol ol", "ol ol ol ol ol"];
        document.querySelector("article").insertAdjacentHTML(
            "beforeend", shapes.map(shape => nest(shape.split(" "))).join(""));
    }""")
    styles = offline_page.eval_on_selector_all(
        "article :is(ul, ol) ol", "els => els.map(e => getComputedStyle(e).listStyleType)")
    assert len(styles) >= 15 and set(styles) == {"decimal"}


def test_dark_mode_toggle(offline_page, server):
    visit(offline_page, server, "")
    before = offline_page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    offline_page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    after = offline_page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {before, after} == {"default", "slate"}


MODELS = f"{NOTES}/2️⃣ Neural Network Models 🗿"


@pytest.mark.parametrize("path", ["", f"{MODELS}/MLP (Multi-Layer Perceptron)/MLP (Multi-Layer Perceptron)/",
                                  f"{MODELS}/Transformers/Transformers/"], ids=["home", "mlp", "transformers"])
def test_no_page_scrolls_sideways_on_a_phone(browser, server, path):
    """What is wider than a phone (code, formulas, tables) scrolls in its own box; the page itself
    never moves sideways under the reader's thumb, nor does a heading's hidden ¶ push it."""
    context = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    page = watch_offline(context.new_page(), server)
    visit(page, server, path)
    width, scrolled = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollWidth]")
    context.close()
    assert scrolled <= width


DIAGRAM = "# {title}\n\nSee [[Flow]] and [[Steps]].\n\n```mermaid\n{diagram}\n```\n"


def test_mermaid_diagrams_are_drawn_offline_after_instant_navigation_too(browser, tmp_path, monkeypatch):
    """As Obsidian draws them, by the site's own Mermaid (Material would load it from a CDN), and
    by the one Material configured (its colours, dark mode) on a page that instant navigation swaps in."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "Flow.md").write_text(DIAGRAM.format(title="Flow", diagram="graph LR\n  A[输入] --> B[输出]"),
                                  encoding="utf-8")
    (docs / "Steps.md").write_text(DIAGRAM.format(title="Steps", diagram="sequenceDiagram\n  甲->>乙: 你好"),
                                   encoding="utf-8")
    server = serving(tmp_path / "site")
    base = next(server)
    monkeypatch.setenv("SITE_URL", base + "/")  # Material navigates instantly within its site_url only
    result = build_site(tmp_path, docs)
    assert result.returncode == 0, result.stderr
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = watch_offline(context.new_page(), base)
    visit(page, base, "Flow/")
    drawn = "[...document.querySelectorAll('article div.mermaid')].map(d => d.getBoundingClientRect().height)"
    page.wait_for_function(f"{drawn}.length == 1")
    assert page.evaluate(drawn)[0] > 40
    page.evaluate("window.configured = mermaid")
    page.locator("article a", has_text="Steps").first.click()
    page.wait_for_function(f"location.pathname == '/Steps/' && {drawn}.length == 1")
    assert page.evaluate("window.configured === mermaid"), "a full page load, or Mermaid loaded anew"
    assert page.evaluate(drawn)[0] > 40
    assert page.off_machine == [] and page.failed == [] and page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mermaid.png"))
    context.close()
    # Pie charts, Gantt charts and the others Material does not colour are drawn for the dark
    # scheme where the page opens in it: their text was black on it.
    for scheme, theme in (("light", "default"), ("dark", "dark")):
        context = browser.new_context(color_scheme=scheme)
        page = watch_offline(context.new_page(), base)
        visit(page, base, "Flow/")
        page.wait_for_function(f"{drawn}.length == 1")
        config = page.evaluate("mermaid.mermaidAPI.getConfig()")
        assert (config["theme"], bool(config["themeCSS"])) == (theme, True), scheme  # and Material's CSS
        context.close()
    next(server, None)


def test_a_diagram_mermaid_cannot_read_stays_its_source_in_place(browser, tmp_path):
    """Mermaid drew a picture of its error (a bomb, its version) under the page's footer, far from
    the diagram, which stayed its source."""
    unread = "stateDiagram\n  note right of CLOSED: 起点\n  CLOSED --> LISTEN: 打开"  # (a note before its state)
    text = DIAGRAM.format(title="Broken", diagram=unread)
    text += "\n```mermaid\ngraph LR\n  A --> B\n```\n"
    with note_in_browser(browser, tmp_path, "Broken", text) as page:
        page.wait_for_function("document.querySelectorAll('article div.mermaid').length == 1")  # the other drawn
        assert page.evaluate("document.querySelectorAll('body > [id^=d__mermaid]').length") == 0
        assert "CLOSED" in page.locator("article pre.mermaid").inner_text()


def test_typoras_flow_and_sequence_diagrams_are_drawn(browser, tmp_path):
    """Typora draws ```flow (flowchart.js) and ```sequence (js-sequence-diagrams); the site draws
    them by Mermaid, with every step, message and note the author wrote."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "Typora.md").write_text(
        "# Typora\n\n```flow\nst=>start: 开始\ncond=>condition: 有效？\nop=>operation: 清洗 \"数据\"\ne=>end: 结束\n"
        "st->cond\ncond(yes)->e\ncond(no)->op->cond\n```\n\n"
        "```sequence\nTitle: 登录\n客户端->服务器: 用户名; 密码 #1\nNote right of 服务器: 校验\\n返回\n"
        "服务器-->>客户端: <token>\n```\n", encoding="utf-8")
    result = build_site(tmp_path, docs)
    assert result.returncode == 0, result.stderr
    server = serving(tmp_path / "site")
    base = next(server)
    page = watch_offline(browser.new_page(viewport={"width": 1280, "height": 1400}), base)
    visit(page, base, "Typora/")
    drawn = "[...document.querySelectorAll('article div.mermaid')].map(d => d.getBoundingClientRect().height)"
    page.wait_for_function(f"{drawn}.length == 2")
    assert min(page.evaluate(drawn)) > 100
    # Material draws into a closed shadow root: what the diagrams say is read from Mermaid's own
    # drawing of the page's sources (which throws on a syntax error).
    html = (tmp_path / "site" / "Typora" / "index.html").read_text(encoding="utf-8")
    sources = [unescape(code) for code in re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', html, re.S)]
    svgs = page.evaluate("async sources => { const svgs = []; for (const [i, s] of sources.entries())"
                         " svgs.push((await mermaid.render('check' + i, s)).svg); return svgs; }", sources)
    texts = [BeautifulSoup(svg, "html.parser").get_text(" ") for svg in svgs]
    for words, text in zip((("开始", "有效？", "清洗 \"数据\"", "结束", "yes", "no"),
                            ("登录", "客户端", "服务器", "用户名; 密码 #1", "<token>", "校验")), texts):
        assert all(word in text for word in words), (words, text)
    assert page.off_machine == [] and page.failed == [] and page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "typora-diagrams.png"), full_page=True)
    page.close()
    next(server, None)


def test_japanese_and_korean_are_drawn_in_their_own_fonts(browser, tmp_path):
    """Chinese, Japanese and Korean share ideographs whose forms differ ("直", "骨"): a Japanese
    paragraph in a Chinese vault is drawn with a Japanese font, a Korean one with a Korean font,
    and the Chinese around them and English with the fonts they had."""
    text = "# 语言\n\n今日は骨と直線の写真を見ました。\n\n我们看了骨头和直线的照片。\n\n한국어 문장입니다.\n\nThe model learns.\n"
    with note_in_browser(browser, tmp_path, "Lang", text) as page:
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        fonts = [{font["familyName"] for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
                 for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "article p"})["nodeIds"]]
    assert fonts == [{"Noto Sans CJK JP"}, {"Noto Sans CJK SC"}, {"Noto Sans CJK KR", "Liberation Sans"},
                     {"Liberation Sans"}]


def test_boxed_cancelled_and_styled_text_in_formulas_are_drawn(browser, tmp_path):
    """Chromium draws neither menclose nor an mtext's mathvariant (MathML Core has neither), which
    latex2mathml writes for \\boxed, \\cancel and \\textbf: a boxed result showed with no frame, a
    cancelled term uncancelled, bold text plain, as MathJax in Obsidian does not."""
    text = "# Styled\n\n$\\boxed{x=1}$, $\\cancel{y}$, $\\textbf{粗体}$, $\\textit{it}$, $\\texttt{mono}$\n"
    with note_in_browser(browser, tmp_path, "Styled", text) as page:
        def style(selector: str, prop: str) -> str:
            return page.evaluate("([s, p]) => getComputedStyle(document.querySelector(s))[p]", [selector, prop])
        assert style('menclose[notation="box"]', "borderTopStyle") == "solid"
        assert "linear-gradient" in style('menclose[notation="updiagonalstrike"]', "backgroundImage")
        assert int(style('mtext[mathvariant="bold"]', "fontWeight")) >= 700
        assert style('mtext[mathvariant="italic"]', "fontStyle") == "italic"
        assert "mono" in style('mtext[mathvariant="monospace"]', "fontFamily").lower()


def test_properties_stand_in_two_columns_and_an_embed_holds_its_list(browser, tmp_path):
    """A long property name pushed its value out of line with the others, and a long value wrapped
    back under the names; an embed ending in a list had its last item on its bottom edge."""
    text = ("---\nquestLocationObtained: The old mill\nsummary: " + "a long value that wraps " * 12
            + "\nrating: 4\n---\n# Props\n\n## Items\n\n- one\n- two\n\n## Embed\n\n![[#Items]]\n")
    with note_in_browser(browser, tmp_path, "Props", text) as page:
        boxes = page.eval_on_selector_all(".vs-value", "values => values.map(v => v.getBoundingClientRect().toJSON())")
        assert len(boxes) == 3 and len({round(box["left"]) for box in boxes}) == 1, boxes
        assert boxes[1]["height"] > 2 * boxes[2]["height"], "the long value wraps in its column"
        gap = page.evaluate("""() => {
            const embed = document.querySelector('.vs-embed'), items = embed.querySelectorAll('li');
            return embed.getBoundingClientRect().bottom - items[items.length - 1].getBoundingClientRect().bottom; }""")
        assert gap > 8, gap


def test_an_answer_of_text_alone_in_a_details_has_room_under_it(browser, tmp_path):
    """Course notes answer in `<details>`, a line of text right under the summary: it stood against
    the box's bottom edge, in a list item as at the margin."""
    text = "# Quiz\n\n1. 类型？\n   <details open>\n   <summary>答案</summary>\n   float64。\n   </details>\n"
    with note_in_browser(browser, tmp_path, "Quiz", text) as page:
        room = page.evaluate("""() => {
            const box = document.querySelector('article details'), range = document.createRange();
            range.selectNodeContents(box);
            return box.getBoundingClientRect().bottom - range.getBoundingClientRect().bottom; }""")
        assert room > 6, room


def test_headings_of_the_fifth_and_sixth_rank_are_no_smaller_than_the_text(browser, tmp_path):
    """A vault writing its sections as `#####` had pages that seemed to have none: Material draws
    them smaller and paler than the text under them, the fifth in capitals ("DOCKER")."""
    text = "# Docker\n\n##### docker desktop配置国内源\n正文文字。\n\n###### 2. 启动容器\n正文。\n"
    with note_in_browser(browser, tmp_path, "Docker", text) as page:
        styles = page.evaluate("""() => ['h5', 'h6', 'article p'].map(s => {
            const style = getComputedStyle(document.querySelector(s));
            return [parseFloat(style.fontSize), style.textTransform, style.color, style.fontWeight]; })""")
        (h5, h6, body) = styles
        assert h5[0] >= body[0] and h6[0] >= body[0], styles
        assert h5[1] == h6[1] == "none" and h5[2] == h6[2] == body[2], styles
        assert int(h5[3]) >= 700 and int(h6[3]) >= 700, styles


@contextlib.contextmanager
def note_in_browser(browser, tmp_path: Path, name: str, text: str) -> Iterator:
    """A vault of the one note `name`, its Markdown `text`, built, served and open in `browser`:
    the page."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / f"{name}.md").write_text(text, encoding="utf-8")
    result = build_site(tmp_path, docs)
    assert result.returncode == 0, result.stderr
    server = serving(tmp_path / "site")
    base = next(server)
    page = watch_offline(browser.new_page(), base)
    try:
        visit(page, base, f"{name}/")
        yield page
    finally:
        page.close()
        next(server, None)
