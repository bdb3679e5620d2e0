"""Throwaway PostgreSQL and RabbitMQ for the fault proofs: own data directories, own ports, own processes.

Only these processes are ever killed or restarted, by the process id we started; the machine's shared
servers are never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RABBIT_BIN = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
PG_SIGNALS = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT, "kill": signal.SIGKILL}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port} after {timeout}s")


class ThrowawayPostgres:
    """initdb into a temp dir; `postgres` runs in the foreground as our child (as the postgres user when root)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="proof-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.user = "postgres" if os.geteuid() == 0 else None
        os.chmod(self.root, 0o777)

    def _run(self, *args: str) -> None:
        subprocess.run(list(args), check=True, capture_output=True, user=self.user)

    def init(self) -> "ThrowawayPostgres":
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        return self

    def start(self, timeout: float = 30) -> None:
        log = open(self.root / "postgres.log", "ab")
        self.process = subprocess.Popen(
            [str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.root),
             "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "shared_buffers=128MB",
             "-c", "synchronous_commit=on", "-c", "fsync=on"],
            stdout=log, stderr=log, user=self.user,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True)
            if r.returncode == 0:
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.root / 'postgres.log').read_text()[-2000:]}")
            time.sleep(0.1)
        raise TimeoutError("postgres did not start")

    def stop(self, mode: str = "fast", timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(PG_SIGNALS[mode])
        self.process.wait(timeout)

    def restart(self, mode: str = "fast") -> float:
        """Stop (fast: SIGINT; immediate: SIGQUIT) and start again; returns the seconds it was away."""
        started = time.monotonic()
        self.stop(mode)
        self.start()
        return time.monotonic() - started

    def url(self, user: str = "postgres", password: str = "postgres", database: str = "postgres") -> str:
        return f"postgres://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class ThrowawayRabbit:
    """`rabbitmq-server` in the foreground as our child, node proof<port>@localhost, everything in a temp dir."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="proof-rabbit-"))
        self.port = free_port()
        self.dist_port = free_port()
        self.process: subprocess.Popen | None = None
        (self.root / "enabled_plugins").write_text("[].\n")
        (self.root / "rabbitmq-env.conf").write_text("")
        (self.root / "rabbitmq.conf").write_text("loopback_users = none\n")

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "HOME": str(self.root),
            "RABBITMQ_NODENAME": f"proof{self.port}@localhost",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.root / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.root / "advanced.config"),
            "RABBITMQ_PID_FILE": str(self.root / "rabbit.pid"),
        })
        return env

    def start(self, timeout: float = 60) -> float:
        started = time.monotonic()
        log = open(self.root / "server.log", "ab")
        self.process = subprocess.Popen([str(RABBIT_BIN)], env=self.env, stdout=log, stderr=log,
                                        start_new_session=True, cwd=self.root)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rabbitmq exited: {(self.root / 'server.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("rabbitmq did not start")

    def kill(self) -> None:
        """SIGKILL the node (our process group only: the beam and its port programs, never epmd's daemon)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


async def provision(pg: ThrowawayPostgres, services=("registry", "funding", "evaluation"), *,
                    suffix: str = "") -> dict[str, str]:
    """Roles and migrated databases (civic_<service><suffix>) on the throwaway server; returns the
    environment that points at them."""
    env = {"POSTGRES_ADMIN_URL": pg.url()}
    for s in services:
        env[f"{s.upper()}_DATABASE_URL"] = pg.url("civic_app", "civic_app", f"civic_{s}{suffix}")
        env[f"{s.upper()}_OWNER_DATABASE_URL"] = pg.url("civic_owner", "civic_owner", f"civic_{s}{suffix}")
        env[f"{s.upper()}_RELAY_DATABASE_URL"] = pg.url("civic_relay", "civic_relay", f"civic_{s}{suffix}")
    conn = await asyncpg.connect(pg.url())
    await conn.execute("ALTER ROLE postgres PASSWORD 'postgres'")
    await conn.close()
    done = subprocess.run([sys.executable, "-m", "services.common.data.db", "bootstrap", *services],
                          env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"bootstrap failed: {done.stderr[-2000:]}")
    return env
