"""The reminders' texts in es-PY (Paraguayan Spanish): dates dd/mm/aaaa, 24-hour times, the clinic's wall clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def _day(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def vaccine_due(owner: str, pet: str, vaccine: str, due: date, clinic: str) -> tuple[str, str]:
    """Title and body of a vaccine-due reminder."""
    first = owner.split()[0] if owner.strip() else owner
    return (
        f"Vacuna de {pet}",
        f"Hola {first}, a {pet} le toca la vacuna {vaccine} el {_day(due)}. "
        f"Reservá tu turno en {clinic}. ¡Te esperamos!",
    )


def appointment(owner: str, pet: str, starts: datetime, zone: str, clinic: str) -> tuple[str, str]:
    """Title and body of an appointment reminder, at the clinic's local time."""
    local = starts.astimezone(ZoneInfo(zone))
    first = owner.split()[0] if owner.strip() else owner
    return (
        f"Turno de {pet}",
        f"Hola {first}, te recordamos el turno de {pet} el {_day(local.date())} a las {local:%H:%M} "
        f"en {clinic}. Si no podés venir, avisanos.",
    )
