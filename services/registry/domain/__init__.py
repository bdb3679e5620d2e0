"""The registry's rules, as plain functions over models: no GraphQL in here. One module per thing it
holds: districts, organizations, service stations.

The public functions are re-exported here, so `from . import domain; domain.register_organization(...)` works.
"""

from .accounts import AccountCommand, create_account, deactivate_account, own_account, update_account
from .districts import onboard_district
from .organizations import (
    STAGE_ORDER,
    OrganizationCommand,
    change_incubation_stage,
    change_status,
    get_organization,
    next_filing_number,
    register_organization,
    set_party_organization,
)
from .stations import StationCommand, upsert_service_station

__all__ = [
    "AccountCommand",
    "create_account",
    "deactivate_account",
    "own_account",
    "update_account",
    "STAGE_ORDER",
    "OrganizationCommand",
    "StationCommand",
    "change_incubation_stage",
    "change_status",
    "get_organization",
    "next_filing_number",
    "onboard_district",
    "register_organization",
    "set_party_organization",
    "upsert_service_station",
]
