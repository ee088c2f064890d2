"""OpenTelemetry: spans for the request, the operation and its SQL; arguments and variables never recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from server import tracing
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET
from tests.world import World

Token = Callable[..., str]
SECRET = "Luna mordió al técnico"  # clinical free text
QUERY = "query Search($s: String) { pets(first: 3, filter: {search: $s}) { totalCount } }"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.configure(exporter)
    yield exporter
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor().uninstrument()
    exporter.shutdown()
    tracing._ON = False  # later apps in this test process run untraced


def test_tracing_is_off_without_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert not tracing.wanted()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert tracing.wanted()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not tracing.wanted()


async def test_request_operation_and_sql_spans_without_values(
    spans: InMemorySpanExporter, database_url: str, world: World, token: Token, tmp_path: Any
) -> None:
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path, env="development", usage_rollup_seconds=0)
    app = create_app(settings, database_url)
    headers = {"Authorization": f"Bearer {token(world.a.vet, world.a.tenant, 'vet')}"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
            posted = await http.post("/graphql", json={"query": QUERY, "variables": {"s": SECRET}}, headers=headers)
            got = await http.get("/graphql", params={"query": QUERY, "variables": f'{{"s": "{SECRET}"}}'},
                                 headers={**headers, "Accept": "application/json"})
    finally:
        await app.state.engine.dispose()
    assert posted.status_code == got.status_code == 200
    finished = spans.get_finished_spans()
    names = [s.name for s in finished]
    assert names.count("POST /graphql") == 1 and names.count("GET /graphql") == 1, names
    assert names.count("query Search") == 2, names
    sql = [s for s in finished if (s.attributes and "db.statement" in (s.attributes or {}))
           or (s.attributes or {}).get("db.system") == "postgresql"]
    assert sql, names
    request = next(s for s in finished if s.name == "POST /graphql")
    assert request.attributes is not None and request.attributes["http.response.status_code"] == 200
    operation = next(s for s in finished if s.name == "query Search")
    assert operation.parent is not None and operation.parent.span_id == request.context.span_id
    for span in finished:
        recorded = " ".join(str(v) for v in (span.attributes or {}).values())
        assert SECRET not in recorded and "Luna" not in recorded, (span.name, span.attributes)
