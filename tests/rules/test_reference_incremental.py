"""The reference engine's step enumerates only the tuples containing the changed record; after
every step its satisfying sets must equal a full recomputation by nested loops."""

from __future__ import annotations

from typing import Any

from hypothesis import given, note
from rules.rules_helpers import OPS, rulesets

from dualprev_core.rules import ReferenceEngine, load_ruleset


@given(rs=rulesets(), steps=OPS)
def test_incremental_steps_equal_full_recomputation(rs: dict[str, Any], steps: list[Any]) -> None:
    with ReferenceEngine() as e:
        e.load(load_ruleset(rs))
        for i, (kind, arg) in enumerate(steps):
            if kind == "assert":
                e.assert_facts(arg)
            elif kind == "retract":
                e.retract_fact(*arg)
            elif kind == "events":
                e.post_events(arg)
            else:
                e.advance_clock(arg)
            note(f"step {i}: {kind} {arg!r}")
            for cr in e._rules:  # noqa: SLF001 - comparing the engine with its own definition
                assert e._active.get(cr.index, set()) == e._satisfying(cr), f"step {i}: rule {cr.name}"  # noqa: SLF001
