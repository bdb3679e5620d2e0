"""Load and scale proofs: like the fault proofs, on their own PostgreSQL and RabbitMQ, in their own process."""

from ..faults.conftest import pg, rabbit, stack  # noqa: F401  (fixtures)
