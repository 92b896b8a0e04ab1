"""The servers under test, each started by the runner on a free loopback port in its own process
group and stopped (the whole group) at the end: the project's server and the peers users would
pick instead — Oxigraph server, rdflib-endpoint, Virtuoso open source."""

from __future__ import annotations

import getpass
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


class NotAvailable(Exception):
    """A peer that cannot be installed or started here: recorded, never fatal."""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---- memory of a process tree, from /proc ----------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int, children: dict[int, list[int]]) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        stack.extend(children.get(current, []))
    return pids


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mib(pid: int) -> dict:
    """Sum of the RSS of `pid` and all its descendants, and of each direct child's subtree (for
    gunicorn: one entry per worker with its query executors)."""
    children = _children_map()
    total = sum(_rss_kib(p) for p in _tree(pid, children))
    per_child = [sum(_rss_kib(p) for p in _tree(c, children)) for c in children.get(pid, [])]
    pss = sum(_pss_kib(p) for p in _tree(pid, children))
    return {"total_mib": round(total / 1024, 1), "pss_total_mib": round(pss / 1024, 1),
            "own_mib": round(_rss_kib(pid) / 1024, 1),
            "children_mib": sorted(round(k / 1024, 1) for k in per_child)}


def _busy_jiffies() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]   # idle, iowait
    return sum(fields) - idle, sum(fields)


def settle(limit: float = 60, busy: float = 0.1, window: float = 0.5) -> float:
    """Wait until the machine is quiet (less than `busy` of the machine used over `window`
    seconds): a server that answers may still be warming up (the project prepares its build
    aside), and measuring then would measure that. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        used, total = _busy_jiffies()
        time.sleep(window)
        used2, total2 = _busy_jiffies()
        if total2 > total and (used2 - used) / (total2 - total) < busy:
            break
    return round(time.monotonic() - started, 2)


def idle_tree(pid: int, limit: float = 300, busy: float = 0.05, window: float = 1.0) -> float:
    """Wait until the process tree of `pid` uses less than `busy` of one core over `window`
    seconds: on a machine others load, `settle` never sees it quiet, and the project would be
    measured while it still prepares its build (a minute and more on a loaded machine).
    Returns the seconds waited."""
    started = time.monotonic()
    tick = os.sysconf("SC_CLK_TCK")
    while time.monotonic() - started < limit:
        pids = _tree(pid, _children_map())
        before = sum(_cpu_ticks(p) for p in pids)
        time.sleep(window)
        if (sum(_cpu_ticks(p) for p in pids) - before) / tick < busy * window:
            break
    return round(time.monotonic() - started, 2)


def _cpu_ticks(pid: int) -> int:
    """User and system time of a process, in clock ticks (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


# ---- a server under test ---------------------------------------------------------------------


@dataclass
class Server:
    """One running server. `kind` is 'project' (linked-data routes + /sparql) or 'sparql'
    (a SPARQL endpoint only, at `sparql_path`)."""
    name: str
    label: str
    kind: str
    port: int
    sparql_path: str
    process: subprocess.Popen | None = None
    startup_s: float | None = None
    load_s: float | None = None
    version: str = ""
    notes: list[str] = field(default_factory=list)
    rss_samples: list[dict] = field(default_factory=list)
    stopper: object = None  # extra clean-up (e.g. Virtuoso's shutdown)

    def sparql_target(self, query: str) -> str:
        return f"{self.sparql_path}?{urllib.parse.urlencode({'query': query})}"

    def sample_rss(self) -> dict | None:
        if self.process is None or self.process.poll() is not None:
            return None
        sample = tree_rss_mib(self.process.pid)
        self.rss_samples.append(sample)
        return sample

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.stopper is not None:
            try:
                self.stopper()
            except Exception:
                pass
        _kill_group(self.process)


def _kill_group(process: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM the process group the runner created for this server, then SIGKILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group (executors, workers)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _spawn(argv: list[str], log: Path, env: dict | None = None, cwd: Path | None = None):
    handle = open(log, "ab")
    try:
        return subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=env,
                                cwd=cwd, start_new_session=True)
    finally:
        handle.close()


def ask(port: int, path: str, timeout: float = 2) -> bool:
    """Whether the SPARQL endpoint answers `ASK {}` with a 200."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", f"{path}?{urllib.parse.urlencode({'query': 'ASK {}'})}",
                           headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _await_answer(server: Server, started: float, limit: float, log: Path) -> float:
    deadline = started + limit
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise NotAvailable(f"exited with {server.process.returncode}: {_tail(log)}")
        if ask(server.port, server.sparql_path, timeout=min(5, limit)):
            return round(time.perf_counter() - started, 3)
        time.sleep(0.02)
    raise NotAvailable(f"no answer within {limit:.0f} s: {_tail(log)}")


def _tail(log: Path, lines: int = 5) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def _started(server: Server, argv, log: Path, limit: float, env=None, cwd=None) -> Server:
    started = time.perf_counter()
    server.process = _spawn(argv, log, env, cwd)
    try:
        server.startup_s = _await_answer(server, started, limit, log)
    except BaseException:
        server.stop()
        raise
    return server


# ---- the project ----------------------------------------------------------------------------


def start_project(output_dir: Path, base_uri: str, work: Path, workers: int = 2,
                  env: dict | None = None, checkout: Path = ROOT) -> Server:
    """`territoires serve` on `output_dir`, with the code of `checkout` (another build's own,
    to compare with it)."""
    port = free_port()
    server = Server("project", f"territoires (gunicorn, {workers} workers)", "project", port,
                    "/sparql")
    argv = [sys.executable, "-m", "territoires.cli", "--output-dir", str(output_dir), "serve",
            "--host", HOST, "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "TERRITOIRES_BASE_URI": base_uri, **(env or {})}
    return _started(server, argv, work / "project.log", 60, env=env, cwd=checkout)


def start_granian(output_dir: Path, base_uri: str, work: Path, workers: int = 2) -> Server:
    """The project's app under granian (a Rust HTTP server), as many workers as the project's
    gunicorn, with the blocking threads granian advises for two cores (bench/granian_app.py)."""
    cli = Path(sys.executable).parent / "granian"
    if not cli.exists():
        raise NotAvailable("granian is not installed (pip install -e '.[bench]')")
    port = free_port()
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True)
    server = Server("granian", f"territoires (granian, {workers} workers)", "project", port,
                    "/sparql", version=version.stdout.strip())
    argv = [str(cli), "--interface", "wsgi", "--factory", "--workers", str(workers),
            "--blocking-threads", "8", "--host", HOST, "--port", str(port),
            "--access-log", "bench.granian_app:app"]   # gunicorn logs every request too
    shared = work / "granian-responses"   # shared by the workers, as `territoires serve` does
    shared.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "TERRITOIRES_BASE_URI": base_uri, "TERRITOIRES_OUTPUT_DIR":
           str(output_dir), "TERRITOIRES_RESPONSE_CACHE_DIR": str(shared)}
    return _started(server, argv, work / "granian.log", 60, env=env, cwd=ROOT)


# ---- the project behind nginx ----------------------------------------------------------------


def nginx_config(ports: list[int], listen: int, work: Path) -> Path:
    """The shipped recipe (deploy/nginx.conf) with these ports and directories, inside a minimal
    nginx.conf that runs in the foreground as this account."""
    recipe = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in ports)
    text = re.sub(r"(upstream territoires \{\n)(    server [^\n]*\n)+", rf"\g<1>{servers}", recipe)
    text = text.replace("/var/cache/nginx/territoires", str(work / "cache"))
    text = text.replace("listen 80;", f"listen {HOST}:{listen};")
    conf = work / "nginx.conf"
    conf.write_text(f"""daemon off;
user {getpass.getuser()};
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
{text}
}}
""")
    return conf


def start_behind_nginx(output_dir: Path, base_uri: str, work: Path) -> Server:
    """The project (gunicorn, 2 workers) behind nginx's cache, as deploy/nginx.conf sets it."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise NotAvailable("nginx is not installed")
    origin = start_project(output_dir, base_uri, work, env={"TERRITOIRES_PROXY_HOPS": "1"})
    directory = work / "nginx"
    directory.mkdir(exist_ok=True)
    port = free_port()
    conf = nginx_config([origin.port], port, directory)
    server = Server("cache", "territoires behind nginx (proxy_cache)", "project", port, "/sparql")
    server.stopper = origin.stop
    try:
        return _started(server, [nginx, "-c", str(conf), "-p", str(directory)],
                        work / "nginx.log", 30)
    except BaseException:
        origin.stop()
        raise


# ---- Oxigraph server ------------------------------------------------------------------------


def _oxigraph_cli() -> str:
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise NotAvailable("the `oxigraph` CLI is not installed (pip install oxigraph)")
    return found


def start_oxigraph(dump_nq: Path, work: Path) -> Server:
    cli = _oxigraph_cli()
    location = work / "oxigraph-store"
    started = time.perf_counter()
    loaded = subprocess.run([cli, "load", "--location", str(location), "--file", str(dump_nq)],
                            capture_output=True, text=True, timeout=600)
    if loaded.returncode != 0:
        raise NotAvailable(f"oxigraph load failed: {loaded.stderr.strip()[-300:]}")
    load_s = round(time.perf_counter() - started, 2)
    port = free_port()
    version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.strip()
    server = Server("oxigraph", "Oxigraph server (serve-read-only)", "sparql", port, "/query",
                    version=version)
    server.load_s = load_s
    server.notes.append("store loaded from dump/territoires.nq.gz with `oxigraph load`; "
                        "served with --union-default-graph")
    argv = [cli, "serve-read-only", "--location", str(location), "--bind", f"{HOST}:{port}",
            "--union-default-graph"]
    # No --timeout-s: Oxigraph 0.5 starts a thread per query that sleeps for the whole timeout,
    # and at thousands of queries a second they exhaust threads and memory (the server panics).
    return _started(server, argv, work / "oxigraph.log", 60)


# ---- rdflib-endpoint -------------------------------------------------------------------------


def start_rdflib(dump_nq: Path, work: Path, limit: float = 300) -> Server:
    try:
        import rdflib_endpoint  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as missing:
        raise NotAvailable(f"{missing.name} is not installed (pip install -e '.[bench]')")
    from importlib.metadata import version

    port = free_port()
    server = Server("rdflib", "rdflib-endpoint (uvicorn)", "sparql", port, "/sparql",
                    version=f"rdflib-endpoint {version('rdflib-endpoint')}, "
                            f"rdflib {version('rdflib')}")
    server.notes.append("N-Quads parsed into an rdflib Dataset(default_union=True) at start-up "
                        "(start-up includes the load)")
    argv = [sys.executable, "-m", "bench.rdflib_server", str(dump_nq), HOST, str(port)]
    return _started(server, argv, work / "rdflib.log", limit, cwd=ROOT)


# ---- Virtuoso open source --------------------------------------------------------------------

VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 0
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {dumps}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 1G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = 85000
MaxDirtyBuffers = 65000

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {db}
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 20
KeepAliveTimeout = 30
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {max_seconds}
DefaultGraph =
"""


@dataclass
class Virtuoso:
    """A Virtuoso of our own: its server (HTTP port, process) and its SQL console (isql)."""
    server: Server
    isql_binary: str
    sql_port: int

    def isql(self, statement: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([self.isql_binary, f"{HOST}:{self.sql_port}", "dba", "dba",
                               f"exec={statement}"], capture_output=True, text=True,
                              timeout=timeout)


def start_virtuoso_instance(work: Path, limit: float = 120, max_rows: int = 1_000_000,
                            max_seconds: int = 60, allowed: Path | None = None) -> Virtuoso:
    """An empty Virtuoso (installed from Debian if missing) in `work/virtuoso`, on free loopback
    ports, with its result cap (`ResultSetMaxRows`) and time limit (`MaxQueryExecutionTime`);
    `allowed` is a directory it may bulk-load from. Stopped by `server.stop()` (a clean
    shutdown through isql, then its process group)."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if not binary or not isql:
        binary, isql = _install_virtuoso()
    db = work / "virtuoso"
    db.mkdir()
    http_port, sql_port = free_port(), free_port()
    (db / "virtuoso.ini").write_text(VIRTUOSO_INI.format(
        db=db, dumps=allowed or db, host=HOST, sql_port=sql_port, http_port=http_port,
        max_rows=max_rows, max_seconds=max_seconds))
    version = subprocess.run([binary, "-?"], capture_output=True, text=True)
    first = next((line for line in (version.stdout + version.stderr).splitlines()
                  if "Version" in line), "virtuoso-opensource")
    server = Server("virtuoso", "Virtuoso open source", "sparql", http_port, "/sparql",
                    version=first.strip())
    argv = [binary, "+foreground", "+configfile", str(db / "virtuoso.ini")]
    _started(server, argv, work / "virtuoso.log", limit, cwd=db)
    instance = Virtuoso(server, isql, sql_port)
    server.stopper = lambda: instance.isql("shutdown;", 30)
    return instance


def start_virtuoso(dump_nq: Path, work: Path, limit: float = 120) -> Server:
    dumps = work / "virtuoso-load"
    dumps.mkdir()
    shutil.copy(dump_nq, dumps / "territoires.nq.gz")
    instance = start_virtuoso_instance(work, limit, allowed=dumps)
    server = instance.server
    try:
        started = time.perf_counter()
        done = instance.isql(f"ld_dir('{dumps}', 'territoires.nq.gz', 'urn:bench:unused'); "
                             "rdf_loader_run(); checkpoint; "
                             "select ll_file, ll_state, ll_error from DB.DBA.LOAD_LIST;", 600)
        server.load_s = round(time.perf_counter() - started, 2)
        if done.returncode != 0 or "NULL" not in done.stdout.split("ll_error")[-1]:
            raise NotAvailable(f"bulk load failed: {(done.stdout + done.stderr).strip()[-400:]}")
    except BaseException:
        server.stop()
        raise
    server.notes.append("bulk-loaded from dump/territoires.nq.gz (ld_dir + rdf_loader_run); "
                        "its default graph is the union of all graphs; start-up is of an empty "
                        "database, load time separate")
    return server


def _install_virtuoso(timeout: float = 300) -> tuple[str, str]:
    """`apt-get install virtuoso-opensource`, as root only, bounded in time."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise NotAvailable("virtuoso-t is not installed and apt-get is not usable here "
                           "(apt-get install virtuoso-opensource as root)")
    try:
        done = subprocess.run(["apt-get", "install", "-y", "-q", "virtuoso-opensource"],
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    except subprocess.TimeoutExpired:
        raise NotAvailable(f"apt-get install virtuoso-opensource took over {timeout:.0f} s")
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if done.returncode != 0 or not binary or not isql:
        raise NotAvailable(f"apt-get install virtuoso-opensource failed: "
                           f"{(done.stdout + done.stderr).strip()[-300:]}")
    return binary, isql


STARTERS = {"oxigraph": start_oxigraph, "rdflib": start_rdflib, "virtuoso": start_virtuoso}
