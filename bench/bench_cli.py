"""Command-line start-up: CPU time of ``dualprev --help`` and ``dualprev grade …`` against
``python -c pass``, measured side by side in one run.

Usage: ``python bench/bench_cli.py [--repeat 9] [--callgrind]``

Each command runs in a child process; its CPU time (user + system, from ``RUSAGE_CHILDREN``)
is taken, the three commands alternate ``--repeat`` times and the medians are compared.  The
children run with bytecode caching on (a first, unmeasured round writes the ``.pyc`` files, as
an installed package has them) and with the rule-file cache warm (its first fill is a one-time
cost, also unmeasured).  ``--callgrind`` also counts instructions with ``valgrind --tool=callgrind``
(one run each; deterministic, but an order of magnitude slower to take).

Target: each command ≤ 15× ``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_SCRIPT = Path(sys.executable).with_name("dualprev")  # the installed console script
_RUN = [str(_SCRIPT)] if _SCRIPT.exists() else ["-c", "import sys; from dualprev_core.cli.app import main; sys.exit(main())"]
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "dualprev --help": [*_RUN, "--help"],
    "dualprev grade lec L=3 E=6 C=15": [*_RUN, "grade", "lec", "L=3", "E=6", "C=15"],
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
    return env


def cpu_of(args: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{args} failed: {proc.stderr.decode()[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def instructions(args: list[str], env: dict[str, str]) -> int | None:
    if shutil.which("valgrind") is None:
        return None
    out = Path(tempfile.mkdtemp()) / "cg.out"
    proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, *args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    m = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
    return int(m.group(1)) if m else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--callgrind", action="store_true")
    args = ap.parse_args(argv)
    env = _env()
    for a in COMMANDS.values():  # warm: .pyc files and the rule-file cache
        cpu_of(a, env)
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    for _ in range(args.repeat):
        for k, a in COMMANDS.items():
            times[k].append(cpu_of(a, env))
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["python -c pass"]
    result = {"cpu": med, "ratio": {k: v / base for k, v in med.items()}, "spread": {k: [min(v), max(v)] for k, v in times.items()}}
    if args.callgrind:
        ins = {k: instructions(a, env) for k, a in COMMANDS.items()}
        if all(ins.values()):
            result["instructions"] = ins
            result["instruction_ratio"] = {k: v / ins["python -c pass"] for k, v in ins.items()}  # type: ignore[operator]
    for k in COMMANDS:
        line = f"{k:34s} {med[k] * 1e3:7.1f} ms CPU  {med[k] / base:5.1f}x  (min {min(times[k]) * 1e3:.1f}, max {max(times[k]) * 1e3:.1f})"
        if "instruction_ratio" in result:
            line += f"  callgrind {result['instructions'][k] / 1e6:.0f} M instr {result['instruction_ratio'][k]:5.1f}x"
        print(line, file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
