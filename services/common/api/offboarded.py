"""An offboarded district is kept for the archive: readable, never written again.

Every service's directory carries `offboarded_at` (from registry.district.changed), so each subgraph
refuses a mutation from a token of an offboarded district itself, whatever the gateway does.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from services.common.kernel.auth import Principal
from services.common.kernel.errors import Forbidden


async def offboarded_refusal(conn: BaseDBAsyncClient, principal: Principal | None) -> Forbidden | None:
    """FORBIDDEN for a mutation by a token of an offboarded district, else None (city admins have none)."""
    if principal is None or principal.district is None:
        return None
    rows = await conn.execute_query_dict(
        "SELECT offboarded_at FROM district_directory WHERE code = $1 AND offboarded_at IS NOT NULL",
        [principal.district])
    if not rows:
        return None
    return Forbidden(f"district {principal.district} was offboarded on {rows[0]['offboarded_at']:%Y-%m-%d}: "
                     "it is kept for the archive and read-only", field="district")
