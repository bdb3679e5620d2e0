"""Districts: a city brings its districts (tenants) onto the platform."""

from __future__ import annotations

from services.common.data import audit
from services.common.kernel.auth import CITY_CODE, DISTRICT_CODE, Principal
from services.common.kernel.errors import BadInput, Conflict, Forbidden
from services.common.data.tenancy import admit_district
from services.common.kernel.validation import clean_name
from services.contracts import DistrictOnboarded

from .. import events
from ..models import AuditRecord, District, DistrictDirectory


async def onboard_district(principal: Principal, *, code: str, name: str, city_code: str) -> District:
    """A city brings a new district (tenant) onto the platform."""
    if not DISTRICT_CODE.match(code or ""):
        raise BadInput("a district code is a 6-digit administrative division code", field="code")
    if not CITY_CODE.match(city_code or "") or not code.startswith(city_code):
        raise BadInput(f"district {code} does not belong to city {city_code}", field="cityCode")
    if city_code != principal.city:
        raise Forbidden(f"a city admin of {principal.city} cannot onboard districts of city {city_code}", field="cityCode")
    name = clean_name(name, "name", max_length=100)
    if await DistrictDirectory.exists(code=code):
        raise Conflict(f"district {code} is already on the platform", field="code")
    # The new district is not yet among the city admin's tenants; the city's own code vouches for it.
    await admit_district("registry", code)
    district = await District.create(code=code, district=code, name=name, city_code=city_code)
    await DistrictDirectory.create(code=code, city_code=city_code, name=name)
    await events.emitter.emit(DistrictOnboarded(code=code, name=name, city_code=city_code), code)
    await audit.record(AuditRecord, principal, district=code, action="onboardDistrict", entity=district)
    return district
