"""A synthetic Obsidian vault for the benchmarks: the same files for a given size and seed.

    python bench/vaultgen.py OUT_DIR [--notes 1000] [--seed 8]

Shaped like the real vault (docs/ and /work/shared/notes): nested folders named with emoji and
Chinese, notes of mixed Chinese and English prose with

- `↗ [Title](../%F0%9F...%20encoded/path.md#Heading%20with%20👉%20emoji)` relative links to other
  notes and their headings, and raw-space Typora links;
- wikilinks `[[Name]]`, `[[Name#Heading]]`, `[[Name#Heading|alias]]`, `[[#Heading]]`;
- links to notes not written yet (a path and a wikilink), and images that are not there
  (`![|600](Pics/...)`, `<img src=... style="zoom:40%">`);
- lists nested with tabs, right after a paragraph line; `[TOC]`; code; `$math$`;
- about 1 % exact copies of a note under an `Imports/` folder, and about 0.5 % mojibake copies:
  the note's UTF-8 bytes read as cp1254 with the undefined bytes (and the soft hyphen) dropped,
  saved again as UTF-8, the way note 000 arrived; and about 0.1 % of the notes themselves saved
  so damaged (no clean copy in the vault: only the repair's language model can rebuild them).

`generate(root, n, seed)` writes `root/docs/` plus `root/index.md` and returns a `Vault` summary.
Every note is written, so there are exactly `n` Markdown files under docs/ (plus `index.md`).
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

AREAS = ["📚 Knowledge Base", "🧮 数学 Mathematics", "💻 计算机 Computer Science", "🌏 语言 Languages",
         "🎨 艺术 Arts", "🧪 物理 Physics", "🏛 历史 History", "🧬 生物 Biology"]
TOPICS = ["🤖 人工智能 AI", "🧠 机器学习 ML", "📐 几何 Geometry", "🗿 模型 Models", "📊 统计 Statistics",
          "🦑 语言模型 LLM", "🔭 天文 Astronomy", "⚙️ 系统 Systems", "🧊 代数 Algebra", "🎵 音乐 Music",
          "🗺 概览 Overview", "📜 文献 Papers"]
SUBJECTS = ["Neural Network", "Transformer", "Attention", "Gradient Descent", "Linear Algebra",
            "Probability", "Entropy", "Compiler", "Operating System", "Graph Theory", "Topology",
            "Quantum Field", "Evolution", "Renaissance", "Harmony", "Backpropagation", "Kernel",
            "Markov Chain", "Fourier Transform", "Category Theory"]
ZH_TERMS = ["神经网络", "注意力机制", "梯度下降", "线性代数", "概率论", "信息熵", "编译器", "操作系统",
            "图论", "拓扑学", "量子场论", "进化论", "文艺复兴", "和声学", "反向传播", "核方法",
            "马尔可夫链", "傅里叶变换", "范畴论", "深度学习"]
ZH_TEXT = ("深度学习是机器学习的一个分支，它使用多层神经网络从数据中学习特征。我们在这里记录学习过程中的"
           "理解、公式推导和代码实现。模型的参数通过反向传播和梯度下降来更新，训练数据越多效果越好。"
           "注意力机制让模型能够关注输入中最重要的部分，这是现代大语言模型的基础。")
EN_WORDS = ("the model learns features from data through layers of weighted sums and nonlinear "
            "activations while gradient descent moves every parameter a little downhill on the loss "
            "surface and attention lets each token look at every other token in the sequence").split()
HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也能而子那得学习网络模型数据"
HEADINGS = ["👉 Overview 概述", "Definition 定义", "📜 History · 历史", "Examples (例子)",
            "🧩 Intuition", "Math 数学推导", "Code 代码", "References 参考"]


@dataclass
class Note:
    path: str  # vault path, "/"-separated, ending in .md
    title: str
    headings: list[str]
    term: tuple[str, str]  # its term in Chinese and in English


@dataclass
class Vault:
    root: Path
    docs: Path
    notes: int
    duplicates: int
    mojibake: int
    damaged: int
    bytes: int


def _folders(n: int) -> list[str]:
    """Enough nested folders for about 12 notes each: area / topic / (subtopic)."""
    count = max(1, n // 12)
    folders = []
    for k in range(count):
        area, topic = AREAS[k % len(AREAS)], TOPICS[(k // len(AREAS)) % len(TOPICS)]
        depth = k // (len(AREAS) * len(TOPICS))
        folders.append(f"{area}/{topic}" + (f"/📁 子题 Part {depth}" if depth else ""))
    return folders


def _sentence(rng: random.Random) -> str:
    if rng.random() < 0.5:
        start = rng.randrange(0, len(ZH_TEXT) - 40)
        return ZH_TEXT[start:start + rng.randint(20, 40)]
    words = [rng.choice(EN_WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + f" ({rng.choice(ZH_TERMS)})."


def _encoded(path: str) -> str:
    return quote(path, safe="/()&',;=+!*@~-_.")


def _relative(src: str, dst: str) -> str:
    a, b = src.split("/")[:-1], dst.split("/")
    common = 0
    while common < len(a) and common < len(b) - 1 and a[common] == b[common]:
        common += 1
    return "/".join([".."] * (len(a) - common) + b[common:])


def _body(rng: random.Random, note: Note, notes: list[Note], index: int) -> str:
    def other() -> Note:
        return notes[(index + rng.randint(1, len(notes) - 1)) % len(notes)] if len(notes) > 1 else note

    lines = [f"# {note.title}", "", "[TOC]", "", "## Res", "### Related Topics"]
    for _ in range(rng.randint(2, 4)):
        target = other()
        anchor = ""
        if rng.random() < 0.5:
            anchor = "#" + _encoded(rng.choice(target.headings))
        lines.append(f"↗ [{target.title}]({_encoded(_relative(note.path, target.path))}{anchor})")
    ghost = f"{rng.choice(ZH_TERMS)} {rng.choice(SUBJECTS)} 未写 {rng.randint(0, 999)}"
    lines.append(f"↗ [{ghost}](../{_encoded(ghost)}/{_encoded(ghost)}.md)")
    # A term of its own in both languages, as the real notes write them: `中文术语 (English Term)`.
    zh, en = note.term
    lines += ["", f"术语 {zh} ({en}) 在这里定义。", f"- {en} · {zh}",
              f"Compare {other().term[1].lower()} and {rng.choice(notes).term[0]}."]
    lines.append("")
    for k, heading in enumerate(note.headings):
        lines += [f"## {heading}", ""]
        for _ in range(rng.randint(2, 4)):
            lines.append(_sentence(rng))
        lines.append("")
        roll = rng.random()
        target = other()
        if k == 0:
            lines += [f"See [[{target.title}]] and [[{target.title}#{rng.choice(target.headings)}|别名 alias]],",
                      f"also [[#{note.headings[-1]}]] and [[{ghost}]] (not written).", ""]
        if roll < 0.3:
            lines += ["Key points 要点:", f"- {_sentence(rng)}", f"\t- {_sentence(rng)}",
                      f"\t\t- {_sentence(rng)}", f"- {_sentence(rng)}", ""]
        elif roll < 0.45:
            lines += [f"![|600](Pics/{_encoded(note.title)}-{k}.png)", ""]
        elif roll < 0.55:
            lines += [f'<img src="Pics/图 {k}.png" alt="图" style="zoom:40%;" />', ""]
        elif roll < 0.65:
            lines += ["```python", "def forward(x, w):", "    return (x @ w).clip(0)  # [[not a link]]",
                      "```", ""]
        elif roll < 0.75:
            lines += [f"The loss is $L = \\sum_i (y_i - \\hat y_i)^2$ 损失函数.", ""]
        elif roll < 0.85:
            path = _relative(note.path, target.path)
            lines += [f"Typora link: [{target.title}]({path})", ""]
    return "\n".join(lines) + "\n"


def mojibake(text: str) -> str:
    """UTF-8 read as cp1254, the bytes that page leaves undefined and the soft hyphen lost."""
    data = bytes(b for b in text.encode("utf-8") if b != 0xAD)
    return data.decode("cp1254", errors="ignore")


def generate(root: Path, n: int, seed: int = 8) -> Vault:
    """Write a vault of `n` notes to `root/docs` (emptied first)."""
    rng = random.Random(seed * 1_000_003 + n)
    docs = root / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# 知识库 · Knowledge Base\n\n合成的笔记 · Synthetic notes.\n",
                                   encoding="utf-8")
    dup_count = max(1, n // 100)
    moji_count = max(1, n // 200)
    damaged_count = max(1, n // 1000)
    originals = n - dup_count - moji_count
    folders = _folders(originals)
    # English terms are made of a vocabulary that grows with the vault, as a real one's does.
    terms = sorted({"".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))
                    for _ in range(max(200, n))})
    notes = []
    for i in range(originals):
        subject = SUBJECTS[i % len(SUBJECTS)]
        title = f"{ZH_TERMS[(i * 7) % len(ZH_TERMS)]} {subject} {i:05d}"
        headings = rng.sample(HEADINGS, rng.randint(3, 6))
        term = ("".join(rng.choice(HAN) for _ in range(rng.randint(2, 4))),
                " ".join(rng.choice(terms).capitalize() for _ in range(2)))
        notes.append(Note(f"{folders[i % len(folders)]}/{title}.md", title, headings, term))
    texts = {}
    for i, note in enumerate(notes):
        texts[note.path] = _body(rng, note, notes, i)
    damaged = {notes[(k * 97 + 5) % len(notes)].path for k in range(damaged_count)}
    written = 0
    for path, text in texts.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(mojibake(text) if path in damaged else text, encoding="utf-8")
        written += len(text.encode("utf-8"))
    for k in range(dup_count):
        note = notes[(k * 37) % len(notes)]
        target = docs / "Imports" / f"Export {k // 20}" / f"{note.title} (copy).md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(texts[note.path], encoding="utf-8")
    for k in range(moji_count):
        note = notes[(k * 53 + 11) % len(notes)]
        target = docs / "Imports" / "乱码 Mojibake" / f"{note.title} (windows).md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(mojibake(texts[note.path]), encoding="utf-8")
    return Vault(root, docs, n, dup_count, moji_count, len(damaged), written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    vault = generate(args.out, args.notes, args.seed)
    print(f"{vault.notes} notes ({vault.duplicates} exact copies, {vault.mojibake} mojibake copies, "
          f"{vault.damaged} damaged in place), {vault.bytes / 1e6:.1f} MB, in {vault.docs}")


if __name__ == "__main__":
    main()
