"""Packs in a few lines: :func:`define_pack` declares what every pack has, so a pack's ``pack.py``
keeps only its domain hooks.

>>> from dualprev_core.packs import define_pack, hookimpl
>>> pack = define_pack(                                          # doctest: +SKIP
...     __name__, name="chemical", version=__version__, title="化工行业包", industry="chemical",
...     standards=STANDARDS, categories=CATEGORIES, rules="criteria", data="data")
>>> @hookimpl                                                    # doctest: +SKIP
... def dualprev_enterprise_facts(assessment): ...

The loader finds the definition in the pack's module (the entry point names the module) and
registers, for the pack: its manifest, its accident categories, every rule file of its rule folder
(parsed once, through the rules loader), and its *gate* — whether it judges an enterprise.  The
module's own ``@hookimpl`` functions are registered as usual.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from dualprev_core._version import CORE_API_VERSION
from dualprev_core.errors import InvalidInput
from dualprev_core.packs.registry import PackManifest, find_rule_files
from dualprev_core.provenance import Citation

if TYPE_CHECKING:
    from dualprev_core.model.records import Enterprise
    from dualprev_core.rules import RuleSet

__all__ = ["PackDefinition", "define_pack", "default_gate", "industry_or_facts", "has_facts", "parsed_ruleset", "CURRENT_API_RANGE"]

#: The core API range a pack supports by default: this major version, from this minor on.
CURRENT_API_RANGE = f">={CORE_API_VERSION},<{int(CORE_API_VERSION.split('.')[0]) + 1}"


def has_facts(enterprise: Enterprise, prefix: str) -> bool:
    """Whether any record of ``enterprise`` (or the enterprise itself) has a fact named ``prefix…``."""
    records: Iterable[Any] = (
        [enterprise], enterprise.areas, enterprise.posts, enterprise.risk_points, enterprise.hazards, enterprise.risks,
        enterprise.controls, enterprise.major_hazard_installations, enterprise.monitoring_points, enterprise.inspections,
    )
    return any(str(k).startswith(prefix) for group in records for r in group for k in (getattr(r, "facts", None) or {}))


def default_gate(enterprise: Enterprise, *, industry: str, namespace: str) -> bool:
    """Whether a pack of ``industry`` judges ``enterprise``: yes when the pack names no industry, the
    enterprise names none, the two are equal, or the enterprise records any fact of the pack's
    namespace (``chemical:…``).  Mine criteria are thus not applied to a chemical plant, but a
    chemical plant with a ``mining:`` fact gets the mining pack's judgement of it.
    """
    if not industry or not enterprise.industry or enterprise.industry == industry:
        return True
    return has_facts(enterprise, namespace + ":")


def industry_or_facts(industry: str, namespace: str | None = None) -> Callable[[Enterprise], bool]:
    """A stricter gate: the pack judges enterprises of ``industry`` and those recording a fact of
    its namespace (``namespace:…``, default the industry key) — not enterprises that name no industry.
    """
    prefix = (namespace or industry) + ":"

    def gate(enterprise: Enterprise) -> bool:
        return enterprise.industry == industry or has_facts(enterprise, prefix)

    gate.__qualname__ = f"industry_or_facts({industry!r})"
    return gate


def _citations(values: Iterable[Citation]) -> tuple[Citation, ...]:
    return tuple(values)


def _categories(value: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    return {str(k): tuple(v) for k, v in value.items()}


@attrs.frozen(eq=False)
class PackDefinition:
    """What every pack declares (see :func:`define_pack` for the fields)."""

    module: str
    name: str
    version: str
    title: str = ""
    industry: str = ""
    standards: tuple[Citation, ...] = attrs.field(default=(), converter=_citations)
    core_api: str = CURRENT_API_RANGE
    categories: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_categories)
    rules: str | None = None
    data: str | None = None
    applies_to: Callable[[Enterprise], bool] | None = None
    replaceable_rules: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def package(self) -> str:
        """The package holding the pack's files (the module's package)."""
        return self.module.rpartition(".")[0] or self.module

    @property
    def manifest(self) -> PackManifest:
        return PackManifest(name=self.name, version=self.version, core_api=self.core_api, title=self.title,
                            standards=self.standards, industry=self.industry)

    def path(self, *parts: str) -> Path:
        """A file or folder shipped in the pack's package."""
        return Path(str(resources.files(self.package).joinpath(*parts)))

    def rules_dir(self) -> Path | None:
        return self.path(self.rules) if self.rules else None

    def rule_files(self) -> list[Path]:
        """The pack's rule files: its rule folder's (by name), each replaced by the file an
        environment variable of ``replaceable_rules`` names, if set.

        :raises InvalidInput: a replacement that is not a file.
        """
        folder = self.rules_dir()
        if folder is None:
            return []
        out = []
        for f in find_rule_files(folder):
            env = self.replaceable_rules.get(f.name)
            override = os.environ.get(env, "").strip() if env else ""
            if override:
                p = Path(override)
                if not p.is_file():
                    raise InvalidInput(f"{env}={override!r}: no such rule file (unset it to use the pack's {f.name})")
                f = p
            out.append(f)
        return out

    def rulesets(self) -> list[RuleSet]:
        """The pack's rule files parsed (once per file, through the rules loader)."""
        return [parsed_ruleset(f) for f in self.rule_files()]

    def data_file(self, name: str) -> Path:
        if not self.data:
            raise InvalidInput(f"pack {self.name!r} declares no data folder")
        return self.path(self.data, name)

    def load_data(self, name: str) -> Any:
        """A YAML data file of the pack, parsed once."""
        return _yaml(self.data_file(name))

    def judges(self, enterprise: Enterprise) -> bool:
        """The gate: ``applies_to(enterprise)`` if given, else :func:`default_gate`."""
        if self.applies_to is not None:
            return bool(self.applies_to(enterprise))
        return default_gate(enterprise, industry=self.industry, namespace=self.name)


def parsed_ruleset(path: Path) -> RuleSet:
    """``rules.load_ruleset(path)``, parsed once per process while the file is unchanged
    (validating a rule file is the slow part of loading a pack)."""
    st = path.stat()
    return _parsed(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=1024)
def _parsed(path: str, _mtime_ns: int, _size: int) -> RuleSet:
    from dualprev_core.rules import load_ruleset

    return load_ruleset(path)


@functools.cache
def _yaml(path: Path) -> Any:
    from dualprev_core.yaml_lines import safe_load_fast

    return safe_load_fast(path.read_text(encoding="utf-8"))


def define_pack(
    module: str,
    *,
    name: str,
    version: str,
    title: str = "",
    industry: str = "",
    standards: Iterable[Citation] = (),
    core_api: str = CURRENT_API_RANGE,
    categories: Mapping[str, Iterable[str]] | None = None,
    rules: str | None = None,
    data: str | None = None,
    applies_to: Callable[[Enterprise], bool] | None = None,
    replaceable_rules: Mapping[str, str] | None = None,
) -> PackDefinition:
    """Declare a pack; bind the result to a name in the pack's module (one definition per module).

    :param module: the module holding the pack's hook implementations: pass ``__name__``.  Its
        package holds the pack's files.
    :param name: the pack's name, unique among installed packs; also the namespace of its facts
        (``name:field``).
    :param version: the pack's version.
    :param title: a human title.
    :param industry: the industry key enterprises name in ``enterprise.industry``.
    :param standards: the standards and editions the pack encodes, as citations.
    :param core_api: the core API versions supported (default: this major version, ``>=1.0,<2``).
    :param categories: GB 6441 categories the industry uses, by edition (``{"1986": [...], "2025": [...]}``).
    :param rules: the folder (in the package) of the pack's rule files; all are registered.
    :param data: the folder (in the package) of the pack's data files (:meth:`PackDefinition.load_data`).
    :param applies_to: the gate — whether the pack judges an enterprise (its rule files and its
        decision hooks); default :func:`default_gate`.
    :param replaceable_rules: rule files a user may replace: file name → environment variable
        naming the replacement (e.g. monitoring limits that are settings).
    """
    return PackDefinition(
        module=module, name=name, version=version, title=title, industry=industry, standards=standards,
        core_api=core_api, categories=categories or {}, rules=rules, data=data, applies_to=applies_to,
        replaceable_rules=dict(replaceable_rules or {}),
    )
