"""A project on public notice shows the communities it serves, also when its needs came from several."""

from __future__ import annotations

from tests.support import DAOLI, token

from .flow import ADVANCE, CRITERIA, MERGE, NEED, OPEN, PANEL, PUBLISH, SCORE, SELECT, grades


async def test_a_notice_lists_the_communities_of_the_needs_its_project_was_merged_from(funding, bureau):
    admin = bureau[DAOLI]
    rnd = (await funding.ok(OPEN, {"input": {"name": "创投", "year": 2024, "budget": "100000.00", "criteria": CRITERIA,
                                             "minReviews": 1, "noticeDays": 7}}, token=admin))["openRound"]
    needs = [(await funding.ok(NEED, {"input": {"roundId": rnd["id"], "subdistrict": "新阳路街道", "community": community,
                                                "category": "ELDERLY_CARE", "method": "QUESTIONNAIRE",
                                                "description": "午餐"}}, token=admin))["recordNeed"]["id"]
             for community in ("新阳社区", "共乐社区", "共乐社区")]
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)
    entry = (await funding.ok(MERGE, {"input": {"needIds": needs, "reason": "同类需求", "title": "助老食堂",
                                                "requested": "50000.00"}}, token=admin))["mergeNeeds"]
    await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": "专家", "kind": "EXPERT", "sub": "expert-1"}}, token=admin)
    await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
    await funding.ok(SCORE, {"input": {"entryId": entry["id"], "grades": grades(8, 8, 8)}},
                     token=token(DAOLI, "reviewer", sub="expert-1"))
    await funding.ok(SELECT, {"roundId": rnd["id"]}, token=admin)
    await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=admin)
    [notice] = (await funding.ok("query($d: String!) { publicNotices(district: $d) { title subdistrict community communities } }",
                                 {"d": DAOLI}))["publicNotices"]
    assert notice == {"title": "助老食堂", "subdistrict": "新阳路街道", "community": None, "communities": ["共乐社区", "新阳社区"]}
