"""``dualprev export submission`` and ``dualprev exchange schema|validate|codes``: the national exchange model."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import click

from dualprev_core.cli.common import (
    _check_source,
    _common,
    _db_option,
    _enterprise_id_option,
    _guard,
    _lang_option,
    _out,
    _rules_option,
    open_state,
)

__all__ = ["submission_cmd", "exchange_group", "exchange_schema_cmd", "exchange_codes_cmd", "exchange_validate_cmd"]


#: What these commands print, by key and language (the submission and code lists themselves are data).
_MSG: dict[str, dict[str, str]] = {
    "written": {"zh": "{output}：{name}（{code}）的 {n} 条记录，内容哈希 {content}…，链头 {head}…",
                "en": "{output}: {n} records of {name} ({code}), content {content}…, head {head}…"},
    "valid": {"zh": "{file}：有效", "en": "{file}: valid"},
    "problems": {"zh": "{file}：{n} 个问题", "en": "{file}: {n} problem{s}"},
    "document": {"zh": "（整个文件）", "en": "(document)"},
}


def _t(key: str, lang: str, **values: Any) -> str:
    return _MSG[key]["zh" if lang == "zh" else "en"].format(**values)


def _write_json(data: Any, output: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(output)


def _source(enterprise: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None,
            rule_files: tuple[Path, ...]) -> tuple[Any, str, dict[str, Any], list[Any]]:
    """(assessment, head hash, source description, recorded alarms) of FILE [--ledger] or of the store (--db, -e)."""
    from dualprev_core.exchange.submission import events_head_hash

    _check_source(enterprise, db, file_flag="ENTERPRISE")
    state = open_state(enterprise, ledger=ledger, db=db, enterprise_id=enterprise_id, rule_files=rule_files)
    if state.head_hash is not None:
        head = state.head_hash
        source = {"kind": "store", "store": state.origin, "version": state.version, "register_version": state.register_version}
    else:
        assert enterprise is not None
        head = events_head_hash(state.ledger.events, seed=hashlib.sha256(enterprise.read_bytes()).hexdigest())
        source = {"kind": "files", "enterprise_file": str(enterprise), "ledger": str(ledger) if ledger else None, "events": len(state.ledger.events)}
    a = state.assessment()
    if state.head_hash is None:  # files: judge the criteria as `assess FILE` does; a store's record is what it holds at its head
        times = [i.at for i in state.enterprise.inspections]
        a.evaluate_criteria(at=max(times) if times else None)
    return a, head, source, list(state.alarms)


def _codes_option(fn: Any) -> Any:
    return click.option("--codes", "codes_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                        help="a replacement code-list file (a province's variant); default: the bundled lists")(fn)


def _maps(codes_file: Path | None) -> Any:
    from dualprev_core.exchange.codes import code_maps, load_code_maps

    return load_code_maps(codes_file) if codes_file else code_maps()


@click.command("submission")
@click.argument("enterprise", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--ledger", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="hidden-danger event file (JSON lines) of the enterprise")
@_db_option
@_enterprise_id_option
@click.option("--credit-code", help="统一社会信用代码 (default: the enterprise fact exchange:credit_code)")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="write the submission here (default: stdout)")
@_rules_option
@_codes_option
@_lang_option
@_guard
def submission_cmd(enterprise: Path | None, ledger: Path | None, db: str | None, enterprise_id: str | None, credit_code: str | None,
                   output: Path | None, rule_files: tuple[Path, ...], codes_file: Path | None, lang: str) -> None:
    """An enterprise's submission in the national exchange model (JSON), from ENTERPRISE [--ledger L] or --db URL [-e ID].

    It is validated before it is written; it carries the store's head hash (for files: a hash chain
    over the enterprise file and the ledger's events).
    """
    from dualprev_core.exchange.submission import build_submission
    from dualprev_core.exchange.validate import check_submission

    a, head, source, alarms = _source(enterprise, ledger, db, enterprise_id, rule_files)
    maps = _maps(codes_file)
    sub = build_submission(a, head_hash=head, credit_code=credit_code, source=source, alarms=alarms, maps=maps)
    check_submission(sub, source="the exported submission", maps=maps)
    _write_json(sub, output)
    if output is not None:
        n = sum(len(v) for v in sub.values() if isinstance(v, list))
        click.echo(_t("written", lang, output=output, n=n, name=sub["enterprise"]["COMPANY_NAME"], code=sub["enterprise"]["CREDIT_CODE"],
                      content=sub["content_hash"][:12], head=sub["head_hash"][:12]), err=True)


@click.group("exchange")
def exchange_group() -> None:
    """The national data-exchange model: its JSON Schema, its code lists, and checking a submission."""


@exchange_group.command("schema")
@_codes_option
@_guard
def exchange_schema_cmd(codes_file: Path | None) -> None:
    """Print the JSON Schema of a submission."""
    from dualprev_core.exchange.schema import submission_schema

    _out(submission_schema(_maps(codes_file)))


@exchange_group.command("codes")
@_codes_option
@_guard
def exchange_codes_cmd(codes_file: Path | None) -> None:
    """Print the code lists (national codes, meanings, and dualprev's mapping onto them)."""
    _out(_maps(codes_file).to_dict())


@exchange_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_codes_option
@_common
@_guard
def exchange_validate_cmd(files: tuple[Path, ...], as_json: bool, codes_file: Path | None, lang: str) -> None:
    """Check submissions from any source: every problem, with its path; exit 2 if any has one."""
    from dualprev_core.errors import ValidationError
    from dualprev_core.exchange.validate import read_submission, submission_problems

    maps = _maps(codes_file)
    results = []
    for f in files:
        try:
            problems = submission_problems(read_submission(f), source=str(f), maps=maps)
        except ValidationError as exc:
            problems = list(exc.problems)
        results.append({"file": str(f), "valid": not problems, "problems": [{"path": p.path, "message": p.message} for p in problems]})
    _report_validation(results, as_json, lang)


def _report_validation(results: list[dict[str, Any]], as_json: bool, lang: str = "en") -> None:
    if as_json:
        _out(results)
    else:
        for r in results:
            if r["valid"]:
                click.echo(_t("valid", lang, file=r["file"]))
            else:
                click.echo(_t("problems", lang, file=r["file"], n=len(r["problems"]), s="s" if len(r["problems"]) != 1 else ""), err=True)
                for p in r["problems"]:
                    click.echo(f"  - {p['path'] or _t('document', lang)}{'：' if lang == 'zh' else ': '}{p['message']}", err=True)
    if not all(r["valid"] for r in results):
        raise SystemExit(2)
