"""The HTML reports in a real browser: headless Chromium renders each one, takes a
screenshot, and its network log proves that nothing outside the file was requested.

Skipped when Chromium is not installed, except in CI (CI=true), where a missing browser
is a failure: the check must not silently stop running.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import EXAMPLE_FILES, EXAMPLES

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
)
REPORT_SECTIONS = (
    "recommendation",
    "options",
    "charts",
    "ruled-out",
    "governance",
    "assumptions",
    "sources",
    "fingerprint",
)
PORTFOLIO_SECTIONS = ("recommendation", "use-cases", "strategies", "mix", "fingerprint")


def browser() -> str:
    """The Chromium binary, or skip (fail under CI=true) when there is none."""
    explicit = os.environ.get("MAKEBUY_CHROMIUM")
    found = explicit or next((p for n in BROWSER_NAMES if (p := shutil.which(n))), None)
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but no Chromium found (apt-get install -y chromium)")
    pytest.skip("Chromium is not installed")


def run_browser(page: Path, work: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """One headless Chromium run on `page` with a fresh profile."""
    profile = work / f"profile-{len(list(work.glob('profile-*')))}"
    return subprocess.run(
        [browser(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for (not the browser's own housekeeping, e.g. update checks).

    Chromium marks its own requests with the initiator "not an origin"; a request made on
    behalf of a document names that document's origin ("null" for a file:// page).
    """
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params") or {}
        url = params.get("url")
        if event["type"] == start_job and url and params.get("initiator") != "not an origin":
            urls.append(url)
    return sorted(set(urls))


def load_in_browser(page: Path, work: Path) -> tuple[list[str], bytes, str]:
    """Render `page`: (requests outside the file, screenshot PNG bytes, DOM after load)."""
    net_log, shot = work / "net.json", work / "shot.png"
    run = run_browser(
        page, work, f"--log-net-log={net_log}", f"--screenshot={shot}", "--window-size=1100,2400"
    )
    assert shot.exists(), f"no screenshot: {run.stderr[-2000:]}"
    dom = run_browser(page, work, "--dump-dom").stdout
    outside = [u for u in page_requests(net_log) if u != page.resolve().as_uri()]
    return outside, shot.read_bytes(), dom


def ink(png: bytes) -> float:
    """Share of decoded pixel bytes that are not white: a blank page scores about 0."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(data)
    return sum(1 for b in raw[::7] if b < 0xF0) / len(raw[::7])


def keep(name: str, png: bytes) -> None:
    """Save a screenshot under $MAKEBUY_SCREENSHOTS (for a CI artifact or a human look)."""
    folder = os.environ.get("MAKEBUY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(png)


class Ids(HTMLParser):
    """Element ids, classes and tag counts of a DOM dump."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.classes: set[str] = set()
        self.tags: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name == "class" and value:
                self.classes.update(value.split())


def parse(dom: str) -> Ids:
    parser = Ids()
    parser.feed(dom)
    return parser


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_each_report_renders_in_chromium_with_nothing_fetched(cli, tmp_path: Path, example):
    page = tmp_path / f"{example.stem}.html"
    result = cli("assess", example, "--format", "html", "-o", page)
    assert result.exit_code == 0, result.stderr
    outside, screenshot, dom = load_in_browser(page, tmp_path)
    assert outside == []
    assert ink(screenshot) > 0.02, "the screenshot is blank"
    keep(f"{example.stem}.png", screenshot)
    found = parse(dom)
    assert set(REPORT_SECTIONS) <= found.ids, set(REPORT_SECTIONS) - found.ids
    assert {"chart-monthly", "chart-scores"} <= found.ids
    assert "no-break-even" in found.ids or "chart-break-even" in found.classes
    assert found.tags.get("svg", 0) >= 2
    assert found.tags.get("script", 0) == 0


def test_the_portfolio_renders_in_chromium_with_nothing_fetched(cli, tmp_path: Path):
    page = tmp_path / "portfolio.html"
    result = cli("portfolio", EXAMPLES, "--format", "html", "-o", page)
    assert result.exit_code == 0, result.stderr
    outside, screenshot, dom = load_in_browser(page, tmp_path)
    assert outside == []
    assert ink(screenshot) > 0.02
    keep("portfolio.png", screenshot)
    found = parse(dom)
    assert set(PORTFOLIO_SECTIONS) <= found.ids
    assert "chart-strategies" in found.ids


def test_the_check_catches_a_remote_reference(cli, tmp_path: Path):
    """Negative control: a doctored report that loads an image and a stylesheet from
    elsewhere must show up as requests outside the file (the report's own Content
    Security Policy would block them, so the doctoring removes it too)."""
    page = tmp_path / "doctored.html"
    cli("assess", EXAMPLE_FILES[0], "--format", "html", "-o", page)
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace(
        "<body>",
        '<body><img src="http://127.0.0.1:9/pixel.png">'
        '<link rel="stylesheet" href="https://example.invalid/style.css">',
    )
    page.write_text(html, encoding="utf-8")
    outside, _, _ = load_in_browser(page, tmp_path)
    assert "http://127.0.0.1:9/pixel.png" in outside
    assert "https://example.invalid/style.css" in outside


def test_the_content_security_policy_blocks_a_remote_reference(cli, tmp_path: Path):
    """Defence in depth: should a remote reference slip into a report (say, through a user
    template that keeps the shipped policy), the report's own policy stops the request."""
    page = tmp_path / "with-policy.html"
    cli("assess", EXAMPLE_FILES[0], "--format", "html", "-o", page)
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("<body>", '<body><img src="http://127.0.0.1:9/p.png">'))
    outside, _, _ = load_in_browser(page, tmp_path)
    assert outside == []


def test_without_chromium_the_browser_tests_skip_locally_and_fail_in_ci(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("MAKEBUY_CHROMIUM", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but no Chromium"):
        browser()
