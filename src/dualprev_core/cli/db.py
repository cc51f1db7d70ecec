"""``dualprev db``: create, fill, inspect, verify and export the event store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from dualprev_core.cli.common import _close_later, _common, _db_option, _enterprise_id_option, _fail, _guard, _out, _packs

__all__ = ["db_group", "db_init", "db_import", "db_import_ledger", "db_log", "db_diff", "db_export", "db_info", "db_snapshot", "db_verify", "db_versions"]


def _store(db: str | None, *, create: bool = False) -> Any:
    from dualprev_core.store import open_store

    if not db:
        _fail("give --db URL (a file path, sqlite:///PATH or postgresql://…) or set DUALPREV_DB")
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

    store = _store(db, create=True)
    durability = ("SQLite WAL, synchronous=FULL: each commit is fsync'ed before the command returns"
                  if store.backend == "sqlite" else "PostgreSQL, synchronous_commit=on: each commit is flushed to the server's WAL")
    data = {"store": store.display, "backend": store.backend, "schema_version": SCHEMA_VERSION, "durability": durability,
            "enterprises": store.enterprise_ids()}
    if as_json:
        _out(data)
    else:
        click.echo(f"{store.display}: store ready (schema version {SCHEMA_VERSION}; {durability}); "
                   f"{len(data['enterprises'])} enterprise(s)")


@db_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@_db_option
@click.option("--by", "actor", help="who imports it (default: $DUALPREV_ACTOR or the OS user)")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(path_type=Path), help="extra rule file(s), as for assess")
@_common
@_guard
def db_import(file: Path, db: str | None, actor: str | None, rule_files: tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Import an enterprise file as a new version of its register (the store is created if needed)."""
    store = _store(db, create=True)
    r = store.import_register(file, actor=actor, packs=_packs(rule_files))
    data = {"enterprise": r.enterprise_id, "unchanged": r.unchanged, **r.version.to_dict(), "head_hash": r.result.head_hash,
            "changes": [c.to_dict() for c in r.changes]}
    if as_json:
        _out(data)
        return
    if r.unchanged:
        click.echo(f"{r.enterprise_id}: {file} is identical to register version {r.version.number}; nothing added")
        return
    s = r.version.summary
    click.echo(f"{r.enterprise_id}: register version {r.version.number} (event {r.version.seq}, by {r.version.actor}): "
               f"{s.get('added', 0)} added, {s.get('removed', 0)} removed, {s.get('changed', 0)} changed; head {r.result.head_hash}")
    for c in r.changes[:50]:
        click.echo("  " + c.line())
    if len(r.changes) > 50:
        click.echo(f"  … {len(r.changes) - 50} more (dualprev db diff)")


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
        _fail(f"{ledger}: file not found")
    store = _store(db)
    r = store.import_ledger(ledger, enterprise_id=enterprise_id, actor=actor)
    if as_json:
        _out({"enterprise": r.stream, "appended": r.appended, "version": r.version, "head_hash": r.head_hash})
    else:
        click.echo(f"{r.stream}: {r.appended - 1} hidden-danger events imported from {ledger}; version {r.version}, head {r.head_hash}")


@db_group.command("verify")
@_db_option
@_enterprise_id_option
@click.option("--head", "head", metavar="HASH", help="a head hash recorded elsewhere (an export, a report): must still be in the chain")
@_common
@_guard
def db_verify(db: str | None, enterprise_id: str | None, head: str | None, as_json: bool, lang: str) -> None:
    """Check every hash chain, head and snapshot; exit 1 naming the first event that fails."""
    from dualprev_core.store.verify import verify_store

    store = _store(db)
    report = verify_store(store, enterprise_id, head=head)
    if as_json:
        _out(report.to_dict())
    else:
        for s in report.streams:
            if s.ok:
                click.echo(f"{s.stream}: ok — {s.events} events, head {s.head_hash}")
            else:
                click.echo(f"{s.stream}: FAILED — {s.problem}")
        if report.head is not None:
            h = report.head
            if h.found:
                click.echo(f"head {h.head}: ok — event {h.seq} of {h.stream}" + (f"; {h.since} event(s) appended since" if h.since else ""))
            else:
                click.echo(f"head {h.head}: FAILED — not in the store: the events up to it were removed or rewritten")
        if not report.streams:
            click.echo(f"{store.display}: empty store (no enterprise)")
    if not report.ok:
        sys.exit(1)


def _describe(e: Any) -> str:
    d = e.data
    k = e.kind
    if k == "register.imported":
        s = d.get("summary", {})
        return f"register version {d.get('register_version')} from {d.get('source')}: +{s.get('added', 0)} -{s.get('removed', 0)} ~{s.get('changed', 0)}"
    if k == "inspection.recorded":
        return f"inspection {d.get('id')} on {d.get('control')}: {d.get('result')}" + (f" — {d['note']}" if d.get("note") else "")
    if k == "monitoring.alarm":
        return f"alarm {d.get('rule')} [{d.get('level')}] {d.get('point') or ''}: {d.get('message')}"
    if k == "ledger.imported":
        return f"ledger {d.get('source')} imported ({d.get('events')} events, sha256 {str(d.get('sha256'))[:12]}…)"
    if k.startswith(("hidden_danger.", "investigation.")):
        extra = {kk: v for kk, v in d.items() if kk not in ("kind", "hd_id", "task_id", "by", "at", "why") and v not in (None, "", [], {})}
        bits = ", ".join(f"{kk}={v}" for kk, v in list(extra.items())[:4])
        return f"{d.get('hd_id') or d.get('task_id')} {d.get('kind')}" + (f" ({bits})" if bits else "") + (f" — {d['why']}" if d.get("why") else "")
    return k


@db_group.command("log")
@_db_option
@_enterprise_id_option
@click.option("--diff", "show_diff", is_flag=True, help="show each register version's changes")
@click.option("--kind", "kinds", multiple=True, help="only these kinds (e.g. inspection.recorded, hidden_danger.)")
@_common
@_guard
def db_log(db: str | None, enterprise_id: str | None, show_diff: bool, kinds: tuple[str, ...], as_json: bool, lang: str) -> None:
    """The history of an enterprise (or every one): who did what, when, in order."""
    store = _store(db)
    eid = store.resolve(enterprise_id) if enterprise_id or len(store.enterprise_ids()) == 1 else None
    rows = []
    for e in store.events(eid, kinds=kinds or None):
        rows.append(e)
        if as_json:
            continue
        click.echo(f"{e.stream} #{e.seq:<5} {e.at:<32} {e.actor:<12} {_describe(e)}")
        if show_diff and e.kind == "register.imported":
            n = e.data.get("register_version", 1)
            for c in store.register_changes(e.stream, int(n)):
                click.echo("        " + c.line())
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
    store = _store(db)
    eid = store.resolve(enterprise_id)
    versions = store.register_versions(eid)
    target = to if to is not None else len(versions)
    changes = store.register_changes(eid, target, since)
    if as_json:
        _out([c.to_dict() for c in changes])
        return
    click.echo(f"{eid}: register version {since if since is not None else target - 1} → {target}: {len(changes)} change(s)")
    for c in changes:
        click.echo("  " + c.line(120))


@db_group.command("versions")
@_db_option
@_enterprise_id_option
@_common
@_guard
def db_versions(db: str | None, enterprise_id: str | None, as_json: bool, lang: str) -> None:
    """The register versions of an enterprise: when, by whom, from which file, what changed."""
    store = _store(db)
    eid = store.resolve(enterprise_id)
    vs = store.register_versions(eid)
    if as_json:
        _out([v.to_dict() for v in vs])
        return
    for v in vs:
        s = v.summary
        click.echo(f"v{v.number}  event {v.seq:<5} {v.at}  {v.actor:<12} {v.source}  +{s.get('added', 0)} -{s.get('removed', 0)} ~{s.get('changed', 0)}")


@db_group.command("export")
@_db_option
@_enterprise_id_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "ledger"]), default="jsonl", show_default=True,
              help="jsonl: every stored event with its hashes; ledger: the hidden-danger events as a --ledger file")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write to this file (atomically) instead of standard output")
@_guard
def db_export(db: str | None, enterprise_id: str | None, fmt: str, output: Path | None) -> None:
    """Export an enterprise's events (or every enterprise's); the head hash goes to standard error."""
    from dualprev_core.store import atomic_write_text

    store = _store(db)
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
        click.echo(f"dualprev: {stream}: version {seq}, head {h}", err=True)


@db_group.command("snapshot")
@_db_option
@_enterprise_id_option
@_guard
def db_snapshot(db: str | None, enterprise_id: str | None) -> None:
    """Write a snapshot of an enterprise's state now (commits also write one every few hundred events)."""
    store = _store(db)
    eid = store.resolve(enterprise_id)
    v = store.snapshot(eid)
    click.echo(f"{eid}: snapshot at version {v}")


@db_group.command("info")
@_db_option
@_common
@_guard
def db_info(db: str | None, as_json: bool, lang: str) -> None:
    """The store's enterprises with their versions and head hashes."""
    store = _store(db)
    heads = store.streams_table()
    data = {"store": store.display, "backend": store.backend, "schema_version": store.schema_version,
            "enterprises": [{"id": k, "version": v, "head_hash": h} for k, (v, h) in sorted(heads.items())]}
    if as_json:
        _out(data)
        return
    click.echo(f"{store.display} ({store.backend}, schema version {store.schema_version})")
    for e in data["enterprises"]:
        click.echo(f"  {e['id']}: version {e['version']}, head {e['head_hash']}")
