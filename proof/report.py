"""The proof's one table: what was tried, what was expected, what happened.

Every proof test calls `record(...)`; rows are appended (one JSON object a line) to the results file,
so several pytest processes (checks, faults, load) add to one table. `python -m proof.report` prints it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

# One file per test namespace, so that runs sharing a machine (and a working tree) keep their own table.
RESULTS = Path(os.environ.get("PROOF_RESULTS", Path(__file__).resolve().parent / ".results" /
                              f"results-{os.environ.get('CIVIC_TEST_NAMESPACE', 'test')}.jsonl"))


# The numbering: isolation and bad input 7-10, entry limits 11, webhooks 12, faults F1-F6; load: events L1, portal mix L2, districts L3.
ORDER = ["7", "8", "9", "10", "11", "12", "F1", "F2", "F3", "F4", "F5", "F6", "L1", "L2", "L3"]


def mode() -> str:
    """`ci` (the short version inside `make test`) or `full` (`make proof`)."""
    return os.environ.get("PROOF_MODE", "ci")


def full() -> bool:
    return mode() == "full"


def record(item: str, tried: str, expected: str, happened: str, ok: bool, *, figure: bool = False, **figures) -> None:
    """`figure=True`: a speed claim, reported as a ratio against a baseline of the same run; it never fails the run."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    row = {"item": item, "tried": tried, "expected": expected, "happened": happened, "ok": bool(ok),
           "figure": figure, "mode": mode(), "at": time.strftime("%Y-%m-%d %H:%M:%S"), **figures}
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def reset() -> None:
    if RESULTS.exists():
        RESULTS.unlink()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    return f"{nproc} CPUs (nproc), {cpu}; Linux {platform.release()}; Python {platform.python_version()}"


def rows() -> list[dict]:
    if not RESULTS.exists():
        return []
    return [json.loads(line) for line in RESULTS.read_text(encoding="utf-8").splitlines() if line.strip()]


def table(items: list[dict]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| # | tried | expected | happened | ok |", "|---|---|---|---|---|"]
    for row in items:
        lines.append(f"| {cell(row['item'])} | {cell(row['tried'])} | {cell(row['expected'])} | "
                     f"{cell(row['happened'])} | {_verdict(row)} |")
    return "\n".join(lines)


def _latest(items: list[dict]) -> list[dict]:
    """For each item, the rows of its last run (a proof writes its rows one after another)."""
    order: list[str] = []
    blocks: dict[str, list[dict]] = {}
    previous = None
    for row in items:
        item = row["item"]
        if item not in blocks:
            order.append(item)
        if item != previous:
            blocks[item] = []
        blocks[item].append(row)
        previous = item
    rank = {item: i for i, item in enumerate(ORDER)}
    order.sort(key=lambda item: rank.get(item, len(ORDER)))
    return [row for item in order for row in blocks[item]]


def _verdict(row: dict) -> str:
    if row.get("figure"):
        return "figure: met" if row["ok"] else "figure: not met"
    return "yes" if row["ok"] else "**NO**"


def main() -> int:
    # A group rerun alone (`--only`) replaces that group's rows of the last whole run: keep the latest of each.
    items = _latest(rows())
    print(f"\nProof ({mode()} run) on {machine()}\n")
    print(table(items))
    failed = [r for r in items if not r["ok"] and not r.get("figure")]
    missed = [r for r in items if not r["ok"] and r.get("figure")]
    print(f"\n{len(items)} rows, {len(failed)} not as expected; {len(missed)} speed figures short of their target "
          "(figures, not failures).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
