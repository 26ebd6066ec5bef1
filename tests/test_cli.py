"""The `vaultsite` command, run as a user runs it: a subprocess, reading stdout, stderr and files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DAMAGED = "# 笔记\n\n深度学习，中文。\n".encode().replace(b"\xad", b"").decode("cp1254", errors="ignore")
REPAIRED = "# 笔记\n\n深度学习，中文。\n"
CLEAN = "# Clean\n\nTürkçe, Ελληνικά, 中文，“引号”, 👩🏼‍🏫\n"


def vaultsite(*args: str | Path, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from vaultsite.cli import main; sys.exit(main())"]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, input=stdin)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "damaged.md").write_text(DAMAGED, encoding="utf-8")
    (tmp_path / "notes" / "clean.md").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def test_fix_text_prints_repaired_text_and_a_summary(vault: Path) -> None:
    result = vaultsite("fix-text", "notes/damaged.md", cwd=vault)
    assert result.returncode == 0
    assert result.stdout == REPAIRED
    assert "notes/damaged.md: repaired" in result.stderr and "rebuilt" in result.stderr


@pytest.mark.parametrize("command", [("fix-text",), ("fix",), ("fix", "--write")])
def test_the_guesses_of_a_lossy_repair_are_listed_where_the_author_finds_them(vault: Path, command: tuple[str, ...]) -> None:
    """Lost bytes leave the repair more than one reading to choose from: each rebuilt word that
    another reading would make about as likely is listed as file:line:column, with that reading."""
    from test_repair import damage

    true = "# 周末计划\n\n周六上午去图书馆还书，下午和朋友在公园里跑步。\n晚上把这周的笔记整理一遍，再给老师写一封邮件。\n"
    (vault / "notes" / "lossy.md").write_text(damage(true, "cp1253"), encoding="utf-8")
    result = vaultsite(*command, "notes/lossy.md", cwd=vault)
    assert result.returncode == (1 if command == ("fix",) else 0)  # a dry run that finds a repair: 1
    guesses = re.findall(r'^notes/lossy\.md:(\d+):(\d+): "(.+)" may be "(.+)"$', result.stderr, re.MULTILINE)
    assert guesses and f"; {len(guesses)} guessed words to check)" in result.stderr
    if "--write" in command:
        lines = (vault / "notes" / "lossy.md").read_text(encoding="utf-8").split("\n")
    else:
        lines = vaultsite("fix-text", "notes/lossy.md", cwd=vault).stdout.split("\n")
    for line, column, shown, other in guesses:
        assert shown in lines[int(line) - 1] and len(other) == len(shown) and other != shown
        assert lines[int(line) - 1].index(shown) <= int(column) - 1 < lines[int(line) - 1].index(shown) + len(shown)


def test_fix_text_repairs_utf8_read_as_gbk(vault: Path) -> None:
    true = "# 循环神经网络\n\n长短期记忆网络解决了梯度消失的问题。\n"
    (vault / "notes" / "gbk.md").write_text(true.encode().decode("gbk", errors="replace"), encoding="utf-8")
    result = vaultsite("fix-text", "notes/gbk.md", cwd=vault)
    assert (result.returncode, result.stdout) == (0, true)
    assert "notes/gbk.md: repaired" in result.stderr


def test_fix_text_reads_a_shift_jis_note_read_as_latin1_as_shift_jis(vault: Path) -> None:
    true = "# 読書メモ\n\n勾配降下法は、損失が小さくなる方向へ少しずつ進みます。\n"
    (vault / "notes" / "sjis.md").write_text(true.encode("cp932").decode("latin-1"), encoding="utf-8")
    result = vaultsite("fix-text", "notes/sjis.md", cwd=vault)
    assert (result.returncode, result.stdout) == (0, true)
    assert "notes/sjis.md: repaired" in result.stderr and "(cp932 read as latin-1;" in result.stderr


def test_fix_text_prints_clean_text_unchanged(vault: Path) -> None:
    result = vaultsite("fix-text", "notes/clean.md", cwd=vault)
    assert (result.returncode, result.stdout) == (0, CLEAN)
    assert "no repair needed" in result.stderr


def test_an_empty_note_needs_no_repair(vault: Path) -> None:
    """An empty note was read as UTF-16: `fix` failed on it, and `fix --write` backed it up anew
    each time it ran."""
    (vault / "notes" / "empty.md").write_bytes(b"")
    assert (vaultsite("fix", "notes/empty.md", cwd=vault).returncode, vaultsite(
        "fix", "--write", "notes/empty.md", cwd=vault).returncode) == (0, 0)
    assert not list(vault.rglob("*.orig*"))
    result = vaultsite("fix-text", "notes/empty.md", cwd=vault)
    assert (result.returncode, result.stdout) == (0, "") and "no repair needed" in result.stderr


def test_fix_text_in_a_project_shares_the_model_cache_of_its_builds(vault: Path) -> None:
    (vault / "mkdocs.yml").write_text("site_name: Notes\n", encoding="utf-8")
    first = vaultsite("fix-text", "damaged.md", cwd=vault / "notes")
    cache = vault / ".cache" / "vaultsite"
    written = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert sorted(name.rsplit(".", 1)[1] for name in written) == ["chars", "pairs", "words"]
    again = vaultsite("fix-text", "damaged.md", cwd=vault / "notes")
    assert first.stdout == again.stdout == REPAIRED
    # The second command mapped the model the first one kept, and wrote nothing.
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == written


def test_fix_text_uses_the_cache_folder_that_mkdocs_yml_sets(vault: Path) -> None:
    (vault / "mkdocs.yml").write_text(
        "site_name: Notes\ndocs_dir: notes\nplugins:\n  - vaultsite:\n      cache_dir: build-cache\n", encoding="utf-8"
    )
    result = vaultsite("fix-text", "damaged.md", cwd=vault / "notes")
    assert result.stdout == REPAIRED
    assert sorted(path.name.rsplit(".", 1)[1] for path in (vault / "build-cache").iterdir()) == ["chars", "pairs", "words"]
    assert not (vault / ".cache").exists()


@pytest.mark.parametrize("command, code", [(("fix-text", "damaged.md"), 0), (("fix", "."), 1)])
def test_a_cache_folder_that_cannot_be_made_is_named_and_the_repair_goes_on(vault: Path, command, code) -> None:
    """`.cache` a file next to mkdocs.yml: the build stops on it; a command says so and repairs
    without the cache, which only saves time."""
    (vault / "mkdocs.yml").write_text("site_name: Notes\ndocs_dir: notes\n", encoding="utf-8")
    (vault / ".cache").write_text("", encoding="utf-8")
    result = vaultsite(*command, cwd=vault / "notes")
    assert result.returncode == code and "深度学习" in result.stdout
    assert result.stderr.startswith(
        f"vaultsite: cannot make the cache folder {vault.resolve() / '.cache' / 'vaultsite'}: "
        f"{vault.resolve() / '.cache'} is a file, not a folder; move it, or set another cache_dir for the plugin "
        "in mkdocs.yml; repairing without it (the repair model is built anew, seconds)\n")


def test_fix_text_outside_a_project_writes_nothing(vault: Path) -> None:
    vaultsite("fix-text", "notes/damaged.md", cwd=vault)
    assert sorted(path.name for path in vault.iterdir()) == ["notes"]


def test_fix_shows_a_diff_and_changes_nothing(vault: Path) -> None:
    """A dry run exits 1 when a note needs repair (so CI can stop on it, as `black --check`
    does), 0 when none does."""
    result = vaultsite("fix", "notes", cwd=vault)
    assert result.returncode == 1
    assert "--- a/notes/damaged.md" in result.stdout and "+深度学习，中文。" in result.stdout
    assert "clean.md" not in result.stdout
    assert result.stderr.splitlines()[-1] == "vaultsite: 1 note needs repair; vaultsite fix --write repairs it"
    assert (vault / "notes" / "damaged.md").read_text(encoding="utf-8") == DAMAGED
    assert not list(vault.rglob("*.orig"))
    clean = vaultsite("fix", "notes/clean.md", cwd=vault)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_a_folder_holds_the_notes_the_build_reads_and_a_folder_named_like_a_note_is_a_folder(vault: Path) -> None:
    """Every Markdown extension MkDocs reads as a page (.md, .markdown, .mdown, .mkdn, .mkd) is a
    note; `notes/2024.md/` is a folder, its notes found like the others."""
    names = ["old.markdown", "a.mdown", "b.mkdn", "c.mkd", "2024.md/inner.md"]
    for name in names:
        (vault / "notes" / name).parent.mkdir(exist_ok=True)
        (vault / "notes" / name).write_text(DAMAGED, encoding="utf-8")
    (vault / "notes" / "picture.txt").write_text(DAMAGED, encoding="utf-8")  # not a note
    result = vaultsite("fix", "--write", "notes", cwd=vault)
    assert result.returncode == 0, result.stderr
    assert "cannot read" not in result.stderr
    for name in [*names, "damaged.md"]:
        assert (vault / "notes" / name).read_text(encoding="utf-8") == REPAIRED, name
        assert f"notes/{name}: repaired" in result.stderr
    assert (vault / "notes" / "picture.txt").read_text(encoding="utf-8") == DAMAGED


def test_a_note_whose_name_is_not_utf8_is_repaired_and_named_with_its_bytes_escaped(vault: Path, monkeypatch) -> None:
    """`touch $'caf\\xe9.md'` on Linux: the diff and the messages name it `caf\\xe9.md`, even where
    the output is strict UTF-8 (it stopped the command with a UnicodeEncodeError)."""
    monkeypatch.setenv("PYTHONIOENCODING", "utf-8")
    note = vault / "notes" / os.fsdecode(b"caf\xe9.md")
    note.write_text(DAMAGED, encoding="utf-8")
    result = vaultsite("fix", "notes", cwd=vault)
    assert result.returncode == 1, result.stderr
    assert "--- a/notes/caf\\xe9.md\n+++ b/notes/caf\\xe9.md\n" in result.stdout
    assert "notes/caf\\xe9.md: repaired" in result.stderr
    written = vaultsite("fix", "--write", "notes", cwd=vault)
    assert "original kept as notes/caf\\xe9.md.orig" in written.stderr
    assert note.read_text(encoding="utf-8") == REPAIRED


def test_a_folder_leaves_out_hidden_files_and_folders_as_mkdocs_does(vault: Path) -> None:
    """Obsidian's settings (.obsidian/), its trash (.trash/), .git/ and a hidden note are no part
    of the site, which leaves out every name starting with a dot: `fix` reads none of them. A
    hidden note named by its path is repaired."""
    hidden = [".obsidian/plugins/tool/README.md", ".trash/deleted.md", ".git/notes.md", "sub/.draft.md"]
    for name in hidden:
        (vault / "notes" / name).parent.mkdir(parents=True, exist_ok=True)
        (vault / "notes" / name).write_text(DAMAGED, encoding="utf-8")
    result = vaultsite("fix", "--write", "notes", cwd=vault)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [line for line in result.stderr.splitlines() if "notes/damaged.md" in line]
    for name in hidden:
        assert (vault / "notes" / name).read_text(encoding="utf-8") == DAMAGED, name
    assert vaultsite("fix", "--write", "notes/.trash/deleted.md", cwd=vault).returncode == 0
    assert (vault / "notes" / ".trash" / "deleted.md").read_text(encoding="utf-8") == REPAIRED


def test_fix_write_repairs_in_place_and_keeps_every_backup(vault: Path) -> None:
    note = vault / "notes" / "damaged.md"
    (vault / "notes" / "damaged.md.orig").write_text("an older backup", encoding="utf-8")
    result = vaultsite("fix", "--write", "notes", cwd=vault)
    assert result.returncode == 0, result.stderr
    assert note.read_text(encoding="utf-8") == REPAIRED
    assert (vault / "notes" / "damaged.md.orig").read_text(encoding="utf-8") == "an older backup"
    assert (vault / "notes" / "damaged.md.orig.1").read_text(encoding="utf-8") == DAMAGED
    assert (vault / "notes" / "clean.md").read_text(encoding="utf-8") == CLEAN
    assert not (vault / "notes" / "clean.md.orig").exists()
    # A second run finds nothing left to repair.
    assert vaultsite("fix", "--write", "notes", cwd=vault).stdout == ""
    assert not (vault / "notes" / "damaged.md.orig.2").exists()


def test_fix_write_keeps_the_time_the_note_was_last_written(vault: Path) -> None:
    """A repair is no edit: a repaired copy must not pass for the newest version of its note."""
    note = vault / "notes" / "damaged.md"
    os.utime(note, ns=(1_600_000_000_000_000_000,) * 2)
    assert vaultsite("fix", "--write", note, cwd=vault).returncode == 0
    assert note.read_text(encoding="utf-8") == REPAIRED
    assert note.stat().st_mtime_ns == 1_600_000_000_000_000_000


def test_the_backup_keeps_the_times_and_permissions_of_the_original(vault: Path) -> None:
    """Restoring a backup must not make the damaged version pass for the newest one: the backup
    has the original's file times (and its permissions: a private note stays private)."""
    note = vault / "notes" / "damaged.md"
    os.utime(note, ns=(1_600_000_000_000_000_000,) * 2)
    note.chmod(0o600)
    assert vaultsite("fix", "--write", note, cwd=vault).returncode == 0
    backup = vault / "notes" / "damaged.md.orig"
    assert backup.read_text(encoding="utf-8") == DAMAGED
    assert backup.stat().st_mtime_ns == note.stat().st_mtime_ns == 1_600_000_000_000_000_000
    assert backup.stat().st_mode & 0o777 == 0o600


# Two lines that the model alone reads wrong through cp1253 ("请战", "中学"): only the clean note
# they were copied from can tell.
TWIN = "# 会议\n\n请把会议记录整理好，并在星期五之前发给所有参加会议的同事。\n看病和上学都很方便。\n"


def test_in_a_project_a_damaged_copy_is_restored_from_its_clean_twin_as_the_build_does(vault: Path) -> None:
    from test_repair import damage

    (vault / "mkdocs.yml").write_text("site_name: Notes\ndocs_dir: notes\n", encoding="utf-8")
    (vault / "notes" / "会议.md").write_text(TWIN, encoding="utf-8")
    copy = vault / "notes" / "会议 (Windows copy).md"
    copy.write_text(damage(TWIN, "cp1253"), encoding="utf-8")
    assert vaultsite("fix-text", copy, cwd=vault).stdout == TWIN
    assert vaultsite("fix", "--write", "notes", cwd=vault).returncode == 0
    assert copy.read_text(encoding="utf-8") == TWIN
    # Outside the project, the model alone decides, and it cannot.
    outside = vault.with_name(vault.name + "-elsewhere")
    outside.mkdir()
    (outside / "copy.md").write_text(damage(TWIN, "cp1253"), encoding="utf-8")
    assert vaultsite("fix-text", "copy.md", cwd=outside).stdout != TWIN


def test_no_note_linked_from_outside_the_folder_is_read(vault: Path) -> None:
    """A symlink in the vault to a note elsewhere: the build never reads it, nor does `fix`."""
    outside = vault.with_name(vault.name + "-outside")
    outside.mkdir()
    (outside / "secret.md").write_text(DAMAGED, encoding="utf-8")
    (vault / "notes" / "linked.md").symlink_to(outside / "secret.md")
    (vault / "mkdocs.yml").write_text("site_name: Notes\ndocs_dir: notes\n", encoding="utf-8")
    recording = ("import sys; sys.addaudithook(lambda event, args: event == 'open' and isinstance(args[0], str) "
                 "and print('opened', args[0], file=sys.stderr)); from vaultsite.cli import main; sys.exit(main())")
    result = subprocess.run([sys.executable, "-c", recording, "fix", "notes"], cwd=vault, capture_output=True,
                            text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 1, result.stderr  # the vault's own damaged note needs repair
    assert "notes/linked.md: a link out of notes, left alone" in result.stderr
    opened = [Path(line.split(" ", 1)[1]).resolve() for line in result.stderr.splitlines() if line.startswith("opened ")]
    assert not [path for path in opened if path.is_relative_to(outside)]
    assert "+深度学习，中文。" in result.stdout  # the vault's own damaged note is still shown


@pytest.mark.parametrize("project", [True, False])
def test_a_note_given_by_a_link_out_of_the_project_is_left_alone_as_in_a_folder(vault: Path, project: bool) -> None:
    """`fix --write notes/linked.md`, a symlink to a note outside the project (the folder of
    mkdocs.yml, or the current folder outside a project): not followed, as in folder mode; a link
    to a note inside it is."""
    outside = vault.with_name(vault.name + "-outside")
    outside.mkdir()
    (outside / "secret.md").write_text(DAMAGED, encoding="utf-8")
    (vault / "notes" / "linked.md").symlink_to(outside / "secret.md")
    (vault / "notes" / "alias.md").symlink_to("damaged.md")
    cwd = vault
    if project:
        (vault / "mkdocs.yml").write_text("site_name: Notes\ndocs_dir: notes\n", encoding="utf-8")
        (vault / "drafts").mkdir()
        (vault / "drafts" / "draft.md").write_text(DAMAGED, encoding="utf-8")
        (vault / "notes" / "draft.md").symlink_to("../drafts/draft.md")  # out of cwd, in the project
        cwd = vault / "notes"
    names = ["linked.md", "alias.md", *(["draft.md"] if project else [])]
    paths = [os.path.relpath(vault / "notes" / name, cwd) for name in names]
    result = vaultsite("fix", "--write", *paths, cwd=cwd)
    assert result.returncode == 0, result.stderr
    folder = vault.resolve() if project else cwd.resolve()
    assert f"vaultsite: {paths[0]}: a link to {(outside / 'secret.md').resolve()}, out of {folder}" in result.stderr
    assert "left alone" in result.stderr
    assert (outside / "secret.md").read_text(encoding="utf-8") == DAMAGED
    assert sorted(path.name for path in outside.iterdir()) == ["secret.md"]
    assert not (vault / "notes" / "linked.md.orig").exists()
    assert (vault / "notes" / "damaged.md").read_text(encoding="utf-8") == REPAIRED
    if project:
        assert (vault / "drafts" / "draft.md").read_text(encoding="utf-8") == REPAIRED


def test_fix_text_reads_stdin_and_refuses_binary_data(vault: Path) -> None:
    assert vaultsite("fix-text", "-", cwd=vault, stdin=DAMAGED).stdout == REPAIRED
    (vault / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    result = vaultsite("fix-text", "image.md", cwd=vault)
    assert (result.returncode, result.stdout) == (2, "")
    assert "image.md: binary data" in result.stderr
    missing = vaultsite("fix-text", "missing.md", cwd=vault)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert "vaultsite: cannot read missing.md: No such file or directory" in missing.stderr


def test_stray_nul_bytes_past_the_start_are_left_out_as_the_build_does(vault: Path) -> None:
    """The build publishes a note with a NUL byte after its first 8,000 bytes (git's test for
    binary data), without the NUL; the commands repair it the same way, the original kept."""
    data = DAMAGED.encode() + b"x" * 8000 + b"\nend\0.\n"
    (vault / "late.md").write_bytes(data)
    repaired = REPAIRED + "x" * 8000 + "\nend.\n"
    result = vaultsite("fix-text", "late.md", cwd=vault)
    assert (result.returncode, result.stdout) == (0, repaired)
    assert "late.md:5: NUL bytes in a note, left out" in result.stderr
    result = vaultsite("fix", "--write", "late.md", cwd=vault)
    assert result.returncode == 0 and "late.md:5: NUL bytes in a note, left out" in result.stderr
    assert (vault / "late.md").read_text(encoding="utf-8") == repaired
    assert (vault / "late.md.orig").read_bytes() == data


def test_unreadable_file_is_named_and_the_others_still_processed(vault: Path) -> None:
    result = vaultsite("fix", "--write", "notes/missing.md", "notes/damaged.md", cwd=vault)
    assert result.returncode == 2
    assert "cannot read notes/missing.md" in result.stderr
    assert (vault / "notes" / "damaged.md").read_text(encoding="utf-8") == REPAIRED


def test_a_dry_run_tells_a_note_it_cannot_read_from_one_that_needs_repair(vault: Path) -> None:
    """Exit code 1: a note needs repair; 2: a note cannot be read (whatever the others need),
    so CI tells a vault to repair from a check that could not be made."""
    (vault / "notes" / "gone.md").symlink_to("nowhere.md")  # a link to a note deleted since
    unreadable = vaultsite("fix", "notes", cwd=vault)
    assert unreadable.returncode == 2
    assert "vaultsite: cannot read notes/gone.md: No such file or directory" in unreadable.stderr
    assert "+深度学习，中文。" in unreadable.stdout  # the other note's repair is still shown
    (vault / "notes" / "damaged.md").write_text(REPAIRED, encoding="utf-8")
    assert vaultsite("fix", "notes", cwd=vault).returncode == 2
    (vault / "notes" / "gone.md").unlink()
    assert vaultsite("fix", "notes", cwd=vault).returncode == 0


@pytest.fixture
def read_only():
    """Make a file that this process cannot write: read-only (chmod 444) for a user; root writes
    those anyway, so for root it is made immutable (chattr +i), or the test is skipped."""
    made: list[Path] = []

    def make(path: Path) -> None:
        path.chmod(0o444)
        if os.geteuid() != 0:
            return
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", path], capture_output=True).returncode:
            pytest.skip("root writes a read-only file anyway, and chattr +i (immutable) fails on this file system")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", path], check=True)


def test_a_note_that_cannot_be_written_is_named_and_no_backup_is_left(vault: Path, read_only) -> None:
    note = vault / "notes" / "ro.md"
    note.write_text(DAMAGED, encoding="utf-8")
    read_only(note)
    for _ in range(2):  # each attempt alike: no backup piles up
        result = vaultsite("fix", "--write", "notes/ro.md", "notes/damaged.md", cwd=vault)
        assert result.returncode == 2
        assert "vaultsite: cannot write notes/ro.md: " in result.stderr
        assert "notes/ro.md is left as it was" in result.stderr
        assert sorted(path.name for path in (vault / "notes").glob("ro.md*")) == ["ro.md"]
    assert note.read_text(encoding="utf-8") == DAMAGED
    # The other note was repaired, its original kept.
    assert (vault / "notes" / "damaged.md").read_text(encoding="utf-8") == REPAIRED
    assert (vault / "notes" / "damaged.md.orig").read_text(encoding="utf-8") == DAMAGED


def test_a_backup_that_cannot_be_written_is_named_and_the_note_left_alone(vault: Path) -> None:
    name = "长" * 83 + ".md"  # 252 bytes in UTF-8; its backup, 257, is too long a name for the disk
    note = vault / "notes" / name
    note.write_text(DAMAGED, encoding="utf-8")
    result = vaultsite("fix", "--write", "notes", cwd=vault)
    assert result.returncode == 2
    assert f"vaultsite: cannot write the backup notes/{name}.orig: File name too long" in result.stderr
    assert f"notes/{name} is left as it was" in result.stderr
    assert note.read_text(encoding="utf-8") == DAMAGED
    assert (vault / "notes" / "damaged.md").read_text(encoding="utf-8") == REPAIRED


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le café était fermé, alors nous avons marché jusqu'à la gare près de l'hôtel.\n" * 3, "cp1252"),
        ("# 会議メモ\n\n明日の会議は十時からです。\n", "iso2022_jp"),  # saved from an e-mail
    ],
)
def test_legacy_encoding_is_converted_to_utf8(vault: Path, text: str, encoding: str) -> None:
    (vault / "legacy.md").write_bytes(text.encode(encoding))
    result = vaultsite("fix", "--write", "legacy.md", cwd=vault)
    assert result.returncode == 0
    assert f"decoded from {encoding}" in result.stderr
    assert (vault / "legacy.md").read_text(encoding="utf-8") == text
    assert (vault / "legacy.md.orig").read_bytes() == text.encode(encoding)


@pytest.mark.parametrize(
    ("text", "encoding", "read_as"),
    [
        ("Le café était fermé, alors nous avons marché jusqu'à la gare près de l'hôtel.\n" * 3, "cp1252",
         "cp1252"),
        ("# 会议\n\n明天上午十点在三楼开会，请大家准时参加。\n", "gbk", "gb18030"),
    ],
)
def test_a_dry_run_says_a_note_not_in_utf8_is_rewritten_as_utf8(vault: Path, text: str, encoding: str,
                                                                  read_as: str) -> None:
    """Its text needs no repair, so the diff has no line to show: the author is told on stdout,
    with the diff, what `--write` does to the note (its header alone when nothing else changes)."""
    (vault / "legacy.md").write_bytes(text.encode(encoding))
    result = vaultsite("fix", "legacy.md", cwd=vault)
    assert result.returncode == 1
    assert result.stdout == (f"legacy.md: read as {read_as}; --write rewrites it as UTF-8\n"
                             "--- a/legacy.md\n+++ b/legacy.md\n")
    # A UTF-8 note's diff has no such line.
    assert vaultsite("fix", "notes/damaged.md", cwd=vault).stdout.startswith("--- a/notes/damaged.md\n")


@pytest.mark.parametrize("report", ["reports/links.xml", "reports/ci/links.xml"])
def test_a_junit_report_whose_folder_is_a_file_names_the_file(tmp_path: Path, report: str) -> None:
    """`check --junit reports/links.xml` where `reports` is a file: "File exists" (or "Not a
    directory") named neither the file in the way nor what to do."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>fine</p>", encoding="utf-8")
    (tmp_path / "reports").write_text("a file, not a folder", encoding="utf-8")
    result = vaultsite("check", "site", "--junit", report, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"vaultsite check: cannot write the JUnit report {report}: "
                             "reports is a file, not a folder\n")


EXCLUDING = "site_name: Notes\ndocs_dir: notes\nexclude_docs: |\n  private/\n  *.excalidraw.md\ndraft_docs: drafts/\n"


@pytest.mark.parametrize("where, folder", [("vault", "notes"), ("notes", "."), ("vault", ".")])
def test_a_folder_leaves_out_what_the_project_excludes_from_its_site(vault: Path, where: str, folder: str) -> None:
    """In a project, the notes MkDocs leaves out of its site (`exclude_docs`, and its own default,
    the docs folder's `templates/`: Obsidian's templates; and the templates folder Obsidian's settings
    name) are no more read by `fix` than by the build, wherever the folder given sits around the
    docs folder; named by their path, they are repaired. A draft, which `mkdocs serve` shows, is on
    its way to the site: repaired."""
    (vault / "mkdocs.yml").write_text(EXCLUDING, encoding="utf-8")
    (vault / "notes" / ".obsidian").mkdir(parents=True, exist_ok=True)
    (vault / "notes" / ".obsidian" / "templates.json").write_text('{"folder": "Tpl"}', encoding="utf-8")
    excluded = ["private/diary.md", "sub/drawing.excalidraw.md", "templates/daily.md", "Tpl/weekly.md"]
    kept = ["damaged.md", "sub/templates/kept.md", "drafts/idea.md"]  # `/templates/` is the docs folder's own
    for name in [*excluded, *kept]:
        (vault / "notes" / name).parent.mkdir(parents=True, exist_ok=True)
        (vault / "notes" / name).write_text(DAMAGED, encoding="utf-8")
    result = vaultsite("fix", "--write", folder, cwd=vault / where if where == "notes" else vault)
    assert result.returncode == 0, result.stderr
    for name in excluded:
        assert (vault / "notes" / name).read_text(encoding="utf-8") == DAMAGED, name
        assert not (vault / "notes" / f"{name}.orig").exists()
    for name in kept:
        assert (vault / "notes" / name).read_text(encoding="utf-8") == REPAIRED, name
    assert vaultsite("fix", "--write", "notes/private/diary.md", cwd=vault).returncode == 0
    assert (vault / "notes" / "private" / "diary.md").read_text(encoding="utf-8") == REPAIRED


@pytest.mark.parametrize("folder", ["private", "drafts"])
def test_a_note_the_build_leaves_out_is_no_clean_twin_as_the_build_reads_none(vault: Path, folder: str) -> None:
    """The build repairs with the notes it publishes as context (no draft): `fix` takes no other."""
    from test_repair import damage

    (vault / "mkdocs.yml").write_text(EXCLUDING, encoding="utf-8")
    (vault / "notes" / folder).mkdir()
    (vault / "notes" / folder / "会议.md").write_text(TWIN, encoding="utf-8")
    (vault / "notes" / "copy.md").write_text(damage(TWIN, "cp1253"), encoding="utf-8")
    assert vaultsite("fix-text", "notes/copy.md", cwd=vault).stdout != TWIN


def test_ctrl_c_stops_a_command_with_a_word_not_a_traceback(monkeypatch, capsys) -> None:
    """Ctrl-C during `check --external` or `fix-text` printed a KeyboardInterrupt traceback."""
    from vaultsite import cli

    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "_cmd_fix_text", interrupted)
    assert cli.main(["fix-text", "note.md"]) == 130
    assert capsys.readouterr().err == "vaultsite fix-text: interrupted\n"


def test_fix_says_when_the_paths_hold_no_notes(vault: Path) -> None:
    """A folder of none (a `.canvas` alone) gave no word at all, as if every note were well."""
    (vault / "boards").mkdir()
    (vault / "boards" / "board.canvas").write_text("{}", encoding="utf-8")
    (vault / "empty").mkdir()
    result = vaultsite("fix", "boards", "empty", cwd=vault)
    assert (result.returncode, result.stderr) == (
        0, "vaultsite fix: no notes in the paths given (Markdown files: *.md, *.markdown, *.mdown, *.mkdn, *.mkd)\n")
