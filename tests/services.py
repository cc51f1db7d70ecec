"""Tests that need a service (a PostgreSQL server, a Chromium browser) ask for it here.

Without the service the test is skipped with one line saying what is missing and how to
provide it.  When ``DUALPREV_REQUIRE_SERVICES=1`` (CI sets it) a missing service is a
failure instead: CI starts PostgreSQL and installs Chromium, so a skip there would hide a
broken setup.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

__all__ = ["require_postgres", "require_chromium", "services_required"]

POSTGRES_VARIABLE = "DUALPREV_TEST_POSTGRES"
REQUIRE_VARIABLE = "DUALPREV_REQUIRE_SERVICES"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def services_required() -> bool:
    """Whether a missing service must fail the test (``DUALPREV_REQUIRE_SERVICES=1``)."""
    return os.environ.get(REQUIRE_VARIABLE, "").strip() not in ("", "0", "false", "no")


def _missing(what: str) -> NoReturn:
    if services_required():
        pytest.fail(f"{what} ({REQUIRE_VARIABLE}=1: services must be present, not skipped)", pytrace=False)
    pytest.skip(what)  # the one place a test is skipped for a missing service: one line in the -ra summary


def require_postgres() -> str:
    """The PostgreSQL conninfo URL of the test server, from ``DUALPREV_TEST_POSTGRES``.

    Start one with ``source .ci/postgres.sh`` (a throwaway cluster on a free port).
    """
    url = os.environ.get(POSTGRES_VARIABLE, "").strip()
    if not url:
        _missing(f"PostgreSQL tests need a server: set {POSTGRES_VARIABLE} (e.g. `source .ci/postgres.sh`)")
    return url


def require_chromium() -> Path:
    """The Chromium executable (``DUALPREV_CHROMIUM`` or the usual Debian paths)."""
    candidates = [os.environ.get("DUALPREV_CHROMIUM", ""), *CHROMIUM_CANDIDATES]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return Path(found)
    _missing("browser tests need Chromium at /usr/bin/chromium (apt-get install chromium) or DUALPREV_CHROMIUM")
