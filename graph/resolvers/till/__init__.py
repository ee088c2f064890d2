"""The till: the catalogue, invoice settings, invoices and payments (one module each)."""

from __future__ import annotations

from domain.till.errors import CONSTRAINTS
from domain.till.errors import TillErrorCode as Code
from graph.mutations import Mutations
from graph.types.till import TillUserError

TILL = Mutations(Code, TillUserError, CONSTRAINTS)
