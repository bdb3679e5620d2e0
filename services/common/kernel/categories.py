"""Service categories from the source document, shared by organizations, needs and projects."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="为老, 助残, 帮扶济困, 青少年, 社区治理, 邻里互助, 志愿者, 社工, 法律援助, 其他")
class Category(Enum):
    ELDERLY_CARE = "ELDERLY_CARE"
    DISABILITY_SUPPORT = "DISABILITY_SUPPORT"
    POVERTY_RELIEF = "POVERTY_RELIEF"
    YOUTH = "YOUTH"
    COMMUNITY_GOVERNANCE = "COMMUNITY_GOVERNANCE"
    NEIGHBOR_MUTUAL_AID = "NEIGHBOR_MUTUAL_AID"
    VOLUNTEERS = "VOLUNTEERS"
    SOCIAL_WORK = "SOCIAL_WORK"
    LEGAL_AID = "LEGAL_AID"
    OTHER = "OTHER"
