"""Accounts: the people of a district (and a city's admins), kept by the platform, not by their tokens.

A bureau admin manages its own district's accounts and grants any district role but city_admin. A city
admin creates bureau admins for a district of its city (the one it has just onboarded, typically) and
the city's own admins; a city admin's account is kept at `<city>00`, the city's own division code.
Sign-in maps the identity provider's (issuer, subject) to the one active account (`for_subject`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections
from tortoise.exceptions import IntegrityError

from services.common.data import audit
from services.common.data.lookup import one
from services.common.data.tenancy import admit_district
from services.common.kernel.auth import (
    BUREAU_ADMIN, CITY_ADMIN, DISTRICT_CODE, EVALUATOR, ORG_MEMBER, ROLES, SUBDISTRICT_OFFICER, Principal,
)
from services.common.kernel.errors import BadInput, Conflict, Forbidden, NotFound
from services.common.kernel.identity import default_issuer
from services.common.kernel.validation import clean_text, parse_uuid

from ..models import Account, AuditRecord, DistrictDirectory, SocialOrganization


@dataclass
class AccountCommand:
    name: str
    roles: list[str]
    subdistrict: str | None = None
    organization_id: str | None = None
    agency_id: str | None = None


def city_account_district(city: str) -> str:
    """Where a city admin's account is kept: the city's own division code, which is no district's."""
    return f"{city}00"


async def create_account(principal: Principal, *, subject: str, issuer: str | None, district: str | None,
                         data: AccountCommand) -> Account:
    subject = clean_text(subject, "subject", max_length=255)
    issuer = clean_text(issuer, "issuer", required=False, max_length=255) or default_issuer()
    roles = _roles(data.roles)
    home = await _where_to_keep(principal, district, roles)
    values = await _checked(home, roles, data)
    if await Account.exists(district=home, issuer=issuer, subject=subject):
        raise Conflict(f"subject {subject} already has an account here", field="subject")
    try:
        account = await Account.create(district=home, issuer=issuer, subject=subject, **values)
    except IntegrityError:
        raise Conflict(f"subject {subject} already has an account here", field="subject") from None
    await audit.record(AuditRecord, principal, district=home, action="createAccount", entity=account)
    return account


async def update_account(principal: Principal, account_id: str, data: AccountCommand) -> Account:
    account = await _managed(principal, account_id)
    before = audit.snapshot(account)
    roles = _roles(data.roles)
    if CITY_ADMIN in roles or CITY_ADMIN in account.roles:
        raise Forbidden("a city admin's account is changed by the city's own admins", field="roles")
    for name, value in (await _checked(account.district, roles, data)).items():
        setattr(account, name, value)
    await account.save()
    await audit.record(AuditRecord, principal, district=account.district, action="updateAccount", entity=account,
                       before=before)
    return account


async def deactivate_account(principal: Principal, account_id: str) -> Account:
    """The person can no longer sign in; the gateway refuses them once its short cache lapses."""
    account = await _managed(principal, account_id)
    before = audit.snapshot(account)
    account.active = False
    await account.save()
    await audit.record(AuditRecord, principal, district=account.district, action="deactivateAccount",
                       entity=account, before=before)
    return account


async def for_subject(issuer: str, subject: str) -> list[dict]:
    """Every account of one (issuer, subject), in any district: the sign-in's lookup (see the migration)."""
    conn = connections.get("registry")
    return await conn.execute_query_dict("SELECT * FROM account_for_subject($1, $2)", [issuer, subject])


async def own_account(principal: Principal) -> dict | None:
    """The caller's own account row, from the sign-in's lookup (a city admin's lies outside its districts)."""
    if principal.account is None or principal.idp is None:
        return None
    rows = await for_subject(principal.idp, principal.sub)
    return next((row for row in rows if str(row["id"]) == principal.account and row["active"]), None)


def _roles(roles: list[str]) -> list[str]:
    names = sorted({str(r).lower() for r in roles})
    if not names:
        raise BadInput("an account needs at least one role", field="roles")
    unknown = [r for r in names if r not in ROLES]
    if unknown:
        raise BadInput(f"unknown role {unknown[0]}; roles are {', '.join(sorted(ROLES))}", field="roles")
    if CITY_ADMIN in names and len(names) > 1:
        raise BadInput("a city_admin account holds no district role beside it", field="roles")
    return names


async def _where_to_keep(principal: Principal, district: str | None, roles: list[str]) -> str:
    """The account's district, checked against who is creating it; a city admin's write admits it."""
    if principal.is_city_admin:
        if CITY_ADMIN in roles:
            home = city_account_district(principal.city)
            if district not in (None, home):
                raise BadInput(f"a city admin's account is kept at the city's code {home}", field="district")
        else:
            if roles != [BUREAU_ADMIN]:
                raise Forbidden("a city admin creates bureau admins only; the bureau creates the rest", field="roles")
            if district is None or not DISTRICT_CODE.match(district):
                raise BadInput("name the 6-digit district the bureau admin works in", field="district")
            if not district.startswith(principal.city) or not await DistrictDirectory.exists(code=district):
                raise Forbidden(f"district {district} is not a district of city {principal.city} on the platform",
                                field="district")
            home = district
        # A city-wide token writes no district's data; its city vouches for this one account.
        await admit_district("registry", home)
        return home
    home = principal.home_district
    if district is not None and district != home:
        raise Forbidden(f"district {district} is not the token's district", field="district")
    if CITY_ADMIN in roles:
        raise Forbidden("only a city admin grants city_admin", field="roles")
    return home


async def _checked(district: str, roles: list[str], data: AccountCommand) -> dict:
    """The account's values, with the ids each role needs to act."""
    subdistrict = clean_text(data.subdistrict, "subdistrict", required=False, max_length=100)
    if SUBDISTRICT_OFFICER in roles and subdistrict is None:
        raise BadInput("a subdistrict officer needs the subdistrict they work in", field="subdistrict")
    organization = None
    if data.organization_id:
        organization = parse_uuid(data.organization_id, "organizationId", "an organization")
        if not await SocialOrganization.exists(id=organization, district=district):
            raise NotFound(f"no organization {data.organization_id} in this district", field="organizationId")
    if ORG_MEMBER in roles and organization is None:
        raise BadInput("an org_member account needs the organization it acts for", field="organizationId")
    agency = parse_uuid(data.agency_id, "agencyId", "an evaluation agency") if data.agency_id else None
    if EVALUATOR in roles and agency is None:
        raise BadInput("an evaluator account needs the evaluation agency it works for", field="agencyId")
    return {"name": clean_text(data.name, "name", max_length=100), "roles": roles, "subdistrict": subdistrict,
            "organization_id": organization, "agency_id": agency}


async def _managed(principal: Principal, account_id: str) -> Account:
    """An account the caller's bureau manages (row-level security hides other districts' accounts)."""
    account = await one(Account, account_id, field="id", what="account", for_update=True)
    if account.district != principal.home_district:
        raise NotFound(f"no account {account_id} in this district", field="id")
    return account
