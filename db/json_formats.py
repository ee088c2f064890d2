"""SQL expressions that print values exactly as the API serializes them (the compiled read path, the bench floor)."""

from __future__ import annotations


def iso_datetime(expr: str) -> str:
    """Python's `datetime.isoformat()` of a UTC timestamptz: microseconds only when non-zero."""
    utc = f"({expr}) AT TIME ZONE 'UTC'"
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL ELSE to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN extract(microseconds FROM {utc})::bigint % 1000000 = 0 THEN ''"
        f" ELSE to_char({utc}, '.US') END || '+00:00' END"
    )


def base64url(text_expr: str, *, pad: bool) -> str:
    b64 = f"translate(encode(convert_to({text_expr}, 'UTF8'), 'base64'), '+/' || chr(10), '-_')"
    return b64 if pad else f"rtrim({b64}, '=')"


def global_id(type_name: str, id_expr: str) -> str:
    """graph/types/node.py `to_global_id`: urlsafe base64 of 'Type:key', padded."""
    return base64url(f"'{type_name}:' || ({id_expr})::text", pad=True)


def json_text(value_expr: str) -> str:
    """A value as orjson prints it inside an array (no spaces)."""
    return f"coalesce(to_json({value_expr})::text, 'null')"


def cursor(values: list[tuple[str, str]]) -> str:
    """db/pagination.py `encode_cursor`: urlsafe base64 (unpadded) of the compact JSON array of sort values."""
    parts = []
    for expr, typ in values:
        if typ == "timestamptz":
            parts.append(json_text(iso_datetime(expr)))
        elif typ == "uuid":
            parts.append(json_text(f"({expr})::text"))
        else:
            parts.append(json_text(expr))
    return base64url("'[' || " + " || ',' || ".join(parts) + " || ']'", pad=False)


def json_flag(expr: str, key: str, default: bool) -> str:
    """A boolean member of a JSON object column, `default` when absent."""
    return f"coalesce(({expr} ->> '{key}')::boolean, {'true' if default else 'false'})"


def global_ids(type_name: str, array_expr: str) -> str:
    """A uuid[] as the JSON array of `type_name` global IDs, in order."""
    return (
        f"(SELECT coalesce(json_agg({global_id(type_name, 'u.k')} ORDER BY u.n), '[]'::json)"
        f" FROM unnest({array_expr}) WITH ORDINALITY AS u(k, n))"
    )


def float8(expr: str) -> str:
    """A numeric column as JSON number, as Python's float() of it prints."""
    return f"{expr}::float8"


def numeric_text(expr: str) -> str:
    """A numeric column as the string Strawberry's Decimal prints (str(value), the same as numeric::text)."""
    return f"{expr}::text"


def enum_name(expr: str) -> str:
    """A stored lower-case enum value as its GraphQL name."""
    return f"upper({expr})"


def json_array(expr: str) -> str:
    """An array column as a JSON array (uuid[] as strings)."""
    return f"to_json({expr})"
