"""Check a submission from any source before it is sent or ingested: every problem, with its path.

Structure and codes against the JSON Schema (all errors, not the first); then what a schema cannot
say: the 统一社会信用代码's GB 32100 check character, every record of the one enterprise, no UUID
used twice, no reference to a record that is not in the submission, CLASSIFY2 under its CLASSIFY1,
ids that match their natural key (``DP_KEY``, where given), and the content hash.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dualprev_core.errors import Problem, ValidationError
from dualprev_core.exchange.codes import CodeMaps, code_maps
from dualprev_core.exchange.credit_code import credit_code_problem
from dualprev_core.exchange.fields import COLLECTIONS, REFERENCES
from dualprev_core.exchange.identity import check_id
from dualprev_core.exchange.schema import submission_schema
from dualprev_core.exchange.submission import content_hash

__all__ = ["submission_problems", "check_submission", "read_submission"]


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


@functools.cache
def _fast_validator(version: str) -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(submission_schema(code_maps() if version == code_maps().version else None))


def _schema_problems(data: Any, maps: CodeMaps, source: str | None) -> list[Problem]:
    if maps is code_maps():
        import fastjsonschema

        try:
            _fast_validator(maps.version)(data)
            return []
        except fastjsonschema.JsonSchemaException:
            pass  # fall through to the thorough validator, which lists every error
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(submission_schema(maps))
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        problems.append(Problem(_path(err.absolute_path), err.message, source))
    return problems


def submission_problems(data: Any, *, source: str | None = None, maps: CodeMaps | None = None) -> list[Problem]:
    """Every problem of ``data`` as a submission, in document order (empty when it is valid)."""
    maps = maps or code_maps()
    problems = _schema_problems(data, maps, source)
    if not isinstance(data, Mapping):
        return problems
    if data.get("code_version") not in (None, maps.version):
        problems.append(Problem("code_version", f"codes follow {data['code_version']!r} but this validator has {maps.version!r}", source))
    ent: Mapping[str, Any] = e if isinstance(e := data.get("enterprise"), Mapping) else {}
    cc = ent.get("CREDIT_CODE")
    if cc is not None:
        why = credit_code_problem(cc)
        if why:
            problems.append(Problem("enterprise.CREDIT_CODE", f"统一社会信用代码 {why}", source))
    company = ent.get("COMPANY_CODE")
    seen: dict[str, str] = {}
    if isinstance(ent.get("ID"), str):
        seen[ent["ID"]] = "enterprise"
    ids: dict[str, set[str]] = {k: set() for k in COLLECTIONS}
    mismatched: list[Problem] = []
    lists: dict[str, list[Any]] = {k: v if isinstance(v := data.get(k), list) else [] for k in COLLECTIONS}
    for key, records in lists.items():
        for i, rec in enumerate(records):
            if not isinstance(rec, Mapping):
                continue
            where = f"{key}[{i}]"
            rid = rec.get("ID")
            if isinstance(rid, str):
                if rid in seen:
                    problems.append(Problem(f"{where}.ID", f"UUID {rid} is used twice (first at {seen[rid]})", source))
                else:
                    seen[rid] = where
                ids[key].add(rid)
                dp_key = rec.get("DP_KEY")
                if isinstance(dp_key, str) and not check_id(rid, dp_key):
                    problems.append(Problem(f"{where}.ID", f"is not the UUID of its natural key DP_KEY {dp_key!r} (edited after export?)", source))
            for field, own in (("CREDIT_CODE", cc), ("COMPANY_CODE", company)):
                if own is not None and rec.get(field) not in (None, own):
                    mismatched.append(Problem(f"{where}.{field}", f"{rec.get(field)!r} differs from the enterprise's {own!r}", source))
            c1, c2 = rec.get("CLASSIFY1"), rec.get("CLASSIFY2")
            if key == "control_measures" and isinstance(c1, str) and isinstance(c2, str) and c2.split("-")[0] != c1:
                problems.append(Problem(f"{where}.CLASSIFY2", f"{c2!r} ({maps['CLASSIFY2'].codes.get(c2, '?')}) is not under CLASSIFY1 {c1!r} "
                                        f"({maps['CLASSIFY1'].codes.get(c1, '?')})", source))
    problems += _mismatches(mismatched, sum(len(v) for v in lists.values()), source)
    for (key, field), target in REFERENCES.items():
        for i, rec in enumerate(lists[key]):
            if not isinstance(rec, Mapping):
                continue
            ref = rec.get(field)
            if isinstance(ref, str) and ref not in ids[target]:
                found = seen.get(ref)
                why = f"is a record of {found.split('[')[0]}, not of {target}" if found else f"names no record of {target} in this submission"
                problems.append(Problem(f"{key}[{i}].{field}", f"{ref} {why} (dangling reference)", source))
    declared = data.get("content_hash")
    if isinstance(declared, str) and not problems:
        actual = content_hash(data)
        if declared != actual:
            problems.append(Problem("content_hash", f"is {declared} but the content hashes to {actual} (changed after export?)", source))
    return problems


def _mismatches(found: list[Problem], records: int, source: str | None) -> list[Problem]:
    """Every record naming another enterprise code, or one problem when all records agree with each other but not with the enterprise."""
    for field in ("CREDIT_CODE", "COMPANY_CODE"):
        same = [p for p in found if p.path.endswith(f".{field}")]
        values = {p.message.split(" differs")[0] for p in same}
        if len(same) == records > 3 and len(values) == 1:
            found = [p for p in found if p not in same]
            found.append(Problem(f"enterprise.{field}", f"every one of the {records} records says {values.pop()}: {same[0].message.split('differs from ')[1]}"
                                 " differs from all of them", source))
    return found


def check_submission(data: Any, *, source: str | None = None, maps: CodeMaps | None = None) -> Mapping[str, Any]:
    """``data`` when it is a valid submission.

    :raises ValidationError: listing every problem with its path.
    """
    problems = submission_problems(data, source=source, maps=maps)
    if problems:
        raise ValidationError(problems, source=source)
    return data


def read_submission(path: str | Path) -> Any:
    """The decoded JSON of a submission file (not yet validated).

    :raises ValidationError: when the file cannot be read or is not JSON (line and column named).
    """
    from dualprev_core.limits import check_structure, get_limits, read_text

    p = Path(path)
    text = read_text(p, what="submission")  # missing, directory, size, UTF-8, NUL: named, never echoed
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError([Problem("", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", str(p))], source=str(p)) from None
    except RecursionError:
        raise ValidationError([Problem("", f"not valid JSON: nested more than max_depth={get_limits().max_depth} levels deep", str(p))],
                              source=str(p)) from None
    check_structure(data, str(p), finite=True, shared=False)
    return data
