"""Probes: /healthz says the process is up, /readyz that the database answers (tests/test_readiness.py: the broker is not asked)."""

from __future__ import annotations


async def test_health_and_readiness_probes_answer(registry):
    health = await registry.http.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = await registry.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "database": True}
    metrics = await registry.http.get("/metrics")
    assert 'civic_http_requests_total{path="/readyz",service="registry",status="200"}' in metrics.text


async def test_unknown_paths_share_one_metrics_label(registry):
    # A label per probed URL would grow the metrics without end: every path the app does not serve is "other".
    for path in ("/nope-1", "/nope-2", "/wp-admin"):
        assert (await registry.http.get(path)).status_code == 404
    metrics = (await registry.http.get("/metrics")).text
    assert 'civic_http_requests_total{path="other",service="registry",status="404"}' in metrics
    assert "nope-1" not in metrics and "wp-admin" not in metrics
