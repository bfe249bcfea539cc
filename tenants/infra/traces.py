"""The cluster's trace backend through its Zipkin v2 query API (Zipkin, Jaeger's Zipkin endpoint, Tempo). I/O
only: what it answers, as plain dicts, or `TracesUnavailable`."""

import time

import requests

from tenants.infra.telemetry import TracedSession

TENANT_TAG = "k8s.namespace.name"  # set by the collector from the sending pod's IP (deploy/otel-collector.yaml)


class TracesUnavailable(Exception):
    """The trace backend could not be asked; the portal says so instead of failing."""


class TraceBackend:
    def __init__(self, url: str, timeout_seconds: float = 5):
        self._url, self._timeout = url.rstrip("/"), timeout_seconds
        self._session = TracedSession()

    def close(self) -> None:
        self._session.close()

    def _get(self, path: str, params: dict | None = None):
        try:
            response = self._session.get(f"{self._url}{path}", params=params, timeout=self._timeout)
        except requests.RequestException as error:
            raise TracesUnavailable(type(error).__name__) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise TracesUnavailable(f"HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise TracesUnavailable("not JSON") from None

    def traces(self, namespace: str, limit: int = 20, lookback_seconds: int = 3600) -> list[list[dict]]:
        """Recent traces with a span the collector attributed to `namespace`, newest first."""
        return self._get("/api/v2/traces", {
            "annotationQuery": f"{TENANT_TAG}={namespace}", "limit": limit,
            "lookback": lookback_seconds * 1000, "endTs": int(time.time() * 1000)}) or []

    def trace(self, trace_id: str) -> list[dict] | None:
        return self._get(f"/api/v2/trace/{trace_id}")
