"""Mermaid diagrams (```mermaid fences), drawn as Obsidian and Typora draw them.

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

_FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*mermaid\b", re.MULTILINE)  # in a quote or callout too
_DRAWN = '<pre class="mermaid">'
# Material colours the diagrams it knows (flowchart, sequence, class, state, ER) by the page's scheme;
# the others (pie, gantt, timeline, journey, mindmap) keep Mermaid's light theme, black text on the
# dark scheme: those take Mermaid's dark theme where the page opens dark.
_DARK = ('var vaultsiteInit=mermaid.initialize;mermaid.initialize=function(config){return vaultsiteInit.call('
         'this,Object.assign({theme:document.body.getAttribute("data-md-color-scheme")==="slate"?"dark":"default"},'
         'config))};\n')


def drawn_in(sources) -> bool:
    """Whether any of the notes' texts holds a Mermaid fence (else the site needs no Mermaid)."""
    return any(_FENCE.search(text) for text in sources)


def add_fence(superfences: dict) -> None:
    """Have pymdownx.superfences render ```mermaid fences as Material's `<pre class="mermaid">`,
    unless the site's configuration says how already."""
    fences = superfences.setdefault("custom_fences", [])
    if not any(fence.get("name") in ("mermaid", "*") for fence in fences):
        fences.append(FENCE)


def with_script(html: str, src: str) -> str:
    """The page's content, loading Mermaid from `src` if it draws a diagram."""
    return html + f'\n<script src="{src}"></script>' if _DRAWN in html else html


def script() -> str:
    """Mermaid's build, run once however often the page's content is swapped in: run again, it
    would replace the Mermaid that Material configured (its colours, dark mode) with a new one.
    The build declares nothing at its top level but its `var` (in strict mode, as before)."""
    return ('"use strict";if(typeof mermaid==="undefined"||mermaid instanceof Element){\n'
            + BUNDLE.read_text(encoding="utf-8") + "\n" + _DARK + "}\n")
