"""The query executor process: opens a build with the local store (local.py) and evaluates the
jobs its web worker sends it, one at a time, serializing each whole answer before replying.

This module is what an executor process imports (the pool side is executor.py), so everything it
imports uses only the standard library and pyoxigraph: an executor neither loads Flask nor
rdflib, which keeps its start-up short and its memory small (a test checks it).

An answer up to `INLINE_BYTES` comes back through the pipe with the outcome; a larger one goes
to the job's spool file, up to the job's cap.

An executor caps its own address space (RLIMIT_AS) before it opens the store, so that a query
whose intermediate values blow up (nested REPLACE, a huge GROUP_CONCAT) fails inside it instead of
exhausting the host: an allocation the engine cannot make aborts the process (Rust's handler
aborts, SIGABRT), one Python cannot make raises MemoryError; either way the web worker answers 503
naming memory and starts a fresh executor (executor.py).
"""

from __future__ import annotations

import ctypes
import io
import logging
import os
import resource
import signal
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from .jobs import Job, Outcome
from .local import LocalStore

log = logging.getLogger(__name__)

READY = "ready"
INLINE_BYTES = 1 << 20


def main(connection, build_dir: str, prefixes: dict[str, str], isolate_network: bool,
         memory_bytes: int, niceness: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the web worker decides when we stop
    if niceness:
        os.nice(niceness)   # before any thread starts: they all inherit it
    _die_with_parent(parent)
    if isolate_network:
        _isolate_network()
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        store = LocalStore.open(Path(build_dir))
    except (OSError, ValueError) as error:
        connection.send(str(error))
        return
    connection.send(READY)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        connection.send(evaluate(store, job, prefixes))


def evaluate(store: LocalStore, job: Job, prefixes: dict[str, str], spool: str = "") -> Outcome:
    """The outcome of `job`, its answer inline or in `spool` (the job's own when not given)."""
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


def _die_with_parent(parent: int) -> None:
    """If the web worker dies hard, its executors must not run on (PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(0)


def _isolate_network() -> None:
    """A safety net under the lexical guard when no SERVICE endpoint is allowed: a network
    namespace of our own has no interface, so no query can reach any address. Needs
    unprivileged user namespaces; without them the guard alone stands."""
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    if libc.unshare(clone_newuser | clone_newnet) != 0:
        log.warning("query executor: no network namespace (%s); relying on the SERVICE guard",
                    os.strerror(ctypes.get_errno()))
        return
    # Map our own ids into the namespace, or files we create would be unwritable.
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
