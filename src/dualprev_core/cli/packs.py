"""``dualprev packs``: installed packs and their conformance."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console

from dualprev_core.cli.common import _LABELS, _common, _guard, _out, _packs

__all__ = ["packs_cmd", "packs_check_cmd"]


@click.group("packs", invoke_without_command=True)
@_common
@click.pass_context
@_guard
def packs_cmd(ctx: click.Context, as_json: bool, lang: str) -> None:
    """Installed packs, versions, standards and what each contributes (``packs check NAME``: conformance)."""
    if ctx.invoked_subcommand is not None:
        return
    from dualprev_core.rules.versions import documents_of

    packs = _packs(listing=True)
    L = _LABELS[lang]
    rulesets = packs.registry.rulesets.values()
    data: dict[str, Any] = {
        "packs": [{**m.to_dict(), "contributes": {k: v for k, v in packs.registry.contributions(n).items() if v},
                   "criteria": documents_of(rs for rs in rulesets if rs.pack == n)}
                  for n, m in packs.manifests.items()],
        "errors": {n: str(e) for n, e in packs.errors.items()},
        "disabled": list(packs.disabled),
    }
    if as_json:
        _out(data)
        return
    from dualprev_core.cli.i18n import contribution, show, table, text

    t = table((L["pack"], "id"), (L["version"], "id"), (L["standards"], "text"), (_CRITERIA[lang], "text"), (L["contributes"], "text"), show_lines=True)
    any_unverified = False
    for p in data["packs"]:
        stds = []
        for st in p["standards"]:
            any_unverified |= not st["verified"]
            name = "dualprev 约定" if lang == "zh" and st["standard"].startswith("dualprev") else st["standard"]
            stds.append(f"{name} {st.get('edition', '')}".strip() + (" *" if not st["verified"] else ""))
        contrib = "\n".join(f"{contribution(k, lang)}: {len(v)}" for k, v in p["contributes"].items())
        title = p["title"] if lang != "zh" or not _english(p["title"]) else ""
        t.add_row(p["name"] + (f"\n{title}" if title else ""), p["version"], "\n".join(stds), _criteria_lines(p["criteria"], lang), contrib)
    console = Console()
    show(console, t)
    if any_unverified:
        console.print(text("unverified_mark", lang), markup=False)
    if packs.errors:
        console.print(f"[bold red]{L['errors']}[/]")
        for msg in packs.errors.values():
            console.print(f"  {msg}", markup=False)


_CRITERIA = {"zh": "判定标准版本", "en": "criteria versions"}
_WORDS = {
    "zh": {"current": "现行", "superseded": "已被替代", "undeclared": "未声明文件", "not_encoded": "未编码", "unverified": "日期未核实",
           "from": "施行", "until": "止", "unknown": "?"},
    "en": {"current": "current", "superseded": "superseded", "undeclared": "no document declared", "not_encoded": "not encoded",
           "unverified": "dates unverified", "from": "in force", "until": "until", "unknown": "?"},
}


def _criteria_lines(docs: list[dict[str, Any]], lang: str) -> str:
    """One line per criteria document version: number, version, status, dates, rule-set count."""
    w = _WORDS.get(lang, _WORDS["en"])
    lines = []
    for d in docs:
        if d["status"] == "undeclared":
            lines.append(f"({w['undeclared']}): {len(d['rulesets'])}")
            continue
        span = f"{w['from']} {d['in_force_from'] or w['unknown']}"
        if d["in_force_until"]:
            span += f" {w['until']} {d['in_force_until']}"
        flags = [w[d["status"]], span]
        if not d["encoded"]:
            flags.append(w["not_encoded"])
        elif not d.get("dates_verified", True):
            flags.append(w["unverified"])
        lines.append(f"{d['standard']} {d['version']}".strip() + f" ({'; '.join(flags)})" + (f" ×{len(d['rulesets'])}" if d["rulesets"] else ""))
    return "\n".join(lines)


def _english(s: str) -> bool:
    from dualprev_core.cli.i18n import _has_english

    return _has_english(s)


@packs_cmd.command("check")
@click.argument("names", nargs=-1, required=True)
@click.option("--engine", "engines", multiple=True, type=click.Choice(["reference", "durable"]), help="engines to run rule examples on (default: both)")
@click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")
@_guard
def packs_check_cmd(names: tuple[str, ...], engines: tuple[str, ...], as_json: bool) -> None:
    """Conformance of installed packs: manifest, hooks, rule files and their examples on both engines."""
    from dualprev_core.packs.conformance import check_pack

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
