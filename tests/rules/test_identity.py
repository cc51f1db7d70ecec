"""0 false duplicates over 100k distinct facts through the durable engine (raw: ~1 expected).

How long it takes is measured in ``bench/bench_rules.py`` (identity check), not asserted here.
"""

from __future__ import annotations

import pytest

pytest.importorskip("durable_rules_engine")

from rules.rules_helpers import doc, rule  # noqa: E402

from dualprev_core.rules import load_ruleset, make_engine  # noqa: E402
from dualprev_core.rules.durable import fnv32  # noqa: E402

N = 100_000


def test_no_false_duplicates_over_100k_distinct_facts() -> None:
    with make_engine("durable-inprocess") as e:
        e.load(load_ruleset(doc(rule("r", [{"fact": "risk", "as": "m", "where": [{"field": "grade", "op": "eq", "value": "major"}]}]))))
        n = 0
        for i in range(0, N, 1000):
            n += len(e.assert_facts({"type": "risk", "key": f"fact-{j}", "grade": "major"} for j in range(i, i + 1000)))
        stats = e.stats()
        ids = list(e._ids.values())
    assert n == N
    assert stats["false_duplicates"] == 0 and stats["live_ids"] == N
    assert len({fnv32(s) for s in ids}) == N  # every live id has its own 32-bit hash
