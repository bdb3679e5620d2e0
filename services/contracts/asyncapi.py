"""The AsyncAPI 3 document of `civic.events`, generated from the contracts so it cannot drift from them.

    python -m services.contracts.asyncapi --out deploy/asyncapi.json

Channels are the routing keys (= event types); each message is the envelope whose `data` is the
contract's JSON Schema, built from the dataclass fields and their types (the same types `from_data`
checks). Money is integer fen. Every message carries an example, itself built from a contract object, so
an example that broke its contract would fail here before it failed a test. tests/test_asyncapi.py checks
the checked-in file is fresh, valid against the official AsyncAPI 3.0.0 schema, and every example valid
against its message's schema.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Union

from services.common.events.envelope import REQUIRED, Envelope
from services.common.events.topology import EXCHANGE

from . import CONTRACTS, EventContract
from .base import _field_types, camel
from .evaluation import PhaseCompleted, RectificationOverdue, ViolationFound
from .funding import (
    ProjectAwarded,
    RoundChanged,
    RoundOpened,
    RecoveryOrdered,
    RecoveryOverdue,
    RecoverySettled,
    ServiceRecordReported,
    TrancheDisbursed,
)
from .registry import (
    DistrictChanged, DistrictOnboarded, GazetteerChanged, OrganizationRegistered, OrganizationStatusChanged,
)

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "deploy" / "asyncapi.json"

_ORDER = "7d1f9a52-3c4e-4b1a-9f0e-2a6b8c5d4e01"
_PROJECT = "0b7e5c3a-9d14-4f62-8a71-5e2c9b3d6f10"
_ORG = "5a2c8e14-7b3d-4e9f-a1c6-3d8f0b2e7c45"
_ROUND = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"

# One example per event type, as contract objects: to_data() checks each against its own contract.
EXAMPLES: dict[str, EventContract] = {e.type: e for e in (
    DistrictOnboarded(code="230102", name="道里区", city_code="2301"),
    DistrictChanged(code="230102", name="道里区", city_code="2301", offboarded_at=None),
    GazetteerChanged(id="3b0f6c1e-2a4d-4e5f-9a6b-7c8d9e0f1a2b", kind="SUBDISTRICT", code="230102002000",
                     name="新阳路街道", subdistrict_id=None, retired=False),
    OrganizationRegistered(
        id=_ORG, name="道里区阳光助老服务中心", registration="REGISTERED", credit_code="52230102MJ0000000X",
        filing_number=None, category="ELDERLY_CARE", subdistrict="新阳路街道", community="共乐社区", status="ACTIVE"),
    OrganizationStatusChanged(
        id=_ORG, name="道里区阳光助老服务中心", registration="REGISTERED", credit_code="52230102MJ0000000X",
        filing_number=None, category="ELDERLY_CARE", subdistrict="新阳路街道", community="共乐社区",
        status="SUSPENDED", previous_status="ACTIVE", reason="annual inspection not passed"),
    RoundOpened(round_id=_ROUND, name="2024 venture round", year=2024, opened_at="2024-03-01T09:00:00+08:00"),
    RoundChanged(round_id=_ROUND, name="2024 venture round", year=2024, phase="LIBRARY", cancel_reason=None,
                 changed_at="2024-03-20T09:00:00+08:00"),
    ProjectAwarded(
        project_id=_PROJECT, round_id="c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", round_name="2024 venture round",
        year=2024, title="Meals for seniors living alone", category="ELDERLY_CARE", organization_id=_ORG,
        organization_name="道里区阳光助老服务中心", grant_fen=12_000_000, subdistrict="新阳路街道",
        community="共乐社区", awarded_at="2024-05-20T09:30:00+08:00"),
    TrancheDisbursed(project_id=_PROJECT, tranche_id="9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
                     amount_fen=6_000_000, disbursed_fen=6_000_000),
    ServiceRecordReported(
        project_id=_PROJECT, record_id="1f2e3d4c-5b6a-4798-8a6b-5c4d3e2f1a0b", beneficiary="B-0001",
        community="共乐社区", service_date="2024-06-03", person_times=3, contact=None),
    RecoveryOrdered(
        order_id=_ORDER, project_id=_PROJECT, project_title="Meals for seniors living alone",
        organization_id=_ORG, organization_name="道里区阳光助老服务中心", amount_fen=350_000,
        reason="expenses without receipts", ordered_at="2024-09-02T10:00:00+08:00", source="EVALUATION",
        finding_id="2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"),
    RecoverySettled(order_id=_ORDER, project_id=_PROJECT, organization_id=_ORG, amount_fen=350_000,
                    settled_at="2024-10-15T14:00:00+08:00"),
    RecoveryOverdue(
        order_id=_ORDER, project_id=_PROJECT, project_title="Meals for seniors living alone",
        organization_id=_ORG, organization_name="道里区阳光助老服务中心", outstanding_fen=350_000,
        deadline="2024-10-02", detected_at="2024-10-03T00:00:00+08:00"),
    PhaseCompleted(evaluation_id="3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f", project_id=_PROJECT, phase="MIDTERM",
                   score=86.5, rating="GOOD"),
    ViolationFound(evaluation_id="3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f", project_id=_PROJECT,
                   finding_id="2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", amount_fen=350_000,
                   description="expenses without receipts"),
    RectificationOverdue(
        evaluation_id="3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f", project_id=_PROJECT,
        rectification_id="4d5e6f7a-8b9c-4d0e-8f1a-3b4c5d6e7f80", finding_id="2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
        deadline="2024-08-31"),
)}

ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every message on civic.events: the event's id (stable across redeliveries; consumers "
                   "deduplicate on it), its type (= the routing key), the tenant district, when it happened, "
                   "which service produced it, and the type's data.",
    "required": list(REQUIRED),
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "type": {"type": "string"},
        "district": {"type": "string", "pattern": "^[0-9]{6}$", "description": "the district's division code"},
        "occurredAt": {"type": "string", "format": "date-time"},
        "producer": {"type": "string", "enum": ["registry", "funding", "evaluation"]},
        "data": {"type": "object"},
    },
}


def _value_schema(name: str, hint: Any) -> dict[str, Any]:
    """JSON Schema of one field's type: the same plain JSON types EventContract._check accepts."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [o for o in typing.get_args(hint) if o is not type(None)]
        inner = _value_schema(name, options[0])
        if "enum" in inner:
            return {**inner, "enum": [*inner["enum"], None], "type": [inner["type"], "null"]}
        return {**inner, "type": [inner["type"], "null"]}
    if origin is typing.Literal:
        return {"type": "string", "enum": list(typing.get_args(hint))}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        if name.endswith("_fen"):
            return {"type": "integer", "minimum": 0, "description": "money in fen (1 CNY = 100 fen)"}
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        if name.endswith("_at"):
            return {"type": "string", "format": "date-time"}
        if name in ("deadline", "service_date"):
            return {"type": "string", "format": "date"}
        return {"type": "string"}
    raise TypeError(f"{name}: no JSON Schema for {hint!r}")


def data_schema(contract: type[EventContract]) -> dict[str, Any]:
    hints = _field_types(contract)
    fields = dataclasses.fields(contract)
    schema: dict[str, Any] = {
        "type": "object",
        "required": [camel(f.name) for f in fields],
        "additionalProperties": False,
        "properties": {camel(f.name): _value_schema(f.name, hints[f.name]) for f in fields},
    }
    if contract.__doc__ and not contract.__doc__.startswith(contract.__name__ + "("):
        schema["description"] = " ".join(contract.__doc__.split())
    return schema


def _component(contract: type[EventContract]) -> str:
    return contract.__name__


def _producer(event_type: str) -> str:
    return event_type.split(".", 1)[0]


def _example(contract: type[EventContract]) -> dict[str, Any]:
    if contract.type not in EXAMPLES:
        raise LookupError(f"{contract.type} has no example: add one to EXAMPLES in services/contracts/asyncapi.py")
    event = EXAMPLES[contract.type]
    envelope = Envelope(
        type=contract.type, district="230102", producer=_producer(contract.type), data=event.to_data(),
        id="6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b", occurredAt="2024-09-02T02:00:00+00:00",
    )
    return {"name": contract.__name__, "summary": f"a {contract.type} event in Daoli (230102)",
            "payload": envelope.to_dict()}


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": ENVELOPE_SCHEMA}
    for event_type, contract in sorted(CONTRACTS.items()):
        name = _component(contract)
        schemas[name] = data_schema(contract)
        messages[name] = {
            "name": event_type,
            "title": name,
            "contentType": "application/json",
            "payload": {"allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {"type": "object", "properties": {
                    "type": {"const": event_type},
                    "producer": {"const": _producer(event_type)},
                    "data": {"$ref": f"#/components/schemas/{name}"},
                }},
            ]},
            "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": event_type, "bindingVersion": "0.3.0"}},
            "examples": [_example(contract)],
        }
        channels[event_type] = {
            "address": event_type,
            "title": event_type,
            "description": f"Routing key {event_type} on the topic exchange {EXCHANGE}.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {"amqp": {
                "is": "routingKey",
                "exchange": {"name": EXCHANGE, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"},
                "bindingVersion": "0.3.0",
            }},
        }
        operations[f"publish.{event_type}"] = {
            "action": "send",
            "title": f"{_producer(event_type)} publishes {event_type}",
            "channel": {"$ref": f"#/channels/{event_type}"},
            "messages": [{"$ref": f"#/channels/{event_type}/messages/{name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": "0.3.0"}},
        }
    return {
        "asyncapi": "3.0.0",
        "id": "urn:cn:civic-platform:events",
        "info": {
            "title": "civic.events",
            "version": "1.0.0",
            "description": (
                "Events of the community social-organization platform, on the RabbitMQ topic exchange "
                f"`{EXCHANGE}`; the routing key is the event type. Each message is a JSON envelope "
                "`{id, type, district, occurredAt, producer, data}`; money in `data` is integer fen (`…Fen`). "
                "Fund-recovery alerts (`funding.recovery.*`) are also delivered as signed webhooks "
                "(Standard Webhooks: `webhook-id` is the envelope's id) with the same body. "
                "Generated from services/contracts by `python -m services.contracts.asyncapi`."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "broker": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The platform's RabbitMQ; each system connects as its own user, with read "
                               "permission on the routing keys it may bind.",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def render() -> str:
    return json.dumps(document(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.contracts.asyncapi")
    parser.add_argument("--out", type=Path, default=None, help="write here (default: print)")
    args = parser.parse_args(argv)
    if args.out is None:
        sys.stdout.write(render())
    else:
        args.out.write_text(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
