"""A real PgBouncer in transaction mode in front of the local PostgreSQL, for tests and benchmarks.

Its configuration is written into a temporary folder; it listens on a free loopback port and
lets clients in as PostgreSQL's trust authentication does. PgBouncer refuses to run as root:
then it drops to the ``nobody`` user (``-u``), so its files are made readable by all.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BINARY_PATHS = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
# The first PgBouncer that carries protocol-level prepared statements in transaction mode.
PREPARED_SINCE = (1, 21)


def binary() -> str | None:
    found = shutil.which("pgbouncer")
    return found or next((path for path in BINARY_PATHS if os.access(path, os.X_OK)), None)


def version(path: str) -> tuple[int, int]:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"PgBouncer (\d+)\.(\d+)", out.stdout + out.stderr)
    if not match:
        raise RuntimeError(f"{path} --version printed no PgBouncer version")
    return int(match.group(1)), int(match.group(2))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgBouncer:
    """``with PgBouncer(...) as bouncer:`` then connect to ``bouncer.url(dbname)``.

    ``pool_size`` server connections per database and user; ``prepared`` > 0 asks PgBouncer
    (1.21 and later only) to carry that many prepared statements per server connection.
    """

    def __init__(
        self,
        server_host: str = "127.0.0.1",
        server_port: int = 5432,
        user: str = "postgres",
        pool_size: int = 4,
        max_clients: int = 400,
        prepared: int = 0,
        aliases: dict[str, str] | None = None,
    ) -> None:
        path = binary()
        if path is None:
            raise FileNotFoundError("pgbouncer is not installed (apt-get install -y pgbouncer)")
        self.binary = path
        self.version = version(path)
        self.server = (server_host, server_port)
        self.user = user
        self.pool_size = pool_size
        self.max_clients = max_clients
        self.prepared = prepared
        self.aliases = aliases or {}  # name clients use → PostgreSQL database (own statistics)
        self.port = 0
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: str, prepare_threshold: str | None = "none") -> str:
        url = f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"
        return url + (f"?prepare_threshold={prepare_threshold}" if prepare_threshold else "")

    def config(self) -> str:
        host, port = self.server
        lines = [
            "[databases]",
            *(f"{alias} = host={host} port={port} dbname={name}"
              for alias, name in self.aliases.items()),
            f"* = host={host} port={port}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {self.port}",
            "unix_socket_dir =",
            "auth_type = trust",
            f"admin_users = {self.user}",
            f"auth_file = {self.folder / 'users.txt'}",
            "pool_mode = transaction",
            f"default_pool_size = {self.pool_size}",
            "min_pool_size = 0",
            "reserve_pool_size = 0",
            f"max_client_conn = {self.max_clients}",
            "server_reset_query =",
            "ignore_startup_parameters = extra_float_digits,options",
            "log_connections = 0",
            "log_disconnections = 0",
            "logfile =",
            "pidfile =",
        ]
        if self.prepared:
            lines.append(f"max_prepared_statements = {self.prepared}")
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 15.0) -> PgBouncer:
        self.folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        self.port = _free_port()
        (self.folder / "users.txt").write_text(f'"{self.user}" ""\n')
        ini = self.folder / "pgbouncer.ini"
        ini.write_text(self.config())
        cmd = [self.binary]
        if os.geteuid() == 0:
            for path in (self.folder, ini, self.folder / "users.txt"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            cmd += ["-u", "nobody"]
        self.log = self.folder / "pgbouncer.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*cmd, str(ini)], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited while starting: {self.tail()}")
            address = ("127.0.0.1", self.port)
            with contextlib.suppress(OSError), socket.create_connection(address, 0.5):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pgbouncer did not listen on port {self.port} within {timeout:.0f}s")

    def show(self, what: str) -> list[dict[str, str]]:
        """``SHOW <what>`` on PgBouncer's admin console (through psql: it speaks only the
        simple query protocol), as one dict per row."""
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-X", "-A",
             "-F", "\t", "-P", "footer=off", "-d", "pgbouncer", "-c", f"SHOW {what}"],
            capture_output=True, text=True, timeout=30, check=True,
        )
        header, *rows = out.stdout.splitlines()
        names = header.split("\t")
        return [dict(zip(names, row.split("\t"), strict=False)) for row in rows]

    def tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: PgBouncer closes its connections and exits
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> PgBouncer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
