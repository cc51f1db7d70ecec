"""``dualprev region …``: the regulator's side — ingest submissions, regions, assessment, plan, map."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from dualprev_core.cli.common import _CURRENT_LANG, _common, _fail, _guard, _lang_option, _out

__all__ = ["region_group", "ingest_cmd", "regions_cmd", "assess_cmd", "plan_cmd", "visit_cmd", "map_cmd"]


#: What these commands print, by key and language (ids, credit codes and hashes are data).
_MSG: dict[str, dict[str, str]] = {
    "outcome_ingested": {"zh": "已接收（新企业）", "en": "ingested"},
    "outcome_superseded": {"zh": "已接收，取代此前的报送", "en": "superseded"},
    "outcome_unchanged": {"zh": "内容相同，已接收过；未改变", "en": "unchanged"},
    "outcome_rejected": {"zh": "被拒绝，未接收", "en": "rejected"},
    "problems": {"zh": "{n} 个问题", "en": "{n} problem(s)"},
    "document": {"zh": "（整个文件）", "en": "(document)"},
    "database": {"zh": "区域数据库：{enterprises} 家企业，{submissions} 份报送，{records} 条有效记录",
                 "en": "database: {enterprises} enterprises, {submissions} submissions, {records} live records"},
    "boundary": {"zh": "，有边界", "en": ", boundary"},
    "regions": {"zh": "{n} 个区域，{p} 家企业已归属区域", "en": "{n} regions, {p} enterprise placements"},
    "to_before_from": {"zh": "--to {to} 早于 --from {since}", "en": "--to {to} is before --from {since}"},
    "plan_head": {"zh": "{variant}（{standard}{unverified}）；{since} 至 {to}：{due} 家应检查，{not_due} 家本期不需检查",
                  "en": "{variant} ({standard}{unverified}); {since} – {to}: {due} due, {not_due} not due"},
    "unverified": {"zh": "，未核实", "en": " [unverified]"},
    "plan_row": {"zh": "  {due}  {cls}（每年 {per_year:g} 次）  {id} {name}  — {why}",
                 "en": "  {due}  {cls_key} {cls} ({per_year:g}/yr)  {id} {name}  — {why}"},
    "last_visit": {"zh": "；上次检查 {at}", "en": "; last visit {at}"},
    "never_visited": {"zh": "；从未检查", "en": "; never visited"},
    "visit": {"zh": "已记录对 {code} 的检查（{at}）", "en": "visit to {code} at {at} recorded"},
    "map_suffix": {"zh": "{output}：地图可写为 .svg、.html 或 .png 文件（收到 {suffix}）",
                   "en": "{output}: the map is written as .svg, .html or .png (got {suffix})"},
    "no_suffix": {"zh": "无后缀", "en": "no suffix"},
    "bad_time": {"zh": "{name}：{text} 不是 ISO 日期或时间（例如 2026-12-01 或 2026-12-01T08:00:00+08:00）",
                 "en": "{name}: {text} is not an ISO date or time (e.g. 2026-12-01 or 2026-12-01T08:00:00+08:00)"},
    "map_written": {"zh": "{output}：{regions} 个区域，{enterprises} 家企业", "en": "{output}: {regions} regions, {enterprises} enterprises"},
}

_LEVELS = {"province": "省", "city": "市", "county": "县（区）", "park": "园区", "town": "乡镇"}


def _t(key: str, lang: str, **values: Any) -> str:
    return _MSG[key]["zh" if lang == "zh" else "en"].format(**values)


def _at(text: str | None, name: str = "--at") -> datetime:
    from dualprev_core.errors import InvalidInput

    if text is None:
        return datetime.now(UTC)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_t("bad_time", _CURRENT_LANG["lang"], name=name, text=repr(text))) from None
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
@_common
@_guard
def ingest_cmd(files: tuple[Path, ...], db_url: str, as_json: bool, lang: str) -> None:
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
        zh = lang == "zh"
        for r in results:
            if zh:  # the outcome says what happened; the problems below say why
                line = (f"{r.source}：{_t('outcome_' + r.outcome, lang)}" + (f" — {r.name}（{r.credit_code}）" if r.credit_code else "")
                        + (f"：{_t('problems', lang, n=len(r.problems))}" if r.problems else ""))
            else:
                line = f"{r.source}: {r.outcome}" + (f" — {r.name} ({r.credit_code})" if r.credit_code else "") + (f": {r.message}" if r.message else "")
            click.echo(line, err=r.outcome == "rejected")
            for p in r.problems:
                click.echo(f"  - {p.path or _t('document', lang)}{'：' if zh else ': '}{p.message}", err=True)
        click.echo(_t("database", lang, **counts))
    if any(r.outcome == "rejected" for r in results):
        raise SystemExit(2)


@region_group.command("regions")
@click.argument("region_file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@_db_option
@_common
@_guard
def regions_cmd(region_file: Path | None, db_url: str, as_json: bool, lang: str) -> None:
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
            level = _LEVELS.get(str(r["level"]), str(r["level"])) if lang == "zh" else r["level"]
            boundary = _t("boundary", lang) if r["boundary"] else ""
            click.echo(f"{'  ' * depth}{r['id']}  {r['name']}  " + (f"（{level}{boundary}）" if lang == "zh" else f"({level}{boundary})"))
            show(r["id"], depth + 1)

    show(None, 0)
    click.echo(_t("regions", lang, n=len(data), p=len(tree.placements)))


@region_group.command("assess")
@_db_option
@click.option("--region", help="only this region and the regions below it")
@click.option("--at", "at_text", help="judge warnings at this time (default: now)")
@click.option("--method", "region_method", help="region level method: highest (default) or share")
@click.option("--parquet", type=click.Path(path_type=Path, dir_okay=False), help="also write the enterprise rows as a Parquet table")
@_rules_file
@_scale_options
@_common
@_guard
def assess_cmd(db_url: str, region: str | None, at_text: str | None, region_method: str | None, parquet: Path | None, rules_file: Path | None,
               workers: int, local_cluster: int, scheduler: str | None, as_json: bool, lang: str) -> None:
    """Enterprise levels, regional levels, the major-risk database, overdue major hidden dangers and early warnings."""
    from dualprev_core.region.assess import assess_region

    with _db(db_url) as db:
        report = assess_region(db, as_of=_at(at_text), region=region, industry_methods=_industry_methods(), rules=_rules(rules_file),
                               region_method=region_method, parquet=str(parquet) if parquet else None,
                               workers=workers, local_workers=local_cluster, scheduler=scheduler)
    if as_json:
        _out(report)
        return
    _print_assessment(report, lang)


_HEADS = {
    "zh": {"regions": ("区域", "名称", "等级", "企业", "红/橙/黄/蓝", "预警", "超期重大隐患", "说明"), "regions_title": "区域风险（{at}）",
           "enterprises": ("统一社会信用代码", "企业", "区域", "等级", "方法", "重大风险", "未销号隐患(重大)", "预警"), "enterprises_title": "企业整体风险",
           "summary": "[bold]区域重大风险库[/]：{risks} 项；[bold]超期重大隐患[/]：{overdue} 家企业；[bold]预警[/]：{warnings} 项（--json 给出全部内容）"},
    "en": {"regions": ("region", "name", "level", "enterprises", "red/orange/yellow/blue", "warnings", "overdue major HD", "explanation"),
           "regions_title": "regional risk ({at})",
           "enterprises": ("credit code", "enterprise", "region", "level", "method", "major risks", "open HD (major)", "warnings"),
           "enterprises_title": "enterprise risk levels",
           "summary": "[bold]regional major-risk database[/]: {risks}; [bold]overdue major hidden dangers[/]: {overdue} enterprise(s); "
                      "[bold]warnings[/]: {warnings} (--json gives every field)"},
}


def _print_assessment(report: dict[str, Any], lang: str = "zh") -> None:
    from rich.console import Console

    from dualprev_core.cli.common import _style
    from dualprev_core.cli.i18n import show, table
    from dualprev_core.model.levels import RiskLevel
    from dualprev_core.region.assess import UNPLACED

    def lv(key: str | None) -> str:
        if not key:
            return "—"
        lvl = RiskLevel[key.upper()]
        return f"[{_style(lvl)}]{lvl.zh if lang == 'zh' else lvl.key}[/]"

    h = _HEADS["zh" if lang == "zh" else "en"]
    c = Console()
    kinds = ("id", "text", "text", "text", "text", "text", "text", "text")
    t = table(*zip(h["regions"], kinds, strict=True), title=str(h["regions_title"]).format(at=report["as_of"]))
    for r in report["regions"]:
        n = r["counts"]
        t.add_row("—" if r["id"] == UNPLACED and lang == "zh" else r["id"], r["name"], lv(r["level"]), str(n["enterprises"]), f"{n['major']}/{n['large']}/{n['general']}/{n['low']}",
                  str(n["warnings"]), str(n["overdue_major_hidden_dangers"]), r["reason"])
    show(c, t)
    t = table(*zip(h["enterprises"], kinds, strict=True), title=str(h["enterprises_title"]))
    for e in report["enterprises"]:
        n = e["counts"]
        t.add_row(e["id"], e["name"], e["region"] or "—", lv(e["level"]), e["method"], str(n["major_risks"]),
                  f"{n['open_hidden_dangers']}({n['open_major_hidden_dangers']})", "\n".join(w["reason"] for w in e["warnings"]) or "—")
    show(c, t)
    c.print(str(h["summary"]).format(risks=len(report["major_risks"]), overdue=len(report["overdue_major_hidden_dangers"]), warnings=len(report["warnings"])))


@region_group.command("plan")
@_db_option
@click.option("--from", "from_text", required=True, help="period start (ISO date)")
@click.option("--to", "to_text", required=True, help="period end (ISO date)")
@click.option("--variant", help="supervision variant of the rules file (default: dualprev-default)")
@click.option("--region", help="only this region and the regions below it")
@_rules_file
@_common
@_guard
def plan_cmd(db_url: str, from_text: str, to_text: str, variant: str | None, region: str | None, rules_file: Path | None, as_json: bool,
             lang: str) -> None:
    """Classified supervision: each enterprise's class and frequency, and who is due an inspection in the period."""
    from dualprev_core.region.assess import assess_region
    from dualprev_core.region.supervision import plan

    start, end = _at(from_text, "--from"), _at(to_text, "--to")
    if end < start:
        _fail(_t("to_before_from", lang, to=to_text, since=from_text))
    rules = _rules(rules_file)
    with _db(db_url) as db:
        report = assess_region(db, as_of=start, region=region, industry_methods=_industry_methods(), rules=rules)
        visits = db.last_visits()
    rows = [{**e, "warnings": len(e["warnings"]), "overdue_major_hidden_dangers": e["counts"]["overdue_major_hidden_dangers"]} for e in report["enterprises"]]
    result = plan(rows, rules, start=start, end=end, last_visits=visits, variant=variant)
    if as_json:
        _out(result)
        return
    cit = result["citation"]
    click.echo(_t("plan_head", lang, variant=result["variant"], standard=cit.get("standard"), since=result["from"][:10], to=result["to"][:10],
                  unverified=_t("unverified", lang) if not cit.get("verified", True) else "", due=len(result["due"]), not_due=len(result["not_due"])))
    for e in result["due"]:
        click.echo(_t("plan_row", lang, due=e["due"][:10], cls_key=e["class"], cls=e["class_zh"], per_year=e["per_year"], id=e["id"], name=e["name"],
                      why=e["why"]) + (_t("last_visit", lang, at=e["last_visit"][:10]) if e["last_visit"] else _t("never_visited", lang)))


@region_group.command("visit")
@click.argument("credit_code")
@_db_option
@click.option("--at", "at_text", required=True, help="when the supervision visit took place")
@click.option("--by", required=True, help="who inspected")
@click.option("--note", default="", help="what was found")
@_lang_option
@_guard
def visit_cmd(credit_code: str, db_url: str, at_text: str, by: str, note: str, lang: str) -> None:
    """Record a supervision visit (the plan counts the next one from it)."""
    with _db(db_url) as db:
        db.record_visit(credit_code, _at(at_text), by, note)
    click.echo(_t("visit", lang, code=credit_code, at=_at(at_text).isoformat()))


@region_group.command("map")
@_db_option
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="FILE.svg, FILE.html or FILE.png (PNG needs headless Chromium)")
@click.option("--region", help="only this region and the regions below it")
@click.option("--at", "at_text", help="judge levels and warnings at this time (default: now)")
@click.option("--title", help="map title")
@_rules_file
@_lang_option
@_guard
def map_cmd(db_url: str, output: Path, region: str | None, at_text: str | None, title: str | None, rules_file: Path | None, lang: str) -> None:
    """The regional four-colour map: regions filled by level, enterprises as dots (black ring: early warning)."""
    from dualprev_core.region.assess import assess_region
    from dualprev_core.region.regional_map import render_region_map_svg

    suffix = output.suffix.lower()
    if suffix not in (".svg", ".html", ".png"):
        _fail(_t("map_suffix", lang, output=output, suffix=repr(suffix) if suffix else _t("no_suffix", lang)))
    with _db(db_url) as db:
        report = assess_region(db, as_of=_at(at_text), region=region, industry_methods=_industry_methods(), rules=_rules(rules_file))
        tree = db.region_tree()
    svg = render_region_map_svg(report, tree, title=title)
    _write_map(svg, output, title or "区域安全风险四色图", report, lang)


def _write_map(svg: str, output: Path, title: str, report: dict[str, Any], lang: str = "zh") -> None:
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
    click.echo(_t("map_written", lang, output=output, regions=len(report["regions"]), enterprises=len(report["enterprises"])))
