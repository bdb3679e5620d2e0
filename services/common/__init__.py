"""Plumbing every service shares, in layers (each depends only on those below it):

- `kernel/`: the shared domain kernel (money, credit codes, categories, domain errors, input checks);
- `data/`: the database (Tortoise set-up and roles, the tenant transaction, row-level security, platform tables);
- `events/`: the outbox, relay, consumer and broker topology;
- `api/`: the GraphQL layer (context, the operation's transaction, permissions, errors, pagination);
- `runtime/`: the process (settings, tokens, the service definition, serving, workers, metrics).
"""
