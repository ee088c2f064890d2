"""Idempotency-Key: a retried creating mutation replays the stored result; the same key with another
body is 422; while the first is in flight, 409 with Retry-After; keys are per member."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx

from graph.types.node import to_global_id
from tests.world import World

Token = Callable[..., str]
CREATE_ALERT = """
mutation($input: CreatePatientAlertInput!) {
  createPatientAlert(input: $input) { patientAlert { id title } userErrors { field code } }
}
"""
UPDATE_PET = "mutation($i: UpdatePetInput!) { updatePet(input: $i) { pet { id } userErrors { code } } }"


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str,
               key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def alerts_titled(database_url: str, title: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM patient_alerts WHERE title = $1", title))
    finally:
        await conn.close()


def alert_input(world: World, title: str) -> dict[str, Any]:
    return {"input": {"petId": str(to_global_id("Pet", world.a.pets[3])), "alertType": "HANDLING", "title": title}}


async def test_a_retry_with_the_same_key_replays_the_stored_result(
    client: httpx.AsyncClient, database_url: str, world: World, token: Token
) -> None:
    vet, key, title = token(world.a.vet, world.a.tenant, "vet"), str(uuid.uuid4()), f"Idem {uuid.uuid4().hex[:8]}"
    first = await post(client, CREATE_ALERT, alert_input(world, title), vet, key)
    assert first.status_code == 200, first.text
    created = first.json()["data"]["createPatientAlert"]
    assert created["userErrors"] == [] and created["patientAlert"]["title"] == title
    again = await post(client, CREATE_ALERT, alert_input(world, title), vet, key)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await alerts_titled(database_url, title) == 1
    # the same request without a key (or with a new one) is a new request
    assert (await post(client, CREATE_ALERT, alert_input(world, title), vet, str(uuid.uuid4()))).status_code == 200
    assert await alerts_titled(database_url, title) == 2


async def test_the_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, database_url: str, world: World, token: Token
) -> None:
    vet, key = token(world.a.vet, world.a.tenant, "vet"), str(uuid.uuid4())
    title = f"Idem {uuid.uuid4().hex[:8]}"
    assert (await post(client, CREATE_ALERT, alert_input(world, title), vet, key)).status_code == 200
    other = await post(client, CREATE_ALERT, alert_input(world, title + " bis"), vet, key)
    assert other.status_code == 422, other.text
    assert other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await alerts_titled(database_url, title + " bis") == 0


async def test_keys_belong_to_the_member(
    client: httpx.AsyncClient, database_url: str, world: World, token: Token
) -> None:
    key, title = str(uuid.uuid4()), f"Idem {uuid.uuid4().hex[:8]}"
    for who, role in ((world.a.vet, "vet"), (world.a.admin, "admin")):
        response = await post(client, CREATE_ALERT, alert_input(world, title), token(who, world.a.tenant, role), key)
        assert response.status_code == 200 and "idempotent-replayed" not in response.headers
    assert await alerts_titled(database_url, title) == 2


async def test_a_retry_while_the_first_is_in_flight_is_409(
    client: httpx.AsyncClient, database_url: str, world: World, token: Token
) -> None:
    vet, key, pet = token(world.a.vet, world.a.tenant, "vet"), str(uuid.uuid4()), world.a.pets[4]
    variables = {"i": {"petId": str(to_global_id("Pet", pet)), "behavioralNotes": f"idem {key[:8]}"}}
    lock = await asyncpg.connect(database_url)
    try:
        tx = lock.transaction()
        await tx.start()
        # the first request waits on it
        await lock.execute("SELECT 1 FROM pets WHERE tenant_id = $2 AND id = $1 FOR UPDATE", pet, world.a.tenant)
        first = asyncio.create_task(post(client, UPDATE_PET, variables, vet, key))
        for _ in range(100):
            if await lock.fetchval("SELECT count(*) FROM idempotency_keys WHERE key = $1", key):
                break
            await asyncio.sleep(0.02)
        second = await post(client, UPDATE_PET, variables, vet, key)
        assert second.status_code == 409, second.text
        assert second.headers["retry-after"] == "1"
        assert second.json()["errors"][0]["extensions"] == {"code": "IDEMPOTENCY_KEY_IN_FLIGHT", "retryable": True}
        await tx.rollback()
    finally:
        await lock.close()
    done = await first
    assert done.status_code == 200 and done.json()["data"]["updatePet"]["userErrors"] == [], done.text
    replay = await post(client, UPDATE_PET, variables, vet, key)
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == done.json()


async def test_key_order_of_the_body_does_not_matter(client: httpx.AsyncClient, world: World, token: Token) -> None:
    vet, key, title = token(world.a.vet, world.a.tenant, "vet"), str(uuid.uuid4()), f"Idem {uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {vet}", "Idempotency-Key": key, "Content-Type": "application/json"}
    import json

    body = {"query": CREATE_ALERT, "variables": alert_input(world, title)}
    first = await client.post("/graphql", content=json.dumps(body), headers=headers)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = await client.post("/graphql", content=reordered, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_key_too_long_is_refused(client: httpx.AsyncClient, world: World, token: Token) -> None:
    response = await post(client, "{ __typename }", {}, token(world.a.vet, world.a.tenant, "vet"), "k" * 256)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
