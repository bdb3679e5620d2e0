"""Which URLs a webhook may call. In production: HTTPS only, and every address the host resolves to must
be a public one (not private, loopback, link-local, multicast, reserved or unspecified), so a subscription
cannot make the platform call into its own network. Checked at registration and again before each attempt,
since a name can be pointed elsewhere later; the attempt then connects to the address that was checked
(`pinned`), with the name kept for the Host header and TLS, so a second lookup cannot swap it. Development allows http and local receivers."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.common.kernel.config import development
from services.common.kernel.errors import BadInput

MAX_URL = 2000


class EndpointRefused(BadInput):
    pass


def _refuse(reason: str) -> EndpointRefused:
    return EndpointRefused(reason, field="url")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolved_addresses(host: str, port: int) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise _refuse(f"the host {host!r} does not resolve") from None
    return sorted({info[4][0] for info in infos})


@dataclass(frozen=True)
class Pinned:
    """Where one attempt connects: the checked address, the original name for Host and TLS (SNI and the
    certificate's name)."""

    url: str
    host_header: str
    sni_hostname: str


async def pinned(url: str) -> Pinned:
    """The production check, and the URL rewritten to the first address of that same lookup."""
    url, addresses = await _checked(url, production=True)
    parts = urlsplit(url)
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return Pinned(parts._replace(netloc=netloc).geturl(), host_header, parts.hostname)


async def check_endpoint(url: str, *, production: bool | None = None) -> str:
    """The URL, trimmed, if the platform may call it; else EndpointRefused (BAD_USER_INPUT on `url`)."""
    production = (not development()) if production is None else production
    return (await _checked(url, production=production))[0]


async def _checked(url: str, *, production: bool) -> tuple[str, list[str]]:
    """The trimmed URL and, in production, the addresses its host resolved to, every one of them public."""
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise _refuse(f"a webhook URL is 1 to {MAX_URL} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refuse("a webhook URL is an absolute https:// URL")
    if parts.username or parts.password:
        raise _refuse("a webhook URL carries no credentials; verify the signature instead")
    if not production:
        return url, []
    if parts.scheme != "https":
        raise _refuse("a webhook URL must use https")
    try:
        port = parts.port or 443
    except ValueError:
        raise _refuse("the URL's port is not a number") from None
    addresses = await resolved_addresses(parts.hostname, port)
    for address in addresses:
        if not _public(address):
            raise _refuse(f"{parts.hostname} resolves to {address}, which is not a public address")
    return url, addresses
