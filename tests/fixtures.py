"""Read and rewrite fixture files in markdown-it-py's format: title, `.`, input, `.`, expected, `.`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Case:
    file: Path
    line: int
    title: str
    input: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.file.stem}:{self.line}:{self.title}"


def read_cases(path: Path) -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, i = [], 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i].strip() and lines[i + 1] == ".":
            start = i
            parts, j = [], i + 2
            for _ in range(2):
                end = lines.index(".", j)
                parts.append("\n".join(lines[j:end]))
                j = end + 1
            cases.append(Case(path, start + 1, lines[i], parts[0], parts[1]))
            i = j
        else:
            i += 1
    return cases


def write_cases(path: Path, cases: list[Case]) -> None:
    text = "\n".join(f"{c.title}\n.\n{c.input}\n.\n{c.expected}\n.\n" for c in cases)
    path.write_text(text, encoding="utf-8")


def regenerating(files: list[Path], regen: bool) -> Iterator[dict[str, str]]:
    """The body of a `regenerated` fixture: yields {case id: what the code makes now} for the
    tests to fill, and with --regen rewrites each file's expected outputs once, at the end."""
    outputs: dict[str, str] = {}
    yield outputs
    if regen:
        for path in files:
            cases = read_cases(path)
            for case in cases:
                case.expected = outputs.get(case.id, case.expected)
            write_cases(path, cases)
