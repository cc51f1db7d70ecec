"""The rules layer: pack criteria as data (``dualprev-rules/1``) and two engines behind one
interface — durable-rules (Rete, C core) and a pure-Python reference that is the oracle.

>>> from dualprev_core.rules import load_ruleset, make_engine
>>> engine = make_engine("reference")
>>> _ = engine.load({"format": "dualprev-rules/1", "ruleset": "demo", "rules": [{
...     "id": "r1", "title": "demo", "citation": {"standard": "GB 0", "edition": "", "clause": "1"},
...     "when": [{"fact": "unit", "as": "u", "where": [{"field": "level", "op": "le", "value": 2}]}],
...     "then": [{"grade_hidden_danger": "major"}]}]})
>>> [m.rule for m in engine.assert_facts([{"type": "unit", "key": "U1", "level": 1}])]
['r1']

See docs/rules.md for the format, the semantics and the durable-rules traps.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names are imported from their modules on first use (PEP 562): a pack registering rule files
# needs the validator, not the engines.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("ENGINE_KINDS", "Engine", "durable_available", "make_engine"), "dualprev_core.rules.engine"),
    **dict.fromkeys(("FORMAT", "OPS", "REF_OPS", "AnyOf", "Binding", "Condition", "EventPattern", "FactPattern", "Match",
                     "NonePattern", "Outcome", "Rule", "RuleSet", "SilencePattern"), "dualprev_core.rules.format"),
    "ReferenceEngine": "dualprev_core.rules.reference",
    **dict.fromkeys(("EngineFallbackWarning", "RuleActionError", "RuleEngineError"), "dualprev_core.rules.semantics"),
    **dict.fromkeys(("MAX_JOIN", "load_ruleset", "parse_ruleset"), "dualprev_core.rules.validation"),
}

if TYPE_CHECKING:
    from dualprev_core.rules.engine import ENGINE_KINDS, Engine, durable_available, make_engine
    from dualprev_core.rules.format import (
        FORMAT,
        OPS,
        REF_OPS,
        AnyOf,
        Binding,
        Condition,
        EventPattern,
        FactPattern,
        Match,
        NonePattern,
        Outcome,
        Rule,
        RuleSet,
        SilencePattern,
    )
    from dualprev_core.rules.reference import ReferenceEngine
    from dualprev_core.rules.semantics import EngineFallbackWarning, RuleActionError, RuleEngineError
    from dualprev_core.rules.validation import MAX_JOIN, load_ruleset, parse_ruleset


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dualprev_core.rules' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "FORMAT",
    "OPS",
    "REF_OPS",
    "MAX_JOIN",
    "ENGINE_KINDS",
    "AnyOf",
    "Binding",
    "Condition",
    "EventPattern",
    "FactPattern",
    "Match",
    "NonePattern",
    "Outcome",
    "Rule",
    "RuleSet",
    "SilencePattern",
    "Engine",
    "ReferenceEngine",
    "EngineFallbackWarning",
    "RuleActionError",
    "RuleEngineError",
    "load_ruleset",
    "parse_ruleset",
    "make_engine",
    "durable_available",
]
