"""The ``dualprev`` command line.

Chinese labels by default (``--lang en`` for English), tables for people, ``--json`` for
machines.  A user's mistake gives a non-zero exit and the error's message (every problem of
a file, one per line) — never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from ._version import __version__
from .errors import DualprevError, ValidationError

__all__ = ["main", "cli"]

F = TypeVar("F", bound=Callable[..., Any])

_LABELS = {
    "zh": {
        "pack": "扩展包", "version": "版本", "standards": "标准", "contributes": "贡献", "method": "方法", "score": "分值",
        "level": "等级", "variant": "变体", "decided": "判定依据", "risk": "风险", "name": "名称", "area": "区域",
        "assessed": "评估等级", "current": "当前等级", "why": "说明", "colour": "颜色", "enterprise": "企业整体风险",
        "major_risks": "重大风险清单", "hidden_dangers": "事故隐患", "risks_table": "风险分级", "areas_table": "区域四色",
        "errors": "加载失败的扩展包", "grade": "隐患等级", "state": "状态", "control": "管控措施", "none": "无",
    },
    "en": {
        "pack": "pack", "version": "version", "standards": "standards", "contributes": "contributes", "method": "method",
        "score": "score", "level": "level", "variant": "variant", "decided": "decided by", "risk": "risk", "name": "name",
        "area": "area", "assessed": "assessed", "current": "current", "why": "explanation", "colour": "colour",
        "enterprise": "enterprise level", "major_risks": "major-risk list", "hidden_dangers": "hidden dangers",
        "risks_table": "risk levels", "areas_table": "area colours", "errors": "packs that failed to load",
        "grade": "grade", "state": "state", "control": "control", "none": "none",
    },
}


def _out(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"dualprev: error: {message}", err=True)
    sys.exit(code)


def _guard(fn: F) -> F:
    """Turn the library's errors into a clear message and exit status 2."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            _fail(str(exc))
        except DualprevError as exc:
            _fail(str(exc))

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


def _common(fn: F) -> F:
    fn = click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")(fn)
    fn = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="label language")(fn)
    return fn


def _packs(rule_files: tuple[Path, ...] = ()) -> Any:
    """Installed packs, plus a ``local`` pack holding ``--rules`` files if any were given."""
    from .plugins import load_packs, local_rules_pack

    packs = load_packs(extra=[local_rules_pack(rule_files)] if rule_files else ())
    if "local" in packs.errors:
        raise packs.errors["local"]
    for err in packs.errors.values():  # the rest keeps working, but nobody should miss it
        click.echo(f"dualprev: warning: {err} (not loaded; see 'dualprev packs')", err=True)
    return packs


def _rules_option(fn: F) -> F:
    return click.option("--rules", "rule_files", multiple=True, type=click.Path(path_type=Path),
                         help="extra rule file(s) to apply, as a 'local' pack (repeatable)")(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dualprev")
def cli() -> None:
    """dualprev — 双重预防机制: safety-risk classified control and hidden-danger investigation."""


@cli.group("packs", invoke_without_command=True)
@_common
@click.pass_context
@_guard
def packs_cmd(ctx: click.Context, as_json: bool, lang: str) -> None:
    """Installed packs, versions, standards and what each contributes (``packs check NAME``: conformance)."""
    if ctx.invoked_subcommand is not None:
        return
    packs = _packs()
    L = _LABELS[lang]
    data = {
        "packs": [{**m.to_dict(), "contributes": {k: v for k, v in packs.registry.contributions(n).items() if v}} for n, m in packs.manifests.items()],
        "errors": {n: str(e) for n, e in packs.errors.items()},
        "disabled": list(packs.disabled),
    }
    if as_json:
        _out(data)
        return
    t = Table(L["pack"], L["version"], L["standards"], L["contributes"], show_lines=True)
    for p in data["packs"]:
        stds = "\n".join(f"{s['standard']} {s.get('edition', '')}".strip() + (" *" if not s["verified"] else "") for s in p["standards"])
        contrib = "\n".join(f"{k}: {len(v)}" for k, v in p["contributes"].items())
        t.add_row(f"{p['name']}\n{p['title']}", p["version"], stds, contrib)
    console = Console()
    console.print(t)
    if data["errors"]:
        console.print(f"[bold red]{L['errors']}[/]")
        for msg in data["errors"].values():
            console.print(f"  {msg}", markup=False)


@packs_cmd.command("check")
@click.argument("names", nargs=-1, required=True)
@click.option("--engine", "engines", multiple=True, type=click.Choice(["reference", "durable"]), help="engines to run rule examples on (default: both)")
@click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")
@_guard
def packs_check_cmd(names: tuple[str, ...], engines: tuple[str, ...], as_json: bool) -> None:
    """Conformance of installed packs: manifest, hooks, rule files and their examples on both engines."""
    from .testing import check_pack

    reports = [check_pack(n, engines=engines or ("reference", "durable")) for n in names]
    if as_json:
        _out([r.to_dict() for r in reports])
    else:
        for r in reports:
            click.echo(f"{r.pack}: {'ok' if r.ok else 'FAILED'}")
            for f in r.findings:
                click.echo(f"  {f}")
    if not all(r.ok for r in reports):
        sys.exit(1)


@cli.command("grade")
@click.argument("method")
@click.argument("values", nargs=-1)
@click.option("--variant", help="band variant (default: the method's)")
@click.option("--edge", type=click.Choice(["inclusive", "exclusive"]), help="override the variant's edge inclusivity")
@_common
@_guard
def grade_cmd(method: str, values: tuple[str, ...], variant: str | None, edge: str | None, as_json: bool, lang: str) -> None:
    """Grade inputs with a method, e.g. ``dualprev grade lec L=3 E=6 C=15``."""
    inputs: dict[str, Any] = {}
    for v in values:
        name, sep, raw = v.partition("=")
        if not sep or not name:
            _fail(f"{v!r} is not NAME=VALUE (e.g. L=3)")
        inputs[name] = raw  # the method checks and converts, quoting the value as typed
    m = _packs().registry.method(method)
    g = m.grade(inputs, variant=variant, edge=edge)  # type: ignore[arg-type]
    if as_json:
        _out(g.to_dict())
        return
    L = _LABELS[lang]
    t = Table(L["method"], L["variant"], L["score"], L["level"], L["decided"])
    t.add_row(f"{m.title_zh if lang == 'zh' else m.title_en} ({m.formula})", g.variant, str(g.to_dict()["score"]),
              f"[{_style(g.level)}]{g.level.label(lang)}[/]", g.decided_by)
    Console().print(t)
    if g.danger_grade:
        dg = g.danger_grade
        click.echo(f"{dg.label_zh if lang == 'zh' else dg.label_en}" + (f" — {dg.action}" if dg.action and lang == "zh" else ""))
    click.echo(f"{'依据' if lang == 'zh' else 'source'}: {g.citation}")


def _style(level: Any) -> str:
    return {"major": "bold white on red", "large": "bold black on dark_orange", "general": "black on yellow", "low": "white on blue"}[level.key]


def _assess(path: Path, as_json: bool, lang: str, rule_files: tuple[Path, ...] = ()) -> None:
    from .assessment import Assessment
    from .io import load_enterprise
    from .report import assessment_report

    packs = _packs(rule_files)
    enterprise = load_enterprise(path, packs=packs)
    a = Assessment(enterprise, packs=packs)
    findings = a.evaluate_criteria(at=_latest_time(enterprise))
    report = assessment_report(a)
    for m, why in a.unapplied:
        click.echo(f"dualprev: warning: criterion {m.rule} ({m.citation}) matched but was not applied: {why}", err=True)
    report["criteria_matches"] = [m.to_dict() for m in findings]
    if as_json:
        _out(report)
        return
    L = _LABELS[lang]
    console = Console()
    ent = report["enterprise"]
    lvl = a.enterprise_level().level
    console.print(f"[bold]{enterprise.name}[/] — {L['enterprise']}: " + (f"[{_style(lvl)}]{lvl.label(lang)}[/]" if lvl else L["none"]) + f"  ({ent['reason']})")
    t = Table(L["risk"], L["name"], L["area"], L["assessed"], L["current"], L["why"], title=L["risks_table"])
    for r in enterprise.risks:
        ex = a.explain(r.id)
        inactive = "" if r.id in a.active else (" (不计入)" if lang == "zh" else " (inactive)")
        t.add_row(r.id, r.name, r.area, f"[{_style(ex.assessed.level)}]{ex.assessed.level.label(lang)}[/]",
                  f"[{_style(ex.current)}]{ex.current.label(lang)}[/]{inactive}", ex.sentence(lang))
    console.print(t)
    t = Table(L["area"], L["name"], L["level"], L["colour"], title=L["areas_table"])
    for ar in report["areas"]:
        lv = a.area_level(ar["id"])
        t.add_row(ar["id"], ar["name"], f"[{_style(lv)}]{lv.label(lang)}[/]" if lv else "—", (lv.colour_zh if lang == "zh" else lv.colour) if lv else "—")
    console.print(t)
    console.print(f"[bold]{L['major_risks']}[/]: " + (", ".join(f"{m['id']} {m['name']}" for m in report["major_risks"]) or L["none"]))
    if report["hidden_dangers"]:
        t = Table("ID", L["control"], L["grade"], L["state"], "依据" if lang == "zh" else "criteria", title=L["hidden_dangers"])
        for h in report["hidden_dangers"]:
            crit = "\n".join(f"{c['criterion_id']} ({c['citation'].get('standard', '')} {c['citation'].get('clause', '')})".strip() for c in h["criteria"])
            t.add_row(h["id"], h["control"], h["grade"] or "—", h["state"], crit)
        console.print(t)
    core_keys = {"format", "enterprise", "level_counts", "risks", "areas", "major_risks", "hidden_dangers", "packs",
                 "criteria_matches", "criteria_unapplied"}
    for key, section in report.items():
        if key not in core_keys:
            _print_section(console, key, section)
    if any(k not in core_keys for k in report):
        console.print("(--json " + ("给出完整内容" if lang == "zh" else "gives every field") + ")", markup=False)


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _print_section(console: Console, key: str, section: Any) -> None:
    """A pack's report section for people: a table of its records' plain fields."""
    if isinstance(section, list) and section and all(isinstance(x, dict) for x in section):
        plain = [c for c in section[0] if all(_scalar(x.get(c)) for x in section)]
        first = ("id", "name", "level_zh", "level", "R", "sum_q_over_Q", "is_major_hazard", "class", "status")
        cols = ([c for c in first if c in plain] + [c for c in plain if c not in first])[:7]
        t = Table(*cols, title=key)
        for x in section:
            t.add_row(*("—" if x.get(c) is None else str(x.get(c)) for c in cols))
        console.print(t)
    elif isinstance(section, dict):
        plain = {k: v for k, v in section.items() if _scalar(v)}
        console.print(f"[bold]{key}[/]: " + "; ".join(f"{k}={v}" for k, v in plain.items()), soft_wrap=True)
    else:
        console.print(f"[bold]{key}[/]: {len(section) if hasattr(section, '__len__') else section}")


@cli.command("assess")
@click.argument("file", type=click.Path(path_type=Path))
@_rules_option
@_common
@_guard
def assess_cmd(file: Path, rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Assess an enterprise file: levels, area colours, enterprise level, major-risk list."""
    _assess(file, as_json, lang, rule_files)


def _latest_time(enterprise: Any) -> Any:
    """Stamp for criteria-opened hidden dangers: the latest recorded inspection, else now."""
    times = [i.at for i in enterprise.inspections]
    return max(times) if times else None


def example_path() -> Path:
    """The bundled example enterprise (inside the wheel, or ``examples/`` in a checkout)."""
    packaged = resources.files("dualprev_core").joinpath("_examples/enterprise.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples" / "enterprise.yaml"


@cli.command("demo")
@_common
@_guard
def demo_cmd(as_json: bool, lang: str) -> None:
    """``assess`` on the bundled example enterprise."""
    _assess(example_path(), as_json, lang)


@cli.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the enterprise file."""
    from ._enterprise_schema import SCHEMA

    _out(SCHEMA)


@cli.command("methods")
@_common
@_guard
def methods_cmd(as_json: bool, lang: str) -> None:
    """Grading methods installed, with their scales, variants and sources."""
    reg = _packs().registry
    data = [m.describe() for m in reg.methods.values()]
    if as_json:
        _out(data)
        return
    t = Table(_LABELS[lang]["method"], "formula", _LABELS[lang]["variant"], _LABELS[lang]["pack"], show_lines=True)
    for d in data:
        t.add_row(f"{d['name']} {d['title_zh'] if lang == 'zh' else d['title_en']}", d["formula"],
                  "\n".join(f"{k}{' (default)' if k == d['default_variant'] else ''}: {v['title']}" for k, v in d["variants"].items()), d["provider"])
    Console().print(t)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dualprev")


# The hidden-danger loop's commands live in their own module; importing it registers them.
from . import _cli_loop  # noqa: E402,F401
