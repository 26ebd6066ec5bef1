"""The ``vaultsite`` command: one subcommand per job, each a function that returns an exit code.

    vaultsite fix-text FILE          repaired text to stdout, what changed to stderr; exit code 2
                                     if FILE cannot be read or is binary
    vaultsite fix [--write] PATH...  a unified diff per note that would change, exit code 1 if one
                                     would, 2 if a note cannot be read; --write repairs in place
                                     and keeps the original beside it as NAME.md.orig
    vaultsite check SITE_DIR         every internal link, image and anchor of a built site, offline

Inside a project (mkdocs.yml here or above), fix-text and fix repair as its build does, with the
vault's clean notes as context.

Add a subcommand by writing ``_cmd_<name>(args) -> int`` and registering it in :func:`_parser`.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.utils import markdown_extensions

from vaultsite import cachedir, check, langmodel
from vaultsite.config import VaultsiteConfig
from vaultsite.repair import Context, RepairResult, decode, may_need_repair, repair_bytes, without_nul_bytes
from vaultsite.vault import BACKUP_SUFFIX, shown, template_folders

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader stopped reading (`vaultsite check --json | head`): no traceback, as the
        # Python docs advise, and the rest of the output goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:  # Ctrl-C: stopped as asked, no traceback (`fix --write` backs a note up first)
        print(f"vaultsite {args.command}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaultsite", description="Tools for an Obsidian notes vault.")
    commands = parser.add_subparsers(dest="command", required=True)

    fix_text = commands.add_parser(
        "fix-text", help="print the repaired text of one file",
        description="Print the repaired text of one file. Exit code 0, or 2 when the file cannot be read "
                    "or holds binary data.")
    fix_text.add_argument("file", type=Path, help="the note to repair (- reads stdin)")
    fix_text.set_defaults(func=_cmd_fix_text)

    fix = commands.add_parser(
        "fix", help="show (or, with --write, make) the repairs of notes",
        description="Show the repairs of notes as a diff. Exit code 0: no note needs repair; 1: a note "
                    "needs repair; 2: a note cannot be read (whatever the others need). With --write, "
                    "repair them in place: exit code 0, or 2 when a note cannot be read or written.")
    fix.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                     help="notes, or folders of them (*.md, *.markdown, *.mdown, *.mkdn, *.mkd; left out as the "
                          "site leaves them out: hidden files and folders such as .obsidian/ and .trash/, and in "
                          "a project the docs folder's templates/ and what mkdocs.yml's exclude_docs names)")
    fix.add_argument(
        "--write", action="store_true", help=f"repair in place, keeping each original as NAME.md{BACKUP_SUFFIX}"
    )
    fix.set_defaults(func=_cmd_fix)

    site = commands.add_parser(
        "check", help="check a built site's links, images and anchors offline",
        description="Check a built site's links, images and anchors offline. Exit code 0: nothing is "
                    "broken; 1: something is (or the allowlist is invalid); 2: the site cannot be read "
                    "or holds no page (--junit then writes a report with the site in error), or the "
                    "JUnit report cannot be written.")
    check.add_arguments(site)
    site.set_defaults(func=check.run)
    return parser


@dataclass(frozen=True)
class _Project:
    """The project a command runs in, as its builds see it: the folder of mkdocs.yml, the plugin's
    cache folder, the docs folder and MkDocs' configuration (the defaults of each where mkdocs.yml
    does not load, or does not use the plugin)."""

    folder: Path
    cache: Path
    docs_dir: Path
    config: MkDocsConfig

    @classmethod
    def find(cls) -> _Project | None:
        """The project of mkdocs.yml in the current folder or in a folder above it; None outside one."""
        import yaml
        from mkdocs.config import load_config
        from mkdocs.config.defaults import MkDocsConfig
        from mkdocs.exceptions import MkDocsException

        here = Path.cwd().resolve()
        config_file = next((folder / "mkdocs.yml" for folder in (here, *here.parents)
                            if (folder / "mkdocs.yml").is_file()), None)
        if config_file is None:
            return None
        folder, cache_dir = config_file.parent, VaultsiteConfig.cache_dir.default
        try:
            config = load_config(str(config_file))
        except (MkDocsException, OSError, yaml.YAMLError):
            return cls(folder, folder / cache_dir, folder / "docs", MkDocsConfig())
        if (plugin := config.plugins.get("vaultsite")) is not None:
            cache_dir = plugin.config.cache_dir
        return cls(folder, folder / cache_dir, Path(config.docs_dir), config)

    def published(self, notes: list[Path], folder: Path, *, drafts: bool) -> list[Path]:
        """Those of ``notes``, found under ``folder``, that the site does not leave out: MkDocs
        excludes what ``exclude_docs`` names in the docs folder, and by default its `templates/`
        (Obsidian's templates), and, from a build but not from `mkdocs serve`, the ``draft_docs``
        unless ``drafts``; the plugin leaves out the templates folder Obsidian's settings name. A
        note outside the docs folder is no concern of the site's, and kept."""
        from mkdocs.structure.files import File, InclusionLevel, set_exclusions

        docs, real = self.docs_dir.resolve(), folder.resolve()
        files = {}
        for note in notes:
            located = real / note.relative_to(folder)  # the walk followed no link to a folder
            if located.is_relative_to(docs):  # excluded by its path in the docs folder, as MkDocs finds it
                files[note] = File(located.relative_to(docs).as_posix(), str(docs), "", True)
        set_exclusions(files.values(), self.config)
        kept = InclusionLevel.is_in_serve if drafts else InclusionLevel.is_included
        templates = tuple(f"{folder}/" for folder in template_folders(docs))
        return [note for note in notes if note not in files
                or kept(files[note].inclusion) and not files[note].src_uri.startswith(templates)]


def _project_context(project: _Project | None) -> Context:
    """Inside a project, repair as its builds do: share the repair model with them in their cache
    folder (instead of building it anew, seconds), and take the clean notes of its site as context,
    so that a damaged copy of one of them is restored from it byte for byte. Outside a project, no
    context."""
    if project is None:
        return Context()
    try:
        cachedir.make(project.cache)  # as the build makes it
        langmodel.use_cache(project.cache)
    except cachedir.CacheUnusable as error:
        # The build stops on it; a repair goes on, as outside a project: the cache only saves time.
        _say(f"vaultsite: {error}; repairing without it (the repair model is built anew, seconds)")
    docs = project.docs_dir
    clean = []
    for note in project.published(_folder_notes(docs)[0], docs, drafts=False) if docs.is_dir() else ():
        try:
            data = note.read_bytes()
        except OSError:
            continue  # the build reports it
        text = decode(data)[0]
        if b"\0" not in data and not may_need_repair(text):
            clean.append(text)
    return Context(clean)


def _cmd_fix_text(args: argparse.Namespace) -> int:
    context = _project_context(_Project.find())
    name = "stdin" if str(args.file) == "-" else str(args.file)
    try:
        data = sys.stdin.buffer.read() if name == "stdin" else args.file.read_bytes()
    except OSError as error:
        _say(f"vaultsite: cannot read {name}: {error.strerror}")
        return 2
    data, line = without_nul_bytes(data)
    if data is None:
        _say(f"vaultsite: {name}: binary data (NUL bytes), not a note")
        return 2
    if line:
        _say(f"vaultsite: {name}:{line}: NUL bytes in a note, left out, as the build does")
    result = repair_bytes(data, context)
    sys.stdout.write(result.text)
    _tell(name, result)
    return 0


def _cmd_fix(args: argparse.Namespace) -> int:
    project = _Project.find()
    context = _project_context(project)
    failed = False  # a note that cannot be read or written
    to_repair = 0  # in a dry run
    notes = list(_notes(args.paths, project))
    if not notes:  # (folders of none: it said nothing, as if all were well)
        _say("vaultsite fix: no notes in the paths given (Markdown files: *.md, *.markdown, *.mdown, *.mkdn, *.mkd)")
    for path in notes:
        try:
            data = path.read_bytes()
        except OSError as error:
            _say(f"vaultsite: cannot read {path}: {error.strerror}")
            failed = True
            continue
        text_bytes, line = without_nul_bytes(data)
        if text_bytes is None:
            _say(f"vaultsite: {path}: binary data (NUL bytes), not a note; left alone")
            continue
        result = repair_bytes(text_bytes, context)
        if not result.changed:
            continue
        if line:  # the repair leaves them out, as the build does
            _say(f"vaultsite: {path}:{line}: NUL bytes in a note, left out")
        if args.write:
            try:
                backup = _write_with_backup(path, data, result.text)
            except NotWritten as error:
                _say(f"vaultsite: {error}")
                failed = True
                continue
            _tell(path, result, f"; original kept as {backup}")
        else:
            sys.stdout.writelines(_diff(path, decode(data)[0], result))
            _tell(path, result)
            to_repair += 1
    if to_repair:  # a dry run that found repairs to make fails, as `black --check` does, for CI
        them = "1 note needs repair; vaultsite fix --write repairs it" if to_repair == 1 else \
            f"{to_repair} notes need repair; vaultsite fix --write repairs them"
        _say(f"vaultsite: {them}")
    # Distinct codes, for CI: notes to repair (1) are the vault's to mend; a note that could not
    # be read (2) leaves the answer unknown, as `check` exits 2 on a site it cannot read.
    return 2 if failed else 1 if to_repair else 0


def _diff(path: Path, old: str, result: RepairResult) -> list[str]:
    """The unified diff of a note's repair, its header even without a hunk; above it, for a note
    not in UTF-8, a line saying so: the diff compares texts, and would show nothing of a note that
    only changes encoding. (patch and git apply skip a line above a diff, as a commit message.)"""
    name = shown(str(path))
    hunks = list(difflib.unified_diff(old.splitlines(keepends=True), result.text.splitlines(keepends=True)))[2:]
    # A UTF-8 byte-order mark alone is no change (RepairResult.changed).
    encoding = [] if result.encoding in ("utf-8", "utf-8-sig") else \
        [f"{name}: read as {result.encoding}; --write rewrites it as UTF-8\n"]
    return [*encoding, f"--- a/{name}\n", f"+++ b/{name}\n", *hunks]


def _say(message: str) -> None:
    """Tell the user, on stderr; a file name that is not UTF-8 shows its bytes as escapes."""
    print(shown(message), file=sys.stderr)


def _tell(name: str | Path, result: RepairResult, after: str = "") -> None:
    """What the repair of ``name`` did, and each word of it to check, on stderr."""
    _say(f"{name}: {result.summary()}{after}")
    for guess in result.guesses:
        _say(f"{name}:{guess}")


def _notes(paths: Sequence[Path], project: _Project | None) -> Iterator[Path]:
    """The given files, and the notes under the given folders that the site does not leave out,
    in a stable order.

    A link (a symlink) is not followed out of the folder it is found in: out of a given folder,
    or, for a file given by its path, out of the project (the folder of mkdocs.yml; outside a
    project, the current folder). A file named by its real path is read wherever it is."""
    if project is None:
        top, where = Path.cwd().resolve(), "the current folder"
    else:
        top, where = project.folder, "the project folder"
    for path in paths:
        if path.is_dir():
            inside, outside = _folder_notes(path)
            for note in outside:
                _say(f"vaultsite: {note}: a link out of {path}, left alone")
            # A draft is kept: it is on its way to the site, and `mkdocs serve` shows it.
            yield from project.published(inside, path, drafts=True) if project else inside
            continue
        real = Path(os.path.realpath(path))
        if real != Path(os.path.abspath(path)) and not real.is_relative_to(top):
            _say(f"vaultsite: {path}: a link to {real}, out of {top} ({where}), left alone; "
                 f"name {real} itself to repair it")
            continue
        yield path  # a missing file is reported when it is read


def _folder_notes(folder: Path) -> tuple[list[Path], list[Path]]:
    """The notes under `folder` (the files MkDocs reads as pages: *.md, *.markdown, *.mdown, *.mkdn,
    *.mkd; a folder named `2024.md` is a folder), in a stable order: its own, and the symlinks that
    lead out of it, which (as in the build) are never read.

    Hidden files and folders (`.obsidian/`, `.trash/`, `.git/`) are not searched: MkDocs leaves
    every name starting with a dot out of the site (its default exclusion, `.*`)."""
    real = folder.resolve()
    notes = []
    for parent, folders, names in os.walk(folder):  # a link to a folder is not followed
        folders[:] = [name for name in folders if not name.startswith(".")]
        notes.extend(Path(parent, name) for name in names
                     if name.endswith(markdown_extensions) and not name.startswith("."))
    inside, outside = [], []
    for note in sorted(notes):
        (inside if note.resolve().is_relative_to(real) else outside).append(note)
    return inside, outside


class NotWritten(Exception):
    """A repair not made in place: the file that could not be written, why, and what became of the note."""

    def __init__(self, file: str, error: OSError, outcome: str) -> None:
        super().__init__(f"cannot write {file}: {error.strerror or error}; {outcome}")


def _write_with_backup(path: Path, original: bytes, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8 after saving ``original`` to a backup that did not
    exist before (NAME.md.orig, else NAME.md.orig.1, ...): no earlier backup is overwritten. The
    backup has the note's file times and permissions, and the note keeps its times.

    Raises :class:`NotWritten` naming the file that could not be written. The note is opened for
    writing first, so a note that cannot be written gets no backup, nor does one whose backup
    cannot be written change; only a write that fails halfway (a full disk) keeps the backup, as
    the one whole copy of the original."""
    try:
        note = path.open("r+b")
    except OSError as error:
        raise NotWritten(str(path), error, f"{path} is left as it was") from error
    with note:
        times = os.fstat(note.fileno())
        backup = _backup(path, original)
        try:
            note.write(text.encode("utf-8"))
            note.truncate()  # flushes first: nothing is left to fail when the file is closed
        except OSError as error:
            raise NotWritten(str(path), error, f"it may be cut short; its original is kept as {backup}") from error
    # A repair is no edit: the note keeps the time it was last written, which tells its versions apart.
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    return backup


def _backup(path: Path, original: bytes) -> Path:
    """Save ``original``, the bytes of ``path``, as a new NAME.md.orig (else NAME.md.orig.1, ...),
    with the file times and permissions of ``path``; raises :class:`NotWritten`, no backup left."""
    number = 0
    while True:
        backup = path.with_name(path.name + BACKUP_SUFFIX + (f".{number}" if number else ""))
        try:
            file = backup.open("xb")  # "x": fail rather than overwrite
        except FileExistsError:
            number += 1
            continue
        except OSError as error:
            raise NotWritten(f"the backup {backup}", error, f"{path} is left as it was") from error
        try:
            with file:
                file.write(original)
            # The original's file times (and permissions), as shutil.copy2 keeps them: restoring the
            # backup must not make the damaged version pass for the newest one.
            shutil.copystat(path, backup)
        except OSError as error:
            backup.unlink(missing_ok=True)
            raise NotWritten(f"the backup {backup}", error, f"{path} is left as it was") from error
        return backup


if __name__ == "__main__":  # python -m vaultsite.cli, as the console script
    sys.exit(main())
