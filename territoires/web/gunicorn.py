"""`territoires serve`: the app under gunicorn, a production WSGI server.

Threaded workers (gthread): each worker process opens the store read-only and answers several
requests at once; slow SPARQL work runs in separate executor processes (see store/executor.py)
so a runaway query can be killed without touching the workers.
"""

from __future__ import annotations

import errno
import functools
import os
import selectors
import shutil
import sys
import tempfile
import time
from pathlib import Path

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi
from gunicorn.http.errors import NoMoreData, ParseException
from gunicorn.workers.gthread import TConn, ThreadWorker
from werkzeug.exceptions import BadRequest

from ..config import Settings
from ..store import Conflict, NoBuild, open_publication
from .caching.shared import UnsafeDirectory, private_directory
from .context import KEY as CONTEXT
from .receiving import CONTINUE, TIMED_OUT, Arrivals, Arriving, complete, expects_continue, \
    head_end

# A client that sends part of a request and stalls holds a gunicorn thread while it is read;
# past this many seconds without a byte, its connection is dropped and the thread freed.
CLIENT_STALL_TIMEOUT = 10
HEARTBEAT_DIR = "/dev/shm"


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return RefuseMalformedBodies(create_app(self.settings))


class _CheckedBody:
    """A request's body as gunicorn reads it, its framing errors turned into a 400: gunicorn
    parses a chunked body (chunk sizes, extensions, trailers) only as the application reads it,
    so a malformed one raises in the middle of a view, which would answer 500."""

    def __init__(self, body):
        self._body = body

    def _checked(self, read, *args):
        try:
            return read(*args)
        except (ParseException, NoMoreData) as error:
            raise BadRequest(f"the request's body is malformed: {error}") from None

    def read(self, *args):
        return self._checked(self._body.read, *args)

    def readline(self, *args):
        return self._checked(self._body.readline, *args)

    def readlines(self, *args):
        return self._checked(self._body.readlines, *args)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class RefuseMalformedBodies:
    """WSGI middleware: the body's framing errors are the client's (400), not the server's."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ["wsgi.input"] = _CheckedBody(environ["wsgi.input"])
        return self.app(environ, start_response)


class OneSendResponse(gunicorn_wsgi.Response):
    """gunicorn's HTTP/1 response, its head sent with the first bytes of its body in one
    `sendall` rather than two: a whole answer (a document, a SPARQL answer, a kept response)
    leaves in one system call and reaches the client in one read, where gunicorn's own
    response makes two of each (py-spy: the socket writes were the largest share of a worker's
    busy samples). A response with no body, or streamed from a file, sends its head alone
    first, as before."""

    _head: bytes | None = None

    def send_headers(self):
        if self.headers_sent:
            return
        lines = [*self.default_headers(), *(f"{k}: {v}\r\n" for k, v in self.headers)]
        self._head = gunicorn_util.to_bytestring("".join(lines) + "\r\n", "latin-1")
        self.headers_sent = True

    def _emit_body(self, data):
        head, self._head = self._head, None
        if head is None or self.chunked:
            self._flush_head(head)
            return super()._emit_body(data)
        gunicorn_util.write(self.sock, head + data)

    def _flush_head(self, head: bytes | None = None) -> None:
        head = head if head is not None else self._head
        self._head = None
        if head:
            gunicorn_util.write(self.sock, head)

    def sendfile(self, respiter):
        self.send_headers()   # gunicorn's sendfile writes to the socket itself: head first
        self._flush_head()
        return super().sendfile(respiter)

    def close(self):
        if not self.headers_sent:
            self.send_headers()
        self._flush_head()   # no body came (HEAD, 304, an empty answer)
        super().close()


class StallGuardedWorker(ThreadWorker):
    """gunicorn's threaded worker, given only requests received whole (receiving.py): the
    event loop reads a request's head and body, within one deadline and a bound per address,
    and only then hands it to a thread. A thread still reading a client's socket (a body past
    the limit being refused) has a timeout per read: half-open connections cannot pin threads
    for ever."""

    def init_process(self):
        self.arrivals = Arrivals()
        self.max_body = self.app.settings.max_body_bytes   # self.app: the _Gunicorn below
        # gthread builds every HTTP/1 response with the module's class (wsgi.create).
        gunicorn_wsgi.Response = OneSendResponse
        super().init_process()

    def accept(self, listener):
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._receive(TConn(self.cfg, client, address, listener.getsockname()))

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection's next request is received like a first one."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._receive(conn)

    def _receive(self, conn) -> None:
        conn.sock.setblocking(False)
        address = conn.client[0] if isinstance(conn.client, tuple) else str(conn.client)
        arriving, evicted = self.arrivals.add(conn, address)
        if evicted is not None:
            self._drop(evicted, b"")
        self.poller.register(conn.sock, selectors.EVENT_READ,
                             functools.partial(self._on_bytes, arriving))

    def _on_bytes(self, arriving: Arriving, _sock) -> None:
        try:
            data = arriving.conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:   # the client is done sending: the parser says what it makes of it
            return self._hand_over(arriving) if arriving.data else self._drop(arriving, b"")
        arriving.data += data
        start = head_end(arriving.data)
        if (start >= 0 and not arriving.told_to_continue
                and expects_continue(bytes(arriving.data[:start]))):
            arriving.told_to_continue = True
            _send_quietly(arriving.conn.sock, CONTINUE)
        if complete(bytes(arriving.data), self.max_body):
            self._hand_over(arriving)

    def _hand_over(self, arriving: Arriving) -> None:
        self.arrivals.remove(arriving)
        self.poller.unregister(arriving.conn.sock)
        conn = arriving.conn
        conn.received, conn.data_ready = bytes(arriving.data), True
        self.enqueue_req(conn)

    def _drop(self, arriving: Arriving, answer: bytes) -> None:
        self.arrivals.remove(arriving)
        try:
            self.poller.unregister(arriving.conn.sock)
        except (KeyError, ValueError, OSError):
            pass   # never registered: pushed out as it arrived
        if answer:
            _send_quietly(arriving.conn.sock, answer)
        self.nr_conns -= 1
        arriving.conn.close()

    def murder_pending(self):
        super().murder_pending()
        for arriving in self.arrivals.expired(time.monotonic()):
            # A connection that never sent a byte is closed without a word: it began no
            # request (a browser opens one ahead of need), and a 408 written to it would be
            # read as the answer to the request its client may be sending at that instant.
            self._drop(arriving, TIMED_OUT if arriving.data else b"")

    def handle(self, conn):
        received = getattr(conn, "received", b"")
        if received:
            conn.received = b""
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(received)
        # Once per connection: `handle` runs for every request of a keep-alive connection, and
        # makes the socket blocking (no timeout) before it calls `init` each time.
        if not getattr(conn, "stall_guarded", False):
            init = conn.init

            def init_with_timeout():
                init()
                conn.sock.settimeout(CLIENT_STALL_TIMEOUT)

            conn.init = init_with_timeout
            conn.stall_guarded = True
        return super().handle(conn)


def _send_quietly(sock, data: bytes) -> None:
    """A short answer on a non-blocking socket, if it fits in its buffer (it does: the client
    is sending, not reading); a client gone meanwhile is no error."""
    try:
        sock.send(data)
    except OSError:
        pass


def _leave_without_teardown(server, worker) -> None:
    """End a worker at once once gunicorn is done with it: the read-only store holds nothing to
    flush, and tearing the interpreter down under the store's native threads can crash it. What
    a finaliser would have removed (the executors' spool directory) is removed first."""
    app = getattr(worker, "wsgi", None)
    app = getattr(app, "app", app)   # the Flask app inside RefuseMalformedBodies
    if app is not None and hasattr(app, "extensions"):
        app.extensions[CONTEXT].publication.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def worker_temporary_files(parent: Path) -> dict:
    """The gunicorn hooks that give each worker a temporary directory of its own under `parent`
    (its executors' spool files go there) and remove it when the worker exits, however it
    ended: a worker killed (SIGKILL, the kernel's OOM killer) runs no clean-up of its own, so
    the arbiter, which outlives it, does it."""
    def post_fork(server, worker) -> None:
        own = parent / f"worker-{os.getpid()}"
        own.mkdir(mode=0o700)
        tempfile.tempdir = str(own)
        os.environ["TMPDIR"] = str(own)

    def child_exit(server, worker) -> None:
        shutil.rmtree(parent / f"worker-{worker.pid}", ignore_errors=True)

    return {"post_fork": post_fork, "child_exit": child_exit}


def gunicorn_options(settings: Settings, workers_temporary: Path | None = None) -> dict:
    hooks = worker_temporary_files(workers_temporary) if workers_temporary else {}
    return {**hooks,
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": f"{__name__}.StallGuardedWorker",
        "threads": settings.threads,
        # A worker that stops answering its heartbeat for this long is replaced.
        "timeout": int(settings.query_timeout) + 30,
        # The heartbeat touches a file between requests: in memory, not on a journaled disk
        # (gunicorn's own advice; it cost 6 % of a worker's time on this machine's /tmp).
        "worker_tmp_dir": HEARTBEAT_DIR if os.path.isdir(HEARTBEAT_DIR) else None,
        "graceful_timeout": 10,
        "keepalive": 5,
        # Request-line and header limits: long queries go in a POST body.
        "limit_request_line": 8190,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "territoires",
        "control_socket_disable": True,  # one shared path per user would clash between servers
        "worker_exit": _leave_without_teardown,
    }


def serve(settings: Settings) -> int:
    try:
        store = open_publication(settings).current()
    except NoBuild as missing:
        print(f"territoires serve: {missing}", file=sys.stderr)
        return 1
    except Conflict as conflict:
        print(f"territoires serve: {conflict}", file=sys.stderr)
        return 2
    if settings.response_cache_dir:
        try:
            private_directory(Path(settings.response_cache_dir))
        except UnsafeDirectory as unsafe:
            print(f"territoires serve: TERRITOIRES_RESPONSE_CACHE_DIR: {unsafe}", file=sys.stderr)
            return 2
    print(f"serving version {store.version} on http://{settings.host}:{settings.port}/ "
          f"(base {store.base})", file=sys.stderr, flush=True)
    shared, arbiter = None, os.getpid()
    if not settings.response_cache_dir:
        # Where the workers share kept responses (web/caching/), for this server only.
        shared = tempfile.mkdtemp(prefix="territoires-responses-")
        settings = settings.override(response_cache_dir=shared)
    workers = Path(tempfile.mkdtemp(prefix="territoires-workers-"))
    try:
        _Gunicorn(settings, gunicorn_options(settings, workers)).run()
    finally:
        if os.getpid() == arbiter:  # never from a forked worker
            shutil.rmtree(workers, ignore_errors=True)
            if shared is not None:
                shutil.rmtree(shared, ignore_errors=True)
    return 0
