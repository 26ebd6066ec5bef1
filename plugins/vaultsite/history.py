"""When each file of the vault was last committed, from one `git log` (no network)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def last_commit_times(folder: str | Path) -> dict[str, float]:
    """{path relative to `folder`: time of the last commit touching it}; {} outside a git work
    tree or without git. A fresh clone's file times are checkout times, so this is what "newer"
    can trust."""
    try:
        out = subprocess.run(
            ["git", "-c", "core.quotepath=off", "log", "--format=%x00%ct", "--name-only", "--relative", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=60, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    times: dict[str, float] = {}
    for commit in out.split("\0")[1:]:
        stamp, *names = commit.strip().split("\n")
        for name in filter(None, names):
            times.setdefault(name, float(stamp))  # newest commit first: keep the first seen
    return times
