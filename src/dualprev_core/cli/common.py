"""What every command shares: labels, output, errors as exit status 2, pack loading, options."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from dualprev_core.errors import DualprevError, ValidationError

if TYPE_CHECKING:
    from dualprev_core.packs import Packs

#: Shared by the command modules (the underscored helpers here are shared too, but internal to cli/).
__all__ = ["open_state", "change_state"]

_F = TypeVar("_F", bound=Callable[..., Any])

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


#: The language of the running command (set by ``--lang``), for messages printed outside it (errors).
_CURRENT_LANG = {"lang": "en"}


def _set_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    _CURRENT_LANG["lang"] = value
    return value


def _fail(message: str, code: int = 2) -> NoReturn:
    lines = str(message).splitlines() or [""]
    if len(lines) > 60:  # the library lists every problem; a terminal needs the first ones
        lines = [*lines[:60], f"… ({len(lines) - 60} more lines; --json gives them all where the command has it)"]
    head = f"dualprev: {'错误' if _CURRENT_LANG['lang'] == 'zh' else 'error'}: "
    click.echo(head + "\n".join(line if len(line) <= 1000 else line[:1000] + "…" for line in lines), err=True)
    sys.exit(code)


def _guard(fn: _F) -> _F:
    """Turn the library's errors into a clear message and exit status 2."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            _fail(str(exc))
        except DualprevError as exc:
            _fail(str(exc))
        except (RecursionError, OverflowError, MemoryError) as exc:  # a last line of defence: the input checks name the field
            _fail(f"input too large or too deeply nested ({type(exc).__name__}); see the limits in docs/limits.md")

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


def _common(fn: _F) -> _F:
    fn = click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")(fn)
    fn = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="label language",
                      callback=_set_lang, is_eager=True)(fn)
    return fn


def _lang_option(fn: _F) -> _F:
    """``--lang`` alone, for commands whose output is data (their messages are in the language)."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="message language",
                        callback=_set_lang, is_eager=True)(fn)


def _disabled_packs() -> tuple[str, ...]:
    """The packs disabled with ``dualprev --disable-pack NAME`` (the group's option)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return tuple(root.params.get("disable_pack") or ()) if root is not None else ()


def _packs(rule_files: tuple[Path, ...] = (), *, listing: bool = False) -> Packs:
    """Installed packs, plus a ``local`` pack holding ``--rules`` files if any were given.

    Fails closed: a command that takes decisions stops (exit 2) when an installed pack failed to
    load, naming it and how to disable it; ``listing`` commands get the packs with their errors.
    """
    from dualprev_core.packs import load_packs, local_rules_pack

    packs = load_packs(extra=[local_rules_pack(rule_files)] if rule_files else (), disabled=_disabled_packs(), strict=False)
    if "local" in packs.errors:
        raise packs.errors["local"]
    if not listing:
        packs.require_complete()
    return packs


def _rules_option(fn: _F) -> _F:
    return click.option("--rules", "rule_files", multiple=True, type=click.Path(path_type=Path),
                         help="extra rule file(s) to apply, as a 'local' pack (repeatable)")(fn)



def _style(level: Any) -> str:
    return {"major": "bold white on red", "large": "bold black on dark_orange", "general": "black on yellow", "low": "white on blue"}[level.key]


# ---------------------------------------------------------------- where an enterprise's state comes from
# A command reads an enterprise either from files (FILE and, optionally, --ledger L.jsonl) or from a
# store (--db URL, -e ID).  Both give the same EnterpriseState (see dualprev_core.store.state), so a
# command is written once: state.enterprise, state.ledger, state.assessment(), state.head_hash.


def _db_option(fn: _F) -> _F:
    """``--db URL`` (default: the ``DUALPREV_DB`` environment variable)."""
    return click.option("--db", "db", envvar="DUALPREV_DB", metavar="URL",
                        help="the store: a file path, sqlite:///PATH or postgresql://… (default: $DUALPREV_DB)")(fn)


def _enterprise_id_option(fn: _F) -> _F:
    return click.option("--enterprise-id", "-e", "enterprise_id", metavar="ID",
                        help="with --db: the enterprise (may be omitted when the store holds one)")(fn)


def _check_source(file: Path | None, db: str | None, *, file_flag: str = "FILE") -> None:
    if file is not None and db is not None and not os.environ.get("DUALPREV_DB") == db:
        _fail(f"give either {file_flag} or --db URL, not both (to add {file_flag} to the store: dualprev db import {file} --db {db})")
    if file is None and db is None:
        _fail(f"give {file_flag} or --db URL (or set DUALPREV_DB)")


def _close_later(store: Any) -> Any:
    """Close ``store`` when the command ends."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(store.close)
    return store


def open_state(
    file: Path | None = None,
    *,
    ledger: Path | None = None,
    db: str | None = None,
    enterprise_id: str | None = None,
    rule_files: tuple[Path, ...] = (),
    replay_inspections: bool = True,
) -> Any:
    """The :class:`~dualprev_core.store.EnterpriseState` of (FILE, --ledger) or (--db URL, -e ID).

    FILE wins over a ``DUALPREV_DB`` from the environment; an explicit --db with FILE is refused.
    For writing, use :func:`change_state`, which also locks the ledger file and retries on the store.
    """
    from dualprev_core.store import EnterpriseState, open_store

    packs = _packs(rule_files)
    if file is not None:
        return EnterpriseState.from_files(file, ledger_file=ledger, packs=packs, replay_inspections=replay_inspections)
    if db is None:
        _fail("give FILE or --db URL (or set DUALPREV_DB)")
    store = _close_later(open_store(str(db), create=False))
    return store.load(enterprise_id, packs=packs)


def change_state(
    change: Callable[[Any], Any],
    file: Path | None = None,
    *,
    ledger: Path | None = None,
    db: str | None = None,
    enterprise_id: str | None = None,
    rule_files: tuple[Path, ...] = (),
    replay_inspections: bool = True,
) -> tuple[Any, Any]:
    """Run ``change(state)`` and write what it recorded; returns ``(its value, the state)``.

    Files: the ledger file is locked from reading to writing and written atomically.
    Store: one append expecting the version read; on a conflicting writer the state is re-read
    and ``change`` re-applied (a few times), else the command fails with exit 2 and writes nothing.
    When this returns, what was recorded is durably committed.
    """
    import contextlib

    from dualprev_core.store import EnterpriseState, ledger_lock, open_store

    packs = _packs(rule_files)
    if file is not None:
        lock = ledger_lock(ledger) if ledger is not None else contextlib.nullcontext()
        with lock:
            state = EnterpriseState.from_files(file, ledger_file=ledger, packs=packs, replay_inspections=replay_inspections)
            value = change(state)
            state.save()
        return value, state
    if db is None:
        _fail("give FILE or --db URL (or set DUALPREV_DB)")
    store = _close_later(open_store(str(db), create=False))
    holder: list[Any] = []

    def run(state: Any) -> Any:
        holder[:] = [state]
        return change(state)

    value, _result = store.update(enterprise_id, run, packs=packs)
    return value, holder[0]
