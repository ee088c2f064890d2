"""Failures the server answers with a retryable code rather than a fault."""

from __future__ import annotations

from db.claims import Claims
from db.membership import Membership
from db.session import DbError, DbUnavailable


async def allowed(membership: Membership, claims: Claims) -> bool:
    """The membership check, with a database that cannot answer raised as `Unavailable`."""
    try:
        return await membership.allows(claims)
    except DbUnavailable as exc:
        raise Unavailable("SERVICE_UNAVAILABLE", str(exc)) from None
    except DbError as exc:
        if exc.retry is None:
            raise
        raise Unavailable(exc.retry, str(exc)) from None


class Unavailable(Exception):
    """The database could not say whether the token is a member: retry later (HTTP 503)."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        super().__init__(reason)


class TooManyConnections(Exception):
    """The token already holds as many WebSocket connections as it may."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"at most {limit} connections per token")
