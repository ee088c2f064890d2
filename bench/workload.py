"""What a run asks about, fixed at its start: the single pet and the clinic's "today" (bench/query.py `Params`).

Read with the bench's own login (which loads the data, so it sees every row), once,
before any target runs, so every target gets identical requests.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bench.query import Params

# The first pet by (name, id) with everything the single-pet query shows: an active, unexpired
# alert, an active problem, an anesthesia log with vitals, and an appointment.
PET_SQL = """
SELECT p.id::text FROM pets p
WHERE p.tenant_id = $1
  AND EXISTS (SELECT 1 FROM patient_alerts a WHERE a.tenant_id = p.tenant_id AND a.pet_id = p.id
              AND a.is_active AND (a.expires_at IS NULL OR a.expires_at > now()))
  AND EXISTS (SELECT 1 FROM patient_problems r WHERE r.tenant_id = p.tenant_id AND r.pet_id = p.id AND r.is_active)
  AND EXISTS (SELECT 1 FROM anesthesia_logs l JOIN anesthesia_vitals v
                ON v.tenant_id = l.tenant_id AND v.anesthesia_log_id = l.id
              WHERE l.tenant_id = p.tenant_id AND l.pet_id = p.id)
  AND EXISTS (SELECT 1 FROM appointments x WHERE x.tenant_id = p.tenant_id AND x.pet_id = p.id)
ORDER BY p.name, p.id
LIMIT 1
"""

# Days of the clinic's schedule (in its time zone) with their appointment counts.
DAYS_SQL = """
SELECT (x.start_time AT TIME ZONE $2)::date AS day, count(*) AS n
FROM appointments x WHERE x.tenant_id = $1
GROUP BY 1 ORDER BY 1
"""


async def _pick(url: str, tenant_id: str) -> Params:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        zone_name: str | None = await conn.fetchval("SELECT timezone FROM tenants WHERE id = $1", tenant_id)
        pet_id: str | None = await conn.fetchval(PET_SQL, tenant_id)
        if pet_id is None:
            raise SystemExit(f"bench: no pet of {tenant_id} has active alerts, problems, an anesthesia log with "
                             "vitals and an appointment; reload the dataset (--reload)")
        zone = ZoneInfo(zone_name or "UTC")
        days = {r["day"]: int(r["n"]) for r in await conn.fetch(DAYS_SQL, tenant_id, zone.key)}
    finally:
        await conn.close()
    today = datetime.now(zone).date()
    day: date = today
    note = f"today in {zone.key}: {days.get(today, 0)} appointments"
    if not days.get(today):
        if not days:
            raise SystemExit(f"bench: {tenant_id} has no appointments; reload the dataset (--reload)")
        day = min(days, key=lambda d: (abs((d - today).days), d))
        note = (f"NOT today: {today} has no appointments in {zone.key} (the demo books a week around the day "
                f"the dataset was loaded; --reload for a fresh week), so the nearest day with appointments, "
                f"{day}: {days[day]} appointments")
    start = datetime.combine(day, time(0), zone)
    after = datetime.combine(day + timedelta(days=1), time(0), zone)
    return Params(tenant_id=tenant_id, pet_id=pet_id, day=day.isoformat(), day_from=start, day_before=after,
                  day_note=note)


def pick(url: str, tenant_id: str) -> Params:
    import asyncio

    return asyncio.run(_pick(url, tenant_id))
