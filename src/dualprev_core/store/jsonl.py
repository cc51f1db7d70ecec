"""JSON-lines ledger files, written safely: a lock, a temporary file, fsync, rename.

The JSON-lines file (one hidden-danger event per line) stays an input and exchange format.
Writing it:

1. an exclusive ``flock`` on ``FILE.lock`` is held from reading the ledger to writing it back
   (:func:`ledger_lock`), so two commands on one file run one after the other and neither
   loses the other's events;
2. the new content goes to a temporary file in the same directory, which is flushed and
   fsync'ed, then renamed over the old file (atomic on POSIX), and the directory is fsync'ed:
   a command killed at any moment leaves the old file or the new one, never a truncated one.

Reading refuses what it cannot parse (naming the line) instead of treating it as empty.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dualprev_core.errors import InvalidInput
from dualprev_core.hidden_dangers.ledger import Ledger

__all__ = ["read_ledger", "write_ledger", "ledger_lock", "atomic_write_text"]


def read_ledger(path: str | Path) -> Ledger:
    """Read and validate a ledger file (see :meth:`Ledger.from_jsonl`).

    :raises InvalidInput: the path is a directory or cannot be read.
    :raises ValidationError: a line is not a valid event (every bad line named).
    :raises TransitionRejected: the events' sequence breaks a guard (the line named).
    """
    p = Path(path)
    if p.is_dir():
        raise InvalidInput(f"{p}: is a directory, not a ledger file")
    try:
        return Ledger.from_jsonl(p)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{p}: not a UTF-8 JSON-lines ledger ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InvalidInput(f"{p}: cannot read the ledger: {exc.strerror}") from None


def atomic_write_text(path: str | Path, text: str) -> None:
    """Replace ``path`` by ``text`` atomically and durably (temporary file, fsync, rename, fsync dir)."""
    p = Path(path)
    directory = p.parent if str(p.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InvalidInput(f"{p}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if p.exists():
            os.chmod(tmp, p.stat().st_mode & 0o7777)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_ledger(ledger: Ledger, path: str | Path) -> None:
    """Write every event of ``ledger`` to ``path`` atomically (call inside :func:`ledger_lock`)."""
    atomic_write_text(path, ledger.to_jsonl_text())


@contextlib.contextmanager
def ledger_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (through ``path.lock``) for a read-modify-write."""
    p = Path(path)
    lock = p.with_name(p.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InvalidInput(f"{p}: cannot lock the ledger ({lock}: {exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
