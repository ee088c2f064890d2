"""Clients: createOwner, updateOwner, archiveOwner, restoreOwner, and the `owners` list."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, cast
from uuid import UUID

import orjson
import strawberry

from db import front_desk as sql
from db import reads
from db.pagination import Order, slice_rows
from db.session import RequestDb
from domain.front_desk import rules
from domain.front_desk.errors import CONSTRAINTS
from domain.front_desk.errors import FrontDeskErrorCode as Code
from domain.problems import Problem
from graph.compiled import roots as compiled
from graph.context import Context
from graph.errors import BadUserInput
from graph.mutations import Info, Mutations, Write
from graph.paging import After, Before, First, Last, to_page
from graph.permissions import clinic_of
from graph.types.connection import Connection, build_connection
from graph.types.front_desk import (
    UNSET,
    CreateOwnerInput,
    FrontDeskUserError,
    OwnerInput,
    OwnerPayload,
    UpdateOwnerInput,
)
from graph.types.people import Profile

FRONT_DESK = Mutations(Code, FrontDeskUserError, CONSTRAINTS)

_TEXTS = (  # plain text fields: (input name, max length)
    ("address_line1", rules.MAX_SHORT),
    ("address_line2", rules.MAX_SHORT),
    ("city", rules.MAX_SHORT),
    ("state", rules.MAX_SHORT),
    ("postal_code", 20),
    ("emergency_contact_name", rules.MAX_NAME),
)
_PHONES = ("phone", "secondary_phone", "emergency_contact_phone")


def given(value: Any) -> bool:
    return value is not UNSET


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def owner_values(
    input: CreateOwnerInput | UpdateOwnerInput, *, creating: bool
) -> tuple[dict[str, Any], list[Problem[Code]]]:
    """The columns an owner input sets, and what is wrong with it (pure: no database)."""

    def named(value: Any) -> bool:  # creating: null means "the default", as left out
        return value is not None if creating else given(value)

    values: dict[str, Any] = {}
    problems: list[Problem[Code]] = []
    if creating or given(input.full_name):
        values["full_name"] = clean(input.full_name)
        problems += rules.text("fullName", values["full_name"], max_len=rules.MAX_NAME, required=True)
    if named(input.document_type) or named(input.document_number):
        if not creating and not (given(input.document_type) and given(input.document_number)):
            problems.append(Problem("documentNumber", Code.REQUIRED, "Send documentType and documentNumber together."))
        kind = input.document_type.value if isinstance(input.document_type, Enum) else None
        number = input.document_number if isinstance(input.document_number, str) else None
        stored, found = rules.document(kind, number)
        problems += found
        values["document_type"] = kind if stored is not None else None
        values["document_number"] = stored
    if named(input.email):
        values["email"] = clean(input.email)
        problems += rules.email("email", values["email"])
    for name in _PHONES:
        value = getattr(input, name)
        if named(value):
            values[name], found = rules.phone_problems(camel(name), value)
            problems += found
    for name, max_len in _TEXTS:
        value = getattr(input, name)
        if named(value):
            values[name] = clean(value)
            problems += rules.text(camel(name), values[name], max_len=max_len)
    if named(input.country):
        country = (input.country or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            problems.append(Problem("country", Code.INVALID, "country: an ISO 3166-1 alpha-2 code, e.g. PY."))
        values["country"] = country
    if named(input.preferred_contact_method):
        method = input.preferred_contact_method
        if method is None:
            problems.append(Problem("preferredContactMethod", Code.REQUIRED, "preferredContactMethod cannot be null."))
        else:
            values["preferred_contact_method"] = method.value
    if named(input.communication_preferences):
        prefs = input.communication_preferences
        if prefs is None:
            problems.append(
                Problem("communicationPreferences", Code.REQUIRED, "communicationPreferences cannot be null.")
            )
        else:
            chosen = {k: getattr(prefs, k) for k in ("marketing", "reminders") if given(getattr(prefs, k))}
            for key, value in chosen.items():
                if value is None:
                    problems.append(Problem(f"communicationPreferences.{key}", Code.REQUIRED, f"{key} cannot be null."))
            values["communication_preferences"] = orjson.dumps(chosen).decode()
    for name, check in (("timezone", rules.timezone), ("locale", rules.locale)):
        value = getattr(input, name)
        if named(value):
            if value is None:
                problems.append(Problem(name, Code.REQUIRED, f"{name} cannot be null."))
            else:
                problems += check(name, value)
                values[name] = value
    return values, problems


async def create_owner(
    info: Info, input: Annotated[CreateOwnerInput, strawberry.argument(description="The new client.")]
) -> OwnerPayload:
    """Register a client of the caller's clinic. Staff only."""
    values, problems = owner_values(input, creating=True)

    async def perform(w: Write[Code]) -> OwnerPayload:
        row = await sql.insert_owner(w.db, w.tenant, values)  # document and e-mail: unique indexes decide
        w.prime("Profile", row["id"], row)
        return OwnerPayload(owner=Profile.from_row(row))

    return await FRONT_DESK.run(info, OwnerPayload, perform, problems=problems)


async def update_owner(
    info: Info, input: Annotated[UpdateOwnerInput, strawberry.argument(description="The client and changes.")]
) -> OwnerPayload:
    """Edit a client of the caller's clinic. Staff only."""
    owner = FRONT_DESK.id(input.owner_id, "Profile", "ownerId")
    values, problems = owner_values(input, creating=False)
    if isinstance(owner, Problem):
        problems.insert(0, owner)

    async def perform(w: Write[Code]) -> OwnerPayload:
        assert isinstance(owner, UUID)
        row = await sql.update_owner(w.db, w.tenant, owner, values)
        if row is None:  # missing, staff, or another clinic's
            w.refuse(Problem("ownerId", Code.NOT_FOUND, "No such client in this clinic."))
        w.prime("Profile", owner, row)
        return OwnerPayload(owner=Profile.from_row(row))

    return await FRONT_DESK.run(info, OwnerPayload, perform, problems=problems)


async def _set_archived(info: Info, input: OwnerInput, archived: bool) -> OwnerPayload:
    owner = FRONT_DESK.id(input.owner_id, "Profile", "ownerId")
    problems = [owner] if isinstance(owner, Problem) else []

    async def perform(w: Write[Code]) -> OwnerPayload:
        assert isinstance(owner, UUID)
        row = await sql.set_owner_archived(w.db, w.tenant, owner, archived)
        if row is None:
            w.refuse(Problem("ownerId", Code.NOT_FOUND, "No such client in this clinic."))
        w.prime("Profile", owner, row)
        return OwnerPayload(owner=Profile.from_row(row))

    return await FRONT_DESK.run(info, OwnerPayload, perform, problems=problems)


async def archive_owner(
    info: Info, input: Annotated[OwnerInput, strawberry.argument(description="The client to archive.")]
) -> OwnerPayload:
    """Archive a client: kept with everything they have, hidden from lists and search. Staff only."""
    return await _set_archived(info, input, True)


async def restore_owner(
    info: Info, input: Annotated[OwnerInput, strawberry.argument(description="The client to restore.")]
) -> OwnerPayload:
    """Bring an archived client back. Admin only."""
    return await _set_archived(info, input, False)


# -- the list ------------------------------------------------------------------------------------------


@strawberry.input(description="Narrows the client list.")
class OwnerFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Name (accents and case ignored, parts of words too), document, phone in any format, or e-mail.",
    )
    include_archived: bool = strawberry.field(default=False, description="Also archived clients.")


_BY_NAME = Order((("full_name", "text"), ("id", "uuid")))


async def search_terms(db: RequestDb, search: str) -> dict[str, Any]:
    """What a search text means to the SQL: folded like the stored names, as a phone, as a document."""
    text = search.strip()
    if not text or len(text) > rules.MAX_SEARCH:
        raise BadUserInput(f"search must be 1 to {rules.MAX_SEARCH} characters")
    return await sql.search_terms(db, text, rules.phone(text), rules.document_search(text))


async def owners(
    info: strawberry.Info[Context, None],
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    filter: Annotated[OwnerFilter | None, strawberry.argument(description="Conditions the clients must meet.")] = None,
) -> Connection[Profile]:
    """The clinic's clients (owners, not staff) by name, a page at a time."""
    page = to_page(_BY_NAME, first, after, last, before)
    ctx = info.context
    where = filter or OwnerFilter()
    query = sql.owner_list_query(
        clinic_of(info),
        search=None if where.search is None else await search_terms(ctx.db, where.search),
        include_archived=where.include_archived,
    )
    fast = await compiled.connection(info, query, _BY_NAME, page)
    if fast is not None:
        return cast(Connection[Profile], fast)
    rows = await reads.list_page(ctx.db, query, _BY_NAME, page)
    for row in rows:
        ctx.loaders.profile_by_id.prime(row["id"], row)
    return build_connection(slice_rows(rows, page), _BY_NAME, Profile.from_row, lambda: reads.list_count(ctx.db, query))
