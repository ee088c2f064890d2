"""Idempotency keys (migration 0014): claim a key, store the response, or find what is there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.claims import Claims
from db.session import RequestDb

KEEP_HOURS = 24  # a key older than this is forgotten, and may be used again
IN_FLIGHT_SECONDS = 60  # a first request still unfinished after this is taken to have died

_FORGET_STALE = text(
    "DELETE FROM idempotency_keys WHERE tenant_id = :tenant AND profile_id = :sub AND key = :key"
    f" AND (created_at < now() - interval '{KEEP_HOURS} hours'"
    f"      OR (status IS NULL AND created_at < now() - interval '{IN_FLIGHT_SECONDS} seconds'))"
)
_CLAIM = text(
    "INSERT INTO idempotency_keys (tenant_id, profile_id, key, request_hash) VALUES (:tenant, :sub, :key, :hash)"
    " ON CONFLICT DO NOTHING RETURNING true AS mine"
)
_FOUND = text(
    "SELECT request_hash, status, response FROM idempotency_keys"
    " WHERE tenant_id = :tenant AND profile_id = :sub AND key = :key"
)
_STORE = text(
    "UPDATE idempotency_keys SET status = :status, response = :response"
    " WHERE tenant_id = :tenant AND profile_id = :sub AND key = :key AND status IS NULL"
)
_ABANDON = text(
    "DELETE FROM idempotency_keys WHERE tenant_id = :tenant AND profile_id = :sub AND key = :key AND status IS NULL"
)


@dataclass(frozen=True, slots=True)
class Found:
    """What a key already holds: `status` None while the first request is in flight."""

    request_hash: str
    status: int | None
    response: bytes | None


def _key(claims: Claims, key: str) -> dict[str, object]:
    return {"tenant": claims.tenant_id or "", "sub": claims.sub, "key": key}


async def claim(engine: AsyncEngine, claims: Claims, key: str, request_hash: str) -> Found | None:
    """Take the key for this request (None: it is ours now, committed), or what it already holds."""
    db = RequestDb(engine, claims.as_json_claims())
    try:
        await db.fetch(_FORGET_STALE, _key(claims, key))
        mine = await db.fetch_one(_CLAIM, {**_key(claims, key), "hash": request_hash})
        if mine is not None:
            await db.commit()
            return None
        row = await db.fetch_one(_FOUND, _key(claims, key))
    finally:
        await db.close()
    if row is None:  # let go between the two statements: the caller may try again
        return Found(request_hash, None, None)
    return Found(row["request_hash"], row["status"], None if row["response"] is None else bytes(row["response"]))


async def store(engine: AsyncEngine, claims: Claims, key: str, status: int, response: bytes) -> None:
    db = RequestDb(engine, claims.as_json_claims())
    try:
        await db.fetch(_STORE, {**_key(claims, key), "status": status, "response": response})
        await db.commit()
    finally:
        await db.close()


async def abandon(engine: AsyncEngine, claims: Claims, key: str) -> None:
    """Free a key whose request did not finish with an answer worth replaying (a retryable failure)."""
    db = RequestDb(engine, claims.as_json_claims())
    try:
        await db.fetch(_ABANDON, _key(claims, key))
        await db.commit()
    finally:
        await db.close()
