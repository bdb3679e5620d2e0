"""The GraphQL layer every subgraph shares: context, the operation's transaction, permissions, error kinds,
pagination, scalars."""
