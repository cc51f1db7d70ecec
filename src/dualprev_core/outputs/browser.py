"""PDF and PNG through headless Chromium (the only renderer that lays out CJK text and SVG as a
browser does, so the printed page is the page people see).

Chromium is found at ``$DUALPREV_CHROMIUM``, else as ``chromium``, ``chromium-browser``,
``google-chrome`` or ``google-chrome-stable`` on the ``PATH``.  Chinese text needs a CJK font on
the machine (Debian: ``apt-get install chromium fonts-noto-cjk``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dualprev_core.errors import DualprevError

__all__ = ["BrowserUnavailable", "RenderFailed", "find_chromium", "html_to_pdf", "html_to_png", "CHROMIUM_ENV"]

#: Environment variable naming the Chromium executable to use.
CHROMIUM_ENV = "DUALPREV_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_TIMEOUT_S = 180


class BrowserUnavailable(DualprevError):
    """No headless Chromium was found; PDF and PNG need one."""


class RenderFailed(DualprevError):
    """Chromium ran but wrote no output."""


def find_chromium() -> str | None:
    """The Chromium executable to use, or ``None``."""
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        return env if Path(env).is_file() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _require() -> str:
    exe = find_chromium()
    if exe is None:
        raise BrowserUnavailable(
            "PDF and PNG output need headless Chromium, which was not found "
            f"(looked for ${CHROMIUM_ENV}, then {', '.join(_NAMES)} on the PATH); install it with a CJK font "
            "(Debian/Ubuntu: apt-get install chromium fonts-noto-cjk) or write .html/.svg instead"
        )
    return exe


def _run(html: str, out: Path, flags: list[str]) -> Path:
    exe = _require()
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="dualprev-chromium-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        if out.exists():
            out.unlink()
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
               "--mute-audio", "--allow-file-access-from-files", f"--user-data-dir={tmp}/profile", *flags, page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise RenderFailed(f"{out}: Chromium did not finish within {_TIMEOUT_S} s") from None
        except OSError as exc:
            raise BrowserUnavailable(f"{exe}: cannot run Chromium: {exc.strerror or exc}") from None
    if not out.exists() or out.stat().st_size == 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RenderFailed(f"{out}: Chromium (exit {proc.returncode}) wrote nothing; its last messages:\n{tail}")
    return out


def html_to_pdf(html: str, out: str | Path) -> Path:
    """Print ``html`` to a PDF at ``out``; the page size comes from the page's ``@page`` CSS."""
    return _run(html, Path(out), [f"--print-to-pdf={Path(out).resolve()}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
                                  "--virtual-time-budget=5000"])


def html_to_png(html: str, out: str | Path, *, width: int, height: int) -> Path:
    """Screenshot ``html`` at ``width`` × ``height`` CSS pixels into a PNG at ``out``."""
    return _run(html, Path(out), [f"--screenshot={Path(out).resolve()}", f"--window-size={int(width)},{int(height)}",
                                  "--force-device-scale-factor=1", "--virtual-time-budget=5000"])
