"""Loading enterprise files (YAML or JSON, format ``dualprev-enterprise/1``).

Validation reports **every** problem at once, each with its path (``risks[3].controls[1].owner_level``)
and, for YAML, its line.  Structure is checked against :data:`SCHEMA`; then references, duplicate
ids, accident categories, grading inputs and control effects.  Nothing is silently dropped:
unknown fields are errors; free-form data belongs in a ``facts`` mapping, kept verbatim.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dualprev_core._gc import gc_paused
from dualprev_core.errors import DualprevError, InvalidInput, Problem, UnknownReference, ValidationError, excerpt, suggest
from dualprev_core.grading import GradingMethod, core_methods
from dualprev_core.identity import People, check_name
from dualprev_core.limits import get_limits, read_text, structure_problems
from dualprev_core.loading.schema import SCHEMA
from dualprev_core.model.levels import RiskLevel
from dualprev_core.model.records import (
    Area,
    Control,
    Enterprise,
    EscalationPolicy,
    Frequency,
    Geometry,
    Hazard,
    Inspection,
    InspectionItem,
    MajorHazardInstallation,
    MonitoringPoint,
    Post,
    Risk,
    RiskPoint,
    Settings,
)
from dualprev_core.model.values import CHINA_STANDARD_TIME, parse_frequency, parse_time
from dualprev_core.model.vocabulary import ControlKind, InspectionResult, OwnerLevel, RiskPointKind
from dualprev_core.yaml_lines import Lines, line_of, load_yaml_with_lines

if TYPE_CHECKING:
    import jsonschema

    from dualprev_core.packs import Packs

__all__ = ["SCHEMA", "INSPECTIONS_FORMAT", "register_people", "unknown_actors", "load_enterprise", "parse_enterprise", "load_inspections", "parse_inspections", "parse_path", "parse_frequency", "parse_time", "format_path", "CHINA_STANDARD_TIME"]

@functools.lru_cache(maxsize=256)
def _frequency(text: str) -> Frequency:
    """:func:`parse_frequency`, memoised: a file repeats a few frequencies thousands of times."""
    return parse_frequency(text)

def format_path(parts: Iterable[Any]) -> str:
    """``('risks', 3, 'controls', 1, 'level')`` → ``risks[3].controls[1].level``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def load_enterprise(path: str | Path, *, methods: Mapping[str, GradingMethod] | None = None, packs: Packs | None = None) -> Enterprise:
    """Read and validate an enterprise file (``.yaml``/``.yml``/``.json``).

    :param methods: grading methods by name; default: those of ``packs``, else the core's.
    :param packs: loaded packs: their methods are known and their ``dualprev_validate_enterprise``
        checks run, with problems reported together with the core's.
    :raises ValidationError: every problem found, each with path (and line for YAML).
    """
    with gc_paused():  # many small acyclic objects: see dualprev_core._gc
        data, lines, source = _read_document(path)
        return parse_enterprise(data, source=source, lines=lines, methods=methods, packs=packs)


#: Format tag of a file of inspection results (``dualprev inspect --inspections``).
INSPECTIONS_FORMAT = "dualprev-inspections/1"


def _read_document(path: str | Path) -> tuple[Any, Lines, str]:
    p = Path(path)
    source = str(p)
    text = read_text(p)
    lines: Lines = {}
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
        else:
            data, lines, _keylines, dups = load_yaml_with_lines(text)
            if dups:
                raise ValidationError([Problem(format_path(path), "duplicate key: the value given earlier would be lost", source, line)
                                       for path, line in dups], source=source)
    except json.JSONDecodeError as exc:
        raise ValidationError([Problem("", f"invalid JSON: {exc.msg}", source, exc.lineno)], source=source) from None
    except _DuplicateKey as exc:
        raise ValidationError([Problem("", f"duplicate key {exc.args[0]!r}: the value given earlier would be lost", source)], source=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValidationError([Problem("", f"invalid YAML: {getattr(exc, 'problem', exc)}", source, mark.line + 1 if mark else None)],
                              source=source) from None
    except ValidationError:
        raise
    except RecursionError:
        raise ValidationError([Problem("", f"nested more than max_depth={get_limits().max_depth} levels deep", source)], source=source) from None
    except ValueError as exc:  # an integer of thousands of digits (Python's int limit)
        raise ValidationError([Problem("", f"cannot read a number: {excerpt(str(exc))}", source)], source=source) from None
    found = structure_problems(data, finite=True, shared=p.suffix.lower() != ".json")
    if found:
        raise ValidationError([Problem(path, message, source, line_of(lines, parse_path(path)) if lines else None)
                               for path, message in found], source=source)
    return data, lines, source


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _DuplicateKey(k)
            seen.add(k)
    return out


def load_inspections(path: str | Path, enterprise: Enterprise) -> list[Inspection]:
    """Read a file of inspection results for ``enterprise`` (YAML or JSON).

    The file is ``{format: dualprev-inspections/1, inspections: [...]}`` (or a bare list), each
    inspection with the fields of an enterprise file's ``inspections``.
    :raises ValidationError: every problem, with path and line.
    """
    data, lines, source = _read_document(path)
    return parse_inspections(data, enterprise, source=source, lines=lines)


def parse_inspections(data: Any, enterprise: Enterprise, *, source: str | None = None, lines: Lines | None = None) -> list[Inspection]:
    """Validate decoded inspection results against ``enterprise``'s controls and items."""
    if isinstance(data, list):
        data, lines = {"format": INSPECTIONS_FORMAT, "inspections": data}, {("inspections", *k): v for k, v in (lines or {}).items()}
    builder = _Builder(data, source, lines or {}, {})
    schema = {
        "type": "object",
        "required": ["format", "inspections"],
        "additionalProperties": False,
        "properties": {"format": {"const": INSPECTIONS_FORMAT}, "inspections": SCHEMA["properties"]["inspections"]},
    }
    if not isinstance(data, Mapping):
        builder.problem((), f"must be a list of inspections or a mapping with 'format: {INSPECTIONS_FORMAT}'")
        builder.fail_if_problems()
    import jsonschema  # imported when needed: it costs ~30 ms at start-up

    for err in sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: [str(x) for x in e.absolute_path]):
        for path, message in _schema_messages(tuple(err.absolute_path), err):
            builder.problem(path, message)
    builder.fail_if_problems()
    items = {it.id: it for it in enterprise.inspection_items}
    controls = {c.id for c in enterprise.controls}
    builder.control_ids = controls
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(data["inspections"]):
        if raw["id"] in seen:
            builder.problem(("inspections", i, "id"), f"duplicate id {raw['id']!r} (first used at inspections[{seen[raw['id']]}])")
        seen.setdefault(raw["id"], i)
        if "control" in raw and raw["control"] not in controls:
            builder.problem(("inspections", i, "control"), f"{raw['control']!r} is not a control of {enterprise.id}{suggest(raw['control'], controls)}")
            continue
        x = builder.inspection(i, raw, items)
        if x is not None:
            out.append(x)
    builder.check_actors(data["inspections"], register_people(enterprise))
    builder.fail_if_problems()
    return out


def unknown_actors(enterprise: Enterprise, inspections: Iterable[Inspection] | None = None) -> list[tuple[str, str]]:
    """``(inspection id, by)`` for each inspection whose ``by`` is not a person the register lists
    in ``posts[].people`` (compared by identity: docs/limits.md); nothing when the register lists
    no people.  Callers report them (the command line prints a warning for each)."""
    people = register_people(enterprise)
    if not people:
        return []
    return [(x.id, x.by) for x in (enterprise.inspections if inspections is None else inspections) if people.find(x.by) is None]


def register_people(enterprise: Enterprise) -> People:
    """The people the enterprise's posts list, by identity (:mod:`dualprev_core.identity`)."""
    return People((name, f"posts[{i}].people[{k}]") for i, p in enumerate(enterprise.posts) for k, name in enumerate(p.people))


def parse_enterprise(
    data: Any,
    *,
    source: str | None = None,
    lines: Lines | None = None,
    methods: Mapping[str, GradingMethod] | None = None,
    packs: Packs | None = None,
) -> Enterprise:
    """Validate a decoded document and build the :class:`Enterprise` (see :func:`load_enterprise`).

    :raises ValidationError: every problem found.
    """
    if packs is not None:
        packs.require_complete()  # no pack-checked load while an installed pack failed to load
    if methods is None:
        methods = packs.registry.methods if packs is not None else {m.name: m for m in core_methods()}
    builder = _Builder(data, source, lines or {}, methods)
    with gc_paused():
        enterprise = builder.build()
    if packs is not None:
        for p in packs.validate_enterprise(enterprise):
            builder.problem(parse_path(p.path), p.message)
        builder.fail_if_problems()
    return enterprise


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(text: str) -> tuple[Any, ...]:
    """``risks[3].facts.chemical:inventory`` → ``('risks', 3, 'facts', 'chemical:inventory')``."""
    return tuple(int(idx) if idx else name for name, idx in _PATH_PART.findall(text))


class _Builder:
    def __init__(self, data: Any, source: str | None, lines: Lines, methods: Mapping[str, GradingMethod]) -> None:
        self.data, self.source, self.lines, self.methods = data, source, lines, methods
        self.problems: list[Problem] = []
        self.control_ids: set[str] = set()
        self._inputs_memo: dict[tuple[Any, ...], dict[str, float]] = {}
        self._grade_memo: dict[tuple[Any, ...], Any] = {}
        self._category_memo: dict[tuple[str, str], str] = {}
        self._vocab_memo: dict[tuple[Any, Any], Any] = {}

    # -- problems -------------------------------------------------------------------------
    def problem(self, path: tuple[Any, ...], message: str) -> None:
        line = line_of(self.lines, path) if self.lines else None
        self.problems.append(Problem(format_path(path), message, self.source, line))

    def fail_if_problems(self) -> None:
        if self.problems:
            order = {id(p): i for i, p in enumerate(self.problems)}
            raise ValidationError(sorted(self.problems, key=lambda p: order[id(p)]), source=self.source)

    # -- structure ------------------------------------------------------------------------
    def check_schema(self) -> None:
        if _schema_accepts(self.data):
            return
        import jsonschema

        validator = jsonschema.Draft202012Validator(SCHEMA)
        errors = sorted(validator.iter_errors(self.data), key=lambda e: [str(x) for x in e.absolute_path])
        for err in errors:
            for path, message in _schema_messages(tuple(err.absolute_path), err):
                self.problem(path, message)

    def build(self) -> Enterprise:
        if not isinstance(self.data, Mapping):
            self.problem((), f"the document must be a mapping with 'format: dualprev-enterprise/1' (got {type(self.data).__name__})")
            self.fail_if_problems()
        self.check_schema()
        self.fail_if_problems()
        d = self.data
        settings = self.settings(d.get("settings", {}))
        areas = [self.area(i, a) for i, a in enumerate(d.get("areas", []))]
        posts = [self.post(i, a) for i, a in enumerate(d.get("posts", []))]
        rps = [RiskPoint(r["id"], r["name"], r["area"], RiskPointKind.parse(r.get("kind", "place")), r.get("facts")) for r in d.get("risk_points", [])]
        hazards = [Hazard(h["id"], h["name"], h.get("factor"), h.get("risk_point"), h.get("description", ""), h.get("facts")) for h in d.get("hazards", [])]
        rp_area = {r.id: r.area for r in rps}
        risks: list[Risk] = []
        controls: list[tuple[tuple[Any, ...], Control]] = []
        items: list[tuple[tuple[Any, ...], InspectionItem]] = []
        for i, r in enumerate(d.get("risks", [])):
            risk = self.risk(i, r, settings, rp_area)
            if risk is not None:
                risks.append(risk)
            for j, c in enumerate(r.get("controls", ())):
                cpath: tuple[Any, ...] = ("risks", i, "controls", j)
                control = self.control(cpath, c, (r["id"], *c["also_mitigates"]) if "also_mitigates" in c else (r["id"],))
                controls.append((cpath, control))
                if "inspection_items" in c:
                    items += [((*cpath, "inspection_items", k), self.item((*cpath, "inspection_items", k), it, control)) for k, it in enumerate(c["inspection_items"])]
        for i, c in enumerate(d.get("controls", [])):
            cpath = ("controls", i)
            control = self.control(cpath, c, tuple(c["mitigates"]))
            controls.append((cpath, control))
            if "inspection_items" in c:
                items += [((*cpath, "inspection_items", k), self.item((*cpath, "inspection_items", k), it, control)) for k, it in enumerate(c["inspection_items"])]
        items += [(("inspection_items", i), self.item(("inspection_items", i), it, None)) for i, it in enumerate(d.get("inspection_items", []))]
        items_by_id = {it.id: it for _, it in items}
        self.control_ids = {c.id for _, c in controls}
        parsed = [self.inspection(i, raw, items_by_id) for i, raw in enumerate(d.get("inspections", []))]
        inspections = [x for x in parsed if x is not None]
        mhis = [MajorHazardInstallation(m["id"], m["name"], m["area"], m.get("kind", "storage"), m.get("facts")) for m in d.get("major_hazard_installations", [])]
        points = [
            MonitoringPoint(m["id"], m["name"], m["quantity"], m["unit"], m.get("area"), m.get("control"), m.get("expected_interval_s"), m.get("facts"))
            for m in d.get("monitoring_points", [])
        ]
        ent = d["enterprise"]
        enterprise = Enterprise(
            id=ent["id"], name=ent["name"], industry=ent.get("industry", ""), region=ent.get("region", ""),
            settings=settings, areas=tuple(areas), posts=tuple(posts), risk_points=tuple(rps), hazards=tuple(hazards),
            risks=tuple(risks), controls=tuple(c for _, c in controls), inspection_items=tuple(i for _, i in items),
            inspections=tuple(inspections), major_hazard_installations=tuple(mhis), monitoring_points=tuple(points), facts={**ent.get("facts", {}), **d.get("facts", {})},
            source=self.source,
        )
        self.check_references(enterprise, controls, items)
        self.fail_if_problems()
        return enterprise

    # -- records --------------------------------------------------------------------------
    def settings(self, s: Mapping[str, Any]) -> Settings:
        for method, variant in s.get("variants", {}).items():
            self.check_variant(("settings", "variants", method), method, variant)
        for method in s.get("edges", {}):
            if method not in self.methods:
                self.problem(("settings", "edges", method), self.unknown_method(method))
            elif not self.methods[method].uses_edges:
                self.problem(("settings", "edges", method), f"{method} grades by lookup, so an edge setting has no effect; remove it")
        return Settings(
            gb6441_edition=str(s.get("gb6441_edition", "2025")),  # YAML reads an unquoted 1986 as a number
            variants=dict(s.get("variants", {})),
            edges=dict(s.get("edges", {})),
            escalation=EscalationPolicy(**s.get("escalation", {})),
            enterprise_level_method=s.get("enterprise_level_method"),
            investigation=self.investigation_settings(s.get("investigation", {})),
        )

    def investigation_settings(self, inv: Mapping[str, Any]) -> dict[str, Any]:
        from dualprev_core.investigation.schedule import WorkCalendar

        try:
            WorkCalendar.from_settings(inv)
        except InvalidInput as exc:
            self.problem(("settings", "investigation"), str(exc))
        return dict(inv)

    def area(self, i: int, a: Mapping[str, Any]) -> Area:
        g = a.get("geometry")
        geometry = Geometry(g["type"], g["coordinates"]) if g else None
        if g and g["type"] == "polygon" and len(g["coordinates"]) < 3:
            self.problem(("areas", i, "geometry", "coordinates"), f"a polygon needs at least 3 points (got {len(g['coordinates'])})")
        return Area(a["id"], a["name"], a.get("parent"), a.get("kind", ""), geometry, a.get("facts"))

    def post(self, i: int, p: Mapping[str, Any]) -> Post:
        return Post(p["id"], p["name"], p.get("area"), OwnerLevel.parse(p.get("owner_level", "post")), tuple(p.get("people", [])), p.get("facts"))

    def check_inputs(self, m: GradingMethod, raw: Mapping[str, Any]) -> dict[str, float]:
        """``m.check_inputs(raw)``, memoised: an enterprise repeats few input combinations."""
        try:
            key = (m.name, tuple(raw.items()))
            hit = self._inputs_memo.get(key)
        except TypeError:  # an unhashable value: the method reports it
            return m.check_inputs(raw)
        if hit is None:
            hit = self._inputs_memo[key] = m.check_inputs(raw)
        return dict(hit)

    def unknown_method(self, name: str) -> str:
        return f"{name!r} is not an installed grading method; installed: {', '.join(sorted(self.methods))}{suggest(name, self.methods)} (a pack may provide it: see 'dualprev packs')"

    def check_variant(self, path: tuple[Any, ...], method: str, variant: str) -> None:
        if method not in self.methods:
            self.problem(path, self.unknown_method(method))
        elif variant not in self.methods[method].variants:
            v = self.methods[method].variants
            self.problem(path, f"{variant!r} is not a variant of {method}; variants: {', '.join(sorted(v))}{suggest(variant, v)}")

    def risk(self, i: int, r: Mapping[str, Any], settings: Settings, rp_area: Mapping[str, str]) -> Risk | None:
        path = ("risks", i)
        edition = str(r.get("category_edition", settings.gb6441_edition))
        category = str(r["category"])
        known = self._category_memo.get((edition, category))
        if known is not None:
            category = known
        else:
            try:
                from dualprev_core.taxonomy import accident_taxonomy

                category = self._category_memo[(edition, category)] = accident_taxonomy(edition).get(category).id
            except UnknownReference as exc:
                self.problem((*path, "category"), str(exc))
        area = r.get("area") or rp_area.get(r.get("risk_point", ""))
        if area is None:
            self.problem(path, "a risk needs 'area' or a 'risk_point' whose area is known")
        method = r["method"]
        inputs: dict[str, float] = {}
        if method not in self.methods:
            self.problem((*path, "method"), self.unknown_method(method))
        else:
            m = self.methods[method]
            if "variant" in r:
                self.check_variant((*path, "variant"), method, r["variant"])
            try:
                inputs = self.check_inputs(m, r["inputs"])
            except DualprevError as exc:
                self.problem((*path, "inputs"), str(exc))
        inherent = None
        if "inherent_level" in r:
            inherent = RiskLevel.parse(r["inherent_level"])
        if area is None:
            return None
        return Risk(
            id=r["id"], name=r["name"], area=area, category=category, category_edition=edition, method=method,
            inputs=inputs, risk_point=r.get("risk_point"), hazards=tuple(r.get("hazards", [])), variant=r.get("variant"),
            inherent_level=inherent, consequences=r.get("consequences", ""), description=r.get("description", ""), facts=r.get("facts"),
        )

    def vocabulary(self, vocab: Any, raw: Any) -> Any:
        """``vocab.parse(raw)``, memoised per raw text."""
        key = (vocab, raw)
        hit = self._vocab_memo.get(key)
        if hit is None:
            hit = self._vocab_memo[key] = vocab.parse(raw)
        return hit

    def control(self, path: tuple[Any, ...], c: Mapping[str, Any], mitigates: tuple[str, ...]) -> Control:
        on_failure = {}
        for k, v in (c["on_failure"].items() if "on_failure" in c else ()):
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                self.problem((*path, "on_failure", k), f"must be a finite number (got {excerpt(v)})")
            else:
                on_failure[k] = float(v)
        return Control(
            id=c["id"], name=c["name"], kind=self.vocabulary(ControlKind, c["kind"]), owner_level=self.vocabulary(OwnerLevel, c["owner_level"]),
            mitigates=mitigates if len(mitigates) == 1 else tuple(dict.fromkeys(mitigates)), post=c.get("post"), critical=bool(c.get("critical", False)),
            on_failure=on_failure, description=c.get("description", ""), facts=c.get("facts"),
            tags=tuple(dict.fromkeys(c.get("tags", ()))),
        )

    def item(self, path: tuple[Any, ...], it: Mapping[str, Any], control: Control | None) -> InspectionItem:
        try:
            freq = _frequency(it["frequency"])
        except ValueError as exc:
            self.problem((*path, "frequency"), str(exc))
            freq = Frequency(1, "day", str(it["frequency"]))
        if control is not None and "control" in it and it["control"] != control.id:
            self.problem((*path, "control"), f"nested under control {control.id!r} but names {it['control']!r}")
        owner = OwnerLevel.parse(it["owner_level"]) if "owner_level" in it else (control.owner_level if control else OwnerLevel.POST)
        return InspectionItem(it["id"], control.id if control else it["control"], it["content"], freq, owner, it.get("post"), it.get("facts"))

    def inspection(self, i: int, x: Mapping[str, Any], items: Mapping[str, InspectionItem]) -> Inspection | None:
        path = ("inspections", i)
        control = x.get("control")
        if "item" in x:
            item = items.get(x["item"])
            if item is None:
                self.problem((*path, "item"), f"{x['item']!r} is not an inspection item{suggest(x['item'], items)}")
            elif control is not None and control != item.control:
                self.problem((*path, "control"), f"{control!r} is not the control of item {x['item']!r} ({item.control!r})")
            else:
                control = item.control
        task = x.get("task")
        if task is not None and control is None and "item" not in x:
            # A task id is an item id, or ``<template id>@<control id>`` for a task a pack's template made.
            if task in items:
                control = items[task].control
            elif "@" in task:
                control = task.rpartition("@")[2]
                if control not in self.control_ids:
                    self.problem((*path, "task"), f"{task!r} names control {control!r}, which is not a control{suggest(control, self.control_ids)}")
                    return None
            else:
                self.problem((*path, "task"), f"{task!r} is neither an inspection item nor '<template>@<control>'{suggest(task, items)}")
                return None
        if control is None:
            if "item" not in x:
                self.problem(path, "an inspection needs 'control', 'item' or 'task'")
            return None
        try:
            at = parse_time(x["at"])
        except ValueError as exc:
            self.problem((*path, "at"), str(exc))
            return None
        return Inspection(x["id"], control, InspectionResult.parse(x["result"]), x["by"], at, x.get("item"), x.get("note", ""), x.get("facts"), task)

    # -- cross references -----------------------------------------------------------------
    def check_references(self, e: Enterprise, controls: list[tuple[tuple[Any, ...], Control]], items: list[tuple[tuple[Any, ...], InspectionItem]]) -> None:
        d = self.data
        seen: dict[str, tuple[Any, ...]] = {}

        def claim(path: tuple[Any, ...], id_: str) -> None:
            first = seen.setdefault(id_, path)
            if first is not path:
                self.problem((*path, "id"), f"duplicate id {id_!r} (first used at {format_path(first)})")

        kinds = ("areas", "posts", "risk_points", "hazards", "risks", "inspections", "major_hazard_installations", "monitoring_points")
        every_id = [rec["id"] for kind in kinds for rec in d.get(kind, [])]
        every_id += [c.id for _, c in controls]
        every_id += [it.id for _, it in items]
        if len(set(every_id)) != len(every_id):  # some id is used twice: find and name each one
            for kind in kinds:
                for i, rec in enumerate(d.get(kind, [])):
                    claim((kind, i), rec["id"])
            for path, c in controls:
                claim(path, c.id)
            for path, it in items:
                claim(path, it.id)

        areas = {a.id: a for a in e.areas}
        posts = {p.id for p in e.posts}
        rps = {r.id for r in e.risk_points}
        hazards = {h.id for h in e.hazards}
        risks = {r.id: r for r in e.risks}
        control_ids = {c.id for _, c in controls}
        risk_ids = set(risks)

        def ref(path: tuple[Any, ...], value: str | None, pool: Collection[str], what: str) -> None:
            if value is not None and value not in pool:
                self.problem(path, f"{value!r} is not a known {what}{suggest(value, pool)}")

        max_area_depth = get_limits().max_area_depth
        for i, a in enumerate(e.areas):
            ref(("areas", i, "parent"), a.parent, areas, "area")
            seen_chain, cur = {a.id}, a.parent
            while cur in areas:
                if cur in seen_chain:
                    self.problem(("areas", i, "parent"), f"area {a.id!r} is its own ancestor (cycle through {cur!r})")
                    break
                if len(seen_chain) > max_area_depth:
                    # every area below its ancestors is a rule fact (area_link): a deep chain grows them as n²
                    self.problem(("areas", i, "parent"), f"area {excerpt(a.id)} lies more than max_area_depth={max_area_depth} levels below the top area")
                    break
                seen_chain.add(cur)
                cur = areas[cur].parent
        for i, p in enumerate(e.posts):
            ref(("posts", i, "area"), p.area, areas, "area")
        for i, rp in enumerate(e.risk_points):
            ref(("risk_points", i, "area"), rp.area, areas, "area")
        for i, h in enumerate(e.hazards):
            ref(("hazards", i, "risk_point"), h.risk_point, rps, "risk point")
            if h.factor:
                self.check_factor(("hazards", i, "factor"), h.factor)
        # Each reference kind is first checked as a whole with set operations (in C); only when
        # something is unknown are the records walked again to name each problem.
        raw_risks = d.get("risks", [])
        risk_refs_ok = (areas.keys() >= {raw["area"] for raw in raw_risks if raw.get("area") is not None}
                        and rps.issuperset(x.risk_point for x in e.risks if x.risk_point is not None)
                        and hazards.issuperset(hz for x in e.risks for hz in x.hazards))
        for i, raw in enumerate(raw_risks):
            risk = risks.get(raw["id"])
            if risk is None:
                continue
            if not risk_refs_ok:
                ref(("risks", i, "area"), raw.get("area"), areas, "area")
                ref(("risks", i, "risk_point"), risk.risk_point, rps, "risk point")
                for k, hazard_id in enumerate(risk.hazards):
                    ref(("risks", i, "hazards", k), hazard_id, hazards, "hazard")
            if risk.inherent_level is not None:
                self.check_inherent(("risks", i), risk, e.settings)
        posts_ok = posts.issuperset(c.post for _, c in controls if c.post is not None)
        for path, c in controls:
            if not posts_ok:
                ref((*path, "post"), c.post, posts, "post")
            if not c.on_failure and risk_ids.issuperset(c.mitigates):
                continue  # every risk known, nothing to check against them (the common case, in C)
            for k, m in enumerate(c.mitigates):
                field = "mitigates" if path[0] == "controls" else "also_mitigates"
                if m not in risks:
                    idx = k if field == "mitigates" else k - 1
                    self.problem((*path, field, idx), f"{m!r} is not a known risk{suggest(m, risks)}")
                else:
                    self.check_on_failure(path, c, risks[m])
        for path, it in items:
            ref((*path, "control"), it.control, control_ids, "control")
            ref((*path, "post"), it.post, posts, "post")
        for i, raw in enumerate(d.get("inspections", [])):
            if "control" in raw:
                ref(("inspections", i, "control"), raw["control"], control_ids, "control")
        people = register_people(e)
        for where, message in people.problems:
            self.problem(parse_path(where), message)
        self.check_actors(d.get("inspections", []), people)
        for i, mhi in enumerate(e.major_hazard_installations):
            ref(("major_hazard_installations", i, "area"), mhi.area, areas, "area")
        for i, mp in enumerate(e.monitoring_points):
            ref(("monitoring_points", i, "area"), mp.area, areas, "area")
            ref(("monitoring_points", i, "control"), mp.control, control_ids, "control")

    def check_actors(self, inspections: Iterable[Mapping[str, Any]], people: People) -> None:
        """Each inspection's ``by`` can identify a person: no control characters, something
        visible, no Latin/Cyrillic/Greek lookalike mix (:func:`unknown_actors` reports names the
        register does not list)."""
        for i, raw in enumerate(inspections):
            by = raw.get("by") if isinstance(raw, Mapping) else None
            if not isinstance(by, str):
                continue
            try:
                check_name(by, "'by'")
            except InvalidInput as exc:
                self.problem(("inspections", i, "by"), str(exc))

    def check_factor(self, path: tuple[Any, ...], code: str) -> None:
        try:
            from dualprev_core.taxonomy import hazard_factor_classes

            hazard_factor_classes().get(code)
        except UnknownReference as exc:
            self.problem(path, str(exc))

    def check_inherent(self, path: tuple[Any, ...], r: Risk, settings: Settings) -> None:
        if r.inherent_level is None or r.method not in self.methods or not r.inputs:
            return
        m = self.methods[r.method]
        variant, edge = r.variant or settings.variants.get(r.method), settings.edges.get(r.method)
        key = (r.method, variant, edge, tuple(r.inputs.items()))
        g = self._grade_memo.get(key)
        if g is None:
            try:
                g = self._grade_memo[key] = m.grade(r.inputs, variant=variant, edge=edge)  # type: ignore[arg-type]
            except DualprevError:
                return
        if r.inherent_level < g.level:
            self.problem((*path, "inherent_level"), f"{r.inherent_level.key} is below the assessed level {g.level.key} ({g.decided_by}); the inherent level is the level without controls, so it cannot be lower")

    def check_on_failure(self, path: tuple[Any, ...], c: Control, r: Risk) -> None:
        if not c.on_failure or r.method not in self.methods or not r.inputs:
            return
        params = {p.name: p for p in self.methods[r.method].parameters}
        for k, v in c.on_failure.items():
            p = params.get(k)
            if p is None:
                self.problem((*path, "on_failure", k), f"{k!r} is not an input of {r.method} (risk {r.id!r}); inputs: {', '.join(params)}")
                continue
            if v not in p.allowed:
                self.problem((*path, "on_failure", k), f"{r.method} {k} must be one of {', '.join(str(int(a) if float(a).is_integer() else a) for a in p.allowed)} (got {v:g})")
            elif v < r.inputs[k]:
                self.problem((*path, "on_failure", k), f"{v:g} is below risk {r.id!r}'s assessed {k} = {r.inputs[k]:g}; a defective control cannot lower an input")


@functools.cache
def _fast_validator() -> Callable[[Any], Any]:
    # The schema uses only keywords whose meaning is the same in draft 7, which fastjsonschema
    # compiles to Python (about 18x faster than jsonschema on large files).
    import fastjsonschema

    return fastjsonschema.compile({**SCHEMA, "$schema": "http://json-schema.org/draft-07/schema#"})


def _schema_accepts(data: Any) -> bool:
    """Fast structural check; on failure jsonschema (the reference) lists every problem."""
    import fastjsonschema

    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _schema_messages(path: tuple[Any, ...], err: jsonschema.ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
        allowed = sorted(err.schema.get("properties", {}))
        return [
            ((*path, x), f"unknown field {x!r}; allowed: {', '.join(allowed)}{suggest(str(x), allowed)} (put free-form data under 'facts')")
            for x in sorted(set(err.instance) - set(allowed), key=str)
        ]
    return [_schema_message(path, err)]


def _schema_message(path: tuple[Any, ...], err: jsonschema.ValidationError) -> tuple[tuple[Any, ...], str]:
    v = err.validator
    inst = err.instance
    if v == "enum":
        return path, f"{inst!r} is not one of {', '.join(str(x) for x in err.validator_value if isinstance(x, str) and x.isascii())}{suggest(str(inst), [str(x) for x in err.validator_value])}"
    if v == "const":
        return path, f"must be {err.validator_value!r} (got {inst!r})"
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)
        name = missing[0] if missing else err.message
        return (*path, name), "is required"
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        return path, f"must be {_article(want)} (got {inst!r})"
    if v == "pattern":
        return path, f"{inst!r} does not match the expected form {err.validator_value!r}"
    return path, err.message


def _article(t: str) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "a text", "number": "a number", "integer": "an integer", "boolean": "true or false"}
    return names.get(t, t)


