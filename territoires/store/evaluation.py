"""A user's query evaluated on a local store and its whole answer serialized, in memory up to
`INLINE_BYTES`, then in the job's spool file, up to the job's cap: what an executor process does
with each job (process.py), and the web worker with a query whose cost is bounded small
(local.py). Standard library and pyoxigraph only: executors import it."""

from __future__ import annotations

import io
from dataclasses import replace

import pyoxigraph as ox

from .jobs import Job, Outcome

INLINE_BYTES = 1 << 20


def evaluate(store, job: Job, prefixes: dict[str, str], spool: str = "") -> Outcome:
    """The outcome of `job` on `store` (a LocalStore: its engine and dataset), its answer inline
    or in `spool` (the job's own when not given)."""
    form = ""
    job = replace(job, spool=spool) if spool else job
    try:
        result = store.engine.query(job.query, **store.dataset(job.union, job.default_graphs,
                                                                job.named_graphs))
        if isinstance(result, ox.QueryTriples):
            form = "graph"
            return _write(job, job.graph_type, form, lambda out, media: ox.serialize(
                result, out, ox.RdfFormat.from_media_type(media), prefixes=prefixes))
        form = "results"
        return _write(job, job.results_type, form, lambda out, media: result.serialize(
            out, ox.QueryResultsFormat.from_media_type(media)))
    except SyntaxError as error:
        return Outcome("syntax", str(error), form)
    except MemoryError:
        return Outcome("memory", "", form)
    except (OSError, RuntimeError, ValueError) as error:
        # Evaluation errors surface while serializing too (the results are lazy).
        return Outcome("error", str(error), form)


def _write(job: Job, media: str | None, form: str, serialize) -> Outcome:
    if media is None:
        return Outcome("not-acceptable", "", form)
    out = _Answer(job.spool, job.max_bytes)
    try:
        serialize(out, media)
    except OSError:
        if out.overflowed:
            return Outcome("too-large", "", form)
        raise
    finally:
        out.close()
    return Outcome("ok", media, form, out.inline())


class _Answer(io.RawIOBase):
    """Where an answer is written: in memory up to INLINE_BYTES, then in the spool file; fails
    once more than `cap` bytes have been written."""

    def __init__(self, spool: str, cap: int):
        self.spool, self.cap, self.written, self.overflowed = spool, cap, 0, False
        self.buffer = io.BytesIO()
        self.file = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.written += len(data)
        if self.written > self.cap:
            self.overflowed = True
            raise OSError("result too large")
        if self.file is None and self.written > INLINE_BYTES:
            self.file = open(self.spool, "wb")
            self.file.write(self.buffer.getbuffer())
            self.buffer = None
        return (self.file or self.buffer).write(data)

    def inline(self) -> bytes | None:
        return None if self.buffer is None else self.buffer.getvalue()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        super().close()
