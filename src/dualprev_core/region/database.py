"""The regional database: ingested submissions, their records by UUID, regions, placements, visits.

Its own schema (``region_*`` tables), in a SQLite file or a PostgreSQL database named by URL
(``sqlite:///path.db``, a plain path, or ``postgresql://…``), through the store's connection
handling (:mod:`dualprev_core.store`): same URLs, same durability, same error messages.

Ingesting a submission (:meth:`RegionDB.ingest`) is one transaction:

* it is validated first (:func:`dualprev_core.exchange.validate.submission_problems`); a rejected
  submission changes nothing and the result lists every reason;
* the same submission again (same ``content_hash``) changes nothing (``unchanged``);
* an enterprise is its 统一社会信用代码: a known enterprise code (COMPANY_CODE) arriving under another
  credit code is refused, as is a submission older than the one held (by ``generated_at``), or one
  that claims the held submission's head hash with different content;
* otherwise it supersedes the held one: records are upserted by UUID and records the new one no
  longer has are marked deleted (``DELETE_MARK`` 1), as the national model's pushes do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import attrs

from dualprev_core.errors import DualprevError, Problem
from dualprev_core.exchange.fields import COLLECTIONS
from dualprev_core.region.tree import Region, RegionTree

__all__ = ["RegionDB", "IngestResult", "RegionDBError", "open_region_db", "SCHEMA_VERSION"]

SCHEMA_VERSION: Final = 1
_DDL: Final = (
    "CREATE TABLE IF NOT EXISTS region_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS region_regions (id TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, parent TEXT, boundary TEXT)",
    "CREATE TABLE IF NOT EXISTS region_placements (credit_code TEXT PRIMARY KEY, region TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS region_enterprises (
        credit_code TEXT PRIMARY KEY, company_code TEXT NOT NULL, name TEXT NOT NULL, industry TEXT, region_text TEXT,
        content_hash TEXT NOT NULL, head_hash TEXT NOT NULL, generated_at TEXT NOT NULL, ingested_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS region_submissions (
        content_hash TEXT PRIMARY KEY, credit_code TEXT NOT NULL, head_hash TEXT NOT NULL, generated_at TEXT NOT NULL,
        ingested_at TEXT NOT NULL, superseded_by TEXT, body TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS region_submissions_cc ON region_submissions (credit_code)",
    """CREATE TABLE IF NOT EXISTS region_records (
        id TEXT PRIMARY KEY, credit_code TEXT NOT NULL, entity TEXT NOT NULL, deleted INTEGER NOT NULL, content_hash TEXT NOT NULL, body TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS region_records_cc ON region_records (credit_code, entity)",
    "CREATE TABLE IF NOT EXISTS region_visits (credit_code TEXT NOT NULL, at TEXT NOT NULL, by_whom TEXT NOT NULL, note TEXT NOT NULL)",
)


class RegionDBError(DualprevError, RuntimeError):
    """The regional database cannot be opened or used (the message names the URL and why)."""


@attrs.frozen
class IngestResult:
    """What ingesting one submission did: ``ingested``, ``superseded``, ``unchanged`` or ``rejected``, and why."""

    source: str
    outcome: str
    credit_code: str | None = None
    name: str | None = None
    content_hash: str | None = None
    problems: tuple[Problem, ...] = ()
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "outcome": self.outcome, "credit_code": self.credit_code, "name": self.name,
                "content_hash": self.content_hash, "message": self.message,
                "problems": [{"path": p.path, "message": p.message} for p in self.problems]}


def _connect(url: str) -> Any:
    """The store's connection handling (SQLite WAL with synchronous=FULL, or PostgreSQL through psycopg 3)."""
    from dualprev_core.store._backends import connect

    return connect(url, create=True)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _ts(value: str) -> datetime:
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


class RegionDB:
    """An open regional database (one connection; not thread-safe)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._b = _connect(url)
        with self._b.write():
            self._b.lock_schema()
            for ddl in _DDL:
                self._b.execute(ddl)
            row = self._b.execute("SELECT value FROM region_meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                self._b.execute("INSERT INTO region_meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise RegionDBError(f"{url}: regional database schema {row[0]} is newer than this dualprev ({SCHEMA_VERSION})")

    def close(self) -> None:
        self._b.close()

    def __enter__(self) -> RegionDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ regions
    def load_regions(self, tree: RegionTree) -> None:
        """Replace the region tree and the region file's placements."""
        with self._b.write():
            self._b.lock_schema()
            self._b.execute("DELETE FROM region_regions")
            self._b.execute("DELETE FROM region_placements")
            self._b.executemany("INSERT INTO region_regions (id, name, level, parent, boundary) VALUES (?, ?, ?, ?, ?)",
                                [(r.id, r.name, r.level, r.parent, json.dumps(r.boundary) if r.boundary else None) for r in tree])
            self._b.executemany("INSERT INTO region_placements (credit_code, region) VALUES (?, ?)", list(tree.placements.items()))

    def region_tree(self) -> RegionTree:
        rows = self._b.execute("SELECT id, name, level, parent, boundary FROM region_regions ORDER BY id").fetchall()
        regions = {r[0]: Region(r[0], r[1], r[2], r[3], json.loads(r[4]) if r[4] else None) for r in rows}
        placements = dict(self._b.execute("SELECT credit_code, region FROM region_placements").fetchall())
        return RegionTree(regions, placements)

    # ------------------------------------------------------------------ ingest
    def ingest(self, data: Any, *, source: str) -> IngestResult:
        """Validate and ingest one decoded submission (see the module docstring)."""
        from dualprev_core.exchange.validate import submission_problems

        problems = submission_problems(data, source=source)
        ent: Mapping[str, Any] = e if isinstance(data, Mapping) and isinstance(e := data.get("enterprise"), Mapping) else {}
        cc, name = ent.get("CREDIT_CODE"), ent.get("COMPANY_NAME")
        if problems:
            return IngestResult(source, "rejected", cc, name, None, tuple(problems), f"{len(problems)} problem(s); nothing ingested")
        h, head, gen = data["content_hash"], data["head_hash"], data["generated_at"]
        with self._b.write():
            self._b.lock_stream(f"region:{cc}")  # PostgreSQL: one ingest of an enterprise at a time
            if self._b.execute("SELECT 1 FROM region_submissions WHERE content_hash = ?", (h,)).fetchone():
                return IngestResult(source, "unchanged", cc, name, h, (), "already ingested (same content hash); nothing changed")
            other = self._b.execute("SELECT credit_code FROM region_enterprises WHERE company_code = ? AND credit_code <> ?",
                                    (ent["COMPANY_CODE"], cc)).fetchone()
            if other:
                why = Problem("enterprise.CREDIT_CODE", f"enterprise {ent['COMPANY_CODE']!r} was ingested with credit code {other[0]}; "
                              f"this submission says {cc}: a changed credit code is refused", source)
                return IngestResult(source, "rejected", cc, name, h, (why,), "credit code changed; nothing ingested")
            held = self._b.execute("SELECT content_hash, head_hash, generated_at FROM region_enterprises WHERE credit_code = ?", (cc,)).fetchone()
            if held is not None:
                if head == held[1]:
                    why = Problem("head_hash", f"{head} is the head of the held submission {held[0][:12]}…, whose content differs: "
                                  "the same enterprise state must export the same content", source)
                    return IngestResult(source, "rejected", cc, name, h, (why,), "head hash does not match its content; nothing ingested")
                if _ts(gen) <= _ts(held[2]):
                    why = Problem("generated_at", f"{gen} is not newer than the held submission's {held[2]} ({held[0][:12]}…); the held one stays", source)
                    return IngestResult(source, "rejected", cc, name, h, (why,), "older than the held submission; nothing ingested")
            self._store(data, h)
        outcome = "superseded" if held is not None else "ingested"
        msg = f"supersedes {held[0][:12]}…" if held is not None else "new enterprise"
        return IngestResult(source, outcome, cc, name, h, (), msg)

    def _store(self, data: Mapping[str, Any], h: str) -> None:
        ent = data["enterprise"]
        cc, now = ent["CREDIT_CODE"], _now()
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self._b.execute("UPDATE region_submissions SET superseded_by = ? WHERE credit_code = ? AND superseded_by IS NULL", (h, cc))
        self._b.execute("INSERT INTO region_submissions (content_hash, credit_code, head_hash, generated_at, ingested_at, superseded_by, body) "
                        "VALUES (?, ?, ?, ?, ?, NULL, ?)", (h, cc, data["head_hash"], data["generated_at"], now, body))
        self._b.execute(
            "INSERT INTO region_enterprises (credit_code, company_code, name, industry, region_text, content_hash, head_hash, generated_at, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (credit_code) DO UPDATE SET company_code = excluded.company_code, name = excluded.name, "
            "industry = excluded.industry, region_text = excluded.region_text, content_hash = excluded.content_hash, head_hash = excluded.head_hash, "
            "generated_at = excluded.generated_at, ingested_at = excluded.ingested_at",
            (cc, ent["COMPANY_CODE"], ent["COMPANY_NAME"], ent.get("INDUSTRY"), ent.get("REGION"), h, data["head_hash"], data["generated_at"], now))
        rows = [(rec["ID"], cc, key, 1 if rec.get("DELETE_MARK") == "1" else 0, h, json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
                for key in COLLECTIONS for rec in data[key]]
        self._b.execute("UPDATE region_records SET deleted = 1 WHERE credit_code = ?", (cc,))
        self._b.executemany(
            "INSERT INTO region_records (id, credit_code, entity, deleted, content_hash, body) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET credit_code = excluded.credit_code, entity = excluded.entity, deleted = excluded.deleted, "
            "content_hash = excluded.content_hash, body = excluded.body", rows)

    # ------------------------------------------------------------------ reading
    def enterprises(self) -> list[dict[str, Any]]:
        """Every enterprise held, with its placement (region file first, else its submission's REGION)."""
        tree = self.region_tree()
        rows = self._b.execute("SELECT credit_code, company_code, name, industry, region_text, content_hash, generated_at, ingested_at "
                               "FROM region_enterprises ORDER BY credit_code").fetchall()
        out = []
        for r in rows:
            placed = tree.placements.get(r[0]) or tree.resolve(r[4])
            out.append({"credit_code": r[0], "company_code": r[1], "name": r[2], "industry": r[3], "region_text": r[4],
                        "region": placed, "content_hash": r[5], "generated_at": r[6], "ingested_at": r[7]})
        return out

    def submission_texts(self, credit_codes: Sequence[str] | None = None, *, batch: int = 200) -> Iterator[tuple[str, str]]:
        """``(credit_code, JSON text)`` of each held submission, streamed ``batch`` rows at a time."""
        codes = list(credit_codes) if credit_codes is not None else [r[0] for r in self._b.execute(
            "SELECT credit_code FROM region_enterprises ORDER BY credit_code").fetchall()]
        for i in range(0, len(codes), batch):
            chunk = codes[i:i + batch]
            marks = ", ".join("?" for _ in chunk)
            rows = self._b.execute(f"SELECT s.credit_code, s.body FROM region_submissions s JOIN region_enterprises e "
                                   f"ON s.content_hash = e.content_hash WHERE e.credit_code IN ({marks})", chunk).fetchall()
            yield from ((r[0], r[1]) for r in rows)

    def records(self, entity: str, *, credit_code: str | None = None, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Records of one entity list (``risk_events``, ``hidden_dangers``…), current unless ``include_deleted``."""
        sql = "SELECT body FROM region_records WHERE entity = ?"
        params: list[Any] = [entity]
        if credit_code:
            sql += " AND credit_code = ?"
            params.append(credit_code)
        if not include_deleted:
            sql += " AND deleted = 0"
        return [json.loads(r[0]) for r in self._b.execute(sql + " ORDER BY credit_code, id", params).fetchall()]

    def counts(self) -> dict[str, int]:
        """Enterprises, submissions and live records held."""
        one = lambda sql: int(self._b.execute(sql).fetchone()[0])  # noqa: E731
        return {"enterprises": one("SELECT COUNT(*) FROM region_enterprises"), "submissions": one("SELECT COUNT(*) FROM region_submissions"),
                "records": one("SELECT COUNT(*) FROM region_records WHERE deleted = 0")}

    # ------------------------------------------------------------------ supervision visits
    def record_visit(self, credit_code: str, at: datetime, by: str, note: str = "") -> None:
        if not self._b.execute("SELECT 1 FROM region_enterprises WHERE credit_code = ?", (credit_code,)).fetchone():
            raise RegionDBError(f"no enterprise with credit code {credit_code!r} in {self.url}")
        with self._b.write():
            self._b.execute("INSERT INTO region_visits (credit_code, at, by_whom, note) VALUES (?, ?, ?, ?)", (credit_code, at.isoformat(), by, note))

    def last_visits(self) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        for cc, at in self._b.execute("SELECT credit_code, at FROM region_visits").fetchall():
            t = _ts(at)
            if cc not in out or t > out[cc]:
                out[cc] = t
        return out


def open_region_db(url: str) -> RegionDB:
    """Open (creating its tables if needed) the regional database at ``url``."""
    return RegionDB(url)
