"""The AsyncAPI document of civic.events: fresh, valid AsyncAPI 3.0.0, and every example valid for its message."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from services.contracts import CONTRACTS
from services.contracts.asyncapi import DEFAULT_OUT, render

OFFICIAL_SCHEMA = Path(__file__).parent / "asyncapi" / "asyncapi-3.0.0.schema.json"
DOCUMENT_URI = "urn:civic:asyncapi"


def _document() -> dict:
    return json.loads(DEFAULT_OUT.read_text())


def test_the_checked_in_asyncapi_document_equals_a_fresh_generation():
    assert DEFAULT_OUT.read_text() == render(), (
        "run `python -m services.contracts.asyncapi --out deploy/asyncapi.json` and commit it")


def test_the_document_is_valid_against_the_official_asyncapi_3_schema():
    schema = json.loads(OFFICIAL_SCHEMA.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(_document()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_a_broken_document_is_refused_by_the_official_schema():
    broken = _document()
    del broken["channels"]["funding.recovery.ordered"]["address"]
    broken["operations"]["publish.funding.recovery.ordered"]["action"] = "publish"  # AsyncAPI 2 wording
    assert not jsonschema.Draft7Validator(json.loads(OFFICIAL_SCHEMA.read_text())).is_valid(broken)


def _payload_validator(document: dict, message: str) -> jsonschema.Draft7Validator:
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT7))
    return jsonschema.Draft7Validator(
        {"$ref": f"{DOCUMENT_URI}#/components/messages/{message}/payload"}, registry=registry)


def test_every_contract_has_a_channel_and_every_example_matches_its_message_schema():
    document = _document()
    assert set(document["channels"]) == set(CONTRACTS)
    assert "funding.recovery.overdue" in document["channels"]
    for name, message in document["components"]["messages"].items():
        validator = _payload_validator(document, name)
        assert message["examples"], name
        for example in message["examples"]:
            errors = list(validator.iter_errors(example["payload"]))
            assert not errors, f"{name}: {errors[0].message}"


def test_a_payload_that_breaks_its_contract_fails_the_message_schema():
    document = _document()
    validator = _payload_validator(document, "RecoveryOrdered")
    example = document["components"]["messages"]["RecoveryOrdered"]["examples"][0]["payload"]
    as_yuan = {**example, "data": {**example["data"], "amountFen": 3500.5}}  # money is integer fen
    missing = {**example, "data": {k: v for k, v in example["data"].items() if k != "orderId"}}
    wrong_type = {**example, "type": "funding.recovery.settled"}
    for bad in (as_yuan, missing, wrong_type):
        assert not validator.is_valid(bad)


def test_money_fields_are_integers_in_fen():
    schemas = _document()["components"]["schemas"]
    assert schemas["RecoveryOverdue"]["properties"]["outstandingFen"]["type"] == "integer"
    assert schemas["RecoveryOrdered"]["properties"]["organizationName"]["type"] == ["string", "null"]
