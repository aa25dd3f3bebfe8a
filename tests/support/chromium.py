"""Render a page in headless Chromium (Debian's package), screenshot it, collect console messages.

Chromium's ``--enable-logging=stderr`` prints every console message of the page as an
``INFO:CONSOLE`` line, including the messages for anything the page's Content-Security-
Policy blocks (a script, a network fetch), so "no console lines" means the page ran no
script, fetched nothing and raised no error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0")
CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\] (.*)")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Render:
    screenshot: Path
    console: list[str]


def render(page: Path, screenshot: Path, width: int, height: int, profile: Path) -> Render:
    exe = chromium()
    assert exe, "chromium is not installed (scripts/test.sh installs it)"
    proc = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                           f"--screenshot={screenshot}", page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert screenshot.exists(), proc.stderr[-2000:]
    return Render(screenshot, [m.group(1) for m in CONSOLE.finditer(proc.stderr)])


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG header (no imaging library needed)."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
