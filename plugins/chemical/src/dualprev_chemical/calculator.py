"""``dualprev grade gb18218 …``: GB 18218-2018 identification and grading without an enterprise file.

Exam-style and engineering use: give the quantities and get R, the level and every term.

Tokens (each ``NAME=VALUE``):

* ``甲醇=180`` — a Table 1 chemical (name, alias or CAS number) and its maximum quantity q in t;
  ``氯=5:beta=4`` overrides β (e.g. a value given in an exam question);
* ``W5.3=50`` — a Table 2 hazard category symbol and q in t (Q and β by the category);
* ``item=10:50:1.5`` — an item given directly as q:Q[:β] (t, t, β);
* ``people=120`` — permanent residents within 500 m (α from Table 5), or ``alpha=2`` directly;
* ``beta_rules=2011`` — β by the superseded 2011 rules (原总局令第40号 附件1) instead of Tables 3/4.

Every number comes from the pack's GB 18218-2018 data; arithmetic is exact (fractions).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from dualprev_core.errors import InvalidInput, Problem, ValidationError
from dualprev_core.model.records import MajorHazardInstallation

from .gb18218 import PEOPLE, fmt, identify, level_zh, tables

__all__ = ["gb18218"]

_USAGE = ("give items as CHEMICAL=q (Table 1 name or CAS, q in t; optionally :beta=B), SYMBOL=q (a Table 2 category such as W5.3) "
          "or item=q:Q[:β], plus people=N (residents within 500 m) or alpha=A; e.g. dualprev grade gb18218 甲醇=180 氯=5 people=120")


def _number(token: str, text: str) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(f"{token!r}: {text!r} is not a number") from None
    if value < 0:
        raise InvalidInput(f"{token!r}: {text!r} must not be negative")
    return value


def gb18218(values: tuple[str, ...]) -> dict[str, Any]:
    """Identify and grade the items of ``values`` (see the module docs); every term is in the result.

    :raises InvalidInput: a token is malformed, with the token and what is expected.
    :raises ValidationError: an item the GB 18218 data refuses (unknown chemical or category …).
    """
    t = tables()
    if not values:
        raise InvalidInput(_USAGE)
    inventory: list[dict[str, Any]] = []
    overrides: dict[int, Fraction] = {}
    direct: list[tuple[str, Fraction, Fraction, Fraction | None]] = []
    people: int | None = None
    alpha: Fraction | None = None
    rules = "2018"
    for token in values:
        name, sep, raw = token.partition("=")
        name = name.strip()
        if not sep or not name or not raw.strip():
            raise InvalidInput(f"{token!r} is not NAME=VALUE; {_USAGE}")
        if name == "people":
            if not raw.strip().isdigit():
                raise InvalidInput(f"{token!r}: people must be a whole number ≥ 0 (permanent residents within 500 m)")
            people = int(raw)
        elif name == "alpha":
            alpha = _number(token, raw)
        elif name == "beta_rules":
            if raw.strip() not in ("2018", "2011"):
                raise InvalidInput(f"{token!r}: beta_rules must be 2018 (Tables 3/4) or 2011 (原总局令第40号 附件1)")
            rules = raw.strip()
        elif name == "item":
            parts = raw.split(":")
            if len(parts) not in (2, 3):
                raise InvalidInput(f"{token!r}: item must be q:Q or q:Q:β (e.g. item=10:50:1.5)")
            q, Q = _number(token, parts[0]), _number(token, parts[1])
            if Q == 0:
                raise InvalidInput(f"{token!r}: Q must be greater than 0")
            direct.append((f"item {len(direct) + 1}", q, Q, _number(token, parts[2]) if len(parts) == 3 else None))
        else:
            q_text, _, rest = raw.partition(":")
            q = _number(token, q_text)
            if rest:
                key, eq, b = rest.partition("=")
                if key.strip() != "beta" or not eq:
                    raise InvalidInput(f"{token!r}: after q only :beta=B is allowed (e.g. 氯=5:beta=4)")
                overrides[len(inventory)] = _number(token, b)
            item: dict[str, Any] = {"max_quantity_t": float(q) if q.denominator != 1 else int(q)}
            if name in t.table2:
                item.update(chemical=f"表2 {name}", categories=[name])
            else:
                item["chemical"] = name
            inventory.append(item)
    if people is not None and alpha is not None:
        raise InvalidInput("give people=N or alpha=A, not both")
    problems: list[Problem] = []
    facts: dict[str, Any] = {"chemical:inventory": inventory}
    if people is not None:
        facts[PEOPLE] = people
    unit = identify(MajorHazardInstallation("calc", "计算单元", "-", "storage", facts), 0, {"chemical:beta_rules": rules}, problems,
                    "command line")
    if unit is None:
        hint = " — on the command line give a Table 2 category as SYMBOL=q (e.g. W5.3=50)"
        raise ValidationError([Problem(p.path.replace("major_hazard_installations[0].facts.chemical:inventory", "item"),
                                       p.message.replace("installation 'calc': ", "") + (hint if "Table 2" in p.message else ""), None)
                               for p in problems])
    terms: list[dict[str, Any]] = []
    lines: list[str] = []
    for i, it in enumerate(unit.items):
        beta, beta_from = (overrides[i], "given") if i in overrides else (it.beta, it.beta_from)
        terms.append({**it.to_dict(), "beta": float(beta) if beta is not None else None, "beta_from": beta_from, "q_over_Q": float(it.ratio)})
        lines.append(it.term() if i not in overrides else it.term() + f"；β 取给定值 {fmt(beta)}")
    for label, q, Q, beta in direct:
        terms.append({"chemical": label, "q_t": float(q), "Q_t": float(Q), "q_over_Q": float(q / Q), "beta": float(beta) if beta is not None else None,
                      "q_from": "given", "Q_from": "given", "beta_from": "given" if beta is not None else "not given"})
        lines.append(f"{label}：q = {fmt(q)} t，Q = {fmt(Q)} t（给定），q/Q = {fmt(q / Q)}，β = {fmt(beta) if beta is not None else '未给'}")
    ratios = [it.ratio for it in unit.items] + [q / Q for _l, q, Q, _b in direct]
    betas = [overrides.get(i, it.beta) for i, it in enumerate(unit.items)] + [b for *_x, b in direct]
    total = sum(ratios, Fraction(0))
    major = total >= 1
    lines.append(f"Σq/Q = {' + '.join(fmt(r) for r in ratios)} = {fmt(total)} {'≥ 1 → 构成重大危险源' if major else '< 1 → 不构成重大危险源'}（GB 18218-2018 4.1）")
    out: dict[str, Any] = {"items": terms, "sum_q_over_Q": float(total), "is_major_hazard": major, "alpha": None, "alpha_from": None,
                           "sum_beta_q_over_Q": None, "R": None, "level": None, "level_zh": None, "citation": t.citation.to_dict()}
    if not major:
        out["explanation"] = lines
        return out
    if alpha is None and people is not None:
        alpha, alpha_text = t.alpha(people)
        out["alpha_from"] = f"表5：{alpha_text}（{people} 人）"
    elif alpha is not None:
        out["alpha_from"] = "given"
    if alpha is None:
        lines.append("α 未定：给出 people=N（厂区边界外 500 m 常住人口，表5）或 alpha=A")
    else:
        out["alpha"] = float(alpha)
        lines.append(f"α = {fmt(alpha)}（{out['alpha_from']}）")
    if any(b is None for b in betas):
        lines.append("β 未定：非表3有毒气体的表1物质需给出 :beta=B，或改用表2类别符号；直接给出的项需 q:Q:β")
        out["explanation"] = lines
        return out
    weighted = sum((b * r for b, r in zip(betas, ratios, strict=True)), Fraction(0))  # type: ignore[operator]
    out["sum_beta_q_over_Q"] = float(weighted)
    lines.append(f"Σβq/Q = {' + '.join(f'{fmt(b)}×{fmt(r)}' for b, r in zip(betas, ratios, strict=True))} = {fmt(weighted)}")
    if alpha is not None:
        r = alpha * weighted
        level, band = t.level(r)
        out.update(R=float(r), level=level, level_zh=f"{level_zh(level)}重大危险源", band=band)
        lines.append(f"R = α·Σβq/Q = {fmt(alpha)} × {fmt(weighted)} = {fmt(r)}")
        lines.append(f"{band} → {level_zh(level)}重大危险源（表6）")
    out["explanation"] = lines
    return out
