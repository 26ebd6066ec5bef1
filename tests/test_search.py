"""Search in Chinese and English, and bilingual typography.

First search.py's pure functions (bilingual pairs are fixture cases in tests/fixtures/search/,
`pytest --regen` rewrites their expected pairs), then built sites in a real, offline Chromium with
queries typed into Material's own search box: a small fixture vault for each behaviour, and the
real vault for the queries of issue 6. Needs Debian's `chromium` (.ci/run installs it).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest

from conftest import FIXTURES, build_site
from fixtures import read_cases, regenerating
from test_browser import ARTIFACTS, CHROMIUM, browser, watch_offline  # noqa: F401 (a fixture)
from vaultsite import preindex, search

PAIRS = FIXTURES / "search" / "pairs.md"
CASES = read_cases(PAIRS)
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")


# --- search.py, pure -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def regenerated_pairs(regen):
    yield from regenerating([PAIRS], regen)

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bilingual_pairs(case, regen, regenerated_pairs):
    got = "\n".join(f"{zh} = {en}" for zh, en in search.bilingual_pairs(case.input)) or "(no pair)"
    if regen:
        regenerated_pairs[case.id] = got
        return
    assert got == case.expected


def test_bilingual_pairs_back_to_back():
    """A term may start right after the bracket that closes the one before, or at a line start."""
    text = "Features in data (数据特征)Deep Learning (深度学习)\nAttention (注意力)。Backprop（反向传播）"
    assert search.bilingual_pairs(text) == [("数据特征", "features in data"), ("深度学习", "deep learning"),
                                            ("注意力", "attention"), ("反向传播", "backprop")]


def test_tokens_are_the_words_lunr_makes_in_lower_case():
    assert search.tokens(" Deep\u200b学习, CNN. v1.5 &amp;x ") == {"deep", "学习", "cnn", "v1.5", "x"}


@pytest.mark.parametrize("text, term, mentioned", [
    ("the attention mechanism works", "attention mechanism", True),
    ("attention-mechanism", "attention mechanism", True),          # any characters but word ones
    ("attention,\n  mechanism.", "attention mechanism", True),
    ("éattention mechanism", "attention mechanism", True),         # only ASCII letters join it
    ("attention attention mechanism", "attention mechanism", True),  # not at the first try
    ("attention_mechanism", "attention mechanism", False),         # `_` is a word character
    ("attention 中 mechanism", "attention mechanism", False),      # so is a Chinese one
    ("selfattention mechanism", "attention mechanism", False),
    ("attention mechanisms", "attention mechanism", False),
    ("attention mechanism2", "attention mechanism", False),
    ("attention", "attention mechanism", False),
    ("it's state-of-the-art", "it's state-of-the", True),
    ("rnn", "rnn", True),
    ("rnns", "rnn", False),
])
def test_mentions_finds_what_the_regex_finds(text, term, mentioned):
    regex = r"\W+".join(map(re.escape, term.split()))
    assert bool(re.search(rf"(?<![a-z0-9]){regex}(?![a-z0-9])", text)) == mentioned
    assert search._mentions(text, term.split()) == mentioned


@pytest.mark.parametrize("group", [
    "learn learns learned learning", "network networks", "gradient gradients",
    "vanish vanishes vanishing", "compute computes computed computing", "note notes noted noting",
    "hope hoped hoping", "hop hopped hopping", "study studies studied", "control controlled",
])
def test_light_stem_groups_the_forms_of_a_word(group):
    assert len({search.light_stem(word) for word in group.split()}) == 1


@pytest.mark.parametrize("a, b", [("note", "not"), ("site", "sit"), ("hope", "hop"), ("this", "thin")])
def test_light_stem_keeps_different_words_apart(a, b):
    assert search.light_stem(a) != search.light_stem(b)


def _index(*docs: tuple[str, str, str]) -> dict:
    """An index as Material writes it (Chinese words joined by U+200B)."""
    config = {"lang": ["en"], "separator": "[\\s\\-]+", "pipeline": ["stemmer"],
              "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}}
    return {"config": config, "docs": [{"location": loc, "title": title, "text": text}
                                       for loc, title, text in docs]}


@pytest.fixture(scope="module")
def cut_for_search(tmp_path_factory):
    """jieba's search mode, its dictionary cache kept out of the temp folder (as the plugin does)."""
    search.setup([], [], tmp_path_factory.mktemp("jieba"))
    import jieba

    return jieba.cut_for_search


def test_index_config_splits_full_width_punctuation_and_keeps_words_unstemmed(cut_for_search):
    config = search.rewrite_index(_index(("a/", "x", "<p>y</p>")), cut_for_search)[0]["config"]
    assert config["lang"] == [search.LANG]
    assert "stemmer" not in config["pipeline"]
    assert {"aliases", "keywords"} <= set(config["fields"])
    separator = re.compile(config["separator"])
    assert [t for t in separator.split("卷积神经网络（CNN）与【池化】，Convolution (CNN) &amp; pooling") if t] == [
        "卷积神经网络", "CNN", "与", "池化", "Convolution", "CNN", "pooling"]


def test_index_holds_chinese_sub_words_english_forms_and_translations(cut_for_search):
    data, _ = search.rewrite_index(_index(
        ("a/", "注意力​机制 (Attention Mechanism)", "<p>模型​决定​看​哪里​。</p>"),
        ("b/", "变换器", "<p>变换器​的​核心​是​注意力​机制​。</p>"),
        ("c/", "入门", "<p>神经网络​由​很多​层​组成​。The model learned weights.</p>"),
        ("d/", "Deep learning", "<p>Features in data (​数据​特征​).</p>"),
        ("e/", "Representation", "<p>A network finds features in data.</p>"),
    ), cut_for_search)
    docs = {d["location"]: d for d in data["docs"]}
    assert "attention" in docs["b/"]["keywords"].split()        # says only 注意力机制
    assert "网络" in docs["c/"]["keywords"].split()              # inside 神经网络
    assert "learning" in docs["c/"]["keywords"].split()          # says only "learned"
    assert "数据特征" in docs["e/"]["keywords"].split()          # says only "features in data"
    assert "attention" not in docs["a/"].get("keywords", "")     # its title has it already
    assert docs["b/"]["title"] == "变换器" and docs["b/"]["text"].startswith("<p>变换器​")


def test_index_is_the_same_in_every_build(tmp_path):
    """Python salts its string hashes per process: nothing in the index may follow a set's order."""
    (tmp_path / "search").mkdir()
    data = _index(("a/", "注意力​机制 (Attention Mechanism Layer)", "<p>x</p>"),
                  ("b/", "变换器", "<p>注意力​机制​与 feature maps (特征​图) and networks, a network.</p>"))
    source = json.dumps(data)
    script = ("import sys; from pathlib import Path; from vaultsite import search; "
              "site = Path(sys.argv[1]); (site / 'search' / 'search_index.json').write_text(sys.argv[2]); "
              "search.setup([], [], site); search.update_site(site); "
              "print((site / 'search' / 'search_index.json').read_text())")
    outputs = {subprocess.run([sys.executable, "-c", script, str(tmp_path), source], check=True, text=True,
                              capture_output=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
               for seed in range(1, 6)}
    assert len(outputs) == 1


def test_index_is_written_as_json_dumps_writes_it(tmp_path, cut_for_search):
    """The file is written an entry at a time, as compact JSON; the sizes are the file's."""
    (tmp_path / "search").mkdir()
    source = json.dumps(_index(("a/", "注意力​机制 (Attention Mechanism)", "<p>x</p>"), ("b/", "变换器", "")))
    (tmp_path / "search" / "search_index.json").write_text(source, encoding="utf-8")
    stats = search.update_site(tmp_path)
    written = (tmp_path / "search" / "search_index.json").read_bytes()
    data, _ = search.rewrite_index(json.loads(source), cut_for_search)
    assert written == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert written.decode("utf-8") == search.dumps(data)
    assert (stats.bytes_before, stats.bytes_after) == (len(source), len(written))
    for data in ({}, {"docs": []}, {"docs": [{}], "config": {"docs": [1, 2.5, None, True]}}):
        assert search.dumps(data) == json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def test_index_is_written_as_utf8(tmp_path, cut_for_search):
    (tmp_path / "search").mkdir()
    data = _index(("", "知识库", "<p>深度​学习</p>"))
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(data), encoding="utf-8")
    stats = search.update_site(tmp_path)
    text = (tmp_path / "search" / "search_index.json").read_text(encoding="utf-8")
    assert stats and "知识库" in text  # not \\u77e5...
    for name in (search.JS, search.CSS, search.WORKER_JS):
        assert (tmp_path / name).is_file()


# --- In the browser ------------------------------------------------------------------------

FIXTURE_VAULT = {
    "index.md": "# 首页 · Home\n\nNotes on deep learning and neural networks.\n",
    "attention.md": "# 注意力机制 (Attention Mechanism)\n\n模型决定看哪里。\n",
    "transformer.md": "# 变换器\n\n变换器的核心是注意力机制，它让每个位置看见所有位置。\n",
    "neural.md": "# 神经网络入门\n\n神经网络由很多层组成。\n",
    "training.md": "# Training\n\nThe model learned its weights from the data.\n",
    "cnn.md": "# 卷积\n\n卷积神经网络（CNN）擅长处理图像。\n",
    "features.md": "# Features\n\nFeatures in data (数据特征): what a model picks up.\n",
    "representation.md": "# Representation\n\nA network finds features in data, layer by layer.\n",
    "hidden.md": "---\nsearch:\n  exclude: true\n---\n# 隐藏\n\n只在这里出现的词 zyxwvutsr。\n",
    # jieba cuts 强化学习 into 强化 and 学习, two words of the index.
    "rl.md": "# 深度学习笔记\n\n学习资源与课程。\n\n## 课程\n\n这门课讲强化学习。\n",
    "study.md": "# 学习方法\n\n如何学习。\n",
    "strength.md": "# 力量\n\n力量训练可以强化肌肉。\n",
    # jieba cuts the term 多层感知机 into 多层 and 感知机.
    "perceptron.md": "# Perceptron · 感知机\n\n感知机画一条直线把两类分开。\n",
    "mlp.md": "# MLP · 多层感知机\n\n多层感知机（MLP）在感知机的输入和输出之间加了隐藏层。\n",
    "history.md": "# 神经网络的历史\n\nRosenblatt 在 1958 年提出了感知机。\n",
    "formulas.md": ("# 反向传播\n\n输出层的误差是 $\\delta_3 = \\frac{1}{N}(p - y)$，导数是：\n\n"
                   "$$\\tanh' = 1 - \\tanh^2$$\n\n![](missing-shot.png)\n\n"
                   '<math display="block"><semantics><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow>'
                   '<annotation encoding="application/x-tex">a + b &lt; c</annotation></semantics></math>\n'),
    "pytorch.md": "# PyTorch 入门\n\n张量与自动求导。\n",
    "hash.md": "# 散列\n\n- 列表里的哈希表，表明映射\n\n哈希表的冲突。\n",
    "tagged.md": ("---\ntags: [pytorch]\n---\n# 实验记录\n\n每次的结果。\n\n## 第一次\n\n失败了。\n\n"
                  "## 第二次\n\n成功了。\n"),
    "long.md": ("# 长链接 · Long links\n\n这里有一个很长的链接https://example.com/"
                + "a-very-long-path-segment-without-any-break" * 4 + "，以及一个很长的英文词"
                + "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3 + "混在中文里。\n"),
}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("search")
    docs = project / "docs"
    docs.mkdir()
    for name, text in FIXTURE_VAULT.items():
        (docs / name).write_text(text, encoding="utf-8")
    result = build_site(project, docs)
    assert result.returncode == 0, result.stderr
    return project / "site"


class _RecordingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; records every request answered with an error (the worker's included)."""

    def log_message(self, format, *args):
        pass

    def log_request(self, code="-", size="-"):
        if isinstance(code, int) and code >= 400 or str(code).startswith(("4", "5")):
            self.server.failed.append(f"{code} {self.path}")


@contextlib.contextmanager
def _serve(directory: Path):
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_RecordingHandler, directory=str(directory)))
    httpd.failed = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()


@contextlib.contextmanager
def _offline_page(browser, httpd, **options):  # noqa: F811 (the fixture)
    """A page whose requests off 127.0.0.1 are refused and recorded, as in test_browser.py."""
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    page = watch_offline(context.new_page(), base, console=("error", "warning"))
    page.base = base
    try:
        yield page
    finally:
        context.close()
    assert page.off_machine == [], "requests off the machine"
    assert page.failed == [] and httpd.failed == [], "failed requests"
    assert page.errors == [], "console errors or warnings (the search worker warns of a bad query)"


@pytest.fixture(scope="module")
def fixture_server(fixture_site):
    with _serve(fixture_site) as httpd:
        yield httpd


@pytest.fixture(scope="module")
def real_server(real_site):
    with _serve(real_site / "site") as httpd:
        yield httpd


@pytest.fixture(scope="module")
def fixture_search(browser, fixture_server):  # noqa: F811
    with _offline_page(browser, fixture_server) as page:
        page.goto(page.base + "/", wait_until="networkidle")
        yield page


@pytest.fixture(scope="module")
def real_search(browser, real_server):  # noqa: F811
    with _offline_page(browser, real_server) as page:
        page.goto(page.base + "/", wait_until="networkidle")
        yield page


QUERY = "input[data-md-component=search-query]"
RESULTS = "li.md-search-result__item > a:first-child"
_PLACEHOLDER = ("() => document.querySelector('.md-search-result__meta').textContent === "
                "JSON.parse(document.getElementById('__config').textContent)"
                ".translations['search.result.placeholder']")


def clear_query(page) -> None:
    page.locator(QUERY).click()
    page.locator(QUERY).fill("")
    page.wait_for_function(_PLACEHOLDER)  # Material has searched for "" (and so is ready)


def results(page) -> list[str]:
    """The pages of the search results, best first, once the list has stopped changing."""
    page.wait_for_function(f"() => !({_PLACEHOLDER})()", timeout=10_000)
    before = None
    while (now := page.locator(".md-search-result").inner_html()) != before:
        before = now
        page.wait_for_timeout(250)
    hrefs = page.eval_on_selector_all(RESULTS, "els => els.map(e => e.href)")
    return [unquote(urlsplit(href).path).strip("/").split("/")[-1] for href in hrefs]


def type_query(page, query: str) -> list[str]:
    """Type `query` into Material's search box; the pages of the results, best first.

    Chinese goes in as an input method commits it (no key goes up for it); English key by key.
    """
    clear_query(page)
    page.keyboard.type(query)
    return results(page)


@needs_chromium
@pytest.mark.parametrize("query, page_name", [
    ("attention", "transformer"),       # says only 注意力机制; "注意力机制 (Attention Mechanism)" elsewhere
    ("注意力机制", "transformer"),
    ("数据特征", "representation"),      # says only "features in data"
    ("网络", "neural"),                  # 网络 only inside 神经网络
    ("learning", "training"),           # says only "learned"
    ("cnn", "cnn"),                     # （CNN） in full-width brackets
    ("卷积神经网络", "cnn"),
])
def test_fixture_vault_query_finds_the_note(fixture_search, query, page_name):
    assert page_name in type_query(fixture_search, query)


@needs_chromium
def test_excluded_page_is_not_found(fixture_search, fixture_site):
    assert type_query(fixture_search, "zyxwvutsr") == []
    index = (fixture_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "zyxwvutsr" not in index and "神经网络" in index  # and written as UTF-8


@needs_chromium
def test_chinese_from_an_input_method(fixture_search):
    """Composition events as an input method sends them: pinyin composed, then the word committed."""
    page = fixture_search
    clear_query(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.imeSetComposition", {"text": "shenjing", "selectionStart": 8, "selectionEnd": 8})
    cdp.send("Input.insertText", {"text": "神经网络"})
    assert "neural" in results(page)


# What the first result shows of each of its entries: its title, whether it is folded under
# "more on this page", and the query terms it reports missing (None: none).
_FIRST_RESULT = """() => [...document.querySelectorAll('li.md-search-result__item:first-child article')].map(a => ({
    title: a.querySelector('h1, h2').textContent.replaceAll('\\u200b', ''),
    folded: a.closest('details') !== null,
    missing: a.querySelector('.md-search-result__terms')?.textContent ?? null}))"""


@needs_chromium
def test_chinese_query_of_several_index_words_finds_the_text_that_holds_them_all(fixture_search):
    """强化学习 is two words of the index (jieba cuts it 强化 学习): the query finds the note with
    a section on it, neither the note that only says 学习 nor the one that only says 强化, and
    shows that section."""
    assert type_query(fixture_search, "强化学习") == ["rl"]
    shown = fixture_search.evaluate(_FIRST_RESULT)
    assert [entry["missing"] for entry in shown] == [None] * len(shown), shown
    assert {"title": "课程", "folded": False, "missing": None} in shown
    # A character the index does not hold is reported missing; the rest still find what they find.
    assert type_query(fixture_search, "强化学习咯") == ["rl"]


@needs_chromium
def test_the_page_a_chinese_query_opens_marks_the_phrase_not_each_word(fixture_search):
    """强化学习 is the words 强化 and 学习: the page it opened marked every 学习 on it (深度学习,
    学习资源). Chinese is written without spaces: the query is a phrase, marked as typed."""
    page = fixture_search
    type_query(page, "强化学习")
    page.locator("a.md-search-result__link").filter(has_text="课程").first.click()
    page.wait_for_url("**/rl/**")
    page.wait_for_function("() => document.querySelector('article mark')")
    assert [mark.inner_text() for mark in page.locator("article mark").all()] == ["强化学习"]
    page.go_back()


@needs_chromium
def test_the_results_mark_a_chinese_query_as_typed(fixture_search):
    """网络 is found inside 神经网络 by its sub-word, which Material marked nowhere in the results;
    强化学习 is the words 强化 and 学习, and every 学习 of a result was marked (深度学习笔记), 哈希表's
    every 表, in a list item too (表明). A result holding the words apart keeps Material's marks of
    them, and a word the results lack is not marked where Material says so."""
    def marks(page_name: str = "") -> list[str]:  # (the index's Chinese words are apart, U+200B between them)
        found = fixture_search.locator(f".md-search-result__item:has(a[href*='/{page_name}']) mark").all()
        return [mark.inner_text().replace("\u200b", "") for mark in found]
    type_query(fixture_search, "网络")
    assert "网络" in marks()
    type_query(fixture_search, "强化学习")
    assert set(marks()) == {"强化学习"}
    type_query(fixture_search, "哈希冲突")  # (哈希表的冲突: the words apart, as Material marks them)
    assert set(marks("hash/")) == {"哈希", "冲突"}
    type_query(fixture_search, "哈希表 蛋糕")
    assert set(marks()) == {"哈希表"}


@needs_chromium
def test_the_page_a_chinese_query_names_ranks_first(fixture_search):
    """感知机 is the title of one page, part of the term 多层感知机 in the title of another, and
    only in the text of a third."""
    assert type_query(fixture_search, "感知机") == ["perceptron", "mlp", "history"]


@needs_chromium
def test_a_tag_finds_its_page_once_below_the_page_titled_with_the_word(fixture_search):
    """Material gave every section of a tagged page its tags, boosted a thousand times a title: the
    page tagged `pytorch` ranked above the one titled PyTorch, each of its sections a result."""
    assert type_query(fixture_search, "pytorch") == ["pytorch", "tagged"]
    assert fixture_search.locator(".md-search-result__item").count() == 2


def test_index_holds_formulas_as_their_tex_and_no_missing_file_placeholder(fixture_site):
    """MathML's text runs its letters together (`tanh′=1−tanh2`): a formula is indexed as the TeX
    its `<math>` carries, or not at all. A missing image's placeholder shows its file's name."""
    index = json.loads((fixture_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = next(doc["text"] for doc in index["docs"] if doc["location"] == "formulas/")
    assert "输出" in text and "导数" in text
    for flattened in ("δ", "tanh′", "1−tanh2", "a+b"):
        assert flattened not in text
    assert "<code>a + b &lt; c</code>" in text
    assert "missing-shot" not in json.dumps(index, ensure_ascii=False)


def test_an_embedded_note_is_found_on_its_own_page_only(tmp_path):
    """Obsidian's search finds an embedded note's text in its own note: every page embedding it
    was found too, its headings sections of each (a `Sub` result per page). The text after an embed,
    and one holding HTML a note left open, are the page's still."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "Delta.md").write_text("# Delta\n\n<b>粗体\n\n## Sub\n\n子节的文字\n\n> [!note]\n> 提示\n",
                                   encoding="utf-8")
    (docs / "Gamma.md").write_text("# Gamma\n\n之前\n\n![[Delta]]\n\n之后的文字\n\n- ![[Delta#Sub]]\n\n"
                                   "## Later\n\n最后\n", encoding="utf-8")
    result = build_site(tmp_path, docs)
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    gamma = {doc["location"]: doc["text"] for doc in index["docs"] if doc["location"].startswith("Gamma/")}
    assert list(gamma) == ["Gamma/", "Gamma/#later"]
    assert "之后" in gamma["Gamma/"] and "最后" in gamma["Gamma/#later"]
    assert not any(word in text for text in gamma.values() for word in ("子节", "提示", "粗体"))
    assert any("子节" in doc["text"] for doc in index["docs"] if doc["location"] == "Delta/#sub")


# The queries of issue 6 on the real vault: the note (a file's name) each must list in its first three.
MAIN, THREE_B1B = "Deep Learning (Neural Network)", "3B1B - Neural Networks"
REAL_QUERIES = [
    ("深度学习", {MAIN}),
    ("花书", {MAIN}),
    ("矩阵表示法", {THREE_B1B}),
    ("网络", None),                      # any notes: 网络 stands alone almost nowhere
    ("backpropagation", {MAIN, "MLP (Multi-Layer Perceptron)"}),
    ("vanishing gradient", {"Neural Networks", "RNN (Recurrent Neural Network)"}),
    ("learning", {MAIN}),
    ("attention", {THREE_B1B, "Transformers"}),
]


@needs_chromium
@pytest.mark.parametrize("query, expected", REAL_QUERIES, ids=[q for q, _ in REAL_QUERIES])
def test_real_vault_query_lists_the_note_near_the_top(real_search, query, expected):
    found = type_query(real_search, query)
    assert len(found) >= (3 if expected is None else 1), found
    if expected:
        assert expected & set(found[:3]), f"{query}: {found}"


@needs_chromium
def test_real_vault_attention_finds_the_note_that_says_it_in_chinese(real_search, real_site):
    """The main note names the attention mechanism only as 注意力机制 (in a link's text)."""
    assert MAIN in type_query(real_search, "attention")
    ARTIFACTS.mkdir(exist_ok=True)
    real_search.screenshot(path=str(ARTIFACTS / "search-attention.png"))


@needs_chromium
def test_real_vault_chinese_queries_find_the_section_and_the_page_they_name(real_search):
    """强化学习 (jieba: 强化 学习) is in one section of the main note, 学习 in most notes; 感知机
    is the title of the Perceptron note and part of the term 多层感知机 in the MLP note's title."""
    assert type_query(real_search, "强化学习")[0] == MAIN
    shown = real_search.evaluate(_FIRST_RESULT)
    assert [entry["missing"] for entry in shown] == [None] * len(shown), shown
    assert [entry for entry in shown if entry["title"] != MAIN and not entry["folded"]], shown
    ARTIFACTS.mkdir(exist_ok=True)
    real_search.screenshot(path=str(ARTIFACTS / "search-reinforcement-learning.png"))
    assert type_query(real_search, "感知机")[:2] == ["Perceptron", "MLP (Multi-Layer Perceptron)"]
    real_search.screenshot(path=str(ARTIFACTS / "search-perceptron.png"))


def test_real_vault_index_leaves_out_generated_pages(real_site):
    index = json.loads((real_site / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [unquote(doc["location"]) for doc in index["docs"]]
    assert locations and not [loc for loc in locations if loc.startswith("unwritten/")]


@needs_chromium
def test_bilingual_typography(browser, fixture_server):  # noqa: F811
    with _offline_page(browser, fixture_server, viewport={"width": 360, "height": 800}) as page:
        page.goto(page.base + "/long/", wait_until="networkidle")
        assert page.evaluate("document.documentElement.lang") == "zh"
        family = page.evaluate("getComputedStyle(document.querySelector('article p')).fontFamily")
        for font in ("PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei"):
            assert font in family
        assert family.index("Arial") < family.index("PingFang SC")  # Latin letters in a Latin font
        # The long URL and the long word wrap inside the text column: nothing runs off the page.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate("[...document.querySelectorAll('article p')]"
                             ".every(p => p.scrollWidth <= p.clientWidth)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "long-lines-360px.png"))


def test_a_rebuild_under_serve_indexes_again_only_the_pages_that_changed():
    from material.plugins.search.plugin import SearchIndex

    indexed: list[str] = []

    class Counting(SearchIndex):
        def add_entry_from_context(self, page):
            indexed.append(page.file.src_uri)
            super().add_entry_from_context(page)

    def page(uri: str, text: str, meta: dict | None = None) -> SimpleNamespace:
        return SimpleNamespace(file=SimpleNamespace(src_uri=uri), url=uri.removesuffix(".md") + "/",
                               title=uri, meta=meta or {}, toc=[],
                               content=f'<h1 id="t">{uri}</h1><p>{text}</p><h2 id="s">Part</h2><p>more</p>')

    def build(pages) -> list[dict]:
        index = Counting()
        kept.use(index)
        indexed.clear()
        for p in pages:
            index.add_entry_from_context(p)
        fresh = SearchIndex()
        for p in pages:
            fresh.add_entry_from_context(p)
        assert index.entries == fresh.entries  # the index a build from nothing makes
        return index.entries

    kept = preindex.Kept()
    build([page("a.md", "alpha"), page("b.md", "beta")])
    assert indexed == ["a.md", "b.md"] and kept.taken == 0
    entries = build([page("a.md", "alpha"), page("b.md", "beta saved")])
    assert indexed == ["b.md"] and kept.taken == 1
    assert "beta saved" in entries[-2]["text"]
    build([page("a.md", "alpha", {"search": {"boost": 2}}), page("b.md", "beta saved"), page("c.md", "new")])
    assert indexed == ["a.md", "c.md"] and kept.taken == 1
