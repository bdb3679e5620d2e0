"""The proof consumer in a process of its own, as in production, where the consuming service's workers run
apart from the producing service (`python -m proof.consumer_process`; the load proofs start it).

It prints `ready` once consuming, runs until its stdin closes, then prints its counters as one JSON line.
The database and broker come from the environment (FUNDING_DATABASE_URL, AMQP_URL), like any service.
"""

from __future__ import annotations

import asyncio
import sys

import orjson
import uvloop

from services.common.kernel.config import amqp_url
from services.common.data.db import start_database, stop_database
from services.funding.models import InboxEvent

from . import eventkit as kit


async def main() -> None:
    await start_database([kit.CONSUMER_DB], pool_max=10)
    consumer = kit.consumer(amqp_url(), InboxEvent)
    await consumer.start()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await consumer.close()
    await stop_database()
    print(orjson.dumps({"handled": consumer.handled, "duplicates": consumer.duplicates,
                        "received": consumer.received, "transactions": consumer.transactions, "redelivered": consumer.redelivered}).decode(), flush=True)


if __name__ == "__main__":
    uvloop.run(main())  # the services' event loop too (uvicorn picks uvloop)
