"""Check a built site offline: every internal link, image, stylesheet, script and `#anchor`.

    vaultsite check SITE_DIR [--json] [--junit FILE] [--allowlist FILE] [--site-url URL]
                             [--external [--cache FILE] ...]

A site folder in, results out; nothing here knows MkDocs. Each `*.html` page is parsed once (lxml,
in a pool of processes when there are many pages) into the ids it defines and the URLs it
references, each URL resolved against the page the way a browser and a static host would:
percent-decoded, folder URLs mapped to `index.html`, never above the site root. Anchors on other
pages are checked once every page is parsed.

What counts as a reference: `a`/`area`/`link[href]`, `img`/`source[src, srcset]`, `script`,
`video`/`audio`/`iframe`/`track`/`embed[src]`, `video[poster]`, `object[data]` and
`<meta http-equiv=refresh>`. Raw HTML, template (header, nav, footer) and notebook pages are just
pages. `mailto:`, `tel:` and `data:` are ignored; `javascript:` and paths on the author's disk
(`file:`, `C:\\...`) are reported. External URLs (other hosts) are listed and counted, and fetched
only with `--external`: HEAD then GET, timeouts, retries with backoff, one request at a time per
host at most every `--rate-limit` ms, successes cached on disk for `--cache-ttl` days. A URL with
non-ASCII characters (`https://zh.wikipedia.org/wiki/神经网络`) is requested as a browser does, as
its URI: percent-encoded as UTF-8, the host name in IDNA 2008 (UTS 46); the report shows it as the
page wrote it.

Known exceptions go in an allowlist file, one `PATTERN  # reason` a line; the pattern (fnmatch)
matches the target URL or `page -> target`. An entry without a reason is itself an error.

Exit code: 0 when nothing is broken, 1 when something is (or the allowlist is invalid), 2 when the
site folder cannot be read or holds no page (`--json` then prints `{"site", "ok": false, "error"}`,
`--junit` writes a report with the site's testcase in error) or the JUnit report cannot be written.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import http.client
import json
import os
import posixpath
import re
import socket
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import idna
from lxml import etree

from .slugs import words

#: Which attributes of which elements hold a URL the page loads or links to.
REFERENCE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
PAGE_SUFFIXES = (".html", ".htm")
IGNORED_SCHEMES = frozenset({"mailto", "tel", "data"})
FETCHED_SCHEMES = frozenset({"http", "https"})
DEFAULT_CACHE = Path(".cache/vaultsite/external.json")
USER_AGENT = "vaultsite-check/0.1 (a static site link checker)"
#: Worth a retry: the server or the network may answer differently in a moment.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Below this many pages one process parses faster than starting a pool.
POOL_THRESHOLD = 200

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*?)\1\s*$", re.IGNORECASE | re.DOTALL)
_ALLOW_LINE = re.compile(r"^(?P<pattern>\S.*?)\s+#\s*(?P<reason>.*?)\s*$")
_WHITESPACE = " \t\n\r\f"
#: What a URL requested must not hold as it is (http.client refuses it): non-ASCII, controls, spaces.
_NOT_IN_URI = re.compile(r"[^\x21-\x7e]")
#: Printable ASCII, `%` of `%XX` among it, is sent as the page wrote it.
_URI_SAFE = "".join(map(chr, range(0x21, 0x7F)))


# --------------------------------------------------------------------------------------------
# Parsing: each page once, into the ids it defines and the URLs it references.


@dataclass(frozen=True)
class PageScan:
    """What one page defines and references: `refs` are `(line, "tag[attr]", url)`."""

    ids: frozenset[str]
    refs: tuple[tuple[int, str, str], ...]
    base: str | None = None


_REFERENCING = etree.XPath("|".join(
    f"//{tag}[{' or '.join('@' + name for name in names)}]" for tag, names in REFERENCE_ATTRIBUTES.items()))
_IDS = etree.XPath("//@id|//a/@name", smart_strings=False)
_META_AND_BASE = etree.XPath("//meta[@http-equiv][@content]|//base[@href]")


def scan_page(html: bytes | str) -> PageScan:
    """Parse one page's HTML: the ids (and `a[name]` anchors) it defines, the URLs it references.

    libxml2's HTML parser (through lxml) tokenizes as browsers do: text in comments, scripts and
    code is not a reference; invalid UTF-8 is read with replacement characters.
    """
    data = html.encode("utf-8") if isinstance(html, str) else html
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode("utf-8", errors="replace").encode("utf-8")
    try:
        root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8", huge_tree=True, no_network=True))
    except etree.XMLSyntaxError:  # an empty document
        root = None
    if root is None:
        return PageScan(frozenset(), ())
    refs: list[tuple[int, str, str]] = []
    for element in _REFERENCING(root):
        tag, line = element.tag, element.sourceline or 0
        for name in REFERENCE_ATTRIBUTES[tag]:
            value = element.get(name)
            if value is None:
                continue
            if name == "srcset":
                refs.extend((line, f"{tag}[srcset]", url) for url in srcset_urls(value))
            else:
                refs.append((line, f"{tag}[{name}]", value))
    base = None
    for element in _META_AND_BASE(root):
        if element.tag == "base":
            base = base if base is not None else element.get("href")
        elif element.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH_URL.match(element.get("content", ""))
            if match and match.group(2):
                refs.append((element.sourceline or 0, "meta[refresh]", match.group(2)))
    refs.sort(key=lambda ref: ref[0])  # meta refreshes among the rest, in line order (a stable sort)
    return PageScan(frozenset(_IDS(root)), tuple(refs), base)


def srcset_urls(value: str) -> list[str]:
    """The URLs of a `srcset` (`a.png 1x, b.png 2x`; a URL may itself contain commas)."""
    urls, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i] in _WHITESPACE or value[i] == ","):
            i += 1
        start = i
        while i < n and value[i] not in _WHITESPACE:
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0  # skip the descriptor, up to the comma that ends the candidate
            while i < n and (depth or value[i] != ","):
                depth += {"(": 1, ")": -1}.get(value[i], 0)
                i += 1
        if url:
            urls.append(url)
    return urls


# --------------------------------------------------------------------------------------------
# The report.


@dataclass(frozen=True)
class Broken:
    """One reference that does not work: where it is and why."""

    page: str
    line: int
    tag: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page} -> {self.target} ({self.reason})"


@dataclass(frozen=True)
class ExternalResult:
    url: str
    ok: bool
    status: int | None
    reason: str
    checked: float


@dataclass(frozen=True)
class AllowEntry:
    pattern: str
    reason: str
    line: int

    def matches(self, broken: Broken) -> bool:
        decoded = unquote(broken.target)
        return any(fnmatch.fnmatchcase(text, self.pattern) for text in (
            broken.target, decoded, f"{broken.page} -> {broken.target}", f"{broken.page} -> {decoded}"))


@dataclass(frozen=True)
class Allowlist:
    path: str
    entries: tuple[AllowEntry, ...] = ()
    errors: tuple[str, ...] = ()
    unread: bool = False  # the file could not be read: what it allows is unknown


@dataclass
class Report:
    """The outcome of checking one site."""

    site: str
    pages: list[str]
    links: int
    broken: list[Broken]
    #: external URL -> the `(page, line, tag)` references to it
    external: dict[str, list[tuple[str, int, str]]]
    ignored: int = 0
    external_results: dict[str, ExternalResult] | None = None
    allowed: list[tuple[Broken, AllowEntry]] = field(default_factory=list)
    allowlist: Allowlist | None = None

    @property
    def ok(self) -> bool:
        return not self.broken and not (self.allowlist and self.allowlist.errors)

    def external_references(self) -> int:
        return sum(len(refs) for refs in self.external.values())

    def unused_allow_entries(self) -> list[AllowEntry]:
        used = {id(entry) for _, entry in self.allowed}
        return [e for e in (self.allowlist.entries if self.allowlist else ()) if id(e) not in used]

    def summary(self) -> str:
        text = (f"vaultsite check: {len(self.pages)} pages, {self.links} links checked, "
                f"{len(self.broken)} broken")
        if self.allowed:
            text += f", {len(self.allowed)} allowed"
        text += f", {self.external_references()} external links to {len(self.external)} URLs"
        if self.external_results is None:
            text += " (not fetched; --external checks them)"
        else:
            failed = sum(not r.ok for r in self.external_results.values())
            text += f" ({len(self.external_results)} checked, {failed} failed)"
            if self.external_results and all(r.reason == HOST_NOT_FOUND for r in self.external_results.values()):
                text += "; no host was found: is this machine offline?"
        return text

    def as_json(self) -> dict:
        def broken(b: Broken) -> dict:
            return {"page": b.page, "line": b.line, "element": b.tag, "target": b.target, "reason": b.reason}

        results = self.external_results or {}
        return {
            "site": self.site,
            "ok": self.ok,
            "summary": {
                "pages": len(self.pages), "links": self.links, "broken": len(self.broken),
                "allowed": len(self.allowed), "external_links": self.external_references(),
                "external_urls": len(self.external), "ignored": self.ignored,
                "external_checked": self.external_results is not None,
            },
            "broken": [broken(b) for b in self.broken],
            "allowed": [{**broken(b), "allowed_by": e.pattern, "because": e.reason} for b, e in self.allowed],
            "allowlist_errors": list(self.allowlist.errors) if self.allowlist else [],
            "external": [
                {"url": url,
                 "references": [{"page": p, "line": n, "element": t} for p, n, t in refs],
                 **({"ok": results[url].ok, "status": results[url].status, "reason": results[url].reason}
                    if url in results else {})}
                for url, refs in sorted(self.external.items())
            ],
        }

    def as_junit(self) -> ET.ElementTree:
        """One testcase per page, a `<failure>` per broken link on it (JUnit XML, as CI reads it)."""
        by_page: dict[str, list[Broken]] = defaultdict(list)
        for b in self.broken:
            by_page[b.page].append(b)
        errors = list(self.allowlist.errors) if self.allowlist else []
        suites, suite = _junit_suite(self.site, len(self.pages) + bool(errors), len(by_page) + bool(errors))
        for page in self.pages:
            case = ET.SubElement(suite, "testcase", classname="vaultsite.check", name=page, file=page)
            for b in by_page.get(page, ()):
                failure = ET.SubElement(case, "failure", type="broken-link", message=str(b))
                failure.text = f"{b.page}:{b.line}: <{b.tag}> {b.target}: {b.reason}"
        if errors:
            case = ET.SubElement(suite, "testcase", classname="vaultsite.check",
                                 name=self.allowlist.path, file=self.allowlist.path)
            for error in errors:
                ET.SubElement(case, "failure", type="allowlist", message=error).text = error
        ET.indent(suites)
        return ET.ElementTree(suites)


def junit_error(site: str, error: str) -> ET.ElementTree:
    """The JUnit report of a site that cannot be checked: one testcase, the site, in error (a CI
    system shows that, where it would show nothing without a report)."""
    suites, suite = _junit_suite(site, 1, 0, errors=1)
    case = ET.SubElement(suite, "testcase", classname="vaultsite.check", name=site)
    ET.SubElement(case, "error", type="site", message=error).text = error
    ET.indent(suites)
    return ET.ElementTree(suites)


def _junit_suite(site: str, tests: int, failures: int, errors: int = 0) -> tuple[ET.Element, ET.Element]:
    """A JUnit report's `<testsuites>` and its one `<testsuite>`, with their counts."""
    counts = {"tests": str(tests), "failures": str(failures), "errors": str(errors)}
    suites = ET.Element("testsuites", name="vaultsite check", **counts)
    return suites, ET.SubElement(suites, "testsuite", name=f"vaultsite check {site}", **counts, skipped="0")


# --------------------------------------------------------------------------------------------
# Resolution: one URL on one page, the way a browser and a static host see it.


class _Site:
    """The files of a built site and how its URLs map onto them (each worker process gets a copy)."""

    def __init__(self, root: Path, site_url: str | None) -> None:
        self.root = root
        self.files: set[str] = set()
        for folder, _, names in os.walk(root):
            rel = os.path.relpath(folder, root).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
            self.files.update(prefix + name for name in names)
        self.pages = sorted(f for f in self.files if f.lower().endswith(PAGE_SUFFIXES))
        self.host = self.prefix = None
        if site_url:
            parts = urlsplit(site_url)
            self.host = parts.netloc.lower()
            self.prefix = parts.path.rstrip("/") + "/"
        #: a URL's path -> (how many folders it climbs first, the decoded rest): the same links recur
        #: on every page (navigation, assets), and resolving one is then a lookup and a join
        self._paths: dict[str, tuple[int, str]] = {}
        self._classified: dict[str, tuple[str, str]] = {}
        self._folded: dict[str, list[str]] | None = None

    def classify(self, url: str) -> tuple[str, str]:
        """`("internal", url)`, `("external", fetchable url)`, `("ignored", "")` or `("unsafe", why)`."""
        if url.startswith("//"):
            return "external", "https:" + url
        match = _SCHEME.match(url)
        if not match:
            return "internal", url
        scheme = match.group(1).lower()
        if scheme in IGNORED_SCHEMES:
            return "ignored", ""
        if scheme == "javascript":
            return "unsafe", "unsafe javascript: URL"
        if scheme == "file" or len(scheme) == 1:
            return "unsafe", "a path on the author's disk, not in the site"
        if scheme in FETCHED_SCHEMES and self.host is not None:
            parts = urlsplit(url)
            if parts.netloc.lower() == self.host:
                rest = f"?{parts.query}" if parts.query else ""
                rest += f"#{parts.fragment}" if parts.fragment else ""
                return "internal", (parts.path or "/") + rest
        return "external", url

    def locate(self, page: str, base: str, url: str) -> tuple[str | None, str, str]:
        """`(why it is broken or None, target file, fragment)` of internal `url` on `page`."""
        path, _, fragment = url.partition("#")
        path = path.partition("?")[0].replace("\\", "/")
        if not path:
            return None, page, fragment
        if path.startswith("/"):
            if self.prefix is not None and self.prefix != "/":
                if not (path + "/").startswith(self.prefix):
                    return f"outside the site, which is served under {self.prefix}", "", fragment
                path = "/" + path[len(self.prefix):]
            target = self.walk("", path)
        else:
            target = self.walk(base, path)
        if target is None:
            return "climbs above the site root", "", fragment
        if target not in self.files:
            if target + "/index.html" not in self.files:
                return self._not_found(target), target, fragment
            target += "/index.html"  # a folder without its slash: static hosts redirect
        return None, target, fragment

    def walk(self, folder: str, path: str) -> str | None:
        """The site file `path` names from `folder` (percent-decoded), or None above the root."""
        parsed = self._paths.get(path)
        if parsed is None:
            parsed = self._paths[path] = _parse_path(path)
        ups, tail = parsed
        if ups:
            parts = folder.split("/") if folder else []
            if ups > len(parts):
                return None
            folder = "/".join(parts[:len(parts) - ups])
        return f"{folder}/{tail}" if folder else tail

    def base_folder(self, page: str, base_href: str | None) -> str:
        """The folder the page's relative URLs resolve against: its own, or its `<base href>`'s."""
        folder = posixpath.dirname(page)
        if base_href is None:
            return folder
        kind, value = self.classify(base_href.strip(_WHITESPACE))
        path = value.partition("#")[0].partition("?")[0]
        if kind != "internal" or not path:
            return folder
        resolved = self.walk("" if path.startswith("/") else folder, path + "_" if path.endswith("/") else path)
        return posixpath.dirname(resolved) if resolved is not None else folder

    def _not_found(self, target: str) -> str:
        if self._folded is None:
            self._folded = defaultdict(list)
            for name in sorted(self.files):
                self._folded[_fold(name)].append(name)
        near = self._folded.get(_fold(target)) or self._folded.get(_fold(target + "/index.html"))
        if near:
            return f"{target} not found; did you mean {near[0]} (case or Unicode normalization differs)?"
        return f"{target} not found"


def _parse_path(path: str) -> tuple[int, str]:
    """`("../../a%20b/c/")` -> `(2, "a b/c/index.html")`: folders climbed first, the decoded rest."""
    ups, stack = 0, []
    segments = path.split("/")
    for segment in segments:
        segment = unquote(segment)
        if segment in ("", "."):
            continue
        if segment == "..":
            if stack:
                stack.pop()
            else:
                ups += 1
        else:
            stack.append(segment)
    if segments[-1] in ("", ".", ".."):
        stack.append("index.html")
    return ups, "/".join(stack)


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _anchor_problem(ids: frozenset[str], target: str, fragment: str) -> str | None:
    """Why `#fragment` does not exist on `target`, or None: raw or percent-decoded, as browsers try."""
    if fragment in ids or fragment.startswith(":~:"):  # a text fragment needs no id
        return None
    decoded = unquote(fragment)
    if decoded in ids or decoded.lower() == "top":
        return None
    # Near in spelling; else the same words, an emoji or a sign apart (`#工具使用`, `#🛠️-工具使用`).
    close = difflib.get_close_matches(decoded, ids, n=1, cutoff=0.75) or sorted(
        id_ for id_ in ids if words(id_) and words(id_) == words(decoded))[:1]
    hint = f"; did you mean #{close[0]}?" if close else ""
    return f"no anchor #{decoded} in {target}{hint}"


@dataclass
class _PageResult:
    page: str
    ids: frozenset[str]
    links: int = 0
    ignored: int = 0
    broken: list[Broken] = field(default_factory=list)
    #: `(line, tag, url, target page, fragment)`: anchors on other pages, checked once all are parsed
    anchors: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    #: `(fetchable url, line, tag)`
    external: list[tuple[str, int, str]] = field(default_factory=list)


def _check_page(site: _Site, page: str) -> _PageResult:
    """Parse one page and resolve its references; anchors on other pages are left for later."""
    with open(site.root / page, "rb") as file:
        scan = scan_page(file.read())
    result = _PageResult(page, scan.ids)
    base = site.base_folder(page, scan.base)
    for line, tag, raw in scan.refs:
        url = raw.strip(_WHITESPACE)
        classified = site._classified.get(url)
        if classified is None:
            classified = site._classified[url] = site.classify(url)
        kind, value = classified
        if kind == "external":
            result.external.append((value.partition("#")[0], line, tag))
            continue
        if kind == "ignored":
            result.ignored += 1
            continue
        result.links += 1
        if kind == "unsafe":
            result.broken.append(Broken(page, line, tag, raw, value))
            continue
        reason, target, fragment = site.locate(page, base, value)
        if reason is None and fragment and target.lower().endswith(PAGE_SUFFIXES):
            if target != page:
                result.anchors.append((line, tag, raw, target, fragment))
                continue
            reason = _anchor_problem(scan.ids, target, fragment)
        if reason is not None:
            result.broken.append(Broken(page, line, tag, raw, reason))
    return result


_WORKER_SITE: _Site | None = None  # the site a pool process checks pages of


def _start_worker(site: _Site) -> None:
    global _WORKER_SITE
    _WORKER_SITE = site


def _check_page_in_worker(page: str) -> _PageResult:
    assert _WORKER_SITE is not None
    return _check_page(_WORKER_SITE, page)


def check_site(site: Path, *, site_url: str | None = None, jobs: int | None = None) -> Report:
    """Check every internal reference and anchor of the built site in `site`; list external URLs.

    `site_url` is where the site will be served: absolute URLs on that host are internal, and
    root-relative paths must stay under its path. `jobs` is how many processes parse pages (by
    default: one per CPU once there are enough pages to pay for starting them).
    """
    if not site.is_dir():
        raise FileNotFoundError(f"{site}: not a folder")
    index = _Site(site, site_url)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(index.pages) >= POOL_THRESHOLD else 1
    if jobs > 1 and len(index.pages) > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(index,)) as pool:
            chunk = max(1, len(index.pages) // (jobs * 8))
            results = list(pool.map(_check_page_in_worker, index.pages, chunksize=chunk))
    else:
        results = [_check_page(index, page) for page in index.pages]

    ids = {result.page: result.ids for result in results}
    anchors: dict[tuple[str, str], str | None] = {}
    broken: list[Broken] = []
    external: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for result in results:
        found = list(result.broken)
        for line, tag, raw, target, fragment in result.anchors:
            key = (target, fragment)
            if key not in anchors:
                anchors[key] = _anchor_problem(ids[target], target, fragment)
            if anchors[key] is not None:
                found.append(Broken(result.page, line, tag, raw, anchors[key]))
        broken.extend(sorted(found, key=lambda b: b.line))
        for url, line, tag in result.external:
            external[url].append((result.page, line, tag))
    return Report(str(site), index.pages, sum(r.links for r in results), broken, dict(external),
                  sum(r.ignored for r in results))


# --------------------------------------------------------------------------------------------
# The allowlist.


def read_allowlist(path: Path) -> Allowlist:
    """`PATTERN  # reason` a line; blank lines and `# comment` lines are skipped.

    An entry without a reason is an error (`file:line: ...`) and allows nothing.
    """
    entries: list[AllowEntry] = []
    errors: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Allowlist(str(path), (), (f"{path}: cannot read the allowlist: {error}",), unread=True)
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ALLOW_LINE.match(stripped)
        if not match or not match.group("reason"):
            pattern = match.group("pattern") if match else stripped
            errors.append(f"{path}:{number}: allowlist entry {pattern!r} has no reason; "
                          f"write it as '{pattern}  # why it is allowed'")
            continue
        entries.append(AllowEntry(match.group("pattern"), match.group("reason"), number))
    return Allowlist(str(path), tuple(entries), tuple(errors))


def apply_allowlist(report: Report, allowlist: Allowlist) -> Report:
    """Move the broken references an entry matches from `broken` to `allowed`."""
    broken, allowed = [], list(report.allowed)
    for b in report.broken:
        entry = next((e for e in allowlist.entries if e.matches(b)), None)
        if entry is None:
            broken.append(b)
        else:
            allowed.append((b, entry))
    return replace(report, broken=broken, allowed=allowed, allowlist=allowlist)


# --------------------------------------------------------------------------------------------
# External URLs: fetched only when asked, politely, and remembered.


class ExternalChecker:
    """Fetch external URLs: HEAD then GET, retries with backoff, per-host pacing, a TTL cache.

    Hosts are checked in parallel (`workers` threads); the URLs of one host one after the other,
    each request at least `interval` seconds after the previous one to that host. Only successes
    are cached: a failure is fetched again next time, in case it has been fixed.
    """

    def __init__(self, cache: Path | None = DEFAULT_CACHE, *, ttl: float = 7 * 86400, timeout: float = 10.0,
                 retries: int = 2, backoff: float = 0.5, interval: float = 1.0, workers: int = 4) -> None:
        self.cache_path = cache
        self.ttl, self.timeout, self.retries = ttl, timeout, retries
        self.backoff, self.interval, self.workers = backoff, interval, workers
        self.cache: dict[str, dict] = self._load()
        self._lock = threading.Lock()
        self.requests = 0

    def check(self, urls: Iterable[str]) -> dict[str, ExternalResult]:
        now = time.time()
        results: dict[str, ExternalResult] = {}
        by_host: dict[str, list[str]] = defaultdict(list)
        for url in sorted(set(urls)):
            if urlsplit(url).scheme.lower() not in FETCHED_SCHEMES:
                continue
            cached = self.cache.get(url)
            if cached and cached.get("ok") and now - cached.get("checked", 0) < self.ttl:
                results[url] = ExternalResult(url, True, cached.get("status"), cached.get("reason", ""),
                                              cached["checked"])
            else:
                by_host[(urlsplit(url).hostname or "").lower()].append(url)
        if by_host:
            with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
                for host_results in pool.map(self._check_host, by_host.values()):
                    results.update((r.url, r) for r in host_results)
        for result in results.values():
            if result.ok:
                self.cache[result.url] = {"ok": True, "status": result.status, "reason": result.reason,
                                          "checked": result.checked}
            else:
                self.cache.pop(result.url, None)
        self._save()
        return results

    def _check_host(self, urls: list[str]) -> list[ExternalResult]:
        last = [0.0]

        def pace() -> None:
            wait = last[0] + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last[0] = time.monotonic()

        results: list[ExternalResult] = []
        for url in urls:
            if results and results[-1].reason == HOST_NOT_FOUND:  # nor is it for the host's other URLs
                results.append(ExternalResult(url, False, None, HOST_NOT_FOUND, time.time()))
            else:
                results.append(self._check_url(url, pace))
        return results

    def _check_url(self, url: str, pace) -> ExternalResult:
        status, reason = self._attempts(url, "HEAD", pace)
        if status is not None and status >= 400:
            # Many servers refuse or mishandle HEAD (405, 403, 404, 501): ask again with GET.
            status, reason = self._attempts(url, "GET", pace)
        ok = status is not None and status < 400
        return ExternalResult(url, ok, status, reason, time.time())

    def _attempts(self, url: str, method: str, pace) -> tuple[int | None, str]:
        for attempt in range(self.retries + 1):
            pace()
            status, reason, retry_after = self._request(url, method)
            if status is not None and status not in RETRY_STATUSES:
                return status, reason
            if attempt < self.retries:
                time.sleep(min(retry_after if retry_after is not None else self.backoff * 2 ** attempt, 30.0))
        return status, reason

    def _request(self, url: str, method: str) -> tuple[int | None, str, float | None]:
        with self._lock:
            self.requests += 1
        try:
            request = urllib.request.Request(as_uri(url), method=method,
                                             headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, f"HTTP {response.status}", None
        except urllib.error.HTTPError as error:
            retry_after = error.headers.get("Retry-After", "") if error.headers else ""
            error.close()
            delay = float(retry_after) if retry_after.strip().isdigit() else None
            return error.code, f"HTTP {error.code}", delay
        except urllib.error.URLError as error:
            return None, _network_reason(error.reason, self.timeout), None
        except (TimeoutError, socket.timeout) as error:
            return None, _network_reason(error, self.timeout), None
        except (OSError, http.client.HTTPException, ValueError) as error:
            return None, _network_reason(error, self.timeout), None

    def _load(self) -> dict[str, dict]:
        if self.cache_path is None:
            return {}
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
            return dict(data.get("urls", {}))
        except (OSError, ValueError, AttributeError):
            return {}

    def _save(self) -> None:
        if self.cache_path is None:
            return
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.cache_path.with_name(self.cache_path.name + ".tmp")
            temporary.write_text(json.dumps({"version": 1, "urls": dict(sorted(self.cache.items()))},
                                            ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(temporary, self.cache_path)
        except OSError as error:
            print(f"vaultsite check: cannot write the cache {self.cache_path}: {error}", file=sys.stderr)


def as_uri(url: str) -> str:
    """The URI to request for `url` as a page writes it, an IRI: `https://zh.wikipedia.org/wiki/神经网络`
    asks for `/wiki/%E7%A5%9E%E7%BB%8F%E7%BD%91%E7%BB%9C`, `http://例子.测试/` for
    `http://xn--fsqu00a.xn--0zwm56d/` (RFC 3987, 3.1, as browsers do): non-ASCII characters (and
    spaces) percent-encoded as UTF-8, the rest as written, `%XX` too; a host name in IDNA 2008.
    ValueError when the host name has no IDNA form."""
    if not _NOT_IN_URI.search(url):
        return url
    scheme, slashes, rest = url.partition("://")
    if not slashes:
        return quote(url, safe=_URI_SAFE)
    authority, path = re.match(r"([^/?#]*)(.*)", rest, re.DOTALL).groups()
    userinfo, at, host = authority.rpartition("@")
    port = ""
    if not host.startswith("[") and ":" in host:  # an IPv6 address is bracketed, and ASCII
        host, port = host.rsplit(":", 1)
        port = ":" + port
    if not host.isascii():
        host = _ascii_host(host)
    return f"{scheme}://{quote(userinfo + at, safe=_URI_SAFE)}{host}{port}{quote(path, safe=_URI_SAFE)}"


def _ascii_host(host: str) -> str:
    """The name a browser asks DNS for (UTS 46, non-transitional): IDNA 2008's, so `faß.de` is
    `xn--fa-hia.de` (Python's codec, IDNA 2003, makes it `fass.de`, another host). Where IDNA 2008
    refuses a name browsers still resolve (an emoji, `i❤.ws`; an underscore), IDNA 2003's, which
    keeps those. ValueError when neither has one."""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"the host name {host} has no IDNA (ASCII) form") from None


HOST_NOT_FOUND = "host not found"


def _network_reason(error: object, timeout: float) -> str:
    if isinstance(error, (TimeoutError, socket.timeout)):
        return f"timed out after {timeout:g} s"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return HOST_NOT_FOUND
    return str(error) or type(error).__name__


def apply_external(report: Report, results: dict[str, ExternalResult]) -> Report:
    """Add a broken reference for each page that links to an external URL that failed."""
    broken = list(report.broken)
    for url, result in results.items():
        if not result.ok:
            broken.extend(Broken(page, line, tag, url, result.reason) for page, line, tag in report.external[url])
    broken.sort(key=lambda b: (b.page, b.line, b.target))
    return replace(report, broken=broken, external_results=results)


# --------------------------------------------------------------------------------------------
# The command.


def _at_least(low: float, kind: type = float):
    """An argparse type: a number of `kind`, at least `low` (`--jobs -1` was taken, and meant nothing)."""
    def number(text: str):
        value = kind(text)
        if not value >= low:  # (nan too)
            raise argparse.ArgumentTypeError(f"{text} is less than {low:g}")
        return value
    number.__name__ = kind.__name__  # (what argparse names in "invalid int value")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `vaultsite check`."""
    parser.add_argument("site", type=Path, metavar="SITE_DIR", help="the built site (mkdocs build's site/)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--junit", type=Path, metavar="FILE",
                        help="also write a JUnit XML report to FILE (where the site cannot be checked, "
                             "a report of why)")
    parser.add_argument("--allowlist", type=Path, metavar="FILE",
                        help="known exceptions, one 'PATTERN  # reason' a line (fnmatch on the target "
                             "URL or on 'page -> target')")
    parser.add_argument("--site-url", metavar="URL",
                        help="where the site is served (e.g. https://me.github.io/notes/): absolute URLs "
                             "on that host are internal, root paths must stay under its path")
    parser.add_argument("--list-external", action="store_true", help="list external URLs in the text report")
    parser.add_argument("--jobs", type=_at_least(1, int), metavar="N",
                        help="processes parsing pages (default: one per CPU)")
    external = parser.add_argument_group("external URLs (fetched only with --external)")
    external.add_argument("--external", action="store_true", help="fetch external http(s) URLs")
    external.add_argument("--cache", type=Path, default=DEFAULT_CACHE, metavar="FILE",
                          help=f"cache of external results (default: {DEFAULT_CACHE})")
    external.add_argument("--cache-ttl", type=_at_least(0), default=7.0, metavar="DAYS",
                          help="how long a success stays cached (default: 7)")
    external.add_argument("--timeout", type=_at_least(0.001), default=10.0, metavar="SECONDS",
                          help="per request (default: 10)")
    external.add_argument("--retries", type=_at_least(0, int), default=2, metavar="N",
                          help="retries after a timeout, 429 or 5xx (default: 2)")
    external.add_argument("--backoff", type=_at_least(0), default=0.5, metavar="SECONDS",
                          help="first retry delay, doubled each time (default: 0.5)")
    external.add_argument("--rate-limit", type=_at_least(0), default=1000.0, metavar="MS",
                          help="at least MS milliseconds between requests to one host (default: 1000)")
    external.add_argument("--workers", type=_at_least(1, int), default=4, metavar="N",
                          help="hosts checked in parallel (default: 4)")


def run(args: argparse.Namespace) -> int:
    """`vaultsite check`: print the report (text or JSON); 0 if nothing is broken."""
    try:
        report = check_site(args.site, site_url=args.site_url, jobs=args.jobs)
    except OSError as error:
        return _cannot_check(args, f"cannot read the site: {error}")
    if not report.pages:  # a wrong path must not pass as a site with nothing broken
        return _cannot_check(args, f"no page (index.html) in {args.site}: is it a built site?")
    allowlist = read_allowlist(args.allowlist) if args.allowlist else None
    if allowlist and allowlist.unread:  # what it allows is unknown, as what a site unread holds: 2
        return _cannot_check(args, allowlist.errors[0])
    if args.external:
        skip = allowlist.entries if allowlist else ()
        urls = [u for u in report.external
                if not any(fnmatch.fnmatchcase(u, e.pattern) for e in skip)]
        checker = ExternalChecker(args.cache, ttl=args.cache_ttl * 86400, timeout=args.timeout,
                                  retries=args.retries, backoff=args.backoff,
                                  interval=args.rate_limit / 1000, workers=args.workers)
        report = apply_external(report, checker.check(urls))
    if allowlist is not None:
        report = apply_allowlist(report, allowlist)

    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        _print_text(report, list_external=args.list_external)
    if args.junit and not _write_junit(report.as_junit(), args.junit):
        return 2  # the report CI asked for is missing: no passing check without it
    return 0 if report.ok else 1


def _cannot_check(args: argparse.Namespace, error: str) -> int:
    """Say why the site cannot be checked, on stderr, with --json as the JSON on stdout (a CI step
    that parses it reads `ok` and `error`), with --junit as the JUnit report; exit code 2."""
    print(f"vaultsite check: {error}", file=sys.stderr)
    if args.json:
        print(json.dumps({"site": str(args.site), "ok": False, "error": error}, ensure_ascii=False, indent=2))
    if args.junit:
        _write_junit(junit_error(str(args.site), error), args.junit)
    return 2


def _write_junit(report: ET.ElementTree, path: Path) -> bool:
    """Write the JUnit report to `path`; False, said on stderr, where it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        report.write(path, encoding="utf-8", xml_declaration=True)
    except OSError as error:
        # Where a file stands in for one of the report's folders, mkdir says "File exists" or "Not a
        # directory", of the folder it was making: name the file. (os.path's tests raise no error.)
        in_the_way = next((folder for folder in path.parents
                           if os.path.exists(folder) and not os.path.isdir(folder)), None)
        why = f"{in_the_way} is a file, not a folder" if in_the_way else error.strerror or error
        print(f"vaultsite check: cannot write the JUnit report {path}: {why}", file=sys.stderr)
        return False
    return True


def _print_text(report: Report, *, list_external: bool) -> None:
    for error in report.allowlist.errors if report.allowlist else ():
        print(error)
    for b in report.broken:
        print(b)
    for entry in report.unused_allow_entries():
        print(f"{report.allowlist.path}:{entry.line}: allowlist entry {entry.pattern!r} matched nothing; "
              f"remove it?", file=sys.stderr)
    if list_external:
        results = report.external_results or {}
        for url, refs in sorted(report.external.items()):
            status = f" ({results[url].reason})" if url in results else ""
            print(f"external: {url}{status} <- {refs[0][0]}" + (f" and {len(refs) - 1} more" if len(refs) > 1 else ""))
    print(report.summary())


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m vaultsite.check`, until `vaultsite check` is registered in cli.py."""
    parser = argparse.ArgumentParser(prog="vaultsite check", description=__doc__.split("\n", 1)[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
