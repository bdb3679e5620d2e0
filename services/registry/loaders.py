"""The registry's DataLoaders, created per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from services.common.api.loaders import by_key

from .models import District, ServiceStation, SocialOrganization


@dataclass
class RegistryLoaders:
    organization: DataLoader = field(default_factory=lambda: by_key(SocialOrganization))
    station: DataLoader = field(default_factory=lambda: by_key(ServiceStation))
    district: DataLoader = field(default_factory=lambda: by_key(District, key_field="code", parse=str))
