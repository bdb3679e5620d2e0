"""The proof reuses the cross-service fixtures: three subgraphs and the gateway, in-process over real HTTP."""

from __future__ import annotations

from tests.conftest import Portal, gateway, subgraphs  # noqa: F401  (fixtures)
