"""`python -m services.funding` serves the funding subgraph (port 4002 unless PORT says otherwise)."""

from services.common.runtime.serve import serve

serve("funding", "services.funding.app:app")
