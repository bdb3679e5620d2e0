"""Apollo Federation v2 gateway engine: supergraph parsing, query planning and
execution. Knows nothing of the platform's domain or auth policy."""

from .errors import RequestError
from .gateway import Gateway, LocalField, LocalResolver
from .http_server import create_engine_app, graphql_routes
from .options import EngineOptions
from .plan import Fetch, Flatten, Parallel, QueryPlan, Sequence, print_plan
from .planner import PlanningError, QueryPlanner
from .supergraph import Supergraph, parse_supergraph

__all__ = [
    "EngineOptions", "Fetch", "Flatten", "Gateway", "LocalField", "LocalResolver", "Parallel",
    "PlanningError", "QueryPlan", "QueryPlanner", "RequestError", "Sequence", "Supergraph",
    "create_engine_app", "graphql_routes", "parse_supergraph", "print_plan",
]
