"""``dualprev grade`` and ``dualprev methods``: grading methods without an enterprise file."""

from __future__ import annotations

from typing import Any, Literal

import click
from rich.console import Console

from dualprev_core.cli.common import _LABELS, _common, _fail, _guard, _out, _packs, _style

__all__ = ["grade_cmd", "methods_cmd", "CALCULATORS_GROUP"]


@click.command("grade")
@click.argument("method")
@click.argument("values", nargs=-1)
@click.option("--variant", help="band variant (default: the method's)")
@click.option("--edge", type=click.Choice(["inclusive", "exclusive"]), help="override the variant's edge inclusivity")
@_common
@_guard
def grade_cmd(method: str, values: tuple[str, ...], variant: str | None, edge: Literal["inclusive", "exclusive"] | None, as_json: bool, lang: str) -> None:
    """Grade inputs with a method, e.g. ``dualprev grade lec L=3 E=6 C=15``.

    Packs may add calculators that are not risk-grading methods (entry-point group
    ``dualprev.calculators``), e.g. ``dualprev grade gb18218 甲醇=180 氯=5 people=120``.
    """
    calculator = _calculator(method)
    if calculator is not None:
        _print_calculation(method, calculator(values), as_json, lang)
        return
    inputs: dict[str, Any] = {}
    for v in values:
        name, sep, raw = v.partition("=")
        if not sep or not name:
            _fail(f"{v!r} is not NAME=VALUE (e.g. L=3)")
        inputs[name] = raw  # the method checks and converts, quoting the value as typed
    m = _packs().registry.method(method)
    g = m.grade(inputs, variant=variant, edge=edge)
    if as_json:
        _out(g.to_dict())
        return
    from dualprev_core.cli.i18n import citation_text, show, table

    L = _LABELS[lang]
    t = table((L["method"], "text"), (L["variant"], "id"), (L["score"], "text"), (L["level"], "text"), (L["decided"], "text"))
    formula = f" ({m.formula})" if m.uses_edges or lang != "zh" else ""
    t.add_row(f"{m.title_zh if lang == 'zh' else m.title_en}{formula}", g.variant, str(g.to_dict()["score"]),
              f"[{_style(g.level)}]{g.level.label(lang)}[/]", g.decided_text(lang))
    show(Console(), t)
    if g.danger_grade:
        dg = g.danger_grade
        click.echo(f"{dg.label_zh if lang == 'zh' else dg.label_en}" + (f" — {dg.action}" if dg.action and lang == "zh" else ""))
    band = m.variant(g.variant)
    source = (band.source_zh + ("（未核实）" if not g.citation.verified else "")) if lang == "zh" and band.source_zh else citation_text(g.citation, lang)
    click.echo(f"{'依据' if lang == 'zh' else 'source'}: {source}")


#: Entry-point group of pack calculators: ``name = "module:function"``, the function taking the
#: command's VALUES and returning a JSON-ready mapping with an ``explanation`` (list of lines).
CALCULATORS_GROUP = "dualprev.calculators"


def _calculator(name: str) -> Any:
    import importlib.metadata

    for ep in importlib.metadata.entry_points(group=CALCULATORS_GROUP):
        if ep.name == name:
            return ep.load()
    return None


def _print_calculation(name: str, data: dict[str, Any], as_json: bool, lang: str) -> None:
    if as_json:
        _out(data)
        return
    for line in data.get("explanation", ()):
        click.echo(line)
    if data.get("level") is not None:
        click.echo(f"{'结论' if lang == 'zh' else 'result'}: R = {data['R']:g}, {data['level_zh']}")
    cit = data.get("citation")
    if cit:
        from dualprev_core.provenance import Citation

        click.echo(f"{'依据' if lang == 'zh' else 'source'}: {Citation.from_mapping(cit)}")


@click.command("methods")
@_common
@_guard
def methods_cmd(as_json: bool, lang: str) -> None:
    """Grading methods installed, with their scales, variants and sources."""
    reg = _packs(listing=True).registry
    data = [m.describe() for m in reg.methods.values()]
    if as_json:
        _out(data)
        return
    from dualprev_core.cli.i18n import show, table, text

    t = table((_LABELS[lang]["method"], "text"), (text("formula", lang), "text"), (_LABELS[lang]["variant"], "text"), (_LABELS[lang]["pack"], "id"),
              show_lines=True)
    for d in data:
        m = reg.methods[d["name"]]
        t.add_row(f"{d['name']} {d['title_zh'] if lang == 'zh' else d['title_en']}", d["formula"] if m.uses_edges else ("查表" if lang == "zh" else d["formula"]),
                  "\n".join(f"{k}{text('default', lang) if k == d['default_variant'] else ''}: {v.title_in(lang)}" for k, v in m.variants.items()),
                  d["provider"])
    show(Console(), t)
