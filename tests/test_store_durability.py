"""Nothing acknowledged is ever lost: writers killed with SIGKILL at random points, writers at once.

A writer is a separate process (forked, so hundreds of them stay cheap) with its own connection.
It reports each event the store acknowledged (``append`` returned) on a pipe; the test kills it
at a random moment — before, during or after a commit — then opens the store, verifies every
chain and checks that every acknowledged event is there with the hash it was acknowledged with.
``DUALPREV_KILL_ROUNDS`` sets the number of kills per backend (default 120).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_support import BACKENDS, empty_store_url

from dualprev_core.store import ConcurrencyConflict, NewEvent, open_store, read_ledger
from dualprev_core.store.verify import verify_store

ROUNDS = int(os.environ.get("DUALPREV_KILL_ROUNDS", "120"))
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "enterprise.yaml"


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    with empty_store_url(request.param, tmp_path) as url:
        yield url


def _event(n: int, who: str) -> NewEvent:
    return NewEvent(kind="monitoring.alarm", data={"n": n, "writer": who, "message": "读数超限" * (n % 7)}, actor=who, at=datetime.now(UTC))


def _writer(url: str, stream: str, who: str, out: int, count: int | None) -> None:
    """Child process: append forever (or ``count`` times), acknowledging each committed event."""
    store = open_store(url)
    os.write(out, b"ready\n")
    n = 0
    while count is None or n < count:
        version, _ = store.head(stream)
        batch = [_event(n + i, who) for i in range(1 + n % 3)]
        try:
            r = store.append(stream, batch, expected_version=version)
        except ConcurrencyConflict:
            continue
        first = r.version - len(batch) + 1
        os.write(out, "".join(f"{first + i} {who} {b.data['n']}\n" for i, b in enumerate(batch)).encode())
        n += len(batch)
    store.close()


def _fork_writer(url: str, stream: str, who: str, count: int | None = None) -> tuple[int, int]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 0
        try:
            os.close(r)
            _writer(url, stream, who, w, count)
        except BaseException:  # noqa: BLE001 - reported through the exit status
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _wait_ready(fd: int) -> bytes:
    """Block until the writer has opened the store; returns what it wrote after that."""
    data = b""
    while b"ready\n" not in data:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data.split(b"ready\n", 1)[-1]


def _drain(fd: int, data: bytes = b"") -> list[tuple[int, str, int]]:
    while chunk := os.read(fd, 65536):
        data += chunk
    os.close(fd)
    lines = [line for line in data.decode().splitlines() if line != "ready"]
    return [(int(a), b, int(c)) for a, b, c in (line.split() for line in lines)]


def _check(url: str, stream: str, acked: list[tuple[int, str, int]]) -> None:
    with open_store(url) as store:
        report = verify_store(store)
        assert report.ok, report.to_dict()
        stored = {e.seq: e for e in store.events(stream)}
        for seq, who, n in acked:
            assert seq in stored, f"acknowledged event {seq} lost"
            d = stored[seq].data
            assert (d["writer"], d["n"]) == (who, n), f"event {seq} is not the one acknowledged"


def test_writers_killed_at_random_points_lose_nothing_acknowledged(store_url):
    rng = random.Random(20261202)
    acked: list[tuple[int, str, int]] = []
    rounds_that_wrote = 0
    with open_store(store_url) as store:
        store.append("E", [_event(0, "init")], expected_version=0)
    for i in range(ROUNDS):
        pid, fd = _fork_writer(store_url, "E", f"w{i}")
        early = _wait_ready(fd)
        if rng.random() < 0.75:  # most kills land while the writer is in its stride, the others in its first commit
            while b"\n" not in early:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                early += chunk
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), "the writer was meant to be killed while writing"
        got = _drain(fd, early)
        rounds_that_wrote += bool(got)
        acked.extend(got)
        if i % 20 == 0 or i == ROUNDS - 1:
            _check(store_url, "E", acked)
    assert rounds_that_wrote > ROUNDS // 2, "the writers were killed before they could write: the test proves little"


def test_concurrent_writers_lose_nothing(store_url):
    with open_store(store_url) as store:
        store.append("E", [_event(0, "init")], expected_version=0)
    writers = [_fork_writer(store_url, "E", f"c{i}", count=30) for i in range(4)]
    acked = []
    for pid, fd in writers:
        acked.extend(_drain(fd, _wait_ready(fd)))
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert len(acked) >= 4 * 30
    seqs = [a[0] for a in acked]
    assert len(set(seqs)) == len(seqs), "two writers were acknowledged the same position"
    _check(store_url, "E", acked)
    with open_store(store_url) as store:
        assert store.head("E")[0] == 1 + len(acked)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("dualprev")
    return subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def _inspections(tmp_path: Path, name: str, control: str, result: str, hour: int) -> Path:
    f = tmp_path / f"{name}.json"
    f.write_text(json.dumps({"format": "dualprev-inspections/1", "inspections": [
        {"id": name, "control": control, "result": result, "by": "巡检员", "at": f"2026-11-30T{hour:02d}:00:00+08:00"}]}), encoding="utf-8")
    return f


def test_two_inspect_commands_at_once_both_recorded(store_url, tmp_path):
    p = _cli("db", "import", str(EXAMPLE), "--db", store_url)
    assert p.communicate() and p.returncode == 0
    for pair in range(2):
        a = _inspections(tmp_path, f"INS-A{pair}", "C-TK-GDS", "effective", 9 + pair)
        b = _inspections(tmp_path, f"INS-B{pair}", "C-UL-GROUND", "effective", 9 + pair)
        procs = [_cli("inspect", "--db", store_url, "--inspections", str(f)) for f in (a, b)]
        outs = [p.communicate() for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
    with open_store(store_url) as store:
        state = store.load()
        ids = {i.id for i in state.inspections}
    assert {"INS-A0", "INS-B0", "INS-A1", "INS-B1"} <= ids


def test_two_inspect_commands_on_one_ledger_file_both_recorded(tmp_path):
    ledger = tmp_path / "l.jsonl"
    for pair in range(2):
        a = _inspections(tmp_path, f"INS-A{pair}", "C-TK-GDS", "failed", 9 + pair)
        b = _inspections(tmp_path, f"INS-B{pair}", "C-UL-GROUND", "failed", 9 + pair)
        procs = [_cli("inspect", str(EXAMPLE), "--ledger", str(ledger), "--inspections", str(f)) for f in (a, b)]
        outs = [p.communicate() for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
    sources = {getattr(e, "source", "") for e in read_ledger(ledger).events}
    assert {"inspection:INS-A0", "inspection:INS-B0"} <= sources


def _ledger_writer(path: Path, who: str, out: int, count: int | None) -> None:
    from dualprev_core.store import ledger_lock, write_ledger

    n = 0
    while count is None or n < count:
        with ledger_lock(path):
            led = read_ledger(path) if path.exists() else __import__("dualprev_core.hidden_dangers.ledger", fromlist=["Ledger"]).Ledger()
            hd = led.report(control_id=f"C-{who}", finding="failed", source=f"inspection:{who}-{n}", description="x" * 200,
                            owner_level="post", by=who, at=datetime(2026, 11, 30, tzinfo=UTC))
            write_ledger(led, path)
        os.write(out, f"{hd.id}\n".encode())
        n += 1


def test_ledger_file_writers_killed_at_random_points_lose_nothing(tmp_path):
    path = tmp_path / "ledger.jsonl"
    rng = random.Random(7)
    acked: set[str] = set()
    for i in range(max(20, ROUNDS // 3)):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.close(r)
                _ledger_writer(path, f"k{i % 5}", w, None)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(w)
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        acked.update(data.decode().split())
        if path.exists():
            ids = {h.id for h in read_ledger(path).all()}  # never truncated, never half-written
            assert acked <= ids
    assert acked, "no writer got to write"


@pytest.mark.parametrize("mode", ["db", "ledger"])
def test_inspect_commands_killed_at_random_points(mode, tmp_path):
    """The command-line path: exit 0 ⇒ its inspection is recorded; killed ⇒ nothing half-written."""
    rng = random.Random(11)
    url = str(tmp_path / "store.db")
    ledger = tmp_path / "l.jsonl"
    if mode == "db":
        p = _cli("db", "import", str(EXAMPLE), "--db", url)
        assert p.communicate() and p.returncode == 0
    target = ["--db", url] if mode == "db" else [str(EXAMPLE), "--ledger", str(ledger)]
    acknowledged, killed = [], 0
    for i in range(6):
        f = _inspections(tmp_path, f"INS-K{i}", "C-TK-GDS" if i % 2 else "C-UL-GROUND", "failed", 8 + i)
        p = _cli("inspect", *target, "--inspections", str(f))
        try:
            p.wait(timeout=rng.uniform(0.3, 3.0))
        except subprocess.TimeoutExpired:
            p.kill()
            killed += 1
        p.communicate()
        if p.returncode == 0:
            acknowledged.append(f"INS-K{i}")
        if mode == "db":
            with open_store(url) as store:
                assert verify_store(store).ok
                recorded = {i.id for i in store.load().inspections}
        else:
            recorded = {e.source.split(":", 1)[1] for e in read_ledger(ledger).events if getattr(e, "source", "").startswith("inspection:")} if ledger.exists() else set()
        assert set(acknowledged) <= recorded
