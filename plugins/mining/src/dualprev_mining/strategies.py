"""Hypothesis strategies for mining facts, to use with :func:`dualprev_core.strategies.enterprises`.

>>> from dualprev_core.strategies import enterprises
>>> from dualprev_mining.strategies import control_facts
>>> mines = enterprises(industry="mining", control_facts=control_facts())
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ._data import criterion_items

__all__ = ["control_facts"]


def control_facts() -> st.SearchStrategy[dict[str, Any]]:
    """A control's ``mining:`` facts: none, or the criterion items (rule ids of the coal and metal /
    non-metal standards) it prevents — an inspection that finds it failed or missing is a major
    hidden danger by those items."""
    items = sorted(criterion_items())
    return st.one_of(st.just({}), st.lists(st.sampled_from(items), min_size=1, max_size=2, unique=True).map(lambda xs: {"mining:items": xs}))
