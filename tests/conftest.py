"""Shared helpers: build a vault with the project's real mkdocs.yml and read the HTML it makes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--regen", action="store_true",
                     help="rewrite the expected outputs of fixture files from what the code makes now")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    # Each worker would rewrite a fixture file with only the cases it ran: --regen runs in one process.
    if config.getoption("--regen"):
        config.option.numprocesses = 0


@pytest.fixture(scope="session")
def regen(request) -> bool:
    return request.config.getoption("--regen")


def build_site(project: Path, docs: Path, *extra: str, plugins: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of `docs` with the project's own configuration, in `project`; with
    `plugins`, {plugin: its options as mkdocs.yml writes them under it} for plugins it lists."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\ndocs_dir: docs\n" in text
    for name, options in (plugins or {}).items():
        assert f"\n  - {name}\n" in text
        text = text.replace(f"\n  - {name}\n", f"\n  - {name}:\n" + "".join(
            f"      {line}\n" for line in options.strip("\n").split("\n")))
    (project / "mkdocs.yml").write_text(text.replace("\ndocs_dir: docs\n", f"\ndocs_dir: {docs.name}\n"),
                                        encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", "site", *extra],
        cwd=project, capture_output=True, text=True, timeout=600,
    )


def built_copy(tmp_path_factory, name: str, docs: Path) -> Path:
    """A project holding a copy of the vault `docs`, built strictly (its log in build.log)."""
    project = tmp_path_factory.mktemp(name)
    shutil.copytree(docs, project / "docs")
    result = build_site(project, project / "docs")
    assert result.returncode == 0, result.stderr
    (project / "build.log").write_text(result.stderr, encoding="utf-8")
    return project


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real vault (docs/) built strictly, once per test session."""
    return built_copy(tmp_path_factory, "real", ROOT / "docs")
