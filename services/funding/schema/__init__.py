"""The funding subgraph: thin Strawberry types (`types`), inputs and enums (`inputs`), the Query (`queries`)
and Mutation (`mutations`) roots over `domain`."""

from __future__ import annotations

from services.common.api.operation import OperationTransaction, SubgraphSchema
from services.common.api.permissions import declared

from ..domain import MAX_RECORDS_PER_BATCH
from .mutations import Mutation
from .queries import Query
from .types import FundingRound, Project, RecoveryOrder, SocialOrganization

schema = SubgraphSchema(
    query=declared(Query),
    mutation=declared(Mutation),
    types=[FundingRound, Project, RecoveryOrder, SocialOrganization],
    extensions=[OperationTransaction],
    # A batch of service records is a day's work: it holds up to the batch limit, every other list 100.
    list_caps={"ServiceRecordInput": MAX_RECORDS_PER_BATCH},
)
