"""The evaluation subgraph: thin Strawberry types and resolvers over `domain` and `queries`."""

from services.common.api.operation import OperationTransaction, SubgraphSchema
from services.common.api.permissions import declared

from .mutations import Mutation
from .queries import Query
from .types import Evaluation, EvaluationAgency, Project

schema = SubgraphSchema(
    query=declared(Query),
    mutation=declared(Mutation),
    types=[EvaluationAgency, Evaluation, Project],
    extensions=[OperationTransaction],
)
