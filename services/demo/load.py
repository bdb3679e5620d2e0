"""Loads the demo district through the gateway's GraphQL API, with minted development tokens:

    python -m services.demo.load --gateway http://127.0.0.1:4000 [--scale 0.01]

Nothing is written to a database directly, so every rule, event and audit row applies. Idempotent: when
Daoli's demo round already exists it loads nothing and prints the headline figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from dataclasses import dataclass, field

from services.common.kernel.auth import mint_token
from services.common.kernel.calendar import today
from services.common.kernel.credit_code import make_credit_code

from . import figures as F
from .api import Api, ApiError, gather_limited
from .headline import headline, print_headline

ONBOARD = "mutation($input: OnboardDistrictInput!) { onboardDistrict(input: $input) { code } }"
ORGANIZATIONS = """query($after: String) { organizations(first: 100, after: $after) {
  edges { node { id name } } pageInfo { hasNextPage endCursor } } }"""
REGISTER = "mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id name } }"
STATION = "mutation($input: ServiceStationInput!) { upsertServiceStation(input: $input) { id } }"
ROUNDS = "{ fundingRounds(first: 50) { edges { node { id name } } } }"
OPEN_ROUND = "mutation($input: OpenRoundInput!) { openRound(input: $input) { id } }"
ADVANCE = "mutation($id: ID!, $to: Phase!) { advanceRound(id: $id, to: $to) { phase } }"
NEED = "mutation($input: RecordNeedInput!) { recordNeed(input: $input) { id } }"
MERGE = "mutation($input: MergeNeedsInput!) { mergeNeeds(input: $input) { id } }"
PANEL = "mutation($input: PanelMemberInput!) { addPanelMember(input: $input) { id } }"
CONFLICT = "mutation($entryId: ID!, $reason: String!) { declareConflict(entryId: $entryId, reason: $reason) { id } }"
SCORE = "mutation($input: ScoreEntryInput!) { scoreEntry(input: $input) { id } }"
SELECT = """mutation($roundId: ID!) { selectProjects(roundId: $roundId) {
  projects(first: 50) { edges { node { id libraryEntry { id } } } } } }"""
PUBLISH = "mutation($roundId: ID!) { publishNotice(roundId: $roundId) { phase } }"
OBJECT = "mutation($projectId: ID!, $reason: String!) { lodgeObjection(projectId: $projectId, reason: $reason) { id } }"
RESOLVE = """mutation($id: ID!, $resolution: String!) {
  resolveObjection(id: $id, outcome: DISMISSED, resolution: $resolution) { id } }"""
CLOSE_NOTICE = "mutation($roundId: ID!) { closeNoticePeriod(roundId: $roundId) { id } }"
AWARD = "mutation($input: AwardProjectInput!) { awardProject(input: $input) { id tranches { id } } }"
DISBURSE = "mutation($id: ID!) { disburseTranche(trancheId: $id) { id } }"
EXPENSE = "mutation($input: ExpenseInput!) { reportExpense(input: $input) { id } }"
RECORDS = "mutation($input: [ServiceRecordInput!]!) { reportServiceRecords(input: $input) { id } }"
AGENCY = "mutation($input: RegisterEvaluationAgencyInput!) { registerEvaluationAgency(input: $input) { id } }"
TENDER = "mutation($input: OpenEvaluationTenderInput!) { openEvaluationTender(input: $input) { id } }"
BID = "mutation($tenderId: ID!, $input: TenderBidInput!) { recordTenderBid(tenderId: $tenderId, input: $input) { id } }"
DECIDE = """mutation($tenderId: ID!, $agencyId: ID!, $reason: String!) {
  decideEvaluationTender(tenderId: $tenderId, agencyId: $agencyId, reason: $reason) { status } }"""
EVALUATIONS = "{ evaluations(first: 50) { totalCount edges { node { id projectId agency { id } } } } }"
OPEN_PHASE = """mutation($id: ID!, $criteria: [EvaluationCriterionInput!]!) {
  openEvaluationPhase(evaluationId: $id, phase: INITIAL, criteria: $criteria) { status } }"""
INSPECT = """mutation($id: ID!, $input: InspectionInput!) {
  recordInspection(evaluationId: $id, phase: INITIAL, input: $input) { id } }"""
COMPLETE = """mutation($id: ID!, $scores: [EvaluationScoreInput!]!) {
  completeEvaluationPhase(evaluationId: $id, phase: INITIAL, scores: $scores, summary: "初期评估完成") { status } }"""
FINDING = """mutation($id: ID!, $input: FindingInput!) {
  recordFinding(evaluationId: $id, phase: INITIAL, input: $input) { id } }"""
OPEN_ORDERS = "{ recoveryOrders(status: OPEN, first: 5) { totalCount } }"

CRITERIA = [{"name": "需求契合度", "weight": 40}, {"name": "可行性", "weight": 30}, {"name": "社会效益", "weight": 30}]
EVALUATION_CRITERIA = [{"name": "服务成效", "maxPoints": 60}, {"name": "财务规范", "maxPoints": 40}]
SHA = "5f1d2b7c0a9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a392817f6e5d4"
RECORD_BATCH = 100

# Names of organizations (illustrative): registered ones by prefix and category, filed ones by activity.
PREFIXES = ("夕阳红", "阳光", "爱心", "温馨", "和谐", "同心", "益邻", "暖心", "春晖", "启航", "向日葵", "彩虹", "晨曦",
            "蒲公英", "常青藤", "红枫", "松花江", "金色年华", "乐龄", "安康", "明德", "善行", "慈航", "惠民", "邻里情",
            "手拉手", "绿丝带", "北国", "冰城", "太阳岛", "百合")
SUFFIX = {"ELDERLY_CARE": "为老服务中心", "DISABILITY_SUPPORT": "助残服务中心", "POVERTY_RELIEF": "帮扶救助服务中心",
          "YOUTH": "青少年服务中心", "COMMUNITY_GOVERNANCE": "社区治理促进会", "NEIGHBOR_MUTUAL_AID": "邻里互助协会",
          "VOLUNTEERS": "志愿者协会", "SOCIAL_WORK": "社会工作服务中心", "LEGAL_AID": "法律援助服务中心"}
ACTIVITIES = ("夕阳红舞蹈队", "巧手编织队", "助老志愿队", "书画社", "合唱团", "象棋协会", "太极拳队", "义务巡逻队",
              "邻里调解室", "健康讲堂", "读书会", "手工坊", "四点半课堂", "助残陪伴队", "法律明白人小组", "环保志愿队",
              "民俗文化队", "爱心理发队", "老年大学班", "亲子阅读会", "楼栋长议事会", "爱心厨房")
PROJECT_NOUN = {"ELDERLY_CARE": "银龄关爱", "DISABILITY_SUPPORT": "助残康复", "POVERTY_RELIEF": "困难家庭帮扶",
                "YOUTH": "青少年成长", "COMMUNITY_GOVERNANCE": "居民议事厅", "NEIGHBOR_MUTUAL_AID": "邻里守望",
                "VOLUNTEERS": "志愿服务站", "SOCIAL_WORK": "社工驻点服务", "LEGAL_AID": "法律进社区"}
REGISTERED_STAGES = ("HUB", "HUB", "GROWTH", "GROWTH", "GROWTH", "STARTUP")
# (name, credit code, bid): social-work evaluation centres are 民办非企业单位 (type 2) of civil affairs; the second
# is registered by the city (division 230100).
AGENCIES = ((F.EVALUATION_AGENCY, make_credit_code(F.DISTRICT_CODE, 60000001), "168000.00"),
            ("哈尔滨市正阳社会工作评估中心", make_credit_code(F.CITY_CODE, 60000002), "175000.00"))


@dataclass
class Org:
    name: str
    registration: str
    category: str
    subdistrict: str
    community: str | None = None
    credit_code: str | None = None
    stage: str | None = None
    party: str = "NONE"


@dataclass
class Entry:
    subdistrict: str
    category: str
    communities: list[str]
    needs: int
    requested_yuan: int
    selected: bool


@dataclass
class Plan:
    organizations: list[Org]
    stations: list[tuple[str, str]]
    entries: list[Entry]
    # per selected entry (in entry order): beneficiaries and person-times
    delivery: list[tuple[int, int]] = field(default_factory=list)


def plan(figures: F.Figures) -> Plan:
    """Everything the loader will create, computed before any call (so tests can check the arithmetic)."""
    subdistricts = list(F.SERVED)
    orgs: list[Org] = []
    for n in range(F.PARTY_ORGANIZATIONS):  # every registered organization has a party organization (100%)
        category = F.CATEGORIES[n % len(F.CATEGORIES)]
        orgs.append(Org(
            name=f"道里区{PREFIXES[n]}{SUFFIX[category]}", registration="REGISTERED", category=category,
            subdistrict=subdistricts[n % len(subdistricts)], credit_code=make_credit_code(F.DISTRICT_CODE, 50000000 + n),
            stage=REGISTERED_STAGES[n] if n < F.INCUBATOR_REGISTERED else None,
            party="INDEPENDENT" if n < F.PARTY_INDEPENDENT else "JOINT",
        ))
    communities = [(s, c) for s, cs in F.SERVED.items() for c in cs]
    for n in range(F.INCUBATOR_FILED):
        subdistrict, community = communities[n % len(communities)]
        orgs.append(Org(name=f"{community}{ACTIVITIES[n]}", registration="FILED",
                        category=F.CATEGORIES[n % len(F.CATEGORIES)], subdistrict=subdistrict, community=community,
                        stage="GROWTH" if n % 3 == 0 else "STARTUP"))

    stations = list(communities)
    n = 0
    while len(stations) < figures.service_stations:
        subdistrict = F.OTHER_SUBDISTRICTS[n % len(F.OTHER_SUBDISTRICTS)]
        stations.append((subdistrict, f"{subdistrict.removesuffix('街道').removesuffix('镇')}第{n // len(F.OTHER_SUBDISTRICTS) + 1}社区"))
        n += 1
    stations = stations[: figures.service_stations]

    # 88 needs into 42 entries: two needs each, three for the first few, each entry in one subdistrict.
    extra = F.NEEDS - 2 * F.LIBRARY_ENTRIES
    entries = []
    for i in range(F.LIBRARY_ENTRIES):
        subdistrict = subdistricts[i % len(subdistricts)]
        own = list(F.SERVED[subdistrict])
        k = i // len(subdistricts)
        needs = 3 if i >= F.LIBRARY_ENTRIES - extra else 2
        entries.append(Entry(
            subdistrict=subdistrict, category=F.CATEGORIES[i % len(F.CATEGORIES)],
            communities=[own[(k + j) % len(own)] for j in range(needs)], needs=needs,
            requested_yuan=F.GRANTS_YUAN[i] if i < F.SELECTED else 60_000 + 5_000 * (i % 7), selected=i < F.SELECTED,
        ))
    return Plan(orgs, stations, entries, delivery=_delivery(figures))


def _shares(total: int, weights: list[int]) -> list[int]:
    """Splits a whole number by weights, exactly (largest remainders)."""
    whole = sum(weights)
    raw = [total * w for w in weights]
    shares = [r // whole for r in raw]
    for i in sorted(range(len(weights)), key=lambda i: -(raw[i] % whole))[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _delivery(figures: F.Figures) -> list[tuple[int, int]]:
    weights = list(F.GRANTS_YUAN)
    return list(zip(_shares(figures.beneficiaries, weights), _shares(figures.person_times, weights)))


def service_records(project_index: int, project_id: str, entry: Entry, beneficiaries: int, person_times: int) -> list[dict]:
    """One record per beneficiary (distinct references across the district); person-times spread evenly."""
    each, rest = divmod(person_times, beneficiaries)
    communities = list(F.SERVED[entry.subdistrict])
    return [
        {"projectId": project_id, "subdistrict": entry.subdistrict, "community": communities[k % len(communities)],
         "serviceDate": today().isoformat(),  # the project was awarded today: delivery starts today
         "beneficiary": f"DL{project_index:02d}-{k:05d}", "personTimes": each + (1 if k < rest else 0)}
        for k in range(beneficiaries)
    ]


class Loader:
    def __init__(self, api: Api, figures: F.Figures, *, concurrency: int = 8, log=print) -> None:
        self.api, self.figures, self.concurrency, self.log = api, figures, concurrency, log
        self.district = F.DISTRICT_CODE
        self.city = mint_token(district=None, roles=["city_admin"], city=F.CITY_CODE, sub="demo-city-admin")
        self.bureau = mint_token(district=self.district, roles=["bureau_admin"], sub="demo-bureau-admin")
        self.plan = plan(figures)

    def token(self, role: str, **claims: str) -> str:
        return mint_token(district=self.district, roles=[role], **claims)

    async def many(self, query: str, variables: list[dict], *, token: str) -> list[dict]:
        return await gather_limited(self.concurrency, [self.api.call(query, v, token=token) for v in variables])

    async def run(self) -> bool:
        """Loads the demo; False when it was already there."""
        await self.onboard()
        rounds = (await self.api.call(ROUNDS, token=self.bureau))["fundingRounds"]["edges"]
        if any(e["node"]["name"] == F.ROUND_NAME for e in rounds):
            self.log(f"{F.DISTRICT_NAME}'s demo round '{F.ROUND_NAME}' is already there: nothing loaded.")
            return False
        orgs = await self.registry()
        round_id, projects = await self.round()
        awarded = await self.award(projects, orgs)
        await self.deliver(awarded)
        await self.evaluate(round_id, awarded)
        return True

    async def onboard(self) -> None:
        for code, name in ((self.district, F.DISTRICT_NAME), *F.OTHER_DISTRICTS):
            try:
                await self.api.call(ONBOARD, {"input": {"code": code, "name": name, "cityCode": F.CITY_CODE}}, token=self.city)
                self.log(f"onboarded {code} {name}")
            except ApiError as exc:
                if exc.code != "CONFLICT":
                    raise

    async def registry(self) -> dict[str, str]:
        """Organizations (resuming a half-done load by name) and service stations; name -> id."""
        known: dict[str, str] = {}
        after = None
        while True:
            page = (await self.api.call(ORGANIZATIONS, {"after": after}, token=self.bureau))["organizations"]
            known.update({e["node"]["name"]: e["node"]["id"] for e in page["edges"]})
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        missing = [o for o in self.plan.organizations if o.name not in known]
        created = await self.many(REGISTER, [{"input": {
            "name": o.name, "registration": o.registration, "category": o.category, "subdistrict": o.subdistrict,
            "community": o.community, "creditCode": o.credit_code, "incubationStage": o.stage,
            "partyOrganization": o.party}} for o in missing], token=self.bureau)
        known.update({c["registerOrganization"]["name"]: c["registerOrganization"]["id"] for c in created})
        await self.many(STATION, [{"input": {
            "subdistrict": s, "community": c, "hasStaffAtWindow": True, "hasNamePlate": True, "hasComputer": True,
            "hasArchiveCabinet": True, "hasArchiveMaterials": True}} for s, c in self.plan.stations], token=self.bureau)
        self.log(f"registry: {len(self.plan.organizations)} organizations, {len(self.plan.stations)} service stations")
        return known

    async def round(self) -> tuple[str, list[str]]:
        """Needs -> library -> review -> notice -> AWARDED; returns the selected projects in entry order."""
        bureau, entries = self.bureau, self.plan.entries
        round_id = (await self.api.call(OPEN_ROUND, {"input": {
            "name": F.ROUND_NAME, "year": F.ROUND_YEAR, "budget": f"{F.BUDGET_YUAN}.00", "criteria": CRITERIA,
            "minReviews": F.MIN_REVIEWS, "noticeDays": 7}}, token=bureau))["openRound"]["id"]
        need_inputs = [
            {"input": {"roundId": round_id, "subdistrict": e.subdistrict, "community": c, "category": e.category,
                       "method": F.METHODS[(i + j) % len(F.METHODS)],
                       "description": f"{c}居民的{PROJECT_NOUN[e.category]}需求"}}
            for i, e in enumerate(entries) for j, c in enumerate(e.communities)
        ]
        need_ids = [r["recordNeed"]["id"] for r in await self.many(NEED, need_inputs, token=bureau)]
        await self.api.call(ADVANCE, {"id": round_id, "to": "LIBRARY"}, token=bureau)
        merges, start = [], 0
        for e in entries:
            merges.append({"input": {"needIds": need_ids[start:start + e.needs], "reason": "合并同类项",
                                     "title": f"{e.communities[0]}{PROJECT_NOUN[e.category]}项目",
                                     "requested": f"{e.requested_yuan}.00"}})
            start += e.needs
        entry_ids = [r["mergeNeeds"]["id"] for r in await self.many(MERGE, merges, token=bureau)]
        subs = [f"demo-panel-{i}" for i in range(len(F.PANEL))]
        for (name, kind), sub in zip(F.PANEL, subs):
            await self.api.call(PANEL, {"input": {"roundId": round_id, "name": name, "kind": kind, "sub": sub}}, token=bureau)
        # The organization representative's own organization applied for the first entry: declared, not counted.
        conflicted = (subs[-1], entry_ids[0])
        await self.api.call(CONFLICT, {"entryId": conflicted[1], "reason": "本人所在组织参与该项目申报"},
                            token=self.token("reviewer", sub=conflicted[0]))
        await self.api.call(ADVANCE, {"id": round_id, "to": "REVIEW"}, token=bureau)
        scores = []
        for i, (entry, entry_id) in enumerate(zip(entries, entry_ids)):
            for m, sub in enumerate(subs):
                if (sub, entry_id) == conflicted:
                    continue
                base = 9 if entry.selected else 6
                grades = [base - (m + i) % 2, base, base - (m % 3 == 2)]
                scores.append((sub, {"input": {"entryId": entry_id, "grades": [
                    {"criterion": c["name"], "grade": g} for c, g in zip(CRITERIA, grades)]}}))
        await gather_limited(self.concurrency, [
            self.api.call(SCORE, v, token=self.token("reviewer", sub=sub)) for sub, v in scores])
        selected = (await self.api.call(SELECT, {"roundId": round_id}, token=bureau))["selectProjects"]
        by_entry = {e["node"]["libraryEntry"]["id"]: e["node"]["id"] for e in selected["projects"]["edges"]}
        projects = [by_entry[entry_id] for entry, entry_id in zip(entries, entry_ids) if entry.selected]
        await self.api.call(PUBLISH, {"roundId": round_id}, token=bureau)
        objection = (await self.api.call(OBJECT, {"projectId": projects[-1], "reason": "承接组织是否具备服务经验?"},
                                         token=self.token("subdistrict_officer", subdistrict=entries[F.SELECTED - 1].subdistrict)))
        await self.api.call(RESOLVE, {"id": objection["lodgeObjection"]["id"],
                                      "resolution": "经核实, 承接组织有三年同类服务经验"}, token=bureau)
        await self.api.call(CLOSE_NOTICE, {"roundId": round_id}, token=bureau)
        await self.api.call(ADVANCE, {"id": round_id, "to": "AWARDED"}, token=bureau)
        self.log(f"round: {len(need_ids)} needs -> {len(entry_ids)} library entries -> {len(projects)} selected, "
                 f"{len(scores)} reviews, 1 conflict of interest, 1 objection dismissed")
        return round_id, projects

    async def award(self, projects: list[str], orgs: dict[str, str]) -> list[dict]:
        """Registered organizations implement most projects; the incubator's filed ones get seed projects."""
        registered = [o for o in self.plan.organizations if o.registration == "REGISTERED"]
        filed = [o for o in self.plan.organizations if o.registration == "FILED"]
        seed = F.SELECTED - 6
        implementers = registered[:seed]
        for entry in self.plan.entries[seed:F.SELECTED]:
            implementers.append(next(o for o in filed if o.category == entry.category and o not in implementers))
        awarded = []
        for i, (project_id, org) in enumerate(zip(projects, implementers)):
            grant = F.GRANTS_YUAN[i]
            day = today()
            tranches = [{"amount": f"{grant * 6 // 10}.00", "dueOn": day.isoformat()},
                        {"amount": f"{grant - grant * 6 // 10}.00", "dueOn": (day + dt.timedelta(days=180)).isoformat()}]
            awarded.append({"project": project_id, "org": orgs[org.name], "grant": grant, "index": i,
                            "entry": self.plan.entries[i], "input": {"input": {
                                "projectId": project_id, "organizationId": orgs[org.name], "grant": f"{grant}.00",
                                "tranches": tranches}}})

        async def one(a: dict) -> None:
            # Funding learns of each organization from registry's events: a moment after it was registered.
            result = await self.api.retry(AWARD, a["input"], token=self.bureau)
            a["tranches"] = [t["id"] for t in result["awardProject"]["tranches"]]
            await self.api.call(DISBURSE, {"id": a["tranches"][0]}, token=self.bureau)

        await gather_limited(self.concurrency, [one(a) for a in awarded])
        self.log(f"awards: {len(awarded)} projects, {F.BUDGET_YUAN} yuan committed, first tranches disbursed")
        return awarded

    async def deliver(self, awarded: list[dict]) -> None:
        jobs = []
        for a, (beneficiaries, person_times) in zip(awarded, self.plan.delivery):
            member = self.token("org_member", org=a["org"])
            records = service_records(a["index"], a["project"], a["entry"], beneficiaries, person_times)
            for start in range(0, len(records), RECORD_BATCH):
                jobs.append(self.api.call(RECORDS, {"input": records[start:start + RECORD_BATCH]}, token=member))
            jobs.append(self.api.call(EXPENSE, {"input": {"projectId": a["project"], "amount": f"{a['grant'] // 5}.00",
                                                           "spentOn": today().isoformat(),
                                                           "description": "活动场地、物料与社工劳务"}}, token=member))
        await gather_limited(self.concurrency, jobs)
        self.log(f"delivery: {self.figures.beneficiaries} beneficiaries, {self.figures.person_times} person-times")

    async def evaluate(self, round_id: str, awarded: list[dict]) -> None:
        bureau = self.bureau
        agencies = []
        for name, code, _ in AGENCIES:
            agencies.append((await self.api.call(AGENCY, {"input": {"name": name, "creditCode": code}},
                                                 token=bureau))["registerEvaluationAgency"]["id"])
        # Evaluation knows the round from funding.round.opened, a moment after it opened.
        tender = (await self.api.retry(TENDER, {"input": {"roundId": round_id, "roundName": F.ROUND_NAME,
                                                         "description": "首届公益创投第三方评估"}},
                                      token=bureau))["openEvaluationTender"]["id"]
        for agency, (_, _, price) in zip(agencies, AGENCIES):
            await self.api.call(BID, {"tenderId": tender, "input": {"agencyId": agency, "price": price}}, token=bureau)
        await self.api.call(DECIDE, {"tenderId": tender, "agencyId": agencies[0], "reason": "综合评分第一"}, token=bureau)
        # Evaluation opens one evaluation per awarded project from funding's events.
        deadline = time.monotonic() + 60
        while True:
            data = (await self.api.call(EVALUATIONS, token=bureau))["evaluations"]
            if data["totalCount"] >= len(awarded) and all(e["node"]["agency"] for e in data["edges"]):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"evaluation has {data['totalCount']} of {len(awarded)} evaluations after 60 s")
            await asyncio.sleep(0.3)
        by_project = {e["node"]["projectId"]: e["node"]["id"] for e in data["edges"]}
        evaluator = self.token("evaluator", agency=agencies[0], sub="demo-evaluator")
        under_way = [by_project[a["project"]] for a in awarded[: F.EVALUATIONS_OPENED]]
        for n, evaluation in enumerate(under_way):
            await self.api.call(OPEN_PHASE, {"id": evaluation, "criteria": EVALUATION_CRITERIA}, token=evaluator)
            await self.api.call(INSPECT, {"id": evaluation, "input": {
                "method": "DOCUMENT_REVIEW" if n % 2 == 0 else "SITE_VISIT", "inspectedOn": today().isoformat(),
                "inspector": "心视界评估组", "evidence": [{"fileName": "项目台账.pdf", "checksum": SHA,
                                                       "location": f"archive://{F.ROUND_YEAR}/daoli/{n}/项目台账.pdf"}]}},
                token=evaluator)
            if n < F.EVALUATIONS_INITIAL_COMPLETED:
                await self.api.call(COMPLETE, {"id": evaluation, "scores": [
                    {"criterion": "服务成效", "points": 52 - n}, {"criterion": "财务规范", "points": 36}]}, token=evaluator)
        # One violation: its recovery order is raised by funding from evaluation's event.
        await self.api.call(FINDING, {"id": under_way[-1], "input": {
            "severity": "VIOLATION", "description": "虚列劳务费, 挪用项目资金", "amountAtIssue": f"{F.VIOLATION_YUAN}.00"}},
            token=evaluator)
        deadline = time.monotonic() + 30
        while (await self.api.call(OPEN_ORDERS, token=bureau))["recoveryOrders"]["totalCount"] < 1:
            if time.monotonic() > deadline:
                raise RuntimeError("funding raised no recovery order for the violation within 30 s")
            await asyncio.sleep(0.2)
        self.log(f"evaluation: agency chosen by tender, {len(under_way)} evaluations under way, 1 violation -> "
                 f"recovery order of {F.VIOLATION_YUAN} yuan")


async def load(gateway: str, *, scale: float = 1.0, concurrency: int = 8, log=print) -> dict:
    """Loads (or finds) the demo; returns the headline figures read back through the gateway."""
    figures = F.SOURCE.scaled(scale)
    started = time.monotonic()
    async with Api(gateway) as api:
        loader = Loader(api, figures, concurrency=concurrency, log=log)
        loaded = await loader.run()
        result = await headline(api, loader.bureau)
    if loaded:
        log(f"demo loaded in {time.monotonic() - started:.1f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.demo.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", default="http://127.0.0.1:4000", help="the gateway's URL (default: %(default)s)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="shrink the service records and stations (e.g. 0.01); the rest stays as the source has it")
    parser.add_argument("--concurrency", type=int, default=8, help="calls in flight (default: %(default)s)")
    args = parser.parse_args(argv)
    result = asyncio.run(load(args.gateway, scale=args.scale, concurrency=args.concurrency))
    print(f"{F.DISTRICT_NAME} ({F.DISTRICT_CODE}) headline figures through the gateway:")
    print_headline(result)
    expected = F.SOURCE.scaled(args.scale).headline()
    wrong = {k: (result.get(k), v) for k, v in expected.items() if result.get(k) != v}
    if wrong:
        print(f"these differ from the source: {wrong}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
