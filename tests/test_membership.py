"""A token is honoured only for an active member of its clinic with its role (issue 10, point 1).

Through HTTP (the in-process app) and WebSocket (a real `vetql serve`). Deactivations are made
with SQL as a clinic admin would make them; the in-process hook is `db.membership.forget`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from db import membership
from db.claims import Claims
from db.session import REQUEST_ROLE, DbUnavailable, set_claims
from graph.types.node import to_global_id
from tests.conftest import GQL, LiveServer, free_port
from tests.test_live_protocols import TRANSPORT_WS, VITALS, Client, error_codes
from tests.world import World

Token = Callable[..., str]
VIEWER = "{ viewer { role } pets(first: 1) { totalCount } }"


async def _sql(database_url: str, query: str, *args: object) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(query, *args)
    finally:
        await conn.close()


@pytest.fixture
async def member(database_url: str) -> AsyncIterator[Callable[..., Any]]:
    """member(role) -> the id of a new active profile of clinic A with that role."""
    made: list[uuid.UUID] = []

    async def make(role: str = "vet") -> uuid.UUID:
        profile = uuid.uuid4()
        await _sql(
            database_url,
            "INSERT INTO profiles (tenant_id, id, role, full_name, email) VALUES ('clinic-a', $1, $2, 'Temporal', $3)",
            profile, role, f"{profile}@example.test",
        )
        made.append(profile)
        return profile

    yield make
    for profile in made:
        membership.forget("clinic-a", profile)


async def deactivate(database_url: str, profile: uuid.UUID) -> None:
    await _sql(database_url, "UPDATE profiles SET is_active = false WHERE tenant_id = 'clinic-a' AND id = $1", profile)


async def refused(gql: GQL, token: str) -> None:
    response = await gql.raw(VIEWER, token=token)
    assert response.status_code == 403, response.text
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert "data" not in body


async def test_a_member_with_their_role_is_served(gql: GQL, world: World, token: Token) -> None:
    for who, role in ((world.a.admin, "admin"), (world.a.vet, "vet"), (world.a.owners[0], "owner")):
        assert (await gql.data(VIEWER, token=token(who, world.a.tenant, role)))["viewer"] == {"role": role.upper()}


@pytest.mark.parametrize("role", ["owner", "vet", "admin"])
async def test_a_random_sub_is_refused(gql: GQL, world: World, token: Token, role: str) -> None:
    await refused(gql, token(uuid.uuid4(), world.a.tenant, role))


@pytest.mark.parametrize("role", ["vet", "admin"])
async def test_another_clinics_staff_sub_is_refused(gql: GQL, world: World, token: Token, role: str) -> None:
    await refused(gql, token(world.b.admin, world.a.tenant, role))
    await refused(gql, token(world.b.vet, world.a.tenant, role))


@pytest.mark.parametrize(
    ("who", "role"),
    [("vet", "admin"), ("owner", "vet"), ("owner", "admin"), ("vet", "owner")],
)
async def test_a_token_claiming_another_role_than_the_profiles_is_refused(
    gql: GQL, world: World, token: Token, who: str, role: str
) -> None:
    profile = world.a.vet if who == "vet" else world.a.owners[0]
    await refused(gql, token(profile, world.a.tenant, role))


async def test_a_deactivated_member_is_refused_once_the_cache_time_passes(
    gql: GQL, app_and_counter: tuple[Any, Any], database_url: str, member: Callable[..., Any], token: Token,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker: membership.Membership = app_and_counter[0].state.membership
    now = [1_000_000.0]
    monkeypatch.setattr(checker, "clock", lambda: now[0])
    profile = await member("vet")
    tok = token(profile, "clinic-a", "vet")
    assert (await gql.data(VIEWER, token=tok))["viewer"] == {"role": "VET"}
    await deactivate(database_url, profile)  # in another process, say: this one is not told
    now[0] += checker.ttl / 2
    assert (await gql.data(VIEWER, token=tok))["viewer"] == {"role": "VET"}  # believed for the cache time
    now[0] += checker.ttl
    await refused(gql, tok)


async def test_a_deactivation_in_this_process_is_honoured_at_once(
    gql: GQL, database_url: str, member: Callable[..., Any], token: Token
) -> None:
    profile = await member("admin")
    tok = token(profile, "clinic-a", "admin")
    assert (await gql.data(VIEWER, token=tok))["viewer"] == {"role": "ADMIN"}
    await deactivate(database_url, profile)
    membership.forget("clinic-a", profile)  # the hook a deactivating mutation calls after its commit
    await refused(gql, tok)


def _member_checks(counter: Any) -> int:
    return sum("FROM profiles WHERE tenant_id" in statement for statement in counter.statements)


async def test_checks_of_one_identity_arriving_together_ask_the_database_once(
    app_and_counter: tuple[Any, Any], member: Callable[..., Any]
) -> None:
    """A restart brings every monitor back at once: one question per identity, not one per socket."""
    checker: membership.Membership = app_and_counter[0].state.membership
    counter = app_and_counter[1]
    vet, admin = await member("vet"), await member("admin")
    counter.reset()
    answers = await asyncio.gather(
        *(checker.allows(Claims(sub=vet, role="vet", tenant_id="clinic-a", exp=2**40)) for _ in range(40)),
        *(checker.allows(Claims(sub=vet, role="admin", tenant_id="clinic-a", exp=2**40)) for _ in range(20)),
        *(checker.allows(Claims(sub=admin, role="admin", tenant_id="clinic-a", exp=2**40)) for _ in range(20)),
    )
    assert answers == [True] * 40 + [False] * 20 + [True] * 20  # each caller its own identity's answer
    assert _member_checks(counter) == 3


async def test_a_check_that_fails_is_shared_by_who_waited_and_not_remembered(
    app_and_counter: tuple[Any, Any], member: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    checker: membership.Membership = app_and_counter[0].state.membership
    claims = Claims(sub=await member("vet"), role="vet", tenant_id="clinic-a", exp=2**40)
    asked = 0
    real = checker._ask

    async def unavailable(c: Claims) -> bool:
        nonlocal asked
        asked += 1
        await asyncio.sleep(0.01)
        raise DbUnavailable("no database connection free in time")

    monkeypatch.setattr(checker, "_ask", unavailable)
    results = await asyncio.gather(*(checker.allows(claims) for _ in range(10)), return_exceptions=True)
    assert asked == 1 and all(isinstance(r, DbUnavailable) for r in results), results
    monkeypatch.setattr(checker, "_ask", real)
    assert await checker.allows(claims) is True  # asked again: a failure is no answer


async def test_a_caller_that_goes_away_leaves_the_others_their_answer(
    app_and_counter: tuple[Any, Any], member: Callable[..., Any]
) -> None:
    checker: membership.Membership = app_and_counter[0].state.membership
    claims = Claims(sub=await member("vet"), role="vet", tenant_id="clinic-a", exp=2**40)
    first = asyncio.create_task(checker.allows(claims))
    others = [asyncio.create_task(checker.allows(claims)) for _ in range(5)]
    await asyncio.sleep(0)
    first.cancel()  # its socket closed while the question was out
    assert await asyncio.gather(*others) == [True] * 5
    assert first.cancelled()


async def test_a_forget_while_a_check_is_out_makes_later_callers_ask_anew(
    app_and_counter: tuple[Any, Any], database_url: str, member: Callable[..., Any]
) -> None:
    checker: membership.Membership = app_and_counter[0].state.membership
    counter = app_and_counter[1]
    profile = await member("vet")
    claims = Claims(sub=profile, role="vet", tenant_id="clinic-a", exp=2**40)
    counter.reset()
    before = asyncio.create_task(checker.allows(claims))
    await asyncio.sleep(0)
    await deactivate(database_url, profile)
    membership.forget("clinic-a", profile)  # the deactivation committed while the first check was out
    assert await checker.allows(claims) is False  # not the answer asked for before the forget
    assert isinstance(await before, bool)
    assert _member_checks(counter) == 2


async def test_only_an_admin_changes_who_is_active(
    database_url: str, member: Callable[..., Any], world: World
) -> None:
    profile = await member("owner")
    conn = await asyncpg.connect(database_url)
    try:
        for role, sub in (("owner", profile), ("vet", world.a.vet)):
            async with conn.transaction():
                await conn.execute(REQUEST_ROLE)
                await conn.execute(set_claims(f'{{"sub": "{sub}", "role": "{role}", "tenant_id": "clinic-a"}}'))
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="only an admin"):
                    await conn.execute("UPDATE profiles SET is_active = false WHERE id = $1", profile)
        async with conn.transaction():
            await conn.execute(REQUEST_ROLE)
            await conn.execute(set_claims(f'{{"sub": "{world.a.admin}", "role": "admin", "tenant_id": "clinic-a"}}'))
            assert await conn.execute("UPDATE profiles SET is_active = false WHERE id = $1", profile) == "UPDATE 1"
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def quick_server(database_url: str, world: World) -> AsyncIterator[LiveServer]:
    """A server that believes a membership for 0.3 s."""
    server = LiveServer(database_url, free_port(), env={"VETQL_MEMBERSHIP_CACHE_SECONDS": "0.3"})
    try:
        await server.ready()
        yield server
    finally:
        server.stop()


async def _client(server: LiveServer) -> Client:
    from websockets.asyncio.client import connect

    ws = await connect(server.ws_url, subprotocols=[TRANSPORT_WS], open_timeout=5)  # type: ignore[list-item]
    return Client(ws, TRANSPORT_WS)


async def test_a_random_sub_is_refused_over_websocket(quick_server: LiveServer, world: World, token: Token) -> None:
    client = await _client(quick_server)
    try:
        await client.send({"type": "connection_init",
                           "payload": {"authorization": f"Bearer {token(uuid.uuid4(), world.a.tenant, 'vet')}"}})
        assert await client.closed() == (4403, "Forbidden")
    finally:
        await client.ws.close()


async def test_a_subscription_outliving_its_membership_ends_forbidden(
    quick_server: LiveServer, database_url: str, member: Callable[..., Any], world: World, token: Token
) -> None:
    profile = await member("vet")
    client = await _client(quick_server)
    try:
        await client.ack(token(profile, "clinic-a", "vet"))
        assert world.a.open_log is not None
        await client.subscribe("1", VITALS, {"log": str(to_global_id("AnesthesiaLog", world.a.open_log))})
        await client.nothing_for(0.5)  # subscribed, and still a member after a re-check
        started = asyncio.get_running_loop().time()
        await deactivate(database_url, profile)
        message = await client.recv(within=3)
        assert message["id"] == "1" and error_codes(client, message) == ["FORBIDDEN"], message
        assert asyncio.get_running_loop().time() - started < 2
        # then `complete`; a new operation on the same connection is refused too
        assert await client.recv(within=3) == {"id": "1", "type": "complete"}
        await client.subscribe("2", VITALS, {"log": str(to_global_id("AnesthesiaLog", world.a.open_log))})
        message = await client.recv(within=3)
        assert message["id"] == "2" and error_codes(client, message) == ["FORBIDDEN"], message
        # and so is the token over HTTP
        async with httpx.AsyncClient(timeout=5) as http:
            response = await http.post(
                f"{quick_server.url}/graphql", json={"query": VIEWER},
                headers={"Authorization": f"Bearer {token(profile, 'clinic-a', 'vet')}"},
            )
        assert response.status_code == 403, response.text
    finally:
        await client.ws.close()
