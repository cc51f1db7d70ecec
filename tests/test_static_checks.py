"""Static checks are part of the test command: mypy (0 errors, at the strictness set in
``pyproject.toml``: no implicit Optional, checked untyped defs, strict equality, no unused
ignores) over ``src/`` and ``plugins/*/src``, and ruff over the code, tests and benchmarks.

Both tools come with the ``test`` extra (``make install``).  A failure prints the tool's own
report: fix the lines it names (or, for a deliberate exception, add a narrow
``# type: ignore[code]`` / ``# noqa: CODE`` with a reason).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    exe = BIN / name
    assert exe.exists(), f"{name} is not installed in {BIN}; it is in the 'test' extra: run 'make install' (or pip install -e '.[test]')"
    return str(exe)


def test_mypy_finds_no_error():
    # The cache lives in the virtual environment, so repeated runs take seconds and the tree stays clean.
    cache = Path(sys.prefix) / ".mypy_cache"
    res = subprocess.run([_tool("mypy"), "--cache-dir", str(cache), "--no-error-summary", "--hide-error-context"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert res.returncode == 0, (f"mypy (config: [tool.mypy] in pyproject.toml) reports errors; run "
                                 f"'.venv/bin/mypy' from the repository root:\n{res.stdout}{res.stderr}")


def test_ruff_finds_no_problem():
    res = subprocess.run([_tool("ruff"), "check", "--no-cache", "src", "plugins", "tests", "bench"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, (f"ruff (config: [tool.ruff] in pyproject.toml) reports problems; run "
                                 f"'.venv/bin/ruff check src plugins tests bench' (many are fixed by --fix):\n{res.stdout}{res.stderr}")
