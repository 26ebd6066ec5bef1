"""Mojibake repair (issue 3), from the outside in: texts and bytes in, repaired texts out.

Accuracy is the share of the true text's characters that come back: the size of the matching
blocks of a character diff (difflib, no junk heuristic) of true and repaired text, over the length
of the longer of the two.  It counts the whole text, ASCII included, as the issue does.
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
from pathlib import Path

import pytest

from fixtures import read_cases
from vaultsite import langmodel
from vaultsite.langmodel import default_model
from vaultsite.repair import (
    CODE_PAGES, Context, RepairResult, may_need_repair, repair_bytes, repair_text, without_nul_bytes,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "repair"
NOTES = Path(__file__).resolve().parents[2] / "shared" / "notes"
DAMAGED_NOTE = NOTES / "000_409f261161ad2263.txt"
CLEAN_TWIN = NOTES / "001_92c9aa251153fdad.txt"


def accuracy(true: str, repaired: str) -> float:
    matcher = difflib.SequenceMatcher(None, true, repaired, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(true), len(repaired))


def damage(text: str, page: str) -> str:
    """The damage of issue 3: UTF-8 bytes read through ``page``, its undefined bytes and the soft
    hyphen dropped."""
    lost = set()
    for byte in range(0x80, 0x100):
        try:
            if bytes([byte]).decode(page) == "\xad":
                lost.add(byte)
        except UnicodeDecodeError:
            lost.add(byte)
    return bytes(b for b in text.encode("utf-8") if b not in lost).decode(page)


# --- clean text is never changed --------------------------------------------------------------


def _prose_lines() -> list[str]:
    """The lines of clean.md before its code blocks (which quote mojibake: not clean on their own)."""
    text = (FIXTURES / "clean.md").read_text(encoding="utf-8")
    return [line for line in text.split("```")[0].splitlines() if line]


@pytest.mark.parametrize("line", _prose_lines())
def test_clean_line_is_unchanged(line: str) -> None:
    result = repair_text(line)
    assert result.text == line
    assert not result.changed


def test_clean_note_is_unchanged_as_a_whole() -> None:
    text = (FIXTURES / "clean.md").read_text(encoding="utf-8")
    assert repair_text(text) == RepairResult(text)


def test_code_of_a_clean_note_explaining_mojibake_is_as_written() -> None:
    """A note explaining mojibake quotes it in its text and its code: the code, holding what no
    code page spells (你好), was never read through one, and stays as written (it was "repaired" to
    `café` and `位 好`). The quote in the text is mended as a line pasted damaged would be: nothing
    tells the two apart."""
    text = ('When UTF-8 is read as Windows-1252, "café" shows as "cafÃ©".\n\nIn code: `cafÃ©`\n\n'
            "```\nä½ å¥½ is mojibake for 你好\n```\n")
    assert repair_text(text).text.split("\n")[1:] == text.split("\n")[1:]


def _continuation_letters() -> set[str]:
    """Characters that some code page spells with a UTF-8 continuation byte ("ё", "і", "ą")."""
    found = set()
    for page in CODE_PAGES:
        for byte in range(0x80, 0xC0):
            try:
                found.add(bytes([byte]).decode(page))
            except UnicodeDecodeError:
                pass
    return found


@pytest.mark.parametrize("language", ["ru", "uk", "mk", "bg", "pl", "cs", "sk", "tr", "el", "lt", "lv", "ro", "hu"])
def test_common_words_of_code_page_languages_are_unchanged(language: str) -> None:
    """A clean note in Cyrillic or Central European text spells lead and continuation bytes of
    its code page all the time ("её" is cp1251's E5 B8, like a damaged "席"): wordfreq's common
    words with such letters, a fifth of them capitalized, as the lines of a note."""
    import random

    import wordfreq

    risky = _continuation_letters()
    words = [w for w in wordfreq.top_n_list(language, 30000) if not w.isascii() and risky & set(w)]
    rng = random.Random(0)
    words = [w.capitalize() if rng.random() < 0.2 else w for w in words]
    text = "\n".join(" ".join(words[i : i + 8]) for i in range(0, len(words), 8)) + "\n"
    changed = [f"{a} -> {b}" for a, b in zip(text.split(" "), repair_text(text).text.split(" ")) if a != b]
    assert not changed


_CYRILLIC_PROSE = ("Русский", "Українська:", "Беларуская:", "Македонски:", "Српски:")


@pytest.mark.parametrize(
    "pasted",
    [
        "Привіт, як справи? Усе добре.",
        "C'est déjà l'été, très bien.",
        "学习语言最好的方法。",
        "Dziękuję bardzo, wszystko dobrze.",  # "Dziƒôkujƒô" through MacRoman: damage spelled in letters
    ],
)
@pytest.mark.parametrize("page", CODE_PAGES)
def test_line_pasted_damaged_into_a_clean_cyrillic_note_is_repaired(pasted: str, page: str) -> None:
    """The clean words of a Cyrillic note spell cp1251's UTF-8 structure ("вії"), which must not
    outvote the code page that damaged the pasted line."""
    lines = [line for line in _prose_lines() if line.startswith(_CYRILLIC_PROSE)]
    note = "\n".join([*lines, damage(pasted, page), *lines]) + "\n"
    assert repair_text(note).text == "\n".join([*lines, pasted, *lines]) + "\n"


@pytest.mark.parametrize("page", CODE_PAGES)
def test_clean_lines_around_a_damaged_paragraph_are_unchanged(corpus: str, page: str) -> None:
    """A clean line above and below a damaged paragraph, which makes the note damaged as a whole:
    the clean lines stay as they are, Greek and typography through cp1253 too, every character of
    which that page spells ("σκύλο·" spells UTF-8 structure there).  Left out: quoted mojibake,
    which a damaged note's code holds damaged too."""
    lines = [line for line in _prose_lines() if not line.startswith("Quoted")]
    paragraph = "\n".join(corpus.splitlines()[2:4])  # its first two lines of Chinese prose
    changed = []
    for line in lines:
        repaired = repair_text(f"{line}\n{damage(paragraph, page)}\n{line}\n").text.split("\n")
        changed += [after for after in (repaired[0], repaired[-2]) if after != line]
    assert not changed


# --- repairs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", read_cases(FIXTURES / "cases.md"), ids=lambda case: case.id)
def test_repair_case(case) -> None:
    result = repair_text(case.input)
    assert result.text == case.expected
    assert result.changed and result.runs > 0


@pytest.fixture(scope="module")
def corpus() -> str:
    return (FIXTURES / "corpus.md").read_text(encoding="utf-8")


# Where the repair stands today on each code page: a ratchet against regressions.  The issue's
# target is 0.998 everywhere; the pages that lose many byte values (1253 and 1257 lose 12 to 17,
# among them 0x9F, which every emoji holds) are not there yet, and are marked so below.
FLOORS = {"cp1252": 0.999, "cp1254": 0.999, "cp1250": 0.999, "cp1251": 0.999,
          "cp1253": 0.9905, "cp1257": 0.995, "latin-1": 0.999, "mac_roman": 0.999}
BELOW_TARGET = pytest.mark.xfail(strict=True, reason="below the 99.8 % target of issue 3")


@pytest.mark.parametrize("page", CODE_PAGES)
def test_corpus_damaged_through_code_page_keeps_its_floor(corpus: str, page: str) -> None:
    damaged = damage(corpus, page)
    assert accuracy(corpus, damaged) < 0.5  # the damage is real
    assert accuracy(corpus, repair_text(damaged).text) >= FLOORS[page]


@pytest.mark.parametrize("page", ["cp1252", "cp1254", "cp1250", "cp1251", "cp1253", "cp1257"])
def test_corpus_read_strictly_through_code_page_keeps_its_floor(corpus: str, page: str) -> None:
    """A strict reading (Python's errors="replace", many editors) shows each byte the page leaves
    undefined as U+FFFD, where the damage of issue 3 dropped it: a lost byte all the same."""
    damaged = corpus.encode("utf-8").decode(page, errors="replace")
    assert "\ufffd" in damaged
    repaired = repair_text(damaged).text
    assert "\ufffd" not in repaired and accuracy(corpus, repaired) >= min(FLOORS[page], 0.99)


@pytest.mark.parametrize(
    "page", [pytest.param(p, marks=BELOW_TARGET) if FLOORS[p] < 0.998 else p for p in CODE_PAGES]
)
def test_corpus_damaged_through_code_page_reaches_the_target(corpus: str, page: str) -> None:
    assert accuracy(corpus, repair_text(damage(corpus, page)).text) >= 0.998


def wrong_places(true: str, repaired: str) -> set[tuple[int, int]]:
    """The (line, column from 0) of each character of ``repaired`` that is not ``true``'s."""
    return {
        (number, column)
        for number, (line, repaired_line) in enumerate(zip(true.split("\n"), repaired.split("\n"), strict=True), 1)
        for op, _, _, first, last in difflib.SequenceMatcher(None, line, repaired_line, autojunk=False).get_opcodes()
        if op != "equal"
        for column in range(first, max(last, first + 1))
    }


def guessed_places(result: RepairResult) -> set[tuple[int, int]]:
    """The (line, column from 0) of each character of ``result``'s guesses, each checked to be
    there in its text, with the characters it shows around it, and to differ from its
    alternative."""
    lines = result.text.split("\n")
    places = set()
    for guess in result.guesses:
        before, after = guess.around
        start = guess.column - 1
        shown = lines[guess.line - 1][start - len(before) : start + len(guess.text) + len(after)]
        assert shown == before + guess.text + after and guess.alternative != guess.text
        places |= {(guess.line, column) for column in range(start, start + len(guess.text))}
    return places


@pytest.mark.parametrize("page", ["cp1253", "cp1257", "cp1254"])
def test_guesses_point_the_author_at_the_words_the_repair_may_have_wrong(corpus: str, page: str) -> None:
    """Lost bytes leave the model more than one sentence to choose from. Where another reading is
    about as likely, the repair says where, and what that reading is: most of the characters it
    gets wrong are in these guesses, and the guesses are few beside the bytes rebuilt."""
    result = repair_text(damage(corpus, page))
    assert all(len(guess.alternative) == len(guess.text) for guess in result.guesses)
    wrong = wrong_places(corpus, result.text)
    assert len(wrong & guessed_places(result)) >= 0.75 * len(wrong)
    assert 0 < len(result.guesses) <= result.rebuilt_bytes / 4
    assert f"; {len(result.guesses)} guessed words to check)" in result.summary()


@pytest.mark.parametrize("pages", [("cp1252", "cp1252"), ("cp1253", "cp1252")])
def test_the_guesses_of_text_damaged_twice_are_of_the_text_as_repaired(corpus: str, pages: tuple[str, str]) -> None:
    """The repair of the outer damage guesses at characters that the repair under it rewrites:
    its guesses on the lines that repair changes are no longer the author's to check."""
    result = repair_text(damage(damage(corpus, pages[0]), pages[1]))
    assert guessed_places(result)


def test_a_repair_with_nothing_lost_guesses_nothing(corpus: str) -> None:
    assert repair_text(read_through(corpus, "cp1253")).guesses == ()


def read_through(text: str, page: str) -> str:
    """The commonest mojibake, with nothing lost: UTF-8 bytes read through ``page`` as Windows reads
    them, the bytes it leaves undefined as the C1 controls of their number (ftfy's "sloppy" codecs)
    and the soft hyphen kept."""
    def char(byte: int) -> str:
        try:
            return bytes([byte]).decode(page)
        except UnicodeDecodeError:
            return chr(byte)
    return "".join(map(char, text.encode("utf-8")))


@pytest.mark.parametrize("page", CODE_PAGES)
def test_corpus_read_through_code_page_with_nothing_lost_is_exact(corpus: str, page: str) -> None:
    """Every byte is there to read back ("å­¦" is 学, its 0xAD a soft hyphen): none is guessed."""
    assert repair_text(read_through(corpus, page)).text == corpus


@pytest.mark.parametrize("page", CODE_PAGES)
def test_corpus_read_through_code_page_twice_is_exact(corpus: str, page: str) -> None:
    """Damaged, saved as UTF-8 and read through the page again ("å­¦" -> "Ã¥Â\xadÂ¦"): after the
    first repair the text holds the characters the page spells its undefined bytes with (C1
    controls; MacRoman's Apple logo), which the second repair reads as those bytes."""
    result = repair_text(read_through(read_through(corpus, page), page))
    assert result.text == corpus
    assert result.rebuilt_bytes == 0 and len(result.damage) == 2




def test_short_text_read_through_latin1_is_read_as_latin1() -> None:
    """Latin-1 and cp1257 explain "å\\x9c¨" alike, and read "¨" as different bytes (在, 圍): the page
    that defines the C1 control the text holds reads it."""
    assert repair_text(read_through("孩子们在学习", "latin-1")).text == "孩子们在学习"

@pytest.mark.parametrize(("inner", "outer"), [("latin-1", "cp1252"), ("cp1252", "cp1251"), ("mac_roman", "cp1252")])
def test_corpus_read_through_two_code_pages_is_exact(corpus: str, inner: str, outer: str) -> None:
    """The first repair keeps the characters the inner page spells its bytes with, not only those
    of the outer page; the summary tells the pages in the order the damage went through them."""
    result = repair_text(read_through(read_through(corpus, inner), outer))
    assert result.text == corpus
    assert f"UTF-8 read as {inner}, then as {outer};" in result.summary()


@pytest.mark.parametrize("page", CODE_PAGES)
@pytest.mark.parametrize(
    "note", ["Excel showed Ã© for é and â€œ for “ in the export.\n", "打开时，“学习”显示成 å­¦ä¹ ，这是典型的乱码。\n"]
)
def test_note_quoting_mojibake_damaged_once_is_repaired_once(note: str, page: str) -> None:
    """Once the damage is repaired, the mojibake the author quoted in prose is no layer to repair:
    the note is mostly clean."""
    assert repair_text(read_through(note, page)).text == note


def test_model_mapped_from_its_cache_repairs_as_the_model_built(tmp_path: Path) -> None:
    """A build maps the model from .cache/vaultsite (words, Chinese pairs) instead of building it:
    both must repair alike, a control character in the text included (the trie cannot look up a
    NUL)."""
    text = damage((FIXTURES / "dev.md").read_text(encoding="utf-8") + "\n\0 駅まで歩いて行きました。\n", "cp1257")
    langmodel.use_cache(tmp_path)
    try:
        default_model.cache_clear()
        built = repair_text(text).text
        assert {path.suffix for path in tmp_path.iterdir()} == {".words", ".pairs", ".chars"}
        default_model.cache_clear()
        mapped = repair_text(text).text
    finally:
        langmodel.use_cache(None)
        default_model.cache_clear()
    assert mapped == built


def test_damage_is_the_process_of_note_000() -> None:
    if not DAMAGED_NOTE.exists():
        pytest.skip("the shared notes are not beside this checkout")
    true = CLEAN_TWIN.read_text(encoding="utf-8").replace("👩🏼🏫", "👩🏼\u200d🏫")
    assert damage(true, "cp1254") == DAMAGED_NOTE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def note_000() -> tuple[str, str]:
    if not DAMAGED_NOTE.exists():
        pytest.skip("the shared notes are not beside this checkout")
    true = CLEAN_TWIN.read_text(encoding="utf-8").replace("👩🏼🏫", "👩🏼\u200d🏫")
    return DAMAGED_NOTE.read_text(encoding="utf-8"), true


def test_note_000_without_context(note_000: tuple[str, str]) -> None:
    damaged, true = note_000
    result = repair_text(damaged)
    assert accuracy(true, result.text) >= 0.9985  # the target is 0.998
    assert result.runs > 100 and result.rebuilt_bytes > 100


def test_note_000_with_its_clean_twin_as_context_is_exact(note_000: tuple[str, str]) -> None:
    damaged, true = note_000
    context = [CLEAN_TWIN.read_text(encoding="utf-8")]
    assert repair_text(damaged, context).text == true


@pytest.mark.parametrize("page", CODE_PAGES)
def test_damaged_copy_of_a_context_note_is_that_note(corpus: str, page: str) -> None:
    """A sync client's damaged copy of a note the vault still holds comes back byte for byte,
    even through the pages that lose the most bytes."""
    other = (FIXTURES / "clean.md").read_text(encoding="utf-8")
    result = repair_text(damage(corpus, page), [other, corpus])
    assert result.text == corpus  # the language model alone gets 98.8 % through cp1253
    assert result.changed and result.runs > 100


@pytest.mark.parametrize("page", ["cp1253", "cp1257"])
def test_strictly_read_copy_of_a_context_note_is_that_note(corpus: str, page: str) -> None:
    """So does a copy read strictly, its lost bytes shown as U+FFFD."""
    result = repair_text(corpus.encode("utf-8").decode(page, errors="replace"), [corpus])
    assert result.text == corpus and result.rebuilt_bytes > 100


@pytest.mark.parametrize("page", ["cp1252", "cp1253"])
def test_copy_that_kept_its_soft_hyphens_is_that_note(corpus: str, page: str) -> None:
    """So does a copy that lost only the bytes its code page leaves undefined, keeping 0xAD as
    the soft hyphen it reads as there (学, 中): the model repaired it, with guesses to check."""
    damaged = corpus.encode("utf-8").decode(page, errors="ignore")
    assert "\u00ad" in damaged
    result = repair_text(damaged, [corpus])
    assert (result.text, result.guesses) == (corpus, ())


def test_edited_damaged_copy_is_repaired_on_its_own() -> None:
    original = "深度学习是机器学习的一个分支。\n神经网络从数据中学习特征。\n"
    edited = damage(original, "cp1254").replace("\n", " ok\n", 1)
    result = repair_text(edited, [original])
    assert result.text == original.replace("\n", " ok\n", 1)



# --- UTF-8 read as GBK ------------------------------------------------------------------------


def read_as_gbk(text: str) -> str:
    """UTF-8 read through Windows' Chinese code page (936, GBK), as a text tool on a Chinese
    Windows reads a note it takes for GBK: each byte GBK pairs with nothing is U+FFFD, and lost."""
    return text.encode("utf-8").decode("gbk", errors="replace")


def test_corpus_read_as_gbk_keeps_its_floor(corpus: str) -> None:
    """A lost byte is common here (GBK pairs no byte with a newline or a space, nor 0x80 or its
    user-defined rows with anything): about one character in fifteen has to be guessed."""
    damaged = read_as_gbk(corpus)
    assert accuracy(corpus, damaged) < 0.5 and damaged.count("\ufffd") > 100  # the damage is real
    result = repair_text(damaged)
    assert accuracy(corpus, result.text) >= 0.985
    assert result.damage == ("gbk",) and "(UTF-8 read as gbk; rebuilt " in result.summary()


def test_corpus_read_as_shift_jis_keeps_its_floor(corpus: str) -> None:
    """UTF-8 read through Windows' Japanese code page (932) as a tool on a Japanese Windows reads
    it ("文字化け" as "譁�蟄怜喧縺�"): the same repair as for GBK, where a byte Shift-JIS reads alone
    (half-width katakana) is no lost byte.  Korean is left out: Shift-JIS pairs its UTF-8 lead bytes
    with nothing, and most of its bytes are lost."""
    text = "\n".join(line for line in corpus.splitlines() if not re.search("[\uac00-\ud7a3]", line)) + "\n"
    damaged = text.encode("utf-8").decode("cp932", errors="replace")
    assert accuracy(text, damaged) < 0.5 and damaged.count("\ufffd") > 100  # the damage is real
    result = repair_text(damaged)
    assert accuracy(text, result.text) >= 0.99
    assert result.damage == ("cp932",) and "(UTF-8 read as cp932; rebuilt " in result.summary()


def test_damaged_gbk_copy_of_a_context_note_is_that_note(corpus: str) -> None:
    other = (FIXTURES / "clean.md").read_text(encoding="utf-8")
    result = repair_text(read_as_gbk(corpus), [other, corpus])
    assert result.text == corpus
    assert result.changed and result.rebuilt_bytes == read_as_gbk(corpus).count("\ufffd")


GBK_NOTE = "你好世界，今天天气很好。我们去公园散步吧！\n深度学习是机器学习的一个分支。\n"


@pytest.mark.parametrize(
    "clean",
    ["## 系统", "- 一些", "[[系统]]", "作者：王小明", "TODO 目前 fix", "---\ntags: [学习, 目前]\naliases: [一些]\n---"],
)
def test_clean_lines_written_into_a_note_read_as_gbk_are_unchanged(clean: str) -> None:
    """Clean Chinese read as GBK spells two-byte UTF-8 sequences all the time ("系统" is "ϵͳ"): a
    line written clean into a damaged note since must not be "repaired" with them."""
    note = read_as_gbk(GBK_NOTE) + clean + "\n"
    assert repair_text(note).text == GBK_NOTE + clean + "\n"


@pytest.mark.parametrize(
    "text",
    ["陽光對於快樂\n", "# 陽光對於快樂\n\n- 一些\n- 系統\n", "| 電氣化電氣化 | 學校 |\n", "濡らし濡らし\n",
     "| 關門頭髮語言 | ok |\n", "| 體育實驗護理 | ok |\n"],
)
def test_clean_chinese_that_spells_a_chain_of_sequences_is_unchanged(text: str) -> None:
    """Now and then clean Chinese read as GBK or Shift-JIS spells four three-byte sequences in a
    row, like the damage does (a short note or a table cell of just those characters); their
    repair is rare characters ("萖哪雌ꌾ" for 關門頭髮語言)."""
    assert repair_text(text) == RepairResult(text)


@pytest.mark.parametrize(
    "true",
    ["# 购物清单\n\n- 苹果\n- 香蕉\n- 牛奶\n- 面包\n", "| 姓名 | 城市 |\n|---|---|\n| 张三 | 北京 |\n| 李四 | 上海 |\n",
     "나는 오늘 학교에 갔다. 친구를 만나서 밥을 먹고 집에 왔다.\n"],
)
def test_note_of_short_runs_read_as_gbk_is_repaired(true: str) -> None:
    assert repair_text(read_as_gbk(true)).text == true


@pytest.mark.parametrize(
    ("damaged", "true"),
    [
        (read_as_gbk(GBK_NOTE * 2)[1:], (GBK_NOTE * 2)[1:]),  # cut in the middle of its first character
        (read_as_gbk(GBK_NOTE)[:5] + "😀" + read_as_gbk(GBK_NOTE)[5:], None),  # an emoji typed in since
        ("\ufffd" + read_as_gbk(GBK_NOTE), "\ufffd" + GBK_NOTE),
    ],
)
def test_bytes_read_as_gbk_that_fit_no_character_leave_the_rest_repaired(damaged: str, true: str | None) -> None:
    """A character whose bytes fit no UTF-8 sequence stands as it is, and so does the one before
    it where that one took its first byte; the rest of the line is repaired."""
    repaired = repair_text(damaged).text
    if true is None:
        assert repaired.endswith(GBK_NOTE[4:]) and "😀" in repaired
    else:
        assert accuracy(true, repaired) > 0.95 and repaired.endswith(GBK_NOTE[-20:])


def test_line_end_of_a_note_read_as_gbk_with_crlf() -> None:
    """"！" or "。" at a line's end loses its last byte to the newline; a line ends with "\\r\\n" too."""
    true = GBK_NOTE.replace("\n", "\r\n")
    assert repair_text(read_as_gbk(true)).text == true


@pytest.mark.parametrize("page", ["cp1250", "cp1257"])
def test_japanese_te_form_before_a_comma_comes_back(page: str) -> None:
    """"て、" loses a byte of each character through these pages and reads as "ユダ" just as well:
    only the two decided together make the word the analyser knows."""
    true = "毎朝七時に起きて、コーヒーを飲みます。\n駅まで歩いて、電車に乗りました。\n手紙を書いて、郵便局に出しました。\n"
    assert repair_text(damage(true, page)).text == true


def test_japanese_particles_read_as_gbk_follow_the_grammar() -> None:
    """GBK loses the last byte of "の" and of "は" alike (it pairs neither with the next lead
    byte): which one a sentence holds is the analyser's call, not which of them the note holds
    intact somewhere else (both are)."""
    true = "# 旅行\n\n大阪の町はにぎやかで、食べ物がおいしいです。たこ焼きは特に有名です。\n帰りの新幹線は混んでいました。\n"
    assert repair_text(read_as_gbk(true)).text == true


def test_byte_lost_before_a_latin_letter_is_one_the_page_cannot_pair_with_it() -> None:
    """Read as Shift-JIS, "（" before "CNN" loses its last byte, which the page pairs with no "C":
    of the full-width forms, that leaves "（" and rules out "，"."""
    true = "卷积神经网络（CNN）和循环神经网络（RNN）是两种模型。\n我们用（Python）实现它们，并比较（LSTM）与（Transformer）。\n"
    damaged = true.encode("utf-8").decode("cp932", errors="replace")
    assert damaged.count("\ufffd") >= 5  # each "（" lost a byte
    assert repair_text(damaged).text == true


@pytest.mark.parametrize("page", ["cp1252", "cp1250"])
def test_a_vaults_unrelated_notes_do_not_lead_a_repair_astray(corpus: str, page: str) -> None:
    """Repaired within this project's vault (its clean notes as context, as the build does), the
    corpus comes back as exactly as alone: a phrase the vault wrote once is barely likelier for it
    (every n-gram of the vault as likely as a common word led runs to the vault's phrases)."""
    vault = [path.read_text(encoding="utf-8") for path in (ROOT / "docs").rglob("*.md")]
    context = Context([note for note in vault if not may_need_repair(note)])
    assert len(context.notes) >= 5
    assert repair_text(damage(corpus, page), context).text == corpus


@pytest.mark.parametrize(
    "true",
    ["见「机器学习」。\n", "见【机器学习】。\n", "「苹果、香蕉、橘子」都是水果。\n", "他买了（苹果、香蕉）回家。\n",
     "【注意、小心】地滑。\n"],
)
@pytest.mark.parametrize("page", ["cp1252", "cp1257"])
def test_a_bracket_left_open_is_closed_where_the_line_reads_best(true: str, page: str) -> None:
    """"」" and "、" each lose their last byte through these pages: which character closes the
    bracket "「" opened is the line's to tell (the one that does, not each that could)."""
    assert repair_text(damage(true, page)).text == true


def test_a_quote_that_runs_on_over_paragraphs_stays_open() -> None:
    """A quote over several paragraphs opens each with "「" and closes only the last: a line's
    closing "。" (its last byte lost to the newline through GBK) stays "。", not "」"."""
    true = ("「我写这本书，是为了记住那些已经消失的村庄。\n\n"
            "「那些村庄里的人，后来都去了城市。\n\n「他们的故事，我只能写在这里。」\n")
    assert repair_text(read_as_gbk(true)).text == true


def test_a_small_vaults_habits_are_little_evidence() -> None:
    """One short clean note that writes "【" twice does not make "【" likelier than "、" between
    the items of a list (both lose their last byte through cp1252)."""
    vault = ["# 公告\n\n【注意】本页已过期。\n【提示】请看新版。\n"]
    true = "# 框架\n\n- PyTorch、NumPy、TensorFlow\n"
    assert repair_text(damage(true, "cp1252"), vault).text == true


def test_a_character_a_clean_note_holds_is_no_less_likely_for_it() -> None:
    """A vault's clean notes make their characters likelier; "。", which the model knows by its
    block alone, was made less likely by a note that writes it, and a line's last "。" (its
    byte lost to the newline) came back as "《"."""
    true = "深度学习需要大量的数据。\n我们先整理数据，再训练模型。\n"
    assert repair_text(read_as_gbk(true), ["你好。\n"]).text == true


def test_context_note_with_a_lone_surrogate_is_no_crash() -> None:
    assert repair_text(read_as_gbk(GBK_NOTE), ["中文\udcff"]).text == GBK_NOTE


@pytest.mark.parametrize("language", ["zh", "ja", "ko"])
def test_common_words_of_cjk_languages_are_unchanged(language: str) -> None:
    """Read as GBK, clean Chinese and Japanese spell a run of UTF-8 sequences now and then (a
    fifth of GBK's lead bytes are UTF-8's): wordfreq's common words, ten to a line, as a note."""
    import wordfreq

    words = [w for w in wordfreq.top_n_list(language, 30000) if not w.isascii()]
    text = "\n".join("".join(words[i : i + 10]) for i in range(0, len(words), 10)) + "\n"
    assert repair_text(text) == RepairResult(text)


# --- East Asian encodings read through a code page -----------------------------------------

LEGACY_NOTES = sorted((FIXTURES / "legacy").glob("*.md"))  # each named for the encoding it is in


def read_through_page(data: bytes, page: str) -> str:
    """Bytes read through a single-byte code page as Windows reads them (an undefined byte kept as
    the C1 control of its number)."""
    return "".join(bytes([byte]).decode(page, errors="ignore") or chr(byte) for byte in data)


@pytest.mark.parametrize("page", ["cp1252", "latin-1", "mac_roman", "cp1251"])
@pytest.mark.parametrize("note", LEGACY_NOTES, ids=lambda path: path.stem)
def test_note_in_an_east_asian_encoding_read_through_a_code_page_is_exact(note: Path, page: str) -> None:
    """A GBK, Big5, Shift-JIS or Korean note that a Western tool read through its code page ("你好"
    in GBK is "ÄãºÃ"): its bytes are all there, and are read back as the encoding they are in,
    headings, list items and code included."""
    true = note.read_text(encoding="utf-8")
    result = repair_text(read_through_page(true.encode(note.stem), page))
    assert result.text == true
    assert f"({note.stem} read as " in result.summary() and result.rebuilt_bytes == 0


@pytest.mark.parametrize("page", ["cp1252", "cp1253", "cp1257"])
@pytest.mark.parametrize("note", LEGACY_NOTES, ids=lambda path: path.stem)
def test_note_in_an_east_asian_encoding_read_strictly_through_a_code_page_is_read_back(note: Path, page: str) -> None:
    """Read by a tool that shows each byte its page leaves undefined as U+FFFD (Shift-JIS leads
    all its punctuation with 0x81, which cp1252 does not define): each is rebuilt as the byte of
    those that reads likeliest, and the note is read back as what it is."""
    true = note.read_text(encoding="utf-8")
    damaged = true.encode(note.stem).decode(page, errors="replace")
    result = repair_text(damaged)
    assert accuracy(true, result.text) >= 0.965
    assert f"({note.stem} read as {page}; rebuilt {damaged.count(chr(0xFFFD))} lost byte" in result.summary()
    assert len(wrong_places(true, result.text) - guessed_places(result)) <= 1


@pytest.mark.parametrize("note", LEGACY_NOTES, ids=lambda path: path.stem)
def test_note_in_an_east_asian_encoding_read_through_cp1252_twice_is_exact(note: Path) -> None:
    """Read through cp1252, saved as UTF-8, and read through cp1252 again: the UTF-8 layer first,
    then the encoding the note is in."""
    true = note.read_text(encoding="utf-8")
    result = repair_text(read_through(read_through_page(true.encode(note.stem), "cp1252"), "cp1252"))
    assert result.text == true
    assert f"({note.stem} read as cp1252, then as cp1252" in result.summary()


@pytest.mark.parametrize("encoding", ["big5", "gbk"])
def test_traditional_heading_of_a_legacy_note_read_through_cp1252_is_read_back(encoding: str) -> None:
    """A heading of Traditional characters only, which a Simplified count finds rare: read back
    like the prose under it, as its note's title."""
    true = "# 會議記錄\n\n謝謝大家參加今天的會議。\n"
    result = repair_text(read_through_page(true.encode(encoding), "cp1252"))
    assert result.text == true and result.lines == (1, 3)


def test_paragraph_pasted_from_a_gbk_text_read_through_cp1252_is_read_as_gbk() -> None:
    """A paragraph copied from an e-mail shown in the wrong encoding into a clean note: only its
    line is read again."""
    pasted = "这段文字是从一封旧邮件里复制过来的，当时邮件客户端把编码弄错了。"
    note = "# 笔记\n\n深度学习是机器学习的一个分支。\n\n{}\n\nThe end.\n"
    result = repair_text(note.format(pasted.encode("gbk").decode("cp1252")))
    assert result.text == note.format(pasted)
    assert result.lines == (5,) and result.to_dict()["written_in"] == "gbk"


@pytest.mark.parametrize(
    "note",
    [
        "Opening a GBK file as Windows-1252 shows:\n\n```\n{}\n```\n",
        "# 乱码\n\n用错编码打开文件，会看到这样的文字：`{}`。\n",
    ],
)
def test_east_asian_mojibake_quoted_in_code_is_unchanged(note: str) -> None:
    quoted = note.format("这段文字是从一封旧邮件里复制过来的。".encode("gbk").decode("cp1252"))
    assert repair_text(quoted) == RepairResult(quoted)


@pytest.mark.parametrize(
    "text",
    [
        "Áætlunarflug\nstaðsett\n",  # "Áæ" spells a UTF-8 sequence in MacRoman: the note is looked at
        "# ÁÆTLUN 2024\n\n| Liður | Kostnaður |\n|---|---|\n| Flug | 1200 |\n",
        "ÁÆTLAÐUR KOSTNAÐUR\nSAMÞYKKT\n",
        "Áætlun\nDÜŞMANI YAPTIĞI İŞ\n",
        "Áætlun\nTôi đã đọc chính sách trên trang web.\n",
    ],
)
def test_clean_text_a_legacy_encoding_reads_as_rare_ideographs_is_unchanged(text: str) -> None:
    """Read through a code page as GBK, Big5 or Shift-JIS, clean Icelandic, Turkish or Vietnamese
    spells rare ideographs inside Latin words ("staðsett" as "sta餾ett"), private-use characters,
    or Latin letters: no reading of East Asian text."""
    assert repair_text(text) == RepairResult(text)


@pytest.mark.parametrize("clean", ["STUÐNING", "BUÝT QUÂN", "bùn và cùi", "Grüße aus Köln"])
def test_clean_line_written_into_a_gbk_note_read_through_cp1252_is_unchanged(clean: str) -> None:
    """The note is damaged as a whole, so its short lines are read with less evidence; not a clean
    line written in since, which reads as rare ideographs ("STU蠳ING")."""
    true = (FIXTURES / "legacy" / "gbk.md").read_text(encoding="utf-8")
    result = repair_text(read_through_page(true.encode("gbk"), "cp1252") + clean + "\n")
    assert result.text == true + clean + "\n"


@pytest.mark.parametrize("word", ["כך", "צריך", "thức", "hợp", "quần"])
@pytest.mark.parametrize("page", ["cp1252", "cp1250", "cp1254", "mac_roman"])
def test_short_utf8_mojibake_is_not_read_as_an_east_asian_encoding(word: str, page: str) -> None:
    """UTF-8 Hebrew or Vietnamese read through a code page ("×›×š" for כך) reads as a pair of rare
    ideographs in GBK ("讻尊"), which a UTF-8 repair explains better."""
    result = repair_text(read_through(word, page))
    assert (result.text, result.written_in) == (word, "UTF-8")


@pytest.mark.parametrize(
    ("true", "encoding"), [("チーズとチョコレートを買いました。", "cp932"), ("我常去了注市場，然後在公園散步。", "big5")]
)
def test_a_backtick_that_east_asian_mojibake_spells_opens_no_code_span(true: str, encoding: str) -> None:
    """The trail byte of "チ" (0x83 0x60), or of Big5's "常" and "注", is a backtick: two on a line
    spell a code span in the mojibake, which holds no quote once the line is read."""
    note = "# 筆記\n\n深度學習是機器學習的一個分支。\n\n{}\n"
    assert repair_text(note.format(read_through_page(true.encode(encoding), "cp1252"))).text == note.format(true)


def test_a_layer_under_utf8_damage_is_not_read_as_an_east_asian_encoding_line_by_line() -> None:
    """UTF-8 damage on one line, GBK read through cp1252 on another: the second layer finds no text
    damaged as a whole, and no line is told as damaged twice."""
    text = damage("深度学习笔记", "cp1252") + "\n\n" + "国民党，国民党".encode("gbk").decode("cp1252") + "\n"
    assert len(repair_text(text).damage) == 1


@pytest.mark.parametrize("page", CODE_PAGES)
def test_lines_damaged_as_utf8_are_not_read_as_an_east_asian_encoding(page: str) -> None:
    """Each line of the corpus damaged alone (short lines of one script are where a reading as
    GBK or Big5 comes nearest to the UTF-8 repair: a lossy "☕" through cp1253 reads as "鈺")."""
    lines = [line for line in (FIXTURES / "corpus.md").read_text(encoding="utf-8").splitlines() if not line.isascii()]
    lines.append("Coffee ☕ and a croissant 🥐 for breakfast.")
    assert not [line for line in lines if repair_text(damage(line, page)).written_in != "UTF-8"]


# --- bytes in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("cp1252", {"cp1252", "windows-1252"}),
        ("gbk", {"gbk", "gb2312", "gb18030"}),
        ("big5", {"big5", "big5hkscs", "cp950"}),
    ],
)
def test_legacy_encodings_are_detected(encoding: str, expected: set[str]) -> None:
    text = {
        "cp1252": "Le café était fermé, alors nous avons marché jusqu'à la gare près de l'hôtel. "
        "Où est la bibliothèque ? Très bien, à bientôt !\n" * 3,
        "gbk": "今天下午我在图书馆看了一本关于城市规划的书，作者认为公共交通比私家车更重要。\n" * 3,
        "big5": "今天下午我在圖書館看了一本關於城市規劃的書，作者認為公共交通比私家車更重要。\n" * 3,
    }[encoding]
    result = repair_bytes(text.encode(encoding))
    assert result.text == text
    assert result.encoding in expected
    assert result.changed and "decoded from" in result.summary()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("# 会議メモ\n\n明日の会議は十時からです。資料を準備してください。\n", "iso2022_jp"),
        ("# 회의\n\n내일 회의는 열 시에 시작합니다.\n", "iso2022_kr"),
        ("# 会議\n\n①から③まで、ＡＢＣの順に。\n", "iso2022_jp_2"),  # "①" in the Korean set
    ],
)
def test_notes_in_a_mail_encoding_are_read_as_written(text: str, encoding: str) -> None:
    """A note saved from an e-mail in its 7-bit encoding, all ASCII bytes and escape sequences
    ("\x1b$B2q5D" for "会議"): read as that encoding, and said so."""
    result = repair_bytes(text.encode(encoding))
    assert result.text == text
    assert result.summary() == f"decoded from {encoding}"


@pytest.mark.parametrize("text", ["ÄãºÃ\x00", "ÄãºÃ ÊÀ½ç\x00"])
def test_a_nul_beside_legacy_mojibake_is_no_lost_byte(text: str) -> None:
    """Only U+FFFD stands for a byte a strict reading lost ("你好" in GBK read through cp1252)."""
    assert repair_text(text).text == text.replace("ÄãºÃ", "你好").replace("ÊÀ½ç", "世界")


def test_half_width_katakana_of_a_mail_encoding_are_read() -> None:
    assert repair_bytes(b"# \x1b$B2q5D\x1b(B\n\n\x1b(I23\x1b(B\n").text == "# 会議\n\nｲｳ\n"


@pytest.mark.parametrize(
    "text",
    [
        "Build output:\n\n\x1b[31mFAILED\x1b[0m test_site.py \x1b$ \n",  # a terminal's colour codes
        "# Vim\n\nRecorded macro: `0i- \x1b$Bj`\n",  # "<Esc>$B", never switched back to ASCII
        "\x1b$)C names a Korean set, and nothing is shifted\n",
    ],
)
def test_escape_bytes_of_other_uses_are_no_mail_encoding(text: str) -> None:
    assert repair_bytes(text.encode()) == RepairResult(text)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("# 舊筆記\n\n這是一篇用大五碼保存的舊筆記，內容是關於線性代數的複習。\n", "big5"),
        ("謝謝。\n", "big5"),  # read as GBK, "谅谅": the model counts Simplified characters
        ("這家店的咖啡很好喝。\n", "big5"),  # read as Shift-JIS, half-width katakana, as long as the bytes
        ("會議記錄\n", "big5"),  # read as Greek (mac_greek)
        ("# 讀書心得\n", "big5"),  # read as UTF-8 but for one byte: "# Ū®Ѥ߱o"
        ("über\n", "cp1252"),  # guessed Big5: "暅er"
        ("Привет\n", "cp1251"),  # guessed Korean
        ("São Paulo\n", "cp1252"),  # guessed GB18030: "S鉶 Paulo"
        ("Þetta er gott.\n", "cp1252"),  # read as Big5, "溳tta": Icelandic's "þ" and "ð" are known
        ("# Ferðaáætlun\n\nVið ætlum að fara til Akureyrar í næstu viku.\n", "cp1252"),  # as cp1254, "Ferğa"
        ("# Python的list和dict\n", "gbk"),  # Chinese beside English: no Western mojibake
        ("用Python写API\n", "gbk"),
        ("Дякую\n", "cp1251"),  # a wrong page's reading falls apart into letters the lists hold
        ("Zażółć gęślą jaźń\n", "cp1250"),
        ("# Отчёт\n\nПроект идёт по плану. Сервер обновлён, база данных перенесена.\n", "cp866"),
        ("今天天气不错。\n", "gbk"),
        ("# 旧编码\n\n内容见 [[A#没有这个]]。\n", "gbk"),
        ("Il pleut, j'ai oublié mon parapluie à côté.\n", "cp1252"),
        ("Don’t forget the meeting.\n", "cp1252"),
        ("He said “yes”, and Tom’s party is on.\n", "cp1252"),
        # Typography only: a wrong page reads each mark as a letter the lists hold alone
        ("Price: 5 € — ok\n", "cp1252"),  # cp1125: "5 А Ч ok"
        ("Don’t panic — “quoted” café\n", "cp1252"),  # mac_iceland: "Donít panic ó ìquotedî cafÈ"
        ("It’s fine.\nAnother line here — with a dash.\n", "cp1252"),  # cp852: "Itĺs", "Ś"
        ("50 ° C — 2 × 3\n", "cp1252"),  # cp775: "50 ░ C Ś 2 ū 3"
        ("“Hello”\n", "cp1252"),  # EBCDIC (cp1026), which reads no ASCII as ASCII: "l{Á%%?m"
        ("Git和GitHub\n", "gbk"),  # EBCDIC (cp875), and once that was out, cp1255: "Git÷ֽGitHub"
        ("Git和GitHub\n", "cp932"),  # cp1252: "Git˜aGitHub"
    ],
)
def test_short_notes_in_a_legacy_encoding_are_read_as_written(text: str, encoding: str) -> None:
    """The detector's guesses for a short note are often wrong (GBK as Korean, Big5 as Shift-JIS or
    Greek, German as Big5), or miss the right one: of the common encodings and its guesses, the
    reading the language model finds likeliest. Not UTF-16 nor a double-byte page for a Western
    one, though they read its bytes as fewer characters ("Don’t" as "潄鉮⁴..." or "Don稚")."""
    assert repair_bytes(text.encode(encoding)).text == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-marked", "utf-32", "utf-16-le"])
def test_utf16_and_utf32_notes_are_read_as_written(encoding: str) -> None:
    """Notepad's "Unicode" (UTF-16 with a byte-order mark); UTF-16 without one where most of its
    characters are ASCII (a NUL in every other byte); nothing binary in them."""
    text = "# Notes 笔记\n\nMostly English text, as a log or a list of links is, with one word 中文.\n"
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be") if encoding == "utf-16-be-marked" else text.encode(encoding)
    kept, line = without_nul_bytes(data)
    assert kept == data and line == 0
    assert repair_bytes(kept).text == text


def test_binary_data_is_still_binary() -> None:
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(64)
    assert without_nul_bytes(png) == (None, 3)  # its first NUL on its third "line"


@pytest.mark.parametrize("text", ["È vero. Perché no?\n", "Ciao! È già tardi.\n", "Città: È così.\n"])
def test_a_lost_byte_of_a_common_language_is_not_read_as_a_rare_one(text: str) -> None:
    """The lists know Icelandic by the letters only it writes ("þ", "ð"): its common "í" does not
    take the place of Italian's "È" (C3 88, whose 88 cp1253 loses, as it loses "Í"'s 8D)."""
    assert repair_text(damage(text, "cp1253")).text == text


@pytest.mark.parametrize("page", ["cp1252", "cp1250", "cp1251", "cp1254", "latin-1"])
def test_traditional_chinese_comes_back_in_traditional_and_simplified_in_simplified(corpus: str, page: str) -> None:
    """The word lists count Chinese in Simplified characters: Traditional text is read with its
    words in their Simplified spelling, where its own characters say it is Traditional; beside
    it, a Simplified line keeps its characters ("橘子", whose "橘" shares its bytes but one with
    "機", Traditional for the common "机")."""
    traditional = corpus[corpus.index("## 繁體中文") : corpus.index("## 日本語")]
    simplified = "「苹果、香蕉、橘子」都是水果，机器学习很有趣。\n"
    text = traditional + "\n" + simplified
    assert repair_text(damage(text, page)).text == text


@pytest.mark.parametrize("page", ["cp1253", "cp1257"])
@pytest.mark.parametrize(
    "line",
    [
        "他說的話都是真的，請相信他。",  # "真" is Traditional too, and its variant "眞" no likelier
        "這家公司的系統設計得非常好，同事們都很滿意。",  # "同" is Traditional too: no "做事"
        "他們一家人每年都會回老家過年。",
        "東京駅前の真新しい書店に行きました。",  # Japanese writes "東" and "書" as Traditional does
    ],
)
def test_characters_both_scripts_write_are_no_less_likely_in_traditional_text(line: str, page: str) -> None:
    assert repair_text(damage(line + "\n", page)).text == line + "\n"


@pytest.mark.parametrize("page", ["cp1253", "cp1257"])
def test_a_line_that_does_not_say_its_script_is_in_the_notes(page: str) -> None:
    """A heading of a Traditional note may hold no character only one script writes: it is
    repaired in the note's script ("隊", not its Simplified twin "队", which shares all but two
    lost bytes with it)."""
    note = "# 隊伍\n\n這是我們學校的籃球隊，隊員們每天練習。\n"
    assert repair_text(damage(note, page)).text == note


def test_a_gb18030_byte_order_mark_is_no_text() -> None:
    data = codecs.encode("\ufeff# 中文标题\n\n正文在这里，内容不多。\n", "gb18030")
    assert data.startswith(b"\x84\x31\x95\x33")
    assert repair_bytes(data).text == "# 中文标题\n\n正文在这里，内容不多。\n"


@pytest.mark.parametrize("mark", [b"", codecs.BOM_UTF8])
def test_utf8_with_a_few_bytes_of_a_windows_code_page_loses_none(mark: bytes) -> None:
    """A line typed in a Windows tool into a UTF-8 note ("caf\\xe9") is read through cp1252, not
    shown as U+FFFD, byte-order mark or not; the note says where."""
    data = mark + "# 中文笔记\n\n深度学习与神经网络。\n".encode() + "café naïve\n".encode("cp1252")
    result = repair_bytes(data)
    assert result.text == "# 中文笔记\n\n深度学习与神经网络。\ncafé naïve\n"
    assert result.changed and "cp1252 on line 4" in result.summary()


@pytest.mark.parametrize(("note", "line", "encoding"), [
    ("# 笔记\n\n这是一篇UTF-8笔记。\n", "附加一行GBK文字。\n", "gbk"),
    ("# 日記\n\n今日は晴れでした。\n", "追記：明日は雨です。\n", "cp932"),
    ("# 學習筆記\n\n這是UTF-8。\n", "這行是大五碼。\n", "big5"),
])
def test_a_line_in_a_legacy_encoding_in_a_utf8_note_is_read_in_it(note: str, line: str, encoding: str) -> None:
    """A line appended by a tool on a Chinese or Japanese Windows, in its encoding: read in it, not
    the whole note through one encoding (it came back "¸½¼ÓһÐÐGBK…" and the UTF-8 "repaired")."""
    result = repair_bytes(note.encode() + line.encode(encoding))
    assert result.text == note + line and "on line 4" in result.summary()


@pytest.mark.parametrize("line", ["Rendez-vous à la gare", "Æsop’s fables", "½ price", "¡Hola!"])
def test_a_short_windows_line_in_a_utf8_note_is_read_through_cp1252(line: str) -> None:
    """A few bytes of a Windows page among UTF-8 are cp1252 (a short line alone reads as anything:
    cp1125's "Rendez-vous р la gare", johab's "쿕op뇹 fables")."""
    note = "# 会议记录\n\n今天学习了神经网络的基础知识。\n"
    assert repair_bytes(note.encode() + line.encode("cp1252") + b"\n").text == f"{note}{line}\n"


@pytest.mark.parametrize("text", ["# 学习\n\n这是一篇GBK笔记。\n", "学习\n资料\n"])
def test_a_legacy_note_whose_lines_spell_utf8_is_read_in_its_encoding(text: str) -> None:
    """GBK's "学习" is valid UTF-8 ("ѧϰ"): such lines do not make a GBK note UTF-8."""
    assert repair_bytes(text.encode("gbk")).text == text


def test_utf8_with_bom_and_crlf() -> None:
    text = "# 标题\r\n学习，“引号”\r\n"
    result = repair_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert (result.text, result.encoding, result.changed) == (text, "utf-8-sig", False)


def test_damaged_bytes_are_repaired() -> None:
    true = "深度学习\r\n"
    result = repair_bytes(damage(true, "cp1254").encode("utf-8"))
    assert (result.text, result.encoding) == (true, "utf-8")


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02\xff" * 100, bytes(range(256)) * 20, b"\xc3" * 1000])
def test_should_not_throw(data: bytes) -> None:
    assert isinstance(repair_bytes(data).text, str)


# --- the result -------------------------------------------------------------------------------


def test_result_reports_what_changed() -> None:
    damaged = "ok\n" + damage("学习中文\n", "cp1254") + "ok\n" + damage("深度学习", "cp1254")
    result = repair_text(damaged)
    assert result.text == "ok\n学习中文\nok\n深度学习"
    assert result.lines == (2, 4)
    assert result.runs == 2
    assert result.rebuilt_bytes == 3  # 学 (twice) and 中 each lost their byte 0xAD
    assert result.summary().startswith("repaired 2 mojibake runs on lines 2, 4 (UTF-8 read as cp1252 or cp1254; rebuilt ")
    assert json.loads(json.dumps(result.to_dict()))["lines"] == [2, 4]


@pytest.mark.parametrize("block", ['!!! note "注意"\n\n    {}\n', "[^1]: 注释\n\n    {}\n", "- 列表\n\n      {}\n"])
def test_damage_indented_as_prose_is_repaired(block: str) -> None:
    """The site's Markdown indents prose too (admonitions, footnotes, lists): no code block."""
    line = "这是一个很重要的会议记录，请大家注意。"
    note = "# 会议\n\n今天的会议很顺利。\n\n" + block.format(damage(line, "cp1252"))
    assert repair_text(note).text == "# 会议\n\n今天的会议很顺利。\n\n" + block.format(line)


def test_the_summary_names_the_lines_to_check() -> None:
    """A repair that rebuilt lost bytes may have chosen a wrong word: the author checks its lines."""
    damaged = "\n".join(damage("深度学习", "cp1254") if n in (1, 3, 4, 5, *range(7, 30, 2)) else "ok" for n in range(1, 40))
    result = repair_text(damaged)
    assert result.lines == (1, 3, 4, 5, *range(7, 30, 2))
    assert result.summary().startswith("repaired 16 mojibake runs on 16 lines: 1, 3–5, 7, 9, 11, 13, 15, 17, … (")
    assert repair_text(damage("深度学习", "cp1254")).summary().startswith("repaired 1 mojibake run on line 1 (")
    decoded = repair_bytes("今天天气不错，我们去公园散步吧。\n".encode("gbk")).to_dict()
    assert (decoded["encoding"], decoded["damage"], decoded["written_in"]) == ("gb18030", [], None)
