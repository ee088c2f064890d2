"""Pure rules of front-desk input: names, documents, phones (E.164), e-mail, dates of death."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from functools import lru_cache

import phonenumbers

from domain.front_desk.errors import FrontDeskErrorCode as Code
from domain.problems import Problem

MAX_NAME = 200
MAX_SHORT = 200
MAX_TEXT = 4000
MAX_SEARCH = 100
MAX_WEIGHT_KG = 2000.0
DEFAULT_REGION = "PY"  # a number written without +country is Paraguayan (0981 ... or 981 ...)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$")
_CI = re.compile(r"^[0-9]{5,10}$")  # cédula de identidad: digits only once dots are gone
_RUC = re.compile(r"^[0-9]{5,10}-[0-9]$")  # RUC: the base number, a dash, one check digit
_OTHER = re.compile(r"^[0-9A-Z-]{3,20}$")


def text(field: str, value: str | None, *, max_len: int = MAX_SHORT, required: bool = False) -> list[Problem[Code]]:
    if value is None or not value.strip():
        return [Problem(field, Code.REQUIRED, f"{field} is required.")] if required else []
    if len(value) > max_len:
        return [Problem(field, Code.TOO_LONG, f"{field}: at most {max_len} characters.")]
    return []


def phone(value: str) -> str | None:
    """The number in E.164 (+595981123456), or None when it is not a possible phone number."""
    try:
        parsed = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_problems(field: str, value: str | None) -> tuple[str | None, list[Problem[Code]]]:
    """(E.164 or None, problems) for an optional phone input."""
    if value is None or not value.strip():
        return None, []
    normal = phone(value)
    if normal is None:
        return None, [Problem(field, Code.INVALID_PHONE, f"{field}: not a phone number.")]
    return normal, []


def email(field: str, value: str | None) -> list[Problem[Code]]:
    if value is None:
        return []
    if len(value) > MAX_SHORT or not _EMAIL.match(value):
        return [Problem(field, Code.INVALID_EMAIL, f"{field}: not an e-mail address.")]
    return []


def document(kind: str | None, number: str | None) -> tuple[str | None, list[Problem[Code]]]:
    """The document number as stored (no dots or spaces, upper case), or the problems with it."""
    if number is None or not number.strip():
        if kind is not None:
            return None, [Problem("documentNumber", Code.REQUIRED, "A document type needs its number.")]
        return None, []
    if kind is None:
        return None, [Problem("documentType", Code.REQUIRED, "Say which document the number is (CI, RUC, ...).")]
    stored = re.sub(r"[.\s]", "", number).upper()
    shape = {"ci": _CI, "ruc": _RUC}.get(kind, _OTHER)
    if not shape.match(stored):
        expected = {"ci": "digits, e.g. 4.123.456", "ruc": "digits, a dash and a check digit, e.g. 80012345-6"}
        return None, [
            Problem(
                "documentNumber",
                Code.INVALID_DOCUMENT,
                f"Not a {kind.upper()}: {expected.get(kind, '3-20 letters or digits')}.",
            )
        ]
    return stored, []


def document_search(value: str) -> str:
    """A search text in the form documents are stored in."""
    return re.sub(r"[.\s]", "", value).upper()


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone(field: str, value: str) -> list[Problem[Code]]:
    if value not in _zones():
        return [Problem(field, Code.INVALID_TIMEZONE, f"{field}: not an IANA time zone, e.g. America/Asuncion.")]
    return []


def locale(field: str, value: str) -> list[Problem[Code]]:
    if not _LOCALE.match(value):
        return [Problem(field, Code.INVALID_LOCALE, f"{field}: not a BCP 47 locale, e.g. es-PY.")]
    return []


def weight(field: str, value: float | None) -> list[Problem[Code]]:
    if value is not None and not 0 < value <= MAX_WEIGHT_KG:
        return [Problem(field, Code.OUT_OF_RANGE, f"{field}: more than 0 and at most {MAX_WEIGHT_KG:g} kg.")]
    return []


def birth(field: str, value: date | None, today: date) -> list[Problem[Code]]:
    if value is not None and value > today:
        return [Problem(field, Code.DATE_IN_FUTURE, f"{field} cannot be in the future.")]
    return []


def death(died: date, born: date | None, today: date) -> list[Problem[Code]]:
    """A date of death: not in the future (the clinic's today), not before birth."""
    if died > today:
        return [Problem("deceasedOn", Code.DATE_IN_FUTURE, "The date of death cannot be in the future.")]
    if born is not None and died < born:
        return [Problem("deceasedOn", Code.DEATH_BEFORE_BIRTH, "The date of death is before the date of birth.")]
    return []
