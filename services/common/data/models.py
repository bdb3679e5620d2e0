"""Tables every service keeps in its own database: outbox, inbox, audit trail, district directory.

Each service gets its own concrete classes from `platform_models(__name__)`, so the same shape lives in
three databases without a model class being bound to two connections.
"""

from __future__ import annotations

from typing import NamedTuple

from tortoise import fields
from tortoise.models import Model


class TenantModel(Model):
    """A tenant-owned row: the district comes first in every index, and row-level security checks it."""

    district = fields.CharField(max_length=6, db_index=True)

    class Meta:
        abstract = True


class OutboxBase(Model):
    # Under row-level security by `district` (rls.isolate_event_tables): a request writes only its own
    # districts' events; the relay role (civic_relay) has a policy of its own that shows it every row.
    id = fields.BigIntField(primary_key=True)
    event_id = fields.UUIDField(unique=True)
    type = fields.CharField(max_length=80)
    district = fields.CharField(max_length=6)
    occurred_at = fields.DatetimeField()
    payload = fields.JSONField()
    sent_at = fields.DatetimeField(null=True)  # unsent rows are found by the partial index outbox_unsent

    class Meta:
        abstract = True


class InboxBase(Model):
    # Under row-level security by `district`: the consumer inserts each event's row inside the
    # transaction of the event's own district (consumer.handle / handle_many).
    id = fields.BigIntField(primary_key=True)
    consumer = fields.CharField(max_length=80)
    event_id = fields.UUIDField()
    type = fields.CharField(max_length=80)
    district = fields.CharField(max_length=6)
    handled_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True
        unique_together = (("consumer", "event_id"),)


class AuditBase(TenantModel):
    id = fields.UUIDField(primary_key=True)
    actor = fields.CharField(max_length=120)
    action = fields.CharField(max_length=80)
    entity_type = fields.CharField(max_length=60)
    entity_id = fields.CharField(max_length=60)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True
        indexes = (("district", "entity_type", "entity_id"),)


class DistrictDirectoryBase(Model):
    # Reference data from registry.district.onboarded: which city each district belongs to. Readable by
    # all; written only for an admitted district, its code starting with its city's (rls.guard_directory).
    code = fields.CharField(max_length=6, primary_key=True)
    city_code = fields.CharField(max_length=4, db_index=True)
    name = fields.CharField(max_length=100)
    offboarded_at = fields.DatetimeField(null=True)  # an offboarded district is read-only (api/operation.py)

    class Meta:
        abstract = True


class PlatformModels(NamedTuple):
    outbox: type[OutboxBase]
    inbox: type[InboxBase]
    audit: type[AuditBase]
    directory: type[DistrictDirectoryBase]


def platform_models(module: str) -> PlatformModels:
    """Concrete platform tables for the service whose models module is `module`."""

    def concrete(base: type[Model], name: str, table: str) -> type[Model]:
        # A subclass's Meta replaces its base's, so carry the base's constraints and indexes over.
        inherited = {k: v for k, v in vars(base.Meta).items() if not k.startswith("_") and k != "abstract"}
        meta = type("Meta", (), {**inherited, "table": table})
        return type(name, (base,), {"Meta": meta, "__module__": module})

    return PlatformModels(
        outbox=concrete(OutboxBase, "OutboxEvent", "outbox"),
        inbox=concrete(InboxBase, "InboxEvent", "inbox"),
        audit=concrete(AuditBase, "AuditRecord", "audit_record"),
        directory=concrete(DistrictDirectoryBase, "DistrictDirectory", "district_directory"),
    )
