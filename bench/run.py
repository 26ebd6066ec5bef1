"""The whole benchmark in one command: prints a Markdown report and writes it to bench/RESULTS.md.

    python bench/run.py [--sizes 100,1000,10000] [--repeat 3] [--quick] [--out bench/RESULTS.md]

What it measures, each figure against a baseline measured in the same run (in turns, so a busy
machine slows both alike; read the ratios, the seconds depend on the machine):

1. Builds of a synthetic vault (bench/vaultgen.py) of N notes with the project's own mkdocs.yml
   (not strict), in turns: with vaultsite; the same config with the `vaultsite` plugin removed
   (plain Material); and plain Material plus each alternative link plugin from PyPI that
   installs (mkdocs-roamlinks-plugin, mkdocs-ezlinks-plugin). Each build is its own `mkdocs
   build` process: the median wall time of `--repeat` turns, notes per second, and the peak
   resident memory of the process (`wait4` rusage). The repair model's cache is primed once per
   vault beforehand (it is built once per machine, see langmodel.use_cache).
   Where the overhead goes: the plugin's seconds by step, from the build report it writes
   (`seconds` in .cache/vaultsite/report.json), and the rest of the difference to plain Material.
2. Incremental: the real vault (docs/) built cold (empty cache: the notebooks run) and warm.
3. Live reload: `mkdocs serve --livereload` on a copy of docs/ and on a synthetic vault of 1,000
   notes (as it is, and with `--dirty`), a page open in headless Chromium, a note saved: seconds
   until the page in the browser shows the edit by itself.
4. Mojibake repair throughput against ftfy (bench_repair.py) and grouping of note versions at
   1,000 and 10,000 notes (bench_dedup.py).

`--quick` is 100 and 1,000 notes, one turn, for a look in about three minutes. The default run
takes about eleven minutes on two cores; at 10,000 notes each build runs once, and the
alternative plugins only up to `--alternatives-up-to` notes (default 1,000).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(BENCH))

import vaultgen  # noqa: E402

PYTHON = sys.executable
ALTERNATIVES = {"roamlinks": "mkdocs-roamlinks-plugin", "ezlinks": "mkdocs-ezlinks-plugin"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
GOAL_OVERHEAD = 1.25


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- configs and builds -------------------------------------------------------------------------

def site_config(variant: str) -> str:
    """The project's mkdocs.yml for `docs/` (not strict), with the plugins of `variant`."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if variant == "vaultsite":
        return text
    assert "\n  - vaultsite\n" in text
    replacement = "\n" if variant == "plain" else f"\n  - {variant}\n"
    return text.replace("\n  - vaultsite\n", replacement)


def build(project: Path, variant: str) -> tuple[float, float, int]:
    """One `mkdocs build` of `variant`: (seconds, peak RSS in MB, exit status)."""
    site = project / f"site-{variant}"
    shutil.rmtree(site, ignore_errors=True)
    out = (project / f"build-{variant}.log").open("w", encoding="utf-8")
    start = time.perf_counter()
    process = subprocess.Popen([PYTHON, "-m", "mkdocs", "build", "-f", f"{variant}.yml", "-d", site.name],
                               cwd=project, stdout=out, stderr=subprocess.STDOUT,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    out.close()
    return seconds, usage.ru_maxrss / 1024, process.returncode


def installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def prime_repair_model(project: Path) -> None:
    """Build the repair model's cache for `project` (as the first build on a machine would)."""
    code = ("import sys; from pathlib import Path; from vaultsite import langmodel; "
            "langmodel.use_cache(Path(sys.argv[1])); langmodel.default_model()")
    subprocess.run([PYTHON, "-c", code, str(project / ".cache" / "vaultsite")], check=True, cwd=project)


def bench_builds(work: Path, sizes: list[int], repeat: int,
                 alternatives_up_to: int) -> tuple[str, list[str], str]:
    alternatives = [name for name, package in ALTERNATIVES.items() if installed(package)]
    notes_out = [f"- {package}: not installed (`pip install {package}` failed or was not run), not measured"
                 for name, package in ALTERNATIVES.items() if name not in alternatives]
    rows = []
    per_note: dict[int, tuple[float, float]] = {}
    steps: dict[int, tuple[dict[str, float], float]] = {}  # the plugin's seconds by step, the overhead
    for n in sizes:
        project = work / f"vault-{n}"
        log(f"generating {n} notes")
        vault = vaultgen.generate(project, n)
        variants = ["vaultsite", "plain"] + (alternatives if n <= alternatives_up_to else [])
        for variant in variants:
            (project / f"{variant}.yml").write_text(site_config(variant), encoding="utf-8")
        prime_repair_model(project)
        turns = repeat if n < 10_000 else 1
        times: dict[str, list[float]] = {v: [] for v in variants}
        memory: dict[str, float] = {v: 0.0 for v in variants}
        failed: dict[str, int] = {}
        for turn in range(turns):
            order = variants[turn % len(variants):] + variants[:turn % len(variants)]
            for variant in order:
                seconds, peak, status = build(project, variant)
                log(f"{n} notes, {variant}: {seconds:.1f} s, {peak:.0f} MB" + (f", exit {status}" if status else ""))
                if status:
                    failed[variant] = status
                times[variant].append(seconds)
                memory[variant] = max(memory[variant], peak)
        median = {v: statistics.median(t) for v, t in times.items()}
        ours, plain = median["vaultsite"], median["plain"]
        per_note[n] = (ours / n, plain / n)
        report = project / ".cache" / "vaultsite" / "report.json"
        if report.is_file():
            steps[n] = (json.loads(report.read_text(encoding="utf-8"))["seconds"], ours - plain)
        cells = []
        for name in ALTERNATIVES:
            if name not in alternatives:
                cells.append("not installed")
            elif name not in median:
                cells.append("–")
            elif name in failed:
                cells.append(f"build failed (exit {failed[name]})")
            else:
                cells.append(f"{median[name]:.1f} s ({median[name] / ours:.2f}×)")
        goal = "" if n < 1000 else (" ✅" if ours / plain <= GOAL_OVERHEAD else " ❌")
        status = " (failed)" if "vaultsite" in failed else ""
        rows.append(f"| {n:,} | {vault.bytes / 1e6:.1f} MB | {turns} | {plain:.1f} s | {ours:.1f} s{status} | "
                    f"**{ours / plain:.2f}×**{goal} | {n / ours:.0f} | {memory['vaultsite']:.0f} / {memory['plain']:.0f} | "
                    + " | ".join(cells) + " |")
        shutil.rmtree(project, ignore_errors=True)
    header = ("| notes | vault | turns | plain Material | with vaultsite | vaultsite / plain | notes/s (vaultsite) "
              "| peak MB (vaultsite / plain) | " + " | ".join(f"{n} (÷ vaultsite)" for n in ALTERNATIVES) + " |")
    table = [header, "|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(ALTERNATIVES), *rows]
    sizes_big = [n for n in sorted(per_note) if n >= 1000] or sorted(per_note)
    if len(sizes_big) > 1:
        small, large = sizes_big[0], sizes_big[-1]
        table.append("")
        table.append(f"Cost per note at {large:,} notes ÷ at {small:,}: vaultsite "
                     f"{per_note[large][0] / per_note[small][0]:.2f}×, plain Material "
                     f"{per_note[large][1] / per_note[small][1]:.2f}× (1.00× is linear).")
        overhead = {n: (per_note[n][0] - per_note[n][1]) for n in (small, large)}
        table.append(f"The plugin's own share per note (vaultsite − plain): {overhead[small] * 1e3:.1f} ms at "
                     f"{small:,}, {overhead[large] * 1e3:.1f} ms at {large:,}.")
    return "\n".join(table), notes_out, where_the_time_goes(steps)


def where_the_time_goes(steps: dict[int, tuple[dict[str, float], float]]) -> str:
    """A table of the plugin's own steps (its report.json, last turn) against the whole overhead
    (median vaultsite − median plain); the rest is MkDocs and Material rendering the plugin's pages."""
    sizes = [n for n in sorted(steps) if n >= 1000] or sorted(steps)
    names = list(dict.fromkeys(name for n in sizes for name in steps[n][0]))
    rows = []
    for event in dict.fromkeys(name.split(": ")[0] for name in names):
        inside = [name for name in names if name.startswith(f"{event}: ")]
        # An event's own total where the plugin times it, else the sum of its steps.
        total = {n: steps[n][0].get(event, sum(steps[n][0].get(name, 0.0) for name in inside)) for n in sizes}
        rows.append(f"| `{event}` | " + " | ".join(f"{total[n]:.2f} s" for n in sizes) + " |")
        for name in inside:
            rows.append(f"| &nbsp;&nbsp;· {name.split(': ', 1)[1]} | "
                        + " | ".join(f"{steps[n][0].get(name, 0.0):.2f} s" for n in sizes) + " |")
    # All the plugin's time: on_files' steps are inside its own total, the others are not nested.
    ours = {n: sum(s for name, s in steps[n][0].items() if not name.startswith("on_files: ")) for n in sizes}
    rows.append("| MkDocs and Material on the plugin's pages (the rest) | "
                + " | ".join(f"{steps[n][1] - ours[n]:.2f} s" for n in sizes) + " |")
    rows.append("| **whole overhead (vaultsite − plain)** | " + " | ".join(f"**{steps[n][1]:.2f} s**" for n in sizes) + " |")
    header = "| step | " + " | ".join(f"{n:,} notes" for n in sizes) + " |"
    return "\n".join([header, "|---|" + "---:|" * len(sizes), *rows])


# --- the real vault: cold and warm, and live reload ----------------------------------------------

def copy_project(work: Path, name: str) -> Path:
    project = work / name
    shutil.copytree(ROOT / "docs", project / "docs")
    (project / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    return project


def bench_incremental(work: Path, repeat: int) -> tuple[str, Path]:
    project = copy_project(work, "real")
    (project / "vaultsite.yml").write_text((project / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    cold, cold_mb, status = build(project, "vaultsite")
    executed = (project / "build-vaultsite.log").read_text(encoding="utf-8").count(": executed ")
    log(f"docs/ cold: {cold:.1f} s, {executed} notebooks executed")
    warm_runs = []
    for _ in range(max(repeat, 2)):
        seconds, warm_mb, status = build(project, "vaultsite")
        warm_runs.append(seconds)
    warm_log = (project / "build-vaultsite.log").read_text(encoding="utf-8")
    warm = statistics.median(warm_runs)
    log(f"docs/ warm: {warm:.1f} s")
    lines = ["| build of docs/ | seconds | notebooks executed | peak MB | cold ÷ this |",
             "|---|---:|---:|---:|---:|",
             f"| cold (empty `.cache/`) | {cold:.1f} | {executed} | {cold_mb:.0f} | 1.0× |",
             f"| warm (median of {len(warm_runs)}) | {warm:.1f} | {warm_log.count(': executed ')} | {warm_mb:.0f} | "
             f"{cold / warm:.1f}× |"]
    return "\n".join(lines), project


REAL_NOTE = ("📚 Knowledge Base/💻 Computer Science/🤖 Artificial Intelligence (AI)/"
             "🧠 AI Basics & Machine Learning (ML)/🧬 Deep Learning (Neural Network)/Neural Networks.md")
RELOAD_HEADER = ("| vault, `mkdocs serve` | save → reloaded page: median | min | max | edits | missed "
                 "| notebooks executed |\n|---|---:|---:|---:|---:|---:|---:|")


def bench_reload(project: Path, note: str, repeat: int, label: str, flags: tuple[str, ...] = (),
                 config: str = "mkdocs.yml") -> str:
    """Seconds from saving `note` to its page in the browser showing the edit, under serve: a row
    of RELOAD_HEADER's table, or what went wrong."""
    if not CHROMIUM:
        return f"| {label} | Chromium is not installed: not measured |"
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = project / "serve.log"
    with log_path.open("w", encoding="utf-8") as out:
        server = subprocess.Popen([PYTHON, "-m", "mkdocs", "serve", "-f", config, "--livereload", *flags,
                                   "-a", f"127.0.0.1:{port}"],
                                  cwd=project, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    times, failures = [], 0
    try:
        deadline = time.monotonic() + 180
        while "Serving on" not in log_path.read_text(encoding="utf-8"):
            if time.monotonic() > deadline or server.poll() is not None:
                return f"| {label} | `mkdocs serve` did not start: see {log_path} |"
            time.sleep(0.2)
        time.sleep(1)
        before = len(log_path.read_text(encoding="utf-8"))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/" + quote(note.removesuffix(".md") + "/"), wait_until="load")
            path = project / "docs" / note
            for turn in range(repeat):
                marker = f"Edited under serve {turn} {time.time_ns()}"
                start = time.perf_counter()
                path.write_bytes(path.read_bytes() + f"\n\n{marker}\n".encode())
                try:
                    page.wait_for_function("m => document.body.innerText.includes(m)", arg=marker,
                                           timeout=60_000, polling=50)
                    times.append(time.perf_counter() - start)
                except Exception:  # noqa: BLE001 - a timeout is a result here
                    failures += 1
                page.wait_for_load_state("load")
                time.sleep(1.5)
            browser.close()
        rebuilds = log_path.read_text(encoding="utf-8")[before:]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    if not times:
        return f"| {label} | the page never reloaded by itself ({failures} edits): live reload is broken |"
    return (f"| {label} | {statistics.median(times):.2f} s | {min(times):.2f} s | {max(times):.2f} s | "
            f"{len(times)} | {failures} | {rebuilds.count(': executed ')} |")


def bench_reload_synthetic(work: Path, n: int, repeat: int) -> list[str]:
    """Live reload in a synthetic vault of `n` notes: as it is, and with `--dirty` (MkDocs
    rebuilds only the pages of the files that changed)."""
    project = work / f"reload-{n}"
    vault = vaultgen.generate(project, n)
    (project / "vaultsite.yml").write_text(site_config("vaultsite"), encoding="utf-8")
    prime_repair_model(project)
    note = sorted(p.relative_to(vault.docs).as_posix() for p in vault.docs.rglob("*.md")
                  if "Imports" not in p.parts and p.name != "index.md")[n // 2]
    rows = [bench_reload(project, note, repeat, f"{n:,} synthetic notes{' `--dirty`' * dirty}",
                         ("--dirty",) * dirty, config="vaultsite.yml") for dirty in (False, True)]
    shutil.rmtree(project, ignore_errors=True)
    return rows


# --- the report ----------------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    memory = ""
    if Path("/proc/meminfo").exists():
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    packages = ", ".join(f"{p} {installed(p) or '–'}" for p in (
        "mkdocs", "mkdocs-material", "click", "Markdown", "pymdown-extensions", "markdown-it-py", "jieba",
        "ftfy", "playwright", *ALTERNATIVES.values()))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return (f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}\n"
            f"- machine: {cpu}, {os.cpu_count()} CPUs{memory}, {platform.platform()}\n"
            f"- Python {platform.python_version()}; {packages}\n"
            + (f"- vaultsite at {commit}{' with uncommitted changes' if dirty else ''}" if commit
               else f"- vaultsite from {ROOT} (not a git checkout)"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="notes in the synthetic vaults")
    parser.add_argument("--repeat", type=int, default=3, help="turns of each build (1 at 10,000 notes and more)")
    parser.add_argument("--alternatives-up-to", type=int, default=1000,
                        help="largest vault the alternative plugins are built at")
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 notes, one turn")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    sections = [f"# Benchmark results\n\n`python bench/run.py{' --quick' if args.quick else ''}` "
                f"(bench/run.py explains each figure).\n\n{machine()}\n- load average before: {load_before:.2f}"]
    with tempfile.TemporaryDirectory(prefix="vaultsite-bench-") as tmp:
        work = Path(tmp)
        table, notes, where = bench_builds(work, sizes, repeat, args.alternatives_up_to)
        sections.append("## Build time: vaultsite against plain Material and the alternatives\n\n"
                        "Synthetic vaults (bench/vaultgen.py), the project's mkdocs.yml (theme features "
                        "included), median of the turns. Goal: vaultsite / plain ≤ "
                        f"{GOAL_OVERHEAD}× at 1,000 and 10,000 notes (✅ held, ❌ missed). The alternatives "
                        "only rewrite wikilinks (no repair, dedup, search rewrite, unwritten notes); their "
                        "column is their time and, in brackets, ÷ vaultsite's (below 1.00× they are faster)."
                        f"\n\n{table}" + ("\n\n" + "\n".join(notes) if notes else ""))
        sections.append("## Where the overhead goes\n\n"
                        "The plugin's own steps, from the `seconds` of its build report "
                        "(`.cache/vaultsite/report.json`, last turn): each MkDocs event, and the steps "
                        "inside it. The rest of the overhead is MkDocs and Material working on the "
                        "plugin's pages: rendering resolved links and lists that plain Material leaves "
                        "as text, importing the plugin; below zero, the work the plugin took off "
                        "MkDocs' core. Work the plugin "
                        "does in forked children on every core while MkDocs reads the pages "
                        "(normalizing the notes and rendering their pages; see "
                        "`plugins/vaultsite/parallel.py` and `prerender.py`) is not in the table: "
                        "`on_nav: normalize` only starts it, and what the build waits for of it is "
                        "in `on_page_markdown`. Nor is the search index a forked child makes while "
                        "MkDocs writes the pages (`preindex.py`, started in `on_env`): Material's "
                        "search plugin takes its entries instead of indexing each page, and "
                        f"`on_post_build: search index` writes its rewrite.\n\n{where}")
        log("docs/ cold and warm")
        table, project = bench_incremental(work, repeat)
        sections.append("## Incremental: the real vault (docs/), cold and warm\n\n"
                        "Cold: empty `.cache/vaultsite`, so the six notebooks are executed. Warm: the "
                        f"same again, notebooks from the cache.\n\n{table}")
        log("live reload")
        reload_turns = 3 if not args.quick else 2
        sections.append("## Live reload under `mkdocs serve`\n\n"
                        "A page open in headless Chromium (of docs/, and of a synthetic vault of "
                        "1,000 notes); a note is saved; the time until the "
                        "page in the browser shows the edit without anyone reloading it (the server's "
                        "rebuild included). No notebook may run again. With `--dirty`, MkDocs "
                        "rebuilds only the pages of the files that changed: other pages' backlinks "
                        "and navigation catch up at the next full build.\n\n"
                        + "\n".join([RELOAD_HEADER,
                                     bench_reload(project, REAL_NOTE, reload_turns, "docs/ (the real vault)"),
                                     *bench_reload_synthetic(work, 1000, reload_turns)]))
    log("repair throughput")
    import bench_repair

    rows, load = bench_repair.measure()
    sections.append("## Mojibake repair throughput against ftfy\n\n" + bench_repair.table(rows)
                    + f"\n\nLanguage model built from the word lists, as on a machine's first build (not in the "
                    f"figures; later builds map it from `.cache/vaultsite` in about 0.02 s): {load:.1f} s")
    log("dedup")
    import bench_dedup

    dedup_sizes = [1000] if args.quick else [1000, 10_000]
    sections.append("## Grouping note versions (dedup)\n\n" + bench_dedup.measure(dedup_sizes, {1000}, 1 if args.quick else 3))
    minutes = (time.perf_counter() - started) / 60
    sections.append(f"Whole run: {minutes:.1f} min; load average after: {os.getloadavg()[0]:.2f}.")
    report = "\n\n".join(sections) + "\n"
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
