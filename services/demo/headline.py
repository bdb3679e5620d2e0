"""The district portal's headline figures, read through the gateway as a portal reads them."""

from __future__ import annotations

from .api import Api
from .figures import ROUND_NAME

HEADLINE = """query Headline {
  registryStats { serviceStations compliantServiceStations
    partyOrganizations { independent joint total coveragePercent } }
  incubator: organizations(filter: {inIncubator: true}, first: 1) { totalCount }
  incubatorRegistered: organizations(filter: {inIncubator: true, registration: REGISTERED}, first: 1) { totalCount }
  incubatorFiled: organizations(filter: {inIncubator: true, registration: FILED}, first: 1) { totalCount }
  fundingRounds(first: 20) { edges { node { id name budget committed beneficiaries personTimes
    trail { needs entries selected awarded }
    stats { bySubdistrict { key beneficiaries } byCommunity { key beneficiaries } } } } }
  evaluations(first: 1) { totalCount }
  recoveryOrders(status: OPEN, first: 1) { totalCount }
}"""


async def headline(api: Api, token: str, round_name: str = ROUND_NAME) -> dict:
    data = await api.call(HEADLINE, token=token)
    rounds = [e["node"] for e in data["fundingRounds"]["edges"] if e["node"]["name"] == round_name]
    if not rounds:
        return {}
    rnd = rounds[0]
    party = data["registryStats"]["partyOrganizations"]
    return {
        "roundName": rnd["name"],
        "budget": rnd["budget"],
        "needs": rnd["trail"]["needs"],
        "libraryEntries": rnd["trail"]["entries"],
        "selected": rnd["trail"]["selected"],
        "awarded": rnd["trail"]["awarded"],
        "committed": rnd["committed"],
        "beneficiaries": rnd["beneficiaries"],
        "personTimes": rnd["personTimes"],
        "subdistrictsServed": sum(1 for r in rnd["stats"]["bySubdistrict"] if r["beneficiaries"]),
        "communitiesServed": sum(1 for r in rnd["stats"]["byCommunity"] if r["beneficiaries"]),
        "incubatorOrganizations": data["incubator"]["totalCount"],
        "incubatorRegistered": data["incubatorRegistered"]["totalCount"],
        "incubatorFiled": data["incubatorFiled"]["totalCount"],
        "serviceStations": data["registryStats"]["serviceStations"],
        "compliantServiceStations": data["registryStats"]["compliantServiceStations"],
        "partyOrganizations": party["total"],
        "partyIndependent": party["independent"],
        "partyJoint": party["joint"],
        "partyCoveragePercent": party["coveragePercent"],
        "evaluations": data["evaluations"]["totalCount"],
        "openRecoveryOrders": data["recoveryOrders"]["totalCount"],
    }


def print_headline(figures: dict, out=print) -> None:
    labels = {
        "budget": "专项资金 budget", "needs": "需求 needs", "libraryEntries": "项目库 library entries",
        "selected": "立项 selected", "awarded": "资助 awarded", "committed": "committed",
        "beneficiaries": "受益人群 beneficiaries", "personTimes": "服务人次 person-times",
        "subdistrictsServed": "街道 subdistricts served", "communitiesServed": "社区 communities served",
        "incubatorOrganizations": "孵化园 incubator organizations", "incubatorRegistered": "  registered (注册)",
        "incubatorFiled": "  filed (备案)", "serviceStations": "服务站 service stations",
        "partyOrganizations": "党组织 party organizations", "partyIndependent": "  independent (独立)",
        "partyJoint": "  joint (联合)", "partyCoveragePercent": "  coverage of registered organizations %",
        "evaluations": "评估 evaluations", "openRecoveryOrders": "open recovery orders",
    }
    for key, label in labels.items():
        if key in figures:
            out(f"  {label:<42} {figures[key]}")
