"""The ``vaultsite`` command: one subcommand per job, each a function that returns an exit code.

    vaultsite fix-text FILE          repaired text to stdout, what changed to stderr
    vaultsite fix [--write] PATH...  a unified diff per note that would change; --write repairs in
                                     place and keeps the original beside it as NAME.md.orig
    vaultsite check SITE_DIR         every internal link, image and anchor of a built site, offline

Add a subcommand by writing ``_cmd_<name>(args) -> int`` and registering it in :func:`_parser`.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from vaultsite import check, langmodel
from vaultsite.config import VaultsiteConfig
from vaultsite.repair import repair_bytes

BACKUP_SUFFIX = ".orig"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaultsite", description="Tools for an Obsidian notes vault.")
    commands = parser.add_subparsers(dest="command", required=True)

    fix_text = commands.add_parser("fix-text", help="print the repaired text of one file")
    fix_text.add_argument("file", type=Path, help="the note to repair")
    fix_text.set_defaults(func=_cmd_fix_text)

    fix = commands.add_parser("fix", help="show (or, with --write, make) the repairs of notes")
    fix.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="notes, or folders of *.md")
    fix.add_argument(
        "--write", action="store_true", help=f"repair in place, keeping each original as NAME{BACKUP_SUFFIX}"
    )
    fix.set_defaults(func=_cmd_fix)

    site = commands.add_parser("check", help="check a built site's links, images and anchors offline")
    check.add_arguments(site)
    site.set_defaults(func=check.run)
    return parser


def _use_project_cache() -> None:
    """Inside a project (mkdocs.yml here or in a folder above), share the repair model with its
    builds in their cache folder instead of building it anew for every command (seconds)."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            langmodel.use_cache(folder / _cache_dir(folder / "mkdocs.yml"))
            return


def _cache_dir(config_file: Path) -> str:
    """The plugin's ``cache_dir`` as the project's mkdocs.yml sets it; the default where the file
    does not load or does not use the plugin."""
    import yaml
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    try:
        plugin = load_config(str(config_file)).plugins.get("vaultsite")
    except (MkDocsException, OSError, yaml.YAMLError):
        plugin = None
    return plugin.config.cache_dir if plugin is not None else VaultsiteConfig.cache_dir.default


def _cmd_fix_text(args: argparse.Namespace) -> int:
    _use_project_cache()
    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"vaultsite: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 1
    result = repair_bytes(data)
    sys.stdout.write(result.text)
    print(f"{args.file}: {result.summary()}", file=sys.stderr)
    return 0


def _cmd_fix(args: argparse.Namespace) -> int:
    _use_project_cache()
    failed = False
    for path in _notes(args.paths):
        try:
            data = path.read_bytes()
        except OSError as error:
            print(f"vaultsite: cannot read {path}: {error.strerror}", file=sys.stderr)
            failed = True
            continue
        result = repair_bytes(data)
        if not result.changed:
            continue
        if args.write:
            try:
                backup = _write_with_backup(path, data, result.text)
            except OSError as error:
                print(f"vaultsite: cannot write {path}: {error.strerror}", file=sys.stderr)
                failed = True
                continue
            print(f"{path}: {result.summary()}; original kept as {backup}", file=sys.stderr)
        else:
            old = data.decode(result.encoding, errors="replace")
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    result.text.splitlines(keepends=True),
                    f"a/{path}",
                    f"b/{path}",
                )
            )
            print(f"{path}: {result.summary()}", file=sys.stderr)
    return 1 if failed else 0


def _notes(paths: Sequence[Path]) -> Iterator[Path]:
    """The given files, and the *.md notes under the given folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.md"))
        else:
            yield path  # a missing file is reported when it is read


def _write_with_backup(path: Path, original: bytes, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8 after saving ``original`` to a backup that did not
    exist before (NAME.md.orig, else NAME.md.orig.1, ...): no earlier backup is overwritten."""
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    number = 0
    while True:
        try:
            with backup.open("xb") as file:  # "x": fail rather than overwrite
                file.write(original)
            break
        except FileExistsError:
            number += 1
            backup = path.with_name(f"{path.name}{BACKUP_SUFFIX}.{number}")
    path.write_text(text, encoding="utf-8", newline="")
    return backup
