"""The ASGI application: GraphQL over HTTP and WebSocket, health, readiness and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from db import migrate
from db.engine import create_engine
from db.session import RequestDb
from graph.context import Context
from graph.schema import schema
from server import metrics, usage_rollup
from server.auth import AuthError, Claims, TokenVerifier
from server.live.feeds import LiveHub
from server.live.pg_broker import PgBroker
from server.live.shutdown import end_streams_on_exit_signals
from server.settings import Settings
from server.ws_handlers import LegacyWSHandler, TransportWSHandler

GRAPHQL_RESPONSE = "application/graphql-response+json"
# Allocations between young collections (CPython: 700), and how many young (and middle) collections
# before an older one (CPython: 10, 10). Measured at 1,000 subscribers: a young collection then takes
# a few ms every second or so, and the middle generation, the long pause, is visited 5x less often.
GC_THRESHOLDS = (4_000, 50, 1_000)
_TENANT_TTL = 60.0


class _KnownTenants:
    """Clinics seen to exist recently, so a token for a clinic that does not exist is refused."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}

    async def exists(self, engine: AsyncEngine, claims: Claims) -> bool:
        tenant = claims.tenant_id
        if tenant is None:
            return True
        now = time.monotonic()
        if self._seen.get(tenant, 0.0) > now:
            return True
        db = RequestDb(engine, claims.as_json_claims())
        try:
            found = await db.fetch_one(text("SELECT 1 FROM tenants WHERE id = :id"), {"id": tenant})
        finally:
            await db.close()
        if found is not None:
            self._seen[tenant] = now + _TENANT_TTL
        return found is not None


def _error(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status, headers)


class VetqlGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with VetQL's identity, JSON encoding and GraphQL-over-HTTP status codes."""

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self, engine: AsyncEngine, verifier: TokenVerifier, hub: LiveHub | None = None, compiled: bool = True
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allow_queries_via_get=True,  # queries only: Strawberry refuses mutations over GET
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=timedelta(seconds=5),
            # WebSocket for most clients; multipart and SSE for those that cannot open one
            subscription_protocols=(
                GRAPHQL_TRANSPORT_WS_PROTOCOL,
                GRAPHQL_WS_PROTOCOL,
                MULTIPART_SUBSCRIPTION_PROTOCOL,
                GRAPHQL_SSE_PROTOCOL,
            ),
        )
        self.engine = engine
        self.verifier = verifier
        self.hub = hub
        self.compiled = compiled
        self.tenants = _KnownTenants()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                claims = self.verifier.verify_header(request.headers.get("authorization"))
            except AuthError as exc:
                await _error(401, "UNAUTHENTICATED", f"Unauthenticated: {exc}.")(scope, receive, send)
                return
            if claims is not None and not await self.tenants.exists(self.engine, claims):
                await _error(403, "FORBIDDEN", "The token's clinic does not exist.")(scope, receive, send)
                return
            scope.setdefault("state", {})["claims"] = claims
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        claims = request.scope.get("state", {}).get("claims")
        if isinstance(response, Response):
            request.scope["state"]["sub_response"] = response
        return Context(engine=self.engine, claims=claims, hub=self.hub, compiled=self.compiled)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        raw = (context.connection_params or {}).get("authorization")
        try:
            claims = self.verifier.verify_header(raw if isinstance(raw, str) else None)
        except AuthError as exc:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": str(exc)}) from None
        if claims is not None and not await self.tenants.exists(self.engine, claims):
            raise ConnectionRejectionError({"code": "FORBIDDEN", "message": "unknown clinic"})
        context.claims = claims
        return None

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        sub_response = request.scope.get("state", {}).get("sub_response")
        if sub_response is not None and GRAPHQL_RESPONSE in request.headers.get("accept", ""):
            # GraphQL over HTTP: with this media type, a request that never executed is a 4xx.
            sub_response.media_type = GRAPHQL_RESPONSE
            if isinstance(result, PreExecutionError):
                sub_response.status_code = 400
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> str:
        # WebSocket and streamed messages: orjson, as text frames (what clients expect).
        return orjson.dumps(data).decode()

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = Response(
            orjson.dumps(response_data),
            status_code=sub_response.status_code or 200,
            media_type=getattr(sub_response, "media_type", None) or "application/json",
        )
        for key, value in sub_response.headers.items():
            if key.lower() not in ("content-type", "content-length"):
                response.headers[key] = value
        return response


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _readyz(request: Request) -> Response:
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as conn:
            current = await migrate.current_revision(conn)
            await conn.rollback()
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    head = migrate.head_revision()
    if current != head:
        return JSONResponse({"status": "unavailable", "migrations": {"current": current, "head": head}}, 503)
    return JSONResponse({"status": "ready", "migrations": {"current": current}})


async def _metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings, database_url: str, *, compiled: bool = True) -> Starlette:
    """The app; the engine is created here and disposed by the lifespan.

    `compiled=False` answers everything through the ordinary resolvers (for the differential test).
    """
    engine = create_engine(database_url, pool_size=settings.pool_size)
    graphql = VetqlGraphQL(engine, TokenVerifier(settings), compiled=compiled)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The broker and its listener connection live as long as the server does.
        broker = PgBroker(database_url)
        await broker.start()
        hub = graphql.hub = app.state.hub = LiveHub(engine, broker, send_timeout=settings.live_send_timeout_seconds)
        undo_signals = end_streams_on_exit_signals(hub)  # SSE and multipart end at once on SIGTERM, not after 10 s
        app.state.broker = broker
        # Folds usage deltas every few minutes (one process at a time, by advisory lock); 0 turns it off.
        rollup = (
            asyncio.create_task(usage_rollup.run_periodically(engine, settings.usage_rollup_seconds))
            if settings.usage_rollup_seconds > 0
            else None
        )
        _quiet_gc()
        try:
            yield
        finally:
            hub.shut_down()
            undo_signals()
            if rollup is not None:
                rollup.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await rollup
            await broker.stop()
            await engine.dispose()

    graphql.connection_init_wait_timeout = timedelta(seconds=settings.connection_init_wait_seconds)  # 5 s unless set
    app = Starlette(
        routes=[
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", _healthz),
            Route("/readyz", _readyz),
            Route("/metrics", _metrics),
        ],
        lifespan=lifespan,
        middleware=[Middleware(_CountRequests)],
    )
    app.state.engine = engine
    return app


def _quiet_gc() -> None:
    """Keep the cyclic garbage collector from pausing live delivery.

    Everything built at start-up (modules, the schema, compiled caches) lives as
    long as the process: freezing it takes it out of every later collection. A
    larger young-generation threshold means fewer collections; what a request
    allocates is mostly freed by reference counting anyway.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class _CountRequests:
    """Counts HTTP responses by route and status (pure ASGI: streaming untouched)."""

    _ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = scope["path"] if scope["path"] in self._ROUTES else "other"

        async def counting_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                metrics.HTTP_REQUESTS.labels(route, str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counting_send)
