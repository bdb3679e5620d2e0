"""Token verification: a JWT in, a Principal out. The verified token is the only source of the tenant."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field, replace

import jwt

from .config import AuthSettings
from .errors import Forbidden, Unauthenticated

CITY_ADMIN = "city_admin"
BUREAU_ADMIN = "bureau_admin"
SUBDISTRICT_OFFICER = "subdistrict_officer"
ORG_MEMBER = "org_member"
EVALUATOR = "evaluator"
REVIEWER = "reviewer"
ROLES = frozenset({CITY_ADMIN, BUREAU_ADMIN, SUBDISTRICT_OFFICER, ORG_MEMBER, EVALUATOR, REVIEWER})

DISTRICT_CODE = re.compile(r"^\d{6}$")
CITY_CODE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]
    city: str
    district: str | None = None
    subdistrict: str | None = None
    org: str | None = None
    agency: str | None = None
    # The tenants this request may touch: the token's district, or every district of a city admin's city.
    districts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_city_admin(self) -> bool:
        return CITY_ADMIN in self.roles

    def with_districts(self, districts: tuple[str, ...]) -> "Principal":
        return replace(self, districts=tuple(sorted(districts)))

    def require_role(self, *allowed: str) -> None:
        if not self.roles & set(allowed):
            raise Forbidden(
                f"this needs one of the roles {', '.join(sorted(allowed))}; "
                f"the token has {', '.join(sorted(self.roles)) or 'none'}"
            )

    @property
    def home_district(self) -> str:
        """The one district a writer acts in; city admins read but never write a district's data."""
        if self.district is None:
            raise Forbidden("a city-wide token cannot change a district's data")
        return self.district


def verify_token(token: str, settings: AuthSettings | None = None) -> Principal:
    settings = settings or AuthSettings.from_env()
    key = settings.public_key if settings.algorithm.startswith(("RS", "ES")) else settings.secret
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[settings.algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated(f"the token is not valid: {exc}") from None
    return principal_from_claims(claims)


def principal_from_claims(claims: dict) -> Principal:
    roles = claims.get("roles")
    if not isinstance(roles, list) or not roles or not set(roles) <= ROLES:
        raise Unauthenticated(f"the token's roles must be a non-empty list drawn from {sorted(ROLES)}")
    city = claims.get("city")
    if not isinstance(city, str) or not CITY_CODE.match(city):
        raise Unauthenticated("the token has no valid 4-digit city code")
    district = claims.get("district")
    if district is None and CITY_ADMIN not in roles:
        raise Unauthenticated("the token names no district")
    if district is not None:
        if not isinstance(district, str) or not DISTRICT_CODE.match(district):
            raise Unauthenticated("the token's district is not a 6-digit division code")
        # A district's division code begins with its city's: 230102 belongs to 2301.
        if not district.startswith(city):
            raise Unauthenticated(f"district {district} does not belong to city {city}")
    principal = Principal(
        sub=str(claims["sub"]),
        roles=frozenset(roles),
        city=city,
        district=district,
        subdistrict=claims.get("subdistrict"),
        org=claims.get("org"),
        agency=claims.get("agency"),
    )
    return principal.with_districts((district,) if district else ())


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def ensure_same_district(principal: Principal, district: str | None, *, field: str = "district") -> None:
    """A district argument may only repeat what the token says; it never chooses the tenant."""
    if district is not None and district not in principal.districts:
        raise Forbidden(f"district {district} is not the token's district", field=field)


def mint_token(
    *,
    district: str | None,
    roles: list[str],
    city: str | None = None,
    sub: str | None = None,
    subdistrict: str | None = None,
    org: str | None = None,
    agency: str | None = None,
    ttl_seconds: int = 8 * 3600,
    settings: AuthSettings | None = None,
) -> str:
    """Development tokens (HS256 with AUTH_JWT_SECRET). Production tokens come from the city's IdP."""
    settings = settings or AuthSettings.from_env()
    now = int(time.time())
    claims = {
        "sub": sub or f"dev-{uuid.uuid4().hex[:8]}",
        "roles": roles,
        "city": city or (district[:4] if district else None),
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    for name, value in (("district", district), ("subdistrict", subdistrict), ("org", org), ("agency", agency)):
        if value is not None:
            claims[name] = value
    return jwt.encode(claims, settings.secret, algorithm="HS256")
