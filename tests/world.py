"""A small, known world of clinics for the tests: who exists, and what each should see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from db.demo_store import delete_clinics

NS = uuid.UUID("7a1c9e0e-5b7d-4e43-9d2a-3c0f6f1d2b10")
NOW = datetime.now(UTC).replace(microsecond=0)


async def erase_clinic(conn: asyncpg.Connection, tenant: str) -> None:
    """A test's own clinic gone with all its rows, as `vetql demo` erases its clinics (a DELETE FROM
    tenants cascading through the audit trail's triggers fails on Citus: db.demo_store)."""
    async with conn.transaction():
        await delete_clinics(conn, [tenant], superuser=True)


def uid(name: str) -> uuid.UUID:
    return uuid.uuid5(NS, name)


@dataclass
class Clinic:
    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    owners: list[uuid.UUID]
    pets: list[uuid.UUID] = field(default_factory=list)
    pets_by_owner: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    alerts: dict[str, uuid.UUID] = field(default_factory=dict)
    problems: dict[str, uuid.UUID] = field(default_factory=dict)
    logs: list[uuid.UUID] = field(default_factory=list)
    open_log: uuid.UUID | None = None
    vitals: list[uuid.UUID] = field(default_factory=list)
    appointments: list[uuid.UUID] = field(default_factory=list)
    rooms: list[uuid.UUID] = field(default_factory=list)


@dataclass
class World:
    a: Clinic
    b: Clinic
    many: Clinic  # a clinic with 60 fully populated pets, for statement counts
    diagnosis_code: uuid.UUID
    platform_user: uuid.UUID = field(default_factory=lambda: uid("platform-operator"))


async def _clinic(conn: asyncpg.Connection, tenant: str, name: str, owners: int) -> Clinic:
    clinic = Clinic(
        tenant=tenant,
        admin=uid(f"{tenant}/admin"),
        vet=uid(f"{tenant}/vet"),
        owners=[uid(f"{tenant}/owner/{i}") for i in range(owners)],
    )
    await conn.execute("INSERT INTO tenants (id, name, city) VALUES ($1, $2, 'Asunción')", tenant, name)
    people = [(clinic.admin, "admin", f"Admin {name}"), (clinic.vet, "vet", f"Dra. Vet {name}")]
    people += [(o, "owner", f"Dueño {i} {name}") for i, o in enumerate(clinic.owners)]
    await conn.executemany(
        "INSERT INTO profiles (tenant_id, id, role, full_name, email, phone) VALUES ($1, $2, $3, $4, $5, $6)",
        [(tenant, pid, role, n, f"{pid}@example.test", "+595 981 000000") for pid, role, n in people],
    )
    for i in range(2):
        room = uid(f"{tenant}/room/{i}")
        await conn.execute(
            "INSERT INTO exam_rooms (tenant_id, id, name, room_type, display_order) VALUES ($1, $2, $3, $4, $5)",
            tenant, room, f"Sala {i + 1}", "surgery" if i else "exam", i,
        )
        clinic.rooms.append(room)
    return clinic


async def _pet(conn: asyncpg.Connection, clinic: Clinic, owner: uuid.UUID, key: str, name: str, species: str,
               *, full: bool, dx: uuid.UUID) -> uuid.UUID:
    t = clinic.tenant
    pet = uid(f"{t}/pet/{key}")
    await conn.execute(
        "INSERT INTO pets (tenant_id, id, owner_id, name, species, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        t, pet, owner, name, species, NOW - timedelta(days=len(clinic.pets)),
    )
    clinic.pets.append(pet)
    clinic.pets_by_owner.setdefault(owner, []).append(pet)
    if not full:
        return pet
    alerts = [
        ("danger", "aggressive", True, None),
        ("warning", "allergy", True, NOW + timedelta(days=30)),
        ("info", "fearful", True, NOW - timedelta(days=1)),  # expired: not active
        ("info", "vip", False, None),  # switched off
    ]
    for sev, kind, active, expires in alerts:
        aid = uid(f"{t}/pet/{key}/alert/{kind}")
        await conn.execute(
            "INSERT INTO patient_alerts (tenant_id, id, pet_id, alert_type, severity, title, is_active, expires_at,"
            " created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            t, aid, pet, kind, sev, f"Alerta {kind}", active, expires, clinic.vet,
        )
        clinic.alerts.setdefault(kind, aid)
    for kind, active in (("active", True), ("resolved", False)):
        pid = uid(f"{t}/pet/{key}/problem/{kind}")
        await conn.execute(
            "INSERT INTO patient_problems (tenant_id, id, pet_id, problem_name, diagnosis_code_id, is_active,"
            " onset_date, resolved_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            t, pid, pet, f"Problema {kind}", dx if active else None, active,
            (NOW - timedelta(days=100)).date(), None if active else (NOW - timedelta(days=10)).date(),
        )
        clinic.problems.setdefault(kind, pid)
    log = uid(f"{t}/pet/{key}/log")
    start = NOW - timedelta(days=2)
    await conn.execute(
        "INSERT INTO anesthesia_logs (tenant_id, id, pet_id, procedure_name, induction_time, completed_at, outcome,"
        " created_at) VALUES ($1, $2, $3, 'Castración', $4, $5, 'normal', $4)",
        t, log, pet, start, start + timedelta(hours=3),
    )
    clinic.logs.append(log)
    vitals = [(t, uid(f"{t}/log/{log}/v/{i}"), log, start + timedelta(minutes=5 * i), 80 + i, 98.5, 37.5)
              for i in range(30)]
    await conn.executemany(
        "INSERT INTO anesthesia_vitals (tenant_id, id, anesthesia_log_id, recorded_at, heart_rate, spo2,"
        " temperature) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vitals,
    )
    clinic.vitals.extend(v[1] for v in vitals)
    for i, (delta, status) in enumerate(((-1, "completed"), (1, "scheduled"))):
        appt = uid(f"{t}/pet/{key}/appt/{i}")
        # one vet per clinic: each pet's visits get their own half hour (a vet is never double-booked)
        begins = NOW + delta * (timedelta(days=1) + len(clinic.pets) * timedelta(minutes=30))
        await conn.execute(
            "INSERT INTO appointments (tenant_id, id, pet_id, vet_id, start_time, end_time, status, room_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            t, appt, pet, clinic.vet, begins, begins + timedelta(minutes=30), status, clinic.rooms[0],
        )
        clinic.appointments.append(appt)
    return pet


async def build_world(conn: asyncpg.Connection) -> World:
    dx = uid("dx/otitis")
    await conn.execute(
        "INSERT INTO diagnosis_codes (id, code, term) VALUES ($1, 'VN-TEST-1', 'Otitis externa')"
        " ON CONFLICT DO NOTHING",
        dx,
    )
    a = await _clinic(conn, "clinic-a", "Clínica A", owners=2)
    b = await _clinic(conn, "clinic-b", "Clínica B", owners=1)
    many = await _clinic(conn, "clinic-many", "Clínica Muchos", owners=1)
    names = ["Firulais", "Michi", "Toby", "Luna", "Rocky", "Pelusa"]
    for i, name in enumerate(names):
        owner = a.owners[0] if i < 4 else a.owners[1]
        await _pet(conn, a, owner, str(i), name, "cat" if i % 2 else "dog", full=i < 2, dx=dx)
    for i, name in enumerate(["Bobby", "Kira", "Nala"]):
        await _pet(conn, b, b.owners[0], str(i), name, "dog", full=i == 0, dx=dx)
    for i in range(60):
        await _pet(conn, many, many.owners[0], str(i), f"Mascota {i:02d}", "dog", full=True, dx=dx)
    # an open surgery in clinic A, for live monitoring
    a.open_log = uid("clinic-a/open-log")
    await conn.execute(
        "INSERT INTO anesthesia_logs (tenant_id, id, pet_id, procedure_name, induction_time)"
        " VALUES ('clinic-a', $1, $2, 'Ovariohisterectomía', $3)",
        a.open_log, a.pets[1], NOW - timedelta(minutes=30),
    )
    return World(a=a, b=b, many=many, diagnosis_code=dx)
