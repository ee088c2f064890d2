"""Verifies bearer tokens into claims; signs development tokens."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from db.claims import ROLES, Claims
from server.settings import Settings

__all__ = ["ROLES", "AuthError", "Claims", "TokenVerifier"]

_ASYMMETRIC = ["RS256", "ES256"]


class AuthError(Exception):
    """A token was sent but cannot be trusted: HTTP 401, WebSocket close 4401."""


def dev_secret(settings: Settings) -> str:
    """The HS256 key: configured, or generated once and kept in VETQL_DATA_DIR."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = Path(settings.data_dir) / "jwt-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class TokenVerifier:
    """Verifies JWTs with an algorithm allow-list; `exp` is required.

    A token verified once is remembered until it expires (at most `CACHE_SIZE` of
    them), so a monitor posting a reading every second does not pay for the
    signature check every time.
    """

    CACHE_SIZE = 4096

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock  # what "expired" is measured against for remembered tokens (tests move it)
        self._verified: dict[str, Claims] = {}
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._public_key = settings.jwt_public_key
        self._secret = None if (self._jwks or self._public_key) else dev_secret(settings)

    def _key_and_algorithms(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, _ASYMMETRIC
        if self._public_key is not None:
            return self._public_key, _ASYMMETRIC
        return self._secret, ["HS256"]

    def verify(self, token: str) -> Claims:
        known = self._verified.get(token)
        if known is not None:
            if known.exp > self._clock():
                return known
            del self._verified[token]
        claims = self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> Claims:
        try:
            key, algorithms = self._key_and_algorithms(token)
            payload = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "sub", "role"], "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise AuthError("invalid token") from exc
        return claims_from_payload(payload)

    def verify_header(self, value: str | None) -> Claims | None:
        """`Authorization` header value to claims; None when absent."""
        if not value:
            return None
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("expected 'Bearer <token>'")
        return self.verify(token.strip())


def claims_from_payload(payload: dict[str, Any]) -> Claims:
    role = payload.get("role")
    if role not in ROLES:
        raise AuthError("unknown role")
    try:
        sub = uuid.UUID(str(payload["sub"]))
    except ValueError as exc:
        raise AuthError("sub is not a UUID") from exc
    tenant_id = payload.get("tenant_id")
    if tenant_id is not None and not isinstance(tenant_id, str):
        raise AuthError("tenant_id must be text")
    if role != "platform" and not tenant_id:
        raise AuthError("tenant_id is required for clinic roles")
    return Claims(sub=sub, role=role, tenant_id=tenant_id or None, exp=int(payload["exp"]))


def parse_ttl(text: str) -> timedelta:
    """'8h', '30m', '2d', '45s' to a timedelta."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"bad ttl {text!r}: use e.g. 30m, 8h, 2d")
    return timedelta(seconds=int(text[:-1]) * units[text[-1]])


def sign(settings: Settings, *, sub: uuid.UUID, tenant_id: str | None, role: str, ttl: timedelta) -> str:
    """A development HS256 token with the claims VetQL reads."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    payload: dict[str, Any] = {"sub": str(sub), "role": role, "exp": datetime.now(UTC) + ttl}
    if tenant_id is not None:
        payload["tenant_id"] = tenant_id
    if settings.jwt_audience:
        payload["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        payload["iss"] = settings.jwt_issuer
    return jwt.encode(payload, dev_secret(settings), algorithm="HS256")
