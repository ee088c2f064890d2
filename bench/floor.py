"""The raw-SQL floor: each query (bench/query.py) as ONE SQL statement that builds the response JSON itself.

Runs as a VetQL query does: one REPEATABLE READ, READ ONLY transaction, `vetql_app` role and
the verified claims set first (by SET LOCAL, as db/session.py does, so that they reach Citus's
workers too), so RLS decides what rows exist exactly as for VetQL. PostgreSQL renders the response;
Python passes the bytes through. `bench/floor_server.py` serves it over
HTTP so both sides of the comparison include the same HTTP stack.

The JSON matches VetQL's response field for field: global IDs and timestamps
come from db/json_formats.py, the expressions VetQL's compiled read path prints
them with (urlsafe base64 of "Type:uuid"; UTC ISO 8601 as Python's isoformat(),
microseconds only when non-zero); enum names in upper case; the same orders
and page sizes.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import asyncpg

from db.expressions import PET_NEXT_VISIT_DUE
from db.json_formats import global_id, iso_datetime, json_flag
from db.session import REQUEST_ROLE, set_claims


def _begin(claims_json: str) -> str:
    """The role, the claims and UTC for the transaction, in one message."""
    return f"{REQUEST_ROLE}; {set_claims(claims_json)}; SET LOCAL TimeZone = 'UTC'"


# Every sub-select names the clinic by the constant $1, not by the outer row's tenant_id: the same rows
# (RLS and the outer filter hold them to $1), and Citus routes a statement whose every table is pinned
# to one tenant_id to the worker that holds it, where it refuses correlated sub-selects with LIMIT.
# nextVisitDue is VetQL's expression (db/expressions.py) for the same reason: pets_next_visit_due(p)
# cannot run on a shard.
_NEXT_VISIT_DUE = PET_NEXT_VISIT_DUE.sql("p").replace(":tenant", "$1")

# $1: tenant id, $2: page size. Orders as VetQL's: pets by (name, id); alerts most severe first;
# problems active first, newest onset first; logs newest first; the last 10 vitals, oldest first.
OVERVIEW_SQL = f"""
SELECT json_build_object('data', json_build_object('pets', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object(
    'id', {global_id('Pet', 'p.id')},
    'name', p.name,
    'species', upper(p.species),
    'owner', (SELECT json_build_object('id', {global_id('Profile', 'o.id')}, 'fullName', o.full_name)
              FROM profiles o WHERE o.tenant_id = $1 AND o.id = p.owner_id),
    'alerts', coalesce((
      SELECT json_agg(json_build_object(
               'id', {global_id('PatientAlert', 'a.id')}, 'alertType', upper(a.alert_type),
               'severity', upper(a.severity), 'title', a.title)
             ORDER BY array_position(ARRAY['danger', 'warning', 'info'], a.severity), a.created_at DESC, a.id)
      FROM patient_alerts a
      WHERE a.tenant_id = $1 AND a.pet_id = p.id
        AND a.is_active AND (a.expires_at IS NULL OR a.expires_at > now())), '[]'),
    'problems', coalesce((
      SELECT json_agg(json_build_object(
               'id', {global_id('PatientProblem', 'r.id')}, 'problemName', r.problem_name,
               'diagnosisCode', (SELECT json_build_object('id', {global_id('DiagnosisCode', 'd.id')}, 'code', d.code)
                                 FROM diagnosis_codes d WHERE d.id = r.diagnosis_code_id))
             ORDER BY r.is_active DESC, r.onset_date DESC NULLS LAST, r.id)
      FROM patient_problems r
      WHERE r.tenant_id = $1 AND r.pet_id = p.id AND r.is_active), '[]'),
    'anesthesiaLogs', json_build_object('edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
               'id', {global_id('AnesthesiaLog', 'l.id')},
               'procedureName', l.procedure_name,
               'vitals', json_build_object('edges', coalesce((
                 SELECT json_agg(json_build_object('node', json_build_object(
                          'id', {global_id('VitalSign', 'v.id')}, 'recordedAt', {iso_datetime('v.recorded_at')},
                          'heartRate', v.heart_rate, 'spo2', v.spo2::float8, 'etco2', v.etco2::float8,
                          'temperature', v.temperature::float8, 'bloodPressureMean', v.blood_pressure_mean))
                        ORDER BY v.recorded_at, v.id)
                 FROM (SELECT * FROM anesthesia_vitals v
                       WHERE v.tenant_id = $1 AND v.anesthesia_log_id = l.id
                       ORDER BY v.recorded_at DESC, v.id DESC LIMIT 10) v), '[]'))))
             ORDER BY l.created_at DESC, l.id DESC)
      FROM (SELECT * FROM anesthesia_logs l
            WHERE l.tenant_id = $1 AND l.pet_id = p.id
            ORDER BY l.created_at DESC, l.id DESC LIMIT 5) l), '[]'))
  )) ORDER BY p.name, p.id), '[]'))))::text
FROM (SELECT * FROM pets p WHERE p.tenant_id = $1 ORDER BY p.name, p.id LIMIT $2) p
"""


# The active (not expired) alerts of pet `p`, most severe first, with the given fields.
def _alerts(fields: str) -> str:
    return f"""coalesce((
      SELECT json_agg(json_build_object({fields})
             ORDER BY array_position(ARRAY['danger', 'warning', 'info'], a.severity), a.created_at DESC, a.id)
      FROM patient_alerts a
      WHERE a.tenant_id = $1 AND a.pet_id = p.id
        AND a.is_active AND (a.expires_at IS NULL OR a.expires_at > now())), '[]')"""


# $1: tenant id, $2: the pet's uuid. Problems: all of them (activeOnly: false), active first;
# logs: the 5 newest; vitals: the first 100 of each log, oldest first (recorded_at, seq);
# appointments: the first 10 by (start_time, id).
PET_SQL = f"""
SELECT json_build_object('data', json_build_object('pet', (
  SELECT json_build_object(
    'id', {global_id('Pet', 'p.id')}, 'name', p.name, 'species', upper(p.species), 'breed', p.breed,
    'sex', upper(p.sex), 'isNeutered', p.is_neutered, 'dateOfBirth', p.date_of_birth,
    'weightKg', p.weight_kg::float8, 'color', p.color, 'microchipId', p.microchip_id,
    'isDeceased', p.is_deceased, 'behavioralNotes', p.behavioral_notes,
    'preferredAppointmentTime', upper(p.preferred_appointment_time), 'lastVisitDate', p.last_visit_date,
    'nextVisitDue', {_NEXT_VISIT_DUE}, 'createdAt', {iso_datetime('p.created_at')},
    'owner', (SELECT json_build_object('id', {global_id('Profile', 'o.id')}, 'fullName', o.full_name,
                                       'email', o.email, 'phone', o.phone, 'city', o.city)
              FROM profiles o WHERE o.tenant_id = $1 AND o.id = p.owner_id),
    'primaryVet', (SELECT json_build_object('id', {global_id('Profile', 'pv.id')}, 'fullName', pv.full_name,
                                            'email', pv.email)
                   FROM profiles pv WHERE pv.tenant_id = $1 AND pv.id = p.primary_vet_id),
    'alerts', {_alerts(f"'id', {global_id('PatientAlert', 'a.id')}, 'alertType', upper(a.alert_type), "
                       f"'severity', upper(a.severity), 'title', a.title, 'message', a.message, "
                       f"'expiresAt', {iso_datetime('a.expires_at')}, 'createdAt', {iso_datetime('a.created_at')}")},
    'problems', coalesce((
      SELECT json_agg(json_build_object(
               'id', {global_id('PatientProblem', 'r.id')}, 'problemName', r.problem_name, 'icdCode', r.icd_code,
               'onsetDate', r.onset_date, 'resolvedDate', r.resolved_date, 'isChronic', r.is_chronic,
               'isActive', r.is_active, 'severity', upper(r.severity), 'notes', r.notes,
               'diagnosisCode', (SELECT json_build_object('id', {global_id('DiagnosisCode', 'd.id')}, 'code', d.code,
                                                          'term', d.term)
                                 FROM diagnosis_codes d WHERE d.id = r.diagnosis_code_id))
             ORDER BY r.is_active DESC, r.onset_date DESC NULLS LAST, r.id)
      FROM patient_problems r
      WHERE r.tenant_id = $1 AND r.pet_id = p.id), '[]'),
    'anesthesiaLogs', json_build_object('edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
               'id', {global_id('AnesthesiaLog', 'l.id')}, 'procedureName', l.procedure_name,
               'anesthesiaProtocol', l.anesthesia_protocol, 'inductionTime', {iso_datetime('l.induction_time')},
               'maintenanceStart', {iso_datetime('l.maintenance_start')},
               'recoveryStart', {iso_datetime('l.recovery_start')},
               'extubationTime', {iso_datetime('l.extubation_time')},
               'fullRecoveryTime', {iso_datetime('l.full_recovery_time')},
               'complications', l.complications, 'outcome', upper(l.outcome),
               'completedAt', {iso_datetime('l.completed_at')}, 'notes', l.notes,
               'createdAt', {iso_datetime('l.created_at')},
               'vitals', json_build_object('edges', coalesce((
                 SELECT json_agg(json_build_object('node', json_build_object(
                          'id', {global_id('VitalSign', 'v.id')}, 'recordedAt', {iso_datetime('v.recorded_at')},
                          'heartRate', v.heart_rate, 'respiratoryRate', v.respiratory_rate,
                          'spo2', v.spo2::float8, 'etco2', v.etco2::float8,
                          'bloodPressureSystolic', v.blood_pressure_systolic,
                          'bloodPressureDiastolic', v.blood_pressure_diastolic,
                          'bloodPressureMean', v.blood_pressure_mean, 'temperature', v.temperature::float8,
                          'anesthesiaDepth', upper(v.anesthesia_depth), 'ivFluidsRate', v.iv_fluids_rate::float8))
                        ORDER BY v.recorded_at, v.seq)
                 FROM (SELECT * FROM anesthesia_vitals v
                       WHERE v.tenant_id = $1 AND v.anesthesia_log_id = l.id
                       ORDER BY v.recorded_at, v.seq LIMIT 100) v), '[]'))))
             ORDER BY l.created_at DESC, l.id DESC)
      FROM (SELECT * FROM anesthesia_logs l
            WHERE l.tenant_id = $1 AND l.pet_id = p.id
            ORDER BY l.created_at DESC, l.id DESC LIMIT 5) l), '[]')),
    'appointments', json_build_object('edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
               'id', {global_id('Appointment', 'x.id')}, 'startTime', {iso_datetime('x.start_time')},
               'endTime', {iso_datetime('x.end_time')}, 'status', upper(x.status), 'reason', x.reason))
             ORDER BY x.start_time, x.id)
      FROM (SELECT * FROM appointments x
            WHERE x.tenant_id = $1 AND x.pet_id = p.id
            ORDER BY x.start_time, x.id LIMIT 10) x), '[]')))
  FROM pets p WHERE p.tenant_id = $1 AND p.id = $2)))::text
"""

# $1: tenant id, $2 / $3: the day's first instant and the next day's, $4: page size.
TODAY_SQL = f"""
SELECT json_build_object('data', json_build_object('appointments', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object(
    'id', {global_id('Appointment', 'x.id')}, 'startTime', {iso_datetime('x.start_time')},
    'endTime', {iso_datetime('x.end_time')},
    'status', upper(x.status),
    'pet', (SELECT json_build_object(
                     'id', {global_id('Pet', 'p.id')}, 'name', p.name, 'species', upper(p.species),
                     'alerts', {_alerts(f"'id', {global_id('PatientAlert', 'a.id')}, 'alertType', upper(a.alert_type), "
                                        "'severity', upper(a.severity), 'title', a.title")})
            FROM pets p WHERE p.tenant_id = $1 AND p.id = x.pet_id),
    'room', (SELECT json_build_object('id', {global_id('ExamRoom', 'm.id')}, 'name', m.name)
             FROM exam_rooms m WHERE m.tenant_id = $1 AND m.id = x.room_id)
  )) ORDER BY x.start_time, x.id), '[]'))))::text
FROM (SELECT * FROM appointments x
      WHERE x.tenant_id = $1 AND x.start_time >= $2 AND x.start_time < $3
      ORDER BY x.start_time, x.id LIMIT $4) x
"""


# Every field of a profile (bench/query.py PROFILE_FIELDS), the one `p.<fk>` points at, as alias `o`.
def _profile(alias: str, fk: str) -> str:
    def at(column: str) -> str:
        return f"{alias}.{column}"

    return f"""(SELECT json_build_object(
      'id', {global_id('Profile', at('id'))}, 'fullName', {at('full_name')}, 'role', upper({at('role')}),
      'email', {at('email')}, 'phone', {at('phone')}, 'city', {at('city')},
      'preferredContactMethod', upper({at('preferred_contact_method')}), 'timezone', {at('timezone')},
      'locale', {at('locale')}, 'secondaryPhone', {at('secondary_phone')}, 'addressLine1', {at('address_line1')},
      'addressLine2', {at('address_line2')}, 'state', {at('state')}, 'postalCode', {at('postal_code')},
      'country', {at('country')}, 'emergencyContactName', {at('emergency_contact_name')},
      'emergencyContactPhone', {at('emergency_contact_phone')},
      'communicationPreferences', json_build_object(
        'marketing', {json_flag(at('communication_preferences'), 'marketing', True)},
        'reminders', {json_flag(at('communication_preferences'), 'reminders', True)}))
    FROM profiles {alias} WHERE {alias}.tenant_id = $1 AND {alias}.id = p.{fk})"""


# The wide overview's anesthesia logs of pet `p`: the 5 newest with every field, their alarms in
# the order raised, and their last 10 vitals (by recorded_at, seq), oldest first.
_WIDE_LOGS = f"""json_build_object('edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
               'id', {global_id('AnesthesiaLog', 'l.id')}, 'procedureName', l.procedure_name,
               'anesthesiaProtocol', l.anesthesia_protocol, 'preAnesthesiaAssessment', l.pre_anesthesia_assessment,
               'inductionTime', {iso_datetime('l.induction_time')},
               'maintenanceStart', {iso_datetime('l.maintenance_start')},
               'recoveryStart', {iso_datetime('l.recovery_start')},
               'extubationTime', {iso_datetime('l.extubation_time')},
               'fullRecoveryTime', {iso_datetime('l.full_recovery_time')},
               'complications', l.complications, 'outcome', upper(l.outcome),
               'completedAt', {iso_datetime('l.completed_at')}, 'notes', l.notes,
               'createdAt', {iso_datetime('l.created_at')},
               'alarms', coalesce((
                 SELECT json_agg(json_build_object(
                          'id', {global_id('AnesthesiaAlarm', 'm.id')}, 'kind', upper(m.kind),
                          'severity', upper(m.severity), 'message', m.message, 'value', m.value::float8,
                          'threshold', m.threshold::float8, 'raisedAt', {iso_datetime('m.raised_at')},
                          'clearedAt', {iso_datetime('m.cleared_at')}, 'isActive', m.cleared_at IS NULL)
                        ORDER BY m.raised_at, m.id)
                 FROM anesthesia_alarms m WHERE m.tenant_id = $1 AND m.anesthesia_log_id = l.id), '[]'),
               'vitals', json_build_object('edges', coalesce((
                 SELECT json_agg(json_build_object('node', json_build_object(
                          'id', {global_id('VitalSign', 'v.id')}, 'recordedAt', {iso_datetime('v.recorded_at')},
                          'heartRate', v.heart_rate, 'respiratoryRate', v.respiratory_rate,
                          'spo2', v.spo2::float8, 'etco2', v.etco2::float8,
                          'bloodPressureSystolic', v.blood_pressure_systolic,
                          'bloodPressureDiastolic', v.blood_pressure_diastolic,
                          'bloodPressureMean', v.blood_pressure_mean, 'temperature', v.temperature::float8,
                          'anesthesiaDepth', upper(v.anesthesia_depth), 'ivFluidsRate', v.iv_fluids_rate::float8,
                          'notes', v.notes))
                        ORDER BY v.recorded_at, v.seq)
                 FROM (SELECT * FROM anesthesia_vitals v
                       WHERE v.tenant_id = $1 AND v.anesthesia_log_id = l.id
                       ORDER BY v.recorded_at DESC, v.seq DESC LIMIT 10) v), '[]'))))
             ORDER BY l.created_at DESC, l.id DESC)
      FROM (SELECT * FROM anesthesia_logs l
            WHERE l.tenant_id = $1 AND l.pet_id = p.id
            ORDER BY l.created_at DESC, l.id DESC LIMIT 5) l), '[]'))"""

# $1: tenant id, $2: page size. The overview's pets, orders and filters, with every field of each.
WIDE_SQL = f"""
SELECT json_build_object('data', json_build_object('pets', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object(
    'id', {global_id('Pet', 'p.id')}, 'name', p.name, 'species', upper(p.species), 'breed', p.breed,
    'sex', upper(p.sex), 'isNeutered', p.is_neutered, 'dateOfBirth', p.date_of_birth,
    'weightKg', p.weight_kg::float8, 'color', p.color, 'microchipId', p.microchip_id,
    'isDeceased', p.is_deceased, 'behavioralNotes', p.behavioral_notes,
    'preferredAppointmentTime', upper(p.preferred_appointment_time), 'lastVisitDate', p.last_visit_date,
    'nextVisitDue', {_NEXT_VISIT_DUE}, 'createdAt', {iso_datetime('p.created_at')},
    'owner', {_profile('o', 'owner_id')},
    'primaryVet', {_profile('pv', 'primary_vet_id')},
    'alerts', {_alerts(f"'id', {global_id('PatientAlert', 'a.id')}, 'alertType', upper(a.alert_type), "
                       f"'severity', upper(a.severity), 'title', a.title, 'message', a.message, "
                       "'isActive', a.is_active AND (a.expires_at IS NULL OR a.expires_at > now()), "
                       f"'expiresAt', {iso_datetime('a.expires_at')}, 'createdAt', {iso_datetime('a.created_at')}, "
                       f"'createdBy', (SELECT json_build_object('id', {global_id('Profile', 'cb.id')}, "
                       "'fullName', cb.full_name) FROM profiles cb "
                       "WHERE cb.tenant_id = $1 AND cb.id = a.created_by)")},
    'problems', coalesce((
      SELECT json_agg(json_build_object(
               'id', {global_id('PatientProblem', 'r.id')}, 'problemName', r.problem_name, 'icdCode', r.icd_code,
               'onsetDate', r.onset_date, 'resolvedDate', r.resolved_date, 'isChronic', r.is_chronic,
               'isActive', r.is_active, 'severity', upper(r.severity), 'notes', r.notes,
               'diagnosisCode', (SELECT json_build_object('id', {global_id('DiagnosisCode', 'd.id')}, 'code', d.code,
                                                          'term', d.term, 'standard', d.standard)
                                 FROM diagnosis_codes d WHERE d.id = r.diagnosis_code_id))
             ORDER BY r.is_active DESC, r.onset_date DESC NULLS LAST, r.id)
      FROM patient_problems r
      WHERE r.tenant_id = $1 AND r.pet_id = p.id AND r.is_active), '[]'),
    'anesthesiaLogs', {_WIDE_LOGS}
  )) ORDER BY p.name, p.id), '[]'))))::text
FROM (SELECT * FROM pets p WHERE p.tenant_id = $1 ORDER BY p.name, p.id LIMIT $2) p
"""


def _uuid_of(global_id: str) -> str:
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    return raw.partition(":")[2]


async def fetch(conn: asyncpg.Connection[Any], claims_json: str, tenant_id: str, operation: str,
                variables: dict[str, Any]) -> bytes:
    """The whole response body of one of the bench's operations (Overview, Pet, Today, WideOverview), from one
    statement."""
    first = min(int(variables.get("first", 50)), 100)
    args: list[Any]
    if operation == "Pet":
        sql, args = PET_SQL, [tenant_id, _uuid_of(str(variables["id"]))]
    elif operation == "Today":
        sql, args = TODAY_SQL, [tenant_id, datetime.fromisoformat(str(variables["from"])),
                                datetime.fromisoformat(str(variables["before"])), first]
    elif operation == "WideOverview":
        sql, args = WIDE_SQL, [tenant_id, first]
    else:
        sql, args = OVERVIEW_SQL, [tenant_id, first]
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        await conn.execute(_begin(claims_json))
        body: str = await conn.fetchval(sql, *args)
    return body.encode()
