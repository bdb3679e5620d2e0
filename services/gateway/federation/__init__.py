"""Federation composition: subgraph SDLs in, a join-spec supergraph SDL out, by the reference composer
(`@apollo/composition`, compose.py), and its command line (cli.py, `python -m services.gateway.federation`).
The runtime side that reads a composed supergraph is engine/supergraph.py. Like the engine, this package
imports nothing of the platform."""

from .compose import CompositionError, SubgraphSource, compose

__all__ = ["CompositionError", "SubgraphSource", "compose"]
