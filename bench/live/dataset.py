"""The bench database: `vetql_bench_live` on the embedded server (or DATABASE_URL's), fresh each run.

One clinic with a vet, an owner and 50 dogs; each scenario opens its own 50 anesthesia
logs on them, so scenarios never see each other's readings.
"""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from db import citus, embedded, urls

REPO = Path(__file__).resolve().parents[2]
DB_NAME = "vetql_bench_live"
TENANT = "bench-live"
LISTENER_APP = "vetql-listener"
# Handed to the server under test as VETQL_JWT_SECRET; signs the bench's tokens.
SECRET = "vetql-bench-live-secret-not-for-production-0123456789"  # noqa: S105 - a bench-only key


@dataclass(frozen=True)
class Clinic:
    url: str  # superuser URL of the bench database
    tenant: str
    vet: uuid.UUID
    pets: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class Logs:
    """The open anesthesia logs of one scenario, with their global IDs and when they were opened."""

    ids: tuple[uuid.UUID, ...]
    global_ids: tuple[str, ...]
    opened_at: datetime


def global_id(type_name: str, key: uuid.UUID) -> str:
    """The opaque Relay ID, encoded as graph/types/node.py's to_global_id does."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()


def server_url() -> str:
    """A superuser URL on the PostgreSQL server to use: DATABASE_URL's, else the embedded one."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return urls.plain(configured)
    data_dir = Path(os.environ.get("VETQL_DATA_DIR", str(REPO / ".vetql")))
    return embedded.start(data_dir, "postgres")


async def _recreate(server: str) -> str:
    """The bench database, empty; on a Citus coordinator on every node (`vetql migrate` distributes it)."""
    return await citus.create_database(server, DB_NAME)


async def _seed(url: str, pets: int) -> Clinic:
    vet, owner = uuid.uuid4(), uuid.uuid4()
    pet_ids = tuple(uuid.uuid4() for _ in range(pets))
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO tenants (id, name, city) VALUES ($1, 'Clínica Bench', 'Asunción')", TENANT
            )
            await conn.executemany(
                "INSERT INTO profiles (tenant_id, id, role, full_name, email) VALUES ($1, $2, $3, $4, $5)",
                [
                    (TENANT, vet, "vet", "Dra. Bench", "vet@bench.test"),
                    (TENANT, owner, "owner", "Dueño Bench", "owner@bench.test"),
                ],
            )
            await conn.executemany(
                "INSERT INTO pets (tenant_id, id, owner_id, name, species, weight_kg)"
                " VALUES ($1, $2, $3, $4, 'dog', 20)",
                [(TENANT, pet, owner, f"Paciente {i:02d}") for i, pet in enumerate(pet_ids)],
            )
    finally:
        await conn.close()
    return Clinic(url=url, tenant=TENANT, vet=vet, pets=pet_ids)


def migrate(url: str, source: Path) -> None:
    """`vetql migrate` of the source tree under test (the same code its server will run)."""
    env = {**os.environ, "DATABASE_URL": url, "VETQL_JWT_SECRET": SECRET}
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"vetql migrate failed in {source}:\n{done.stderr[-3000:]}")


def prepare(source: Path, pets: int = 50) -> Clinic:
    """Drop and re-create the bench database, migrate it and seed the clinic."""
    url = asyncio.run(_recreate(server_url()))
    migrate(url, source)
    return asyncio.run(_seed(url, pets))


def describe_source(source: Path) -> str:
    """The commit of the source tree under test, and whether it has local changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        marker = source / ".bench-source"
        return marker.read_text().strip() if marker.exists() else f"{source} (not a git checkout)"
    changed = len(dirty.splitlines())
    return f"{source} at {head}" + (f" with {changed} modified tracked files" if changed else "")


async def _open_logs(clinic: Clinic, label: str) -> Logs:
    ids = tuple(uuid.uuid4() for _ in clinic.pets)
    conn = await asyncpg.connect(clinic.url)
    try:
        opened_at: datetime = await conn.fetchval("SELECT clock_timestamp()")
        await conn.executemany(
            "INSERT INTO anesthesia_logs (tenant_id, id, pet_id, procedure_name, induction_time, created_by)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            [
                (clinic.tenant, log, pet, f"Bench {label}", opened_at, clinic.vet)
                for log, pet in zip(ids, clinic.pets, strict=True)
            ],
        )
    finally:
        await conn.close()
    return Logs(
        ids=ids,
        global_ids=tuple(global_id("AnesthesiaLog", log) for log in ids),
        opened_at=opened_at - timedelta(seconds=1),
    )


def open_logs(clinic: Clinic, label: str) -> Logs:
    """50 fresh OPEN anesthesia logs (one per pet) for one scenario."""
    return asyncio.run(_open_logs(clinic, label))


async def count_vitals(clinic: Clinic, logs: Logs) -> int:
    conn = await asyncpg.connect(clinic.url)
    try:
        n: int = await conn.fetchval(
            "SELECT count(*) FROM anesthesia_vitals WHERE tenant_id = $1 AND anesthesia_log_id = ANY($2::uuid[])",
            clinic.tenant,
            list(logs.ids),
        )
        return n
    finally:
        await conn.close()


def now_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()
