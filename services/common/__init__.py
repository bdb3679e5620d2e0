"""Plumbing every service shares, in layers; each imports only the layers above it in this list:

- `kernel/`: what everything stands on: settings, the caller's identity (tokens, roles), money, credit
  codes, categories, domain errors, input checks;
- `data/`: the database: Tortoise set-up and roles, the tenant transaction, row-level security, platform tables;
- `events/`: the outbox, relay, consumer and broker topology;
- `api/`: the GraphQL layer: context, the operation's transaction, permissions, error kinds, pagination;
- `runtime/`: the process: the service definition, the subgraph app, serving, workers, metrics.
"""
