"""What the server logs when a request fails: nothing of what a client sent, and no stack for what is expected.

A client's mistake is answered (with its `extensions.code`), not logged: its message can quote the
value sent, and a value can be clinical text. A busy or unavailable database is one warning line.
Only an unexpected failure is logged with its stack (tests/test_bad_input.py covers the masking).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import asyncpg
import pytest

from db.session import DbError, DbUnavailable
from graph.resolvers import viewer as viewer_resolvers
from graph.types.node import to_global_id
from server.live import feeds
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]

CLINICAL = "Muerde al tocarle la oreja izquierda 7f3a"  # free text a client might send in the wrong place


async def test_a_refused_variable_is_answered_and_its_value_never_logged(
    gql: GQL, world: World, token: Token, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        body = await gql(
            "query($first: Int) { pets(first: $first) { edges { node { id } } } }",
            {"first": CLINICAL},
            token(world.a.vet, world.a.tenant, "vet"),
        )
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert CLINICAL in body["errors"][0]["message"]  # the client is told what was wrong with what it sent
    assert not [r for r in caplog.records if CLINICAL in r.getMessage() or CLINICAL in str(r.exc_info)]


async def test_a_field_error_of_the_clients_making_logs_nothing_at_error(
    gql: GQL, world: World, token: Token, caplog: pytest.LogCaptureFixture
) -> None:
    other_clinics_pet = to_global_id("Pet", world.b.pets[0])
    with caplog.at_level(logging.DEBUG):
        body = await gql(
            "query($id: ID!, $bad: ID!) { pet(id: $id) { id } bad: pet(id: $bad) { id } }",
            {"id": other_clinics_pet, "bad": CLINICAL},
            token(world.a.vet, world.a.tenant, "vet"),
        )
    assert body["data"] == {"pet": None, "bad": None}  # another clinic's pet does not exist for this vet
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["bad"], "BAD_USER_INPUT")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    assert not [r for r in caplog.records if CLINICAL in r.getMessage() or CLINICAL in str(r.exc_info)]


@pytest.mark.parametrize(
    "failure",
    [DbUnavailable("no database connection free in time"),
     DbError(asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"))],
    ids=["pool-busy", "statement-timeout"],
)
def test_a_feed_read_the_database_refused_for_now_is_one_warning_without_a_stack(
    failure: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="vetql.live"):
        feeds._failed_read(failure)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage().startswith("feed read failed (") and "retrying" in record.getMessage()


def test_a_feed_read_that_failed_unexpectedly_is_logged_with_its_stack(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise KeyError("a bug")
    except KeyError as exc:
        with caplog.at_level(logging.DEBUG, logger="vetql.live"):
            feeds._failed_read(exc)
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None


async def test_an_unexpected_failure_is_masked_for_the_client_and_logged_with_its_stack(
    gql: GQL, world: World, token: Token, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("a bug in a resolver")

    monkeypatch.setattr(viewer_resolvers, "Viewer", broken)
    with caplog.at_level(logging.DEBUG):
        body = await gql("{ viewer { role } }", token=token(world.a.vet, world.a.tenant, "vet"))
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("Internal server error.", "INTERNAL_SERVER_ERROR")
    ]
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1 and logged[0].exc_info is not None, [r.getMessage() for r in logged]
    assert isinstance(logged[0].exc_info[1], RuntimeError)
