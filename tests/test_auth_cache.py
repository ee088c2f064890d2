"""Verified tokens are remembered until they expire, never past it, and never when invalid."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from server.auth import AuthError, TokenVerifier, sign
from server.settings import Settings


def _token(settings: Settings, ttl: timedelta = timedelta(hours=1)) -> str:
    return sign(settings, sub=uuid.uuid4(), tenant_id="clinic-a", role="vet", ttl=ttl)


def test_a_verified_token_is_checked_once(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = TokenVerifier(settings)
    calls = 0
    real = verifier._verify

    def counting(token: str):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return real(token)

    monkeypatch.setattr(verifier, "_verify", counting)
    token = _token(settings)
    first = verifier.verify(token)
    assert verifier.verify(token) == first and first.role == "vet" and first.tenant_id == "clinic-a"
    assert calls == 1


def test_a_cached_token_is_checked_again_once_it_expires(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    verifier = TokenVerifier(settings, clock=lambda: now[0])
    checked: list[str] = []
    real = verifier._verify

    def counting(token: str):  # type: ignore[no-untyped-def]
        checked.append(token)
        return real(token)

    monkeypatch.setattr(verifier, "_verify", counting)
    token = _token(settings)
    exp = verifier.verify(token).exp
    now[0] = exp - 0.001
    verifier.verify(token)
    assert len(checked) == 1  # remembered until the last instant before `exp`
    now[0] = exp
    verifier.verify(token)  # (the signature check itself uses the real time: still valid for it)
    assert len(checked) == 2  # at `exp` it is no longer trusted from memory


def test_an_expired_token_says_expired_and_is_not_remembered(settings: Settings) -> None:
    verifier = TokenVerifier(settings)
    token = _token(settings, ttl=timedelta(seconds=-1))
    for _ in range(2):
        with pytest.raises(AuthError, match="expired"):
            verifier.verify(token)
    assert token not in verifier._verified


def test_invalid_tokens_are_never_cached(settings: Settings) -> None:
    verifier = TokenVerifier(settings)
    tampered = _token(settings)[:-2] + "xx"
    for _ in range(2):
        with pytest.raises(AuthError, match="invalid"):
            verifier.verify(tampered)
    assert tampered not in verifier._verified


def test_the_cache_is_bounded(settings: Settings) -> None:
    verifier = TokenVerifier(settings)
    verifier.CACHE_SIZE = 3
    tokens = [_token(settings) for _ in range(5)]
    for token in tokens:
        verifier.verify(token)
    assert list(verifier._verified) == tokens[2:]
