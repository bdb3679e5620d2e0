"""The evaluation workers look for overdue rectifications by themselves."""

from __future__ import annotations

import asyncio
import dataclasses

from services.common.runtime.service import PeriodicJob
from tests.support import wait_until
from services.common.runtime.workers import ServiceWorkers
from services.evaluation.service import service


def test_the_workers_schedule_the_overdue_check():
    [job] = service.periodic
    assert job.name == "rectification-overdue"
    assert job.run.__name__ == "check_overdue_rectifications"
    assert 0 < job.every_seconds <= 900


async def test_a_periodic_job_repeats_while_the_workers_run_and_stops_with_them(databases, broker):
    runs: list[int] = []

    async def probe() -> None:
        runs.append(1)

    workers = ServiceWorkers(dataclasses.replace(service, periodic=(PeriodicJob("probe", 0.05, probe),)))
    await workers.start()
    try:
        await wait_until(lambda: _at_least(runs, 2), timeout=5)
    finally:
        await workers.stop()
    settled = len(runs)
    await asyncio.sleep(0.2)
    assert len(runs) == settled


async def _at_least(runs: list, n: int) -> bool:
    return len(runs) >= n
