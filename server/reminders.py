"""Reminders: scheduled into the outbox (`notification_queue`), then sent by a Sender.

`run_once` does one pass over every clinic, each in its own transaction under the clinic's
staff claims (as `vetql_app`, under RLS): it schedules vaccine-due reminders (next doses
within `days_ahead` of the clinic's today) and appointment reminders (visits within the
clinic's `reminder_hours_before`), each on the owner's channel and only when their
preferences allow it (domain/reminders), in es-PY; then it sends what is due, locked with
SKIP LOCKED so replicas never send one twice. A transient failure is tried again with
backoff, at most five times; a push token FCM reports invalid is switched off. A message
marked sent counts in the clinic's usage (migration 0023). Message texts are never logged.

Senders: `LogSender` (the default: logs that a message went, by id and channel) and
`FcmSender` (Firebase Cloud Messaging HTTP v1 for push, from a service account; other
channels go to its fallback, the log sender, until an SMS or e-mail provider is added).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from db import reminders as sql
from db.session import RequestDb
from domain.reminders import rules, templates

log = logging.getLogger("vetql.reminders")
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
INVALID_TOKEN = ("UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH")


@dataclass
class Outgoing:
    id: UUID
    channel: str
    title: str
    body: str
    tokens: list[str] = field(default_factory=list)


@dataclass
class Delivery:
    sent: bool
    invalid_tokens: list[str] = field(default_factory=list)
    error: str | None = None  # set: try again later
    final: bool = False  # not sent and never will be (no device left)


class Sender(Protocol):
    async def send(self, message: Outgoing) -> Delivery: ...


class LogSender:
    """Writes that a message went (id and channel only: the text names a patient)."""

    async def send(self, message: Outgoing) -> Delivery:
        log.info("reminder %s sent on %s", message.id, message.channel)
        return Delivery(sent=True)


class FcmSender:
    """Push through FCM HTTP v1 (`POST /v1/projects/{project}/messages:send`), authorised with an OAuth2
    access token obtained from a service account (JWT bearer grant, RS256). Other channels: `fallback`."""

    def __init__(
        self,
        credentials: dict[str, Any],
        *,
        project_id: str | None = None,
        endpoint: str = "https://fcm.googleapis.com",
        fallback: Sender | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._credentials = credentials
        self._project = project_id or credentials["project_id"]
        self._endpoint = endpoint.rstrip("/")
        self._fallback = fallback or LogSender()
        self._timeout = timeout
        self._token: tuple[str, float] | None = None

    @classmethod
    def from_file(cls, path: str, **kwargs: Any) -> FcmSender:
        return cls(json.loads(Path(path).read_text()), **kwargs)

    def _post(self, url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 (https or test)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            with exc:
                try:
                    body = json.loads(exc.read() or b"{}")
                except ValueError:
                    body = {}
            return exc.code, body

    def _access_token(self) -> str:
        if self._token is not None and self._token[1] > time.time() + 60:
            return self._token[0]
        now = int(time.time())
        token_uri = self._credentials["token_uri"]
        assertion = jwt.encode(
            {"iss": self._credentials["client_email"], "scope": FCM_SCOPE, "aud": token_uri, "iat": now,
             "exp": now + 3600},
            self._credentials["private_key"],
            algorithm="RS256",
        )  # fmt: skip
        form = urllib.parse.urlencode(
            {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        ).encode()
        status, body = self._post(token_uri, form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200 or "access_token" not in body:
            raise RuntimeError(f"FCM token endpoint answered {status}")
        self._token = (body["access_token"], now + float(body.get("expires_in", 3600)))
        return self._token[0]

    def _send_one(self, token: str, message: Outgoing) -> tuple[str, str | None]:
        """('sent' | 'invalid' | 'retry', error)."""
        payload = {"message": {"token": token, "notification": {"title": message.title, "body": message.body},
                               "data": {"reminder_id": str(message.id)}}}  # fmt: skip
        url = f"{self._endpoint}/v1/projects/{self._project}/messages:send"
        for _ in range(2):  # a rejected access token is fetched anew once
            headers = {"Authorization": f"Bearer {self._access_token()}", "Content-Type": "application/json"}
            status, body = self._post(url, json.dumps(payload).encode(), headers)
            if status == 401:
                self._token = None
                continue
            break
        if status == 200:
            return "sent", None
        error = body.get("error", {}) if isinstance(body, dict) else {}
        codes = {d.get("errorCode") for d in error.get("details", []) if isinstance(d, dict)}
        codes.add(error.get("status"))
        if status in (400, 404) and codes & set(INVALID_TOKEN):
            return "invalid", None
        return "retry", f"FCM answered {status} {error.get('status') or ''}".strip()

    async def send(self, message: Outgoing) -> Delivery:
        if message.channel != "push":
            return await self._fallback.send(message)
        results = [await asyncio.to_thread(self._send_one, token, message) for token in message.tokens]
        invalid = [t for t, (outcome, _) in zip(message.tokens, results, strict=True) if outcome == "invalid"]
        if any(outcome == "sent" for outcome, _ in results):
            return Delivery(sent=True, invalid_tokens=invalid)
        errors = [e for outcome, e in results if outcome == "retry"]
        if errors:
            return Delivery(sent=False, invalid_tokens=invalid, error=errors[0])
        return Delivery(sent=False, invalid_tokens=invalid, error="no valid device", final=True)


def sender_from_environment(kind: str, credentials: str | None, project: str | None, endpoint: str | None) -> Sender:
    """`log` (default) or `fcm` (needs a service-account JSON file)."""
    if kind == "fcm":
        if not credentials:
            raise ValueError("VETQL_REMINDER_SENDER=fcm needs VETQL_FCM_CREDENTIALS (a service-account JSON file)")
        return FcmSender.from_file(credentials, project_id=project, endpoint=endpoint or "https://fcm.googleapis.com")
    return LogSender()


async def _schedule(db: RequestDb, devices: RequestDb, tenant: str, days_ahead: int) -> int:
    queued = 0
    for row in await sql.vaccines_due(db, devices, tenant, days_ahead):
        channel = rules.channel(row["preferred_contact_method"], row["wants_reminders"], row["has_device"])
        if channel is None:
            continue
        title, body = templates.vaccine_due(row["owner_name"], row["pet"], row["vaccine"], row["next_dose_date"],
                                            row["clinic"])  # fmt: skip
        queued += await sql.enqueue(db, tenant, {"kind": "vaccine_due", "source_id": row["source_id"],
                                                 "recipient_id": row["owner_id"], "channel": channel,
                                                 "title": title, "body": body})  # fmt: skip
    for row in await sql.appointments_due(db, devices, tenant, await sql.hours_before(db, tenant)):
        channel = rules.channel(row["preferred_contact_method"], row["wants_reminders"], row["has_device"])
        if channel is None:
            continue
        title, body = templates.appointment(row["owner_name"], row["pet"], row["start_time"], row["timezone"],
                                            row["clinic"])  # fmt: skip
        queued += await sql.enqueue(db, tenant, {"kind": "appointment", "source_id": row["source_id"],
                                                 "recipient_id": row["owner_id"], "channel": channel,
                                                 "title": title, "body": body})  # fmt: skip
    return queued


async def _dispatch(db: RequestDb, tokens: RequestDb, tenant: str, sender: Sender, batch: int) -> int:
    sent = 0
    for row in await sql.due_messages(db, tenant, batch):
        devices = await sql.push_tokens(tokens, row["recipient_id"]) if row["channel"] == "push" else []
        message = Outgoing(row["id"], row["channel"], row["title"], row["body"], [t for _, t in devices])
        try:
            delivery = await sender.send(message)
        except Exception as exc:  # a sender's fault is a failed attempt, never the end of the pass
            delivery = Delivery(sent=False, error=type(exc).__name__)
        for device, token in devices:
            if token in delivery.invalid_tokens:
                await sql.drop_push_token(tokens, device)
        attempts = row["attempts"] + 1
        if delivery.sent:
            await sql.mark(db, tenant, row["id"], "sent", attempts, None, None)
            sent += 1
        elif delivery.final or attempts >= rules.MAX_ATTEMPTS:
            await sql.mark(db, tenant, row["id"], "failed", attempts, None, delivery.error)
        else:
            await sql.mark(db, tenant, row["id"], "pending", attempts,
                           datetime.now(UTC) + rules.backoff(attempts), delivery.error)  # fmt: skip
    return sent


@dataclass
class Pass:
    queued: int = 0
    sent: int = 0


async def run_once(
    engine: AsyncEngine, sender: Sender, *, days_ahead: int = 7, batch: int = 100, only: list[str] | None = None
) -> Pass:
    """One pass: schedule and send for every clinic (or those `only`), each in its own transaction."""
    if only is None:
        listing = RequestDb(engine, {"role": "platform"})
        try:
            tenants = await sql.clinics(listing)
        finally:
            await listing.close()
    else:
        tenants = only
    done = Pass()
    for tenant in tenants:
        claims = {"tenant_id": tenant, "role": "vet"}  # the clinic's own staff claims, no person
        # The devices (vetql.push_tokens, SECURITY DEFINER) in a transaction of their own: on Citus one
        # transaction may not write a clinic's rows as vetql_app and then read its devices as the
        # functions' owner. A token switched off stays off even if the outbox's transaction fails.
        db, devices = RequestDb(engine, claims), RequestDb(engine, claims)
        try:
            done.queued += await _schedule(db, devices, tenant, days_ahead)
            done.sent += await _dispatch(db, devices, tenant, sender, batch)
            await db.commit()
            await devices.commit()
        except Exception:
            log.exception("reminders for one clinic failed; trying again next pass")
        finally:
            await db.close()
            await devices.close()
    return done


async def run_periodically(engine: AsyncEngine, sender: Sender, every: float) -> None:
    """A pass every `every` seconds until cancelled; errors are logged, never raised."""
    while True:
        await asyncio.sleep(every)
        try:
            done = await run_once(engine, sender)
        except Exception:
            log.exception("reminder pass failed; trying again in %.0f s", every)
            continue
        if done.queued or done.sent:
            log.info("reminders: %d queued, %d sent", done.queued, done.sent)
