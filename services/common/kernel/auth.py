"""Token verification: a JWT in, a Principal out. The verified token is the only source of the tenant."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field, replace

import jwt

from services.common.kernel.config import AuthSettings, ConfigurationError
from services.common.kernel.errors import Forbidden, Unauthenticated
from services.common.kernel.validation import has_control_characters

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
    # The platform's account behind the caller and its identity provider (platform tokens the gateway signs
    # after mapping the IdP's subject; development tokens minted by hand have neither).
    account: str | None = None
    idp: str | None = None
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


# What a refused token is told: plain words, never the decoder's internals (padding, binascii, key types).
# Order matters: subclasses before their bases.
_REFUSALS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet (its iat or nbf lies in the future)"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.InvalidAudienceError, "the token is meant for another audience"),
    (jwt.InvalidIssuerError, "the token comes from another issuer"),
    (jwt.InvalidAlgorithmError, "the token's signing algorithm is not accepted here"),
    (jwt.InvalidIssuedAtError, "the token's iat claim is not a number"),
    (jwt.PyJWKClientConnectionError, "the identity provider's signing keys could not be fetched"),
    (jwt.PyJWKClientError, "the token's signing key (kid) is not one the identity provider publishes"),
)
NOT_A_JWT = "the token is not a valid JWT"


def verify_token(token: str, settings: AuthSettings | None = None) -> Principal:
    return principal_from_claims(verify_claims(token, settings))


def verify_token_until(token: str, settings: AuthSettings | None = None) -> tuple[Principal, float]:
    """The principal and the moment its token expires (exp): callers holding a token must not outlive it."""
    claims = verify_claims(token, settings)
    return principal_from_claims(claims), float(claims["exp"])


def verify_claims(token: str, settings: AuthSettings | None = None) -> dict:
    """The token's verified claims, or Unauthenticated in plain words. Settings fix the algorithms and keys."""
    settings = settings or AuthSettings.from_env()
    try:
        claims = jwt.decode(
            token,
            _verification_key(token, settings),
            algorithms=list(settings.algorithms),
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthenticated(f"the token has no {exc.claim} claim") from None
    except jwt.PyJWTError as exc:
        raise Unauthenticated(next((m for t, m in _REFUSALS if isinstance(exc, t)), NOT_A_JWT)) from None
    except (ValueError, TypeError):
        # The decoder refusing odd input its own way (e.g. a header that is not an object).
        raise Unauthenticated(NOT_A_JWT) from None
    # PyJWT accepts "123" for a time claim (it calls int()); a token that sends strings is not well formed.
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise Unauthenticated(f"the token's {name} claim is not a number")
    if claims["exp"] - claims["iat"] > settings.max_lifetime:
        raise Unauthenticated(f"the token lives longer than the {settings.max_lifetime} seconds allowed")
    return claims


def _verification_key(token: str, settings: AuthSettings):
    """The key the token's kid names (JWKS), or the one configured key. The algorithm is never chosen here."""
    if settings.jwks_client is not None:
        return settings.jwks_client.get_signing_key_from_jwt(token)  # a PyJWK: its algorithm must match
    if settings.jwks is not None:
        kid = jwt.get_unverified_header(token).get("kid")
        if not isinstance(kid, str):
            raise Unauthenticated("the token names no signing key (kid)")
        try:
            return settings.jwks[kid]
        except KeyError:
            raise Unauthenticated("the token's signing key (kid) is not one the identity provider publishes") from None
    return settings.public_key if settings.public_key else settings.secret


def _optional_string(claims: dict, name: str) -> str | None:
    value = claims.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip() or has_control_characters(value)):
        raise Unauthenticated(f"the token's {name} claim must be a non-empty string")
    return value


def principal_from_claims(claims: dict) -> Principal:
    """Claims to a Principal, refusing anything ill-formed with Unauthenticated (never another error)."""
    if not isinstance(claims, dict):
        raise Unauthenticated("the token's claims are not a JSON object")
    sub = claims.get("sub")
    # Control characters too: the sub is written to the audit trail, and PostgreSQL refuses NUL in text.
    if not isinstance(sub, str) or not sub.strip() or has_control_characters(sub):
        raise Unauthenticated("the token's sub claim must be a non-empty string")
    roles = claims.get("roles")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) and r in ROLES for r in roles):
        raise Unauthenticated(f"the token's roles must be a non-empty list drawn from {sorted(ROLES)}")
    city = claims.get("city")
    if not isinstance(city, str) or not CITY_CODE.match(city):
        raise Unauthenticated("the token has no valid 4-digit city code")
    district = claims.get("district")
    if CITY_ADMIN in roles:
        # The city role reads every district of the city; beside a district role it would widen what that
        # role may touch to the whole city. A city admin token is city-wide and nothing else.
        if set(roles) != {CITY_ADMIN}:
            raise Unauthenticated("a city_admin token carries no district role")
        if district is not None:
            raise Unauthenticated("a city_admin token carries no district claim")
    elif district is None:
        raise Unauthenticated("the token names no district")
    elif not isinstance(district, str) or not DISTRICT_CODE.match(district):
        raise Unauthenticated("the token's district is not a 6-digit division code")
    # A district's division code begins with its city's: 230102 belongs to 2301.
    elif not district.startswith(city):
        raise Unauthenticated(f"district {district} does not belong to city {city}")
    principal = Principal(
        sub=sub,
        roles=frozenset(roles),
        city=city,
        district=district,
        subdistrict=_optional_string(claims, "subdistrict"),
        org=_optional_string(claims, "org"),
        agency=_optional_string(claims, "agency"),
        account=_optional_string(claims, "account"),
        idp=_optional_string(claims, "idp"),
    )
    return principal.with_districts((district,) if district else ())


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    if not isinstance(authorization, str):  # a websocket's init payload can carry anything
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
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
    account: str | None = None,
    idp: str | None = None,
    ttl_seconds: int = 8 * 3600,
    settings: AuthSettings | None = None,
) -> str:
    """Development tokens (HS256 with AUTH_JWT_SECRET). Production tokens come from the city's IdP."""
    settings = settings or AuthSettings.from_env()
    if settings.production or settings.secret is None:
        raise ConfigurationError("mint_token makes development tokens only; production tokens come from the "
                                 "city identity provider (CIVIC_ENV is not development)")
    if ttl_seconds > settings.max_lifetime:
        raise ValueError(f"ttl_seconds {ttl_seconds} exceeds AUTH_JWT_MAX_LIFETIME_SECONDS ({settings.max_lifetime})")
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
    for name, value in (("district", district), ("subdistrict", subdistrict), ("org", org), ("agency", agency),
                        ("account", account), ("idp", idp)):
        if value is not None:
            claims[name] = value
    return jwt.encode(claims, settings.secret, algorithm="HS256")
