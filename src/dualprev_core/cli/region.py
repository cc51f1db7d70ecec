"""``dualprev region …``: the regulator's side — ingest submissions, regions, assessment, plan, map."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from dualprev_core.cli.common import _fail, _guard, _out

__all__ = ["region_group", "ingest_cmd", "regions_cmd", "assess_cmd", "plan_cmd", "visit_cmd", "map_cmd"]


def _at(text: str | None, name: str = "--at") -> datetime:
    from dualprev_core.errors import InvalidInput

    if text is None:
        return datetime.now(UTC)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: {text!r} is not an ISO date or time (e.g. 2026-12-01 or 2026-12-01T08:00:00+08:00)") from None
    if t.tzinfo is None:
        from datetime import timedelta, timezone

        t = t.replace(tzinfo=timezone(timedelta(hours=8)))  # China Standard Time, as the exchange model reads offset-less times
    return t


def _db(url: str) -> Any:
    from dualprev_core.region.database import open_region_db

    return open_region_db(url)


def _db_option(fn: Any) -> Any:
    return click.option("--db", "db_url", required=True, help="regional database: a file path, sqlite:///PATH or postgresql://…")(fn)


def _industry_methods() -> dict[str, str]:
    from dualprev_core.packs.loader import load_packs

    return dict(load_packs().registry.industry_defaults)


def _rules(path: Path | None) -> Any:
    from dualprev_core.region.rules import load_rules, regional_rules

    return load_rules(path) if path else regional_rules()


def _rules_file(fn: Any) -> Any:
    return click.option("--rules", "rules_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                        help="regional rules file (warnings, region method, supervision classes); default: the bundled one")(fn)


def _scale_options(fn: Any) -> Any:
    fn = click.option("--workers", type=int, default=1, show_default=True, help="processes of a local pool")(fn)
    fn = click.option("--local-cluster", "local_cluster", type=int, default=0, help="evaluate on a Dask LocalCluster of N worker processes")(fn)
    fn = click.option("--scheduler", help="evaluate on a running Dask scheduler, e.g. tcp://10.0.0.5:8786")(fn)
    return fn


@click.group("region")
def region_group() -> None:
    """The regulator's side: regional database, regions, assessment, supervision plan, four-colour map."""


@region_group.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")
@_guard
def ingest_cmd(files: tuple[Path, ...], db_url: str, as_json: bool) -> None:
    """Validate and ingest submissions; each is ingested, unchanged, superseding or rejected (with why). Exit 2 if any is rejected."""
    from dualprev_core.errors import ValidationError
    from dualprev_core.exchange.validate import read_submission
    from dualprev_core.region.database import IngestResult

    results = []
    with _db(db_url) as db:
        for f in files:
            try:
                data = read_submission(f)
            except ValidationError as exc:
                results.append(IngestResult(str(f), "rejected", problems=exc.problems, message="unreadable; nothing ingested"))
                continue
            results.append(db.ingest(data, source=str(f)))
        counts = db.counts()
    if as_json:
        _out({"results": [r.to_dict() for r in results], "database": counts})
    else:
        for r in results:
            line = f"{r.source}: {r.outcome}" + (f" — {r.name} ({r.credit_code})" if r.credit_code else "") + (f": {r.message}" if r.message else "")
            click.echo(line, err=r.outcome == "rejected")
            for p in r.problems:
                click.echo(f"  - {p.path or '(document)'}: {p.message}", err=True)
        click.echo(f"database: {counts['enterprises']} enterprises, {counts['submissions']} submissions, {counts['records']} live records")
    if any(r.outcome == "rejected" for r in results):
        raise SystemExit(2)


@region_group.command("regions")
@click.argument("region_file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@_db_option
@click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")
@_guard
def regions_cmd(region_file: Path | None, db_url: str, as_json: bool) -> None:
    """Load a region file (province → city → county → park/town, optional GeoJSON) into the database, or show the tree."""
    from dualprev_core.region.tree import load_region_file

    with _db(db_url) as db:
        if region_file is not None:
            db.load_regions(load_region_file(region_file))
        tree = db.region_tree()
    data = [{"id": r.id, "name": r.name, "level": r.level, "parent": r.parent, "boundary": r.boundary is not None} for r in tree]
    if as_json:
        _out({"regions": data, "placements": dict(tree.placements)})
        return

    def show(parent: str | None, depth: int) -> None:
        for r in sorted((x for x in data if x["parent"] == parent), key=lambda x: x["id"]):
            click.echo(f"{'  ' * depth}{r['id']}  {r['name']}  ({r['level']}{', boundary' if r['boundary'] else ''})")
            show(r["id"], depth + 1)

    show(None, 0)
    click.echo(f"{len(data)} regions, {len(tree.placements)} enterprise placements")


@region_group.command("assess")
@_db_option
@click.option("--region", help="only this region and the regions below it")
@click.option("--at", "at_text", help="judge warnings at this time (default: now)")
@click.option("--method", "region_method", help="region level method: highest (default) or share")
@click.option("--parquet", type=click.Path(path_type=Path, dir_okay=False), help="also write the enterprise rows as a Parquet table")
@_rules_file
@_scale_options
@click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")
@_guard
def assess_cmd(db_url: str, region: str | None, at_text: str | None, region_method: str | None, parquet: Path | None, rules_file: Path | None,
               workers: int, local_cluster: int, scheduler: str | None, as_json: bool) -> None:
    """Enterprise levels, regional levels, the major-risk database, overdue major hidden dangers and early warnings."""
    from dualprev_core.region.assess import assess_region

    with _db(db_url) as db:
        report = assess_region(db, as_of=_at(at_text), region=region, industry_methods=_industry_methods(), rules=_rules(rules_file),
                               region_method=region_method, parquet=str(parquet) if parquet else None,
                               workers=workers, local_workers=local_cluster, scheduler=scheduler)
    if as_json:
        _out(report)
        return
    _print_assessment(report)


def _print_assessment(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from dualprev_core.cli.common import _style
    from dualprev_core.model.levels import RiskLevel

    def lv(key: str | None) -> str:
        if not key:
            return "—"
        lvl = RiskLevel[key.upper()]
        return f"[{_style(lvl)}]{lvl.zh}[/]"

    c = Console()
    t = Table("区域", "名称", "等级", "企业", "红/橙/黄/蓝", "预警", "超期重大隐患", "说明", title=f"区域风险（{report['as_of']}）")
    for r in report["regions"]:
        n = r["counts"]
        t.add_row(r["id"], r["name"], lv(r["level"]), str(n["enterprises"]), f"{n['major']}/{n['large']}/{n['general']}/{n['low']}",
                  str(n["warnings"]), str(n["overdue_major_hidden_dangers"]), r["reason"])
    c.print(t)
    t = Table("统一社会信用代码", "企业", "区域", "等级", "方法", "重大风险", "未销号隐患(重大)", "预警", title="企业整体风险")
    for e in report["enterprises"]:
        n = e["counts"]
        t.add_row(e["id"], e["name"], e["region"] or "—", lv(e["level"]), e["method"], str(n["major_risks"]),
                  f"{n['open_hidden_dangers']}({n['open_major_hidden_dangers']})", "\n".join(w["reason"] for w in e["warnings"]) or "—")
    c.print(t)
    c.print(f"[bold]区域重大风险库[/]：{len(report['major_risks'])} 项；[bold]超期重大隐患[/]：{len(report['overdue_major_hidden_dangers'])} 家企业；"
            f"[bold]预警[/]：{len(report['warnings'])} 项（--json 给出全部内容）")


@region_group.command("plan")
@_db_option
@click.option("--from", "from_text", required=True, help="period start (ISO date)")
@click.option("--to", "to_text", required=True, help="period end (ISO date)")
@click.option("--variant", help="supervision variant of the rules file (default: dualprev-default)")
@click.option("--region", help="only this region and the regions below it")
@_rules_file
@click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")
@_guard
def plan_cmd(db_url: str, from_text: str, to_text: str, variant: str | None, region: str | None, rules_file: Path | None, as_json: bool) -> None:
    """Classified supervision: each enterprise's class and frequency, and who is due an inspection in the period."""
    from dualprev_core.region.assess import assess_region
    from dualprev_core.region.supervision import plan

    start, end = _at(from_text, "--from"), _at(to_text, "--to")
    if end < start:
        _fail(f"--to {to_text} is before --from {from_text}")
    rules = _rules(rules_file)
    with _db(db_url) as db:
        report = assess_region(db, as_of=start, region=region, industry_methods=_industry_methods(), rules=rules)
        visits = db.last_visits()
    rows = [{**e, "warnings": len(e["warnings"]), "overdue_major_hidden_dangers": e["counts"]["overdue_major_hidden_dangers"]} for e in report["enterprises"]]
    result = plan(rows, rules, start=start, end=end, last_visits=visits, variant=variant)
    if as_json:
        _out(result)
        return
    click.echo(f"{result['variant']} ({result['citation'].get('standard')}{' [unverified]' if not result['citation'].get('verified', True) else ''}); "
               f"{result['from'][:10]} – {result['to'][:10]}: {len(result['due'])} due, {len(result['not_due'])} not due")
    for e in result["due"]:
        click.echo(f"  {e['due'][:10]}  {e['class']} {e['class_zh']} ({e['per_year']:g}/yr)  {e['id']} {e['name']}  — {e['why']}"
                   + (f"; last visit {e['last_visit'][:10]}" if e["last_visit"] else "; never visited"))


@region_group.command("visit")
@click.argument("credit_code")
@_db_option
@click.option("--at", "at_text", required=True, help="when the supervision visit took place")
@click.option("--by", required=True, help="who inspected")
@click.option("--note", default="", help="what was found")
@_guard
def visit_cmd(credit_code: str, db_url: str, at_text: str, by: str, note: str) -> None:
    """Record a supervision visit (the plan counts the next one from it)."""
    with _db(db_url) as db:
        db.record_visit(credit_code, _at(at_text), by, note)
    click.echo(f"visit to {credit_code} at {_at(at_text).isoformat()} recorded")


@region_group.command("map")
@_db_option
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="FILE.svg, FILE.html or FILE.png (PNG needs headless Chromium)")
@click.option("--region", help="only this region and the regions below it")
@click.option("--at", "at_text", help="judge levels and warnings at this time (default: now)")
@click.option("--title", help="map title")
@_rules_file
@_guard
def map_cmd(db_url: str, output: Path, region: str | None, at_text: str | None, title: str | None, rules_file: Path | None) -> None:
    """The regional four-colour map: regions filled by level, enterprises as dots (black ring: early warning)."""
    from dualprev_core.region.assess import assess_region
    from dualprev_core.region.regional_map import render_region_map_svg

    suffix = output.suffix.lower()
    if suffix not in (".svg", ".html", ".png"):
        _fail(f"{output}: the map is written as .svg, .html or .png (got {suffix or 'no suffix'!r})")
    with _db(db_url) as db:
        report = assess_region(db, as_of=_at(at_text), region=region, industry_methods=_industry_methods(), rules=_rules(rules_file))
        tree = db.region_tree()
    svg = render_region_map_svg(report, tree, title=title)
    _write_map(svg, output, title or "区域安全风险四色图", report)


def _write_map(svg: str, output: Path, title: str, report: dict[str, Any]) -> None:
    """SVG as is; HTML and PNG through the outputs layer (a page sized to the map; headless Chromium)."""
    suffix = output.suffix.lower()
    if suffix == ".svg":
        output.write_text(svg, encoding="utf-8")
    else:
        from dualprev_core.outputs.html import map_html, svg_size

        page = map_html(svg, title)
        if suffix == ".html":
            output.write_text(page, encoding="utf-8")
        else:
            from dualprev_core.outputs.browser import html_to_png

            w, h = svg_size(svg)
            html_to_png(page, output, width=w, height=h)
    click.echo(f"{output}: {len(report['regions'])} regions, {len(report['enterprises'])} enterprises")
