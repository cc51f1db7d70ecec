"""``dualprev db``: create, fill, inspect, verify and export the event store."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from dualprev_core.cli.common import _close_later, _common, _db_option, _enterprise_id_option, _fail, _guard, _lang_option, _out, _packs

__all__ = ["db_group", "db_init", "db_import", "db_import_ledger", "db_log", "db_diff", "db_export", "db_info", "db_snapshot", "db_verify", "db_versions"]


#: What these commands print, by key and language (values are filled in with ``str.format``).
_MSG: dict[str, dict[str, str]] = {
    "no_db": {"zh": "请给出 --db URL（文件路径、sqlite:///路径 或 postgresql://…），或设置环境变量 DUALPREV_DB",
              "en": "give --db URL (a file path, sqlite:///PATH or postgresql://…) or set DUALPREV_DB"},
    "durability_sqlite": {"zh": "SQLite 预写日志（WAL），同步级别 FULL：每次提交在命令返回前已写入磁盘",
                          "en": "SQLite WAL, synchronous=FULL: each commit is fsync'ed before the command returns"},
    "durability_postgresql": {"zh": "PostgreSQL，同步提交：每次提交在命令返回前已写入服务器的预写日志（WAL）",
                              "en": "PostgreSQL, synchronous_commit=on: each commit is flushed to the server's WAL"},
    "ready": {"zh": "{store}：存储已就绪（模式版本 {schema}；{durability}）；{n} 家企业",
              "en": "{store}: store ready (schema version {schema}; {durability}); {n} enterprise(s)"},
    "identical": {"zh": "{eid}：{file} 与登记册第 {n} 版相同；未新增版本", "en": "{eid}: {file} is identical to register version {n}; nothing added"},
    "imported": {"zh": "{eid}：登记册第 {n} 版（事件 {seq}，操作人 {actor}）：新增 {added} 项，删除 {removed} 项，修改 {changed} 项；链头 {head}",
                 "en": "{eid}: register version {n} (event {seq}, by {actor}): {added} added, {removed} removed, {changed} changed; head {head}"},
    "more_changes": {"zh": "… 另有 {n} 处变更（见 `dualprev db diff`）", "en": "… {n} more (dualprev db diff)"},
    "no_file": {"zh": "{file}：文件不存在", "en": "{file}: file not found"},
    "ledger_imported": {"zh": "{eid}：从 {file} 导入 {n} 条隐患事件；版本 {version}，链头 {head}",
                        "en": "{eid}: {n} hidden-danger events imported from {file}; version {version}, head {head}"},
    "stream_ok": {"zh": "{eid}：通过 — {n} 个事件，链头 {head}", "en": "{eid}: ok — {n} events, head {head}"},
    "stream_failed": {"zh": "{eid}：未通过 — {problem}", "en": "{eid}: FAILED — {problem}"},
    "head_ok": {"zh": "链头 {head}：通过 — {eid} 的第 {seq} 个事件", "en": "head {head}: ok — event {seq} of {eid}"},
    "head_since": {"zh": "；其后又追加了 {n} 个事件", "en": "; {n} event(s) appended since"},
    "head_missing": {"zh": "链头 {head}：未通过 — 不在存储中：截至该链头的事件已被删除或改写",
                     "en": "head {head}: FAILED — not in the store: the events up to it were removed or rewritten"},
    "empty": {"zh": "{store}：空存储（没有企业）", "en": "{store}: empty store (no enterprise)"},
    "ev_register": {"zh": "登记册第 {n} 版，来自 {source}：+{added} -{removed} ~{changed}",
                    "en": "register version {n} from {source}: +{added} -{removed} ~{changed}"},
    "ev_inspection": {"zh": "排查记录 {id}（管控措施 {control}）：{result}", "en": "inspection {id} on {control}: {result}"},
    "ev_alarm": {"zh": "报警 {rule}［{level}］{point}：{message}", "en": "alarm {rule} [{level}] {point}: {message}"},
    "ev_ledger": {"zh": "导入隐患台账 {source}（{n} 个事件，sha256 {sha}…）", "en": "ledger {source} imported ({n} events, sha256 {sha}…)"},
    "diff_head": {"zh": "{eid}：登记册第 {a} 版 → 第 {b} 版：{n} 处变更", "en": "{eid}: register version {a} → {b}: {n} change(s)"},
    "version_row": {"zh": "第 {n} 版  事件 {seq:<5} {at}  {actor:<12} {source}  +{added} -{removed} ~{changed}",
                    "en": "v{n}  event {seq:<5} {at}  {actor:<12} {source}  +{added} -{removed} ~{changed}"},
    "export_head": {"zh": "dualprev：{eid}：版本 {seq}，链头 {head}", "en": "dualprev: {eid}: version {seq}, head {head}"},
    "snapshot": {"zh": "{eid}：已写入版本 {v} 的快照", "en": "{eid}: snapshot at version {v}"},
    "info": {"zh": "{store}（{backend}，模式版本 {schema}）", "en": "{store} ({backend}, schema version {schema})"},
    "info_row": {"zh": "  {eid}：版本 {version}，链头 {head}", "en": "  {eid}: version {version}, head {head}"},
    "added": {"zh": "新增 `{path}`", "en": "+ {path}"},
    "removed": {"zh": "删除 `{path}`", "en": "- {path}"},
    "changed": {"zh": "修改 `{path}`：`{before}` → `{after}`", "en": "~ {path}: {before} → {after}"},
}

_BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _t(key: str, lang: str, **values: Any) -> str:
    return _MSG[key]["zh" if lang == "zh" else "en"].format(**values)


def _change(c: Any, lang: str, width: int = 80) -> str:
    """A register change as one line: in Chinese the path and values quoted as the file has them."""
    if lang != "zh":
        return str(c.line(width))
    def _short(value: Any, width: int) -> str:
        out = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return out if len(out) <= width else out[: width - 1] + "…"

    if c.op == "~":
        return _t("changed", lang, path=c.path, before=_short(c.before, width), after=_short(c.after, width))
    return _t("added" if c.op == "+" else "removed", lang, path=c.path)


def _store(db: str | None, *, create: bool = False, lang: str = "zh") -> Any:
    from dualprev_core.store import open_store

    if not db:
        _fail(_t("no_db", lang))
    return _close_later(open_store(str(db), create=create))


@click.group("db")
def db_group() -> None:
    """The event store (SQLite file or PostgreSQL): init, import, log, verify, export, snapshot."""


@db_group.command("init")
@_db_option
@_common
@_guard
def db_init(db: str | None, as_json: bool, lang: str) -> None:
    """Create the store (or migrate an older one) and print what it guarantees."""
    from dualprev_core.store import SCHEMA_VERSION

    store = _store(db, create=True, lang=lang)
    durability = _t("durability_sqlite" if store.backend == "sqlite" else "durability_postgresql", "en")
    data = {"store": store.display, "backend": store.backend, "schema_version": SCHEMA_VERSION, "durability": durability,
            "enterprises": store.enterprise_ids()}
    if as_json:
        _out(data)
    else:
        click.echo(_t("ready", lang, store=store.display, schema=SCHEMA_VERSION, n=len(data["enterprises"]),
                      durability=_t("durability_sqlite" if store.backend == "sqlite" else "durability_postgresql", lang)))


@db_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@_db_option
@click.option("--by", "actor", help="who imports it (default: $DUALPREV_ACTOR or the OS user)")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(path_type=Path), help="extra rule file(s), as for assess")
@_common
@_guard
def db_import(file: Path, db: str | None, actor: str | None, rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Import an enterprise file as a new version of its register (the store is created if needed)."""
    store = _store(db, create=True, lang=lang)
    r = store.import_register(file, actor=actor, packs=_packs(rule_files))
    data = {"enterprise": r.enterprise_id, "unchanged": r.unchanged, **r.version.to_dict(), "head_hash": r.result.head_hash,
            "changes": [c.to_dict() for c in r.changes]}
    if as_json:
        _out(data)
        return
    if r.unchanged:
        click.echo(_t("identical", lang, eid=r.enterprise_id, file=file, n=r.version.number))
        return
    s = r.version.summary
    click.echo(_t("imported", lang, eid=r.enterprise_id, n=r.version.number, seq=r.version.seq, actor=r.version.actor,
                  added=s.get("added", 0), removed=s.get("removed", 0), changed=s.get("changed", 0), head=r.result.head_hash))
    for c in r.changes[:50]:
        click.echo("  " + _change(c, lang))
    if len(r.changes) > 50:
        click.echo("  " + _t("more_changes", lang, n=len(r.changes) - 50))


@db_group.command("import-ledger")
@click.argument("ledger", type=click.Path(path_type=Path))
@_db_option
@_enterprise_id_option
@click.option("--by", "actor", help="who imports it (default: $DUALPREV_ACTOR or the OS user)")
@_common
@_guard
def db_import_ledger(ledger: Path, db: str | None, enterprise_id: str | None, actor: str | None, as_json: bool, lang: str) -> None:
    """Import a JSON-lines hidden-danger ledger into an enterprise of the store (validated first)."""
    if not ledger.exists():
        _fail(_t("no_file", lang, file=ledger))
    store = _store(db, lang=lang)
    r = store.import_ledger(ledger, enterprise_id=enterprise_id, actor=actor)
    if as_json:
        _out({"enterprise": r.stream, "appended": r.appended, "version": r.version, "head_hash": r.head_hash})
    else:
        click.echo(_t("ledger_imported", lang, eid=r.stream, n=r.appended - 1, file=ledger, version=r.version, head=r.head_hash))


@db_group.command("verify")
@_db_option
@_enterprise_id_option
@click.option("--head", "head", metavar="HASH", help="a head hash recorded elsewhere (an export, a report): must still be in the chain")
@_common
@_guard
def db_verify(db: str | None, enterprise_id: str | None, head: str | None, as_json: bool, lang: str) -> None:
    """Check every hash chain, head and snapshot; exit 1 naming the first event that fails."""
    from dualprev_core.store.verify import verify_store

    store = _store(db, lang=lang)
    report = verify_store(store, enterprise_id, head=head)
    if as_json:
        _out(report.to_dict())
    else:
        for s in report.streams:
            if s.ok:
                click.echo(_t("stream_ok", lang, eid=s.stream, n=s.events, head=s.head_hash))
            else:
                click.echo(_t("stream_failed", lang, eid=s.stream, problem=s.problem))
        if report.head is not None:
            h = report.head
            if h.found:
                click.echo(_t("head_ok", lang, head=h.head, seq=h.seq, eid=h.stream) + (_t("head_since", lang, n=h.since) if h.since else ""))
            else:
                click.echo(_t("head_missing", lang, head=h.head))
        if not report.streams:
            click.echo(_t("empty", lang, store=store.display))
    if not report.ok:
        sys.exit(1)


def _quoted(name: Any, lang: str) -> str:
    """A file name as recorded; quoted in Chinese text."""
    return f"`{name}`" if lang == "zh" else str(name)


def _inspection_result(result: Any, lang: str) -> str:
    from dualprev_core.model.vocabulary import InspectionResult

    try:
        return InspectionResult(result).label(lang) if lang == "zh" else str(result)
    except ValueError:
        return str(result)


def _alarm_level(level: Any, lang: str) -> str:
    """Alarm levels are colours in the packs' rules (as ``dualprev monitor`` shows them)."""
    return {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}.get(str(level), str(level)) if lang == "zh" else str(level)


def _describe(e: Any, lang: str = "en") -> str:
    """One stored event in words (the ``summary`` of ``db log --json`` is the English one)."""
    d = e.data
    k = e.kind
    zh = lang == "zh"
    if k == "register.imported":
        s = d.get("summary", {})
        return _t("ev_register", lang, n=d.get("register_version"), source=_quoted(d.get("source"), lang),
                  added=s.get("added", 0), removed=s.get("removed", 0), changed=s.get("changed", 0))
    if k == "inspection.recorded":
        return (_t("ev_inspection", lang, id=d.get("id"), control=d.get("control"), result=_inspection_result(d.get("result"), lang))
                + (f" — {d['note']}" if d.get("note") else ""))
    if k == "monitoring.alarm":
        return _t("ev_alarm", lang, rule=d.get("rule"), level=_alarm_level(d.get("level"), lang), point=d.get("point") or "", message=d.get("message"))
    if k == "ledger.imported":
        return _t("ev_ledger", lang, source=_quoted(d.get("source"), lang), n=d.get("events"), sha=str(d.get("sha256"))[:12])
    if k.startswith(("hidden_danger.", "investigation.")):
        extra = {kk: v for kk, v in d.items() if kk not in ("kind", "hd_id", "task_id", "by", "at", "why") and v not in (None, "", [], {})}
        if zh:
            return _describe_hd_zh(d, extra)
        bits = ", ".join(f"{kk}={v}" for kk, v in list(extra.items())[:4])
        return f"{d.get('hd_id') or d.get('task_id')} {d.get('kind')}" + (f" ({bits})" if bits else "") + (f" — {d['why']}" if d.get("why") else "")
    return str(k)


def _describe_hd_zh(d: dict[str, Any], extra: dict[str, Any]) -> str:
    """A hidden-danger or investigation event in Chinese: its kind, its fields by their Chinese names
    (vocabulary values by their labels), the rest quoted as recorded."""
    from dualprev_core.cli.i18n import escalation, event_kind, hd_grade

    named = {"control_id": "管控措施", "description": "描述", "deadline": "整改期限", "plan": "治理方案", "to": "升级至", "post": "岗位",
             "risk_ids": "风险", "control_ids": "管控措施"}
    bits = []
    for key, v in list(extra.items())[:6]:
        if key == "grade":
            bits.append(f"隐患等级 {hd_grade(str(v), 'zh')}")
        elif key == "finding":
            bits.append(f"排查结果 {_inspection_result(v, 'zh')}")
        elif key == "owner_level":
            bits.append(f"责任层级 {escalation(str(v), 'zh')}")
        elif key == "criteria" and isinstance(v, list):
            ids = [str(c.get("criterion_id")) for c in v if isinstance(c, dict)]
            bits.append("判定依据 " + "、".join(ids))
        elif key in named and isinstance(v, (str, int, float)):
            bits.append(f"{named[key]} {v}")
        elif key in named and isinstance(v, list) and all(isinstance(x, str) for x in v):
            bits.append(f"{named[key]} {'、'.join(v)}")
        else:
            bits.append(f"`{key}={v}`")  # a field as recorded
    why = str(d.get("why") or "")
    if why and ("grade" in extra or "criteria" in extra) and re.search(r"[A-Za-z]{3,}", why):
        why = ""  # the library's English grading explanation restates the grade and criteria shown
    return (f"{d.get('hd_id') or d.get('task_id')} {event_kind(str(d.get('kind')), 'zh')}" + (f"（{'；'.join(bits)}）" if bits else "")
            + (f" — {why}" if why else ""))


@db_group.command("log")
@_db_option
@_enterprise_id_option
@click.option("--diff", "show_diff", is_flag=True, help="show each register version's changes")
@click.option("--kind", "kinds", multiple=True, help="only these kinds (e.g. inspection.recorded, hidden_danger.)")
@_common
@_guard
def db_log(db: str | None, enterprise_id: str | None, show_diff: bool, kinds: tuple[str, ...], as_json: bool, lang: str) -> None:
    """The history of an enterprise (or every one): who did what, when, in order."""
    store = _store(db, lang=lang)
    eid = store.resolve(enterprise_id) if enterprise_id or len(store.enterprise_ids()) == 1 else None
    rows = []
    for e in store.events(eid, kinds=kinds or None):
        rows.append(e)
        if as_json:
            continue
        click.echo(f"{e.stream} #{e.seq:<5} {e.at:<32} {e.actor:<12} {_describe(e, lang)}")
        if show_diff and e.kind == "register.imported":
            n = e.data.get("register_version", 1)
            for c in store.register_changes(e.stream, int(n)):
                click.echo("        " + _change(c, lang))
    if as_json:
        _out([{**{k: v for k, v in r.to_dict().items() if k != "data"}, "summary": _describe(r)} for r in rows])


@db_group.command("diff")
@_db_option
@_enterprise_id_option
@click.option("--from", "since", type=int, help="register version to compare from (default: the one before --to)")
@click.option("--to", "to", type=int, help="register version to compare to (default: the latest)")
@_common
@_guard
def db_diff(db: str | None, enterprise_id: str | None, since: int | None, to: int | None, as_json: bool, lang: str) -> None:
    """What changed between two versions of an enterprise's register."""
    store = _store(db, lang=lang)
    eid = store.resolve(enterprise_id)
    versions = store.register_versions(eid)
    target = to if to is not None else len(versions)
    changes = store.register_changes(eid, target, since)
    if as_json:
        _out([c.to_dict() for c in changes])
        return
    click.echo(_t("diff_head", lang, eid=eid, a=since if since is not None else target - 1, b=target, n=len(changes)))
    for c in changes:
        click.echo("  " + _change(c, lang, 120))


@db_group.command("versions")
@_db_option
@_enterprise_id_option
@_common
@_guard
def db_versions(db: str | None, enterprise_id: str | None, as_json: bool, lang: str) -> None:
    """The register versions of an enterprise: when, by whom, from which file, what changed."""
    store = _store(db, lang=lang)
    eid = store.resolve(enterprise_id)
    vs = store.register_versions(eid)
    if as_json:
        _out([v.to_dict() for v in vs])
        return
    for v in vs:
        s = v.summary
        click.echo(_t("version_row", lang, n=v.number, seq=v.seq, at=v.at, actor=v.actor, source=_quoted(v.source, lang),
                      added=s.get("added", 0), removed=s.get("removed", 0), changed=s.get("changed", 0)))


@db_group.command("export")
@_db_option
@_enterprise_id_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "ledger"]), default="jsonl", show_default=True,
              help="jsonl: every stored event with its hashes; ledger: the hidden-danger events as a --ledger file")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write to this file (atomically) instead of standard output")
@_lang_option
@_guard
def db_export(db: str | None, enterprise_id: str | None, fmt: str, output: Path | None, lang: str) -> None:
    """Export an enterprise's events (or every enterprise's); the head hash goes to standard error."""
    from dualprev_core.store import atomic_write_text

    store = _store(db, lang=lang)
    eid = store.resolve(enterprise_id) if enterprise_id or len(store.enterprise_ids()) <= 1 else None
    lines = []
    heads = {}
    for e in store.events(eid):
        heads[e.stream] = (e.seq, e.hash)
        if fmt == "jsonl":
            lines.append(json.dumps(e.to_dict(), ensure_ascii=False))
        elif e.kind.startswith(("hidden_danger.", "investigation.")):
            lines.append(json.dumps(e.data, ensure_ascii=False))
    text = "".join(line + "\n" for line in lines)
    if output is not None:
        atomic_write_text(output, text)
    else:
        click.echo(text, nl=False)
    for stream, (seq, h) in heads.items():
        click.echo(_t("export_head", lang, eid=stream, seq=seq, head=h), err=True)


@db_group.command("snapshot")
@_db_option
@_enterprise_id_option
@_lang_option
@_guard
def db_snapshot(db: str | None, enterprise_id: str | None, lang: str) -> None:
    """Write a snapshot of an enterprise's state now (commits also write one every few hundred events)."""
    store = _store(db, lang=lang)
    eid = store.resolve(enterprise_id)
    v = store.snapshot(eid)
    click.echo(_t("snapshot", lang, eid=eid, v=v))


@db_group.command("info")
@_db_option
@_common
@_guard
def db_info(db: str | None, as_json: bool, lang: str) -> None:
    """The store's enterprises with their versions and head hashes."""
    store = _store(db, lang=lang)
    heads = store.streams_table()
    data = {"store": store.display, "backend": store.backend, "schema_version": store.schema_version,
            "enterprises": [{"id": k, "version": v, "head_hash": h} for k, (v, h) in sorted(heads.items())]}
    if as_json:
        _out(data)
        return
    click.echo(_t("info", lang, store=store.display, backend=_BACKENDS.get(store.backend, store.backend) if lang == "zh" else store.backend,
                  schema=store.schema_version))
    for e in data["enterprises"]:
        click.echo(_t("info_row", lang, eid=e["id"], version=e["version"], head=e["head_hash"]))
