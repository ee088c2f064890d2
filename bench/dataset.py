"""The benchmark dataset, loaded once into its own database (`vetql_bench`).

2 clinics x 2,000 pets; per pet about 3 alerts, 2 problems and one anesthesia
log with 40 vitals; about half the logs get one or two alarms (`_ALARMS`: the demo
generator makes none, and the wide overview reads them). A reload happens only when the parameters, the demo
generator (demo/clinics.py) or the row counts differ from what was loaded; the
marker is a comment on the database, so the clinic schema stays untouched.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from db import citus, embedded, migrate, urls

DATABASE = "vetql_bench"
PARAMS: dict[str, Any] = {
    "clinics": 2,
    "pets": 2000,
    "alerts_per_pet": 3,
    "problems_per_pet": 2,
    "surgeries_fraction": 1.0,
    "vitals_per_log": 40,
}
MARKER_VERSION = 2  # 2: alarms added after the demo load
DEMO_SOURCE = Path(__file__).resolve().parent.parent / "demo" / "clinics.py"


@dataclass(frozen=True)
class Dataset:
    """What the runs need: where the data is and whose eyes to look through."""

    url: str  # postgresql://... of the bench database (a login that may load data)
    tenant_id: str  # the clinic every request asks as
    admin_id: uuid.UUID  # that clinic's admin profile: the `sub` of the bench token
    pets: int  # pets of that clinic
    reloaded: bool
    load_seconds: float


def server_url() -> str:
    """DATABASE_URL's server, else the embedded one (started, or joined, here)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return urls.plain(configured)
    data_dir = Path(os.environ.get("VETQL_DATA_DIR", ".vetql"))
    print(f"==> embedded PostgreSQL in {data_dir}/pgdata", flush=True)
    return embedded.start(data_dir, "postgres")


def _fingerprint() -> dict[str, Any]:
    demo = hashlib.sha256(DEMO_SOURCE.read_bytes()).hexdigest()[:16] if DEMO_SOURCE.exists() else None
    return {"version": MARKER_VERSION, "params": PARAMS, "demo_sha": demo}


async def _marker(conn: asyncpg.Connection) -> dict[str, Any] | None:
    raw = await conn.fetchval(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
    )
    if not raw:
        return None
    try:
        found = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


async def _counts_match(conn: asyncpg.Connection, marker: dict[str, Any]) -> bool:
    """The data still is what the marker says (nobody reloaded or edited the clinics)."""
    expected = marker.get("clinics")
    if not isinstance(expected, list) or not expected:
        return False
    # The login loads the demo, so it is a superuser or BYPASSRLS: it sees every clinic's rows.
    rows = await conn.fetch(
        "SELECT tenant_id, count(*) AS n FROM pets WHERE tenant_id = ANY($1) GROUP BY tenant_id",
        [c["tenant_id"] for c in expected],
    )
    found = {r["tenant_id"]: r["n"] for r in rows}
    return all(found.get(c["tenant_id"]) == PARAMS["pets"] for c in expected)


# Alarms raised by readings of the demo's vitals: on half the logs a cleared tachycardia
# (raised by the 5th reading, cleared by the 8th), on every third log a hypoxemia
# (raised by the 20th), cleared by the 30th on even ones and open on the others.
_ALARMS = """
WITH v AS (
  SELECT v.*, row_number() OVER (PARTITION BY v.tenant_id, v.anesthesia_log_id ORDER BY v.recorded_at, v.id) AS n,
         abs(hashtext(v.anesthesia_log_id::text)) AS h
  FROM anesthesia_vitals v
)
INSERT INTO anesthesia_alarms (tenant_id, anesthesia_log_id, kind, family, severity, message, value, threshold,
                               raised_at, raised_by, cleared_at, cleared_by)
SELECT r.tenant_id, r.anesthesia_log_id, 'tachycardia', 'heart_rate', 'warning',
       format('HR %s bpm (> 180)', coalesce(r.heart_rate, 190)), coalesce(r.heart_rate, 190), 180,
       r.recorded_at, r.id, c.recorded_at, c.id
FROM v r JOIN v c ON c.tenant_id = r.tenant_id AND c.anesthesia_log_id = r.anesthesia_log_id AND c.n = 8
WHERE r.n = 5 AND r.h % 2 = 0
UNION ALL
SELECT r.tenant_id, r.anesthesia_log_id, 'hypoxemia', 'spo2', 'critical',
       format('SpO2 %s%% (< 90)', coalesce(r.spo2, 88)), coalesce(r.spo2, 88), 90,
       r.recorded_at, r.id, c.recorded_at, c.id
FROM v r LEFT JOIN v c ON c.tenant_id = r.tenant_id AND c.anesthesia_log_id = r.anesthesia_log_id AND c.n = 30
                      AND r.h % 2 = 0
WHERE r.n = 20 AND r.h % 3 = 0
"""


async def _load(url: str) -> dict[str, Any]:
    from demo.clinics import load_demo

    summary = await load_demo(url, progress=True, **PARAMS)
    conn = await asyncpg.connect(url)
    try:
        print("==> alarms on the anesthesia logs: " + (await conn.execute(_ALARMS)), flush=True)
        print("==> ANALYZE", flush=True)
        await conn.execute("ANALYZE")
        marker = {
            **_fingerprint(),
            "clinics": [{"tenant_id": c.tenant_id, "admin_id": str(c.admin_id)} for c in summary.clinics],
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        text = orjson.dumps(marker).decode().replace("'", "''")
        await conn.execute(f'COMMENT ON DATABASE "{DATABASE}" IS \'{text}\'')
        return marker
    finally:
        await conn.close()


async def _ensure_loaded(url: str, force: bool) -> tuple[dict[str, Any], bool]:
    conn = await asyncpg.connect(url)
    try:
        marker = await _marker(conn)
        current = _fingerprint()
        fresh = (
            not force
            and marker is not None
            and all(marker.get(k) == v for k, v in current.items())
            and await _counts_match(conn, marker)
        )
    finally:
        await conn.close()
    if fresh and marker is not None:
        return marker, False
    why = "forced" if force else ("not loaded yet" if marker is None else "parameters, generator or data changed")
    print(f"==> loading the benchmark dataset ({why}): " + ", ".join(f"{k}={v}" for k, v in PARAMS.items()),
          flush=True)
    return await _load(url), True


def _wait_for_demo_module(timeout: float = 20 * 60) -> None:
    deadline = time.monotonic() + timeout
    while not DEMO_SOURCE.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {DEMO_SOURCE} does not exist; the dataset needs demo.clinics.load_demo")
        print(f"==> waiting for {DEMO_SOURCE} ...", flush=True)
        time.sleep(60)


async def _ensure_database(url: str) -> None:
    """The benchmark's database; on a Citus coordinator, created on every node of the cluster."""
    admin = await asyncpg.connect(urls.with_database(url, "postgres"))
    try:
        on_citus = bool(await citus.nodes(admin))
        exists = await admin.fetchval("SELECT true FROM pg_database WHERE datname = $1", DATABASE)
    finally:
        await admin.close()
    if on_citus and not exists:
        await citus.create_database(url, DATABASE)
    else:
        await embedded.ensure_database(url)


def prepare(*, force: bool = False) -> Dataset:
    """Create, migrate and fill `vetql_bench` if needed; return how to reach it."""
    _wait_for_demo_module()
    url = urls.with_database(server_url(), DATABASE)
    asyncio.run(_ensure_database(url))
    print(f"==> migrating {DATABASE}", flush=True)
    migrate.upgrade(url)
    started = time.monotonic()
    marker, reloaded = asyncio.run(_ensure_loaded(url, force))
    took = time.monotonic() - started
    first = marker["clinics"][0]
    if not reloaded:
        print(f"==> benchmark dataset already loaded ({marker.get('loaded_at')}); --reload to reload it",
              flush=True)
    return Dataset(
        url=url,
        tenant_id=first["tenant_id"],
        admin_id=uuid.UUID(first["admin_id"]),
        pets=PARAMS["pets"],
        reloaded=reloaded,
        load_seconds=took,
    )
