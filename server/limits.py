"""Size, rate and connection limits, answered with GraphQL error bodies a client can act on."""

from __future__ import annotations

import logging
import time

import orjson
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.claims import Claims

_log = logging.getLogger("vetql.limits")


async def send_error(send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    """A complete HTTP response with a GraphQL error body."""
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class LimitBody:
    """Refuses request bodies over `max_bytes` with 413, before the app reads them.

    A declared Content-Length over the limit is refused unread; a body without one
    (chunked) is read up to the limit, then handed on whole.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await send_error(send, 400, "BAD_REQUEST", "Content-Length is not a number.")
                return
            if length > self.max_bytes:
                await self._too_large(send)
                return
            await self.app(scope, receive, send)  # the server stops at the declared length
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay() -> Message:
            return whole.pop() if whole else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await send_error(
            send, 413, "REQUEST_TOO_LARGE", f"The request body is larger than {self.max_bytes:,} bytes.",
            {"connection": "close"},
        )


class RateLimits:
    """Requests per token (its identity: clinic, profile, role) and per client address, in a moving window.

    Storage is the `limits` library's: `async+memory://` (per process) by default, or e.g.
    `async+redis://host:6379` so that replicas share their counts.
    """

    def __init__(self, per_token: str | None, per_address: str | None, storage: str = "async+memory://") -> None:
        self.per_token: RateLimitItem | None = parse(per_token) if per_token else None
        self.per_address: RateLimitItem | None = parse(per_address) if per_address else None
        self._storage: Storage | None = None
        self._storage_uri = storage
        self._limiter: MovingWindowRateLimiter | None = None

    @property
    def enabled(self) -> bool:
        return self.per_token is not None or self.per_address is not None

    def _strategy(self) -> MovingWindowRateLimiter:
        if self._limiter is None:
            storage = storage_from_string(self._storage_uri)
            if not isinstance(storage, Storage):
                raise ValueError(f"VETQL_RATE_LIMIT_STORAGE needs an async storage (async+...): {self._storage_uri}")
            self._storage = storage
            self._limiter = MovingWindowRateLimiter(self._storage)
        return self._limiter

    async def _wait(self, item: RateLimitItem | None, *key: str) -> float | None:
        """None if this hit is within the limit, else seconds until it would be."""
        if item is None:
            return None
        strategy = self._strategy()
        try:
            if await strategy.hit(item, *key):
                return None
            stats = await strategy.get_window_stats(item, *key)
        except Exception:  # a shared storage (Redis) that is down must not take the API with it
            _log.warning("rate limit storage failed; request let through", exc_info=True)
            return None
        return max(1.0, stats.reset_time - time.time())

    async def address(self, address: str) -> float | None:
        return await self._wait(self.per_address, "address", address)

    async def token(self, claims: Claims) -> float | None:
        return await self._wait(self.per_token, "token", claims.tenant_id or "", str(claims.sub), claims.role)


class Connections:
    """Open WebSocket connections per token identity, at most `max_per_token` (0: no limit)."""

    def __init__(self, max_per_token: int) -> None:
        self.max_per_token = max_per_token
        self._open: dict[tuple[str | None, str, str], set[int]] = {}

    @staticmethod
    def _key(claims: Claims) -> tuple[str | None, str, str]:
        return claims.tenant_id, str(claims.sub), claims.role

    def acquire(self, claims: Claims, connection: object) -> bool:
        if not self.max_per_token:
            return True
        held = self._open.setdefault(self._key(claims), set())
        if len(held) >= self.max_per_token and id(connection) not in held:
            return False
        held.add(id(connection))
        return True

    def release(self, claims: Claims | None, connection: object) -> None:
        if claims is None:
            return
        key = self._key(claims)
        held = self._open.get(key)
        if held is not None:
            held.discard(id(connection))
            if not held:
                del self._open[key]

    def count(self, claims: Claims) -> int:
        return len(self._open.get(self._key(claims), ()))

