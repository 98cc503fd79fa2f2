# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet report's HTML page: parsed with the standard library, and loaded by headless Chromium with no network."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

# Debian's package (make chromium installs it); Ubuntu's snap wrapper is named chromium-browser.
CHROMIUM_NAMES = ("chromium", "chromium-browser")
# Every request goes to a closed port: anything the page tried to fetch would fail and be logged.
NO_NETWORK = ("--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND")


class ReportPage(HTMLParser):
    """The elements of the page that matter: marks of the chart, table rows, and any attribute that would fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict[str, str | None]] = []
        self.rows: list[dict[str, str | None]] = []
        self.fetching: list[tuple[str, str | None]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "circle" and "mark" in (attributes.get("class") or "").split():
            self.marks.append(attributes)
        if tag == "tr" and attributes.get("data-state"):
            self.rows.append(attributes)
        self.fetching += [(name, value) for name, value in attrs if name in ("src", "href", "srcset", "data") and value]
        if tag in ("script", "link", "img", "iframe", "object"):
            self.fetching.append((tag, attributes.get("src") or attributes.get("href")))


def parse_page(path: Path) -> ReportPage:
    page = ReportPage()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def chromium() -> str:
    found = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    if found is None:
        raise AssertionError("headless Chromium is needed: make chromium (apt-get install chromium) installs it")
    return found


def screenshot(page: Path, picture: Path) -> str:
    """Load ``page`` in headless Chromium with no network and save a screenshot; returns Chromium's log (console messages included)."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", *NO_NETWORK,
               "--enable-logging=stderr", "--v=0", "--window-size=1000,800", "--screenshot=%s" % picture, page.resolve().as_uri()]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if completed.returncode != 0 or not picture.exists():
        raise AssertionError("Chromium could not load %s (rc %s):\n%s" % (page, completed.returncode, completed.stderr[-3000:]))
    return completed.stderr


def console_errors(chromium_log: str) -> list[str]:
    """The console messages and failed loads Chromium logged for the page."""
    return [line for line in chromium_log.splitlines() if "CONSOLE" in line or "Failed to load" in line or "net::ERR" in line]
