from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from services.common.kernel.config import amqp_url
from services.common.events.consumer import EventConsumer
from services.common.runtime.subgraph import create_app
from tests.support import DAOLI, GraphQLClient, token
from services.evaluation.consumers import handlers
from services.evaluation.models import InboxEvent
from services.evaluation.service import service

from .operations import BID, DECIDE, OPEN_TENDER, REGISTER_AGENCY, ROUND, awarded, credit, round_opened


@pytest.fixture
async def evaluation(databases, broker):
    client = GraphQLClient(create_app(service, manage_database=False, workers=False))
    yield client
    await client.close()


@pytest.fixture
def consumer(databases) -> EventConsumer:
    """Evaluation's consumer, handed envelopes directly (as the broker would deliver them)."""
    return EventConsumer(name="evaluation", connection="evaluation", inbox=InboxEvent, handlers=handlers,
                         amqp_url=amqp_url())


@dataclass
class Round:
    bureau: str
    evaluator: str  # an evaluator of the agency the tender chose
    rival: str  # an evaluator of the agency that lost
    chosen_agency: str
    project_id: str
    evaluation_id: str


@pytest.fixture
async def tendered(evaluation, consumer) -> Round:
    """Daoli's bureau tendered round ROUND: two bids, 评估公司甲 chosen; one project awarded in it."""
    bureau = token(DAOLI, "bureau_admin")
    agencies = []
    for n, name in enumerate(("评估公司甲", "评估公司乙")):
        data = await evaluation.ok(REGISTER_AGENCY, {"input": {"name": name, "creditCode": credit(n + 1)}}, token=bureau)
        agencies.append(data["registerEvaluationAgency"]["id"])
    assert await consumer.handle(round_opened())
    tender = (await evaluation.ok(OPEN_TENDER, {"input": {"roundId": ROUND, "roundName": "2026年公益创投"}},
                                  token=bureau))["openEvaluationTender"]
    for agency, price in zip(agencies, ("180000.00", "150000.00")):
        await evaluation.ok(BID, {"tenderId": tender["id"], "input": {"agencyId": agency, "price": price}}, token=bureau)
    await evaluation.ok(DECIDE, {"tenderId": tender["id"], "agencyId": agencies[0], "reason": "技术分最高"}, token=bureau)
    project_id = str(uuid.uuid4())
    assert await consumer.handle(awarded(project_id))
    listed = await evaluation.ok("{ evaluations { edges { node { id projectId } } } }", token=bureau)
    [node] = [e["node"] for e in listed["evaluations"]["edges"]]
    return Round(
        bureau=bureau,
        evaluator=token(DAOLI, "evaluator", agency=agencies[0]),
        rival=token(DAOLI, "evaluator", agency=agencies[1]),
        chosen_agency=agencies[0],
        project_id=project_id,
        evaluation_id=node["id"],
    )
