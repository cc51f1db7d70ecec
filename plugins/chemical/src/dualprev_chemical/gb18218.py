"""GB 18218-2018: identification of major hazard installations and their grading.

Identification (§4.1): a unit (production unit split at shut-off valves, or storage unit bounded
by its dike or building) holds chemicals at their **maximum design quantity** q; with Table 1's
critical quantity Q for named chemicals and Table 2's for the others (the lowest Q when a chemical
has several hazard categories), the unit is a major hazard installation when Σ qᵢ/Qᵢ ≥ 1.

Grading (§4.3): R = α · Σ βᵢ · qᵢ/Qᵢ with β from Table 3 (named toxic gases) or Table 4 (by
category), α from Table 5 (permanent residents within 500 m of the plant boundary), and the level
from Table 6.  Arithmetic is exact (fractions of the decimal inputs), so band edges hold exactly.

Every number comes from ``data/gb18218-2018.yaml``; every result carries an explanation that
lists each term.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from dualprev_core.errors import Problem
from dualprev_core.model.records import MajorHazardInstallation
from dualprev_core.provenance import Citation

from ._data import load

__all__ = [
    "INVENTORY",
    "PEOPLE",
    "BETA_RULES",
    "Table1Row",
    "Tables",
    "tables",
    "ItemResult",
    "UnitResult",
    "identify",
    "level_zh",
    "fmt",
]

#: The fact (on an installation) holding its inventory, and the people fact (installation or enterprise).
INVENTORY = "chemical:inventory"
PEOPLE = "chemical:people_within_500m"
#: Enterprise fact choosing the β rule set: ``"2018"`` (Tables 3/4, default) or ``"2011"`` (40号令 附件1).
BETA_RULES = "chemical:beta_rules"

_ITEM_FIELDS = ("chemical", "row", "cas", "categories", "max_quantity_t", "volume_m3", "density_t_m3", "fill_factor", "count",
                "mixture_same_class", "key_supervised", "note")
_KIND_ZH = {"production": "生产单元", "storage": "储存单元"}


def fmt(x: Fraction | float | int | None) -> str:
    """A number for people: integers plainly, others to 6 significant digits."""
    if x is None:
        return "—"
    f = float(x)
    return str(int(f)) if f.is_integer() else f"{f:.6g}"


def _num(x: Fraction | None) -> float | int | None:
    if x is None:
        return None
    f = float(x)
    return int(f) if f.is_integer() else round(f, 6)


def level_zh(level: int) -> str:
    """一级 … 四级."""
    return {1: "一级", 2: "二级", 3: "三级", 4: "四级"}[level]


def _norm(text: str) -> str:
    return "".join(str(text).split()).casefold().replace("，", ",")


@attrs.frozen
class Table1Row:
    """One row of Table 1 (a named chemical)."""

    row: int
    name: str
    aliases: tuple[str, ...]
    cas: str | None
    Q: Fraction
    condition: str = ""
    other_cas: tuple[str, ...] = ()
    verified: bool = True
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}" + (f"（{self.condition}）" if self.condition else "")


class Tables:
    """Tables 1–6 of GB 18218-2018 (and the 2011 β rule set), indexed for look-up."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.citation = Citation.from_mapping(data["citation"])
        self.rows: dict[int, Table1Row] = {}
        self.by_name: dict[str, list[Table1Row]] = {}
        for r in data["table1"]:
            row = Table1Row(int(r["row"]), r["name"], tuple(r.get("aliases") or ()), r.get("cas"), Fraction(str(r["Q"])),
                            r.get("condition") or "", tuple(r.get("other_cas") or ()), bool(r.get("verified", True)), r.get("note") or "")
            self.rows[row.row] = row
            for key in {row.name, *row.aliases, *(c for c in (row.cas, *row.other_cas) if c)}:
                self.by_name.setdefault(_norm(key), []).append(row)
        self.table2: dict[str, dict[str, Any]] = {c["symbol"]: c for c in data["table2"]}
        self.table3: dict[str, dict[str, Any]] = {}
        for g in data["table3"]:
            for key in (g["name"], *(g.get("aliases") or ())):
                self.table3[_norm(key)] = g
        self.table3_rows: dict[int, dict[str, Any]] = {int(g["row"]): g for g in data["table3"] if g.get("row")}
        self.table4: dict[str, Fraction] = {k: Fraction(str(v)) for k, v in data["table4"].items()}
        self.beta_2011: dict[str, Any] = data["beta_2011"]
        self.table5: list[dict[str, Any]] = sorted(data["table5"], key=lambda a: -a["at_least"])
        self.table6: list[dict[str, Any]] = data["table6"]

    def names(self) -> list[str]:
        """Every Table 1 name and alias (for suggestions)."""
        return sorted({n for r in self.rows.values() for n in (r.name, *r.aliases)})

    def find(self, name: str) -> list[Table1Row]:
        """Table 1 rows named ``name`` (name, alias or CAS number); several for 硝化纤维素 and 硝酸铵."""
        return list(self.by_name.get(_norm(name), ()))

    def nearest(self, name: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(str(name), self.names(), n=n, cutoff=0.4)

    def alpha(self, people: int) -> tuple[Fraction, str]:
        for a in self.table5:
            if people >= a["at_least"]:
                return Fraction(str(a["alpha"])), a["text"]
        raise ValueError(people)  # unreachable: Table 5 starts at 0 and people are validated ≥ 0

    def level(self, r: Fraction) -> tuple[int, str]:
        for row in self.table6:
            if row["at"] is None or r >= Fraction(str(row["at"])):
                return int(row["level"]), row["text"]
        raise ValueError(r)  # unreachable: the last row has no lower bound

    def beta_2011_for(self, categories: Sequence[str]) -> tuple[Fraction, str]:
        b = self.beta_2011
        found: list[tuple[Fraction, str]] = []
        for sym in categories:
            c = self.table2[sym]
            if c.get("explosive"):
                found.append((Fraction(str(b["explosive"])), f"{sym} 爆炸品"))
            elif c.get("flammable_gas"):
                found.append((Fraction(str(b["flammable_gas"])), f"{sym} 易燃气体"))
            elif c.get("highly_toxic"):
                found.append((Fraction(str(b["highly_toxic_gas"])), f"{sym} 未列出的剧毒气体"))
            elif c.get("toxic_gas"):
                found.append((Fraction(str(b["toxic_gas"])), f"{sym} 未列出的有毒气体"))
            else:
                found.append((Fraction(str(b["other"])), f"{sym} 其他"))
        return max(found, key=lambda t: t[0])


@functools.cache
def tables() -> Tables:
    """The GB 18218-2018 tables shipped with the pack."""
    return Tables(load("gb18218-2018.yaml"))


@attrs.frozen
class ItemResult:
    """One inventory line of a unit, with every term of its contribution."""

    chemical: str
    row: int | None
    cas: str | None
    categories: tuple[str, ...]
    q: Fraction
    q_from: str
    Q: Fraction
    Q_from: str
    beta: Fraction | None
    beta_from: str
    key_supervised: bool
    toxic_gas: bool
    notes: tuple[str, ...] = ()

    @property
    def ratio(self) -> Fraction:
        return self.q / self.Q

    def to_dict(self) -> dict[str, Any]:
        return {
            "chemical": self.chemical, "table1_row": self.row, "cas": self.cas, "categories": list(self.categories),
            "q_t": _num(self.q), "q_from": self.q_from, "Q_t": _num(self.Q), "Q_from": self.Q_from,
            "q_over_Q": _num(self.ratio), "beta": _num(self.beta), "beta_from": self.beta_from,
            "key_supervised": self.key_supervised, **({"notes": list(self.notes)} if self.notes else {}),
        }

    def term(self) -> str:
        row = f"表1 第{self.row}项" if self.row else "表2 " + "/".join(self.categories)
        return (f"{self.chemical}（{row}）：q = {fmt(self.q)} t（{self.q_from}），Q = {fmt(self.Q)} t（{self.Q_from}），"
                f"q/Q = {fmt(self.ratio)}，β = {fmt(self.beta)}（{self.beta_from}）" + "".join(f"；{n}" for n in self.notes))


@attrs.frozen
class UnitResult:
    """A unit's identification and grade with the explanation of every term."""

    id: str
    name: str
    kind: str
    area: str
    items: tuple[ItemResult, ...]
    people: int | None
    people_from: str
    alpha: Fraction | None
    alpha_from: str
    beta_rules: str
    citation: Citation
    warnings: tuple[str, ...] = ()

    @property
    def sum_ratio(self) -> Fraction:
        return sum((i.ratio for i in self.items), Fraction(0))

    @property
    def is_major(self) -> bool:
        """Σ q/Q ≥ 1 (GB 18218-2018 §4.1)."""
        return self.sum_ratio >= 1

    @property
    def weighted(self) -> Fraction | None:
        if any(i.beta is None for i in self.items):
            return None
        return sum((i.beta * i.ratio for i in self.items), Fraction(0))  # type: ignore[operator]

    @property
    def R(self) -> Fraction | None:
        if not self.is_major or self.alpha is None or self.weighted is None:
            return None
        return self.alpha * self.weighted

    @property
    def level(self) -> int | None:
        r = self.R
        return None if r is None else tables().level(r)[0]

    def explanation(self) -> list[str]:
        """Every term, in order: the items, Σq/Q, the decision, α, Σβq/Q, R and the level."""
        t = tables()
        lines = [f"{self.id} {self.name}（{_KIND_ZH.get(self.kind, self.kind)}）"]
        lines += [i.term() for i in self.items]
        if not self.items:
            lines.append("无 chemical:inventory 记录：Σq/Q = 0")
        s = " + ".join(f"{fmt(i.q)}/{fmt(i.Q)}" for i in self.items) or "0"
        verdict = "≥ 1 → 构成重大危险源" if self.is_major else "< 1 → 不构成重大危险源"
        lines.append(f"Σq/Q = {s} = {fmt(self.sum_ratio)} {verdict}（GB 18218-2018 4.1）")
        if not self.is_major:
            return lines
        if self.alpha is None:
            lines.append(f"α 未确定：未记录 {PEOPLE}（厂区边界外 500 m 常住人口，表5），R 与级别无法计算")
        else:
            lines.append(f"α = {fmt(self.alpha)}（表5：{self.people_from}常住人口 {self.people} 人，{self.alpha_from}）")
        if self.weighted is None:
            missing = "、".join(i.chemical for i in self.items if i.beta is None)
            lines.append(f"β 未定（{missing}：非表3有毒气体，需给出表2危险性类别 categories），R 与级别无法计算")
            return lines
        ws = " + ".join(f"{fmt(i.beta)}×{fmt(i.ratio)}" for i in self.items)
        lines.append(f"Σβq/Q = {ws} = {fmt(self.weighted)}（β 规则：{self._beta_rules_zh()}）")
        r = self.R
        if r is not None:
            lvl, band = t.level(r)
            lines.append(f"R = α·Σβq/Q = {fmt(self.alpha)} × {fmt(self.weighted)} = {fmt(r)}")
            lines.append(f"{band} → {level_zh(lvl)}重大危险源（表6）")
        return lines

    def _beta_rules_zh(self) -> str:
        return "GB 18218-2018 表3/表4" if self.beta_rules == "2018" else "原总局令第40号 附件1（2011）"

    def to_dict(self) -> dict[str, Any]:
        r, lvl = self.R, self.level
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "area": self.area,
            "items": [i.to_dict() for i in self.items],
            "sum_q_over_Q": _num(self.sum_ratio),
            "is_major_hazard": self.is_major,
            "people_within_500m": self.people,
            "alpha": _num(self.alpha) if self.is_major else None,
            "beta_rules": self.beta_rules,
            "sum_beta_q_over_Q": _num(self.weighted) if self.is_major else None,
            "R": _num(r),
            "level": lvl,
            "level_zh": level_zh(lvl) if lvl else None,
            "explanation": self.explanation(),
            "citation": self.citation.to_dict(),
            **({"warnings": list(self.warnings)} if self.warnings else {}),
        }


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _frac(v: Any) -> Fraction:
    return Fraction(str(v)) if isinstance(v, float) else Fraction(v)


class _Ctx:
    """Collects problems for one installation with its path."""

    def __init__(self, unit: MajorHazardInstallation, index: int, problems: list[Problem], source: str | None) -> None:
        self.unit, self.index, self.problems, self.source = unit, index, problems, source

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(f"major_hazard_installations[{self.index}].facts.{path}",
                                     f"installation {self.unit.id!r}: {message}", self.source))


def identify(unit: MajorHazardInstallation, index: int, enterprise_facts: Mapping[str, Any], problems: list[Problem],
             source: str | None = None) -> UnitResult | None:
    """Identify and grade one unit; problems are appended (``None`` when its facts are invalid).

    :param unit: the installation record (its ``facts`` carry ``chemical:inventory`` …).
    :param index: its position in ``major_hazard_installations`` (for problem paths).
    :param enterprise_facts: the enterprise's facts (people within 500 m, β rule set).
    """
    t = tables()
    ctx = _Ctx(unit, index, problems, source)
    before = len(problems)
    inv = unit.facts.get(INVENTORY, [])
    if not isinstance(inv, list):
        ctx.add(INVENTORY, f"must be a list of chemicals with their maximum design quantity (got {inv!r})")
        inv = []
    rules = str(enterprise_facts.get(BETA_RULES, "2018"))
    if rules not in ("2018", "2011"):
        problems.append(Problem(f"facts.{BETA_RULES}", f"must be \"2018\" (GB 18218-2018 表3/表4) or \"2011\" (原总局令第40号 附件1) (got {rules!r})", source))
        rules = "2018"
    items = [it for j, raw in enumerate(inv) if (it := _item(t, ctx, j, raw, rules)) is not None]
    people, people_from = unit.facts.get(PEOPLE), "本单元记录："
    if people is None:
        people, people_from = enterprise_facts.get(PEOPLE), "企业记录："
    alpha = alpha_text = None
    if people is not None:
        if not isinstance(people, int) or isinstance(people, bool) or people < 0:
            ctx.add(PEOPLE, f"must be a whole number of people ≥ 0 (got {people!r})")
            people = None
        else:
            alpha, alpha_text = t.alpha(people)
    if len(problems) > before:
        return None
    warnings: list[str] = []
    if sum((i.ratio for i in items), Fraction(0)) >= 1:
        for j, i in enumerate(items):
            if i.beta is None:
                where = f"Table 1 row {i.row}" if i.row else "Table 2"
                warnings.append(f"{INVENTORY}[{j}]: R needs β for {i.chemical!r} ({where}, not a Table 3 toxic gas), which depends on its "
                                "hazard category: give categories (Table 2 symbols, e.g. [W5.3] for a category-2 flammable liquid)")
        if alpha is None:
            warnings.append(f"R needs α: record {PEOPLE} (permanent residents within 500 m of the plant boundary) on the enterprise or the unit")
    return UnitResult(unit.id, unit.name, unit.kind, unit.area, tuple(items), people, people_from, alpha, alpha_text or "",
                      rules, t.citation, tuple(warnings))


def _item(t: Tables, ctx: _Ctx, j: int, raw: Any, rules: str) -> ItemResult | None:
    path = f"{INVENTORY}[{j}]"
    if not isinstance(raw, Mapping):
        ctx.add(path, f"must be a mapping such as {{chemical: 甲醇, max_quantity_t: 180}} (got {raw!r})")
        return None
    n = len(ctx.problems)
    for k in raw:
        if k not in _ITEM_FIELDS:
            close = difflib.get_close_matches(str(k), _ITEM_FIELDS, n=2, cutoff=0.5)
            ctx.add(f"{path}.{k}", f"unknown field {k!r}; allowed: {', '.join(_ITEM_FIELDS)}" + (f" (did you mean {', '.join(map(repr, close))}?)" if close else ""))
    cats = raw.get("categories", [])
    if isinstance(cats, str):
        cats = [cats]
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        ctx.add(f"{path}.categories", f"must be a list of Table 2 symbols such as [W5.3] (got {cats!r})")
        cats = []
    for c in cats:
        if c not in t.table2:
            close = difflib.get_close_matches(c, list(t.table2), n=3, cutoff=0.3)
            ctx.add(f"{path}.categories", f"{c!r} is not a GB 18218-2018 Table 2 symbol; symbols: {', '.join(t.table2)}"
                    + (f" (did you mean {', '.join(map(repr, close))}?)" if close else ""))
    q, q_from = _quantity(ctx, path, raw)
    key_supervised = raw.get("key_supervised", False)
    if not isinstance(key_supervised, bool):
        ctx.add(f"{path}.key_supervised", f"must be true or false (got {key_supervised!r})")
    row = _row(t, ctx, path, raw, cats)
    if len(ctx.problems) > n or q is None:
        return None
    notes: list[str] = []
    name = str(raw.get("chemical") or (row.name if row else "未命名危险化学品"))
    same_class = raw.get("mixture_same_class")
    if row is not None and same_class is False:
        if not cats:
            ctx.add(f"{path}.categories", f"a mixture of {row.name} with another hazard class than the pure substance is "
                    "classified by its own Table 2 categories: give categories (e.g. [W5.3])")
            return None
        notes.append(f"混合物危险类别与纯物质不同，按表2 {'/'.join(cats)} 取临界量（GB 18218-2018 4.1 混合物规定，措辞未核实）")
        Q, Q_from = _lowest_q(t, cats)
    elif row is not None:
        Q, Q_from = row.Q, f"表1 第{row.row}项 {row.label}"
        if same_class is True:
            notes.append(f"混合物与纯物质危险类别相同，按纯物质 {row.name} 取临界量（措辞未核实）")
        if not row.verified:
            notes.append(f"表1 第{row.row}项未核实：{row.note}")
    else:
        Q, Q_from = _lowest_q(t, cats)
        nearest = t.nearest(name)
        notes.append("未列入表1，按表2危险性类别辨识" + (f"（表1 近似名称：{'、'.join(nearest)}，如属同一物质请改用该名称）" if nearest else ""))
    beta, beta_from = _beta(t, name, row, cats, rules)
    toxic = _table3(t, name, row) is not None or any(t.table2[c].get("toxic_gas") for c in cats)
    return ItemResult(name, row.row if row else None, (row.cas if row else None) or (str(raw["cas"]) if raw.get("cas") else None),
                      tuple(cats), q, q_from, Q, Q_from, beta, beta_from, bool(key_supervised), toxic, tuple(notes))


def _quantity(ctx: _Ctx, path: str, raw: Mapping[str, Any]) -> tuple[Fraction | None, str]:
    has_t = "max_quantity_t" in raw
    has_v = "volume_m3" in raw
    if has_t and has_v:
        ctx.add(path, "give either max_quantity_t or volume_m3 with density_t_m3 (and fill_factor), not both")
        return None, ""
    if has_t:
        v = raw["max_quantity_t"]
        if not _is_number(v) or v < 0:
            ctx.add(f"{path}.max_quantity_t", f"must be a number of tonnes ≥ 0 (got {v!r})")
            return None, ""
        return _frac(v), "设计最大量"
    if not has_v:
        ctx.add(path, "needs the maximum design quantity: max_quantity_t (t), or volume_m3 with density_t_m3 and fill_factor")
        return None, ""
    vol, dens = raw["volume_m3"], raw.get("density_t_m3")
    fill, count = raw.get("fill_factor", 1), raw.get("count", 1)
    bad = False
    if not _is_number(vol) or vol < 0:
        ctx.add(f"{path}.volume_m3", f"must be a volume in m³ ≥ 0 (got {vol!r})")
        bad = True
    if dens is None:
        ctx.add(f"{path}.density_t_m3", "is needed to convert volume_m3 to tonnes (t/m³, e.g. 0.79 for methanol)")
        bad = True
    elif not _is_number(dens) or dens <= 0:
        ctx.add(f"{path}.density_t_m3", f"must be a density in t/m³ > 0 (got {dens!r})")
        bad = True
    if not _is_number(fill) or not 0 < fill <= 1:
        ctx.add(f"{path}.fill_factor", f"must be a fraction > 0 and ≤ 1 (got {fill!r})")
        bad = True
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        ctx.add(f"{path}.count", f"must be a whole number of vessels ≥ 1 (got {count!r})")
        bad = True
    if bad:
        return None, ""
    q = _frac(vol) * _frac(dens) * _frac(fill) * count
    parts = ([f"{count} ×"] if count != 1 else []) + [f"{fmt(_frac(vol))} m³ × {fmt(_frac(dens))} t/m³ × 充装系数 {fmt(_frac(fill))}"]
    text = " ".join(parts) + f" = {fmt(q)} t"
    if "fill_factor" not in raw:
        text += "（未给 fill_factor，按 1 计：dualprev 默认，偏保守）"
    return q, text


def _row(t: Tables, ctx: _Ctx, path: str, raw: Mapping[str, Any], cats: list[str]) -> Table1Row | None:
    name, row_no = raw.get("chemical"), raw.get("row")
    if row_no is not None:
        if not isinstance(row_no, int) or isinstance(row_no, bool) or row_no not in t.rows:
            ctx.add(f"{path}.row", f"must be a GB 18218-2018 Table 1 row number 1–{len(t.rows)} (got {row_no!r})")
            return None
        row = t.rows[row_no]
        if name is not None and row not in t.find(str(name)):
            ctx.add(f"{path}.row", f"Table 1 row {row_no} is {row.label}, not {name!r}")
            return None
        return row
    if name is None:
        if not cats:
            ctx.add(path, "needs a chemical (a Table 1 name, alias or CAS number) or its Table 2 categories")
        return None
    if not isinstance(name, str) or not name.strip():
        ctx.add(f"{path}.chemical", f"must be a chemical name or CAS number (got {name!r})")
        return None
    found = t.find(name)
    if len(found) > 1:
        ctx.add(f"{path}.row", f"{name!r} has several rows in Table 1; give row: "
                + "; ".join(f"{r.row} = {r.label} (Q {fmt(r.Q)} t)" for r in found))
        return None
    if found:
        return found[0]
    if not cats:
        nearest = t.nearest(name)
        ctx.add(f"{path}.chemical", f"{name!r} is not named in GB 18218-2018 Table 1"
                + (f" (did you mean {', '.join(map(repr, nearest))}?)" if nearest else "")
                + "; a chemical not named in Table 1 is classified by Table 2: give its hazard categories, "
                "e.g. categories: [W5.3] for a category-2 flammable liquid (symbols: " + ", ".join(t.table2) + ")")
    return None


def _lowest_q(t: Tables, cats: list[str]) -> tuple[Fraction, str]:
    qs = sorted((Fraction(str(t.table2[c]["Q"])), c) for c in cats)
    Q, sym = qs[0]
    text = f"表2 {sym} {t.table2[sym]['category']}"
    if len(qs) > 1:
        text += "；多种危险性取最低临界量（" + "，".join(f"{c} {fmt(q)} t" for q, c in qs) + "）"
    return Q, text


def _table3(t: Tables, name: str, row: Table1Row | None) -> dict[str, Any] | None:
    if row is not None and row.row in t.table3_rows:
        return t.table3_rows[row.row]
    return t.table3.get(_norm(name))


def _beta(t: Tables, name: str, row: Table1Row | None, cats: list[str], rules: str) -> tuple[Fraction | None, str]:
    g = _table3(t, name, row)
    if g is not None:
        return Fraction(str(g["beta"])), f"表3 {g['name']}"
    if not cats:
        return None, "未定：非表3有毒气体，β 取决于危险性类别，请给出 categories"
    if rules == "2011":
        beta, why = t.beta_2011_for(cats)
        return beta, f"40号令附件1：{why}"
    found = sorted(((t.table4[c], c) for c in cats), reverse=True)
    beta, sym = found[0]
    text = f"表4 {sym}"
    if len(found) > 1:
        text += "；多种类别取最大 β（dualprev 取值，标准未明示）"
    return beta, text
