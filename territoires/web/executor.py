"""User queries run in executor processes, so that a runaway query can really be stopped.

pyoxigraph cannot cancel a query, and a thread cannot be killed; a process can. Each web worker
keeps a small pool of executor processes (started lazily with the "spawn" method: forking a
threaded worker is unsafe), each with the published store opened read-only. A web thread hands one
executor a `Job`; the executor evaluates the query and serializes the whole answer into a spool
file, so the client gets a 200 only once the answer is complete and within its size cap. If the
deadline passes first, the web thread kills the executor with SIGKILL and starts a replacement;
an executor that dies (a parser stack overflow, say) is replaced the same way.
"""

from __future__ import annotations

import ctypes
import io
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 30.0   # seconds for a new executor to open the store
READY = "ready"


@dataclass(frozen=True)
class Job:
    query: str
    union: bool                             # the default graph is the union of the named graphs
    default_graphs: tuple[str, ...] | None  # a dataset given by the protocol replaces the query's
    named_graphs: tuple[str, ...] | None
    results_type: str | None                # media type for SELECT / ASK (None: not acceptable)
    graph_type: str | None                  # media type for CONSTRUCT / DESCRIBE
    prefixes: dict[str, str]
    spool: str                              # where the executor writes the answer
    max_bytes: int


@dataclass(frozen=True)
class Outcome:
    status: str    # ok | syntax | error | too-large | not-acceptable
    detail: str    # the media type written when ok, otherwise a message
    form: str      # results | graph (which kind of answer the query has), "" when unknown


class TimedOut(Exception):
    """The query did not finish within its deadline; its executor was killed."""


class Crashed(Exception):
    """The executor died while evaluating the query; it was replaced."""


class Unavailable(Exception):
    """No executor became free within the deadline, or none could start."""


class Executors:
    """The pool of one web worker. Thread-safe; processes start on first use."""

    def __init__(self, size: int, isolate_network: bool):
        self._context = multiprocessing.get_context("spawn")
        self._isolate = isolate_network
        self._idle: list[_Executor | None] = [None] * size    # None: not started yet
        self._available = threading.Condition()
        self._store_path: Path | None = None
        self.spool_dir = Path(tempfile.mkdtemp(prefix="territoires-sparql-"))
        weakref.finalize(self, shutil.rmtree, self.spool_dir, ignore_errors=True)

    def spool_path(self) -> Path:
        return self.spool_dir / uuid.uuid4().hex

    def run(self, store_path: Path, job: Job, timeout: float) -> Outcome:
        """Evaluate `job` on the store at `store_path`; raises TimedOut, Crashed or Unavailable."""
        executor = self._acquire(store_path, timeout)
        try:
            return executor.evaluate(job, timeout)
        except (TimedOut, Unavailable):
            executor = self._replace(executor)
            raise
        except (EOFError, OSError):
            executor = self._replace(executor)
            raise Crashed() from None
        finally:
            self._release(executor)

    def _acquire(self, store_path: Path, timeout: float) -> _Executor:
        retired = []
        with self._available:
            if store_path != self._store_path:
                # A new build: idle executors of the old one go; busy ones go when released.
                self._store_path = store_path
                retired = [e for e in self._idle if e is not None and e.store_path != store_path]
                self._idle = [None if e in retired else e for e in self._idle]
            if not self._available.wait_for(lambda: self._idle, timeout):
                raise Unavailable(f"all query executors stayed busy for {timeout:g} s")
            executor = self._idle.pop()
        for old in retired:
            old.stop()
        if executor is None or executor.store_path != store_path or not executor.alive():
            if executor is not None:
                executor.stop()
            executor = _Executor(self._context, store_path, self._isolate)
        return executor

    def _release(self, executor: _Executor) -> None:
        with self._available:
            stale = executor.store_path != self._store_path
            # Started executors go on top, so they are reused before new ones are started.
            self._idle.insert(0, None) if stale else self._idle.append(executor)
            self._available.notify()
        if stale:
            executor.stop()

    def _replace(self, executor: _Executor) -> _Executor:
        executor.kill()
        return _Executor(self._context, executor.store_path, self._isolate)


class _Executor:
    """One executor process and the pipe to it (used by one web thread at a time)."""

    def __init__(self, context, store_path: Path, isolate_network: bool):
        self.store_path = store_path
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_main, args=(child, str(store_path), isolate_network, os.getpid()),
            name="territoires-sparql-executor", daemon=True)
        self.process.start()
        child.close()
        self._ready = False

    def alive(self) -> bool:
        return self.process.is_alive()

    def evaluate(self, job: Job, timeout: float) -> Outcome:
        if not self._ready:
            self._await_ready()
        self.connection.send(job)
        if not self.connection.poll(timeout):
            raise TimedOut()
        return self.connection.recv()

    def _await_ready(self) -> None:
        if not self.connection.poll(STARTUP_TIMEOUT):
            raise Unavailable("a query executor did not start in time")
        message = self.connection.recv()
        if message != READY:
            raise Unavailable(f"a query executor could not open the store: {message}")
        self._ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()

    def stop(self) -> None:
        """Retire an idle executor: closing its pipe ends its loop."""
        self.connection.close()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()


# ---- the executor process --------------------------------------------------------------------


def _main(connection, store_path: str, isolate_network: bool, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the web worker decides when we stop
    _die_with_parent(parent)
    if isolate_network:
        _isolate_network()
    try:
        store = ox.Store.read_only(store_path)
    except OSError as error:
        connection.send(str(error))
        return
    connection.send(READY)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        connection.send(_evaluate(store, job))


def _evaluate(store: ox.Store, job: Job) -> Outcome:
    form = ""
    try:
        result = store.query(job.query, **_dataset(job))
        if isinstance(result, ox.QueryTriples):
            form = "graph"
            return _spool(job, job.graph_type, form, lambda out, media: ox.serialize(
                result, out, ox.RdfFormat.from_media_type(media), prefixes=job.prefixes))
        form = "results"
        return _spool(job, job.results_type, form, lambda out, media: result.serialize(
            out, ox.QueryResultsFormat.from_media_type(media)))
    except SyntaxError as error:
        return Outcome("syntax", str(error), form)
    except (OSError, RuntimeError, ValueError) as error:
        # Evaluation errors surface while serializing too (the results are lazy).
        return Outcome("error", str(error), form)


def _dataset(job: Job) -> dict:
    if job.default_graphs is None and job.named_graphs is None:
        return {"use_default_graph_as_union": job.union}
    return {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()]}


def _spool(job: Job, media: str | None, form: str, serialize) -> Outcome:
    if media is None:
        return Outcome("not-acceptable", "", form)
    with open(job.spool, "wb") as file:
        capped = _Capped(file, job.max_bytes)
        try:
            serialize(capped, media)
        except OSError:
            if capped.overflowed:
                return Outcome("too-large", "", form)
            raise
    return Outcome("ok", media, form)


class _Capped(io.RawIOBase):
    """A file writer that fails once more than `cap` bytes have been written."""

    def __init__(self, file, cap: int):
        self.file, self.cap, self.written, self.overflowed = file, cap, 0, False

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.written += len(data)
        if self.written > self.cap:
            self.overflowed = True
            raise OSError("result too large")
        return self.file.write(data)


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

