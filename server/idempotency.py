"""Idempotency-Key: a POST retried with the same key gets the stored response instead of running again.

Keys belong to the caller (clinic, profile) and last 24 hours. The same key with a different body
is refused (422); while the first request with a key is still running, another gets 409 with
Retry-After. A response worth replaying (anything but a retryable failure: 429, 503, other 5xx,
or a streamed response) is stored after the request's own transaction committed; if the process
dies in between, the key counts as abandoned after 60 s and the request may run again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from db import idempotency
from db.claims import Claims
from db.session import DbError, DbUnavailable

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
_log = logging.getLogger("vetql.idempotency")


def request_hash(body: bytes) -> str:
    """The request's fingerprint: its JSON with sorted keys (so key order does not matter), else its bytes."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONDecodeError, TypeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _refuse(status: int, code: str, message: str, retry_after: str | None = None) -> JSONResponse:
    extensions: dict[str, object] = {"code": code}
    headers = None
    if retry_after is not None:
        extensions["retryable"] = True
        headers = {"Retry-After": retry_after}
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status, headers)


def _worth_keeping(response: Response) -> bool:
    return not isinstance(response, StreamingResponse) and response.status_code != 429 and response.status_code < 500


async def run(
    engine: AsyncEngine, request: Request, claims: Claims, key: str, execute: Callable[[], Awaitable[Response]]
) -> Response:
    if not 1 <= len(key) <= 255:
        return _refuse(400, "BAD_REQUEST", "An Idempotency-Key has 1 to 255 characters.")
    digest = request_hash(await request.body())
    try:
        found = await idempotency.claim(engine, claims, key, digest)
    except (DbUnavailable, DbError) as exc:
        if isinstance(exc, DbError) and exc.retry is None:
            raise
        _log.warning("idempotency key not claimed: %s", exc)
        return _refuse(503, "SERVICE_UNAVAILABLE", "The database is unavailable right now. Retry shortly.", "1")
    if found is not None:
        if found.request_hash != digest:
            return _refuse(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for a different request.")
        if found.status is None or found.response is None:
            return _refuse(409, "IDEMPOTENCY_KEY_IN_FLIGHT", "A request with this Idempotency-Key is running.", "1")
        return Response(found.response, found.status, {REPLAYED: "true"}, media_type="application/json")
    try:
        response = await execute()
    except BaseException:
        await idempotency.abandon(engine, claims, key)
        raise
    try:
        if _worth_keeping(response):
            await idempotency.store(engine, claims, key, response.status_code, bytes(response.body))
        else:
            await idempotency.abandon(engine, claims, key)
    except (DbUnavailable, DbError) as exc:  # the answer stands; the key frees itself after 60 s
        _log.warning("idempotency key not updated: %s", exc)
    return response
