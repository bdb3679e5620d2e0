"""A whole venture round, replayed from the source document's figures in miniature.

Source: 88 needs -> 42 entries -> 17 selected on a 2,000,000 yuan fund. Here: 8 needs -> 4 entries ->
3 selected on 200,000 yuan, one upheld and one dismissed objection, 2 awards, delivery, a violation
from evaluation arriving through the broker, and its settlement.
"""

from __future__ import annotations

import aio_pika
import orjson

from services.common.kernel.config import amqp_url
from services.common.events.topology import EXCHANGE
from tests.support import DAOLI, token, wait_until
from services.common.runtime.workers import ServiceWorkers
from services.funding.service import service

from .flow import (ADVANCE, AWARD, CLOSE_NOTICE, CONFLICT, CRITERIA, DISBURSE, EXPENSE, MERGE, NEED, OBJECT, OPEN,
                   PANEL, PROJECT, PUBLISH, RECORD, RESOLVE, ROUND, SCORE, SELECT, SETTLE, TODAY, UNMERGE, grades,
                   know_organization, violation_envelope)

NEEDS = [  # (subdistrict, community, category, method, entry)
    ("新阳路街道", "共乐社区", "ELDERLY_CARE", "QUESTIONNAIRE", "meals"),
    ("新阳路街道", "共乐社区", "ELDERLY_CARE", "DOOR_TO_DOOR", "meals"),
    ("新阳路街道", "共乐社区", "ELDERLY_CARE", "FIELD_SURVEY", "meals"),
    ("抚顺街道", "新华社区", "YOUTH", "QUESTIONNAIRE", "youth"),
    ("抚顺街道", "新华社区", "YOUTH", "DOOR_TO_DOOR", "youth"),
    ("抚顺街道", "兆麟社区", "DISABILITY_SUPPORT", "FIELD_SURVEY", "rehab"),
    ("抚顺街道", "兆麟社区", "DISABILITY_SUPPORT", "QUESTIONNAIRE", "rehab"),
    ("新阳路街道", "共乐社区", "COMMUNITY_GOVERNANCE", "DOOR_TO_DOOR", "council"),
]
ENTRIES = {  # title, requested, grades by the three counted members
    "meals": ("共乐社区助老食堂", "80000.00", (9, 9, 9)),
    "youth": ("新华社区青少年课后托管", "60000.00", (8, 8, 8)),
    "rehab": ("兆麟社区残障康复", "50000.00", (6, 6, 6)),
    "council": ("楼院议事会", "70000.00", (7, 7, 7)),
}


async def test_a_round_runs_from_needs_to_recovery_as_in_the_source(funding, consumer, bureau):
    admin = bureau[DAOLI]
    workers = ServiceWorkers(service)
    await workers.start()
    broker = await aio_pika.connect(amqp_url())
    try:
        channel = await broker.channel()
        exchange = await channel.get_exchange(EXCHANGE)
        alerts = await channel.declare_queue(exclusive=True)
        await alerts.bind(exchange, routing_key="funding.recovery.*")

        # 1. The round and its published criteria.
        rnd = (await funding.ok(OPEN, {"input": {"name": "2024年道里区公益创投", "year": 2024, "budget": "200000.00",
                                                 "criteria": CRITERIA, "minReviews": 2, "noticeDays": 7}},
                                token=admin))["openRound"]
        assert rnd["phase"] == "NEEDS_INTAKE" and rnd["budget"] == "200000.00"
        assert [c["weight"] for c in rnd["criteria"]] == [40, 30, 30]

        # 2. Needs from the subdistricts: an officer files for their own subdistrict.
        officers = {s: token(DAOLI, "subdistrict_officer", subdistrict=s) for s in ("新阳路街道", "抚顺街道")}
        needs: dict[str, list[str]] = {}
        for subdistrict, community, category, method, entry in NEEDS:
            need = (await funding.ok(NEED, {"input": {"roundId": rnd["id"], "subdistrict": subdistrict,
                                                      "community": community, "category": category, "method": method,
                                                      "description": f"{community}居民需求"}},
                                     token=officers[subdistrict]))["recordNeed"]
            needs.setdefault(entry, []).append(need["id"])
        await funding.ok(ADVANCE, {"id": rnd["id"], "to": "LIBRARY"}, token=admin)

        # 3. The library: like needs merged; one need taken out and put back, with reasons kept.
        entries = {}
        for key, (title, requested, _) in ENTRIES.items():
            entries[key] = (await funding.ok(MERGE, {"input": {"needIds": needs[key], "reason": "同类需求合并",
                                                               "title": title, "requested": requested}},
                                             token=admin))["mergeNeeds"]["id"]
        await funding.ok(UNMERGE, {"needId": needs["meals"][2], "reason": "需核实"}, token=admin)
        merged = (await funding.ok(MERGE, {"input": {"needIds": [needs["meals"][2]], "entryId": entries["meals"],
                                                     "reason": "核实后并入"}}, token=admin))["mergeNeeds"]
        assert len(merged["needs"]) == 3
        assert [m["action"] for m in merged["merges"]] == ["MERGE", "UNMERGE", "MERGE"]
        assert merged["merges"][2]["reason"] == "核实后并入"

        # 4. Review: four members; the organization representative declares a conflict with the meals entry.
        members = {}
        for name, kind in (("王专家", "EXPERT"), ("李居民代表", "RESIDENT_REP"), ("赵街道干部", "OFFICIAL"),
                           ("孙机构代表", "ORG_REP")):
            members[kind] = token(DAOLI, "reviewer", sub=f"panel-{kind.lower()}")
            await funding.ok(PANEL, {"input": {"roundId": rnd["id"], "name": name, "kind": kind,
                                               "sub": f"panel-{kind.lower()}"}}, token=admin)
        await funding.ok(ADVANCE, {"id": rnd["id"], "to": "REVIEW"}, token=admin)
        late = await funding.error(UNMERGE, {"needId": needs["meals"][0], "reason": "太晚"}, token=admin)
        assert late["extensions"]["phase"] == "REVIEW"
        await funding.ok(CONFLICT, {"entryId": entries["meals"], "reason": "本人任职于申报机构"}, token=members["ORG_REP"])
        refused = await funding.error(SCORE, {"input": {"entryId": entries["meals"], "grades": grades(10, 10, 10)}},
                                      token=members["ORG_REP"])
        assert refused["extensions"]["code"] == "FORBIDDEN" and "conflict of interest" in refused["message"]
        for key, (_, _, marks) in ENTRIES.items():
            for kind in ("EXPERT", "RESIDENT_REP", "OFFICIAL"):
                await funding.ok(SCORE, {"input": {"entryId": entries[key], "grades": grades(*marks)}}, token=members[kind])
        scored = (await funding.ok(SCORE, {"input": {"entryId": entries["council"], "grades": grades(10, 4, 4)}},
                                   token=members["ORG_REP"]))["scoreEntry"]
        # (7+7+7+((10*40+4*30+4*30)/100 = 6.4)) / 4 = 6.85
        assert scored["score"] == 6.85

        # Selection by score within the budget: meals 80k + youth 60k fit; council 70k does not; rehab 50k does.
        selected = (await funding.ok(SELECT, {"roundId": rnd["id"]}, token=admin))["selectProjects"]["projects"]
        projects = {edge["node"]["title"]: edge["node"]["id"] for edge in selected["edges"]}
        assert sorted(projects) == sorted([ENTRIES[k][0] for k in ("meals", "youth", "rehab")])

        # 5. Public notice, read without a token; one objection upheld, one dismissed.
        await funding.ok(PUBLISH, {"roundId": rnd["id"]}, token=admin)
        notices = (await funding.ok("query($d: String!) { publicNotices(district: $d) { title requested openForObjections } }",
                                    {"d": DAOLI}))["publicNotices"]
        assert len(notices) == 3 and all(n["openForObjections"] for n in notices)
        resident = token(DAOLI, "subdistrict_officer", subdistrict="抚顺街道")
        upheld = (await funding.ok(OBJECT, {"projectId": projects["兆麟社区残障康复"], "reason": "申报材料与实际不符"},
                                   token=resident))["lodgeObjection"]
        dismissed = (await funding.ok(OBJECT, {"projectId": projects["新华社区青少年课后托管"], "reason": "场地不足"},
                                      token=resident))["lodgeObjection"]
        early = await funding.error(ADVANCE, {"id": rnd["id"], "to": "AWARDED"}, token=admin)
        assert "notice period runs until" in early["message"]
        await funding.ok(CLOSE_NOTICE, {"roundId": rnd["id"]}, token=admin)
        still_open = await funding.error(ADVANCE, {"id": rnd["id"], "to": "AWARDED"}, token=admin)
        assert "2 objection(s) are still open" in still_open["message"]
        out = (await funding.ok(RESOLVE, {"id": upheld["id"], "outcome": "UPHELD", "resolution": "经核实属实"},
                                token=admin))["resolveObjection"]
        assert out["project"]["status"] == "WITHDRAWN"
        kept = (await funding.ok(RESOLVE, {"id": dismissed["id"], "outcome": "DISMISSED", "resolution": "已落实场地"},
                                 token=admin))["resolveObjection"]
        assert kept["project"]["status"] == "SELECTED"
        await funding.ok(ADVANCE, {"id": rnd["id"], "to": "AWARDED"}, token=admin)

        # 6. Awards to active organizations known from registry events, with tranche schedules.
        meals_org = await know_organization(consumer, DAOLI, name="共乐为老服务中心")
        youth_org = await know_organization(consumer, DAOLI, name="新华青少年服务社", category="YOUTH")
        meals = (await funding.ok(AWARD, {"input": {"projectId": projects["共乐社区助老食堂"], "organizationId": meals_org,
                                                    "grant": "80000.00", "tranches": [{"amount": "50000.00", "dueOn": TODAY},
                                                                                      {"amount": "30000.00", "dueOn": TODAY}]}},
                                  token=admin))["awardProject"]
        youth = (await funding.ok(AWARD, {"input": {"projectId": projects["新华社区青少年课后托管"], "organizationId": youth_org,
                                                    "grant": "60000.00", "tranches": [{"amount": "30000.00", "dueOn": TODAY},
                                                                                      {"amount": "30000.00", "dueOn": TODAY}]}},
                                  token=admin))["awardProject"]
        assert meals["organization"] == {"id": meals_org} and meals["organizationName"] == "共乐为老服务中心"
        await funding.ok(DISBURSE, {"id": meals["tranches"][0]["id"]}, token=admin)
        await funding.ok(DISBURSE, {"id": youth["tranches"][0]["id"]}, token=admin)

        # 7. Delivery: service records and expenses by each implementing organization.
        meals_member = token(DAOLI, "org_member", org=meals_org)
        youth_member = token(DAOLI, "org_member", org=youth_org)
        for beneficiary, times in (("GL-001", 10), ("GL-002", 20), ("GL-001", 5)):
            await funding.ok(RECORD, {"input": {"projectId": meals["id"], "community": "共乐社区", "serviceDate": TODAY,
                                                "beneficiary": beneficiary, "personTimes": times}}, token=meals_member)
        await funding.ok(RECORD, {"input": {"projectId": youth["id"], "community": "新华社区", "serviceDate": TODAY,
                                            "beneficiary": "XH-001", "personTimes": 8}}, token=youth_member)
        await funding.ok(EXPENSE, {"input": {"projectId": meals["id"], "amount": "12000.50", "spentOn": TODAY,
                                             "description": "食材采购"}}, token=meals_member)

        # 9. A violation found by evaluation arrives through the broker and becomes a capped recovery order.
        finding = violation_envelope(DAOLI, youth["id"], 4_000_000)
        await exchange.publish(aio_pika.Message(body=finding.to_bytes(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                               routing_key=finding.type)

        async def order_of_youth():
            orders = (await funding.ok(PROJECT, {"id": youth["id"]}, token=admin))["project"]["recoveryOrders"]
            return orders[0] if orders else None

        order = await wait_until(order_of_youth)
        assert order["amount"] == "30000.00" and order["source"] == "EVALUATION" and order["status"] == "OPEN"
        assert "capped to 30000.00" in order["reason"] and order["findingId"] == finding.data["findingId"]
        settled = (await funding.ok(SETTLE, {"id": order["id"], "input": {"paymentReference": "HRB-2024-0042"}},
                                    token=admin))["settleRecovery"]
        assert settled["status"] == "SETTLED"

        # Subscribers hear both the fund-recovery alert and its settlement, relayed from the outbox.
        received = []
        for _ in range(2):
            message = await wait_until(lambda: alerts.get(no_ack=True, fail=False))
            received.append(orjson.loads(message.body))
        assert [m["type"] for m in received] == ["funding.recovery.ordered", "funding.recovery.settled"]
        assert received[0]["data"]["amountFen"] == 3_000_000 and received[0]["data"]["organizationName"] == "新华青少年服务社"
        assert received[1]["data"]["orderId"] == order["id"]
    finally:
        await broker.close()
        await workers.stop()

    # The round's trail and totals, and the bureau's statistics.
    totals = (await funding.ok(ROUND, {"id": rnd["id"]}, token=admin))["fundingRound"]
    assert totals["phase"] == "AWARDED"
    assert totals["trail"] == {"needs": 8, "entries": 4, "selected": 3, "withdrawn": 1, "awarded": 2}
    assert (totals["committed"], totals["disbursed"], totals["recovered"]) == ("140000.00", "80000.00", "30000.00")
    assert (totals["beneficiaries"], totals["personTimes"]) == (3, 43)
    stats = (await funding.ok("""query($id: ID) { fundingStats(roundId: $id) { projects openRecovery
        byCategory { key projects committed } byCommunity { key beneficiaries personTimes } } }""",
                              {"id": rnd["id"]}, token=admin))["fundingStats"]
    assert stats["projects"] == 2 and stats["openRecovery"] == "0.00"
    assert stats["byCategory"] == [{"key": "ELDERLY_CARE", "projects": 1, "committed": "80000.00"},
                                   {"key": "YOUTH", "projects": 1, "committed": "60000.00"}]
    assert stats["byCommunity"] == [{"key": "共乐社区", "beneficiaries": 2, "personTimes": 35},
                                    {"key": "新华社区", "beneficiaries": 1, "personTimes": 8}]
    meals_now = (await funding.ok(PROJECT, {"id": meals["id"]}, token=admin))["project"]
    assert (meals_now["beneficiaries"], meals_now["personTimes"], meals_now["expenses"]["totalCount"]) == (2, 35, 1)
    trail = (await funding.ok("""{ fundingAuditTrail(first: 100) { totalCount edges { node { action } } } }""",
                              token=admin))["fundingAuditTrail"]
    assert {"openRound", "recordNeed", "mergeNeeds", "unmergeNeed", "scoreEntry", "awardProject", "disburseTranche",
            "orderRecovery", "settleRecovery"} <= {e["node"]["action"] for e in trail["edges"]}
