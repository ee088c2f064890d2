"""Which rule a refusal raised by a trigger names, from its message: for errors that arrive without it.

The database's own rules (triggers) raise with a constraint name that the mutations map to a
user error. Citus passes an error raised on a worker on with its SQLSTATE and message but not
that name, so the name is looked up here from the message, as the reviewed migrations write
both (`RAISE ... USING MESSAGE = '...', CONSTRAINT = '...'`, or `RAISE EXCEPTION '...' USING
..., CONSTRAINT = '...'`; a message with placeholders as a pattern).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

_SQL = Path(__file__).parent / "migrations" / "sql"
# RAISE x USING MESSAGE = 'text' | format('text %s', ...), ..., CONSTRAINT = 'name'
# RAISE EXCEPTION 'text % ...', args USING ERRCODE = ..., CONSTRAINT = 'name'
_RAISE = re.compile(
    r"RAISE\s+\w+\s+(?:USING\s+MESSAGE\s*=\s*(?:format\(\s*)?)?'((?:[^']|'')*)'[^;]*?CONSTRAINT\s*=\s*'(\w+)'",
    re.S,
)


@functools.cache
def _rules() -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    exact: dict[str, str] = {}
    templates: list[tuple[re.Pattern[str], str]] = []
    for path in sorted(_SQL.glob("*.sql")):
        for template, constraint in _RAISE.findall(path.read_text()):
            text = template.replace("''", "'")
            if "%" in text:  # placeholders (% or %s) stand for anything
                pattern = ".+?".join(re.escape(part) for part in re.split(r"%s?", text))
                templates.append((re.compile(pattern + "$"), constraint))
            else:
                exact[text] = constraint
    return exact, tuple(templates)


def constraint_of(message: str | None) -> str | None:
    """The constraint a rule's refusal names, found by its message; None for any other message."""
    if not message:
        return None
    exact, templates = _rules()
    if message in exact:
        return exact[message]
    return next((c for pattern, c in templates if pattern.match(message)), None)
