"""CPU time of the processes a proof exercises, read from /proc: figures that other load on the machine
does not distort the way it distorts wall-clock rates."""

from __future__ import annotations

import os

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


class CpuMeter:
    """`meter = CpuMeter(processes={"relay": os.getpid()}, trees={"postgres": pg_pid}).start()`; later
    `meter.seconds()` gives CPU seconds per name since start: a process alone, or a tree with all its
    descendants (PostgreSQL's backends, RabbitMQ's port programs). A backend that exits in between is lost."""

    def __init__(self, *, processes: dict[str, int] | None = None, trees: dict[str, int] | None = None) -> None:
        self.processes = processes or {}
        self.trees = trees or {}
        self._start: dict[str, dict[int, float]] = {}

    def _read(self) -> dict[str, dict[int, float]]:
        read = {name: {pid: _cpu_seconds(pid)} for name, pid in self.processes.items()}
        read.update({name: {pid: _cpu_seconds(pid) for pid in _descendants(root)} for name, root in self.trees.items()})
        return read

    def start(self) -> "CpuMeter":
        self._start = self._read()
        return self

    def seconds(self) -> dict[str, float]:
        now = self._read()
        return {name: sum(t - self._start[name].get(pid, 0.0) for pid, t in pids.items())
                for name, pids in now.items()}


class MachineMeter:
    """The whole machine's CPU over a window, from /proc/stat: how busy it was, and the time the host
    took from this virtual machine (steal) while a runnable process waited: either moves a latency tail."""

    FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")

    def _read(self) -> dict[str, float]:
        with open("/proc/stat") as f:
            values = f.readline().split()[1:1 + len(self.FIELDS)]
        return {name: int(value) / _TICK for name, value in zip(self.FIELDS, values)}

    def start(self) -> "MachineMeter":
        self._start = self._read()
        return self

    def shares(self) -> dict[str, float]:
        """Each part's share of all CPU time since start (busy: everything but idle and iowait)."""
        end = self._read()
        spent = {name: end[name] - self._start[name] for name in self.FIELDS}
        total = sum(spent.values()) or 1.0
        busy = total - spent["idle"] - spent["iowait"]
        return {"busy": busy / total, "steal": spent["steal"] / total, "iowait": spent["iowait"] / total}
