"""Session fixtures of the differential suite: the stub host, the reference Node process, and each
case's supergraph (composed by the reference composer) with our engine on it."""

from __future__ import annotations

import pytest

from services.gateway.engine import EngineOptions, Gateway

from .corpus import CASES
from .reference import ReferenceGateway
from .stubs import StubHost


@pytest.fixture(scope="session")
def stub_host():
    host = StubHost()
    for case in CASES:
        for name, stub in case.subgraphs.items():
            host.add(case.name, name, stub)
    host.start()
    yield host
    host.stop()


@pytest.fixture(scope="session")
async def reference():
    gateway = ReferenceGateway()
    yield gateway
    await gateway.aclose()


class Composed:
    """Per case: the reference supergraph and our engine on it (made once per session)."""

    def __init__(self, host: StubHost, reference: ReferenceGateway):
        self.host, self.reference = host, reference
        self.supergraphs: dict[str, str] = {}
        self.gateways: dict[str, Gateway] = {}

    def sources(self, case) -> list[dict]:
        return [{"name": n, "url": self.host.url(case.name, n), "sdl": s.sdl} for n, s in case.subgraphs.items()]

    async def supergraph(self, case) -> str:
        if case.name not in self.supergraphs:
            self.supergraphs[case.name] = await self.reference.compose(self.sources(case))
        return self.supergraphs[case.name]

    async def gateway(self, case) -> Gateway:
        if case.name not in self.gateways:
            options = EngineOptions(query_retries=0, max_depth=None, max_cost=None, max_aliases=None)
            self.gateways[case.name] = Gateway(await self.supergraph(case), options=options)
        return self.gateways[case.name]

    async def aclose(self) -> None:
        for gateway in self.gateways.values():
            await gateway.aclose()


@pytest.fixture(scope="session")
async def composed(stub_host, reference):
    found = Composed(stub_host, reference)
    yield found
    await found.aclose()
