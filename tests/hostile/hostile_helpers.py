"""Running the CLI on hostile input in-process, and what every refusal must look like."""

from __future__ import annotations

import contextlib
import signal
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from dualprev_core.cli.app import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "enterprise.yaml"

#: a stand-in for a foreign file given in the wrong place (/etc/passwd, /etc/shadow): its
#: lines must never be printed back
SECRET_LINES = [f"user{i}:$6$salt{i}$hashhashhash{i}:19000:0:99999:7:::secret-{i}" for i in range(200)]
SECRET = "\n".join(SECRET_LINES) + "\n"


class TookTooLong(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail the block after ``seconds`` (a hang on hostile input is a failure, not a wait)."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover - signals need the main thread
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise TookTooLong(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(*args: Any, seconds: float = 60, max_mb: float | None = None) -> Result:
    """The CLI in-process, with a time bound and (``max_mb``) a bound on Python allocations."""
    runner = CliRunner()
    if max_mb is not None:
        tracemalloc.start()
    try:
        with time_limit(seconds):
            result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=True)
        if max_mb is not None:
            _, peak = tracemalloc.get_traced_memory()
            assert peak < max_mb * 2**20, f"peak Python allocations {peak / 2**20:.0f} MB over {max_mb} MB"
    finally:
        if max_mb is not None:
            tracemalloc.stop()
    return result


def assert_refused(result: Result, *fragments: str, secret: str | None = None) -> str:
    """Exit status 2, no traceback, every fragment in the message; returns the output."""
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"unexpected {type(exc).__name__}: {exc}\n{out[-2000:]}"
    assert "Traceback" not in out, out[-2000:]
    assert result.exit_code == 2, f"exit {result.exit_code}\n{out[-2000:]}"
    for f in fragments:
        assert f in out, f"{f!r} not in:\n{out[-3000:]}"
    if secret is not None:
        leaked = [line for line in secret.splitlines()[1:] if line and line in out]
        assert not leaked, f"{len(leaked)} lines of the file were printed back, e.g. {leaked[0]!r}"
    assert len(out) < 20_000, f"{len(out)} characters of output for one refusal"
    return out
