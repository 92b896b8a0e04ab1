"""The query executor process: opens a build with the local store (local.py) and evaluates the
jobs its web worker sends it, one at a time, serializing each whole answer before replying.

This module is what an executor process imports (the pool side is executor.py), so everything it
imports uses only the standard library and pyoxigraph: an executor neither loads Flask nor
rdflib, which keeps its start-up short and its memory small (a test checks it).

An answer up to `INLINE_BYTES` (evaluation.py) comes back through the pipe with the outcome; a
larger one goes to the job's spool file, up to the job's cap.

An executor caps its own address space (RLIMIT_AS) before it opens the store, so that a query
whose intermediate values blow up (nested REPLACE, a huge GROUP_CONCAT) fails inside it instead of
exhausting the host: an allocation the engine cannot make aborts the process (Rust's handler
aborts, SIGABRT), one Python cannot make raises MemoryError; either way the web worker answers 503
naming memory and starts a fresh executor (executor.py).
"""

from __future__ import annotations

import ctypes
import logging
import os
import resource
import signal
from pathlib import Path

from .evaluation import evaluate
from .local import LocalStore

log = logging.getLogger(__name__)

READY = "ready"


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
