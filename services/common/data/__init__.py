"""The database layer: Tortoise set-up and roles, the tenant transaction and row-level security, platform tables."""
