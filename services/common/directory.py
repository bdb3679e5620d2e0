"""The district -> city map every service keeps from registry.district.onboarded (city admins need it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .events.envelope import Envelope
from .models import DistrictDirectoryBase

DISTRICT_ONBOARDED = "registry.district.onboarded"


def directory_handler(directory: type[DistrictDirectoryBase]) -> Callable[[Envelope], Awaitable[None]]:
    """A consumer handler that records (or renames) a district in this service's directory."""

    async def on_district_onboarded(envelope: Envelope) -> None:
        data = envelope.data
        await directory.update_or_create(
            code=data["code"], defaults={"city_code": data["cityCode"], "name": data.get("name", data["code"])}
        )

    return on_district_onboarded
