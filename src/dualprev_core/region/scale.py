"""Scale-out: run a per-batch function in one process, a process pool, or on Dask; write Arrow/Parquet.

Per-enterprise evaluation is a pure function of a submission, so a region of many enterprises is
a map over batches.  :func:`map_batches` runs ``fn(batch, *args)`` for each batch

* in this process (``workers=1``),
* in a :class:`concurrent.futures.ProcessPoolExecutor` (``workers=N``) on one machine, or
* on Dask (``dask.distributed``): a ``LocalCluster`` of ``local_workers`` processes, or any running
  scheduler (``scheduler="tcp://host:8786"``) — the production path beyond one machine.

At most ``2 × workers`` batches are in flight and results are yielded as they complete, so memory
stays bounded whatever the number of enterprises (the input is an iterator, read as batches are
sent).  :func:`write_parquet` streams rows into a Parquet file (pyarrow) that pandas, Polars, DuckDB
or Spark read as is.

Dask and pyarrow are imported only inside the functions that need them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from dualprev_core.errors import InvalidInput

__all__ = ["map_batches", "batched", "evaluate_texts", "arrow_schema", "rows_to_table", "write_parquet"]

_T = TypeVar("_T")


def batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _serial(fn: Callable[..., list[Any]], batches: Iterable[Any], args: Sequence[Any]) -> Iterator[list[Any]]:
    for b in batches:
        yield fn(b, *args)


def _pool(fn: Callable[..., list[Any]], batches: Iterable[Any], args: Sequence[Any], workers: int) -> Iterator[list[Any]]:
    import concurrent.futures as cf
    import multiprocessing

    # fork where available: workers start in milliseconds with the parent's imports already done.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    ctx = multiprocessing.get_context(method)
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        it = iter(batches)
        pending = {ex.submit(fn, b, *args) for b in itertools.islice(it, 2 * workers)}
        while pending:
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for f in done:
                yield f.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(ex.submit(fn, nxt, *args))


def _dask(fn: Callable[..., list[Any]], batches: Iterable[Any], args: Sequence[Any], scheduler: str | None, local_workers: int) -> Iterator[list[Any]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - dask is a dependency; a broken install says so
        raise InvalidInput("the Dask path needs dask[distributed]: pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        # ":0": the scheduler's HTTP server on a free port (it starts even without a dashboard; 8787 may be taken)
        cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40)
        client = Client(cluster)
    try:
        n = max(1, len(client.scheduler_info().get("workers", {})) or local_workers or 1)
        shared = [client.scatter(a, broadcast=True) for a in args]  # sent to every worker once
        it = iter(batches)
        ac = as_completed([client.submit(fn, b, *shared, pure=False) for b in itertools.islice(it, 2 * n)])
        for fut in ac:
            result = fut.result()
            fut.release()
            yield result
            nxt = next(it, None)
            if nxt is not None:
                ac.add(client.submit(fn, nxt, *shared, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def map_batches(fn: Callable[..., list[Any]], batches: Iterable[Any], *args: Any, workers: int = 1,
                scheduler: str | None = None, local_workers: int = 0) -> Iterator[list[Any]]:
    """``fn(batch, *args)`` for every batch, in completion order (see the module docstring).

    :param workers: processes of a local pool (1: this process).
    :param scheduler: a Dask scheduler address; runs there.
    :param local_workers: > 0: start a Dask ``LocalCluster`` of that many worker processes.
    """
    if scheduler or local_workers:
        return _dask(fn, batches, args, scheduler, local_workers)
    if workers < 1:
        raise InvalidInput(f"--workers must be ≥ 1 (got {workers})")
    if workers == 1:
        return _serial(fn, batches, args)
    return _pool(fn, batches, args, min(workers, os.cpu_count() or workers))


def _evaluate_batch(texts: list[str], cfg: Any) -> list[dict[str, Any]]:
    from dualprev_core.region.evaluate import evaluate_text

    return [evaluate_text(t, cfg) for t in texts]


def evaluate_texts(texts: Iterable[str], cfg: Any, *, batch: int = 25, **how: Any) -> Iterator[dict[str, Any]]:
    """Evaluate submissions (JSON texts) with :func:`~dualprev_core.region.evaluate.evaluate_submission`; rows as they complete."""
    for rows in map_batches(_evaluate_batch, batched(texts, batch), cfg, **how):
        yield from rows


def arrow_schema() -> Any:
    """The Arrow schema of evaluation rows (columns of :data:`~dualprev_core.region.evaluate.ROW_FIELDS`, plus ``region``)."""
    import pyarrow as pa

    s, i, f = pa.string(), pa.int64(), pa.float64()
    types = {"lon": f, "lat": f, "standardization": i, "risk_events": i, "major": i, "large": i, "general": i, "low": i,
             "major_risks": i, "major_hazards": i, "worst_major_hazard_level": i, "open_hidden_dangers": i,
             "open_major_hidden_dangers": i, "overdue_major_hidden_dangers": i, "tasks": i, "tasks_not_performed": i,
             "warnings": i, "warning_kinds": pa.list_(s)}
    from dualprev_core.region.evaluate import ROW_FIELDS

    return pa.schema([(name, types.get(name, s)) for name in (*ROW_FIELDS, "region")])


def rows_to_table(rows: Sequence[dict[str, Any]]) -> Any:
    """An Arrow table of evaluation rows."""
    import pyarrow as pa

    schema = arrow_schema()
    return pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)


def write_parquet(rows: Iterable[dict[str, Any]], path: str | Path, *, batch: int = 1000) -> int:
    """Stream rows into a Parquet file (written ``batch`` rows at a time); returns the number of rows."""
    import pyarrow.parquet as pq

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    tmp = p.with_name(p.name + ".tmp")
    with pq.ParquetWriter(str(tmp), arrow_schema()) as writer:
        for chunk in batched(rows, batch):
            writer.write_table(rows_to_table(chunk))
            n += len(chunk)
    tmp.replace(p)
    return n
