"""The ASGI application: GraphQL over HTTP and WebSocket, health, readiness and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy.exc
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
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
from db.events import notify_in_transaction, on_citus, publish_after_commit
from db.membership import Membership
from db.session import Timeouts
from graph.context import Context
from graph.extensions import RETRYABLE
from graph.schema import production_schema, schema
from server import idempotency, metrics, pages, reminders, tracing, usage_rollup
from server.auth import AuthError, TokenVerifier
from server.errors import TooManyConnections, Unavailable, allowed
from server.limits import Connections, LimitBody, RateLimits
from server.live.feeds import LiveHub
from server.live.nats_broker import NatsBroker
from server.live.pg_broker import PgBroker
from server.live.shutdown import end_streams_on_exit_signals
from server.request_id import RequestId
from server.settings import Settings
from server.trusted import Refused, TrustedDocuments
from server.ws_handlers import LegacyWSHandler, TransportWSHandler

GRAPHQL_RESPONSE = "application/graphql-response+json"
# Allocations between young collections (CPython: 700), and how many young (and middle) collections
# before an older one (CPython: 10, 10). Measured at 1,000 subscribers: a young collection then takes
# a few ms every second or so, and the middle generation, the long pause, is visited 5x less often.
GC_THRESHOLDS = (4_000, 50, 1_000)
NOT_A_MEMBER = "The token's subject is not an active member of its clinic with its role."
UNAVAILABLE = "The database is unavailable right now. Retry shortly."
_log = logging.getLogger("vetql.server")
RETRY_AFTER = "1"  # seconds: timeouts and outages are answered at once, and are usually short


def _error(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    extensions: dict[str, object] = {"code": code}
    if code in RETRYABLE:
        extensions["retryable"] = True
        headers = {"Retry-After": RETRY_AFTER}
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status, headers)


_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "REQUEST_TOO_LARGE", 415: "BAD_REQUEST"}


def _too_many(wait: float, what: str) -> JSONResponse:
    seconds = str(math.ceil(wait))
    body = {"errors": [{"message": f"Too many requests {what}; retry after {seconds} s.",
                        "extensions": {"code": "RATE_LIMITED", "retryable": True}}]}
    return JSONResponse(body, 429, {"Retry-After": seconds})


def _nothing_came_back(data: object) -> bool:
    return data is None or (isinstance(data, dict) and all(value is None for value in data.values()))


class VetqlGraphQL(pages.OwnGraphiQL, GraphQL[Context, None]):
    """Strawberry's ASGI view with VetQL's identity, JSON encoding and GraphQL-over-HTTP status codes."""

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self,
        engine: AsyncEngine,
        verifier: TokenVerifier,
        membership: Membership,
        hub: LiveHub | None = None,
        compiled: bool = True,
        *,
        production: bool = False,
        graphiql: bool = True,
        allowed_origins: tuple[str, ...] = (),
        rate_limits: RateLimits | None = None,
        connections: Connections | None = None,
        trusted: TrustedDocuments | None = None,
    ) -> None:
        super().__init__(
            production_schema() if production else schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,  # queries only: Strawberry refuses mutations over GET
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=timedelta(seconds=5),
            # cross-origin WebSocket handshakes from these origins only (same origin always works)
            allowed_origins=allowed_origins,
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
        self.membership = membership
        self.rate_limits = rate_limits or RateLimits(None, None)
        self.connections = connections or Connections(0)
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket" and self.rate_limits.enabled:
                client = scope.get("client")
                if await self.rate_limits.address(client[0] if client else "") is not None:
                    await send({"type": "websocket.close", "code": 1013})  # before accept: HTTP 403
                    return
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self._admit(request)
        if response is None:
            claims = request.scope["state"]["claims"]
            key = request.headers.get(idempotency.HEADER)
            if key is not None and claims is not None and request.method == "POST":
                response = await idempotency.run(self.engine, request, claims, key, lambda: self._execute(request))
            else:
                response = await self._execute(request)
        await response(scope, receive, send)

    async def _execute(self, request: Request) -> Response:
        try:
            return await self.run(request)
        except HTTPException as exc:
            # malformed requests: a GraphQL error body, never Strawberry's text/plain
            return _error(exc.status_code, _HTTP_CODES.get(exc.status_code, "BAD_REQUEST"), exc.reason)
        except Refused as exc:
            return _error(exc.status, exc.code, str(exc))

    async def _admit(self, request: Request) -> Response | None:
        """Who may run anything at all: rate limits, a trustworthy token of an active member. None: go on."""
        if self.rate_limits.enabled:
            wait = await self.rate_limits.address(request.client.host if request.client else "")
            if wait is not None:
                return _too_many(wait, "from this address")
        try:
            claims = self.verifier.verify_header(request.headers.get("authorization"))
        except AuthError as exc:
            return _error(401, "UNAUTHENTICATED", f"Unauthenticated: {exc}.")
        if claims is not None and self.rate_limits.enabled:
            wait = await self.rate_limits.token(claims)
            if wait is not None:
                return _too_many(wait, "for this token")
        try:
            member = claims is None or await allowed(self.membership, claims)
        except Unavailable as exc:
            _log.warning("membership check failed: %s", exc)
            return _error(503, exc.code, UNAVAILABLE)
        if not member:
            return _error(403, "FORBIDDEN", NOT_A_MEMBER)
        request.scope.setdefault("state", {})["claims"] = claims
        return None

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        if isinstance(data, GraphQLRequestData) and self.trusted is not None:
            data = await self.trusted.apply(request, data)
        return data

    def parse_json(self, data: str | bytes) -> Any:
        # HTTP bodies and GET parameters only (WebSocket messages go through decode_json)
        try:
            parsed = super().parse_json(data)
        except (UnicodeDecodeError, RecursionError, ValueError) as exc:  # not UTF-8; nested past the parser
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object with a `query`.")
        return parsed

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
        if claims is not None and not await allowed(self.membership, claims):
            raise ConnectionRejectionError({"code": "FORBIDDEN", "message": NOT_A_MEMBER})
        if claims is not None and not self.connections.acquire(claims, context):
            raise TooManyConnections(self.connections.max_per_token)
        context.claims = claims
        return None

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        sub_response = request.scope.get("state", {}).get("sub_response")
        if sub_response is None:
            return await super().process_result(request, result)
        if GRAPHQL_RESPONSE in request.headers.get("accept", ""):
            # GraphQL over HTTP: with this media type, a request that never executed is a 4xx.
            sub_response.media_type = GRAPHQL_RESPONSE
            if isinstance(result, PreExecutionError):
                sub_response.status_code = 400
        errors = result.errors or []
        if (
            errors
            and all((e.extensions or {}).get("code") in RETRYABLE for e in errors)
            and _nothing_came_back(result.data)
        ):
            # a timeout or an outage, and no data: say so in HTTP too, so proxies and clients retry
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = RETRY_AFTER
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


READY_TIMEOUT = 2.0


async def _readyz(request: Request) -> Response:
    """Ready: the database answers within READY_TIMEOUT and its migrations are this code's. If not, why."""
    engine: AsyncEngine = request.app.state.engine
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            async with engine.connect() as conn:
                current = await migrate.current_revision(conn)
                await conn.rollback()
    except sqlalchemy.exc.TimeoutError:
        return _not_ready("no database connection free in the pool in time (every connection busy)")
    except TimeoutError:
        return _not_ready(f"the database did not answer within {READY_TIMEOUT:g} s")
    except Exception as exc:
        return _not_ready(f"cannot reach the database: {_cause(exc)}")
    head = migrate.head_revision()
    if current != head:
        reason = f"migrations behind: at {current}, code needs {head} (run `vetql migrate`)"
        return _not_ready(reason, migrations={"current": current, "head": head})
    return JSONResponse({"status": "ready", "migrations": {"current": current}})


def _cause(exc: BaseException) -> str:
    """The innermost exception's type and, for PostgreSQL's own errors, its SQLSTATE (never addresses)."""
    inner: BaseException = exc
    while getattr(inner, "orig", None) is not None:
        inner = inner.orig  # type: ignore[attr-defined]
    inner = inner.__cause__ or inner
    state = getattr(inner, "sqlstate", None)
    return type(inner).__name__ + (f" (SQLSTATE {state})" if state else "")


def _not_ready(reason: str, **details: object) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason, **details}, 503, {"Retry-After": RETRY_AFTER})


async def _metrics(request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings, database_url: str, *, compiled: bool = True) -> Starlette:
    """The app; the engine is created here and disposed by the lifespan.

    `compiled=False` answers everything through the ordinary resolvers (for the differential test).
    """
    engine = create_engine(
        database_url,
        pool_size=settings.pool_size,
        pool_timeout=settings.pool_timeout,
        connect_timeout=settings.connect_timeout,
        timeouts=Timeouts(
            statement_ms=round(settings.statement_timeout * 1000),
            lock_ms=round(settings.lock_timeout * 1000),
            idle_in_transaction_ms=round(settings.idle_in_transaction_timeout * 1000),
        ),
    )
    membership = Membership(engine, ttl=settings.membership_cache_seconds)
    graphql = VetqlGraphQL(
        engine,
        TokenVerifier(settings),
        membership,
        compiled=compiled,
        production=settings.production,
        graphiql=settings.graphiql_enabled,
        allowed_origins=settings.origins,
        rate_limits=RateLimits(settings.token_rate, settings.address_rate, settings.rate_limit_storage),
        connections=Connections(settings.connections_per_token),
        trusted=(
            TrustedDocuments.load(settings.trusted_documents, settings.trusted_documents_only)
            if settings.trusted_documents
            else None
        ),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The broker and its connection live as long as the server does.
        broker: PgBroker | NatsBroker
        if settings.nats_servers is None:
            # the triggers' NOTIFY, sent at COMMIT, is the publish
            broker = PgBroker(settings.listen_url or database_url)
            # ... except on Citus, where they are silent: there each request NOTIFYs in its transaction
            notify_in_transaction(engine, await on_citus(engine))
        else:
            broker = NatsBroker(settings.nats_servers, catch_up_seconds=settings.live_catch_up_seconds)
            publish_after_commit(engine, broker.publish)  # this process publishes what its requests commit
        await broker.start()
        hub = graphql.hub = app.state.hub = LiveHub(
            engine, broker, membership, send_timeout=settings.live_send_timeout_seconds
        )
        undo_signals = end_streams_on_exit_signals(hub)  # SSE and multipart end at once on SIGTERM, not after 10 s
        app.state.broker = broker
        # Folds usage deltas every few minutes (one process at a time, by advisory lock); 0 turns it off.
        rollup = (
            asyncio.create_task(usage_rollup.run_periodically(engine, settings.usage_rollup_seconds))
            if settings.usage_rollup_seconds > 0
            else None
        )
        # Schedules and sends reminders every few minutes (SKIP LOCKED: replicas never send one twice); 0: off.
        sender = reminders.sender_from_environment(
            settings.reminder_sender, settings.fcm_credentials, settings.fcm_project_id, settings.fcm_endpoint
        )
        reminding = (
            asyncio.create_task(reminders.run_periodically(engine, sender, settings.reminder_seconds))
            if settings.reminder_seconds > 0
            else None
        )
        _quiet_gc()
        try:
            yield
        finally:
            hub.shut_down()
            undo_signals()
            for task in (rollup, reminding):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await app.state.hub.close()
            publish_after_commit(engine, None)
            notify_in_transaction(engine, False)
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
        middleware=[
            Middleware(RequestId),
            *([Middleware(tracing.TraceRequests)] if tracing.active() else []),
            Middleware(_CountRequests),
            *_cors(settings.origins),
            Middleware(LimitBody, max_bytes=settings.max_body_bytes),
        ],
    )
    app.state.engine = engine
    app.state.membership = membership
    # /static (the pages' assets); /monitor only where GraphiQL is on (in production only when enabled)
    pages.mount(app, settings, engine, monitor=settings.graphiql_enabled)
    return app


def _cors(origins: tuple[str, ...]) -> list[Middleware]:
    """CORS for the listed origins, matched exactly; none listed: same origin only (no CORS headers)."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "accept", "idempotency-key", "x-request-id"],
            expose_headers=["retry-after", "x-request-id"],
            max_age=600,
        )
    ]


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
