"""The district -> city map every service keeps from registry.district.onboarded (city admins need it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.common.kernel.auth import CITY_CODE, DISTRICT_CODE
from services.contracts import DistrictOnboarded

from services.common.events.envelope import Envelope
from services.common.events.handlers import Refused, consumes
from services.common.data.models import DistrictDirectoryBase


def onboarding_problem(event: DistrictOnboarded, envelope: Envelope) -> str | None:
    """Why an onboarding event must not enter the directory, or None. A city admin's tenants are read
    from the directory, so a district filed under a city it is not part of would hand that city's admins
    another city's district (the database refuses such a row too: rls.guard_directory)."""
    code, city = event.code, event.city_code
    if not DISTRICT_CODE.match(code):
        return f"district code {code!r} is not a 6-digit division code"
    if not CITY_CODE.match(city):
        return f"city code {city!r} is not a 4-digit division code"
    if not code.startswith(city):
        return f"district {code} does not belong to city {city}"
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
