"""Time limits the gateway and the subgraphs must agree on, written once.

A mutation the gateway gives up on must already be over at the subgraph: otherwise the client sees a
timeout while the change still commits. So the subgraph stops the operation's transaction a little
before the gateway stops waiting (the margin covers the COMMIT and the answer's way back).
"""

from __future__ import annotations

# How long the gateway waits for a subgraph answering a mutation.
OPERATION_TIME_LIMIT_SECONDS = 10.0
# How much sooner the subgraph ends the mutation's transaction (statement_timeout and its own deadline).
SUBGRAPH_MARGIN_SECONDS = 1.0


def gateway_mutation_timeout() -> float:
    return OPERATION_TIME_LIMIT_SECONDS


def subgraph_operation_limit() -> float:
    """The subgraph's limit for a mutation's transaction: slightly under the gateway's."""
    return max(OPERATION_TIME_LIMIT_SECONDS - SUBGRAPH_MARGIN_SECONDS, OPERATION_TIME_LIMIT_SECONDS * 0.5)
