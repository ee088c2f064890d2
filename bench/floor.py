"""The raw-SQL floor: the same overview as ONE SQL statement that builds the response JSON itself.

Runs as a VetQL query does: one REPEATABLE READ, READ ONLY transaction, `vetql_app` role and
the verified claims set with set_config(..., true) first, so RLS decides
what rows exist exactly as for VetQL. PostgreSQL renders the response;
Python passes the bytes through. `bench/floor_server.py` serves it over
HTTP so both sides of the comparison include the same HTTP stack.

The JSON matches VetQL's response for the overview field for field:
global IDs (urlsafe base64 of "Type:uuid"; PostgreSQL's base64 breaks lines
only after 76 characters, longer than any of these IDs), enum names in upper
case, timestamps in UTC ISO 8601, the same orders and page sizes.
"""

from __future__ import annotations

from typing import Any

import asyncpg


def _gid(type_name: str, column: str) -> str:
    return f"translate(encode(convert_to('{type_name}:' || {column}::text, 'UTF8'), 'base64'), '+/', '-_')"


BEGIN = (
    "SELECT set_config('role', 'vetql_app', true), set_config('request.jwt.claims', $1, true),"
    " set_config('TimeZone', 'UTC', true)"
)

# $1: tenant id, $2: page size. Orders as VetQL's: pets by (name, id); alerts most severe first;
# problems active first, newest onset first; logs newest first; the last 10 vitals, oldest first.
OVERVIEW_SQL = f"""
SELECT json_build_object('data', json_build_object('pets', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object(
    'id', {_gid('Pet', 'p.id')},
    'name', p.name,
    'species', upper(p.species),
    'owner', (SELECT json_build_object('id', {_gid('Profile', 'o.id')}, 'fullName', o.full_name)
              FROM profiles o WHERE o.tenant_id = p.tenant_id AND o.id = p.owner_id),
    'alerts', coalesce((
      SELECT json_agg(json_build_object(
               'id', {_gid('PatientAlert', 'a.id')}, 'alertType', upper(a.alert_type),
               'severity', upper(a.severity), 'title', a.title)
             ORDER BY array_position(ARRAY['danger', 'warning', 'info'], a.severity), a.created_at DESC, a.id)
      FROM patient_alerts a
      WHERE a.tenant_id = p.tenant_id AND a.pet_id = p.id
        AND a.is_active AND (a.expires_at IS NULL OR a.expires_at > now())), '[]'),
    'problems', coalesce((
      SELECT json_agg(json_build_object(
               'id', {_gid('PatientProblem', 'r.id')}, 'problemName', r.problem_name,
               'diagnosisCode', (SELECT json_build_object('id', {_gid('DiagnosisCode', 'd.id')}, 'code', d.code)
                                 FROM diagnosis_codes d WHERE d.id = r.diagnosis_code_id))
             ORDER BY r.is_active DESC, r.onset_date DESC NULLS LAST, r.id)
      FROM patient_problems r
      WHERE r.tenant_id = p.tenant_id AND r.pet_id = p.id AND r.is_active), '[]'),
    'anesthesiaLogs', json_build_object('edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
               'id', {_gid('AnesthesiaLog', 'l.id')},
               'procedureName', l.procedure_name,
               'vitals', json_build_object('edges', coalesce((
                 SELECT json_agg(json_build_object('node', json_build_object(
                          'id', {_gid('VitalSign', 'v.id')}, 'recordedAt', v.recorded_at,
                          'heartRate', v.heart_rate, 'spo2', v.spo2::float8, 'etco2', v.etco2::float8,
                          'temperature', v.temperature::float8, 'bloodPressureMean', v.blood_pressure_mean))
                        ORDER BY v.recorded_at, v.id)
                 FROM (SELECT * FROM anesthesia_vitals v
                       WHERE v.tenant_id = l.tenant_id AND v.anesthesia_log_id = l.id
                       ORDER BY v.recorded_at DESC, v.id DESC LIMIT 10) v), '[]'))))
             ORDER BY l.created_at DESC, l.id DESC)
      FROM (SELECT * FROM anesthesia_logs l
            WHERE l.tenant_id = p.tenant_id AND l.pet_id = p.id
            ORDER BY l.created_at DESC, l.id DESC LIMIT 5) l), '[]'))
  )) ORDER BY p.name, p.id), '[]'))))::text
FROM (SELECT * FROM pets p WHERE p.tenant_id = $1 ORDER BY p.name, p.id LIMIT $2) p
"""


async def fetch_overview(conn: asyncpg.Connection[Any], claims_json: str, tenant_id: str, first: int) -> bytes:
    """The whole overview response body, from one statement in the request's own transaction."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        await conn.fetchval(BEGIN, claims_json)
        body: str = await conn.fetchval(OVERVIEW_SQL, tenant_id, first)
    return body.encode()
