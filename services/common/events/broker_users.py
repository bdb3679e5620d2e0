"""One RabbitMQ user per service, allowed only its own routing keys and queues.

    python -m services.common.events.broker_users ensure        # create/update the users with rabbitmqctl
    python -m services.common.events.broker_users definitions   # the deploy/ definitions file (placeholders)

ROUTES is the one table: what each service publishes on civic.events and what it binds. From it come
the user's permissions (configure/write/read regexes on exchange and queue names) and its topic
permissions on civic.events (write = the keys it may publish, read = the keys it may bind), so a
service that is taken over still cannot forge another service's events (registry cannot publish
funding.recovery.ordered: the broker closes the channel with ACCESS_REFUSED) nor read another's queue.
tests/test_broker_users.py checks the table against the emitters and the handlers.

Every service declares the shared exchanges (topology.declare_exchanges) and so may configure them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from services.common.events.topology import DEAD_LETTER_EXCHANGE, EXCHANGE, UNROUTED_EXCHANGE, dead_letter_queue_name, queue_name


@dataclass(frozen=True)
class Routes:
    emits: tuple[str, ...] = ()  # routing keys it publishes on civic.events (its event types)
    binds: tuple[str, ...] = ()  # binding keys its queues use on civic.events (the types it consumes)
    queues: tuple[str, ...] = ()  # regexes of the queue names it declares and consumes


def _service_queues(service: str) -> tuple[str, ...]:
    return (re.escape(queue_name(service)), re.escape(dead_letter_queue_name(service)))


ROUTES: dict[str, Routes] = {
    "registry": Routes(
        emits=("registry.district.onboarded", "registry.district.changed", "registry.gazetteer.changed",
               "registry.organization.registered", "registry.organization.status_changed"),
    ),
    "funding": Routes(
        emits=("funding.round.opened", "funding.round.changed", "funding.project.awarded",
               "funding.tranche.disbursed", "funding.service_record.reported", "funding.recovery.ordered",
               "funding.recovery.settled", "funding.recovery.overdue"),
        binds=("registry.district.onboarded", "registry.district.changed", "registry.gazetteer.changed",
               "registry.organization.registered", "registry.organization.status_changed",
               "evaluation.violation.found",
               # the webhook intake's own queue (services/funding/webhooks/intake.py)
               "funding.recovery.ordered", "funding.recovery.settled", "funding.recovery.overdue"),
        queues=_service_queues("funding") + _service_queues("funding.webhooks"),
    ),
    "evaluation": Routes(
        emits=("evaluation.phase.completed", "evaluation.violation.found", "evaluation.rectification.overdue"),
        binds=("registry.district.onboarded", "registry.district.changed", "funding.round.opened",
               "funding.round.changed", "funding.project.awarded", "funding.service_record.reported",
               "funding.recovery.ordered", "funding.recovery.settled"),
        queues=_service_queues("evaluation"),
    ),
    # Fund-recovery alerts: exclusive queues gateway.alerts.<hex> (policy/alerts.py, and `civic alerts`).
    "gateway": Routes(
        binds=("funding.recovery.ordered", "funding.recovery.settled", "funding.recovery.overdue", "funding.recovery.*"),
        queues=(r"gateway\.alerts\.[0-9a-f]+",),
    ),
}
BROKER_SERVICES = tuple(ROUTES)
SHARED_EXCHANGES = (EXCHANGE, UNROUTED_EXCHANGE, DEAD_LETTER_EXCHANGE)  # civic.unrouted is a queue too
NOTHING = "^$"  # RabbitMQ's "no resource" (and the empty routing key, which nothing uses)


def _anchored(alternatives: list[str]) -> str:
    return f"^({'|'.join(alternatives)})$" if alternatives else NOTHING


@dataclass(frozen=True)
class Permissions:
    configure: str
    write: str
    read: str
    topic_write: str
    topic_read: str


def permissions(service: str) -> Permissions:
    routes = ROUTES[service]
    shared = [re.escape(name) for name in SHARED_EXCHANGES]
    # Write: publishing to an exchange, binding a queue (write on the queue), and naming civic.unrouted as
    # civic.events' alternate exchange. civic.dlx: a consumer dead-letters a refused message with its reason.
    write = [re.escape(UNROUTED_EXCHANGE)]
    if routes.emits:
        write.append(re.escape(EXCHANGE))
    if routes.binds and service != "gateway":
        write.append(re.escape(DEAD_LETTER_EXCHANGE))
    # Read: consuming a queue, and the exchanges its queues bind to.
    return Permissions(
        configure=_anchored(shared + list(routes.queues)),
        write=_anchored(write + list(routes.queues)),
        read=_anchored(shared + list(routes.queues)),
        topic_write=_anchored([re.escape(key) for key in routes.emits]),
        topic_read=_anchored([re.escape(key) for key in routes.binds]),
    )


def default_url(service: str) -> str:
    return f"amqp://civic_{service}:civic_{service}@127.0.0.1:5672/"


def account(service: str) -> tuple[str, str, str]:
    """(user, password, vhost) from `<SERVICE>_AMQP_URL`, else the service's default user."""
    parts = urlsplit(os.environ.get(f"{service.upper()}_AMQP_URL") or default_url(service))
    return unquote(parts.username or ""), unquote(parts.password or ""), unquote(parts.path[1:]) or "/"


def _definitions(accounts: dict[str, tuple[str, str, str]]) -> dict:
    """RabbitMQ definitions for the services' users: {service: (user, password, vhost)}."""
    users, perms, topics = [], [], []
    for service, (user, password, vhost) in accounts.items():
        p = permissions(service)
        users.append({"name": user, "password": password, "tags": []})
        perms.append({"user": user, "vhost": vhost, "configure": p.configure, "write": p.write, "read": p.read})
        topics.append({"user": user, "vhost": vhost, "exchange": EXCHANGE, "write": p.topic_write, "read": p.topic_read})
    vhosts = sorted({vhost for _, _, vhost in accounts.values()})
    return {"users": users, "vhosts": [{"name": v} for v in vhosts], "permissions": perms, "topic_permissions": topics}


def ensure_users(services: tuple[str, ...] = BROKER_SERVICES, run=subprocess.run) -> None:
    """Creates (or updates) each service's user, password and permissions on the local broker: one
    `rabbitmqctl import_definitions`, which leaves every other user and vhost as it is."""
    accounts = {service: account(service) for service in services}
    for service, (user, _, _) in accounts.items():
        if user == "guest":  # narrowing guest's permissions would lock the tools and tests out
            raise ValueError(f"{service.upper()}_AMQP_URL names guest: a service needs a user of its own")
    run(["rabbitmqctl", "-q", "import_definitions"], input=json.dumps(_definitions(accounts)), text=True,
        capture_output=True, check=True)


def password_variable(service: str) -> str:
    return f"{service.upper()}_AMQP_PASSWORD"


def deploy_definitions() -> dict:
    """What deploy/k8s/base/rabbitmq-definitions.json holds (compose mounts it too): loaded at the
    broker's boot, with ${..._PASSWORD} placeholders that the broker's start filled from the environment
    (a Secret). Loading definitions at boot skips the default user, so the operators' `civic` is here."""
    accounts = {s: (f"civic_{s}", "${%s}" % password_variable(s), "/") for s in BROKER_SERVICES}
    body = _definitions(accounts)
    body["users"].insert(0, {"name": "civic", "password": "${RABBITMQ_ADMIN_PASSWORD}", "tags": ["administrator"]})
    body["permissions"].insert(0, {"user": "civic", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"})
    return body


def main(argv: list[str] | None = None) -> int:
    command = (argv if argv is not None else sys.argv[1:] or ["ensure"])[0]
    if command == "ensure":
        ensure_users()
    elif command == "definitions":
        print(json.dumps(deploy_definitions(), indent=2))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
