"""Phone follow-up samples: drawn from reported service records, reproducible from their seed."""

from __future__ import annotations

import hashlib
import random
import uuid

from services.evaluation.domain import draw_sample

from .operations import CRITERIA, DRAW, EVALUATION, FOLLOW_UP, INSPECT, OPEN_PHASE, awarded, inspection, service_record

PEOPLE = ["王秀英", "李桂兰", "张玉梅", "刘凤英", "陈建国", "杨淑珍", "赵德明", "黄丽华", "周志强", "吴桂芝"]


async def phone_inspection(evaluation, r, evaluation_id: str) -> str:
    await evaluation.ok(OPEN_PHASE, {"id": evaluation_id, "phase": "INITIAL", "criteria": CRITERIA}, token=r.evaluator)
    made = await evaluation.ok(INSPECT, {"id": evaluation_id, "phase": "INITIAL", "input": inspection("PHONE_FOLLOW_UP")},
                               token=r.evaluator)
    return made["recordInspection"]["id"]


async def test_a_sample_is_reproducible_from_its_seed_whatever_order_the_records_came_in(evaluation, consumer, tendered):
    r = tendered
    other_project = str(uuid.uuid4())
    await consumer.handle(awarded(other_project, title="另一个项目"))
    for name in PEOPLE + PEOPLE[:3]:  # repeat visits: the same people again
        await consumer.handle(service_record(r.project_id, name))
    for name in reversed(PEOPLE):
        await consumer.handle(service_record(other_project, name))
    listed = await evaluation.ok("query($p: ID) { evaluations(filter: {projectId: $p}) { edges { node { id } } } }",
                                 {"p": other_project}, token=r.bureau)
    other_id = listed["evaluations"]["edges"][0]["node"]["id"]

    drawn = []
    for evaluation_id in (r.evaluation_id, other_id):
        inspection_id = await phone_inspection(evaluation, r, evaluation_id)
        drawn.append((await evaluation.ok(DRAW, {"id": inspection_id, "size": 4, "seed": 20260410},
                                          token=r.evaluator))["drawFollowUpSample"])
    names = [[f["beneficiary"] for f in d["followUps"]] for d in drawn]
    assert names[0] == names[1]
    assert names[0] == random.Random(20260410).sample(sorted(set(PEOPLE)), 4)
    population = sorted(PEOPLE)
    assert drawn[0]["sample"] == {"size": 4, "seed": 20260410, "population": 10,
                                  "populationDigest": hashlib.sha256("\n".join(population).encode()).hexdigest()}
    assert draw_sample(PEOPLE, 4, 20260410) == names[0]
    assert [f["community"] for f in drawn[0]["followUps"]] == ["共乐社区"] * 4


async def test_a_sample_without_a_seed_records_the_one_it_used(evaluation, consumer, tendered):
    r = tendered
    for name in PEOPLE:
        await consumer.handle(service_record(r.project_id, name))
    drawn = (await evaluation.ok(DRAW, {"id": await phone_inspection(evaluation, r, r.evaluation_id), "size": 3},
                                 token=r.evaluator))["drawFollowUpSample"]
    assert [f["beneficiary"] for f in drawn["followUps"]] == draw_sample(PEOPLE, 3, drawn["sample"]["seed"])


async def test_sampling_and_answers_are_checked(evaluation, consumer, tendered):
    r = tendered
    for name in PEOPLE[:3]:
        await consumer.handle(service_record(r.project_id, name))
    inspection_id = await phone_inspection(evaluation, r, r.evaluation_id)
    too_many = await evaluation.error(DRAW, {"id": inspection_id, "size": 4, "seed": 1}, token=r.evaluator)
    assert too_many["extensions"] == {"code": "BAD_USER_INPUT", "field": "size"}
    site = await evaluation.ok(INSPECT, {"id": r.evaluation_id, "phase": "INITIAL", "input": inspection("SITE_VISIT")},
                               token=r.evaluator)
    wrong_kind = await evaluation.error(DRAW, {"id": site["recordInspection"]["id"], "size": 1, "seed": 1},
                                        token=r.evaluator)
    assert wrong_kind["extensions"]["field"] == "inspectionId"
    drawn = (await evaluation.ok(DRAW, {"id": inspection_id, "size": 2, "seed": 1}, token=r.evaluator))["drawFollowUpSample"]
    again = await evaluation.error(DRAW, {"id": inspection_id, "size": 2, "seed": 2}, token=r.evaluator)
    assert again["extensions"]["code"] == "CONFLICT"
    target = drawn["followUps"][0]["id"]
    contradiction = await evaluation.error(FOLLOW_UP, {"id": target, "reached": False, "satisfied": True},
                                           token=r.evaluator)
    assert contradiction["extensions"] == {"code": "BAD_USER_INPUT", "field": "satisfied"}
    seen = (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert [(f["reached"], f["satisfied"]) for f in seen["followUps"]] == [(None, None), (None, None)]


async def test_a_service_record_redelivered_under_a_new_event_id_counts_once(evaluation, consumer, tendered):
    r = tendered
    for name in PEOPLE[:2]:
        await consumer.handle(service_record(r.project_id, name, record_id=f"rec-{name}"))
    # The same record reported again (a new event id): the population must not double-count it.
    await consumer.handle(service_record(r.project_id, "张三", record_id=f"rec-{PEOPLE[0]}"))
    drawn = (await evaluation.ok(DRAW, {"id": await phone_inspection(evaluation, r, r.evaluation_id), "size": 2,
                                        "seed": 3}, token=r.evaluator))["drawFollowUpSample"]
    assert drawn["sample"]["population"] == 2
    assert sorted(f["beneficiary"] for f in drawn["followUps"]) == sorted(PEOPLE[:2])


async def test_service_records_arriving_as_one_batch_are_kept_once_each(evaluation, consumer, tendered):
    # A batch mutation's records reach evaluation as one run of events, written by one INSERT; a record
    # already kept, or twice in the run under new event ids, still counts once.
    r = tendered
    await consumer.handle(service_record(r.project_id, PEOPLE[0], record_id="rec-0"))
    run = [service_record(r.project_id, name, record_id=f"rec-{n}") for n, name in enumerate(PEOPLE)]
    run.append(service_record(r.project_id, "张三", record_id="rec-1"))
    assert await consumer.handle_many(run) == len(run)  # every event new to the inbox
    drawn = (await evaluation.ok(DRAW, {"id": await phone_inspection(evaluation, r, r.evaluation_id), "size": 10,
                                        "seed": 5}, token=r.evaluator))["drawFollowUpSample"]
    assert drawn["sample"]["population"] == len(PEOPLE)
    assert sorted(f["beneficiary"] for f in drawn["followUps"]) == sorted(PEOPLE)
