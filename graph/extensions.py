"""Schema extensions: per-operation scope, error masking and metrics, limits."""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator

from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, validate
from opentelemetry import trace
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types.graphql import OperationType

from db.session import retry_code
from graph import metrics
from graph.context import Context

_log = logging.getLogger("vetql.errors")
# A no-op until the server installs a tracer provider (server/tracing.py): spans carry the operation's
# name and type, never its arguments or variables.
_tracer = trace.get_tracer("vetql.graph")

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
# Characters a document may have, checked before parsing: comments and whitespace are not tokens,
# so MAX_TOKENS alone lets a megabyte of comments through to the parser.
MAX_DOCUMENT_CHARS = 100_000


class OperationScope(SchemaExtension):
    """Gives each operation its own transaction and loaders, closes them, and records metrics."""

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = self.execution_context.context
        scoped = ctx.for_operation() if isinstance(ctx, Context) else None
        if scoped is not None:
            self.execution_context.context = scoped
        started = time.perf_counter()
        with _tracer.start_as_current_span("graphql.operation") as span:
            try:
                yield
            finally:
                if scoped is not None:
                    await scoped.db.close()
                    metrics.SQL_STATEMENTS.inc(scoped.db.statements)
                self._record(time.perf_counter() - started, span)

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context.context
        if isinstance(ctx, Context) and self.execution_context.operation_type is OperationType.QUERY:
            ctx.db.read_only_snapshot()
        yield

    def _record(self, seconds: float, span: trace.Span) -> None:
        ec = self.execution_context
        name = metrics.operation_label(ec.operation_name)
        try:
            kind = ec.operation_type.value
        except Exception:  # no valid operation in the document
            kind = "invalid"
        result = ec.result
        codes = []
        for error in getattr(result, "errors", None) or []:
            code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
            codes.append(str(code))
            metrics.OPERATION_ERRORS.labels(name, str(code)).inc()
        outcome = _outcome(codes)
        metrics.OPERATIONS.labels(name, kind, outcome).inc()
        metrics.OPERATION_LATENCY.labels(name, kind, outcome).observe(seconds)
        if span.is_recording():
            span.update_name(f"{kind} {name}")
            span.set_attributes({"graphql.operation.name": name, "graphql.operation.type": kind})
            if codes:
                span.set_attribute("vetql.error_codes", sorted(set(codes)))


# Codes a client may retry on (HTTP 503 with Retry-After when nothing else came back: server/app.py).
RETRYABLE = frozenset({"SERVICE_UNAVAILABLE", "TIMEOUT"})


def _outcome(codes: list[str]) -> str:
    """An operation's outcome for the metrics: the worst of its errors' codes."""
    if not codes:
        return "ok"
    if "INTERNAL_SERVER_ERROR" in codes:
        return "internal"
    if RETRYABLE.intersection(codes):
        return "retryable"
    return "error"
_RETRY_MESSAGES = {
    "TIMEOUT": "The database did not answer in time (statement or lock timeout). Retry shortly.",
    "SERVICE_UNAVAILABLE": "The database is unavailable right now. Retry shortly.",
}


def _retry(error: GraphQLError) -> str | None:
    return retry_code(error.original_error)


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError) and _retry(error) is None


_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


class TypedErrors(MaskErrors):
    """Hides unexpected exceptions (no stack, no SQL) and gives every error an `extensions.code`.

    With `hide_suggestions` (production), no message suggests names ("Did you mean 'microchipId'?"):
    unknown fields, arguments, types, enum values and input fields alike.
    """

    def __init__(self, hide_suggestions: bool = False) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Internal server error.")
        self.hide_suggestions = hide_suggestions

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        # The full error stays in the server's log; a DbError carries no SQL parameters or values.
        _log.error("unexpected error at %s", error.path, exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked

    def _process_result(self, result: object) -> None:
        # Strawberry checks the result against a runtime Protocol (tens of µs per request); any
        # result with errors has the attribute.
        errors = getattr(result, "errors", None)
        if errors:
            setattr(result, "errors", self._process_errors(errors))  # noqa: B010 (result is typed `object`)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = [self._retryable(error) for error in super()._process_errors(errors)]
        for error in processed:
            if not (error.extensions or {}).get("code"):
                # parse and validation failures carry no code of their own
                error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
            if self.hide_suggestions and "Did you mean" in error.message:
                error.message = _SUGGESTION.sub("", error.message)
        return processed


    @staticmethod
    def _retryable(error: GraphQLError) -> GraphQLError:
        """A timeout or an unavailable database: a typed error the client can act on, not a fault."""
        code = _retry(error)
        if code is None:
            return error
        _log.warning("retryable database failure at %s: %s", error.path, error.original_error)
        return GraphQLError(
            _RETRY_MESSAGES[code], nodes=error.nodes, path=error.path, extensions={"code": code, "retryable": True}
        )


_INTROSPECTION = re.compile(r"__(schema|type)\b")
_INTROSPECTING_ROLES = frozenset({"vet", "admin", "platform"})


class StaffOnlyIntrospection(SchemaExtension):
    """Production: `__schema` and `__type` only for staff and platform tokens (`__typename` for all).

    Not a validation rule: validation results are cached per document, and this depends on who asks.
    Runs after ValidationCache in the list, so a refusal it adds is not overwritten.
    """

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        ctx = ec.context
        claims = ctx.claims if isinstance(ctx, Context) else None
        if (
            not ec.pre_execution_errors
            and ec.graphql_document is not None
            and (claims is None or claims.role not in _INTROSPECTING_ROLES)
            and _INTROSPECTION.search(ec.query or "")
        ):
            refused = validate(ec.schema._schema, ec.graphql_document, [NoSchemaIntrospectionCustomRule])
            for error in refused:
                error.extensions = {"code": "FORBIDDEN"}
            if refused:
                ec.pre_execution_errors = refused
        yield


class SafeParserCache(ParserCache):
    """ParserCache that lets a document which fails to parse fall through to Strawberry's own
    parse, so the syntax error gets the usual handling (a code, metrics) instead of escaping;
    a document over MAX_DOCUMENT_CHARS is refused before any parsing."""

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.query is not None and len(ec.query) > MAX_DOCUMENT_CHARS:
            # Strawberry turns an error raised here into a pre-execution error, unparsed
            raise GraphQLError(
                f"The document is longer than {MAX_DOCUMENT_CHARS:,} characters.",
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
            )
        with contextlib.suppress(GraphQLError):
            ec.graphql_document = self.cached_parse_document(ec.query, **ec.parse_options)
        yield


# Built once: QueryDepthLimiter and MaxAliasesLimiter define their rule classes per
# instance, and a new class per request would make every ValidationCache lookup miss.
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


Extension = Callable[[], SchemaExtension] | type[SchemaExtension]


def extensions(*, production: bool = False) -> list[Extension]:
    """The schema's extensions; `production` hides suggestions and keeps introspection to staff."""
    chosen: list[Extension] = [
        OperationScope,
        (lambda: TypedErrors(hide_suggestions=True)) if production else TypedErrors,
        lambda: AddValidationRules(_LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: SafeParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if production:
        chosen.append(StaffOnlyIntrospection)
    return chosen


EXTENSIONS = extensions()
