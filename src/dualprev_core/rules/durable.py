"""The durable-rules engine: the same semantics as the reference engine, computed by the Rete
network of durable_rules 2.0.28 behind guards for every trap of that engine (listed in
docs/rules.md, "How the durable-rules traps are handled").

How a rule becomes durable rules (one *chunk* = one durable ruleset, at most
:data:`CHUNK_RULES` internal rules, so the 257-rules / 512-tests / 64-matches caps are never
reached; every chunk uses the single session ``"0"``, so the 1024-session cap is never reached):

- ``m<i>``: all positive patterns of rule *i*; fires once per tuple of records (the set *P*).
- ``b<i>_<j>``: the positive patterns plus ``none`` pattern *j* as a positive pattern; fires
  once per (tuple, blocker) pair (the sets *B*).  durable's own ``$not`` is never used: it
  fires wrongly in the middle of a rule and, measured here, also when the last rule position
  loses one of two blockers.
- ``p<i>_<j>``: the ``where`` of a ``held_for`` pattern, probing each event.

A tuple satisfies rule *i* when it is in *P* and has no blocker; the host keeps *P*, *B* and
an index by record id, and reports the tuples that start or stop after each step.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from typing import Any

import durable_rules_engine as _dre  # noqa: F401 - ImportError here makes make_engine fall back

from dualprev_core.errors import InvalidInput
from dualprev_core.rules.format import AnyOf, Condition
from dualprev_core.rules.semantics import (
    MISSING,
    CRule,
    EngineBase,
    RKey,
    RuleActionError,
    RuleEngineError,
    Step,
    Tup,
    _walk_conds,
    canon_number,
    get,
    holds,
)

__all__ = ["DurableEngine", "fnv32", "dumps", "CHUNK_RULES", "MAX_PROPERTIES", "SID", "CHUNK_TESTS", "MAX_BRANCHES"]

SID = "0"
#: internal durable rules per durable ruleset (chunk)
CHUNK_RULES = 48
#: leaf tests per record type per chunk (durable hangs at 513 alpha tests under one node)
CHUNK_TESTS = 256
#: user-derived properties per message (durable's cap is 252 with sid and id)
MAX_PROPERTIES = 240
_OPEN_ID = "~open"
#: alternatives one pattern may expand to (durable allows 64 alpha matches per message)
MAX_BRANCHES = 32
_DOP = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
#: A durable-rules match: the message ids (``~i``) of its patterns, in alias order (RKeys via ``_rk_of``).
_MTup = tuple[str, ...]
_NO_RKEY: RKey = ("", "")  # no record: a message id not (or no longer) stored


# --------------------------------------------------------------------------- helpers
def _split_host(where: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Split a pattern's conditions into those sent to durable-rules and those the host checks:
    any condition (or ``any`` group) holding a ``ref`` with an operator other than ``eq``."""
    durable: list[Any] = []
    host: list[Any] = []
    for c in where:
        (host if any(x.ref is not None and x.op != "eq" for x in _walk_conds([c])) else durable).append(c)
    return tuple(durable), tuple(host)


def fnv32(s: str) -> int:
    """durable-rules' 32-bit identity hash (``fnv1Hash32`` in state.c; C char is signed)."""
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        if b >= 128:
            b -= 256
        h ^= b & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def _num(x: float) -> str:
    if not math.isfinite(x):
        raise InvalidInput(f"non-finite number {x!r} cannot be sent to durable-rules")
    r = repr(x)
    if "e" in r:
        mant, exp = r.split("e")
        if "." not in mant:
            r = f"{mant}.0e{exp}"
    return r


def dumps(obj: Any) -> str:
    """JSON text the durable-rules C parser accepts: ``1e-05`` is written ``1.0e-05``."""
    if obj is None or isinstance(obj, bool):
        return json.dumps(obj)
    if isinstance(obj, float):
        return _num(obj)
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, Mapping):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + dumps(v) for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in obj) + "]"
    raise InvalidInput(f"cannot encode {type(obj).__name__} for durable-rules")


_ESC: dict[str, str] = {}


def _esc(seg: str) -> str:
    e = _ESC.get(seg)
    if e is None:
        e = seg.replace("%", "%25").replace("|", "%7C").replace(".", "%2E").replace("$", "%24").replace("~", "%7E")
        if len(_ESC) < 100_000:
            _ESC[seg] = e
    return e


def _key(path: tuple[str, ...]) -> str:
    return "|".join(_esc(p) for p in path)


def _tag(v: Any) -> str:
    if v is None:
        return "z:"
    if v is True:
        return "b:1"
    if v is False:
        return "b:0"
    if isinstance(v, (int, float)):
        return "n:" + canon_number(v)
    return "s:" + v


_jstr = json.encoder.encode_basestring  # a JSON string literal, as json.dumps(..., ensure_ascii=False)
_frepr = float.__repr__
_decode = json.JSONDecoder().raw_decode


def _loads(text: str) -> Any:
    """``json.loads`` for the C core's compact payloads, without its whitespace scans."""
    obj, end = _decode(text)
    if end != len(text):
        return json.loads(text)  # raises the usual "Extra data" error (or tolerates spaces)
    return obj


_NO_ENV: Mapping[str, Mapping[str, Any]] = {}
#: per record type: head fragment, top-level field name -> (t~, n~, p~ fragments), ref targets, features
_Plan = tuple[str, dict[str, tuple[str, str, str]], tuple[tuple[Any, ...], ...], tuple[tuple[str, Any], ...]]


def _risky(v: float) -> bool:
    # Python prints these with an exponent; some of those ('1e-05') lack the '.' the C parser needs
    return v != 0 and (abs(v) < 1e-4 or abs(v) >= 1e16)


class _Chunk:
    __slots__ = ("handle", "name", "discs", "rules")

    def __init__(self, name: str, handle: Any, discs: set[str], rules: list[CRule]) -> None:
        self.name, self.handle, self.discs, self.rules = name, handle, discs, rules


# --------------------------------------------------------------------------- engine
class DurableEngine(EngineBase):
    """Rules run on durable-rules' C Rete core, on a private, thread-free host.

    :param clock: initial event time, or a callable/``Clock`` read by :meth:`tick`.
    """

    kind = "durable"
    _index_by_disc = False  # durable finds tuples itself; records are looked up by id only

    def __init__(self, *, clock: Any = None) -> None:
        super().__init__(clock=clock)
        self._chunks: list[_Chunk] = []
        self._routes: dict[str, list[_Chunk]] = {}
        self._ids: dict[RKey, str] = {}
        self._rk_of: dict[str, RKey] = {}
        self._stored: dict[str, tuple[_Chunk, ...]] = {}
        self._used: dict[str, set[str]] = {}
        self._used_top: dict[str, set[str]] = {}
        self._enc_plans: dict[str, _Plan] = {}
        self._hash_of: dict[str, int] = {}
        self._hashes: set[int] = {fnv32("sid-" + SID), fnv32(_OPEN_ID)}
        self._counter = 0
        self._fnv_pre: tuple[str, int] = ("", 0x811C9DC5)
        #: interned tuples of chunks, so storing a message allocates no container per id
        self._combos: dict[tuple[_Chunk, ...], tuple[_Chunk, ...]] = {}
        self._names: dict[str, tuple[Any, ...]] = {}
        self._aliases: dict[int, tuple[str, ...]] = {}
        self._P: dict[int, set[_MTup]] = {}
        self._B: dict[int, dict[_MTup, set[str]]] = {}
        self._active: dict[int, set[_MTup]] = {}
        #: id -> the (rule, tuple) entries it is part of: one entry as such, several as a set
        #: (one set per stored fact would be a GC-tracked container per fact)
        self._idx: dict[str, tuple[int, _MTup] | set[tuple[int, _MTup]]] = {}
        self._fires: list[tuple[Any, ...]] = []
        #: rule index -> (positive aliases, {alias: host conditions}, {none index: host conditions})
        self._host_checks: dict[int, tuple[tuple[str, ...], dict[str, tuple[Any, ...]], dict[int, tuple[Any, ...]]]] = {}
        self._features: dict[str, list[tuple[str, Condition | AnyOf]]] = {}
        self._feature_ids: dict[tuple[str, str], str] = {}
        self._ref_targets: dict[str, dict[tuple[str, ...], str]] = {}
        self._action_error: tuple[str, BaseException] | None = None
        self._touched: dict[tuple[int, _MTup], bool] = {}
        self.false_duplicates = 0

    # ------------------------------------------------------------------ identity
    def _alloc(self, rk: RKey) -> str:
        """Our own id: a counter, skipped while its 32-bit hash is held by a live message."""
        hashes = self._hashes
        while True:
            self._counter += 1
            s = format(self._counter, "x")
            # fnv32(s), from the cached state of s[:-1] (ids are ASCII hex: no signed bytes)
            pre = s[:-1]
            if pre != self._fnv_pre[0]:
                self._fnv_pre = (pre, fnv32(pre) if pre else 0x811C9DC5)
            h = ((self._fnv_pre[1] ^ ord(s[-1])) * 16777619) & 0xFFFFFFFF
            if h not in hashes:
                break
        hashes.add(h)
        self._ids[rk] = s
        self._rk_of[s] = rk
        self._hash_of[s] = h
        return s

    def _free(self, rk: RKey) -> None:
        s = self._ids.pop(rk, None)
        if s is not None:
            del self._rk_of[s]
            self._hashes.discard(self._hash_of.pop(s))

    # ------------------------------------------------------------------ compiling
    def _feature(self, disc: str, c: Condition | AnyOf) -> str:
        """A literal test evaluated on the host once per record, sent as ``x~N: 1``."""
        k = (disc, repr(c))
        fid = self._feature_ids.get(k)
        if fid is None:
            fid = self._feature_ids[k] = "x~" + str(len(self._feature_ids))
            self._features.setdefault(disc, []).append((fid, c))
        return fid

    def _use(self, disc: str, path: tuple[str, ...]) -> str:
        """Note that rules read ``path`` of ``disc`` records; only such fields are sent."""
        self._used_top.setdefault(disc, set()).add(path[0])
        keys = self._used.setdefault(disc, set())
        for i in range(1, len(path) + 1):
            keys.add(_key(path[:i]))
        return _key(path)

    def _target(self, disc: str, path: tuple[str, ...]) -> str:
        t = self._ref_targets.setdefault(disc, {})
        if path not in t:
            t[path] = _key(path)
        return t[path]

    def _dnf(self, c: Any, disc: str, amap: Mapping[str, str], adisc: Mapping[str, str]) -> list[list[tuple[bool, dict[str, Any]]]]:
        """A condition as alternatives of flat test lists; each test is (is_join, expression).

        durable-rules mishandles ``$or`` next to joins (measured in tests/rules/test_traps.py:
        joins after an ``$or`` are ignored, and the alternatives of an ``$or`` share the joins
        of the first one), so no ``$or`` is ever sent: literal-only ``any`` groups, ``in``,
        ``matches`` and ``contains`` are evaluated once per record on the host (a boolean
        field), and ``any`` groups with joins become separate durable rules.
        """
        if isinstance(c, AnyOf):
            if not _has_ref(c):
                return [[(False, {self._feature(disc, c): 1})]]
            out: list[list[tuple[bool, dict[str, Any]]]] = []
            for x in c.items:
                out += self._dnf(x, disc, amap, adisc)
            return out
        op = c.op
        if op in ("matches", "contains", "in"):
            return [[(False, {self._feature(disc, c): 1})]]
        K = self._use(disc, c.path)
        t, n, p = "t~" + K, "n~" + K, "p~" + K
        if op == "exists":
            return [[(False, {"$ex": {t: 1}})]]
        if op == "missing":
            return [[(False, {"$nex": {t: 1}})]]
        if c.ref is not None:
            alias, rpath = c.ref
            a = amap[alias]
            G = self._target(adisc[alias], rpath)
            # the explicit alpha tests: a join on a field the message lacks can count as true
            # (measured), and the own value must be a scalar (p~K marks lists and objects)
            if op in ("eq", "ne"):
                cmp: dict[str, Any] = {t: {a: "r~" + G}} if op == "eq" else {"$neq": {t: {a: "r~" + G}}}
                return [[(True, {"~one": {a: "rh~" + G}}), (True, cmp), (False, {"$ex": {t: 1}}), (False, {"$nex": {p: 1}})]]
            return [[(True, {"~one": {a: "rg~" + G}}), (True, {_DOP[op]: {n: {a: "rn~" + G}}}), (False, {"$ex": {n: 1}})]]
        v = c.value
        if op == "eq":
            return [[(False, {t: _tag(v)})]]
        if op == "ne":
            return [[(False, {"$neq": {t: _tag(v)}})]]
        if op in _DOP:
            return [[(False, {_DOP[op]: {n: v}})]]
        if op == "not_in":
            return [[(False, {"$neq": {t: tg}}) for tg in dict.fromkeys(_tag(x) for x in v)]]
        if op == "between":
            return [[(False, {"$gte": {n: v[0]}}), (False, {"$lte": {n: v[1]}})]]
        raise RuleEngineError(f"op {op!r} has no durable-rules translation")

    def _pattern(self, disc: str, where: Any, amap: Mapping[str, str], adisc: Mapping[str, str], rule: str) -> list[dict[str, Any]]:
        """The alternatives of one pattern, each a flat ``$and`` (joins first)."""
        # every alternative starts with the record discriminator: no condition can match the
        # state fact durable re-asserts after actions (the endless-loop trap), no `$nex` alone
        branches: list[list[tuple[bool, dict[str, Any]]]] = [[]]
        for c in where:
            alts = self._dnf(c, disc, amap, adisc)
            branches = [b + a for b in branches for a in alts]
            if len(branches) > MAX_BRANCHES:
                raise RuleEngineError(
                    f"rule {rule!r}: 'any' groups with refs expand to more than {MAX_BRANCHES} alternatives; simplify it for durable-rules"
                )
        out = []
        for b in branches:
            tests = [{"~t": disc}] + [e for j, e in b if j] + [e for j, e in b if not j]
            out.append({"$and": tests} if len(tests) > 1 else tests[0])
        return out

    def _compile(self, cr: CRule) -> tuple[dict[str, Any], set[str], dict[str, int]]:
        self._enc_plans.clear()  # the fields sent per record type change with the rules
        amap = {p.alias: f"a{k}" for k, p in enumerate(cr.positives)}
        adisc = {p.alias: p.disc for p in cr.positives}
        self._aliases[cr.index] = tuple(amap[p.alias] for p in cr.positives)
        # Joins other than equality are evaluated on the host (see _host_ok): durable-rules scans
        # its frames for them and reads freed frames (segfault in isBetaMatch, measured).
        pos_where: dict[str, tuple[Any, ...]] = {}
        host_pos: dict[str, tuple[Any, ...]] = {}
        for p in cr.positives:
            pos_where[p.alias], h = _split_host(p.where)
            if h:
                host_pos[p.alias] = h
        nones: list[tuple[str, tuple[Any, ...]]] = []
        host_none: dict[int, tuple[Any, ...]] = {}
        for j, (disc, where) in enumerate(cr.nones):
            sent, h = _split_host(where)
            nones.append((disc, sent))
            if h:
                host_none[j] = h
        if host_pos or host_none:
            self._host_checks[cr.index] = (tuple(p.alias for p in cr.positives), host_pos, host_none)
        alts = [[{amap[p.alias]: e} for e in self._pattern(p.disc, pos_where[p.alias], amap, adisc, cr.name)] for p in cr.positives]
        combos = [list(c) for c in itertools.product(*alts)]
        rules: dict[str, Any] = {}
        for k, combo in enumerate(combos):
            name = f"m{cr.index}_{k}"
            rules[name] = {"all": combo}
            self._names[name] = ("m", cr.index)
        for j, (disc, where) in enumerate(nones):
            for k, b in enumerate(e for combo in combos for e in ((combo, x) for x in self._pattern(disc, where, amap, adisc, cr.name))):
                name = f"b{cr.index}_{j}_{k}"
                rules[name] = {"all": b[0] + [{"b": b[1]}]}
                self._names[name] = ("b", cr.index, j)
        discs = set(cr.discs)
        if cr.held is not None:
            j, ep = cr.held
            edisc = "e:" + ep.type
            for k, e in enumerate(self._pattern(edisc, ep.where, {}, {}, cr.name)):
                name = f"p{cr.index}_{j}_{k}"
                rules[name] = {"all": [{"e": e}]}
                self._names[name] = ("p", cr.index, j)
            discs.add(edisc)
        if len(rules) > MAX_BRANCHES:
            raise RuleEngineError(
                f"rule {cr.name!r} needs {len(rules)} durable rules (alternatives × negations) > {MAX_BRANCHES}; simplify its 'any' groups with refs"
            )
        weights = _weights(rules)
        for d, w in weights.items():
            if w > CHUNK_TESTS:
                raise RuleEngineError(
                    f"rule {cr.name!r}: {w} tests on {d[2:]!r} exceed {CHUNK_TESTS}, above which durable-rules can hang; split the rule"
                )
        self._P[cr.index] = set()
        self._B[cr.index] = {}
        self._active[cr.index] = set()
        return rules, discs, weights

    def _b_load(self, new: list[CRule]) -> Step:
        groups: list[tuple[dict[str, Any], set[str], dict[str, int], list[CRule]]] = []
        for cr in new:
            rules, discs, weights = self._compile(cr)
            if groups:
                g = groups[-1]
                if len(g[0]) + len(rules) <= CHUNK_RULES and all(g[2].get(d, 0) + w <= CHUNK_TESTS for d, w in weights.items()):
                    g[0].update(rules)
                    g[1].update(discs)
                    for d, w in weights.items():
                        g[2][d] = g[2].get(d, 0) + w
                    g[3].append(cr)
                    continue
            groups.append((rules, discs, dict(weights), [cr]))
        touched = self._touched = {}
        for rules, discs, _w, crs in groups:
            chunk = self._create_chunk(rules, discs, crs)
            for (disc, rkey), rec in list(self._records.items()):
                if disc in discs:
                    mid = self._ids[(disc, rkey)]
                    if self._send(chunk, _dre.assert_fact, self._encode(disc, rec, mid)):
                        self._stored[mid] = self._intern((*self._stored.get(mid, ()), chunk))
        return self._settle(touched)

    def _create_chunk(self, rules: dict[str, Any], discs: set[str], crs: list[CRule]) -> _Chunk:
        rules = dict(rules)
        rules["~open"] = {"all": [{"m": {"~t": "~open"}}]}
        self._names["~open"] = ("o",)
        name = f"c{len(self._chunks)}"
        try:
            handle = _dre.create_ruleset(name, dumps(rules))
        except Exception as exc:  # durable_rules_engine.error carries only a numeric code
            raise RuleEngineError(f"durable-rules refused rules {[c.name for c in crs]}: {exc}") from None
        chunk = _Chunk(name, handle, discs, crs)
        self._chunks.append(chunk)
        for d in discs:
            self._routes.setdefault(d, []).append(chunk)
        # an action must run in a session before delete_state may free it (segfault otherwise)
        self._send(chunk, _dre.assert_event, dumps({"sid": SID, "id": _OPEN_ID, "~t": "~open"}))
        return chunk

    # ------------------------------------------------------------------ encoding
    def _enc_plan(self, disc: str) -> _Plan:
        """Pre-serialised JSON fragments for encoding ``disc`` records (see :meth:`_encode`)."""
        top = {}
        for name in self._used_top.get(disc, ()):
            K = _esc(name)
            top[name] = (f",{_jstr('t~' + K)}:", f",{_jstr('n~' + K)}:", f",{_jstr('p~' + K)}:1")
        refs = []
        for path, G in self._ref_targets.get(disc, {}).items():
            r, rh, rn, rg = (_jstr(x + G) for x in ("r~", "rh~", "rn~", "rg~"))
            refs.append(
                (
                    path[0] if len(path) == 1 else None,
                    path,
                    f",{r}:",
                    f",{rh}:1,{rn}:",
                    f",{rg}:1",
                    f",{rh}:1,{rn}:0,{rg}:0",
                    f',{r}:"m:",{rh}:0,{rn}:0,{rg}:0',
                )
            )
        feats = tuple((f",{_jstr(fid)}:1", c) for fid, c in self._features.get(disc, ()))
        return '","~t":' + _jstr(disc) + ',"~one":1', top, tuple(refs), feats

    def _encode(self, disc: str, fields: Mapping[str, Any], mid: str) -> str:
        """The durable message of a record: the text :meth:`_encode_dict` gives, written
        directly from pre-serialised fragments for flat scalar records (the hot path)."""
        plan = self._enc_plans.get(disc)
        if plan is None:
            plan = self._enc_plans[disc] = self._enc_plan(disc)
        head, top, refs, feats = plan
        parts = ['{"sid":"0","id":"', mid, '","~i":"', mid, head]
        add = parts.append
        n = 0
        for k, v in fields.items():
            f = top.get(k)
            if f is None:  # no rule reads it: durable never sees it
                continue
            t = type(v)
            if t is str:
                add(f[0])
                add(_jstr("s:" + v))
                n += 1
            elif t is float:
                r = _frepr(v)
                if "e" in r or "n" in r:  # exponent (1e-05 needs '1.0e-05'), nan, inf: slow path
                    return self._encode_dict(disc, fields, mid)
                add(f[0])
                add('"n:' + (str(int(v)) if v.is_integer() else r) + '"')
                add(f[1])
                add(r)
                n += 2
            elif t is bool:
                add(f[0])
                add('"b:1"' if v else '"b:0"')
                n += 1
            elif t is int:
                r = str(v)
                add(f[0])
                add('"n:' + r + '"')
                add(f[1])
                add(r)
                n += 2
            elif v is None:
                add(f[0])
                add('"z:"')
                n += 1
            elif t is list:
                add(f[0])
                add('"l:"')
                add(f[2])
                n += 2
            else:  # nested objects, subclasses: the general encoder
                return self._encode_dict(disc, fields, mid)
        for first, path, r_pre, num_mid, num_end, other_tail, missing in refs:
            v = fields.get(first, MISSING) if first is not None else get(fields, path)
            t = type(v)
            if t is str:
                add(r_pre)
                add(_jstr("s:" + v))
                add(other_tail)
            elif t is int or t is float:
                r = str(v) if t is int else _frepr(v)
                if "e" in r or "n" in r:
                    return self._encode_dict(disc, fields, mid)
                add(r_pre)
                add('"n:' + (str(int(v)) if t is float and v.is_integer() else r) + '"')
                add(num_mid)
                add(r)
                add(num_end)
            elif t is bool:
                add(r_pre)
                add('"b:1"' if v else '"b:0"')
                add(other_tail)
            elif v is None:
                add(r_pre)
                add('"z:"')
                add(other_tail)
            elif v is MISSING or t is list or t is dict:
                add(missing)
            else:
                return self._encode_dict(disc, fields, mid)
            n += 4
        for frag, c in feats:
            if holds(c, fields, _NO_ENV):
                add(frag)
                n += 1
        if n > MAX_PROPERTIES:
            return self._encode_dict(disc, fields, mid)  # raises InvalidInput
        add("}")
        return "".join(parts)

    def _encode_dict(self, disc: str, fields: Mapping[str, Any], mid: str) -> str:
        """The general encoder: the message as a dict, then JSON (nested fields, any value)."""
        msg: dict[str, Any] = {"sid": SID, "id": mid, "~i": mid, "~t": disc, "~one": 1}
        used = self._used.get(disc)
        slow = self._flat(msg, fields, "", used) if used else False
        for path, G in self._ref_targets.get(disc, {}).items():
            v = get(fields, path)
            k = "n" if isinstance(v, (int, float)) and not isinstance(v, bool) else None
            if v is MISSING or isinstance(v, (list, dict)):
                msg["r~" + G], msg["rh~" + G], msg["rn~" + G], msg["rg~" + G] = "m:", 0, 0, 0
            else:
                msg["r~" + G], msg["rh~" + G] = _tag(v), 1
                msg["rn~" + G], msg["rg~" + G] = (v, 1) if k else (0, 0)
                if k and isinstance(v, float) and _risky(v):
                    slow = True
        for fid, c in self._features.get(disc, ()):
            if holds(c, fields, {}):
                msg[fid] = 1
        if len(msg) > MAX_PROPERTIES + 5:
            raise InvalidInput(
                f"{fields.get('type')}:{fields.get('key')}: {len(msg) - 5} properties after encoding; durable-rules holds at most {MAX_PROPERTIES} per message (count nested fields)"
            )
        return dumps(msg) if slow else json.dumps(msg, ensure_ascii=False)

    def _flat(self, msg: dict[str, Any], d: Mapping[str, Any], prefix: str, used: set[str]) -> bool:
        slow = False
        for k, v in d.items():
            K = prefix + _esc(k)
            if K not in used:  # no rule reads it: durable never sees it
                continue
            if v is None:
                msg["t~" + K] = "z:"
            elif v is True:
                msg["t~" + K] = "b:1"
            elif v is False:
                msg["t~" + K] = "b:0"
            elif isinstance(v, str):
                msg["t~" + K] = "s:" + v
            elif isinstance(v, int):
                msg["t~" + K] = "n:" + str(v)
                msg["n~" + K] = v
            elif isinstance(v, float):
                msg["t~" + K] = "n:" + canon_number(v)
                msg["n~" + K] = v
                if _risky(v):
                    slow = True
            elif isinstance(v, dict):
                msg["t~" + K] = "o:"  # present, equal to no literal; p~ marks "not a scalar"
                msg["p~" + K] = 1
                slow = self._flat(msg, v, K + "|", used) or slow
            else:
                msg["t~" + K] = "l:"
                msg["p~" + K] = 1
        return slow

    # ------------------------------------------------------------------ calls
    def _send(self, chunk: _Chunk, fn: Any, text: str, *, retract: bool = False) -> bool:
        """Send one message; run the actions it triggers; True if durable stored/handled it."""
        try:
            res = fn(chunk.handle, text)
        except MemoryError:
            raise RuleEngineError(f"durable-rules ran out of sessions or memory in {chunk.name}") from None
        except Exception as exc:
            raise RuleEngineError(f"durable-rules failed in {chunk.name} on {text[:200]}: {exc}") from None
        code = res[0]
        if code == 1:  # no rule's first test matched: not stored, nothing fires
            return False
        if code == 2:
            if retract:
                return False
            self.false_duplicates += 1
            raise RuleEngineError(f"durable-rules rejected a message as already observed (identity collision): {text[:200]}")
        if code == 3:
            return True
        self._run_actions(chunk, res[1])
        if self._action_error is not None:
            name, action_exc = self._action_error
            self._action_error = None
            raise RuleActionError(name, action_exc) from action_exc
        return True

    def _run_actions(self, chunk: _Chunk, state: Any) -> None:
        r = _dre.start_action_for_state(chunk.handle, state)
        if not r:
            return
        payload = r[1]
        while True:
            try:
                self._record(_loads(payload))
            except Exception as exc:  # never let durable swallow it into the session state
                if self._action_error is None:
                    self._action_error = (self._rule_of(payload), exc)
            nxt = _dre.complete_and_start_action(chunk.handle, state)
            if not nxt:
                return
            payload = nxt

    def _rule_of(self, payload: str) -> str:
        try:
            name = next(iter(json.loads(payload)))
            info = self._names.get(name, ("?",))
            return self._rules[info[1]].name if len(info) > 1 else name
        except Exception:
            return "?"

    def _record(self, payload: Mapping[str, Any]) -> None:
        for name, b in payload.items():
            info = self._names[name]
            k = info[0]
            if k == "m":
                ri = info[1]
                T = tuple([b[a]["~i"] for a in self._aliases[ri]])
                if ri not in self._host_checks or self._host_ok(ri, T, None, None):
                    self._fires.append(("m", ri, T))
            elif k == "b":
                ri = info[1]
                T = tuple([b[a]["~i"] for a in self._aliases[ri]])
                blocker = b["b"]["~i"]
                if ri not in self._host_checks or self._host_ok(ri, T, info[2], blocker):
                    self._fires.append(("b", ri, T, blocker))
            elif k == "p":
                self._probes.add((info[1], info[2]))

    def _host_ok(self, ri: int, T: _MTup, none_index: int | None, blocker: str | None) -> bool:
        """The host-evaluated conditions of rule ``ri`` (non-equality joins) on tuple ``T``:
        the positive patterns' own, or, for a blocker of ``none`` pattern ``none_index``, that
        pattern's.  Uses the shared definition :func:`holds`, as the reference engine does.
        """
        aliases, host_pos, host_none = self._host_checks[ri]
        records, rk_of = self._records, self._rk_of
        env = {alias: records.get(rk_of.get(mid, _NO_RKEY), {}) for alias, mid in zip(aliases, T, strict=True)}
        if none_index is None:
            return all(holds(c, env[alias], env) for alias, conds in host_pos.items() for c in conds)
        conds = host_none.get(none_index, ())
        fields = records.get(rk_of.get(blocker or "", _NO_RKEY), {})
        return all(holds(c, fields, env) for c in conds)

    # ------------------------------------------------------------------ bookkeeping
    def _intern(self, chunks: tuple[_Chunk, ...]) -> tuple[_Chunk, ...]:
        return self._combos.setdefault(chunks, chunks)

    def _touch(self, ri: int, T: _MTup) -> None:
        if (ri, T) not in self._touched:
            self._touched[(ri, T)] = T in self._active[ri]

    def _ix_discard(self, x: str, entry: tuple[int, _MTup]) -> None:
        idx = self._idx
        s = idx.get(x)
        if s is None:
            return
        if type(s) is set:
            s.discard(entry)
        elif s == entry:
            del idx[x]

    def _host_retract(self, mid: str) -> None:
        entries = self._idx.pop(mid, None)
        if entries is None:
            return
        for ri, T in (entries,) if isinstance(entries, tuple) else entries:
            self._touch(ri, T)
            if mid in T:
                self._P[ri].discard(T)
                bl = self._B[ri].pop(T, None)
                for x in T:
                    if x != mid:
                        self._ix_discard(x, (ri, T))
                for x in bl or ():
                    self._ix_discard(x, (ri, T))
            else:
                bl = self._B[ri].get(T)
                if bl is not None:
                    bl.discard(mid)
                    if not bl:
                        del self._B[ri][T]

    def _settle(self, touched: dict[tuple[int, _MTup], bool]) -> Step:
        idx, P, B, active = self._idx, self._P, self._B, self._active
        for f in self._fires:
            ri, T = f[1], f[2]
            entry = (ri, T)
            if entry not in touched:
                touched[entry] = T in active[ri]
            if f[0] == "m":
                P[ri].add(T)
                members: tuple[str, ...] = T
            else:
                B[ri].setdefault(T, set()).add(f[3])
                members = (*T, f[3])
            for x in members:
                s = idx.get(x)
                if s is None:
                    idx[x] = entry
                elif isinstance(s, set):
                    s.add(entry)
                elif s != entry:
                    idx[x] = {s, entry}
        self._fires.clear()
        started: list[tuple[int, Tup]] = []
        stopped: list[tuple[int, Tup]] = []
        rk_of = self._rk_of
        for (ri, T), was in touched.items():
            now = T in P[ri] and not B[ri].get(T)
            if now and not was:
                active[ri].add(T)
                started.append((ri, tuple([rk_of[x] for x in T])))
            elif was and not now:
                active[ri].discard(T)
                stopped.append((ri, tuple([rk_of[x] for x in T])))
        touched.clear()
        return started, stopped

    # ------------------------------------------------------------------ backend hooks
    def _b_put(self, disc: str, rkey: str, fields: dict[str, Any], *, update: bool) -> Step:
        rk = (disc, rkey)
        touched = self._touched  # emptied by _settle; a failed step may leave entries behind
        if touched:
            touched = self._touched = {}
        if update:
            mid = self._ids[rk]
            self._retract(mid)
        else:
            mid = self._alloc(rk)
        chunks = self._routes.get(disc)
        if chunks:
            text = self._encode(disc, fields, mid)
            if len(chunks) == 1:  # the common case: no list, an interned 1-tuple
                if self._send(chunks[0], _dre.assert_fact, text):
                    self._stored[mid] = self._intern((chunks[0],))
            else:
                stored = [ch for ch in chunks if self._send(ch, _dre.assert_fact, text)]
                if stored:
                    self._stored[mid] = self._intern(tuple(stored))
        if not touched and not self._fires:
            return [], []
        return self._settle(touched)

    def _retract(self, mid: str) -> None:
        stored = self._stored.pop(mid, None)
        if stored:  # a message no alpha test accepted was never stored: nothing to retract
            text = '{"sid":"0","id":"' + mid + '"}'  # ids are ours: hex digits, nothing to escape
            for ch in stored:
                self._send(ch, _dre.retract_fact, text, retract=True)
        if mid in self._idx:
            self._host_retract(mid)

    def _b_remove(self, disc: str, rkey: str) -> Step:
        rk = (disc, rkey)
        touched = self._touched
        if touched:
            touched = self._touched = {}
        mid = self._ids.get(rk)
        if mid is None:
            return [], []
        self._retract(mid)
        step = self._settle(touched) if touched or self._fires else ([], [])
        self._free(rk)
        return step

    def _b_close(self) -> None:
        errors = []
        for ch in self._chunks:
            try:
                _dre.delete_state(ch.handle, SID)  # frees the facts; delete_ruleset alone leaks them
                _dre.delete_ruleset(ch.handle)
            except Exception as exc:  # keep freeing the others
                errors.append(f"{ch.name}: {exc}")
        self._chunks.clear()
        self._routes.clear()
        self._stored.clear()
        self._combos.clear()
        self._idx.clear()
        self._P.clear()
        self._B.clear()
        if errors:
            raise RuleEngineError("durable-rules teardown failed: " + "; ".join(errors))

    def stats(self) -> dict[str, int]:
        """Counts for diagnostics: chunks, live ids, index entries, false duplicates seen."""
        return {
            "chunks": len(self._chunks),
            "live_ids": len(self._ids),
            "index_entries": sum(len(s) if type(s) is set else 1 for s in self._idx.values()),
            "false_duplicates": self.false_duplicates,
        }


def _has_ref(c: Any) -> bool:
    if isinstance(c, AnyOf):
        return any(_has_ref(x) for x in c.items)
    return c.ref is not None


def _weights(rules: Mapping[str, Any]) -> dict[str, int]:
    """Alpha tests per record discriminator (an upper bound: durable shares equal tests)."""
    out: dict[str, int] = {}
    for r in rules.values():
        for cond in r["all"]:
            ((_, e),) = cond.items()
            tests = e["$and"] if "$and" in e else [e]
            disc = tests[0]["~t"]
            out[disc] = out.get(disc, 0) + len(tests)
    return out
