"""The public API is exactly what ``__all__`` says (hypothesis-style export check)."""

from __future__ import annotations

import importlib

import pytest

MODULES = ["dualprev_core", "dualprev_core.grading", "dualprev_core.model.levels", "dualprev_core.loading.enterprise", "dualprev_core.graph",
           "dualprev_core.assessment.assessment", "dualprev_core.packs.registry", "dualprev_core.strategies", "dualprev_core.taxonomy",
           "dualprev_core.hidden_dangers.ledger", "dualprev_core.errors", "dualprev_core.model.vocabulary", "dualprev_core.model.records"]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist_and_are_public(name):
    mod = importlib.import_module(name)
    assert mod.__all__, name
    for item in mod.__all__:
        assert hasattr(mod, item), (name, item)
        assert not item.startswith("_") or item == "__version__", (name, item)


def test_root_exports_every_public_model_class():
    import dualprev_core
    from dualprev_core.model import records as model

    missing = [n for n in model.__all__ if n not in dualprev_core.__all__ and n not in {"Geometry", "Settings", "EscalationPolicy", "Frequency"}]
    assert not missing
