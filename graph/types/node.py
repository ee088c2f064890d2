"""The Relay `Node` interface and opaque global IDs."""

from __future__ import annotations

import base64
import binascii
from uuid import UUID

import strawberry

from graph.errors import BadUserInput


@strawberry.interface(
    description="An object with a globally unique, opaque ID. Any of them can be fetched with `node(id:)`."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global ID. Stable; pass it to `node(id:)` or to arguments that take this type's ID."
    )


def to_global_id(type_name: str, pk: object) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str, *, expected: str | None = None) -> tuple[str, str]:
    """Split a global ID into (type name, key); BAD_USER_INPUT when it is not one of ours."""
    try:
        decoded = base64.urlsafe_b64decode(global_id.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(f"{global_id!r} is not a valid ID") from None
    type_name, sep, key = decoded.partition(":")
    if not sep or not type_name or not key:
        raise BadUserInput(f"{global_id!r} is not a valid ID")
    if expected is not None and type_name != expected:
        raise BadUserInput(f"expected an ID of a {expected}, got one of a {type_name}")
    return type_name, key


def uuid_of(global_id: str, expected: str) -> UUID:
    """The UUID key of a global ID of type `expected`."""
    _, key = from_global_id(global_id, expected=expected)
    try:
        return UUID(key)
    except ValueError:
        raise BadUserInput(f"{global_id!r} is not a valid ID") from None
