"""The bench's processes: started in sessions of their own, stopped by their own ids; ports, CPU, RSS."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        # As uvicorn and Node do: a listener may bind over the TIME_WAIT sockets of an earlier run.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def pick_port(preferred: int) -> int:
    return preferred if port_free(preferred) else free_port()


class Processes:
    """The subprocesses this run started; each in its own session so it can be stopped by its own id."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        log = self.log_dir / f"{name}.log"
        handle = log.open("wb")
        proc = subprocess.Popen(
            argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=handle, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        handle.close()
        self.started.append((name, proc, log))

    def pid(self, name: str) -> int:
        return next(proc.pid for n, proc, _log in self.started if n == name)

    def check_alive(self) -> None:
        for name, proc, log in self.started:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail(log)}")

    def stop(self) -> None:
        for _name, proc, _log in reversed(self.started):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # its own session: the process and its children
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for _name, proc, _log in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.started.clear()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (from /proc; 0 where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Resident memory of one process in MiB (from /proc; NaN where there is none)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def ensure_npm_installed(directory: Path) -> None:
    """`npm ci` from the directory's lockfile, unless node_modules already matches it."""
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise SystemExit("node and npm are needed for the JavaScript gateways of the comparison")
    marker = directory / "node_modules" / ".package-lock.json"
    lock = directory / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    print(f"installing {directory.name} (npm ci)", file=sys.stderr)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=directory, check=True)


async def wait_ready(client: httpx.AsyncClient, name: str, url: str, processes: Processes, *,
                     post: dict | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        processes.check_alive()
        try:
            response = await (client.post(url, json=post) if post is not None else client.get(url))
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} not ready at {url} after {timeout:.0f} s")
        await asyncio.sleep(0.2)
