"""Mermaid diagrams (```mermaid fences), drawn as Obsidian and Typora draw them, and Typora's
flowchart.js and js-sequence-diagrams diagrams (```flow, ```sequence), drawn by Mermaid.

Material draws each `<pre class="mermaid">` block with Mermaid, which it loads from a CDN unless the
page has loaded Mermaid already; the site must read offline, so a page with a diagram loads the
copy of Mermaid the site carries (assets/mermaid/, Mermaid's own build from npm, with its licence).
The script goes at the end of the page's content: Material's instant navigation runs the scripts
of the content it swaps in, and waits for them, before it draws the new page's diagrams.
"""

from __future__ import annotations

import re
from pathlib import Path

from pymdownx.superfences import fence_code_format

SCRIPT = "assets/vaultsite/mermaid.min.js"
BUNDLE = Path(__file__).parent / "assets" / "mermaid" / "mermaid.min.js"
FENCE = {"name": "mermaid", "class": "mermaid", "format": fence_code_format}

# In a quote or callout too; Typora's ```flow and ```sequence are drawn by Mermaid (below).
_FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*(?:mermaid|flow|sequence)\b", re.MULTILINE)
_DRAWN = '<pre class="mermaid">'
# Material colours the diagrams it knows (flowchart, sequence, class, state, ER) by the page's scheme;
# the others (pie, gantt, timeline, journey, mindmap) keep Mermaid's light theme, black text on the
# dark scheme: those take Mermaid's dark theme where the page opens dark. A diagram Mermaid cannot
# read stays its source, in place; Mermaid's picture of its error went under the page's footer.
_DARK = ('var vaultsiteInit=mermaid.initialize;mermaid.initialize=function(config){return vaultsiteInit.call('
         'this,Object.assign({theme:document.body.getAttribute("data-md-color-scheme")==="slate"?"dark":"default",'
         'suppressErrorRendering:true},config))};\n')


def drawn_in(sources) -> bool:
    """Whether any of the notes' texts holds a Mermaid fence (else the site needs no Mermaid)."""
    return any(_FENCE.search(text) for text in sources)


def add_fences(superfences: dict) -> None:
    """Have pymdownx.superfences render ```mermaid fences, and Typora's ```flow and ```sequence, as
    Material's `<pre class="mermaid">`, unless the site's configuration says how already."""
    fences = superfences.setdefault("custom_fences", [])
    for name, fence in (("mermaid", FENCE), *((name, typora_fence(name)) for name in TYPORA_FENCES)):
        if not any(configured.get("name") in (name, "*") for configured in fences):
            fences.append(fence)


def with_script(html: str, src: str) -> str:
    """The page's content, loading Mermaid from `src` if it draws a diagram."""
    return html + f'\n<script src="{src}"></script>' if _DRAWN in html else html


def script() -> str:
    """Mermaid's build, run once however often the page's content is swapped in: run again, it
    would replace the Mermaid that Material configured (its colours, dark mode) with a new one.
    The build declares nothing at its top level but its `var` (in strict mode, as before)."""
    return ('"use strict";if(typeof mermaid==="undefined"||mermaid instanceof Element){\n'
            + BUNDLE.read_text(encoding="utf-8") + "\n" + _DARK + "}\n")


# --- Typora's other diagrams: ```flow (flowchart.js) and ```sequence (js-sequence-diagrams) ---
# Typora draws them with those two libraries; the site draws them with Mermaid, which says the
# same things in a syntax of its own. A block that does not read as its library's syntax stays code.

TYPORA_FENCES = ("flow", "sequence")


def typora_fence(name: str) -> dict:
    return {"name": name, "class": "mermaid", "format": _typora_format}


def _typora_format(source: str, language: str, class_name: str, options: dict, md, **kwargs) -> str:
    """pymdownx.superfences' formatter: the diagram in Mermaid, drawn as a ```mermaid fence is, or
    the block as code where it does not read as its library's syntax."""
    mermaid = (flowchart if language == "flow" else sequence_diagram)(source)
    if mermaid is None:
        return fence_code_format(source, language, "", options, md, **kwargs)
    return fence_code_format(mermaid, language, class_name, options, md, **kwargs)


_ESCAPES = {"#": "#35;", '"': "#quot;", ";": "#59;", "<": "#lt;", ">": "#gt;", "\\n": "<br>", "\n": "<br>"}
_ESCAPED = re.compile("|".join(map(re.escape, _ESCAPES)))


def _label(text: str) -> str:
    """Text as Mermaid shows it: `#…;` is its escape, and a line break (`\\n` in js-sequence-diagrams'
    text) is `<br>`."""
    return _ESCAPED.sub(lambda match: _ESCAPES[match.group()], text)


# flowchart.js: `name=>type: text|state:>url[target]`, then edges `a->b(right)->c`, `cond(yes)->d`.
_NODE = re.compile(r"^\s*([^\s=>()-][^=>()]*?)\s*=>\s*(\w+)\s*(?::\s?(.*))?$")
_SHAPES = {"start": '(["{}"])', "end": '(["{}"])', "operation": '["{}"]', "subroutine": '[["{}"]]',
           "condition": '{{"{}"}}', "inputoutput": '[/"{}"/]', "input": '[/"{}"/]', "output": '[/"{}"/]',
           "parallel": '["{}"]'}
# `cond(yes, right)`. The name ends on a character that is no space, and one run of spaces
# follows it: where the line is no step, each character is tried a few times, not each run of
# spaces in every way (a lazy name and three `\s*` in a row took minutes on a long run of them).
_STEP = re.compile(r"^\s*([^()]*[^()\s])\s*(?:\(([^()]*)\)\s*)?$")
_LINK = re.compile(r":>\s*(https?://[^\s\[]+)(?:\[\w*\])?\s*$")
_STATE = re.compile(r"\|\w+\s*$")  # `|past`: flowchart.js's colouring of a step


def flowchart(source: str) -> str | None:
    """A flowchart.js diagram in Mermaid, or None where a line is not flowchart.js's."""
    # flowchart.js reads a line holding neither `=>` nor `->` as more of the line before it.
    lines: list[str] = []
    for line in source.splitlines():
        if not line.strip():
            continue
        if lines and not any(mark in line for mark in ("=>", "->", "@>")):
            lines[-1] += "\n" + line
        else:
            lines.append(line)
    ids: dict[str, str] = {}
    nodes, edges = [], []
    for line in lines:
        if "@>" in line:  # a colour for a step or a line: Mermaid's theme colours them
            continue
        if "=>" in line and (node := _NODE.match(line.replace("\n", "\u2028"))):
            name, kind, text = node.group(1), node.group(2), (node.group(3) or "").replace("\u2028", "\n")
            if kind not in _SHAPES:
                return None
            link = _LINK.search(text)
            text = _STATE.sub("", text[: link.start()] if link else text).strip()
            ids[name] = node_id = f"n{len(ids) + 1}"
            nodes.append(f"  {node_id}{_SHAPES[kind].format(_label(text or name))}")
            if link:
                # A quote would end Mermaid's string, and the diagram with it (a syntax error):
                # it goes as the browser sends it.
                nodes.append(f'  click {node_id} href "{link.group(1).replace(chr(34), "%22")}" _blank')
            continue
        steps = [_STEP.match(step) for step in line.split("->")]
        if len(steps) < 2 or not all(steps):
            return None
        for step, after in zip(steps, steps[1:]):
            if step.group(1) not in ids or after.group(1) not in ids:
                return None
            labels = [word.strip() for word in (step.group(2) or "").split(",") if word.strip()]
            label = next((w for w in labels if w in ("yes", "no")), None)
            arrow = f"-->|{label}|" if label else "-->"
            edges.append(f"  {ids[step.group(1)]} {arrow} {ids[after.group(1)]}")
    return "flowchart TB\n" + "\n".join(nodes + edges) if nodes else None


# js-sequence-diagrams: `A->B: text` (`-->` dashed, `->>` an open arrowhead), `Note left of A: …`,
# `participant A`, `participant "Long name" as A`, `Title: …`; `#` starts a comment.
_ARROWS = {"->": "->>", "-->": "-->>", "->>": "-)", "-->>": "--)"}
_ACTOR = r'(?:"[^"]+"|[^\-<>:,\n"+]+?)'
_SIGNAL = re.compile(rf"^({_ACTOR})\s*(-->>|->>|-->|->)\s*({_ACTOR})\s*:\s?(.*)$")
_NOTE = re.compile(rf"^note\s+(left of|right of|over)\s+({_ACTOR})\s*(?:,\s*({_ACTOR}))?\s*:\s?(.*)$", re.I)
_PARTICIPANT = re.compile(rf"^participant\s+({_ACTOR})(?:\s+as\s+({_ACTOR}))?\s*$", re.I)
_TITLE = re.compile(r"^title\s*:\s?(.*)$", re.I)


def sequence_diagram(source: str) -> str | None:
    """A js-sequence-diagrams diagram in Mermaid, or None where a line is not its syntax."""
    actors: dict[str, str] = {}  # a name in the diagram: its Mermaid id, in order of appearance
    names: dict[str, str] = {}  # the Mermaid id: the name shown

    def actor(name: str, shown: str | None = None) -> str:
        name = name.strip().strip('"')
        if name not in actors:
            actors[name] = f"p{len(actors) + 1}"
            names[actors[name]] = name
        if shown is not None:
            names[actors[name]] = shown
        return actors[name]

    title, body = None, []
    for line in source.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if match := _TITLE.match(line):
            title = match.group(1)
        elif match := _PARTICIPANT.match(line):
            shown, name = match.group(1).strip('"'), match.group(2)
            actor(name, shown) if name else actor(shown)
        elif match := _NOTE.match(line):
            where = actor(match.group(2)) + ("," + actor(match.group(3)) if match.group(3) else "")
            body.append(f"  Note {match.group(1).lower()} {where}: {_label(match.group(4))}")
        elif match := _SIGNAL.match(line):
            a, b = actor(match.group(1)), actor(match.group(3))
            body.append(f"  {a}{_ARROWS[match.group(2)]}{b}: {_label(match.group(4))}")
        else:
            return None
    if not body and not actors:
        return None
    head = ["sequenceDiagram"] + ([f"  title {_label(title)}"] if title else [])
    participants = [f"  participant {id_} as {_label(names[id_])}" for id_ in actors.values()]
    return "\n".join(head + participants + body)
