"""The registry's mutations: each checks its permission class, turns its input into a domain command
and returns the row as its GraphQL type."""

from __future__ import annotations

import strawberry

from services.common.api.permissions import BureauAdmin, BureauOrCity, BureauOrOfficer, CityAdmin

from .. import domain
from .inputs import CreateAccountInput, UpdateAccountInput, OnboardDistrictInput, RegisterOrganizationInput, ServiceStationInput
from .types import Account, District, IncubationStage, OrganizationStatus, PartyOrganization, ServiceStation, SocialOrganization


# Who may call each field is its permission class; declared() puts the roles before each description.
@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[CityAdmin],
        description="bring a new district (tenant) of the city onto the platform.",
    )
    async def onboard_district(self, info: strawberry.Info, input: OnboardDistrictInput) -> District:
        principal = info.context.principal
        row = await domain.onboard_district(principal, code=input.code, name=input.name, city_code=input.city_code)
        return District.from_row(row)

    @strawberry.mutation(permission_classes=[BureauAdmin], description="register (登记) or file (备案) an organization.")
    async def register_organization(self, info: strawberry.Info, input: RegisterOrganizationInput) -> SocialOrganization:
        principal = info.context.principal
        row = await domain.register_organization(
            principal,
            domain.OrganizationCommand(
                name=input.name,
                registration=input.registration,
                category=input.category,
                subdistrict=input.subdistrict,
                community=input.community,
                credit_code=input.credit_code,
                incubation_stage=input.incubation_stage,
                party_organization=input.party_organization,
            ),
        )
        return SocialOrganization.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="move an organization forward through the incubator.",
    )
    async def change_incubation_stage(self, info: strawberry.Info, id: strawberry.ID, stage: IncubationStage) -> SocialOrganization:
        principal = info.context.principal
        return SocialOrganization.from_row(await domain.change_incubation_stage(principal, id, stage))

    @strawberry.mutation(permission_classes=[BureauAdmin], description="record the organization's party organization.")
    async def set_party_organization(self, info: strawberry.Info, id: strawberry.ID, kind: PartyOrganization) -> SocialOrganization:
        principal = info.context.principal
        return SocialOrganization.from_row(await domain.set_party_organization(principal, id, kind))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="suspend, reactivate or deregister, with a reason.",
    )
    async def change_organization_status(
        self, info: strawberry.Info, id: strawberry.ID, status: OrganizationStatus, reason: str
    ) -> SocialOrganization:
        principal = info.context.principal
        return SocialOrganization.from_row(await domain.change_status(principal, id, status, reason))

    @strawberry.mutation(
        permission_classes=[BureauOrOfficer],
        description="a station's five-haves checklist (an officer only in their own subdistrict).",
    )
    async def upsert_service_station(self, info: strawberry.Info, input: ServiceStationInput) -> ServiceStation:
        principal = info.context.principal
        row = await domain.upsert_service_station(
            principal,
            domain.StationCommand(
                subdistrict=input.subdistrict,
                community=input.community,
                has_staff_at_window=input.has_staff_at_window,
                has_name_plate=input.has_name_plate,
                has_computer=input.has_computer,
                has_archive_cabinet=input.has_archive_cabinet,
                has_archive_materials=input.has_archive_materials,
            ),
        )
        return ServiceStation.from_row(row)

    @strawberry.mutation(
        permission_classes=[BureauOrCity],
        description="put a person on the platform by their identity provider's subject. A bureau admin: any "
        "district role in its own district, never city_admin; a city admin: a bureau admin of a district of "
        "its city (`district`), or another city admin.",
    )
    async def create_account(self, info: strawberry.Info, input: CreateAccountInput) -> Account:
        row = await domain.create_account(
            info.context.principal, subject=input.subject, issuer=input.issuer, district=input.district,
            data=_account_command(input))
        return Account.from_row(row)

    @strawberry.mutation(permission_classes=[BureauAdmin], description="change an account's name, roles and ids.")
    async def update_account(self, info: strawberry.Info, id: strawberry.ID, input: UpdateAccountInput) -> Account:
        return Account.from_row(await domain.update_account(info.context.principal, id, _account_command(input)))

    @strawberry.mutation(
        permission_classes=[BureauAdmin],
        description="the person can no longer sign in (refused within the gateway's ACCOUNT_CACHE_SECONDS).",
    )
    async def deactivate_account(self, info: strawberry.Info, id: strawberry.ID) -> Account:
        return Account.from_row(await domain.deactivate_account(info.context.principal, id))


def _account_command(input: CreateAccountInput | UpdateAccountInput) -> domain.AccountCommand:
    return domain.AccountCommand(
        name=input.name, roles=[role.value for role in input.roles], subdistrict=input.subdistrict,
        organization_id=input.organization_id, agency_id=input.agency_id)
