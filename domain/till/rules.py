"""Pure rules of the till: whole guaraníes, quantities, rates, catalogue entries, payments, settings."""

from __future__ import annotations

import re
from decimal import Decimal

from domain.problems import Problem
from domain.till.errors import TillErrorCode as Code

IVA_RATES = (0, 5, 10)
MAX_PYG = Decimal(2_147_483_647)  # what one invoice may come to (GraphQL Int)
MAX_QUANTITY = Decimal(10_000)
MAX_LINES = 200
PAYABLE = ("sent", "partial", "overdue")
RUC = re.compile(r"^[0-9]{1,8}-[0-9]$")
TIMBRADO = re.compile(r"^[0-9]{8}$")
THREE_DIGITS = re.compile(r"^[0-9]{3}$")


def guaranies(field: str, value: Decimal | None, *, positive: bool = False) -> list[Problem[Code]]:
    """PYG has no minor unit: a whole amount, not negative (more than 0 when `positive`), within an invoice."""
    if value is None:
        return []
    if not value.is_finite() or value != value.to_integral_value():
        return [Problem(field, Code.NOT_WHOLE_GUARANI, "Guaraníes are whole: PYG has no cents.")]
    if value < 0 or (positive and value == 0):
        return [Problem(field, Code.OUT_OF_RANGE, "Must be more than 0." if positive else "Cannot be negative.")]
    if value > MAX_PYG:
        return [Problem(field, Code.TOO_LARGE, f"At most {MAX_PYG} PYG.")]
    return []


def quantity(field: str, value: Decimal) -> list[Problem[Code]]:
    if not value.is_finite() or value <= 0 or value > MAX_QUANTITY:
        return [Problem(field, Code.OUT_OF_RANGE, f"More than 0 and at most {MAX_QUANTITY}.")]
    if value != value.quantize(Decimal("0.01")):
        return [Problem(field, Code.INVALID, "At most two decimals.")]
    return []


def iva_rate(field: str, value: int | None) -> list[Problem[Code]]:
    if value is not None and value not in IVA_RATES:
        return [Problem(field, Code.OUT_OF_RANGE, "IVA is 10, 5 or 0 (exempt) percent.")]
    return []


def words(field: str, value: str | None, *, most: int, required: bool = False) -> list[Problem[Code]]:
    if value is None:
        return [Problem(field, Code.INVALID, "Required.")] if required else []
    if not value.strip() or len(value) > most:
        return [Problem(field, Code.OUT_OF_RANGE, f"1 to {most} characters.")]
    return []


def catalogue_entry(
    name: str | None, price: Decimal | None, rate: int | None, minutes: int | None = None
) -> list[Problem[Code]]:
    """A service or product as entered: a name, a whole price, a Paraguayan IVA rate, a sensible length."""
    problems = words("name", name, most=200) + guaranies("price", price) + iva_rate("ivaRate", rate)
    if minutes is not None and not 1 <= minutes <= 1440:
        problems.append(Problem("durationMinutes", Code.OUT_OF_RANGE, "1 to 1440 minutes."))
    return problems


def settings(
    ruc: str | None, timbrado: str | None, establishment: str | None, point: str | None
) -> list[Problem[Code]]:
    problems: list[Problem[Code]] = []
    if ruc is not None and not RUC.match(ruc):
        problems.append(Problem("ruc", Code.INVALID, "A RUC is digits, a dash and a check digit: 80012345-6."))
    if timbrado is not None and not TIMBRADO.match(timbrado):
        problems.append(Problem("timbrado", Code.INVALID, "A timbrado is 8 digits."))
    for field, value in (("establishment", establishment), ("pointOfSale", point)):
        if value is not None and not THREE_DIGITS.match(value):
            problems.append(Problem(field, Code.INVALID, "Three digits, e.g. 001."))
    return problems
