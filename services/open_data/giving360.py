"""A district's awarded projects as a 360Giving 1.4 data package (https://standard.threesixtygiving.org).

Identifiers, as the standard asks:
- the funder (the district's civil-affairs bureau) and registered recipients by their unified social credit
  code under org-id.guide's list `CN-USCI` (`CN-USCI-<code>`);
- everything the platform numbers itself under the publisher prefix (`360G-civic` unless the city has
  registered its own with 360Giving): grants `<prefix>-<district>-<projectId>`, programmes (one per
  venture round) `<prefix>-<district>-round-<roundId>`, filed (备案) recipients
  `<prefix>-<district>-org-<filingNumber>`, transactions `<grant id>-tranche-<n>` / `-recovery-<orderId>`.

Money as the standard has it: `disbursementTransaction` for each tranche paid and, negative, for each
recovery settled (追回违规项目资金: money the recipient paid back), so `amountDisbursed` is their sum. The
recovery orders themselves (open or settled) and the beneficiaries served are additional fields
(`recoveryOrders`, `beneficiaries`, `personTimes`), as the standard's "additional fields" guidance allows.
`beneficiaryLocation` gives the most specific statistical division code known in `geoCode`, and no
`geoCodeType`: the standard's codelist holds UK geographies only, none of which is a Chinese division code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

PREFIX = "360G-civic"
VERSION = "1.4"  # the standard's major.minor; validated against 1.4.3 (tests/open_data/)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CREDIT_CODE_LIST = "CN-USCI"  # org-id.guide: 统一社会信用代码

CATEGORY_NAMES = {"ELDERLY_CARE": "为老", "DISABILITY_SUPPORT": "助残", "POVERTY_RELIEF": "帮扶济困", "YOUTH": "青少年",
                  "COMMUNITY_GOVERNANCE": "社区治理", "NEIGHBOR_MUTUAL_AID": "邻里互助", "VOLUNTEERS": "志愿者",
                  "SOCIAL_WORK": "社工", "LEGAL_AID": "法律援助", "OTHER": "其他"}


class ExportRefused(ValueError):
    """The district has nothing a valid package can hold, or lacks what identifies its funder."""


def amount(money: str) -> int | float:
    # 360Giving amounts are JSON numbers; Money is exact decimal text, converted only here, for output.
    value = Decimal(money)
    return int(value) if value == value.to_integral_value() else float(value)


def funder_id(district: dict) -> str:
    if not district.get("bureauCreditCode"):
        raise ExportRefused(
            f"district {district['code']} has no bureau credit code recorded: the funder of a 360Giving grant is "
            f"identified as {CREDIT_CODE_LIST}-<code>. Record it with the city admin's updateDistrict "
            f"(bureauCreditCode), or at onboarding (civic onboard --credit-code)")
    return f"{CREDIT_CODE_LIST}-{district['bureauCreditCode']}"


def recipient_id(district: dict, org: dict, *, prefix: str = PREFIX) -> str:
    if org.get("creditCode"):
        return f"{CREDIT_CODE_LIST}-{org['creditCode']}"
    return f"{prefix}-{district['code']}-org-{org.get('filingNumber') or org.get('id')}"


def _location(district: dict, node: dict, codes: dict[str, str | None]) -> dict:
    parts = [p for p in (node.get("community"), node.get("subdistrict"), district["name"]) if p]
    code = codes.get(node.get("community") or "") or codes.get(node.get("subdistrict") or "") or district["code"]
    return {"name": ", ".join(parts), "countryCode": "CN", "geoCode": code}


def grant(district: dict, node: dict, *, funder: str, codes: dict[str, str | None], modified: str,
          prefix: str = PREFIX) -> dict:
    code = district["code"]
    gid = f"{prefix}-{code}-{node['id']}"
    org = node.get("organization") or {}
    recipient = recipient_id(district, org, prefix=prefix)
    rnd = node.get("round") or {}
    needs = [n["description"] for n in ((node.get("libraryEntry") or {}).get("needs") or [])]
    category = CATEGORY_NAMES.get(node["category"], node["category"])
    description = f"{rnd.get('name', '')}({rnd.get('year', '')}) {category}类服务项目。"
    if needs:
        description += " 源自居民需求: " + "; ".join(needs)
    tranches = sorted(node.get("tranches") or [], key=lambda t: t["sequence"])
    paid = [t for t in tranches if t.get("disbursedAt")]
    orders = node.get("recoveryOrders") or []
    settled = [o for o in orders if o.get("settledAt")]
    transactions = [
        {"id": f"{gid}-tranche-{t['sequence']}", "transactionDate": t["disbursedAt"], "currency": "CNY",
         "value": amount(t["amount"]), "description": f"第{t['sequence']}期拨付 (tranche {t['sequence']}, due {t['dueOn']})",
         "provider": funder, "recipient": recipient}
        for t in paid
    ] + [
        {"id": f"{gid}-recovery-{o['id']}", "transactionDate": o["settledAt"], "currency": "CNY",
         "value": -amount(o["amount"]), "description": f"追回违规项目资金 (recovery settled): {o['reason']}",
         "provider": recipient, "recipient": funder}
        for o in settled
    ]
    disbursed = sum(Decimal(t["amount"]) for t in paid) - sum(Decimal(o["amount"]) for o in settled)
    result = {
        "id": gid,
        "title": node["title"],
        "description": description,
        "currency": "CNY",
        "amountAppliedFor": amount(node["requested"]) if node.get("requested") else None,
        "amountAwarded": amount(node["grant"]),
        "amountDisbursed": amount(str(disbursed)),
        "awardDate": node["awardedAt"],
        "dateModified": modified,
        "fundingOrganization": [{"id": funder, "name": f"{district['name']}民政局"}],
        "recipientOrganization": [{"id": recipient, "name": org.get("name") or node.get("organizationName")}],
        "beneficiaryLocation": [_location(district, node, codes)],
        "grantProgramme": [{"code": f"{prefix}-{code}-round-{rnd.get('id')}",
                            "title": f"{rnd.get('name', '')} ({rnd.get('year', '')})"}],
        "classifications": [{"vocabulary": f"{prefix}-category", "code": node["category"], "title": category}],
        "disbursementTransaction": transactions,
        "recoveryOrders": [{"id": o["id"], "amount": amount(o["amount"]), "status": o["status"], "reason": o["reason"],
                            "orderedAt": o["orderedAt"], "settledAt": o.get("settledAt")} for o in orders],
        "beneficiaries": node["beneficiaries"],
        "personTimes": node["personTimes"],
    }
    if result["amountAppliedFor"] is None:
        del result["amountAppliedFor"]
    if tranches:
        result["plannedDates"] = [{"startDate": tranches[0]["dueOn"], "endDate": tranches[-1]["dueOn"]}]
    return result


def package(district: dict, nodes: list[dict], *, gazetteer: list[dict] = (), prefix: str = PREFIX,
            now: dt.datetime | None = None) -> dict:
    """The 360Giving package of a district's awarded projects; ExportRefused when there is none."""
    if not nodes:
        raise ExportRefused(
            f"district {district['code']} ({district['name']}) has no awarded projects yet: a 360Giving package "
            "holds at least one grant, so there is nothing to publish")
    now = now or dt.datetime.now(dt.timezone.utc)
    modified = now.isoformat(timespec="seconds")
    funder = funder_id(district)
    codes = {e["name"]: e.get("code") for e in gazetteer}
    return {
        "version": VERSION,
        "title": f"{district['name']}民政局公益创投资助 (360Giving)",
        "description": f"Venture-philanthropy (公益创投) grants awarded by the civil-affairs bureau of {district['name']} "
                       f"({district['code']}), exported by the community social-organization platform.",
        "identifier": f"{prefix}-{district['code']}-{now:%Y%m%d}",
        "issued": now.date().isoformat(),
        "modified": modified,
        "publisher": {"name": f"{district['name']}民政局", "identifier": funder},
        "license": LICENSE,
        "grants": [grant(district, n, funder=funder, codes=codes, modified=modified, prefix=prefix) for n in nodes],
    }
