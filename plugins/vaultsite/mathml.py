"""Typeset math at build time: TeX found by pymdownx.arithmatex (generic mode) becomes MathML.

Browsers render MathML natively, so formulas need no script, no font download and no network when
the site is read (CI and offline readers included). A formula latex2mathml cannot convert stays
visible as its TeX source and is reported. Where browsers draw latex2mathml's MathML otherwise
than TeX sets the formula, the MathML is corrected (`_amend`).
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from itertools import takewhile

from latex2mathml.converter import convert
from latex2mathml.commands import MATRICES
from latex2mathml.symbols_parser import SYMBOLS_FILE, convert_symbol

_ARITHMATEX = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>'
    r'|<div class="arithmatex">\\\[(?P<block>.*?)\\\]</div>',
    re.DOTALL,
)


_TOC_INLINE = re.compile(r"\\\((.+?)\\\)")


def typeset_toc(items) -> None:
    """Headings' math in the table of contents (items with `.title` and `.children`), where the
    toc extension kept only the TeX text of `\\(...\\)`."""
    for item in items:
        item.title = _TOC_INLINE.sub(lambda m: _convert(html.unescape(m.group(1)), False) or m.group(0), item.title)
        typeset_toc(item.children)


# Each formula's MathML (None: latex2mathml cannot convert it), kept while the plugin lives: the
# notes repeat formulas, and under `mkdocs serve` a rebuild converts only new ones.
_converted: dict[tuple[str, bool], str | None] = {}


def _convert(tex: str, block: bool) -> str | None:
    key = (tex, block)
    if key not in _converted:
        try:
            mathml = convert(_known_environments(tex), display="block" if block else "inline")
        except Exception:  # latex2mathml raises many types for TeX it does not know
            _converted[key] = None
        else:
            _converted[key] = _amend(mathml, tex, block)
    return _converted[key]


# Environments latex2mathml does not know, as ones it does that MathJax (Obsidian's and Typora's
# renderer) draws alike: `aligned` is the usual way to align equations inside `$$`; `align` and
# `alignat` are unnumbered there too (MathJax numbers no equation by default, latex2mathml does).
_ENVIRONMENTS = re.compile(r"\\(begin|end)\{(aligned|alignedat|alignat\*?|align)\}(?:\{\d+\})?")


# Equations one under another, each centred (`gather`, `gathered`; `multline`, whose first and last
# MathJax sets left and right, so too): latex2mathml writes their rows as one line, with line breaks
# no browser draws. As a one-column matrix of display-style rows.
_GATHER = re.compile(r"\\begin\{(gather\*?|gathered|multline\*?)\}")


def _gathered(tex: str) -> str:
    out, at = [], 0
    for begin in _GATHER.finditer(tex):
        if begin.start() < at:
            continue  # (inside one written already, with it)
        body_end, at_end = _environment(tex, begin)
        rows = [_gathered(row).strip() for row in _rows(tex[begin.end():body_end])[0] if row.strip()]
        out += [tex[at:begin.start()], "\\begin{matrix}", " \\\\ ".join(f"{{\\displaystyle {row}}}" for row in rows),
                "\\end{matrix}"]
        at = at_end
    return "".join(out) + tex[at:]


_EDGE = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")


def _environment(tex: str, begin: re.Match) -> tuple[int, int]:
    """Where the body of the environment that `begin` opens ends, and where its `\\end` does
    (environments inside it, of any name, counted)."""
    depth = 1
    for edge in _EDGE.finditer(tex, begin.end()):
        depth += 1 if edge.group(1) == "begin" else -1
        if not depth:
            return edge.start(), edge.end()
    return len(tex), len(tex)


_ROW_TOKEN = re.compile(
    r"\\(begin|end)\s*\{[^{}]*\}"
    r"|\\\\(?:\s*\[\s*-?(?:\d+\.?\d*|\.\d+)\s*(?:pt|em|ex|mm|cm|in|mu|px|bp|pc|dd|sp)\s*\])?"  # (its extra space)
    r"|\\hline|\\.|[{}]"
)


def _rows(body: str) -> tuple[list[str], list[int]]:
    """The rows of an environment's body, split where `\\\\` ends one at the body's own level (not
    in a group or an environment inside it), and how many `\\hline` stand at each edge of them,
    above the first row first. A `\\\\` ending the body opens no row."""
    rows, edges, depth, start = [], [0], 0, 0  # (edges[k]: the lines above row k)
    for token in _ROW_TOKEN.finditer(body):
        text = token.group()
        if token.group(1) == "begin" or text == "{":
            depth += 1
        elif token.group(1) == "end" or text == "}":
            depth -= 1
        elif not depth and text == "\\hline":
            edges[-1] += 1
        elif not depth and text.startswith("\\\\"):
            rows.append(body[start:token.start()])
            edges.append(0)
            start = token.end()
    rows.append(body[start:])
    if len(rows) > 1 and not rows[-1].replace("\\hline", "").strip():
        rows.pop()  # (its lines are the last row's below it)
    else:
        edges.append(0)
    return rows, edges


# The environments latex2mathml draws (less those above, written as ones it does): another's
# content is drawn as if no environment held it (`CD`'s arrows as @>>), which is warned of.
_KNOWN_ENVIRONMENTS = {name.lstrip("\\") for name in MATRICES} | {
    "aligned", "alignedat", "alignat", "alignat*", "gather", "gather*", "gathered", "multline", "multline*",
    "equation", "equation*", "subarray"}

_TEXT_NAMES = ("text", "textrm", "textit", "textbf", "textsf", "texttt", "textnormal", "mbox")
_TEXT = re.compile(rf"\\({'|'.join(_TEXT_NAMES)})\s*\{{")
_COMMAND_NAME = re.compile(r"\\([a-zA-Z]+)\s*")
_TEXT_MATH_END = re.compile(r"(?<!\\)\$")
_ESCAPED = "_%&$#{}"
# Each escaped character of a text, while latex2mathml converts it, as a private-use character:
# it keeps \_ or \% with its backslash, ends the text at \} and writes \& as a bare &, not XML.
_STAND_INS = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPED)}
_ESCAPES = str.maketrans({stand_in: char for char, stand_in in _STAND_INS.items()})


def in_line(tex: str) -> str:
    """A display formula's TeX as a formula in a line (`$…$`, which holds no `$`: in a table's
    cell): in display style, a formula in a text (`\\text{若 $x>0$}`) out of it, between two
    texts, and its `\\tag` a text after it."""
    tex = _TAG.sub(lambda tag: f"\\qquad \\text{{{_tag_text(tag)}}}", tex)
    return f"\\displaystyle {_texts_escaped(tex, escapes=False)}"


def _texts_flat(tex: str) -> str:
    """Texts holding groups or commands (`\\text{the set {1,2}}`, `\\texttt{\\color{red}{s}}`,
    `\\text{\\textbf{union} of}`) as plain texts side by side: latex2mathml ends a text at its
    first `}`, and showed the rest as TeX. A group in a text is text of it, a text command its own
    text, and `\\color` colours the rest of its group, as MathJax reads them."""
    out, at = [], 0
    for match in _TEXT.finditer(tex):
        if match.start() < at:  # (a text inside a text, flattened with it)
            continue
        close = _group_end(tex, match.end() - 1)
        if close is None:
            break
        body = tex[match.end() : close]
        flat = _flat_text(match.group(1), body) if "{" in body.replace("\\{", "") else tex[match.start() : close + 1]
        out += [tex[at : match.start()], flat]
        at = close + 1
    return "".join([*out, tex[at:]])


def _flat_text(name: str, body: str) -> str:
    """The text command `name`'s `body` as plain texts side by side (see _texts_flat)."""
    pieces, run, i = [], [], 0

    def text() -> None:
        if run:
            pieces.append(f"\\{name}{{{''.join(run)}}}")
            run.clear()
    while i < len(body):
        command = _COMMAND_NAME.match(body, i) if body[i] == "\\" else None
        group = command.end() if command else i  # (where its group, if it has one, opens)
        end = _group_end(body, group) if body[group : group + 1] == "{" else None
        if end is not None and (not command or command.group(1) in _TEXT_NAMES):
            text()
            pieces.append(_flat_text(command.group(1) if command else name, body[group + 1 : end]))
            i = end + 1
        elif end is not None and command.group(1) == "color":
            text()
            pieces.append(f"{{{body[i : end + 1]}{_flat_text(name, body[end + 1 :])}}}")
            break
        elif body[i] == "$" and (close := _TEXT_MATH_END.search(body, i + 1)):  # (see _texts_escaped)
            run.append(body[i : close.end()])
            i = close.end()
        else:
            run.append(body[i : i + 2] if body[i] == "\\" else body[i])
            i += 2 if body[i] == "\\" else 1
    text()
    return "".join(pieces) or f"\\{name}{{}}"


def _group_end(tex: str, opening: int) -> int | None:
    """Where the group that opens at `opening` (a `{`) closes, if it does."""
    depth, i = 0, opening
    while i < len(tex):
        if tex[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth == 0:
            return i
        i += 1
    return None


def _texts_escaped(tex: str, escapes: bool = True) -> str:
    """`tex` with the escaped characters of its texts (\\text{R\\&D}, \\text{50\\% off}) as stand-ins,
    which `_amend` makes the characters; and a formula in a text (`\\text{若 $x>0$}`, as MathJax
    reads one) out of it, between two texts."""
    pieces, end, scanned = [], 0, 0
    for match in _TEXT.finditer(tex):
        if match.start() < scanned:  # a text inside a text, scanned with it
            continue
        i, depth = match.end(), 1
        while i < len(tex) and depth:
            if escapes and tex[i] == "\\" and tex[i + 1 : i + 2] in _STAND_INS:
                pieces += [tex[end:i], _STAND_INS[tex[i + 1]]]
                end = i + 2
            elif tex[i] == "$" and (close := _TEXT_MATH_END.search(tex, i + 1)) and depth == 1:
                pieces += [tex[end:i], "}", tex[i + 1 : close.start()], match.group(0)]
                i = end = close.end()
                continue
            depth += {"{": 1, "}": -1}.get(tex[i], 0) if tex[i] != "\\" else 0
            i += 2 if tex[i] == "\\" else 1  # \\ (a new line) too: the } after it closes
        scanned = i
    return "".join([*pieces, tex[end:]])


def _known_environments(tex: str) -> str:
    """`tex` in what latex2mathml knows: the environments above; `\\arg`, the one operator name
    it lacks (it wrote "\\arg" as a variable, backslash and all); the symbols it maps to another
    character than TeX's (`_SYMBOLS`); the commands MathJax and KaTeX know by other names
    (`_ALIASES`); a formula's one `\\tag`, which `typeset` sets at the margin, and its `\\label`,
    which MathJax draws nothing of; an upright letter (`\\mathrm{d}`), as a stand-in `_amend` sets so;
    gathered equations, operator names spaced inside or made with `\\mathop`, a new line's extra
    space (`\\\\[4pt]`): see their patterns."""
    tex = _texts_escaped(_texts_flat(_ENVIRONMENTS.sub(lambda m: f"\\{m.group(1)}{{align*}}", _gathered(tex))))
    tex = _ARRAY_BEGIN.sub(lambda m: m.group(0).replace(m.group(1), _REPEATED.sub(
        lambda r: r.group(2) * int(r.group(1)), m.group(1))), tex)  # `*{20}{c}` (it showed "*20c")
    tex = _DOTS_BETWEEN.sub(r"\\cdots", _NOT.sub(lambda m: _NOT_RELATIONS[m.group(1)], tex))
    tex = _MATHOP.sub(_mathop, tex)
    tex = _ROW_SPACE.sub(r"\\\\", _OPERATOR_NAME.sub(lambda m: _NAME_SPACE.sub("\u2009", m.group(0)), tex))
    tex = _ANGLE.sub(lambda m: f"\\{m.group(1)}\\{'langle' if m.group(2) == '<' else 'rangle'} ", tex)
    tags = len(_TAG.findall(tex))
    tex = _LABEL.sub("", _TAG.sub("" if tags == 1 else _row_tag, tex) if tags else tex)
    tex = _COMMAND.sub(lambda m: _ALIASES.get(m.group(1), m.group(0)) if m.group(1) else m.group(0), tex)
    tex = _UPRIGHT.sub(lambda m: m.group(0) if _in_font(tex, m.start()) else _UPRIGHT_STAND_IN[m.group(1) or m.group(2)],
                       tex)
    return _SYMBOL.sub(lambda m: _SYMBOLS[m.group(1)], _ARG.sub(r"\\operatorname{arg}", tex))


def _in_font(tex: str, at: int) -> bool:
    """Whether `at` is inside the braces of a font or text command (`\\mathbf{…}`), whose table
    latex2mathml maps each letter through: a stand-in it does not know there, it drops."""
    groups: list[bool] = []
    for match in _GROUPS.finditer(tex, 0, at):
        if match.group() == "}":
            if groups:
                groups.pop()
        else:
            groups.append(bool(match.group(1)))
    return any(groups)


# A group's braces, the opening one after a font or text command (`\\mathbf{`) told apart.
_GROUPS = re.compile(r"\\[{}]|(\\(?:math[a-z]*|text[a-z]*|boldsymbol|bm|mbox|operatorname\*?)\s*)?\{|\}")


# Commands of MathJax's and KaTeX's (texvc's) that latex2mathml does not know, which it wrote as a
# variable, backslash and all (`\\infin`, `\\R`): as those it knows.
_ALIASES = {
    "infin": r"\infty", "empty": r"\emptyset", "R": r"\mathbb{R}", "N": r"\mathbb{N}", "Z": r"\mathbb{Z}",
    "Complex": r"\mathbb{C}", "cnums": r"\mathbb{C}", "Reals": r"\mathbb{R}", "reals": r"\mathbb{R}",
    "natnums": r"\mathbb{N}", "dag": r"\dagger", "ddag": r"\ddagger", "Dagger": r"\ddagger", "hdots": r"\ldots",
    "sdot": r"\cdot", "isin": r"\in", "exist": r"\exists", "plusmn": r"\pm", "sub": r"\subset",
    "sube": r"\subseteq", "supe": r"\supseteq", "alef": r"\aleph", "alefsym": r"\aleph", "bull": r"\bullet",
    "clubs": r"\clubsuit", "spades": r"\spadesuit", "hearts": r"\heartsuit", "diamonds": r"\diamondsuit",
    "real": r"\Re", "image": r"\Im", "weierp": r"\wp", "thetasym": r"\vartheta", "sect": r"\S",
    "lang": r"\langle", "rang": r"\rangle", "larr": r"\leftarrow", "rarr": r"\rightarrow",
    "harr": r"\leftrightarrow", "lrarr": r"\leftrightarrow", "uarr": r"\uparrow", "darr": r"\downarrow",
    "lArr": r"\Leftarrow", "Larr": r"\Leftarrow", "rArr": r"\Rightarrow", "Rarr": r"\Rightarrow",
    "hArr": r"\Leftrightarrow", "Harr": r"\Leftrightarrow", "lrArr": r"\Leftrightarrow",
    "Lrarr": r"\Leftrightarrow", "uArr": r"\Uparrow", "Uarr": r"\Uparrow", "dArr": r"\Downarrow",
    "Darr": r"\Downarrow", "vcentcolon": ":", "notag": "", "nonumber": "", "newline": r"\\",
    # Greek capitals written as Latin ones, upright as TeX sets them
    **{name: rf"\mathrm{{{latin}}}" for name, latin in zip(
        "Alpha Beta Epsilon Zeta Eta Iota Kappa Mu Nu Omicron Rho Tau Chi".split(), "ABEZHIKMNOPTX")},
}
# `\\not=` and its kin, as the symbols (latex2mathml drew a slash no text font has over "=").
_NOT = re.compile(r"\\not\s*([=<>])")
_NOT_RELATIONS = {"=": r"\neq ", "<": r"\nless ", ">": r"\ngtr "}
# `\\dots` before an operator or a relation is centred, as TeX sets it (`a_1 + \\dots + a_n`).
_DOTS_BETWEEN = re.compile(r"\\dots(?![a-zA-Z])(?=\s*(?:[-+=<>]|\\(?:cdot|times|pm|mp|le|leq|ge|geq|ne|neq|lt|gt"
                           r"|to|equiv|approx|sim|cup|cap|in|subset|subseteq)(?![a-zA-Z])))")
# A command, or `\\\\` (a new line, before a letter: `\\\\R` is no `\\R`).
_COMMAND = re.compile(r"\\\\|\\([a-zA-Z]+)")
_TAG = re.compile(r"\\tag(\*?)\s*\{([^{}]*)\}")
# Each `\\tag` of a formula that has several (one per row of `align`): a text that `_row_numbers`
# finds, its label after this mark.
_ROW_TAG = "\ue300"


def _row_tag(tag: re.Match) -> str:
    return f"\\text{{{_ROW_TAG}{_tag_text(tag)}}}"


def _tag_text(tag: re.Match) -> str:
    """A `\\tag{2-1}`'s number as shown: in brackets, `(2-1)`, but for `\\tag*`'s."""
    starred, label = tag.group(1), tag.group(2).strip()
    return label if starred else f"({label})"
_LABEL = re.compile(r"\\label\s*\{[^{}]*\}")
_UPRIGHT = re.compile(r"\\mathrm\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))")
_UPRIGHT_STAND_IN = {chr(c): chr(0xE100 + c) for c in range(ord("A"), ord("z") + 1)}
_UPRIGHT_LETTERS = {stand_in: letter for letter, stand_in in _UPRIGHT_STAND_IN.items()}


_ARG = re.compile(r"\\arg(?![a-zA-Z])")
# An operator made of names (`\\mathop{\\arg\\max}`), which latex2mathml nests in an operator, its
# names written as variables: one name, its limits under it, as `\\operatorname*` makes one.
_MATHOP = re.compile(r"\\mathop\s*\{((?:\s*\\?[a-zA-Z]+)+)\s*\}")
_MATHOP_NAME = re.compile(r"\\?[a-zA-Z]+")
_NAMED_OPERATORS = set("arg max min sup inf lim limsup liminf det gcd Pr exp log ln dim ker deg hom".split())


def _mathop(match: re.Match) -> str:
    names = _MATHOP_NAME.findall(match.group(1))
    if any(name.startswith("\\") and name[1:] not in _NAMED_OPERATORS for name in names):
        return match.group(0)  # (a symbol made an operator, `\\mathop{\\sum}`: as latex2mathml draws it)
    return "\\operatorname*{" + "\\,".join(name.lstrip("\\") for name in names) + "}"
# A new line's extra space (`\\\\[4pt]`), which latex2mathml writes as text: the new line alone.
_ROW_SPACE = re.compile(r"\\\\\s*\[\s*-?(?:\d+\.?\d*|\.\d+)\s*(?:pt|em|ex|mm|cm|in|mu|px|bp|pc|dd|sp)\s*\]")
# An operator name spaced inside (`\\operatorname*{arg\\,max}`), which latex2mathml cannot read: a
# thin space there, the name one operator, its limits under it.
_OPERATOR_NAME = re.compile(r"\\operatorname\*?\s*\{[^{}]*\}")
_NAME_SPACE = re.compile(r"\\[,:; ]|~")
# `\left<` is an angle bracket in TeX (⟨x⟩); latex2mathml draws a less-than sign.
_ANGLE = re.compile(r"\\(left|right)\s*([<>])")
# latex2mathml's table takes \sim for the ASCII tilde (x~N) and \setminus for U+29F5, a glyph
# most fonts lack (a box); TeX and MathJax draw ∼ (U+223C) and ∖ (U+2216), written so.
_SYMBOLS = {"sim": r"\thicksim", "setminus": r"\smallsetminus"}
_SYMBOL = re.compile(r"\\(sim|setminus)(?![a-zA-Z])")


_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
_GREEK_CAPITAL = re.compile("[\u0391-\u03a9]")


def _amend(mathml: str, tex: str, block: bool = False) -> str:
    """latex2mathml's MathML, corrected where browsers would draw it otherwise than TeX sets it,
    with its TeX source as an annotation, which browsers do not draw and search shows (search.py)."""
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:  # a stray & or a control character, left as written: HTML reads it so
        return mathml.translate(_ESCAPES)
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{_NAMESPACE}}}")
        if element.text:
            element.text = element.text.translate(_ESCAPES)
        upright = element.text in _UPRIGHT_LETTERS or _GREEK_CAPITAL.fullmatch(element.text or "")
        if element.tag == "mo" and "minsize" in element.attrib and (element.text or "").startswith("\\"):
            # A bracket \\big and its kin size (`\\big\\|`, `\\Bigl\\langle`): latex2mathml kept its name.
            code = convert_symbol(element.text)
            element.text = chr(int(code, 16)) if code else element.text
        if element.tag == "mo" and "minsize" in element.attrib and element.text == ".":
            element.text = ""  # `\Big.`: TeX's null delimiter, sized and not drawn
        if element.tag == "mo" and "minsize" in element.attrib:
            # Of its size whatever its place: a bar between two terms (`\bigg|\frac{a}{b}\bigg|`)
            # is no stretchy operator to the browser, and stayed a letter's height.
            element.set("stretchy", "true")
        if element.tag == "mi" and not element.attrib and upright:
            # A letter of `\mathrm`, and a Greek capital, are upright in TeX; a lone letter is italic in MathML.
            element.text = _UPRIGHT_LETTERS.get(element.text, element.text)
            element.set("mathvariant", "normal")
    _symbol_classes(root)
    _ordinary_groups(root)
    _signs(root)
    _hats(root)
    _sized_bases(root)
    _rules_over(root)
    _spaces(root)
    _styled_characters(root)
    if block and "\\nolimits" not in tex:
        _limits(root)
    elif not block:
        for style in root.iter("mstyle"):  # `$\displaystyle\lim_{x\to0}$`
            if style.get("displaystyle") == "true" and "\\nolimits" not in tex:
                _limits(style)
        if "\\limits" in tex:
            _limits_as_written(root)
    _operator_names(root)
    _primes(root)  # after the names, which it may move into an mrow with their prime (tanh′)
    _matrix_fences(root)
    _brackets(root)  # after the matrices': theirs stretch
    _right_cells(root)
    _array_rules(root, tex)
    _row_numbers(root)
    _unspaced(root)  # after the matrices' fences: a determinant's bars are fences
    _lone_operator(root, tex)
    _tight_scripts(root)  # last of the spacing: what the passes before set stays
    _extensible_arrows(root)
    _vectors(root)
    if not block:
        _inline_binomials(root)
    semantics = ET.Element("semantics")
    semantics.append(root[0] if len(root) == 1 else _row(*root))  # what is drawn: one element
    ET.SubElement(semantics, "annotation", encoding="application/x-tex").text = tex
    root[:] = [semantics]
    root.attrib = {"xmlns": _NAMESPACE, **root.attrib}
    return ET.tostring(root, encoding="unicode")


def _tex_classes() -> dict[str, str]:
    """{character: its TeX class} ("mathrel", "mathord", ...), from the table latex2mathml maps
    commands to characters by; ordinary only for characters Unicode calls normal, unary or binary
    (∞, ∂, ∀; "/" and "★", which TeX sets with no space, as browsers set no binary operator): the
    ones whose class the table gives right, where arrows and dots are not."""
    classes: dict[str, str] = {}
    with open(SYMBOLS_FILE, encoding="utf-8") as table:
        for line in table:
            columns = line.split("^")
            if not line.startswith("#") and len(columns) > 5 and len(columns[1]) == 1:
                classes.setdefault(columns[1], columns[5] if columns[5] != "mathord" or columns[4] in "NUB" else "")
    return classes


_THEREFORE = {"∴", "∵"}  # relations in amssymb, spaced as one, though the table has them ordinary
_TEX_CLASSES = {**_tex_classes(), **dict.fromkeys(_THEREFORE, "mathrel")}
_OPERATOR_CLASSES = {"mathrel", "mathbin", "mathopen", "mathclose", "mathpunct"}


def _symbol_classes(root: ET.Element) -> None:
    """latex2mathml writes a symbol as an operator (mo) by its Unicode block, U+2190 to U+22FF,
    and any other as an identifier (mi), which browsers space as a letter: A⟹B, f:X, ⟨x, y⟩ with
    no space, x → ∞ with an operator's space before ∞. Each is what TeX's class for it says:
    relations, binary operators, brackets and punctuation are operators; ordinary symbols (∞, ∅,
    ∂, ∇, ∀) identifiers, large operators (⨁) large ones. A bracket so made keeps its size, as
    latex2mathml writes ( and [."""
    for token in root.iter():
        tex_class = _TEX_CLASSES.get(token.text or "") if not token.attrib else None
        if token.tag == "mi" and tex_class in _OPERATOR_CLASSES:
            token.tag = "mo"
            if tex_class in ("mathopen", "mathclose"):
                token.set("stretchy", "false")
        elif token.tag == "mi" and _large_operator(token.text):  # ⨁, ⨀, ⨆: large, as ∑ is
            token.tag = "mo"
            token.attrib.update(largeop="true", movablelimits="true")
        elif token.tag == "mo" and tex_class == "mathord":
            token.tag = "mi"
        if token.tag == "mo" and token.text in _THEREFORE:  # (browsers set them as prefixes, with no space)
            token.set("form", "infix")
    for row in root.iter():  # (TeX sets no space before what starts a formula or a group)
        if len(row) and row[0].tag == "mo" and row[0].text in _THEREFORE:
            row[0].set("lspace", "0")


_SIGNS = set("−+±∓")
_ELLIPSES = set("…⋯")


def _signs(root: ET.Element) -> None:
    """TeX sets a minus (or a plus, ±, ∓) as a sign, tight to what follows, where nothing before it
    could be subtracted from: first in its group, or after a relation, a comma, an operator or an
    opening bracket (β = −1, f(−x), |−x|). latex2mathml writes each as infix, which browsers
    space as subtraction (β = − 1); a sign is a prefix operator, which they set with no space."""
    for row in [element for element in root.iter() if element.tag in _ROWS]:
        before, bars = None, 0  # what the sign follows, and how many bars that row opened or closed
        for child in row:
            if child.tag == "mspace":
                continue
            if child.tag == "mo" and child.text in _SIGNS and not child.attrib and not _ends_operand(before, bars):
                child.set("form", "prefix")
            if _core(child).tag == "mo" and _core(child).text in _BARS:
                bars += 1
            before = child


def _tight_scripts(root: ET.Element) -> None:
    """TeX sets no space around a relation or an operator in a subscript or a superscript (`i=1`
    of `\\sum_{i=1}`, `t-1` of `x_{t-1}`); browsers space it as in the line, "i = 1"."""
    for scripted in root.iter():
        for script in scripted[1:] if scripted.tag in _SCRIPTED_ALL else ():
            for token in script.iter("mo"):
                if "lspace" not in token.attrib and "rspace" not in token.attrib:
                    token.attrib.update(lspace="0", rspace="0")


# ASCII punctuation TeX sets tight: "." is an ordinary symbol ($S.top$, $p.next$), "?" a closing
# one. (":" is spaced after only, as `\colon`, which latex2mathml writes as ":" too, is.)
_TIGHT = {".", "?"}


def _unspaced(root: ET.Element) -> None:
    """The operators TeX sets with no space around them, which browsers space as operators: a bar
    written as `|` or `\\|`, an ordinary symbol in TeX (|−x| − 1, P(A|B), ‖x‖; "|x |  +  | y|"), but
    one of `\\left|`, a fence, which keeps a fence's spacing; "." and "?" (see _TIGHT: as operators
    browsers do not know, 0.28em on each side, "S . top"); a null delimiter (`\\left.`, `\\Big.`)."""
    for token in root.iter("mo"):
        text = token.text or ""
        if (text in _BARS and token.get("fence") != "true" or text in _TIGHT and not token.attrib
                or not text.strip()):
            token.set("lspace", "0")
            token.set("rspace", "0")


def _lone_operator(root: ET.Element, tex: str) -> None:
    """An operator alone in its formula (`weakly closed $=$ strongly closed`, `$a$ $\\le$ $b$`) has
    no space of its own, as TeX sets it: browsers spaced it as between two terms, doubling the
    spaces of the text around it. (`\\iff` and `\\implies` are written with thick spaces around
    them, which latex2mathml leaves to the operator's.)"""
    row = root[0] if len(root) == 1 and root[0].tag == "mrow" else root
    if len(row) == 1 and row[0].tag == "mo" and tex.strip() not in (r"\iff", r"\implies", r"\impliedby"):
        row[0].attrib.update(lspace="0", rspace="0")


# An arrow's long form, which a label over it needs (browsers stretch none reliably: see below).
_LONG_ARROWS = dict(zip("→←↔⇒⇐⇔↦", "⟶⟵⟷⟹⟸⟺⟼"))


def _extensible_arrows(root: ET.Element) -> None:
    """An arrow with a label (`\\xrightarrow{r_1-r_2}`, `\\xlongequal{\\text{def}}`) is a long
    arrow under it: latex2mathml pads the label by MathJax's relative lengths ("+0.833em"), which
    MathML Core has not, so browsers drew the label off its arrow, over what follows. Chromium draws
    an arrow stretched to its label without its head, shorter than its box or touching its
    neighbours: the long arrow is never stretched, and the label stands over its middle."""
    for arrow in root.iter():
        if arrow.tag not in ("mover", "munder", "munderover"):
            continue
        labels = [child for child in arrow if child.tag == "mpadded" and child.get("width", "").startswith("+")]
        for label in labels:  # as wide as MathJax makes it, the padding shared by both sides
            label.tag = "mrow"
            label.attrib.clear()
            label[:0] = [ET.Element("mspace", width="0.417em")]
            label.append(ET.Element("mspace", width="0.417em"))
        for sign in arrow[0].iter("mo") if labels else ():
            sign.text = _LONG_ARROWS.get(sign.text, sign.text)
            sign.set("stretchy", "false")


def _row_numbers(root: ET.Element) -> None:
    """The numbers of a table's rows (`a &= b \\\\tag{1} \\\\\\\\`, one per row of `align`) in a column
    of their own, apart from the equations, each beside its row, as MathJax sets them (at the right
    margin there, which no browser lays a MathML table out to), and as wide a blank column on the
    left keeps the equations centred. latex2mathml glued each to its row: `d+1(2)`."""
    parents = {child: parent for parent in root.iter() for child in parent}
    numbered: dict[ET.Element, dict[ET.Element, str]] = {}  # table -> row -> its number
    for text in [element for element in root.iter("mtext") if (element.text or "").startswith(_ROW_TAG)]:
        label, holder = text.text[len(_ROW_TAG):], parents[text]
        row = holder
        while row is not None and row.tag != "mtr":
            row = parents.get(row)
        if row is None:  # a number outside any table's row: glued to its formula, as before
            text.text = label
            continue
        holder.remove(text)
        numbered.setdefault(parents[row], {})[row] = label
    for table, labels in numbered.items():
        widest = max(labels.values(), key=len)
        for row in table.findall("mtr"):
            blank = ET.Element("mtd", style="padding-right:2em")
            ET.SubElement(ET.SubElement(blank, "mphantom"), "mtext").text = widest
            number = ET.Element("mtd", style="padding-left:2em;text-align:right")
            ET.SubElement(number, "mtext").text = labels.get(row, "")
            row[:] = [blank, *row, number]


def _array_rules(root: ET.Element, tex: str) -> None:
    """The lines of an array (`{cc|c}`, `\\hline`), drawn as borders of its cells: browsers draw no
    `columnlines` or `rowlines`, and latex2mathml's say too little to (`{|cc}` and `{c|c}` alike)."""
    ruled = [table for table in root.iter("mtable") if "columnlines" in table.attrib or "rowlines" in table.attrib]
    arrays = [rules for rules in map(_rules, _arrays(tex)) if any(rules[0]) or any(rules[1])]
    if len(ruled) != len(arrays):
        return  # (what latex2mathml made of them is not what was read here: no lines rather than wrong ones)
    for table, (columns, rows) in zip(ruled, arrays):
        cells = [row.findall("mtd") for row in table.findall("mtr")]
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                sides = {"left": columns[c] if c == 0 else 0, "right": _at(columns, c + 1),
                         "top": rows[0] if r == 0 else 0, "bottom": _at(rows, r + 1)}
                style = "".join(f"border-{side}:{_RULE[min(lines, 2)]};" for side, lines in sides.items() if lines)
                if style:
                    cell.set("style", style)


_RULE = {1: "1px solid", 2: "3px double"}


def _at(lines: list[int], k: int) -> int:
    return lines[k] if k < len(lines) else 0


def _arrays(tex: str) -> list[tuple[str, str]]:
    """The column spec and body of each `array` in `tex`, in the order they open (as latex2mathml
    writes their tables)."""
    return [(begin.group(1), tex[begin.end():_environment(tex, begin)[0]]) for begin in _ARRAY_BEGIN.finditer(tex)]


def _rules(array: tuple[str, str]) -> tuple[list[int], list[int]]:
    """How many lines stand at each edge of an array's columns (the left edge first) and rows."""
    spec, body = array
    spec = _SPEC_SKIPPED.sub("", _REPEATED.sub(lambda m: m.group(2) * int(m.group(1)), spec))
    columns = [0]
    for char in spec:
        if char == "|":
            columns[-1] += 1
        elif char.isalpha():
            columns.append(0)
    return columns, _rows(body)[1]


_ARRAY_BEGIN = re.compile(r"\\begin\{array\}\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_SPEC_SKIPPED = re.compile(r"[@!>]\{[^{}]*\}|\{[^{}]*\}")  # `@{}`, and a column's width (`p{2cm}`)
_REPEATED = re.compile(r"\*\{(\d{1,3})\}\{([^{}]*)\}")  # `*{3}{c|}` (MathType's and Zhihu's exports write it)


def _ordinary_groups(root: ET.Element) -> None:
    """An operator alone in braces is an ordinary symbol in TeX, set with no space (`6{,}000`, a
    thousands separator); and TeX sets no space between two relations (`==`, `<=`), where
    browsers space each as one ("= =")."""
    for row in root.iter():
        # (Not the formula's own row, `$\\iff$`, nor a relation with a label over or under it, `\\overset{def}{=}`.)
        for group in row if row.tag not in ("math", "mover", "munder", "munderover") else ():
            if group.tag == "mrow" and len(group) == 1 and group[0].tag == "mo" and not group[0].attrib:
                group[0].attrib.update(lspace="0", rspace="0")
        for first, second in zip(row, row[1:]):
            if first.tag == second.tag == "mo" and _relation(first.text) and _relation(second.text):
                first.set("rspace", "0")
                second.set("lspace", "0")
                if first.text == ":":  # (spaced after only, as punctuation, by browsers: `f(x): = x²`)
                    first.set("lspace", _THICK_SPACE)


def _relation(text: str | None) -> bool:
    """Whether TeX sets `text` as a relation (`:` is one: browsers set it as punctuation)."""
    return _TEX_CLASSES.get(text or "") == "mathrel" or text == ":"


def _right_cells(root: ET.Element) -> None:
    """A right-aligned cell's content as one row, which CSS sets at the cell's right (see
    vaultsite.css): Chromium lays a cell's children out as math, where text-align moves nothing."""
    for cell in root.iter("mtd"):
        if cell.get("columnalign") == "right" and not (len(cell) == 1 and cell[0].tag == "mrow"):
            row = _row(*cell)
            cell[:] = [row]


def _vectors(root: ET.Element) -> None:
    """`\\vec{AB}` is an accent, a short arrow over its letters, as TeX sets it; latex2mathml
    writes it as an arrow it marks stretchy (it alone), which browsers draw as long as the letters,
    as `\\overrightarrow{AB}`'s."""
    for over in root.iter("mover"):
        if len(over) == 2 and over[1].tag == "mo" and over[1].text == "→" and over[1].get("stretchy") == "true":
            over.set("accent", "true")
            over[1].set("stretchy", "false")


_BINOMIAL_SIZE = "2.047em"  # latex2mathml's brackets of \binom, display-sized (\bigg's too)


def _inline_binomials(root: ET.Element) -> None:
    """In a line of text, `\\binom{n}{k}` takes brackets of a text-sized fraction (`\\tbinom`'s),
    as TeX sets it; latex2mathml gives them a display formula's size, twice the line's height."""
    for row in _text_style(root):
        for before, fraction, after in zip(row, row[1:], row[2:]):
            if (fraction.tag == "mfrac" and fraction.get("linethickness") == "0"
                    and before.get("minsize") == after.get("minsize") == _BINOMIAL_SIZE):
                for bracket in (before, after):
                    bracket.attrib.update(minsize="1.2em", maxsize="1.2em")


def _text_style(element: ET.Element):
    """`element` and those inside it, but those set in display style (`\\dbinom`, `\\displaystyle`)."""
    yield element
    for child in element:
        if not (child.tag == "mstyle" and child.get("displaystyle") == "true"):
            yield from _text_style(child)


def _ends_operand(element: ET.Element | None, bars: int) -> bool:
    """Whether `element`, after `bars` bars of its row, ends something a sign after it would be
    subtracted from or added to: not an operator, unless a closing bracket (a bar its row opened
    before, the second, fourth... there) or an ellipsis."""
    if element is None:
        return False
    core = _core(element)
    if core.tag != "mo" or core.text in _CLOSING or core.text in _ELLIPSES or core.get("form") == "postfix":
        return True
    return core.text in _BARS and core.get("form") != "prefix" and bars % 2 == 0


# Operators whose limits TeX sets under them in a display formula, that latex2mathml does not
# mark movablelimits (it does \\det, \\Pr, \\limsup, \\operatorname*{argmax}).
_LIMITS = {"lim", "max", "min", "sup", "inf", "gcd"}


def _limits(root: ET.Element) -> None:
    """In a display formula TeX sets the limits of lim, max and their like under the operator
    (`\\max_i`, `\\lim_{x\\to 0}`, `\\operatorname*{argmax}_x`), and those of ∑, ∏, ⋃ and the other
    large operators but integrals under and over it, as Obsidian's MathJax draws them;
    latex2mathml writes them beside it, as scripts, but for a ∑ or ∏ outside any brackets."""
    for scripted in root.iter():
        base = scripted[0] if scripted.tag in _LIMITED else None
        if base is not None and base.tag == "mo" and (
                base.get("movablelimits") == "true" or base.text in _LIMITS or _large_operator(base.text)):
            scripted.tag = _LIMITED[scripted.tag]


_LIMITED = {"msub": "munder", "msup": "mover", "msubsup": "munderover"}


def _limits_as_written(root: ET.Element) -> None:
    """`\\sum\\limits_{i=1}^n` in a line of text: the limits under and over the operator, as
    written (latex2mathml writes them so; browsers move them beside a large operator out of
    display style)."""
    for scripted in root.iter():
        if scripted.tag in ("munder", "mover", "munderover") and scripted[0].tag == "mo" and _large_operator(
                scripted[0].text):
            scripted[0].set("movablelimits", "false")


def _large_operator(text: str | None) -> bool:
    """Whether `text` is a large operator (TeX's class) that is no integral: ∑, ∏, ⋃, ⨁."""
    name = unicodedata.name(text, "") if text and len(text) == 1 else ""
    return _TEX_CLASSES.get(text or "") == "mathop" and "INTEGRAL" not in name and "INTEGRATION" not in name


def _hats(root: ET.Element) -> None:
    """\\hat and \\widehat are drawn with the ASCII caret, which fonts put at caret height, well
    above the letter; the modifier letter circumflex, the accent's own spacing form, sits on it.
    \\widehat's (the one latex2mathml writes as no accent) is the combining circumflex, which
    math fonts draw as wide as what it covers, where browsers stretch no other."""
    for accented in root.iter("mover"):
        if accented[1].tag == "mo" and accented[1].text == "^":
            wide = accented.get("accent") != "true"
            accented[1].text = "\u0302" if wide else "\u02c6"
            if wide:
                accented[1].set("stretchy", "true")


def _sized_bases(root: ET.Element) -> None:
    """A sized delimiter under scripts (`F(x)\\Big|_0^1`, the bar of an evaluation) stands in a
    row of its own, where Chromium stretches it (as a script's base it stayed a letter's height),
    with no space around it: TeX's `\\Big|` is an ordinary symbol."""
    for scripted in root.iter():
        if scripted.tag in ("msub", "msup", "msubsup") and scripted[0].tag == "mo" and "minsize" in scripted[0].attrib:
            scripted[0].attrib.update(lspace="0", rspace="0")
            scripted[0] = _row(scripted[0])


# The bar latex2mathml writes as \\overline's and \\underline's accent, and the class drawing it.
_RULE_BAR = "\u2015"
_RULES = {"mover": "vs-overline", "munder": "vs-underline"}


def _rules_over(root: ET.Element) -> None:
    """\\overline and \\underline draw a rule over (under) all they cover (vaultsite.css):
    browsers stretch no bar written as an accent, which covered one glyph of `\\overline{A \\cup B}`
    (the ∪), or of a segment's `\\overline{AB}`."""
    for parent in list(root.iter()):
        for i, child in enumerate(parent):
            if child.tag in _RULES and len(child) == 2 and child[1].tag == "mo" and child[1].text == _RULE_BAR:
                covered = child[0] if child[0].tag == "mrow" else _row(child[0])
                covered.set("class", _RULES[child.tag])
                parent[i] = covered


# MathML Core's lengths for TeX's named spaces and math units (18mu to an em), which it lacks.
_NAMED_SPACES = {"negativethinmathspace": "-3mu", "negativemediummathspace": "-4mu",
                 "negativethickmathspace": "-5mu", "thinmathspace": "3mu", "thickmathspace": "5mu"}
_MATH_UNITS = re.compile(r"(-?[\d.]+)mu")
_NEGATIVE_LENGTH = re.compile(r"-(?:\d+\.?\d*|\.\d+)[a-z]*")


def _spaces(root: ET.Element) -> None:
    """Spaces as TeX sets them: browsers know no named space (latex2mathml's `\\!`, `\\thinspace`)
    nor math units (`\\mkern3mu`), and draw no negative width, which is a negative margin here
    (`\\int\\!\\!\\!\\int`, a double integral, stood apart as two)."""
    for space in root.iter("mspace"):
        width = _NAMED_SPACES.get(space.get("width", ""), space.get("width", ""))
        width = _MATH_UNITS.sub(lambda unit: f"{float(unit.group(1)) / 18:.3f}em", width)
        if _NEGATIVE_LENGTH.fullmatch(width):
            del space.attrib["width"]
            space.set("style", f"margin-left:{width}")
        elif width:
            space.set("width", width)


# mathvariant by the Unicode names of the styled letters and digits it selects (MATHEMATICAL BOLD
# SMALL X, DOUBLE-STRUCK CAPITAL R; the Letterlike Symbols block holds the ones the Mathematical
# Alphanumeric Symbols block left out, its fraktur named black-letter).
_STYLES = {
    "BOLD": "bold", "ITALIC": "italic", "BOLD ITALIC": "bold-italic", "SCRIPT": "script",
    "BOLD SCRIPT": "bold-script", "FRAKTUR": "fraktur", "BLACK-LETTER": "fraktur",
    "BOLD FRAKTUR": "bold-fraktur", "DOUBLE-STRUCK": "double-struck", "SANS-SERIF": "sans-serif",
    "SANS-SERIF BOLD": "bold-sans-serif", "SANS-SERIF ITALIC": "sans-serif-italic",
    "SANS-SERIF BOLD ITALIC": "sans-serif-bold-italic", "MONOSPACE": "monospace",
}
_STYLED_NAME = re.compile(r"(?:MATHEMATICAL )?(.+?) (?:CAPITAL|SMALL|DIGIT) ")


def _styled() -> dict[tuple[str, str], str]:
    """{(mathvariant, character): the styled character}: ("double-struck", "1") gives 𝟙."""
    styled = {("italic", "h"): "\u210e"}  # named PLANCK CONSTANT
    for code in [*range(0x2100, 0x2150), *range(0x1D400, 0x1D800)]:
        char = chr(code)
        name = _STYLED_NAME.match(unicodedata.name(char, ""))
        decomposition = unicodedata.decomposition(char).split()
        if name and name[1] in _STYLES and decomposition[:1] == ["<font>"]:
            styled[_STYLES[name[1]], chr(int(decomposition[1], 16))] = char
    return styled


_STYLED = _styled()


def _styled_characters(root: ET.Element) -> None:
    """Browsers draw mathvariant only as "normal": \\mathbb{1} or \\boldsymbol{\\theta}, which
    latex2mathml leaves as a plain 1 or θ with a mathvariant, must be the styled character."""
    for token in root.iter():
        variant = token.get("mathvariant", "normal")
        if token.tag in ("mi", "mn") and variant != "normal" and token.text:
            styled = [_STYLED.get((variant, char)) for char in token.text]
            if all(styled):
                token.text = "".join(styled)
                del token.attrib["mathvariant"]


# Elements whose children are set one after another, as a row.
_ROWS = {"math", "mrow", "mstyle", "msqrt", "mtd", "mpadded", "mphantom", "menclose", "merror"}
_SCRIPTED = {"msub", "msup", "msubsup", "munder", "munderover"}
_SCRIPTED_ALL = {"mover", *_SCRIPTED}  # (an accent's base is no core of a name: see _core)
_THIN_SPACE = "0.167em"  # TeX's \, (3 mu), as latex2mathml writes it
_THICK_SPACE = "0.278em"  # a relation's on either side (5 mu)
_OPENING = set("([{⟨⌈⌊")
_CLOSING = set(")]}⟩⌉⌋")
_BARS = set("|‖")  # TeX sets | and \| as ordinary symbols, not as brackets


def _operator_names(root: ET.Element) -> None:
    """TeX sets a thin space between an operator name and an operand on either side (y_i log p_i),
    or a closing bracket before it, but none before an opening bracket (log(x)) or beside an
    operator, which brings its own space (= log x); a space the author writes (\\!, \\,) is
    added to it (`\\operatorname{softmax}\\!\\left(` takes it back). latex2mathml writes none of
    these, and writes some names as mo, which browsers space as an unknown operator, wide on both
    sides. A name becomes an mi applied to what follows (function application, U+2061, invisible),
    with TeX's spaces written out."""
    for row in [element for element in root.iter() if element.tag in _ROWS]:
        children, amended = list(row), []
        for i, child in enumerate(children):
            name = _name(child)
            if name is None:
                amended.append(child)
                continue
            name.tag = "mi"
            name.attrib.pop("movablelimits", None)
            # (TeX spaces atoms by their kinds, past the spaces an author adds between them.)
            before = next((other for other in reversed(children[:i]) if other.tag != "mspace"), None)
            after = next((other for other in children[i + 1 :] if other.tag != "mspace"), None)
            if before is not None and _name(before) is None and (
                    _operand(before) or _core(before).text in _CLOSING):
                amended.append(_thin_space())
            amended.append(child)
            if after is not None and (_name(after) is not None or _operand(after)):
                amended += [_function_application(), _thin_space()]
            elif after is not None and _core(after).text in _OPENING:
                amended.append(_function_application())
        row[:] = amended


def _name(element: ET.Element) -> ET.Element | None:
    """The token of an operator name (log, tanh, max, lim sup, \\operatorname{softmax}), alone or
    under scripts (\\log_2, \\sin^2, \\max_i): an mi or mo of letters. \\bmod's mod is a binary
    operator, spaced as one."""
    token = _core(element)
    letters = (token.text or "").replace("\u2006", "").replace("\u2009", "")  # lim sup, arg max
    if token.tag in ("mi", "mo") and len(letters) > 1 and letters.isalpha() and letters != "mod":
        return token
    return None


def _core(element: ET.Element) -> ET.Element:
    """The element under any scripts: the log of log_2."""
    while element.tag in _SCRIPTED:
        element = element[0]
    return element


def _operand(element: ET.Element) -> bool:
    """Whether TeX sets `element` as an ordinary symbol: a letter, a number, a fraction, a group,
    a bar; not an operator (=, +, ∑, a bracket) nor a space."""
    core = _core(element)
    return core.tag not in ("mo", "mspace") or core.text in _BARS


def _thin_space() -> ET.Element:
    return ET.Element("mspace", width=_THIN_SPACE)


def _function_application() -> ET.Element:
    application = ET.Element("mo")
    application.text = "\u2061"
    return application


_PRIMES = set("′″‴⁗")


def _primes(root: ET.Element) -> None:
    """latex2mathml writes f' as f with a superscript prime (U+2032), as TeX does, whose prime
    glyph is drawn low for it; fonts draw U+2032 already raised, as a prime is written, so raised
    again it floats off the letter. Primes leading a superscript move beside its base: f′, h′ with
    its subscript t, x′ squared."""
    for scripted in [element for element in root.iter() if element.tag in ("msup", "msubsup")]:
        base, superscript = scripted[0], scripted[-1]
        if _prime(superscript):
            marks, rest = [superscript], []
        elif superscript.tag == "mrow":
            marks = list(takewhile(_prime, superscript))
            rest = list(superscript)[len(marks):]
        else:
            continue
        if not marks:
            continue
        if rest:
            superscript[:] = rest
            scripted[0] = _row(base, *marks)
        elif scripted.tag == "msup":
            scripted.tag = "mrow"
            scripted[:] = [base, *marks]
        else:
            scripted.tag = "msub"
            scripted[:] = [_row(base, *marks), scripted[1]]


def _prime(element: ET.Element) -> bool:
    return element.tag in ("mi", "mo") and bool(element.text) and set(element.text) <= _PRIMES


# The brackets of TeX's matrix environments (pmatrix, bmatrix, Bmatrix, vmatrix, Vmatrix).
_OPENING_FENCES = frozenset("([{|‖")
_CLOSING_FENCES = frozenset(")]}|‖")


def _matrix_fences(root: ET.Element) -> None:
    """A matrix's brackets (pmatrix, vmatrix, ...) as fences that stretch to its height, as \\left
    and \\right write them. latex2mathml puts them in the row of what follows the matrix, where a
    closing bar is read as the infix "|" (divides), which does not stretch: a determinant's right
    bar was drawn one line high."""
    for parent in [element for element in root.iter() if any(child.tag == "mtable" for child in element)]:
        children = list(parent)
        for i in reversed(range(1, len(children) - 1)):
            opening, table, closing = children[i - 1 : i + 2]
            if (table.tag == "mtable" and opening.tag == closing.tag == "mo" and not opening.attrib
                    and opening.text in _OPENING_FENCES and closing.text in _CLOSING_FENCES):
                for fence, form in ((opening, "prefix"), (closing, "postfix")):
                    fence.attrib.update(stretchy="true", fence="true", form=form)
                if len(children) > 3:  # a row of its own
                    parent[i - 1 : i + 2] = [_row(opening, table, closing)]


def _brackets(root: ET.Element) -> None:
    """A bracket TeX does not size (`\\pmod`'s, and `\\lvert` and `\\rVert`'s bars, the only ones
    latex2mathml writes with no size or stretch of their own) keeps its size: browsers stretch a
    plain `(` to its row, whose tallest variant stood apart from what it holds, "( mod n )", and a
    bar opening or closing a row as tall as a fraction beside it, the other bar a letter's height."""
    for token in root.iter("mo"):
        if not token.attrib and (_TEX_CLASSES.get(token.text or "") in ("mathopen", "mathclose")
                                 or token.text in ("|", "‖")):
            token.set("stretchy", "false")


def _row(*children: ET.Element) -> ET.Element:
    row = ET.Element("mrow")
    row.extend(children)
    return row


def converted(content: str, toc_items) -> dict[tuple[str, bool], str | None]:
    """Every formula of a page (its HTML and its table of contents), converted: what a process
    that rendered the page ahead hands over (`remember`), so typesetting it here only substitutes."""
    keys = {_key(match) for match in _ARITHMATEX.finditer(content)}

    def toc(items) -> None:
        for item in items:
            keys.update((html.unescape(tex), False) for tex in _TOC_INLINE.findall(item.title))
            toc(item.children)
    toc(toc_items)
    return {key: _convert(*key) for key in keys}


def remember(formulas: dict[tuple[str, bool], str | None]) -> None:
    _converted.update(formulas)


def _key(match: re.Match) -> tuple[str, bool]:
    block = match.group("block") is not None
    return html.unescape(match.group("block") if block else match.group("inline")).strip(), block


def typeset(content: str) -> tuple[str, list[tuple[str, str]]]:
    """Return `content` with every arithmatex formula as MathML, and the problems of formulas:
    (TeX, what is wrong)."""
    problems: list[tuple[str, str]] = []

    def one(match: re.Match) -> str:
        tex, block = _key(match)
        mathml = _convert(tex, block)
        if mathml is None:
            problems.append((tex, "formula that cannot be typeset, shown as TeX"))
            return match.group(0).replace('class="arithmatex"', 'class="arithmatex vs-math-error"')
        if unknown := _UNKNOWN.findall(mathml):  # (written as a name: `\\sgn`, a typo, or mhchem's `\\ce`)
            problems.append((tex, f"formula with a command latex2mathml does not know, shown as its name: {unknown[0]}"))
        if unknown := [edge.group(2) for edge in _EDGE.finditer(tex)
                       if edge.group(1) == "begin" and edge.group(2).strip() not in _KNOWN_ENVIRONMENTS]:
            problems.append((tex, "formula with an environment latex2mathml does not know, drawn as its content: "
                                  f"{unknown[0]}"))
        if not block:
            return mathml
        tags = _TAG.findall(tex)
        if len(tags) != 1:
            return f'<div class="vs-math">{mathml}</div>'
        # At the right margin, as MathJax sets it (MathML's labelled rows are drawn by no browser).
        starred, label = tags[0]
        # Its TeX (`\\tag{\\ast}`, `\\tag{$*$}`) typeset; else its text.
        written = label.strip().strip("$")
        label = (_convert(written, False) if "\\" in label or "$" in label else None) or html.escape(written)
        label = label if starred else f"({label})"
        return f'<div class="vs-math vs-tagged">{mathml}<span class="vs-eqno">{label}</span></div>'

    content = _ARITHMATEX.sub(one, content)
    return _WITH_PUNCTUATION.sub(r'<span class="vs-nobr">\g<0></span>', content), problems


# An inline formula with the punctuation touching it, which no line may start (a closing mark,
# "，" "。" "." ")") or end (an opening one, "（" "("): one run no line breaks. (typography.css keeps
# text from breaking there; a line broke between a formula and its "，" or ".", which started the next.)
_INLINE = r'<math(?![^>]*display="block")[^>]*>(?:(?!</?math\b).)*</math>'
_BEFORE = "[" + re.escape("（「『【《“‘([") + "]"
_AFTER = "[" + re.escape("，。、；：？！）」』】》”’.,;:!?)]") + "]"
_WITH_PUNCTUATION = re.compile(rf"{_BEFORE}?{_INLINE}{_AFTER}+|{_BEFORE}{_INLINE}", re.DOTALL)


_UNKNOWN = re.compile(r"<m[io][^>]*>(\\[a-zA-Z]+)</m[io]>")
