"""A patient's weighings: the history its weight curve is drawn from."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph.table import TableRow, col, one, table
from graph.types.node import Node
from graph.types.people import Profile


@table("pet_weights")
@strawberry.type(description="One weighing of a patient, kept whenever its weight changes.")
class PetWeight(Node, TableRow):
    weight_kg: float = col(description="Weight in kilograms.")
    recorded_at: datetime = col(description="When the weight was recorded.")
    recorded_by: Profile | None = one("recorded_by", description="Who recorded it, when known.")
