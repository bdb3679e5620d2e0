"""The platform's event contracts: one frozen dataclass per event type, shared by producer and consumer.

A producer emits contract objects (`emitter.emit(ProjectAwarded(...), district)`); a consumer's handler
receives the parsed object, and a payload that does not parse is dead-lettered with its reason.
This package depends on nothing of the services but the shared kernel's categories.
"""

from .base import ContractError, EventContract
from .evaluation import PhaseCompleted, RectificationOverdue, ViolationFound
from .funding import (
    ProjectAwarded, RecoveryOrdered, RecoveryOverdue, RecoverySettled, RoundChanged, RoundOpened,
    ServiceRecordReported, TrancheDisbursed,
)
from .registry import DistrictOnboarded, OrganizationRegistered, OrganizationStatusChanged

CONTRACTS: dict[str, type[EventContract]] = {
    contract.type: contract
    for contract in (
        DistrictOnboarded, OrganizationRegistered, OrganizationStatusChanged,
        RoundOpened, RoundChanged, ProjectAwarded, TrancheDisbursed, ServiceRecordReported, RecoveryOrdered,
        RecoverySettled, RecoveryOverdue,
        PhaseCompleted, ViolationFound, RectificationOverdue,
    )
}

__all__ = ["CONTRACTS", "ContractError", "EventContract", *(c.__name__ for c in CONTRACTS.values())]
