"""Each SQL statement is compiled to asyncpg's $n form once, however often and however it is built.

Counts calls of the compiler; never times anything.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import TextClause, text
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg

import db
from db import session
from graph.types.node import to_global_id
from tests.conftest import GQL, StatementCounter
from tests.world import World

OVERVIEW = """
query Overview($first: Int!) {
  pets(first: $first) { edges { node {
    id name owner { fullName } alerts(activeOnly: true) { title }
    problems(activeOnly: true) { problemName diagnosisCode { code } }
    anesthesiaLogs(first: 5) { edges { node { procedureName vitals(last: 10) { edges { node { heartRate } } } } } }
  } } }
}
"""
UPDATE_PET = "mutation($input: UpdatePetInput!) { updatePet(input: $input) { pet { id } userErrors { code } } }"


def sqlalchemy_form(sql: str) -> tuple[str, tuple[str, ...]]:
    """What SQLAlchemy's text() compiles `sql` to for asyncpg (the form RequestDb used to send)."""
    compiled = text(sql).compile(dialect=pg_asyncpg.dialect())
    return compiled.string, tuple(compiled.positiontup or ())


def module_statements() -> set[str]:
    """The SQL of every module-level text() constant in db/ (the statements that were cached before)."""
    found: set[str] = set()
    for module in pkgutil.iter_modules(db.__path__):
        if module.name in ("migrations", "migrate", "embedded"):
            continue
        for value in vars(importlib.import_module(f"db.{module.name}")).values():
            if isinstance(value, TextClause):
                found.add(value.text)
    return found


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each SQL string is compiled from now on (the cache starts empty)."""
    counts: Counter[str] = Counter()
    compile_once: Callable[[str], tuple[str, tuple[str, ...]]] = session._compile

    def counting(sql: str) -> tuple[str, tuple[str, ...]]:
        counts[sql] += 1
        return compile_once(sql)

    monkeypatch.setattr(session, "_compile", counting)
    session.driver_form.cache_clear()
    return counts


async def test_each_statement_is_compiled_once_across_repeated_requests(
    compiled: Counter[str], gql: GQL, plain_gql: GQL, sql: StatementCounter, plain_sql: StatementCounter,
    world: World, token,  # type: ignore[no-untyped-def]
) -> None:
    staff = token(world.a.vet, world.a.tenant, "vet")
    missing_pet = {"input": {"petId": to_global_id("Pet", str(uuid.uuid4())), "behavioralNotes": "x"}}

    async def requests() -> None:
        await gql.data(OVERVIEW, {"first": 5}, staff)  # the compiled path
        await plain_gql.data(OVERVIEW, {"first": 5}, staff)  # resolvers and loaders
        refused = await plain_gql.data(UPDATE_PET, missing_pet, staff)  # an update built per call
        assert refused["updatePet"]["userErrors"] == [{"code": "NOT_FOUND"}]

    await requests()  # the first round also checks the token's clinic, once
    first_round = Counter(compiled)
    sql.reset()
    plain_sql.reset()
    await requests()
    sent_per_round = sql.count + plain_sql.count
    for _ in range(2):
        await requests()

    assert sent_per_round > 0 and sql.count + plain_sql.count == 3 * sent_per_round  # sent again each round
    assert compiled == first_round and set(compiled.values()) == {1}  # ... compiled in the first round only
    built_per_call = set(compiled) - module_statements()
    assert any(s.lstrip().startswith("UPDATE pets c SET") for s in built_per_call), sorted(compiled)
    assert len(built_per_call) >= 3, sorted(compiled)  # loaders' and the compiler's SQL, the update
    for statement in compiled:  # the same $n form as SQLAlchemy's text() gave
        assert session.driver_form(statement) == sqlalchemy_form(statement), statement


def test_text_clause_and_plain_string_share_one_compiled_form(compiled: Counter[str]) -> None:
    statement = "SELECT name FROM pets WHERE tenant_id = :tenant AND id = :id"
    forms = {session.driver_form(text(statement).text), session.driver_form(statement)}
    assert forms == {("SELECT name FROM pets WHERE tenant_id = $1 AND id = $2", ("tenant", "id"))}
    assert compiled == {statement: 1}


@pytest.mark.parametrize("statement", [
    "SELECT 1",
    "SELECT :a, :b, :a",
    "SELECT x::text, :a::int, CAST(:b AS uuid[]), :c",
    r"SELECT '\:not_a_parameter', :real",
    "SELECT ':inside_a_literal'",  # text() takes it for a parameter too: the same on both sides
    "SELECT :a:b, ::c, :d_1, :é",
    "SELECT 100% AS pct, :x",
    "SELECT '{}'::jsonb || CAST(:set_x AS jsonb) WHERE a = ANY(CAST(:ids AS uuid[]))",
    *sorted(module_statements()),
])
def test_parameters_are_found_exactly_as_sqlalchemy_text_finds_them(statement: str) -> None:
    assert session._compile(statement) == sqlalchemy_form(statement)
