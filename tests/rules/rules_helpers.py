"""Shared helpers for the rules tests: a minimal valid rule document and hypothesis strategies."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

CIT = {"standard": "GB 0000", "edition": "2020", "clause": "4.1"}


def doc(*rules: dict[str, Any], ruleset: str = "t") -> dict[str, Any]:
    return {"format": "dualprev-rules/1", "ruleset": ruleset, "pack": "test", "rules": list(rules)}


def rule(rid: str, when: list[Any], then: list[Any] | None = None, **kw: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "title": {"zh": rid, "en": rid},
        "citation": dict(CIT),
        "when": when,
        "then": then or [{"flag": {"name": rid}}],
        **kw,
    }


# ----------------------------------------------------------------- generated rule sets
TYPES = ["a", "b", "c"]
FIELDS = ["x", "y", "g.z"]
SCALARS = st.one_of(
    st.integers(-1, 1),
    st.sampled_from([0.5, 1.0, 1e-05, 2.0e16]),
    st.sampled_from(["1", "x", "瓦斯"]),
    st.booleans(),
    st.none(),
)
NUMBERS = st.one_of(st.integers(-1, 1), st.sampled_from([0.5, 1.0, 1e-05]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))


@st.composite
def conditions(draw: Any, aliases: list[str], depth: int = 0) -> dict[str, Any]:
    if depth == 0 and draw(st.integers(0, 9)) == 0:
        return {"any": draw(st.lists(conditions(aliases, 1), min_size=1, max_size=3))}
    field = draw(st.sampled_from(FIELDS))
    op = draw(
        st.sampled_from(
            ["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "between", "exists", "missing", "matches", "contains"]
            + ["exists", "ne", "not_in", "eq"] * 2
        )
    )
    c: dict[str, Any] = {"field": field, "op": op}
    if op in ("eq", "ne", "lt", "le", "gt", "ge") and aliases and draw(st.booleans()):
        c["ref"] = draw(st.sampled_from(aliases)) + "." + draw(st.sampled_from(FIELDS))
    elif op in ("eq", "ne"):
        c["value"] = draw(SCALARS)
    elif op in ("lt", "le", "gt", "ge"):
        c["value"] = draw(NUMBERS)
    elif op in ("in", "not_in"):
        c["value"] = draw(st.lists(SCALARS, min_size=1, max_size=3))
    elif op == "between":
        lo, hi = sorted([draw(NUMBERS), draw(NUMBERS)])
        c["value"] = [lo, hi]
    elif op == "matches":
        c["value"] = draw(st.sampled_from(["^x", "1", "瓦", "^$", "y|1"]))
    elif op == "contains":
        c["value"] = draw(st.one_of(st.sampled_from(["x", "1", "斯"]), st.integers(-1, 1), st.booleans()))
    return c


@st.composite
def rulesets(draw: Any) -> dict[str, Any]:
    rules = []
    for i in range(draw(st.integers(1, 3))):
        when: list[dict[str, Any]] = []
        aliases: list[str] = []
        for k in range(draw(st.integers(1, 3))):
            alias = f"v{k}"
            when.append({"fact": draw(st.sampled_from(TYPES)), "as": alias, "where": draw(st.lists(conditions(aliases), max_size=2))})
            aliases.append(alias)
        for _ in range(draw(st.integers(0, 2))):
            neg = {"none": {"fact": draw(st.sampled_from(TYPES)), "where": draw(st.lists(conditions(aliases), max_size=2))}}
            when.insert(draw(st.integers(0, len(when))), neg)
        rules.append(rule(f"r{i}", when, salience=draw(st.integers(0, 1))))
    return doc(*rules)


@st.composite
def facts(draw: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"type": draw(st.sampled_from(TYPES)), "key": draw(st.sampled_from(["k0", "k1", "k2", "k3"]))}
    for name in ("x", "y"):
        if draw(st.integers(0, 5)):
            f[name] = draw(VALUES)
    if draw(st.booleans()):
        f["g"] = draw(st.one_of(st.fixed_dictionaries({"z": VALUES}), st.just({}), SCALARS))
    return f


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("assert"), st.lists(facts(), min_size=1, max_size=3)),
        st.tuples(st.just("retract"), st.tuples(st.sampled_from(TYPES), st.sampled_from(["k0", "k1", "k2", "k3"]))),
    ),
    min_size=5,
    max_size=30,
)
