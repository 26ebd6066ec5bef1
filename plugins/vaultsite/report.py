"""The build report: what the plugin did to each note, written as JSON under the cache folder."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BuildReport:
    notes: dict[str, dict] = field(default_factory=dict)
    groups: list[dict] = field(default_factory=list)  # versions of one note, see dedup.py
    seconds: Counter = field(default_factory=Counter)  # wall time of each step of the plugin

    def note(self, path: str) -> dict:
        return self.notes.setdefault(path, {})

    def totals(self) -> Counter:
        versions = sum(len(g["versions"]) for g in self.groups)
        totals: Counter = Counter(notes=len(self.notes) - versions, versions=versions)
        for entry in self.notes.values():
            totals["repaired"] += bool(entry.get("repair"))
            totals["normalizations"] += sum(entry.get("normalized", {}).values())
            totals["missing_assets"] += len(entry.get("missing_assets", []))
            totals["unwritten_links"] += len(entry.get("unwritten", []))
        return totals

    def summary(self) -> str:
        t = self.totals()
        return (f"{_count(t['notes'], 'note')} (+{_count(t['versions'], 'version')}): {t['repaired']} repaired, "
                f"{_count(t['normalizations'], 'normalization')}, {_count(t['unwritten_links'], 'link')} to "
                f"unwritten notes, {_count(t['missing_assets'], 'missing file')}")

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"summary": dict(self.totals()), "seconds": {step: round(s, 3) for step, s in self.seconds.items()},
                "groups": self.groups, "notes": dict(sorted(self.notes.items()))}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'s' * (number != 1)}"
