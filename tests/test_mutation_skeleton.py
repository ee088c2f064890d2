"""The one skeleton every mutation runs through (graph/mutations.py), proven on real PostgreSQL:
a real deadlock is retried from a clean state and given up after the policy's bound, a broken
constraint becomes the domain's userError with nothing written, and the loaders learn a write
before the rest of the request reads."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db import records
from db.claims import Claims
from db.engine import create_engine
from db.retry import DEADLOCK, RetryPolicy
from db.session import DbError, RequestDb
from domain.problems import Problem
from domain.records.errors import CONSTRAINTS, DUPLICATE_ACTIVE_PROBLEM
from domain.records.errors import RecordsErrorCode as Code
from graph.context import Context
from graph.mutations import Mutations, Write
from graph.schema import schema
from graph.types.node import to_global_id
from graph.types.records_mutations import PatientAlertPayload, RecordsUserError
from tests import locks
from tests.conftest import GQL
from tests.world import erase_clinic


@dataclass(frozen=True)
class Clinic:
    tenant: str
    vet: uuid.UUID
    owner: uuid.UUID
    pets: tuple[uuid.UUID, uuid.UUID]
    code: uuid.UUID


@pytest.fixture(scope="module")
async def clinic(database_url: str) -> AsyncIterator[Clinic]:
    c = Clinic("skeleton-clinic", uuid.uuid4(), uuid.uuid4(), (uuid.uuid4(), uuid.uuid4()), uuid.uuid4())
    conn = await asyncpg.connect(database_url)
    try:
        await erase_clinic(conn, c.tenant)
        await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, 'Clínica Esqueleto')", c.tenant)
        await conn.executemany(
            "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, $4)",
            [(c.tenant, c.vet, "vet", "Vet Esqueleto"), (c.tenant, c.owner, "owner", "Dueña Esqueleto")],
        )
        await conn.executemany(
            "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, $4, 'dog')",
            [(c.tenant, pet, c.owner, f"Perro {i}") for i, pet in enumerate(c.pets)],
        )
        await conn.execute(
            "INSERT INTO diagnosis_codes (id, code, term) VALUES ($1, 'SKEL-1', 'Displasia de cadera')", c.code
        )
        yield c
    finally:
        await erase_clinic(conn, c.tenant)
        await conn.execute("DELETE FROM diagnosis_codes WHERE id = $1", c.code)
        await conn.close()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=4)
    yield engine
    await engine.dispose()


def info_for(engine: AsyncEngine, clinic: Clinic) -> Any:
    """What a resolver gets as `info`, as far as the skeleton reads it: a fresh operation's context."""
    claims = Claims(sub=clinic.vet, role="vet", tenant_id=clinic.tenant, exp=int(time.time()) + 3600)
    return SimpleNamespace(context=Context(engine=engine, claims=claims))


async def scalar(database_url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


_LOCK = text("SELECT 1 FROM pets WHERE tenant_id = :tenant AND id = :pet FOR UPDATE")
_LOCK_BY_HAND = "SELECT 1 FROM pets WHERE tenant_id = $2 AND id = $1 FOR UPDATE"


class Deadlocker:
    """Makes the request's transaction lose a real deadlock against a second connection.

    The other connection locks pet B; the request locks pet A; the other waits for A; the
    request then asks for B. The other connection's deadlock_timeout is long and its transaction
    the older, so the request is the one that fails with 40P01 (found by its own backend, or by
    Citus's distributed detection); the other gets A once the request rolls back, and ends its
    transaction.
    """

    def __init__(self, database_url: str, clinic: Clinic) -> None:
        self._url, self._clinic = database_url, clinic
        self._other: asyncpg.Connection | None = None
        self._watch: asyncpg.Connection | None = None
        self._waiting: asyncio.Task[None] | None = None
        self._lose = False
        self.deadlocks = 0

    async def __aenter__(self) -> Deadlocker:
        self._other = await asyncpg.connect(self._url)
        self._watch = await asyncpg.connect(self._url)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._waiting is not None:
            await self._waiting
        assert self._other is not None and self._watch is not None
        await self._other.close()
        await self._watch.close()

    async def begin(self, *, lose: bool) -> None:
        """Start an attempt; when `lose`, the other connection takes pet B before the request's attempt
        writes anything. The other transaction is then the older one: Citus's distributed deadlock
        detection cancels the youngest in a cycle, and a single PostgreSQL spares the other by its long
        deadlock_timeout, so on both the request is the one that fails."""
        if self._waiting is not None:  # the previous round's other transaction has ended
            await self._waiting
            self._waiting = None
        self._lose = lose
        if lose:
            other = self._other
            assert other is not None
            await other.execute("BEGIN")
            await other.execute("SET LOCAL deadlock_timeout = '1min'")
            await other.execute(_LOCK_BY_HAND, self._clinic.pets[1], self._clinic.tenant)

    async def lock_both(self, db: RequestDb) -> None:
        """Lock both pets in the request's transaction; when begun to lose, deadlock on the way."""
        a, b = self._clinic.pets
        await db.fetch(_LOCK, {"tenant": self._clinic.tenant, "pet": a})
        if self._lose:
            other, watch = self._other, self._watch
            assert other is not None and watch is not None
            backend = await locks.backend_id(other)

            async def wait_for_a() -> None:
                # Citus: its distributed detector, racing the worker's own, may cancel this one too once
                # the request has failed (the request no longer counts as alive in the cycle it saw);
                # had it been cancelled instead of the request, the request's attempts would show it
                with contextlib.suppress(asyncpg.DeadlockDetectedError):
                    await other.execute(_LOCK_BY_HAND, a, self._clinic.tenant)
                await other.execute("ROLLBACK")

            self._waiting = asyncio.create_task(wait_for_a())
            for _ in range(500):  # until the other connection is queued behind the request's lock
                if await locks.waits_on_lock(watch, backend):
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("the other connection never waited for the request's lock")
            self.deadlocks += 1
        await db.fetch(_LOCK, {"tenant": self._clinic.tenant, "pet": b})


RECORDS = Mutations(Code, RecordsUserError, CONSTRAINTS)


async def _alert(w: Write[Code], clinic: Clinic, title: str) -> None:
    values = {"alert_type": "custom", "severity": "info", "title": title, "message": None, "expires_at": None}
    assert await records.insert_alert(w.db, w.tenant, clinic.pets[0], values) is not None


async def test_a_real_deadlock_is_retried_from_a_clean_state_and_then_commits(
    database_url: str, engine: AsyncEngine, clinic: Clinic
) -> None:
    title = f"retried-{uuid.uuid4().hex[:8]}"
    async with Deadlocker(database_url, clinic) as deadlocker:
        attempts = 0

        async def perform(w: Write[Code]) -> PatientAlertPayload:
            nonlocal attempts
            attempts += 1
            await deadlocker.begin(lose=attempts == 1)
            await _alert(w, clinic, title)  # written in every attempt: only the last one's may stay
            await deadlocker.lock_both(w.db)
            return PatientAlertPayload()

        payload = await RECORDS.run(info_for(engine, clinic), PatientAlertPayload, perform)
    assert payload.user_errors == []
    assert (attempts, deadlocker.deadlocks) == (2, 1)
    stored = await scalar(database_url, "SELECT count(*) FROM patient_alerts WHERE title = $1", title)
    assert stored == 1  # the deadlocked attempt's alert was rolled back, the retry's committed


async def test_the_retry_policy_gives_up_after_its_bound_and_keeps_nothing(
    database_url: str, engine: AsyncEngine, clinic: Clinic
) -> None:
    title = f"given-up-{uuid.uuid4().hex[:8]}"
    twice = Mutations(Code, RecordsUserError, CONSTRAINTS, policy=RetryPolicy(attempts=2, base=0.0))
    async with Deadlocker(database_url, clinic) as deadlocker:

        async def perform(w: Write[Code]) -> PatientAlertPayload:
            await deadlocker.begin(lose=True)
            await _alert(w, clinic, title)
            await deadlocker.lock_both(w.db)
            return PatientAlertPayload()

        info = info_for(engine, clinic)
        with pytest.raises(DbError) as failed:
            await twice.run(info, PatientAlertPayload, perform)
        await info.context.db.close()
    assert failed.value.sqlstate == DEADLOCK
    assert deadlocker.deadlocks == 2  # two attempts, no third
    assert await scalar(database_url, "SELECT count(*) FROM patient_alerts WHERE title = $1", title) == 0


async def test_a_broken_constraint_becomes_the_domains_user_error_and_nothing_is_written(
    database_url: str, engine: AsyncEngine, clinic: Clinic
) -> None:
    title = f"refused-{uuid.uuid4().hex[:8]}"
    pet = clinic.pets[1]
    coded = {
        "problem_name": "Displasia",
        "diagnosis_code_id": clinic.code,
        "icd_code": None,
        "onset_date": None,
        "is_chronic": False,
        "severity": None,
        "notes": title,
    }

    async def perform(w: Write[Code]) -> PatientAlertPayload:
        await _alert(w, clinic, title)
        assert await records.insert_problem(w.db, w.tenant, pet, coded) is not None
        await records.insert_problem(w.db, w.tenant, pet, coded)  # a second active entry of the code
        raise AssertionError("the database accepted a second active entry")

    payload = await RECORDS.run(info_for(engine, clinic), PatientAlertPayload, perform)
    assert payload.user_errors == RecordsUserError.of([DUPLICATE_ACTIVE_PROBLEM])
    assert payload.patient_alert is None
    assert await scalar(database_url, "SELECT count(*) FROM patient_alerts WHERE title = $1", title) == 0
    assert await scalar(database_url, "SELECT count(*) FROM patient_problems WHERE notes = $1", title) == 0


async def test_input_problems_answer_without_touching_the_database(engine: AsyncEngine, clinic: Clinic) -> None:
    async def perform(w: Write[Code]) -> PatientAlertPayload:
        raise AssertionError("performed despite input problems")

    info = info_for(engine, clinic)
    bad_id = RECORDS.id("not-a-global-id", "Pet", "petId")
    assert bad_id == Problem("petId", Code.NOT_FOUND, "Not an ID of a Pet.")
    assert isinstance(bad_id, Problem)
    payload = await RECORDS.run(info, PatientAlertPayload, perform, problems=[bad_id])
    assert [(e.field, e.code) for e in payload.user_errors] == [("petId", Code.NOT_FOUND)]
    assert info.context.db.statements == 0


UPDATE_PET = """
mutation($pet: ID!, $vet: ID, $notes: String) {
  updatePet(input: {petId: $pet, primaryVetId: $vet, behavioralNotes: $notes}) {
    pet { behavioralNotes } userErrors { field code }
  }
}"""


async def test_a_refused_update_through_the_api_writes_none_of_its_fields(
    gql: GQL, token: Any, database_url: str, clinic: Clinic
) -> None:
    staff = token(clinic.vet, clinic.tenant, "vet")
    pet = clinic.pets[1]
    variables = {"pet": to_global_id("Pet", pet), "vet": to_global_id("Profile", clinic.owner), "notes": "muerde"}
    data = await gql.data(UPDATE_PET, variables, staff)
    assert data["updatePet"] == {"pet": None, "userErrors": [{"field": "primaryVetId", "code": "NOT_STAFF"}]}
    assert await scalar(database_url, "SELECT behavioral_notes FROM pets WHERE id = $1", pet) is None


CLEARED = """
mutation($pet: ID!) {
  before: updatePet(input: {petId: $pet, behavioralNotes: "antes"}) { pet { alerts { title } } userErrors { code } }
  raise: createPatientAlert(input: {petId: $pet, alertType: AGGRESSIVE, title: "Muerde"}) { userErrors { code } }
  after: updatePet(input: {petId: $pet, behavioralNotes: "después"}) { pet { alerts { title } } userErrors { code } }
}"""


async def test_a_write_clears_what_the_request_had_loaded(gql: GQL, token: Any, clinic: Clinic) -> None:
    staff = token(clinic.vet, clinic.tenant, "vet")
    data = await gql.data(CLEARED, {"pet": to_global_id("Pet", clinic.pets[0])}, staff)
    before = [a["title"] for a in data["before"]["pet"]["alerts"]]
    assert "Muerde" not in before
    assert data["raise"]["userErrors"] == []
    after = [a["title"] for a in data["after"]["pet"]["alerts"]]
    assert sorted(after) == sorted([*before, "Muerde"])  # not the list cached before the alert was raised


PRIMED = """
mutation($pet: ID!, $phone: String!) {
  first: createPatientAlert(input: {petId: $pet, alertType: CUSTOM, title: "Uno"}) {
    patientAlert { createdBy { phone } } }
  phone: updateProfile(input: {phone: $phone}) { profile { phone } userErrors { code } }
  second: createPatientAlert(input: {petId: $pet, alertType: CUSTOM, title: "Dos"}) {
    patientAlert { createdBy { phone } } }
}"""


async def test_a_write_primes_the_loaders_with_the_row_as_written(gql: GQL, token: Any, clinic: Clinic) -> None:
    staff = token(clinic.vet, clinic.tenant, "vet")
    phone = f"+595 981 {uuid.uuid4().int % 1_000_000:06d}"
    data = await gql.data(PRIMED, {"pet": to_global_id("Pet", clinic.pets[0]), "phone": phone}, staff)
    assert data["first"]["patientAlert"]["createdBy"]["phone"] != phone  # loaded before the change
    assert data["phone"] == {"profile": {"phone": phone}, "userErrors": []}
    assert data["second"]["patientAlert"]["createdBy"]["phone"] == phone  # not the cached row


def test_every_mutation_is_guarded_by_a_permission_class() -> None:
    mutation = schema.get_type_by_name("Mutation")
    assert mutation is not None
    unguarded = [f.name for f in mutation.fields if not f.permission_classes]  # type: ignore[attr-defined]
    assert unguarded == []


REGISTER = """
mutation { registerDevice(input: {fcmToken: "token-of-a-stranger"}) { device { id } userErrors { field code } } }"""


async def test_a_mutation_s_own_reading_of_a_constraint_is_used(
    gql: GQL, token: Any, clinic: Clinic, engine: AsyncEngine
) -> None:
    """registerDevice reads the device's foreign key to the profile as "no such device" (the caller is not
    a profile of the clinic), a reading no other records mutation shares. The server refuses such a token
    at the door (membership); run under the schema directly, the write meets the key and the reading."""
    stranger = uuid.uuid4()
    refused = await gql.raw(REGISTER, None, token(stranger, clinic.tenant, "owner"))
    assert refused.status_code == 403
    claims = Claims(sub=stranger, role="owner", tenant_id=clinic.tenant, exp=int(time.time()) + 3600)
    context = Context(engine=engine, claims=claims)
    try:
        result = await schema.execute(REGISTER, context_value=context)
    finally:
        await context.db.close()
    assert result.errors is None
    errors = [{"field": "fcmToken", "code": "NOT_FOUND"}]
    assert result.data == {"registerDevice": {"device": None, "userErrors": errors}}
