"""Fund-recovery alerts as signed HTTPS callbacks (Standard Webhooks).

intake.py      a consumer of its own durable quorum queue (funding.webhooks.events): each alert becomes one
               delivery row per subscription that wants it, with the event's inbox row, in one transaction
dispatcher.py  sends pending deliveries (httpx, timeouts), in order per subscription and recovery order,
               retrying with exponential backoff and jitter until the retry window ends, then FAILED
signing.py     secrets (whsec_<base64>) and the webhook-id / webhook-timestamp / webhook-signature headers
endpoints.py   which URLs may be called: HTTPS and public addresses only in production (no SSRF)
settings.py    the retry schedule, the rotation grace period and the timeouts (environment)
worker.py      intake and dispatcher together, as funding's workers run them

A webhook outage never backs up the platform: the intake only writes rows and acks, whatever the
receivers do; the dispatcher works from the database.
"""
