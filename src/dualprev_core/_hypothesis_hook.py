"""The ``hypothesis`` entry point: ``st.from_type(Enterprise)`` (and ``RiskLevel``, ``InspectionResult``) work.

Hypothesis runs this hook while ``import hypothesis`` is still in progress — possibly because
:mod:`dualprev_core.strategies` itself is importing hypothesis.  So the hook imports nothing of
dualprev's strategies when it runs: it registers resolvers that import them on first use.
"""

from __future__ import annotations

from typing import Any


def _strategy(name: str) -> Any:
    def resolve(_type: type) -> Any:
        from dualprev_core import strategies

        return getattr(strategies, name)()

    return resolve


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from dualprev_core.model.levels import RiskLevel
    from dualprev_core.model.records import Enterprise
    from dualprev_core.model.vocabulary import InspectionResult

    st.register_type_strategy(Enterprise, _strategy("enterprises"))
    st.register_type_strategy(RiskLevel, _strategy("risk_levels"))
    st.register_type_strategy(InspectionResult, _strategy("inspection_results"))
