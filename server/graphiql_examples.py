"""The operations GraphiQL opens with, one tab each; the first is the README's first query."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

OVERVIEW = """query Overview {
  viewer { role clinic { name } }
  pets(first: 5, filter: {hasActiveAlerts: true}) {
    totalCount
    nodes {
      id name species
      owner { fullName phone }
      alerts { alertType severity title }
      problems { problemName diagnosisCode { code term } }
      anesthesiaLogs(first: 1) {
        nodes {
          id procedureName outcome
          vitals(last: 5) { nodes { recordedAt heartRate spo2 temperature } }
        }
      }
    }
  }
}
"""

SINGLE_PET = """# Paste a pet's id from the overview (or any Pet id) into the variables below.
query Pet($id: ID!) {
  pet(id: $id) {
    name species breed dateOfBirth weightKg
    owner { fullName phone email }
    alerts { alertType severity title message }
    problems(activeOnly: false) { problemName isChronic onsetDate resolvedDate }
    appointments(first: 5) { nodes { startTime status reason } }
  }
}
"""

TODAY = """# Today's schedule: set startsFrom / startsBefore to today's midnight and tomorrow's (with an offset).
query Today($from: DateTime!, $to: DateTime!) {
  appointments(first: 50, filter: {startsFrom: $from, startsBefore: $to}) {
    totalCount
    nodes { startTime endTime status reason pet { name species } vet { fullName } room { name } }
  }
}
"""

RECORD_VITALS = """# Record a reading on an open anesthesia log (staff). Open one with startAnesthesia first.
mutation RecordVitals($log: ID!) {
  recordVitals(input: {anesthesiaLogId: $log, vitals: [{heartRate: 96, spo2: 97.5, etco2: 38,
      bloodPressureMean: 72, temperature: 37.6, anesthesiaDepth: SURGICAL}]}) {
    vitals { id recordedAt heartRate spo2 }
    alarmEvents { transition alarm { kind severity message } }
    userErrors { field code message }
  }
}
"""

WATCH_VITALS = """# Live: each new reading of one log. Run it, then record vitals in another tab.
subscription WatchVitals($log: ID!, $since: DateTime) {
  vitalsRecorded(anesthesiaLogId: $log, since: $since) {
    id recordedAt heartRate spo2 etco2 bloodPressureMean temperature anesthesiaDepth
  }
}
"""

WATCH_ALARMS = """# Live: alarms raised and cleared on every open log of the clinic (or pass anesthesiaLogId).
subscription WatchAlarms {
  anesthesiaAlarms {
    transition occurredAt anesthesiaLogId
    alarm { kind severity message value threshold isActive }
  }
}
"""

CLINIC_TZ = ZoneInfo("America/Asuncion")  # the demo clinics' zone; a clinic's own is `Clinic.timezone`


def examples(now: datetime | None = None) -> list[dict[str, str]]:
    """GraphiQL tabs: query and variables (JSON text); Today's variables are today in the demo zone."""
    today = (now or datetime.now(UTC)).astimezone(CLINIC_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    day = json.dumps({"from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()})
    log = json.dumps({"log": "paste an AnesthesiaLog id (overview: anesthesiaLogs { nodes { id } })"})
    return [
        {"query": OVERVIEW, "variables": ""},
        {"query": SINGLE_PET, "variables": json.dumps({"id": "paste a Pet id from the overview"})},
        {"query": TODAY, "variables": day},
        {"query": RECORD_VITALS, "variables": log},
        {"query": WATCH_VITALS, "variables": log},
        {"query": WATCH_ALARMS, "variables": ""},
    ]
