"""The durable-rules worker process (``python -m dualprev_core.rules._durable_worker``).

Reads pickled ``(method, args, crash)`` requests on stdin and writes pickled ``(status, value,
now)`` answers on its original stdout (fd 1 is pointed at stderr, so nothing the C core or a
library prints can corrupt the answers).  See :mod:`dualprev_core.rules.supervised`.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host decides when the worker ends
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    initial = pickle.load(inp)
    from dualprev_core.rules.durable import DurableEngine

    engine = DurableEngine(clock=initial)
    while True:
        try:
            method, args, crash = pickle.load(inp)
        except (EOFError, OSError):
            break
        if crash:  # fault injection for tests: the way a C fault ends a process
            os.kill(os.getpid(), signal.SIGSEGV)
        if method == "stop":
            engine.close()
            _answer(out, ("ok", None, None))
            break
        try:
            answer = ("ok", getattr(engine, method)(*args), engine.now)
        except Exception as exc:  # the host raises it again as a RuleEngineError with this message
            answer = ("err", f"{type(exc).__name__}: {exc}", engine.now)
        if not _answer(out, answer):
            break


def _answer(out: object, answer: tuple[object, ...]) -> bool:
    try:
        pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]
        out.flush()  # type: ignore[attr-defined]
    except (BrokenPipeError, OSError):  # the host went away: nothing to answer
        return False
    return True


if __name__ == "__main__":
    main()
