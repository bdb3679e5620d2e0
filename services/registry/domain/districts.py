"""Districts: a city brings its districts (tenants) onto the platform, renames them, offboards them."""

from __future__ import annotations

import datetime as dt

from services.common.data import audit
from services.common.data.tenancy import admit_district
from services.common.kernel.auth import CITY_CODE, Principal
from services.common.kernel.credit_code import bureau_credit_code_problem
from services.common.kernel.divisions import DISTRICT, district_code_problem
from services.common.kernel.errors import BadInput, Conflict, Forbidden, NotFound
from services.common.kernel.validation import clean_name, clean_text
from services.contracts import DistrictChanged, DistrictOnboarded

from .. import events
from ..models import AuditRecord, District, DistrictDirectory


def _bureau_credit_code(code: str | None, district: str) -> str | None:
    code = clean_text(code, "bureauCreditCode", required=False, max_length=40)
    if code is None:
        return None
    problem = bureau_credit_code_problem(code.upper(), district)
    if problem is not None:
        raise BadInput(problem, field="bureauCreditCode")
    return code.upper()


async def onboard_district(principal: Principal, *, code: str, name: str, city_code: str,
                           bureau_credit_code: str | None = None) -> District:
    """A city brings a new district (tenant) onto the platform."""
    if not CITY_CODE.match(city_code or ""):
        raise BadInput(f"a city code is a 4-digit administrative division code, not {city_code!r}", field="cityCode")
    problem = district_code_problem(code or "", city_code)
    if problem is not None:
        raise BadInput(problem, field="cityCode" if "does not belong" in problem else "code")
    if city_code != principal.city:
        raise Forbidden(f"a city admin of {principal.city} cannot onboard districts of city {city_code}", field="cityCode")
    name = clean_name(name, "name", max_length=100)
    credit_code = _bureau_credit_code(bureau_credit_code, code)
    if await DistrictDirectory.exists(code=code):
        raise Conflict(f"district {code} is already on the platform", field="code")
    # The new district is not yet among the city admin's tenants; the city's own code vouches for it.
    await admit_district("registry", code)
    district = await District.create(code=code, district=code, name=name, city_code=city_code,
                                     bureau_credit_code=credit_code)
    await DistrictDirectory.create(code=code, city_code=city_code, name=name)
    await events.emitter.emit(DistrictOnboarded(code=code, name=name, city_code=city_code), code)
    await audit.record(AuditRecord, principal, district=code, action="onboardDistrict", entity=district)
    return district


async def _city_district(principal: Principal, code: str) -> District:
    """A district of the city admin's own city, admitted to this transaction so that it can be changed."""
    if not isinstance(code, str) or not DISTRICT.match(code):
        raise BadInput(f"a district code is a 6-digit administrative division code, not {code!r}", field="code")
    if not code.startswith(principal.city):
        raise Forbidden(f"a city admin of {principal.city} cannot change district {code}", field="code")
    await admit_district("registry", code)
    district = await District.filter(code=code).select_for_update().first()
    if district is None:
        raise NotFound(f"no district {code} in city {principal.city}", field="code")
    return district


async def _changed(principal: Principal, district: District, action: str, before: dict) -> District:
    await district.save()
    await DistrictDirectory.filter(code=district.code).update(name=district.name, offboarded_at=district.offboarded_at)
    offboarded = district.offboarded_at.isoformat() if district.offboarded_at else None
    await events.emitter.emit(DistrictChanged(code=district.code, name=district.name, city_code=district.city_code,
                                              offboarded_at=offboarded), district.code)
    await audit.record(AuditRecord, principal, district=district.code, action=action, entity=district, before=before)
    return district


async def update_district(principal: Principal, code: str, *, name: str | None = None,
                          bureau_credit_code: str | None = None) -> District:
    """Renames a district or records its bureau's credit code (city admin); an offboarded one changes no more."""
    district = await _city_district(principal, code)
    if district.offboarded_at is not None:
        raise Conflict(f"district {code} is offboarded: kept for the archive, changed no more", field="code")
    before = audit.snapshot(district)
    if name is not None:
        district.name = clean_text(name, "name", max_length=100)
    if bureau_credit_code is not None:
        district.bureau_credit_code = _bureau_credit_code(bureau_credit_code, code)
    return await _changed(principal, district, "updateDistrict", before)


async def offboard_district(principal: Principal, code: str, reason: str) -> District:
    """Takes a district off the platform: its rows stay for the archive and city admins, its tokens write
    nothing more in any service (each refuses from its directory, services/common/api/offboarded.py)."""
    district = await _city_district(principal, code)
    reason = clean_text(reason, "reason", max_length=500)
    if district.offboarded_at is not None:
        raise Conflict(f"district {code} is already offboarded", field="code")
    before = audit.snapshot(district)
    district.offboarded_at, district.offboard_reason = dt.datetime.now(dt.timezone.utc), reason
    return await _changed(principal, district, "offboardDistrict", before)
