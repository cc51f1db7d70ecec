"""Hypothesis strategies for chemical facts, to use with :func:`dualprev_core.strategies.enterprises`.

>>> from dualprev_core.strategies import enterprises
>>> from dualprev_chemical.strategies import control_facts
>>> chemical_plants = enterprises(industry="chemical", control_facts=control_facts())
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["control_facts"]


def control_facts() -> st.SearchStrategy[dict[str, Any]]:
    """A control's ``chemical:`` facts: none, or the 安监总管三〔2017〕121号 item (1–20) it prevents —
    a hidden danger that finds such a control failed or missing is major by that item."""
    return st.one_of(st.just({}), st.fixed_dictionaries({"chemical:item": st.integers(1, 20)}))
