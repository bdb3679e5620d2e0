"""Webhook subscriptions for fund-recovery alerts, their deliveries and each delivery's attempts.

Row-level security, district first. A bureau's subscription is its district's row. A city admin's is
one row for the city (`district` NULL, `city` set): it is seen only where `app.city` names that city,
and only a city admin's own webhook operation sets `app.city` (from its verified token), as does the
webhook intake for an alert of one of the city's districts. A district's bureau therefore never sees
its city's subscription, and a city never sees another's. A delivery carries the alert's district (the
alert is that district's data, whoever subscribed), or NULL and the city for a city's test event.

The webhook dispatcher sends every district's pending deliveries as the relay role (civic_relay), which
has a policy of its own here as on the outbox; db.py grants it these three tables and nothing more.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from services.common.data.migration_ops import StateOnly  # moves migration state only; builds no SQL

TABLES = ("webhook_subscription", "webhook_delivery", "webhook_attempt")
PREDICATE = (
    "(district IS NOT NULL AND district = ANY(string_to_array(NULLIF(current_setting('app.districts', true), ''), ',')))"
    " OR (district IS NULL AND city = NULLIF(current_setting('app.city', true), ''))"
)

CREATE = [
    """CREATE TABLE webhook_subscription (
        district varchar(6), city varchar(4) NOT NULL, id uuid PRIMARY KEY, url text NOT NULL,
        description varchar(200) NOT NULL DEFAULT '', event_types jsonb NOT NULL, secret text NOT NULL,
        previous_secret text, previous_secret_until timestamptz, secret_rotated_at timestamptz,
        active boolean NOT NULL DEFAULT true, created_by varchar(120) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(), disabled_at timestamptz,
        CHECK (district IS NULL OR left(district, 4) = city))""",
    "CREATE INDEX webhook_subscription_scope ON webhook_subscription (district, city, created_at)",
    """CREATE TABLE webhook_delivery (
        district varchar(6), city varchar(4) NOT NULL, id uuid PRIMARY KEY, seq bigserial NOT NULL,
        subscription_id uuid NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
        event_id uuid NOT NULL, event_type varchar(80) NOT NULL, order_key varchar(60) NOT NULL,
        body text NOT NULL, status varchar(10) NOT NULL DEFAULT 'PENDING', attempts int NOT NULL DEFAULT 0, first_attempt_at timestamptz,
        next_attempt_at timestamptz, lease_until timestamptz, last_status_code int, last_error text,
        created_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz, failed_at timestamptz,
        CONSTRAINT webhook_delivery_once UNIQUE (district, subscription_id, event_id))""",
    # The order deliveries of one subscription and recovery order go out in, and the log's pages.
    "CREATE INDEX webhook_delivery_order ON webhook_delivery (district, subscription_id, order_key, seq)",
    "CREATE INDEX webhook_delivery_log ON webhook_delivery (district, subscription_id, created_at, id)",
    # What the dispatcher looks for: only pending rows are in it (district first, like every index here).
    "CREATE INDEX webhook_delivery_due ON webhook_delivery (district, next_attempt_at) WHERE status = 'PENDING'",
    """CREATE TABLE webhook_attempt (
        district varchar(6), city varchar(4) NOT NULL, id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE, number int NOT NULL,
        attempted_at timestamptz NOT NULL, status_code int, error text, latency_ms int NOT NULL,
        next_retry_at timestamptz)""",
    "CREATE INDEX webhook_attempt_delivery ON webhook_attempt (district, delivery_id, number)",
]

POLICIES = [
    statement
    for table in TABLES
    for statement in (
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY tenant_isolation ON "{table}" USING ({PREDICATE}) WITH CHECK ({PREDICATE})',
        f'CREATE POLICY relay_every_district ON "{table}" TO civic_relay USING (true) WITH CHECK (true)',
    )
]


class Migration(migrations.Migration):
    dependencies = [("funding", "0012_public_objections")]

    operations = [
        ops.RunSQL(CREATE + POLICIES, reverse_sql=[f'DROP TABLE "{t}"' for t in reversed(TABLES)]),
        StateOnly(
            ops.CreateModel(
                name="WebhookSubscription",
                fields=[
                    ("district", fields.CharField(null=True, max_length=6)),
                    ("city", fields.CharField(max_length=4)),
                    ("id", fields.UUIDField(primary_key=True)),
                    ("url", fields.TextField()),
                    ("description", fields.CharField(default="", max_length=200)),
                    ("event_types", fields.JSONField()),
                    ("secret", fields.TextField()),
                    ("previous_secret", fields.TextField(null=True)),
                    ("previous_secret_until", fields.DatetimeField(null=True)),
                    ("secret_rotated_at", fields.DatetimeField(null=True)),
                    ("active", fields.BooleanField(default=True)),
                    ("created_by", fields.CharField(max_length=120)),
                    ("created_at", fields.DatetimeField(auto_now_add=True)),
                    ("disabled_at", fields.DatetimeField(null=True)),
                ],
                options={"table": "webhook_subscription", "app": "funding", "pk_attr": "id"},
            ),
            ops.CreateModel(
                name="WebhookDelivery",
                fields=[
                    ("district", fields.CharField(null=True, max_length=6)),
                    ("city", fields.CharField(max_length=4)),
                    ("id", fields.UUIDField(primary_key=True)),
                    ("seq", fields.BigIntField()),
                    ("subscription_id", fields.UUIDField()),
                    ("event_id", fields.UUIDField()),
                    ("event_type", fields.CharField(max_length=80)),
                    ("order_key", fields.CharField(max_length=60)),
                    ("body", fields.TextField()),
                    ("status", fields.CharField(default="PENDING", max_length=10)),
                    ("attempts", fields.IntField(default=0)),
                    ("first_attempt_at", fields.DatetimeField(null=True)),
                    ("next_attempt_at", fields.DatetimeField(null=True)),
                    ("lease_until", fields.DatetimeField(null=True)),
                    ("last_status_code", fields.IntField(null=True)),
                    ("last_error", fields.TextField(null=True)),
                    ("created_at", fields.DatetimeField(auto_now_add=True)),
                    ("delivered_at", fields.DatetimeField(null=True)),
                    ("failed_at", fields.DatetimeField(null=True)),
                ],
                options={"table": "webhook_delivery", "app": "funding", "pk_attr": "id"},
            ),
            ops.CreateModel(
                name="WebhookAttempt",
                fields=[
                    ("district", fields.CharField(null=True, max_length=6)),
                    ("city", fields.CharField(max_length=4)),
                    ("id", fields.BigIntField(primary_key=True)),
                    ("delivery_id", fields.UUIDField()),
                    ("number", fields.IntField()),
                    ("attempted_at", fields.DatetimeField()),
                    ("status_code", fields.IntField(null=True)),
                    ("error", fields.TextField(null=True)),
                    ("latency_ms", fields.IntField()),
                    ("next_retry_at", fields.DatetimeField(null=True)),
                ],
                options={"table": "webhook_attempt", "app": "funding", "pk_attr": "id"},
            ),
        ),
    ]
