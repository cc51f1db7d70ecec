"""Validation of ``dualprev-rules/1`` documents: every problem at once, with paths and lines.

A document comes from a YAML or JSON file or from a mapping.  :func:`parse_ruleset` walks it
once, collects every :class:`~dualprev_core.errors.Problem` (path like
``rules[3](id=chem-07).when[1].where[0].op``, the message naming the value and what is
allowed, the file and line) and raises one :class:`~dualprev_core.errors.ValidationError`,
or returns a :class:`~._model.RuleSet`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from dualprev_core.doc_cache import cached_document, store_document
from dualprev_core.errors import InvalidInput, Problem, ValidationError, excerpt, suggest
from dualprev_core.limits import get_limits, read_text, structure_problems
from dualprev_core.provenance import Citation
from dualprev_core.rules.format import (
    FORMAT,
    OPS,
    REF_OPS,
    AnyOf,
    Condition,
    EventPattern,
    FactPattern,
    NonePattern,
    Outcome,
    Rule,
    RuleSet,
    SilencePattern,
)
from dualprev_core.rules.regex import regex_problem
from dualprev_core.rules.versions import CriteriaDocument
from dualprev_core.yaml_lines import load_yaml_fast, load_yaml_with_lines

__all__ = ["parse_ruleset", "load_ruleset", "MAX_JOIN", "MAX_SAFE_INT"]

#: durable-rules joins at most 16 messages (MAX_MESSAGE_FRAMES); the format keeps to it.
MAX_JOIN = 16
#: integers must be exact as doubles: both engines compare numbers as doubles would.
MAX_SAFE_INT = 2**53

_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOP_KEYS = ("format", "ruleset", "pack", "description", "document", "rules")
_RULE_KEYS = ("id", "title", "citation", "when", "then", "salience", "enabled", "description")
_CITATION_REQUIRED = ("standard", "edition", "clause")
_CITATION_KEYS = ("standard", "edition", "clause", "title", "verified", "note", "sources")
_FACT_KEYS = ("fact", "as", "where")
_NONE_KEYS = ("fact", "where")
_EVENT_KEYS = ("event", "as", "where", "per", "held_for")
_SILENCE_KEYS = ("event", "per", "for", "as")
_COND_KEYS = ("field", "op", "value", "ref")
_OUTCOMES = ("grade_hidden_danger", "alarm", "open_hidden_danger", "escalate", "flag")
_GRADES = ("general", "major")
_ALARM_LEVELS = ("red", "orange", "yellow", "blue")


# YAML with lines, YAML 1.2 scalars and duplicate keys: the loader shared with enterprise files
_yaml_lines = load_yaml_with_lines


# --------------------------------------------------------------------------- checker
class _Checker:
    def __init__(self, doc: Any, source: str | None, lines: dict[tuple[Any, ...], int], keylines: dict[tuple[Any, ...], int]):
        self.doc = doc
        self.source = source
        self.lines = lines
        self.keylines = keylines
        self.problems: list[tuple[int, int, Problem]] = []
        self._order = 0

    # path rendering: rules[3](id=chem-07).when[1].where[0].op
    def render(self, path: tuple[Any, ...]) -> str:
        out = ""
        for i, part in enumerate(path):
            if isinstance(part, int):
                out += f"[{part}]"
                if i == 1 and path[0] == "rules":
                    rules = self.doc.get("rules") if isinstance(self.doc, Mapping) else None
                    if isinstance(rules, list) and part < len(rules) and isinstance(rules[part], Mapping):
                        rid = rules[part].get("id")
                        if isinstance(rid, str) and rid:
                            out += f"(id={rid})"
            else:
                out += ("." if out else "") + str(part)
        return out

    def line(self, path: tuple[Any, ...], key: bool = False) -> int | None:
        if key and path in self.keylines:
            return self.keylines[path]
        p = path
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def add(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        line = self.line(path, key) if (self.lines or self.keylines) else None
        src = self.source
        if src is not None and line is not None:
            src = f"{src}:{line}"
        elif src is None and line is not None:
            src = f"line {line}"
        self._order += 1
        self.problems.append((line or 0, self._order, Problem(path=self.render(path), message=message, source=src)))

    # ---- helpers
    def keys(self, node: Mapping[str, Any], path: tuple[Any, ...], allowed: tuple[str, ...], what: str) -> None:
        for k in node:
            if k not in allowed:
                self.add((*path, k), f"unknown key {excerpt(k)} in {what}; allowed: {', '.join(allowed)}{suggest(str(k), allowed)}", key=True)

    def mapping(self, node: Any, path: tuple[Any, ...], what: str) -> bool:
        if not isinstance(node, Mapping):
            self.add(path, f"{what} must be a mapping (got {_show(node)})")
            return False
        return True

    def text(self, node: Mapping[str, Any], key: str, path: tuple[Any, ...], *, required: bool = True) -> str | None:
        if key not in node:
            if required:
                self.add(path, f"missing required key {key!r}")
            return None
        v = node[key]
        if not isinstance(v, str) or not v.strip():
            self.add((*path, key), f"{key!r} must be a non-empty string (got {_show(v)})")
            return None
        return v

    def number(self, v: Any, path: tuple[Any, ...], what: str) -> bool:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.add(path, f"{what} must be a number (got {_show(v)})")
            return False
        return self.finite(v, path)

    def finite(self, v: Any, path: tuple[Any, ...]) -> bool:
        if isinstance(v, float) and not math.isfinite(v):
            self.add(path, f"non-finite number {v!r} refused (NaN and infinities cannot be compared)")
            return False
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_SAFE_INT:
            self.add(path, f"integer {v} is outside ±2**53, where numbers stop being exact")
            return False
        return True

    def scalar(self, v: Any, path: tuple[Any, ...], what: str) -> bool:
        if v is None or isinstance(v, (str, bool)):
            return True
        if isinstance(v, (int, float)):
            return self.finite(v, path)
        self.add(path, f"{what} must be a scalar (string, number, boolean or null) (got {_show(v)})")
        return False


def _show(v: Any) -> str:
    if isinstance(v, Mapping):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    return f"{type(v).__name__} {excerpt(v)}"


def _split_path(v: Any) -> tuple[str, ...] | None:
    if not isinstance(v, str) or not v:
        return None
    parts = tuple(v.split("."))
    if any(not p for p in parts):
        return None
    return parts


# --------------------------------------------------------------------------- document
def parse_ruleset(
    doc: Any,
    *,
    source: str | None = None,
    lines: dict[tuple[Any, ...], int] | None = None,
    keylines: dict[tuple[Any, ...], int] | None = None,
    extra_problems: list[tuple[tuple[Any, ...], str]] | None = None,
) -> RuleSet:
    """Validate a ``dualprev-rules/1`` document (a mapping) and build the :class:`RuleSet`.

    :param doc: the document as loaded from YAML/JSON.
    :param source: the file name, used in every :class:`Problem`.
    :raises ValidationError: listing every problem found, in document order.
    """
    ck = _Checker(doc, source, lines or {}, keylines or {})
    for path, msg in extra_problems or ():
        ck.add(path, msg, key=True)
    result = _document(ck, doc)
    if ck.problems:
        ck.problems.sort(key=lambda t: (t[0], t[1]))
        raise ValidationError([p for _, _, p in ck.problems], source=source)
    if result is None:  # cannot happen: no problems means a result was built
        raise ValidationError([Problem("", "invalid rule file", source)], source=source)
    return result


def load_ruleset(source: str | Path | Mapping[str, Any]) -> RuleSet:
    """Load and validate a rule file (``.yaml``/``.yml``/``.json``) or a mapping.

    YAML is read with YAML 1.2 scalars (``on:``/``yes`` are strings, ``1e-5`` is a float).
    JSON files are parsed with :mod:`json`.  Lines are recovered (through the YAML composer)
    only when there is a problem to report; a YAML file that validated once is read from the
    cache of decoded rule files next time (:mod:`dualprev_core.doc_cache`).

    :raises ValidationError: every problem, each with its path and (for files) line.
    """
    if isinstance(source, Mapping):
        return parse_ruleset(source)
    path = Path(source)
    name = str(source)
    text = read_text(path, what="rule file")
    is_json = path.suffix.lower() == ".json"
    doc: Any = None
    if is_json:
        try:
            doc = json.loads(text, parse_constant=_json_constant)
        except RecursionError:
            raise ValidationError([Problem("", f"nested more than max_depth={get_limits().max_depth} levels deep", name)], source=name) from None
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise ValidationError([Problem("", f"invalid JSON: {excerpt(str(exc), 200)}", f"{name}:{line}" if line else name)], source=name) from None
    # Fast path: decode without lines (libyaml, or the content-hash cache of documents that
    # validated before) and validate; lines are only needed to report a problem, so a document
    # with one (or with a duplicate key) is decoded again below, with lines.  The limits are
    # checked first, outside it: a hostile document is refused before any validation walks it.
    fast: Any = None
    cached = False
    if not is_json:
        fast = cached_document(text, "yaml")
        cached = fast is not None
        if fast is None:
            try:
                fast = load_yaml_fast(text)
            except (yaml.YAMLError, ValueError, RecursionError):
                fast = None  # the line-keeping parse below reports it
    if (doc if is_json else fast) is not None and not cached:
        _refuse_over_limits(doc if is_json else fast, name, shared=not is_json)
    try:
        if is_json:
            json.loads(text, parse_constant=_json_constant, object_pairs_hook=_refuse_duplicate_keys)
            return parse_ruleset(doc, source=name)
        if fast is not None:
            ruleset = parse_ruleset(fast, source=name)
            if not cached:
                store_document(text, "yaml", fast)
            return ruleset
    except (ValidationError, yaml.YAMLError, _DuplicateKey):
        pass
    lines: dict[tuple[Any, ...], int] = {}
    keylines: dict[tuple[Any, ...], int] = {}
    dups: list[tuple[tuple[Any, ...], int]] = []
    if is_json:
        try:
            _, lines, keylines, dups = _yaml_lines(text)
        except (yaml.YAMLError, ValueError):
            lines, keylines = {}, {}
    else:
        try:
            doc, lines, keylines, dups = _yaml_lines(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{name}:{mark.line + 1}" if mark is not None else name
            # the problem only: str(exc) would quote the offending lines of the file
            raise ValidationError([Problem("", f"invalid YAML: {excerpt(str(getattr(exc, 'problem', None) or exc), 200)}", where)],
                                  source=name) from None
        except ValueError as exc:  # an integer of thousands of digits
            raise ValidationError([Problem("", f"cannot read a number: {excerpt(str(exc))}", name)], source=name) from None
    _refuse_over_limits(doc, name, shared=not is_json, lines=lines)
    extra = [(p, f"duplicate key {p[-1]!r} (the last one would silently win)") for p, _ in dups]
    return parse_ruleset(doc, source=name, lines=lines, keylines=keylines, extra_problems=extra)


def _refuse_over_limits(doc: Any, name: str, *, shared: bool, lines: dict[tuple[Any, ...], int] | None = None) -> None:
    found = structure_problems(doc, shared=shared)
    if found:
        problems = []
        for p, m in found:
            line = _line_of(lines, p) if lines else None
            problems.append(Problem(p, m, f"{name}:{line}" if line else name))
        raise ValidationError(problems, source=name)


def _line_of(lines: dict[tuple[Any, ...], int], path: str) -> int | None:
    parts = tuple(int(i) if i else k for k, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path))
    while parts and parts not in lines:
        parts = parts[:-1]
    return lines.get(parts)


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey
    return out


def _json_constant(name: str) -> float:
    # NaN/Infinity are not JSON; keep them so the checker reports them with a path
    return float(name.replace("Infinity", "inf"))


def _document(ck: _Checker, doc: Any) -> RuleSet | None:
    if not ck.mapping(doc, (), "a rule file"):
        return None
    ck.keys(doc, (), _TOP_KEYS, "a rule file")
    fmt = doc.get("format")
    if fmt != FORMAT:
        ck.add(("format",), f"'format' must be {FORMAT!r} (got {_show(fmt) if 'format' in doc else 'nothing'})")
    rsid = ck.text(doc, "ruleset", ())
    pack = ck.text(doc, "pack", (), required=False)
    if "description" in doc and not isinstance(doc["description"], str):
        ck.add(("description",), f"'description' must be a string (got {_show(doc['description'])})")
    document = None
    if "document" in doc:
        try:
            document = CriteriaDocument.from_mapping(doc["document"], "document")
        except InvalidInput as e:
            ck.add(("document",), str(e))
    rules_node = doc.get("rules")
    rules: list[Rule] = []
    if "rules" not in doc:
        ck.add((), "missing required key 'rules'")
    elif not isinstance(rules_node, list):
        ck.add(("rules",), f"'rules' must be a list (got {_show(rules_node)})")
    elif len(rules_node) > get_limits().max_rules:
        ck.add(("rules",), f"{len(rules_node)} rules is over the limit max_rules={get_limits().max_rules}; split the rule file")
    else:
        seen: dict[str, int] = {}
        for i, r in enumerate(rules_node):
            rule = _rule(ck, r, ("rules", i))
            rid = r.get("id") if isinstance(r, Mapping) else None
            if isinstance(rid, str) and rid:
                if rid in seen:
                    ck.add(("rules", i, "id"), f"duplicate rule id {rid!r} (first at rules[{seen[rid]}])")
                else:
                    seen[rid] = i
            if rule is not None:
                rules.append(rule)
    if ck.problems or rsid is None:
        return None
    return RuleSet(id=rsid, rules=tuple(rules), pack=pack, source=ck.source, document=document)


def _rule(ck: _Checker, r: Any, path: tuple[Any, ...]) -> Rule | None:
    if not ck.mapping(r, path, "a rule"):
        return None
    before = len(ck.problems)
    ck.keys(r, path, _RULE_KEYS, "a rule")
    rid = ck.text(r, "id", path)
    title: dict[str, str] = {}
    if "title" not in r:
        ck.add(path, "missing required key 'title'")
    elif isinstance(r["title"], str) and r["title"].strip():
        title = {"zh": r["title"]}
    elif isinstance(r["title"], Mapping):
        t = r["title"]
        ck.keys(t, (*path, "title"), ("zh", "en"), "a title")
        for lang in ("zh", "en"):
            if lang in t:
                if isinstance(t[lang], str) and t[lang].strip():
                    title[lang] = t[lang]
                else:
                    ck.add((*path, "title", lang), f"title {lang!r} must be a non-empty string (got {_show(t[lang])})")
        if not title and not any(k for k in t if k not in ("zh", "en")):
            ck.add((*path, "title"), "a title needs 'zh' and/or 'en'")
    else:
        ck.add((*path, "title"), f"'title' must be a string or a mapping with zh/en (got {_show(r['title'])})")
    citation = _citation(ck, r.get("citation"), (*path, "citation")) if "citation" in r else None
    if "citation" not in r:
        ck.add(path, "missing required key 'citation' (every criterion cites its clause)")
    salience = r.get("salience", 0)
    if isinstance(salience, bool) or not isinstance(salience, int):
        ck.add((*path, "salience"), f"'salience' must be an integer (got {_show(salience)})")
    enabled = r.get("enabled", True)
    if not isinstance(enabled, bool):
        ck.add((*path, "enabled"), f"'enabled' must be true or false (got {_show(enabled)})")
    when = _when(ck, r.get("when"), (*path, "when")) if "when" in r else None
    if "when" not in r:
        ck.add(path, "missing required key 'when'")
    then = _then(ck, r.get("then"), (*path, "then"), r.get("when")) if "then" in r else None
    if "then" not in r:
        ck.add(path, "missing required key 'then'")
    if len(ck.problems) != before or rid is None or citation is None or when is None or then is None:
        return None
    return Rule(id=rid, title=title, citation=citation, when=tuple(when), then=tuple(then), salience=salience, enabled=enabled)


def _citation(ck: _Checker, c: Any, path: tuple[Any, ...]) -> Citation | None:
    if not ck.mapping(c, path, "'citation'"):
        return None
    before = len(ck.problems)
    ck.keys(c, path, _CITATION_KEYS, "a citation")
    for k in _CITATION_REQUIRED:
        if k not in c:
            ck.add(path, f"citation is missing required key {k!r} (required: {', '.join(_CITATION_REQUIRED)})")
        elif not isinstance(c[k], (str, int)) or isinstance(c[k], bool) or (k != "edition" and not str(c[k]).strip()):
            ck.add((*path, k), f"citation {k!r} must be a non-empty string (got {_show(c[k])})")
    for k in ("title", "note"):
        if k in c and not isinstance(c[k], str):
            ck.add((*path, k), f"citation {k!r} must be a string (got {_show(c[k])})")
    if "verified" in c and not isinstance(c["verified"], bool):
        ck.add((*path, "verified"), f"citation 'verified' must be true or false (got {_show(c['verified'])})")
    if "sources" in c and (not isinstance(c["sources"], list) or not all(isinstance(s, str) for s in c["sources"])):
        ck.add((*path, "sources"), "citation 'sources' must be a list of strings")
    if len(ck.problems) != before:
        return None
    data = {k: (str(v) if k in ("standard", "edition", "clause") else v) for k, v in c.items()}
    return Citation.from_mapping(data)


def _when(ck: _Checker, w: Any, path: tuple[Any, ...]) -> list[Any] | None:
    if not isinstance(w, list) or not w:
        ck.add(path, f"'when' must be a non-empty list of patterns (got {_show(w)})")
        return None
    before = len(ck.problems)
    # aliases of positive patterns in order; none may refer to any of them
    positive_aliases: dict[str, int] = {}
    for i, p in enumerate(w):
        if isinstance(p, Mapping):
            alias = _declared_alias(p, i)
            if alias is not None and "none" not in p:
                positive_aliases.setdefault(alias, i)
    defined: dict[str, str] = {}  # alias -> kind ('fact'/'event'/'silence') defined so far
    out: list[Any] = []
    stream = 0
    for i, p in enumerate(w):
        pp = (*path, i)
        if not ck.mapping(p, pp, "a pattern"):
            continue
        kinds = [k for k in ("fact", "none", "event", "silence") if k in p]
        if len(kinds) != 1:
            ck.add(pp, f"a pattern needs exactly one of 'fact', 'none', 'event', 'silence' (got {sorted(map(str, p)) or 'none'})")
            continue
        kind = kinds[0]
        if kind == "none":
            ck.keys(p, pp, ("none",), "a negation")
            out.append(_none(ck, p["none"], (*pp, "none"), positive_aliases, i))
            continue
        alias = _declared_alias(p if kind != "silence" else (p["silence"] if isinstance(p["silence"], Mapping) else {}), i)
        apath = (*pp, "as") if kind != "silence" else (*pp, "silence", "as")
        if alias is not None and alias in defined:
            ck.add(apath, f"duplicate alias {alias!r}; each pattern needs its own")
        elif alias is not None and not _ALIAS.match(alias):
            ck.add(apath, f"alias {alias!r} must be an identifier (letters, digits, underscore)")
        if kind == "fact":
            ck.keys(p, pp, _FACT_KEYS, "a fact pattern")
            ftype = ck.text(p, "fact", pp)
            where = _where(ck, p.get("where", []), (*pp, "where"), defined, positive_aliases, i, allow_later=False)
            if ftype is not None and where is not None and alias is not None:
                out.append(FactPattern(type=ftype, alias=alias, where=tuple(where)))
        elif kind == "event":
            stream += 1
            ck.keys(p, pp, _EVENT_KEYS, "an event pattern")
            etype = ck.text(p, "event", pp)
            per = None
            if "per" in p:
                per = _split_path(p["per"])
                if per is None:
                    ck.add((*pp, "per"), f"'per' must be a field name (got {_show(p['per'])})")
            held = p.get("held_for")
            if held is not None:
                if ck.number(held, (*pp, "held_for"), "'held_for'") and held < 0:
                    ck.add((*pp, "held_for"), f"'held_for' must be ≥ 0 seconds (got {held!r})")
                if "per" not in p:
                    ck.add(pp, "'held_for' needs 'per' (the field naming the stream, e.g. point)")
            where = _where(ck, p.get("where", []), (*pp, "where"), defined, positive_aliases, i, allow_later=False, allow_refs=held is None)
            if etype is not None and where is not None and alias is not None:
                out.append(
                    EventPattern(type=etype, alias=alias, where=tuple(where), per=per, held_for=None if held is None else float(held))
                )
        else:
            stream += 1
            s = p["silence"]
            sp = (*pp, "silence")
            ck.keys(p, pp, ("silence",), "a silence pattern")
            if ck.mapping(s, sp, "'silence'"):
                ck.keys(s, sp, _SILENCE_KEYS, "a silence pattern")
                etype = ck.text(s, "event", sp)
                per = _split_path(s.get("per"))
                if per is None:
                    ck.add(
                        (*sp, "per") if "per" in s else sp,
                        f"'per' must be a field name (got {_show(s.get('per')) if 'per' in s else 'nothing'})",
                    )
                secs = s.get("for")
                ok = "for" in s and ck.number(secs, (*sp, "for"), "'for'")
                if "for" not in s:
                    ck.add(sp, "missing required key 'for' (seconds without events)")
                elif ok and secs <= 0:
                    ck.add((*sp, "for"), f"'for' must be > 0 seconds (got {secs!r})")
                    ok = False
                if etype is not None and per is not None and ok and alias is not None:
                    out.append(SilencePattern(type=etype, alias=alias, per=per, seconds=float(secs)))
        if alias is not None:
            defined.setdefault(alias, kind)
    if stream > 1:
        ck.add(path, f"a rule may have at most one 'event' or 'silence' pattern (got {stream})")
    npos = sum(1 for p in w if isinstance(p, Mapping) and "none" not in p)
    if npos == 0:
        ck.add(path, "'when' needs at least one fact, event or silence pattern (a rule of only 'none' has nothing to bind)")
    joined = npos + (1 if any(isinstance(p, Mapping) and "none" in p for p in w) else 0)
    if joined > MAX_JOIN:
        ck.add(path, f"{npos} patterns (+1 for negations) join more than {MAX_JOIN} facts, durable-rules' limit per join; split the rule")
    if len(ck.problems) == before:
        _check_join_width(ck, w, path)
    if len(ck.problems) != before:
        return None
    return out


#: fact types of which an enterprise has exactly one: joining them multiplies nothing
_SINGLETON_TYPES = frozenset({"enterprise"})


def _check_join_width(ck: _Checker, w: list[Any], path: tuple[Any, ...]) -> None:
    """Refuse a rule whose joins cannot be bounded: every fact pattern after the first that no
    equality ``ref`` ties to an earlier pattern multiplies the tuples the engines consider
    (16 such patterns on ``control`` grew past 1.3 GB).  ``enterprise`` facts (one per
    enterprise) and events (one at a time) multiply nothing."""
    unbounded: list[int] = []
    first = True
    for i, p in enumerate(w):
        if not isinstance(p, Mapping) or "fact" not in p:
            continue
        if first:
            first = False
            continue
        if p.get("fact") in _SINGLETON_TYPES:
            continue
        where = p.get("where", [])
        tied = isinstance(where, list) and any(isinstance(c, Mapping) and c.get("op") == "eq" and "ref" in c for c in where)
        if not tied:
            unbounded.append(i)
    limit = get_limits().max_unbounded_joins
    if len(unbounded) > limit:
        shown = ", ".join(f"when[{i}]" for i in unbounded[:6]) + (" …" if len(unbounded) > 6 else "")
        ck.add(path, f"{len(unbounded)} fact patterns ({shown}) join the earlier ones with no equality 'ref', so the tuples a rule "
                     f"considers cannot be bounded (limit max_unbounded_joins={limit}); tie each to an earlier pattern with "
                     "{field: …, op: eq, ref: alias.field}, or split the rule")


def _declared_alias(p: Mapping[str, Any], i: int) -> str | None:
    a = p.get("as", f"_{i}")
    return a if isinstance(a, str) and a else None


def _none(ck: _Checker, n: Any, path: tuple[Any, ...], aliases: dict[str, int], i: int) -> NonePattern | None:
    if not ck.mapping(n, path, "'none'"):
        return None
    ck.keys(n, path, _NONE_KEYS, "a negation (none)")
    ftype = ck.text(n, "fact", path)
    where = _where(ck, n.get("where", []), (*path, "where"), {}, aliases, i, allow_later=True)
    if ftype is None or where is None:
        return None
    return NonePattern(type=ftype, where=tuple(where))


def _where(
    ck: _Checker,
    w: Any,
    path: tuple[Any, ...],
    defined: dict[str, str],
    positive: dict[str, int],
    index: int,
    *,
    allow_later: bool,
    allow_refs: bool = True,
) -> list[Any] | None:
    if not isinstance(w, list):
        ck.add(path, f"'where' must be a list of conditions (got {_show(w)})")
        return None
    out = []
    ok = True
    for j, c in enumerate(w):
        r = _cond(ck, c, (*path, j), defined, positive, index, allow_later, allow_refs)
        if r is None:
            ok = False
        else:
            out.append(r)
    return out if ok else None


def _cond(
    ck: _Checker,
    c: Any,
    path: tuple[Any, ...],
    defined: dict[str, str],
    positive: dict[str, int],
    index: int,
    allow_later: bool,
    allow_refs: bool,
) -> Any:
    if not ck.mapping(c, path, "a condition"):
        return None
    if "any" in c:
        ck.keys(c, path, ("any",), "an 'any' group")
        items = c["any"]
        if not isinstance(items, list) or not items:
            ck.add((*path, "any"), f"'any' must be a non-empty list of conditions (got {_show(items)})")
            return None
        subs = [_cond(ck, x, (*path, "any", k), defined, positive, index, allow_later, allow_refs) for k, x in enumerate(items)]
        if any(s is None for s in subs):
            return None
        return AnyOf(items=tuple(subs))
    before = len(ck.problems)
    ck.keys(c, path, _COND_KEYS, "a condition")
    fpath = _split_path(c.get("field"))
    if "field" not in c:
        ck.add(path, "missing required key 'field'")
    elif fpath is None:
        ck.add((*path, "field"), f"'field' must be a dotted field name such as 'loc.zone' (got {_show(c.get('field'))})")
    op = c.get("op")
    if "op" not in c:
        ck.add(path, f"missing required key 'op' (one of {', '.join(OPS)})")
        return None
    if op not in OPS:
        ck.add((*path, "op"), f"unknown op {op!r}; allowed: {', '.join(OPS)}{suggest(str(op), OPS)}")
        return None
    has_value, has_ref = "value" in c, "ref" in c
    value = c.get("value")
    ref = None
    if has_value and has_ref:
        ck.add(path, "give either 'value' or 'ref', not both")
    if op in ("exists", "missing"):
        if has_value or has_ref:
            ck.add(path, f"op {op!r} takes no 'value' or 'ref'")
    elif has_ref:
        if op not in REF_OPS:
            ck.add((*path, "ref"), f"op {op!r} cannot use 'ref'; joins use one of {', '.join(REF_OPS)}")
        elif not allow_refs:
            ck.add((*path, "ref"), "a 'held_for' event pattern cannot use 'ref' (its stream state depends only on the event)")
        else:
            ref = _ref(ck, c["ref"], (*path, "ref"), defined, positive, index, allow_later)
    elif not has_value:
        ck.add(path, f"op {op!r} needs a 'value' (or 'ref')" if op in REF_OPS else f"op {op!r} needs a 'value'")
    else:
        vp = (*path, "value")
        if op in ("eq", "ne"):
            ck.scalar(value, vp, f"op {op!r} value")
        elif op in ("lt", "le", "gt", "ge"):
            ck.number(value, vp, f"op {op!r} value")
        elif op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                ck.add(vp, f"op {op!r} needs a non-empty list of scalars (got {_show(value)})")
            elif len(value) > get_limits().max_in_list:
                ck.add(vp, f"op {op!r} list of {len(value)} values is over the limit max_in_list={get_limits().max_in_list}; "
                           "use a fact field or a pack-derived flag instead of a long list")
            else:
                for k, v in enumerate(value):
                    ck.scalar(v, (*vp, k), f"op {op!r} item")
        elif op == "between":
            if not isinstance(value, list) or len(value) != 2:
                ck.add(vp, f"op 'between' needs [lo, hi] (got {_show(value)})")
            elif ck.number(value[0], (*vp, 0), "'between' lo") and ck.number(value[1], (*vp, 1), "'between' hi"):
                if value[0] > value[1]:
                    ck.add(vp, f"op 'between' needs lo ≤ hi (got [{value[0]!r}, {value[1]!r}])")
        elif op == "matches":
            if not isinstance(value, str):
                ck.add(vp, f"op 'matches' needs a regular expression string (got {_show(value)})")
            else:
                problem = regex_problem(value)
                if problem is not None:
                    ck.add(vp, problem)
        elif op == "contains":
            if value is None:
                ck.add(vp, "op 'contains' needs a string, number or boolean (got null)")
            else:
                ck.scalar(value, vp, "op 'contains' value")
    if len(ck.problems) != before or fpath is None:
        return None
    return Condition(path=fpath, op=op, value=value if has_value else None, ref=ref)


def _ref(
    ck: _Checker,
    r: Any,
    path: tuple[Any, ...],
    defined: dict[str, str],
    positive: dict[str, int],
    index: int,
    allow_later: bool,
) -> tuple[str, tuple[str, ...]] | None:
    if not isinstance(r, str) or "." not in r:
        ck.add(path, f"'ref' must be '<alias>.<field>' (got {_show(r)})")
        return None
    alias, _, field = r.partition(".")
    fp = _split_path(field)
    if fp is None:
        ck.add(path, f"'ref' must be '<alias>.<field>' (got {r!r})")
        return None
    if allow_later:
        if alias not in positive:
            ck.add(
                path,
                f"ref {r!r} names undefined alias {alias!r}; defined: {', '.join(sorted(positive)) or 'none'}{suggest(alias, positive)}",
            )
            return None
    elif alias not in defined:
        if alias in positive and positive[alias] >= index:
            ck.add(
                path,
                f"ref {r!r} names alias {alias!r}, which is defined later (at when[{positive[alias]}]); a ref can only use earlier patterns",
            )
        else:
            ck.add(
                path, f"ref {r!r} names undefined alias {alias!r}; defined so far: {', '.join(defined) or 'none'}{suggest(alias, defined)}"
            )
        return None
    return (alias, fp)


def _then(ck: _Checker, t: Any, path: tuple[Any, ...], when: Any) -> list[Outcome] | None:
    if not isinstance(t, list) or not t:
        ck.add(path, f"'then' must be a non-empty list of outcomes (got {_show(t)})")
        return None
    aliases = set()
    for i, p in enumerate(when if isinstance(when, list) else ()):
        if isinstance(p, Mapping) and "none" not in p:
            a = _declared_alias(p["silence"] if isinstance(p.get("silence"), Mapping) else p, i)
            if a is not None:
                aliases.add(a)
    before = len(ck.problems)
    out: list[Outcome] = []
    for i, o in enumerate(t):
        op = (*path, i)
        if not isinstance(o, Mapping) or len(o) != 1:
            ck.add(op, f"an outcome is a mapping with one key, one of {', '.join(_OUTCOMES)} (got {_show(o)})")
            continue
        ((kind, val),) = o.items()
        vp = (*op, kind)
        if kind not in _OUTCOMES:
            ck.add(vp, f"unknown outcome {kind!r}; allowed: {', '.join(_OUTCOMES)}{suggest(str(kind), _OUTCOMES)}", key=True)
            continue
        if kind == "grade_hidden_danger":
            if val not in _GRADES:
                ck.add(vp, f"grade must be one of {', '.join(_GRADES)} (got {_show(val)})")
        elif kind == "alarm":
            if ck.mapping(val, vp, "'alarm'"):
                ck.keys(val, vp, ("level", "message"), "an alarm")
                if val.get("level") not in _ALARM_LEVELS:
                    ck.add(
                        (*vp, "level"),
                        f"alarm level must be one of {', '.join(_ALARM_LEVELS)} (got {_show(val.get('level')) if 'level' in val else 'nothing'})",
                    )
                if "message" in val and not isinstance(val["message"], str):
                    ck.add((*vp, "message"), f"alarm message must be a string (got {_show(val['message'])})")
        elif kind == "open_hidden_danger":
            if ck.mapping(val, vp, "'open_hidden_danger'"):
                ck.keys(val, vp, ("on", "grade", "title", "message", "finding"), "open_hidden_danger")
                if "finding" in val and val["finding"] not in ("weakened", "failed", "missing"):
                    ck.add((*vp, "finding"), f"finding must be one of weakened, failed, missing (got {_show(val['finding'])})")
                for text_key in ("title", "message"):
                    if text_key in val and not isinstance(val[text_key], str):
                        ck.add((*vp, text_key), f"{text_key} must be a string (got {_show(val[text_key])})")
                on = val.get("on")
                if on not in aliases:
                    ck.add(
                        (*vp, "on"),
                        f"'on' must name an alias of this rule ({', '.join(sorted(aliases)) or 'none'}) (got {_show(on) if 'on' in val else 'nothing'})",
                    )
                if val.get("grade") not in _GRADES:
                    ck.add(
                        (*vp, "grade"),
                        f"grade must be one of {', '.join(_GRADES)} (got {_show(val.get('grade')) if 'grade' in val else 'nothing'})",
                    )
        elif kind in ("escalate", "flag"):
            if ck.mapping(val, vp, f"{kind!r}"):
                for k, v in val.items():
                    if not isinstance(k, str):
                        ck.add(vp, f"{kind} keys must be strings (got {_show(k)})")
                    else:
                        ck.scalar(v, (*vp, k), f"{kind} {k!r}")
                if kind == "flag" and not (isinstance(val.get("name"), str) and val.get("name")):
                    ck.add((*vp, "name"), "a flag needs a non-empty 'name'")
        out.append(Outcome(kind=kind, value=val))
    return out if len(ck.problems) == before else None
