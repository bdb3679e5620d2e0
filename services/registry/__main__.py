"""`python -m services.registry` serves the registry subgraph (port 4001 unless PORT says otherwise)."""

from services.common.runtime.serve import serve

serve("registry", "services.registry.app:app")
