"""The district -> city map every service keeps from registry.district.onboarded (city admins need it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .auth import CITY_CODE, DISTRICT_CODE
from .events.envelope import Envelope
from .events.handlers import Refused
from .models import DistrictDirectoryBase

DISTRICT_ONBOARDED = "registry.district.onboarded"


def onboarding_problem(envelope: Envelope) -> str | None:
    """Why an onboarding event must not enter the directory, or None. A city admin's tenants are read
    from the directory, so a district filed under a city it is not part of would hand that city's admins
    another city's district (the database refuses such a row too: rls.guard_directory)."""
    data = envelope.data
    code, city = data.get("code"), data.get("cityCode")
    if not isinstance(code, str) or not DISTRICT_CODE.match(code):
        return f"district code {code!r} is not a 6-digit division code"
    if not isinstance(city, str) or not CITY_CODE.match(city):
        return f"city code {city!r} is not a 4-digit division code"
    if not code.startswith(city):
        return f"district {code} does not belong to city {city}"
    if code != envelope.district:
        return f"district {code} onboarded by an event of district {envelope.district}"
    return None


def directory_handler(directory: type[DistrictDirectoryBase]) -> Callable[[Envelope], Awaitable[None]]:
    """A consumer handler that records (or renames) a district in this service's directory."""

    async def on_district_onboarded(envelope: Envelope) -> None:
        problem = onboarding_problem(envelope)
        if problem is not None:
            raise Refused(problem)  # dead-lettered with its reason, never retried
        data = envelope.data
        await directory.update_or_create(
            code=data["code"], defaults={"city_code": data["cityCode"], "name": data.get("name", data["code"])}
        )

    return on_district_onboarded
