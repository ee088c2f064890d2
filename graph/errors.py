"""Typed GraphQL errors: every error a client sees carries `extensions.code`."""

from __future__ import annotations

from graphql import GraphQLError


class VetqlError(GraphQLError):
    """An expected failure, shown to the client as is, with a stable code."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(VetqlError):
    code = "BAD_USER_INPUT"


class Unauthenticated(VetqlError):
    code = "UNAUTHENTICATED"


class Forbidden(VetqlError):
    code = "FORBIDDEN"
