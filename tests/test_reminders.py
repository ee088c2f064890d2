"""Reminders: scheduled into the outbox on the owner's channel in es-PY, preferences respected, sent by the log
sender or by FCM HTTP v1 (against a local server that answers as FCM does), retried, and counted in usage."""

from __future__ import annotations

import json
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.reminders import rules
from server.reminders import Delivery, FcmSender, LogSender, Outgoing, run_once
from tests.conftest import GQL
from tests.test_till import Till, _clinic

PROJECT = "vet-demo"


class FakeFcm(BaseHTTPRequestHandler):
    """Answers as Google's token endpoint and FCM HTTP v1 do: 'good' tokens deliver, 'dead' ones are UNREGISTERED,
    'flaky' ones are UNAVAILABLE."""

    public_key: Any = None
    sent: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/token":
            form = urllib.parse.parse_qs(raw.decode())
            assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
            claims = jwt.decode(form["assertion"][0], self.public_key, algorithms=["RS256"],
                                audience=f"http://{self.headers['Host']}/token")  # fmt: skip
            assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
            self._answer(200, {"access_token": "ya29.local", "expires_in": 3600, "token_type": "Bearer"})
            return
        if self.path != f"/v1/projects/{PROJECT}/messages:send":
            self._answer(404, {"error": {"code": 404, "status": "NOT_FOUND"}})
            return
        if self.headers.get("Authorization") != "Bearer ya29.local":
            self._answer(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
            return
        message = json.loads(raw)["message"]
        FakeFcm.sent.append(message)
        if message["token"].startswith("dead"):
            self._answer(404, {"error": {"code": 404, "message": "Requested entity was not found.", "status":
                                         "NOT_FOUND", "details": [{"@type": "type.googleapis.com/google.firebase"
                                         ".fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}})  # fmt: skip
        elif message["token"].startswith("flaky"):
            self._answer(503, {"error": {"code": 503, "status": "UNAVAILABLE"}})
        else:
            self._answer(200, {"name": f"projects/{PROJECT}/messages/{len(FakeFcm.sent)}"})


@pytest.fixture(scope="module")
def fcm() -> Iterator[FcmSender]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    FakeFcm.public_key = key.public_key()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeFcm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()  # fmt: skip
    credentials = {"type": "service_account", "project_id": PROJECT, "client_email": "vetql@vet-demo.iam.test",
                   "private_key": pem, "token_uri": f"{base}/token"}  # fmt: skip
    yield FcmSender(credentials, endpoint=base)
    server.shutdown()
    server.server_close()


async def _sql(database_url: str, statement: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(statement, *args)
    finally:
        await conn.close()


async def _queue(database_url: str, c: Till) -> list[dict[str, Any]]:
    rows = await _sql(database_url, "SELECT * FROM notification_queue WHERE tenant_id = $1 ORDER BY kind", c.tenant)
    return [dict(r) for r in rows]


@pytest.fixture
async def clinic(database_url: str) -> Till:
    c = await _clinic(database_url)
    await _sql(database_url, "UPDATE profiles SET communication_preferences = '{\"reminders\": false}'"
               " WHERE tenant_id = $1 AND id = $2", c.tenant, c.other_owner)  # fmt: skip
    return c


@pytest.fixture
def pool(app_and_counter: tuple[Any, Any], client: Any) -> Any:
    """The app's engine (`client` disposes of it when the session ends)."""
    return app_and_counter[0].state.engine


async def test_reminders_are_scheduled_in_es_py_on_the_owners_channel_once_and_counted(
    database_url: str, clinic: Till, pool: Any, gql: GQL, token: Any
) -> None:
    due = date.today() + timedelta(days=3)
    await _sql(database_url, "INSERT INTO vaccines (tenant_id, pet_id, name, administered_date, next_dose_date)"
               " VALUES ($1, $2, 'Antirrábica', $3, $4), ($1, $5, 'Séxtuple', $3, $4)",
               clinic.tenant, clinic.pet, due - timedelta(days=365), due, clinic.other_pet)  # fmt: skip
    starts = (datetime.now(UTC) + timedelta(hours=5)).replace(second=0, microsecond=0)
    await _sql(database_url, "INSERT INTO appointments (tenant_id, pet_id, start_time, end_time, status)"
               " VALUES ($1, $2, $3, $4, 'confirmed'), ($1, $5, $3, $4, 'confirmed')",
               clinic.tenant, clinic.pet, starts, starts + timedelta(minutes=30), clinic.other_pet)  # fmt: skip
    done = await run_once(pool, LogSender(), only=[clinic.tenant])
    assert (done.queued, done.sent) == (2, 2)
    queue = await _queue(database_url, clinic)
    assert [(q["kind"], q["channel"], q["status"], q["recipient_id"]) for q in queue] == [
        ("appointment", "email", "sent", clinic.owner), ("vaccine_due", "email", "sent", clinic.owner)]  # fmt: skip
    local = starts.astimezone(ZoneInfo("America/Asuncion"))
    assert queue[0]["title"] == "Turno de Sultán"
    assert f"el {local:%d/%m/%Y} a las {local:%H:%M}" in queue[0]["body"]  # the clinic's wall clock, not UTC
    assert queue[1]["body"].startswith(f"Hola Rosa, a Sultán le toca la vacuna Antirrábica el {due:%d/%m/%Y}")
    again = await run_once(pool, LogSender(), only=[clinic.tenant])
    assert (again.queued, again.sent) == (0, 0)
    counted = await _sql(database_url, "SELECT sum(emails_sent) AS e FROM tenant_message_deltas WHERE tenant_id = $1",
                         clinic.tenant)  # fmt: skip
    assert counted[0]["e"] == 2
    month = date.today().replace(day=1).isoformat()
    usage = await gql.data(
        "query($t: String, $m: Date!) { tenantUsage(tenantId: $t, from: $m, to: $m) { emailsSent smsSent } }",
        {"t": clinic.tenant, "m": month}, token(clinic.admin, clinic.tenant, "admin"),
    )  # fmt: skip
    assert usage["tenantUsage"] == [{"emailsSent": 2, "smsSent": 0}]


async def test_push_goes_through_fcm_and_an_invalid_token_switches_the_device_off(
    database_url: str, clinic: Till, pool: Any, fcm: FcmSender
) -> None:
    await _sql(database_url, "INSERT INTO user_devices (tenant_id, user_id, fcm_token, device_type) VALUES"
               " ($1, $2, 'good-token', 'android'), ($1, $2, 'dead-token', 'ios')",
               clinic.tenant, clinic.owner)  # fmt: skip
    await _sql(database_url, "INSERT INTO vaccines (tenant_id, pet_id, name, administered_date, next_dose_date)"
               " VALUES ($1, $2, 'Tos de las perreras', current_date, current_date + 2)",
               clinic.tenant, clinic.pet)  # fmt: skip
    FakeFcm.sent.clear()
    done = await run_once(pool, fcm, only=[clinic.tenant])
    assert done.sent == 1
    [queued] = await _queue(database_url, clinic)
    assert (queued["channel"], queued["status"]) == ("push", "sent")
    assert {m["token"] for m in FakeFcm.sent} == {"good-token", "dead-token"}
    assert FakeFcm.sent[0]["notification"]["title"] == "Vacuna de Sultán"
    devices = await _sql(database_url, "SELECT fcm_token, is_active FROM user_devices WHERE tenant_id = $1"
                         " ORDER BY fcm_token", clinic.tenant)  # fmt: skip
    assert [(d["fcm_token"], d["is_active"]) for d in devices] == [("dead-token", False), ("good-token", True)]
    counted = await _sql(database_url, "SELECT count(*) AS n FROM tenant_message_deltas WHERE tenant_id = $1",
                         clinic.tenant)  # fmt: skip
    assert counted[0]["n"] == 0  # a push is not an SMS or an e-mail


async def test_fcm_answers_are_read_as_fcm_documents_them(fcm: FcmSender) -> None:
    message = Outgoing(uuid.uuid4(), "push", "Hola", "Texto")
    assert await fcm.send(Outgoing(message.id, "push", "t", "b", ["dead-1"])) == Delivery(
        sent=False, invalid_tokens=["dead-1"], error="no valid device", final=True)  # fmt: skip
    flaky = await fcm.send(Outgoing(message.id, "push", "t", "b", ["flaky-1"]))
    assert flaky.sent is False and flaky.error == "FCM answered 503 UNAVAILABLE" and not flaky.final
    assert (await fcm.send(Outgoing(message.id, "email", "t", "b"))).sent  # other channels: the log sender


class Failing:
    async def send(self, message: Outgoing) -> Delivery:
        return Delivery(sent=False, error="provider down")


async def test_a_failed_send_is_retried_with_backoff_then_given_up(
    database_url: str, clinic: Till, pool: Any
) -> None:
    await _sql(database_url, "INSERT INTO vaccines (tenant_id, pet_id, name, administered_date, next_dose_date)"
               " VALUES ($1, $2, 'Antirrábica', current_date, current_date + 1)",
               clinic.tenant, clinic.pet)  # fmt: skip
    await run_once(pool, Failing(), only=[clinic.tenant])
    [first] = await _queue(database_url, clinic)
    assert (first["status"], first["attempts"], first["last_error"]) == ("pending", 1, "provider down")
    assert first["next_attempt_at"] > datetime.now(UTC) + timedelta(seconds=50)  # backoff: not tried at once
    await run_once(pool, Failing(), only=[clinic.tenant])
    assert (await _queue(database_url, clinic))[0]["attempts"] == 1
    await _sql(database_url, "UPDATE notification_queue SET attempts = $2, next_attempt_at = now()"
               " WHERE tenant_id = $1", clinic.tenant, rules.MAX_ATTEMPTS - 1)  # fmt: skip
    await run_once(pool, Failing(), only=[clinic.tenant])
    [last] = await _queue(database_url, clinic)
    assert (last["status"], last["attempts"]) == ("failed", rules.MAX_ATTEMPTS)


def test_channel_rules() -> None:
    assert rules.channel("whatsapp", wants_reminders=False, has_device=True) is None
    assert rules.channel("phone", wants_reminders=True, has_device=False) == "sms"
    assert rules.channel(None, wants_reminders=True, has_device=False) == "email"
    assert rules.channel("email", wants_reminders=True, has_device=True) == "push"
    assert [rules.backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]
