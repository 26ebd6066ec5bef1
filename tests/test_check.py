"""`vaultsite check`: fixture sites (tests/fixtures/check/*.md) and their reports, the machine
formats, the allowlist, --external against a local server, and the real vault built strictly.

A fixture case's input is a small site, each file after a `==> path` line (nothing after it: an
empty file, e.g. an image); its expected output is what `vaultsite check` prints for it.
`pytest --regen` rewrites the expected reports from what the checker prints now.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import FIXTURES
from fixtures import Case, read_cases, regenerating
from vaultsite import check

FILES = sorted((FIXTURES / "check").glob("*.md"))
CASES = [case for path in FILES for case in read_cases(path)]


def make_site(root: Path, spec: str) -> Path:
    """Write the files of a fixture site (`==> path` then its content) under `root`."""
    path, lines = None, []

    def flush() -> None:
        if path is not None:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines), encoding="utf-8")

    for line in spec.split("\n"):
        if line.startswith("==> "):
            flush()
            path, lines = line[4:].strip(), []
        else:
            lines.append(line)
    flush()
    return root


def run_check(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    code = check.run(parser.parse_args([str(a) for a in argv]))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def regenerated(regen):
    yield from regenerating(FILES, regen)

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture_case(case: Case, tmp_path, capsys, regen, regenerated):
    site = make_site(tmp_path / "site", case.input)
    code, out, _ = run_check(capsys, site)
    if regen:
        regenerated[case.id] = out.rstrip("\n")
        return
    assert out.rstrip("\n") == case.expected
    assert code == (1 if " -> " in case.expected else 0)


def test_srcset_candidates():
    assert check.srcset_urls("a.png 1x, b.png 2x") == ["a.png", "b.png"]
    assert check.srcset_urls("a.png,b.png 2x") == ["a.png,b.png"]  # one URL, as browsers read it
    assert check.srcset_urls("  img/a,b.png 100w , c.png") == ["img/a,b.png", "c.png"]
    assert check.srcset_urls("x.png (max-width: 1px, 2px) 1x, y.png") == ["x.png", "y.png"]
    assert check.srcset_urls("") == []


def test_a_page_that_is_not_utf8_is_read_not_a_crash(tmp_path, capsys):
    site = make_site(tmp_path / "site", "==> notes/index.html\n<p id='x'>x</p>")
    (site / "index.html").write_bytes(b'<a href="notes/#x">ok</a>\xff\xfe\x00<p>\xc3(</p><a href="gone/">x</a>')
    code, out, _ = run_check(capsys, site)
    assert code == 1
    assert out.splitlines()[0] == "index.html -> gone/ (gone/index.html not found)"


def test_a_link_to_a_heading_without_its_emoji_is_told_the_heading(tmp_path, capsys):
    """`#工具使用` for the heading `🛠️ 工具使用`: too short a name for difflib to call it close."""
    site = make_site(tmp_path / "site", "==> p/index.html\n<h2 id='🛠️-工具使用'></h2><h2 id='工具'></h2>")
    (site / "index.html").write_text('<a href="p/#工具使用">x</a>', encoding="utf-8")
    code, out, _ = run_check(capsys, site)
    assert code == 1
    assert out.splitlines()[0] == "index.html -> p/#工具使用 (no anchor #工具使用 in p/index.html; did you mean #🛠️-工具使用?)"


def test_a_huge_page_with_many_links(tmp_path):
    links = "".join(f'<a href="p/#h{i % 50}">{i}</a>\n' for i in range(50_000))
    make_site(tmp_path / "site", "==> p/index.html\n" + "".join(f'<h2 id="h{i}"></h2>' for i in range(49)))
    (tmp_path / "site" / "index.html").write_text(links, encoding="utf-8")
    report = check.check_site(tmp_path / "site")
    assert report.links == 50_000
    assert len(report.broken) == 1000  # every #h49
    assert {b.reason for b in report.broken} == {"no anchor #h49 in p/index.html; did you mean #h9?"}


def test_a_missing_site_folder_is_exit_2(tmp_path, capsys):
    code, out, err = run_check(capsys, tmp_path / "nowhere")
    assert code == 2 and "cannot read the site" in err and out == ""


def test_a_folder_with_no_page_is_exit_2(tmp_path, capsys):
    """A CI job pointed at the wrong folder must not pass as a site with nothing broken."""
    (tmp_path / "empty").mkdir()
    code, out, err = run_check(capsys, tmp_path / "empty")
    assert code == 2 and "no page (index.html)" in err and out == ""


@pytest.mark.parametrize(("folder", "error"), [
    ("nowhere", "cannot read the site"), ("empty", "no page (index.html)")])
def test_json_output_is_json_when_the_site_cannot_be_checked(tmp_path, capsys, folder, error):
    """A CI step reading stdout as JSON gets an object saying what went wrong, not nothing."""
    (tmp_path / "empty").mkdir()
    code, out, err = run_check(capsys, tmp_path / folder, "--json")
    assert code == 2 and error in err
    data = json.loads(out)
    assert data["ok"] is False and data["site"] == str(tmp_path / folder)
    assert error in data["error"] and data["error"] in err


@pytest.mark.parametrize(("folder", "error"), [
    ("nowhere", "cannot read the site"), ("empty", "no page (index.html)")])
def test_junit_report_is_written_when_the_site_cannot_be_checked(tmp_path, capsys, folder, error):
    """A CI system reading the JUnit file shows the check in error, not nothing at all."""
    (tmp_path / "empty").mkdir()
    junit = tmp_path / "reports" / "links.xml"
    code, _, err = run_check(capsys, tmp_path / folder, "--junit", junit)
    assert code == 2 and error in err
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "1")
    [case] = suite.findall("testcase")
    assert case.get("name") == str(tmp_path / folder)
    assert error in case.find("error").get("message") and case.find("failure") is None


def test_a_junit_report_that_cannot_be_written_is_named_and_exit_2(tmp_path, capsys):
    site = make_site(tmp_path / "site", "==> index.html\n<p>fine</p>")
    (tmp_path / "reports").write_text("a file, not a folder", encoding="utf-8")
    code, out, err = run_check(capsys, site, "--junit", tmp_path / "reports" / "links.xml")
    assert code == 2 and "0 broken" in out
    assert f"vaultsite check: cannot write the JUnit report {tmp_path / 'reports' / 'links.xml'}: " in err


def test_output_cut_short_by_its_reader_is_no_traceback(tmp_path):
    """`vaultsite check --json | head -1`: head stops reading, and the command says nothing of it."""
    site = synthetic_site(tmp_path / "site", 600)  # a report longer than a pipe holds
    command = (f"{sys.executable} -c 'import sys; from vaultsite.cli import main; sys.exit(main())' "
               f"check --json '{site}' | head -1")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert result.stdout == "{\n" and "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def synthetic_site(root: Path, pages: int) -> Path:
    """Pages in folders of ten, each linking to its neighbours' headings and to one missing page."""
    for i in range(pages):
        folder = root / f"笔记 {i // 10}" / f"note {i}"
        folder.mkdir(parents=True)
        nxt = (i + 1) % pages
        body = (f'<h2 id="节-{i}">x</h2><a href="../../笔记 {nxt // 10}/note {nxt}/#%E8%8A%82-{nxt}">next</a>'
                f'<a href="../../missing-{i % 7}/">gone</a><img src="/img.png">')
        (folder / "index.html").write_text(body, encoding="utf-8")
    (root / "img.png").write_bytes(b"")
    return root


def test_a_pool_of_processes_finds_what_one_process_finds(tmp_path):
    site = synthetic_site(tmp_path / "site", 240)
    one = check.check_site(site, jobs=1)
    two = check.check_site(site, jobs=2)
    assert (one.links, one.broken) == (two.links, two.broken)
    assert one.links == 240 * 3 and len(one.broken) == 240


def test_site_url_makes_own_absolute_urls_internal_and_keeps_root_paths_under_it(tmp_path, capsys):
    site = make_site(tmp_path / "site", """==> index.html
<link rel="canonical" href="https://me.github.io/notes/">
<a href="https://me.github.io/notes/sub/#x">own</a> <a href="https://me.github.io/notes/gone/">own, missing</a>
<a href="/notes/sub/">root path</a> <a href="/assets/x.css">outside</a> <a href="https://other.example/">ext</a>
==> sub/index.html
<h2 id="x"></h2>
""")
    code, out, _ = run_check(capsys, site, "--site-url", "https://me.github.io/notes/")
    assert code == 1
    assert out.splitlines()[:2] == [
        "index.html -> https://me.github.io/notes/gone/ (gone/index.html not found)",
        "index.html -> /assets/x.css (outside the site, which is served under /notes/)",
    ]
    assert "5 links checked, 2 broken, 1 external links to 1 URLs" in out


# --- machine-readable reports ------------------------------------------------------------------

BROKEN_SITE = """==> index.html
<h2 id="a">A</h2>
<a href="notes/">ok</a>
<a href="gone/">gone</a>
<img src="missing.png">
<a href="https://example.org/x">ext</a>
==> notes/index.html
<a href="../#b">missing anchor</a>
==> notes/fine.html
<a href="../#a">fine</a>
"""


def test_json_report(tmp_path, capsys):
    site = make_site(tmp_path / "site", BROKEN_SITE)
    code, out, _ = run_check(capsys, site, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["summary"] | {"external_checked": None} == {
        "pages": 3, "links": 5, "broken": 3, "allowed": 0, "external_links": 1, "external_urls": 1,
        "ignored": 0, "external_checked": None}
    assert data["broken"] == [
        {"page": "index.html", "line": 3, "element": "a[href]", "target": "gone/",
         "reason": "gone/index.html not found"},
        {"page": "index.html", "line": 4, "element": "img[src]", "target": "missing.png",
         "reason": "missing.png not found"},
        {"page": "notes/index.html", "line": 1, "element": "a[href]", "target": "../#b",
         "reason": "no anchor #b in index.html"},
    ]
    assert data["external"] == [{"url": "https://example.org/x",
                                 "references": [{"page": "index.html", "line": 5, "element": "a[href]"}]}]


def test_junit_report_has_a_testcase_per_page_and_a_failure_per_broken_link(tmp_path, capsys):
    site = make_site(tmp_path / "site", BROKEN_SITE)
    junit = tmp_path / "reports" / "links.xml"
    code, out, _ = run_check(capsys, site, "--junit", junit)
    assert code == 1 and out.count(" -> ") == 3
    suite = ET.parse(junit).getroot().find("testsuite")
    cases = {c.get("name"): [f.get("message") for f in c.findall("failure")] for c in suite.findall("testcase")}
    assert cases == {
        "index.html": ["index.html -> gone/ (gone/index.html not found)",
                       "index.html -> missing.png (missing.png not found)"],
        "notes/fine.html": [],
        "notes/index.html": ["notes/index.html -> ../#b (no anchor #b in index.html)"],
    }
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")


# --- the allowlist -----------------------------------------------------------------------------

def test_allowlist_entries_match_the_target_or_page_and_target(tmp_path, capsys):
    site = make_site(tmp_path / "site", BROKEN_SITE)
    allow = tmp_path / "allow.txt"
    allow.write_text("# known exceptions\n\n"
                     "gone/  # removed on purpose, kept for old readers\n"
                     "index.html -> missing*.png   # the image comes in a later issue\n"
                     "notes/index.html -> ../#*  #  anchors of the home page change often\n"
                     "never/*  # matches nothing\n", encoding="utf-8")
    code, out, err = run_check(capsys, site, "--allowlist", allow)
    assert code == 0
    assert out.splitlines() == ["vaultsite check: 3 pages, 5 links checked, 0 broken, 3 allowed, "
                                "1 external links to 1 URLs (not fetched; --external checks them)"]
    assert err == f"{allow}:6: allowlist entry 'never/*' matched nothing; remove it?\n"


def test_allowlist_matches_decoded_targets(tmp_path, capsys):
    site = make_site(tmp_path / "site", '==> index.html\n<a href="%E7%AC%94%E8%AE%B0/">x</a>')
    allow = tmp_path / "allow.txt"
    allow.write_text("笔记/  # not written yet\n", encoding="utf-8")
    assert run_check(capsys, site, "--allowlist", allow)[0] == 0


def test_an_allowlist_that_cannot_be_read_leaves_the_site_unchecked(tmp_path, capsys):
    """What it allows is unknown: exit code 2, as for a site that cannot be read (it was 1, as for
    a broken link)."""
    site = make_site(tmp_path / "site", BROKEN_SITE)
    code, _, err = run_check(capsys, site, "--allowlist", tmp_path / "missing.txt")
    assert code == 2 and f"{tmp_path / 'missing.txt'}: cannot read the allowlist" in err


@pytest.mark.parametrize("option", ["--jobs=0", "--workers=0", "--retries=-1", "--rate-limit=-5", "--timeout=0",
                                    "--timeout=nan"])
def test_a_number_an_option_cannot_take_is_refused(option, capsys):
    """`--jobs -1` and `--rate-limit -5` were taken, and meant nothing."""
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(["site", option])
    assert stopped.value.code == 2 and f"argument {option.split('=')[0]}:" in capsys.readouterr().err


def test_an_allowlist_entry_without_a_reason_is_an_error_naming_file_and_line(tmp_path, capsys):
    site = make_site(tmp_path / "site", BROKEN_SITE)
    allow = tmp_path / "allow.txt"
    allow.write_text("gone/  # removed\nmissing.png\nnotes/index.html -> ../#b  #   \n", encoding="utf-8")
    code, out, _ = run_check(capsys, site, "--allowlist", allow, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["allowlist_errors"] == [
        f"{allow}:2: allowlist entry 'missing.png' has no reason; write it as 'missing.png  # why it is allowed'",
        f"{allow}:3: allowlist entry 'notes/index.html -> ../#b' has no reason; "
        "write it as 'notes/index.html -> ../#b  # why it is allowed'",
    ]
    # An entry without a reason allows nothing.
    assert [b["target"] for b in data["broken"]] == ["missing.png", "../#b"]
    assert [a["target"] for a in data["allowed"]] == ["gone/"]


# --- --external, against a local server only ---------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    log: list[tuple[str, str, float]]
    hits: dict[str, int]

    def _answer(self) -> None:
        self.log.append((self.command, self.path, time.monotonic()))
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        status = {"/gone": 404}.get(self.path, 200)
        if self.path == "/nohead" and self.command == "HEAD":
            status = 405
        if self.path == "/flaky" and self.hits[self.path] == 1:
            status = 503
        if self.path == "/slow":
            time.sleep(1.5)
        try:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            pass

    do_HEAD = do_GET = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    handler = type("H", (Handler,), {"log": [], "hits": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


def external_site(root: Path, base: str, paths: list[str]) -> Path:
    links = "\n".join(f'<a href="{base}{p}">{p}</a>' for p in paths)
    return make_site(root, f"==> index.html\n{links}")


FAST = ("--rate-limit", "0", "--backoff", "0.01", "--timeout", "0.5", "--retries", "1")


def test_external_head_then_get_retries_and_timeouts(tmp_path, capsys, server):
    base, handler = server
    site = external_site(tmp_path / "site", base, ["/ok", "/nohead", "/gone", "/flaky", "/slow#part"])
    code, out, _ = run_check(capsys, site, "--external", "--cache", tmp_path / "cache.json", *FAST)
    assert code == 1
    assert out.splitlines() == [
        f"index.html -> {base}/gone (HTTP 404)",
        f"index.html -> {base}/slow (timed out after 0.5 s)",
        "vaultsite check: 1 pages, 0 links checked, 2 broken, 5 external links to 5 URLs (5 checked, 2 failed)",
    ]
    requests = [(method, path) for method, path, _ in handler.log]
    assert requests.count(("HEAD", "/ok")) == 1 and ("GET", "/ok") not in requests
    assert [r for r in requests if r[1] == "/nohead"] == [("HEAD", "/nohead"), ("GET", "/nohead")]
    assert [r for r in requests if r[1] == "/flaky"] == [("HEAD", "/flaky"), ("HEAD", "/flaky")]
    assert requests.count(("HEAD", "/slow")) == 2  # one retry after the timeout, no GET


def test_external_results_are_cached_with_a_ttl_and_failures_are_fetched_again(tmp_path, capsys, server,
                                                                                monkeypatch):
    base, handler = server
    monkeypatch.chdir(tmp_path)
    site = external_site(tmp_path / "site", base, ["/ok", "/gone"])
    assert run_check(capsys, site, "--external", *FAST)[0] == 1
    cache = json.loads((tmp_path / ".cache" / "vaultsite" / "external.json").read_text(encoding="utf-8"))
    assert list(cache["urls"]) == [f"{base}/ok"]

    handler.log.clear()
    assert run_check(capsys, site, "--external", *FAST)[0] == 1
    assert [p for _, p, _ in handler.log] == ["/gone", "/gone"]  # HEAD, then GET

    handler.log.clear()
    assert run_check(capsys, site, "--external", "--cache-ttl", "0", *FAST)[0] == 1
    assert "/ok" in [p for _, p, _ in handler.log]


def test_external_requests_to_one_host_are_paced(tmp_path, capsys, server, monkeypatch):
    """Each request to a host leaves at least --rate-limit after the one before: timed where they
    leave (where the server logs them, a thread's delay in logging one made two look close)."""
    base, _ = server
    sent = []
    request = check.ExternalChecker._request

    def timed(self, url, method):
        sent.append(time.monotonic())
        return request(self, url, method)
    monkeypatch.setattr(check.ExternalChecker, "_request", timed)
    site = external_site(tmp_path / "site", base, ["/a", "/b", "/c", "/d"])
    code, _, _ = run_check(capsys, site, "--external", "--cache", tmp_path / "c.json", "--rate-limit", "150",
                           "--workers", "4")
    assert code == 0
    assert len(sent) == 4
    assert min(b - a for a, b in zip(sent, sent[1:])) >= 0.149  # (paced from just before each leaves)


def test_external_urls_matched_by_the_allowlist_are_not_fetched(tmp_path, capsys, server):
    base, handler = server
    site = external_site(tmp_path / "site", base, ["/gone"])
    allow = tmp_path / "allow.txt"
    allow.write_text(f"{base}/gone  # the server is down on purpose\n", encoding="utf-8")
    code, out, _ = run_check(capsys, site, "--external", "--allowlist", allow, "--cache", tmp_path / "c.json", *FAST)
    assert code == 0 and handler.log == []


def test_external_urls_with_non_ascii_characters_are_requested_as_their_uri(tmp_path, capsys, server):
    """A page keeps `https://zh.wikipedia.org/wiki/神经网络` as written: the request asks for the
    path percent-encoded as UTF-8, as a browser does, leaving what is already encoded alone."""
    base, handler = server
    site = external_site(tmp_path / "site", base, ["/wiki/神经网络", "/wiki/C%2B%2B_语言?q=网络 搜索&x=%41#节"])
    code, out, _ = run_check(capsys, site, "--external", "--json", "--cache", tmp_path / "c.json", *FAST)
    assert code == 0, out
    data = json.loads(out)
    assert data["broken"] == []
    assert [(e["url"], e["ok"]) for e in data["external"]] == [
        (f"{base}/wiki/C%2B%2B_语言?q=网络 搜索&x=%41", True), (f"{base}/wiki/神经网络", True)]
    assert sorted(path for _, path, _ in handler.log) == [
        "/wiki/%E7%A5%9E%E7%BB%8F%E7%BD%91%E7%BB%9C",
        "/wiki/C%2B%2B_%E8%AF%AD%E8%A8%80?q=%E7%BD%91%E7%BB%9C%20%E6%90%9C%E7%B4%A2&x=%41",
    ]


@pytest.mark.parametrize(("host", "ascii_host"), [
    ("例子.测试", "xn--fsqu00a.xn--0zwm56d"),
    # IDNA 2008 (UTS 46, non-transitional), as browsers ask: IDNA 2003 made ß "ss", ς "σ", other hosts
    ("faß.de", "xn--fa-hia.de"), ("βόλος.com", "xn--nxasmm1c.com"),
    ("i❤.ws", "xn--i-7iq.ws"),  # IDNA 2008 has no emoji; browsers, and IDNA 2003, do
])
def test_a_non_ascii_host_is_asked_for_by_its_idna_name(tmp_path, server, host, ascii_host):
    """`http://例子.测试/路径` is requested as `http://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84`. No
    such host resolves here: the local server stands as the HTTP proxy, which is sent the whole URI."""
    base, handler = server
    site = external_site(tmp_path / "site", f"http://{host}", ["/路径"])
    environment = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    command = [sys.executable, "-c", "import sys; from vaultsite.cli import main; sys.exit(main())",
               "check", site, "--external", "--cache", tmp_path / "c.json", *FAST]
    result = subprocess.run(list(map(str, command)), capture_output=True, text=True, encoding="utf-8",
                            timeout=60, env=environment | {"http_proxy": base})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(1 checked, 0 failed)" in result.stdout
    assert [path for _, path, _ in handler.log] == [f"http://{ascii_host}/%E8%B7%AF%E5%BE%84"]


# --- the real vault ----------------------------------------------------------------------------

def test_the_real_site_has_no_broken_link(real_site, capsys):
    code, out, _ = run_check(capsys, real_site / "site")
    assert code == 0, out
    report = check.check_site(real_site / "site")
    assert report.links > 100 and len(report.pages) > 5


def test_breaking_the_real_site_on_purpose_is_caught_and_named(real_site, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(real_site / "site", site)
    report = check.check_site(site)
    scans = {page: check.scan_page((site / page).read_text(encoding="utf-8")) for page in report.pages}
    note = next(p for p in report.pages if p.count("/") >= 3)  # a note deep in the vault
    # An anchor the note links to on itself, renamed; a stylesheet every page loads, deleted;
    # a note, deleted; a raw link to a Chinese heading that exists, percent-encoded, added.
    anchor = next(url[1:] for _, tag, url in scans[note].refs if url.startswith("#") and len(url) > 1)
    html = (site / note).read_text(encoding="utf-8")
    html = html.replace(f'id="{anchor}"', f'id="{anchor}-renamed"')
    html = html.replace("</article>", '<h2 id="神经网络-基础">x</h2>'
                                      '<a href="#%E7%A5%9E%E7%BB%8F%E7%BD%91%E7%BB%9C-%E5%9F%BA%E7%A1%80">y</a>'
                                      '<img src="no-such-picture.png"></article>', 1)
    (site / note).write_text(html, encoding="utf-8")
    stylesheet = next(p for p in sorted(check._Site(site, None).files) if p.endswith(".css"))
    (site / stylesheet).unlink()
    victim = next(p for p in report.pages if p != note and p.count("/") >= 3)
    (site / victim).unlink()

    code, out, _ = run_check(capsys, site)
    assert code == 1
    lines = out.splitlines()
    assert f"{note} -> #{anchor} (no anchor #{anchor} in {note}; did you mean #{anchor}-renamed?)" in lines
    assert f"{note} -> no-such-picture.png ({note.rsplit('/', 1)[0]}/no-such-picture.png not found)" in lines
    assert sum(f"({stylesheet} not found)" in line for line in lines) >= len(report.pages) - 1
    assert any(f"({victim} not found)" in line for line in lines)
    assert not any("%E7%A5%9E" in line for line in lines)


def test_external_urls_of_a_host_not_found_are_not_fetched_again(tmp_path, capsys, monkeypatch):
    """Offline, every host is "not found": each URL was tried again and again (three tries, a second
    apart: minutes for a vault), and nothing said why. A host not found is so for its other URLs, and
    where no host is found, the summary asks whether the machine is offline. (No network: the lookup
    fails here, as it does offline.)"""
    import socket
    import urllib.error
    import urllib.request

    asked = []

    def offline(request, timeout):
        asked.append(request.full_url)
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    site = external_site(tmp_path / "site", "https://docs.example.org", ["/a", "/b", "/c"])
    code, out, _ = run_check(capsys, site, "--external", "--cache", tmp_path / "c.json", *FAST)
    assert code == 1
    assert asked == ["https://docs.example.org/a"] * 2  # a try and a retry, for the first URL alone
    assert out.splitlines()[-1].endswith("(3 checked, 3 failed); no host was found: is this machine offline?")
