"""A Nangang (230103) token sees and changes nothing of Daoli (230102), not even through `_entities`."""

from __future__ import annotations

import uuid

from tests.support import NANGANG, token

from .operations import CRITERIA, DECIDE, EVALUATION, OPEN_PHASE, awarded

ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Evaluation { id title } ... on EvaluationAgency { id name } ... on Project { id evaluations { id } } } }"""


async def test_another_district_sees_none_of_daolis_evaluations(evaluation, consumer, tendered):
    r = tendered
    nangang = token(NANGANG, "bureau_admin")
    await consumer.handle(awarded(str(uuid.uuid4()), district=NANGANG, title="南岗项目"))
    listed = await evaluation.ok("{ evaluations { totalCount edges { node { title district } } } agencies { id } tenders { id } }",
                                 token=nangang)
    assert listed["evaluations"]["totalCount"] == 1
    assert [e["node"] for e in listed["evaluations"]["edges"]] == [{"title": "南岗项目", "district": NANGANG}]
    assert listed["agencies"] == [] and listed["tenders"] == []
    assert (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=nangang))["evaluation"] is None
    entities = await evaluation.ok(ENTITIES, {"reps": [
        {"__typename": "Evaluation", "id": r.evaluation_id},
        {"__typename": "EvaluationAgency", "id": r.chosen_agency},
        {"__typename": "Project", "id": r.project_id},
    ]}, token=nangang)
    assert entities["_entities"] == [None, None, {"id": r.project_id, "evaluations": []}]
    daoli = await evaluation.ok(ENTITIES, {"reps": [{"__typename": "Project", "id": r.project_id}]}, token=r.bureau)
    assert daoli["_entities"] == [{"id": r.project_id, "evaluations": [{"id": r.evaluation_id}]}]
    assert (await evaluation.ok("{ evaluations { totalCount } }", token=r.bureau))["evaluations"]["totalCount"] == 1


async def test_another_district_changes_nothing_of_daolis(evaluation, tendered):
    r = tendered
    # Even an evaluator token naming Daoli's chosen agency: the district comes from the token, and it is Nangang.
    intruder = token(NANGANG, "evaluator", agency=r.chosen_agency)
    error = await evaluation.error(OPEN_PHASE, {"id": r.evaluation_id, "phase": "INITIAL", "criteria": CRITERIA},
                                   token=intruder)
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "evaluationId"}
    tenders = await evaluation.ok("{ tenders { id } }", token=r.bureau)
    decide = await evaluation.error(DECIDE, {"tenderId": tenders["tenders"][0]["id"], "agencyId": r.chosen_agency,
                                             "reason": "改选"}, token=token(NANGANG, "bureau_admin"))
    assert decide["extensions"]["code"] == "NOT_FOUND"
    seen = (await evaluation.ok(EVALUATION, {"id": r.evaluation_id}, token=r.bureau))["evaluation"]
    assert [p["status"] for p in seen["phases"]] == ["PENDING"] * 3


async def test_an_entity_fetch_without_a_token_is_refused(evaluation, tendered):
    error = await evaluation.error(ENTITIES, {"reps": [{"__typename": "Evaluation", "id": tendered.evaluation_id}]})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
