"""Benchmark `vaultsite check` on a synthetic built site, against a naive checker in the same run.

    python bench/bench_check.py [--pages 1000] [--nav full|none] [--repeat 3]

The site is made in a temporary folder and shaped like what mkdocs-material writes: every page
carries the header, the whole navigation (one link per page, percent-encoded Chinese and emoji
folder names, as with `navigation.sections`), a table of contents, the note's headings, links to
other notes' headings, images, stylesheets and scripts; a few links are broken on purpose.

The baseline is the checker one writes first: BeautifulSoup over each page (parsed once, ids kept),
then `os.path.exists` for each link, no memo. Both must find the same broken links. Prints a
Markdown table; read the ratios, the absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from vaultsite import check  # noqa: E402

HEAD = """<!doctype html><html lang="zh" class="no-js"><head><meta charset="utf-8">
<link rel="icon" href="{root}assets/images/favicon.png">
<link rel="stylesheet" href="{root}assets/stylesheets/main.css">
<link rel="stylesheet" href="{root}assets/vaultsite/vaultsite.css">
<title>{title}</title></head><body dir="ltr">
<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">
<a href="#{first}" class="md-skip">跳转至</a>
<header class="md-header"><nav class="md-header__inner md-grid"><a href="{root}." class="md-header__button md-logo">
<img src="{root}assets/images/logo.svg" alt="logo"></a><label class="md-header__button" for="__drawer"></label></nav></header>
<div class="md-container"><main class="md-main"><div class="md-main__inner md-grid">
<div class="md-sidebar md-sidebar--primary"><nav class="md-nav md-nav--primary"><ul class="md-nav__list">
"""
NAV_ITEM = ('<li class="md-nav__item"><a href="{href}" class="md-nav__link">'
            '<span class="md-ellipsis">{title}</span></a></li>\n')
TAIL = """</div></main>
<footer class="md-footer"><a href="{prev}" class="md-footer__link md-footer__link--prev">prev</a>
<a href="{next}" class="md-footer__link md-footer__link--next">next</a></footer></div>
<script src="{root}assets/javascripts/bundle.js"></script></body></html>
"""


def page_path(i: int) -> str:
    return f"📚 笔记 {i // 50}/🧠 主题 {i // 10}/Note {i} 神经网络/index.html"


def href(src: str, dst: str) -> str:
    rel = posixpath.relpath(posixpath.dirname(dst), posixpath.dirname(src))
    return quote(rel + "/" if rel != "." else "./")


def make_site(root: Path, pages: int, nav: bool) -> int:
    """Write the site; returns how many links are broken on purpose."""
    paths = [page_path(i) for i in range(pages)]
    for name in ("images/favicon.png", "images/logo.svg", "stylesheets/main.css",
                 "vaultsite/vaultsite.css", "javascripts/bundle.js"):
        (root / "assets" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "assets" / name).write_bytes(b"x")
    (root / "index.html").write_text(f'<a href="{href("index.html", paths[0])}">notes</a>', encoding="utf-8")
    broken = 0
    for i, path in enumerate(paths):
        depth = path.count("/")
        root_rel = "../" * depth
        headings = [f"第-{k}-节-{i}" for k in range(8)]
        parts = [HEAD.format(root=root_rel, title=f"Note {i}", first=headings[0])]
        if nav:
            parts.extend(NAV_ITEM.format(href=href(path, other), title=f"Note {j} 神经网络")
                         for j, other in enumerate(paths))
        parts.append('</ul></nav></div><div class="md-sidebar md-sidebar--secondary"><nav class="md-nav">\n')
        parts.extend(f'<a href="#{quote(h)}" class="md-nav__link">{h}</a>\n' for h in headings)
        parts.append('</nav></div><div class="md-content"><article class="md-content__inner md-typeset">\n')
        for k, heading in enumerate(headings):
            other = paths[(i * 7 + k * 13) % pages]
            parts.append(f'<h2 id="{heading}">{heading}<a class="headerlink" href="#{heading}">¶</a></h2>\n'
                         f'<p>正文 text {k} <a href="{href(path, other)}#{quote("第-" + str(k) + "-节-")}'
                         f'{(i * 7 + k * 13) % pages}">↗ link</a> <img src="pic-{k}.png" alt="图"></p>\n'
                         f'<pre><code><a id="__codelineno-{k}-1" name="__codelineno-{k}-1" '
                         f'href="#__codelineno-{k}-1"></a>code</code></pre>\n')
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).parent.joinpath(f"pic-{k}.png").write_bytes(b"")
        if i % 100 == 0:  # broken on purpose: a missing note, a missing anchor, a missing image
            parts.append('<p><a href="../gone/">gone</a> <a href="#nowhere">x</a> <img src="nope.png"></p>\n')
            broken += 3
        parts.append('<p><a href="https://example.org/">ext</a> <a href="mailto:me@example.org">m</a></p>\n')
        parts.append(TAIL.format(root=root_rel, prev=href(path, paths[i - 1]), next=href(path, paths[(i + 1) % pages])))
        (root / path).write_text("".join(parts), encoding="utf-8")
    return broken


def naive_check(site: Path) -> tuple[int, int]:
    """The first checker one writes: BeautifulSoup per page, os.path.exists per link. (links, broken)"""
    from bs4 import BeautifulSoup

    pages = sorted(p for p in site.rglob("*.html"))
    soups = {p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in pages}
    ids = {p: {t["id"] for t in s.find_all(id=True)} | {t["name"] for t in s.find_all("a", attrs={"name": True})}
           for p, s in soups.items()}
    links = broken = 0
    for page, soup in soups.items():
        for tag in soup.find_all(["a", "img", "link", "script"]):
            url = tag.get("href") or tag.get("src")
            if not url or urlsplit(url).scheme:
                continue
            links += 1
            path, _, fragment = url.partition("#")
            target = (page.parent / unquote(path)).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not os.path.exists(target):
                broken += 1
            elif fragment and target.suffix == ".html" and unquote(fragment) not in ids.get(target, ()):
                broken += 1
    return links, broken


def timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--nav", choices=("full", "none"), default="full",
                        help="every page lists every page, as Material's navigation does (default)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each checker; the median is shown")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-check-"))
    try:
        site = tmp / "site"
        expected = make_site(site, args.pages, args.nav == "full")
        size = sum(p.stat().st_size for p in site.rglob("*.html"))
        cpus = os.cpu_count() or 1
        rows = []
        for label, jobs in (("vaultsite check, 1 process", 1), (f"vaultsite check, {cpus} processes", cpus)):
            seconds, report = timed(lambda: check.check_site(site, jobs=jobs), args.repeat)
            assert len(report.broken) == expected, (len(report.broken), expected)
            rows.append((label, seconds, report.links, len(report.broken)))
        if not args.no_baseline:
            seconds, (links, broken) = timed(lambda: naive_check(site), 1)
            rows.append(("naive: BeautifulSoup + os.path.exists", seconds, links, broken))
        slowest = max(r[1] for r in rows)
        print(f"{args.pages} pages, {size / 1e6:.0f} MB of HTML, navigation: {args.nav}, {cpus} CPUs, "
              f"Python {sys.version.split()[0]}\n")
        print("| checker | seconds | pages/s | links checked | broken found | speed-up vs slowest |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, seconds, links, broken in rows:
            print(f"| {label} | {seconds:.2f} | {args.pages / seconds:,.0f} | {links:,} | {broken} | "
                  f"{slowest / seconds:.1f}× |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
