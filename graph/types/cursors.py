"""Stream positions as cursors: a log's commit-order number, printed as the vitals connection prints its cursors."""

from __future__ import annotations

from db import json_formats as formats
from db.expressions import VITALS_IN_COMMIT_ORDER
from db.pagination import PageError, decode_cursor, encode_cursor
from graph.errors import BadUserInput
from graph.table import Codec

# The same text as a cursor of `AnesthesiaLog.vitals` (ordered by `seq`): one value, the sequence.
SEQUENCE_CURSOR = Codec(lambda x: formats.cursor([(x, "bigint")]), lambda v: None if v is None else encode_cursor((v,)))


def sequence_cursor(seq: int) -> str:
    return encode_cursor((seq,))


def sequence_of(cursor: str) -> int:
    """The sequence number in a cursor this API issued (BAD_USER_INPUT otherwise)."""
    try:
        (seq,) = decode_cursor(cursor, VITALS_IN_COMMIT_ORDER)
    except PageError as exc:
        raise BadUserInput(f"`after`: {exc}") from None
    if not isinstance(seq, int) or seq < 0:
        raise BadUserInput("`after`: cursor is not one this API issued")
    return seq
