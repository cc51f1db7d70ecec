"""``dualprev export submission`` and ``dualprev exchange schema|validate|codes``: the national exchange model."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import click

from dualprev_core.cli.common import _fail, _guard, _out, _packs, _rules_option

__all__ = ["submission_cmd", "export_group", "exchange_group"]


def _write_json(data: Any, output: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(output)


def _from_files(enterprise: Path, ledger: Path | None, rule_files: tuple[Path, ...]) -> tuple[Any, str, dict[str, Any]]:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.exchange.submission import events_head_hash
    from dualprev_core.hidden_dangers.ledger import Ledger
    from dualprev_core.loading.enterprise import load_enterprise

    packs = _packs(rule_files)
    e = load_enterprise(enterprise, packs=packs)
    led = Ledger.from_jsonl(ledger) if ledger is not None else Ledger()
    head = events_head_hash(led.events, seed=hashlib.sha256(enterprise.read_bytes()).hexdigest())
    a = Assessment(e, packs=packs, ledger=led)
    times = [i.at for i in e.inspections]
    a.evaluate_criteria(at=max(times) if times else None)
    source = {"kind": "files", "enterprise_file": str(enterprise), "ledger": str(ledger) if ledger else None, "events": len(led.events)}
    return a, head, source


@click.command("submission")
@click.argument("enterprise", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--ledger", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="hidden-danger event file (JSON lines) of the enterprise")
@click.option("--credit-code", help="统一社会信用代码 (default: the enterprise fact exchange:credit_code)")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="write the submission here (default: stdout)")
@_rules_option
@_guard
def submission_cmd(enterprise: Path | None, ledger: Path | None, credit_code: str | None, output: Path | None, rule_files: tuple[Path, ...]) -> None:
    """An enterprise's submission in the national exchange model (JSON), validated before it is written."""
    from dualprev_core.exchange.submission import build_submission
    from dualprev_core.exchange.validate import check_submission

    if enterprise is None:
        _fail("give the enterprise file (and --ledger FILE for its hidden dangers)")
        return
    a, head, source = _from_files(enterprise, ledger, rule_files)
    sub = build_submission(a, head_hash=head, credit_code=credit_code, source=source)
    check_submission(sub, source="the exported submission")
    _write_json(sub, output)
    if output is not None:
        n = sum(len(v) for v in sub.values() if isinstance(v, list))
        click.echo(f"{output}: {n} records of {sub['enterprise']['COMPANY_NAME']} ({sub['enterprise']['CREDIT_CODE']}), "
                   f"content {sub['content_hash'][:12]}…, head {sub['head_hash'][:12]}…", err=True)


@click.group("export")
def export_group() -> None:
    """Export what others read: the submission in the national exchange model."""


export_group.add_command(submission_cmd)


@click.group("exchange")
def exchange_group() -> None:
    """The national data-exchange model: its JSON Schema, its code lists, and checking a submission."""


@exchange_group.command("schema")
def exchange_schema_cmd() -> None:
    """Print the JSON Schema of a submission."""
    from dualprev_core.exchange.schema import submission_schema

    _out(submission_schema())


@exchange_group.command("codes")
def exchange_codes_cmd() -> None:
    """Print the code lists (national codes, meanings, and dualprev's mapping onto them)."""
    from dualprev_core.exchange.codes import code_maps

    _out(code_maps().to_dict())


@exchange_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="machine-readable JSON output")
def exchange_validate_cmd(files: tuple[Path, ...], as_json: bool) -> None:
    """Check submissions from any source: every problem, with its path; exit 2 if any has one."""
    from dualprev_core.errors import ValidationError
    from dualprev_core.exchange.validate import read_submission, submission_problems

    results = []
    for f in files:
        try:
            problems = submission_problems(read_submission(f), source=str(f))
        except ValidationError as exc:
            problems = list(exc.problems)
        results.append({"file": str(f), "valid": not problems, "problems": [{"path": p.path, "message": p.message} for p in problems]})
    _report_validation(results, as_json)


def _report_validation(results: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        _out(results)
    else:
        for r in results:
            if r["valid"]:
                click.echo(f"{r['file']}: valid")
            else:
                n = len(r["problems"])
                click.echo(f"{r['file']}: {n} problem{'s' if n != 1 else ''}", err=True)
                for p in r["problems"]:
                    click.echo(f"  - {p['path'] or '(document)'}: {p['message']}", err=True)
    if not all(r["valid"] for r in results):
        raise SystemExit(2)
