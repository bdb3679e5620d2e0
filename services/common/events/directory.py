"""The district -> city map every service keeps from registry.district.onboarded (city admins need it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from services.common.kernel.divisions import district_code_problem
from services.contracts import DistrictChanged, DistrictOnboarded

from services.common.events.envelope import Envelope
from services.common.events.handlers import Refused, consumes
from services.common.data.models import DistrictDirectoryBase


def onboarding_problem(event: DistrictOnboarded | DistrictChanged, envelope: Envelope) -> str | None:
    """Why an onboarding event must not enter the directory, or None. A city admin's tenants are read
    from the directory, so a district filed under a city it is not part of would hand that city's admins
    another city's district (the database refuses such a row too: rls.guard_directory)."""
    code, city = event.code, event.city_code
    problem = district_code_problem(code, city)  # 6 digits under its city, never the city's xx00
    if problem is not None:
        return problem
    if code != envelope.district:
        return f"district {code} onboarded by an event of district {envelope.district}"
    return None


def directory_handler(directory: type[DistrictDirectoryBase]) -> Callable[[DistrictOnboarded, Envelope], Awaitable[None]]:
    """A consumer handler that records (or renames) a district in this service's directory."""

    @consumes(DistrictOnboarded)
    async def on_district_onboarded(event: DistrictOnboarded, envelope: Envelope) -> None:
        problem = onboarding_problem(event, envelope)
        if problem is not None:
            raise Refused(problem)  # dead-lettered with its reason, never retried
        await directory.update_or_create(code=event.code, defaults={"city_code": event.city_code, "name": event.name})

    return on_district_onboarded


def district_changed_handler(directory: type[DistrictDirectoryBase]) -> Callable[[DistrictChanged, Envelope], Awaitable[None]]:
    """A consumer handler that renames or offboards a district in this service's directory: an offboarded
    district's tokens write nothing here either (api/operation.py reads `offboarded_at`)."""

    @consumes(DistrictChanged)
    async def on_district_changed(event: DistrictChanged, envelope: Envelope) -> None:
        problem = onboarding_problem(event, envelope)
        if problem is not None:
            raise Refused(problem)
        offboarded = dt.datetime.fromisoformat(event.offboarded_at) if event.offboarded_at else None
        await directory.update_or_create(code=event.code, defaults={
            "city_code": event.city_code, "name": event.name, "offboarded_at": offboarded})

    return on_district_changed
