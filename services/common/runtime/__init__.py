"""The process: the service definition, the subgraph app (/graphql /healthz /readyz /metrics), serving,
workers, metrics."""
