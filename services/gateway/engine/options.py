"""Engine configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass
class EngineOptions:
    # subgraph calls
    subgraph_timeout: float = 10.0
    subgraph_timeouts: Mapping[str, float] = field(default_factory=dict)  # per subgraph override
    mutation_timeout: float | None = None  # for every call of a mutation's plan; None: as for queries
    query_retries: int = 1  # extra attempts for query operations; mutations are never retried
    breaker_failure_threshold: int = 5
    breaker_cooldown: float = 10.0
    redact_subgraph_errors: bool = False
    # top-level subgraph response extensions copied to the client's response (response_extensions.py)
    kept_response_extensions: tuple[str, ...] = ()
    collapse_queries: bool = True  # identical in-flight subgraph queries share one call (collapsing.py)
    # request limits (None disables a limit)
    max_depth: int | None = 15
    max_aliases: int | None = 30
    max_tokens: int | None = 5000
    max_cost: int | None = 10000
    default_list_size: int = 10  # cost factor of a list field without first/last/limit
    max_body_bytes: int = 1_000_000
    allow_batching: bool = False
    max_batch_size: int = 10
    introspection: bool = False
    # persisted operations: sha256 hex -> operation text
    persisted_queries: Mapping[str, str] | None = None
    safelist_only: bool = False  # refuse operations whose hash is not in persisted_queries
    plan_cache_size: int = 512
    document_cache_size: int = 512
