"""`python -m services.evaluation` serves the evaluation subgraph (port 4003 unless PORT says otherwise).

`python -m services.evaluation check-overdue` runs the overdue-rectification check once, for every
district in the directory (schedule it, e.g. a Kubernetes CronJob every 15 minutes).
"""

import asyncio
import sys

from services.common.data.db import start_database, stop_database
from services.common.runtime.serve import serve

from .domain import check_overdue_rectifications


async def _check_overdue() -> int:
    await start_database(["evaluation"])
    try:
        overdue = await check_overdue_rectifications()
    finally:
        await stop_database()
    print(f"{len(overdue)} rectification(s) newly overdue")
    return 0


if len(sys.argv) > 1 and sys.argv[1] == "check-overdue":
    sys.exit(asyncio.run(_check_overdue()))
serve("evaluation", "services.evaluation.app:app")
