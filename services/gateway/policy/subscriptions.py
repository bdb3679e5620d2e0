"""`fundRecoveryAlerts` over graphql-transport-ws on /graphql.

The alert's own fields come from the event; what it points at (order, project, organization) is
fetched through the engine's normal plan with a subscriber's token, so tenancy holds there too, and
fetched once per alert for every subscription that may see the same answer (`visibility`), not once per
subscriber. A socket holds at most SUBSCRIPTIONS_PER_SOCKET subscriptions and a subject at most
SUBSCRIPTIONS_PER_SUBJECT over all its sockets; one more closes the socket with 4429.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from dataclasses import dataclass, replace
from typing import Any

import orjson

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationType, print_ast
from starlette.websockets import WebSocket, WebSocketDisconnect

from services.common.kernel.auth import Principal, bearer_token, verify_token_until
from services.common.kernel.errors import DomainError
from services.common.kernel.money import format_fen
from services.contracts import RecoveryOrdered, RecoveryOverdue

from ..engine.errors import RequestError
from ..engine.gateway import Gateway
from ..engine.planner import condition_values, select_operation
from ..engine.shaping import ResponseShaper
from .alerts import Alert, AlertHub

log = logging.getLogger("civic.gateway.ws")

PROTOCOL = "graphql-transport-ws"
INIT_TIMEOUT = 10.0
TOO_MANY = 4429  # graphql-transport-ws's code for "too many", used for subscriptions past a cap


@dataclass(frozen=True)
class SubscriptionLimits:
    per_socket: int = 10    # SUBSCRIPTIONS_PER_SOCKET
    per_subject: int = 20   # SUBSCRIPTIONS_PER_SUBJECT: over all the subject's sockets on this process

    @classmethod
    def from_env(cls) -> SubscriptionLimits:
        return cls(per_socket=int(os.environ.get("SUBSCRIPTIONS_PER_SOCKET", cls.per_socket)),
                   per_subject=int(os.environ.get("SUBSCRIPTIONS_PER_SUBJECT", cls.per_subject)))


def visibility(principal: Principal) -> Principal:
    """What a token can read, as the subgraphs decide it: its districts (tenancy), its roles (who may call
    a field) and the claims that narrow rows (city, district, subdistrict, org, agency); everything but who
    it is. Two tokens alike in all of these get the same answers, so one resolution serves both; tokens
    that differ in any (another role, another org) are another class and resolve on their own. The alert
    is one district's event and the class holds the token's districts, so no answer crosses districts.
    (Were a read ever to depend on `sub` itself, `sub` would have to join this key.)"""
    return replace(principal, sub="")

# Alert fields that point at entities, and the root query field that fetches each by id.
LINKED = {"order": ("recoveryOrder", "orderId"), "project": ("project", "projectId"),
          "organization": ("organization", "organizationId")}


def alert_scalars(alert: Alert) -> dict[str, Any]:
    """An alert's own fields, from the event the hub parsed."""
    envelope, event = alert.envelope, alert.event
    ordered, overdue = isinstance(event, RecoveryOrdered), isinstance(event, RecoveryOverdue)
    return {
        "__typename": "FundRecoveryAlert",
        "kind": "ORDERED" if ordered else "OVERDUE" if overdue else "SETTLED",
        "eventId": envelope.id,
        "district": envelope.district,
        "occurredAt": envelope.occurredAt,
        "orderId": event.order_id,
        "projectId": event.project_id,
        "organizationId": event.organization_id,
        "amount": format_fen(event.outstanding_fen if overdue else event.amount_fen),
        "reason": event.reason if ordered else None,
        "source": event.source if ordered else None,
        "deadline": event.deadline if overdue else None,
    }


def _used_fragments(selections, fragments: dict, found: dict) -> dict:
    for node in selections:
        if isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name not in found:
                found[name] = fragments[name]
                _used_fragments(fragments[name].selection_set.selections, fragments, found)
        elif node.selection_set is not None:
            _used_fragments(node.selection_set.selections, fragments, found)
    return found


class AlertResolver:
    """Shapes one alert for one subscription: event scalars plus linked entities through the plan."""

    def __init__(self, gateway: Gateway, field: FieldNode, fragments: dict, variables: dict) -> None:
        self.gateway = gateway
        self.field = field
        self.fragments = fragments
        self.variables = variables
        self.linked = self._linked_fields(field.selection_set.selections)

    def _linked_fields(self, selections) -> list[FieldNode]:
        found = []
        for node in selections:
            if isinstance(node, FieldNode) and node.name.value in LINKED:
                found.append(node)
            elif isinstance(node, InlineFragmentNode):
                found += self._linked_fields(node.selection_set.selections)
            elif isinstance(node, FragmentSpreadNode):
                found += self._linked_fields(self.fragments[node.name.value].selection_set.selections)
        return found

    async def resolve(self, alert: Alert, headers: dict[str, str]) -> dict:
        scalars = alert_scalars(alert)
        data: dict[str, Any] = {}
        errors: list = []
        if self.linked:
            parts, variables = [], {}
            for index, node in enumerate(self.linked):
                root, id_field = LINKED[node.name.value]
                variables[f"id{index}"] = scalars[id_field]
                parts.append(f"l{index}: {root}(id: $id{index}) {print_ast(node.selection_set)}")
            fragments = _used_fragments([n for n in self.linked], self.fragments, {})
            query = (
                "query Alert(" + ", ".join(f"$id{i}: ID!" for i in range(len(self.linked))) + ") { "
                + " ".join(parts) + " } " + " ".join(print_ast(f) for f in fragments.values())
            )
            result = await self.gateway.execute({"query": query, "variables": variables}, headers)
            errors = result.get("errors") or []
            fetched = result.get("data") or {}
            for index, node in enumerate(self.linked):
                data[node.name.value] = fetched.get(f"l{index}")
        return {"scalars": scalars, "linked": data, "errors": errors}


def shape_alert(gateway: Gateway, operation, fragments: dict, field: FieldNode, values: dict,
                errors: list, variables: dict) -> dict | None:
    """The client's view of one alert: its selection, under its aliases, with null propagation."""
    shaper = ResponseShaper(gateway.schema, fragments, condition_values(operation, variables), errors)
    by_key = {key: values.get(nodes[0].name.value)
              for key, nodes in shaper.collect("FundRecoveryAlert", [field.selection_set]).items()}
    key = field.alias.value if field.alias else field.name.value
    return shaper.shape(gateway.schema.subscription_type, operation.selection_set, {key: by_key})


async def serve_subscriptions(websocket: WebSocket, gateway: Gateway, hub: AlertHub,
                              limits: SubscriptionLimits | None = None) -> None:
    limits = limits or SubscriptionLimits.from_env()
    await websocket.accept(subprotocol=PROTOCOL)
    principal: Principal | None = None
    headers: dict[str, str] = {}
    tasks: dict[str, asyncio.Task] = {}
    expiry: asyncio.Task | None = None
    try:
        try:
            init = await asyncio.wait_for(websocket.receive_json(), INIT_TIMEOUT)
        except asyncio.TimeoutError:
            await websocket.close(4408, "Connection initialisation timeout")
            return
        if not isinstance(init, dict) or init.get("type") != "connection_init":
            await websocket.close(4400, "Expected connection_init")
            return
        payload = init.get("payload") or {}
        authorization = payload.get("Authorization") or payload.get("authorization") or websocket.headers.get("authorization")
        try:
            token = bearer_token(authorization)
            if not token:
                raise DomainError("a token is needed")
            principal, expires = verify_token_until(token)
        except DomainError:
            await websocket.close(4403, "Forbidden")
            return
        # A socket outlives no token: at exp it closes as Forbidden, and the client reconnects with a new one.
        expiry = asyncio.create_task(_close_at_expiry(websocket, expires))
        headers = {"authorization": authorization}
        await websocket.send_json({"type": "connection_ack"})
        while True:
            message = await websocket.receive_json()
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "ping":
                await websocket.send_json({"type": "pong"})
            elif kind == "subscribe":
                sub_id = str(message.get("id"))
                if sub_id in tasks:
                    await websocket.close(4409, f"Subscriber for {sub_id} already exists")
                    return
                running = sum(1 for task in tasks.values() if not task.done())
                if running >= limits.per_socket or hub.held(principal) >= limits.per_subject:
                    await websocket.close(TOO_MANY, "Too many subscriptions")
                    return
                hub.hold(principal)
                task = asyncio.create_task(
                    _run_subscription(websocket, gateway, hub, principal, headers, sub_id, message.get("payload") or {})
                )
                task.add_done_callback(lambda _, held=principal: hub.release(held))
                tasks[sub_id] = task
            elif kind == "complete":
                task = tasks.pop(str(message.get("id")), None)
                if task:
                    task.cancel()
            elif kind != "pong":
                await websocket.close(4400, f"Unexpected message {kind!r}")
                return
    except WebSocketDisconnect:
        pass
    finally:
        running = [*tasks.values(), *([expiry] if expiry else [])]
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _close_at_expiry(websocket: WebSocket, expires: float) -> None:
    await asyncio.sleep(max(0.0, expires - time.time()))
    with contextlib.suppress(RuntimeError):  # the socket closed meanwhile
        await websocket.close(4403, "Forbidden: the token has expired")


async def _run_subscription(websocket, gateway: Gateway, hub: AlertHub, principal: Principal,
                            headers: dict, sub_id: str, payload: dict) -> None:
    try:
        document = gateway.parse_and_validate(payload.get("query") or "")
        operation, fragments = select_operation(document, payload.get("operationName"))
        if operation.operation is not OperationType.SUBSCRIPTION:
            raise RequestError("only subscriptions are served over the websocket", "BAD_REQUEST")
        fields = [n for n in operation.selection_set.selections if isinstance(n, FieldNode)]
        if len(fields) != 1 or fields[0].name.value != "fundRecoveryAlerts":
            raise RequestError("subscribe to exactly one field: fundRecoveryAlerts", "BAD_REQUEST")
    except RequestError as error:
        await websocket.send_json({"id": sub_id, "type": "error", "payload": error.response()["errors"]})
        return
    field = fields[0]
    variables = payload.get("variables") or {}
    resolver = AlertResolver(gateway, field, fragments, variables)
    subscriber = hub.subscribe(principal)
    key = field.alias.value if field.alias else field.name.value
    # Subscriptions alike in what they ask and what their token may see share one answer per alert.
    shared = (visibility(principal), payload.get("query"), payload.get("operationName"),
              orjson.dumps(variables, option=orjson.OPT_SORT_KEYS))

    async def answer(alert: Alert) -> str:
        resolved = await resolver.resolve(alert, headers)
        errors = [{**e, "path": [key, *e.get("path", [])[1:]]} for e in resolved["errors"]]
        values = {**resolved["scalars"], **resolved["linked"]}
        data = shape_alert(gateway, operation, fragments, field, values, errors, variables)
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        return orjson.dumps(body).decode()

    frame_head = '{"id":' + orjson.dumps(sub_id).decode() + ',"type":"next","payload":'
    try:
        while True:
            alert = await subscriber.queue.get()
            pending = alert.answers.get(shared)
            if pending is None:
                pending = alert.answers[shared] = asyncio.ensure_future(answer(alert))
            # shield: a subscriber leaving does not cancel the answer the others wait for
            await websocket.send_text(frame_head + await asyncio.shield(pending) + "}")
    finally:
        hub.unsubscribe(subscriber)
