"""What every target is asked: the four read queries the benchmark compares, in VetQL's schema.

- overview: the patient overview a clinic dashboard refreshes all day (first 50 pets).
- pet: a single pet with everything (fields, owner, vet, alerts, all problems,
  anesthesia logs with their vitals, appointments), by global ID.
- today: today's appointments in the clinic's time zone (first 50, by start time)
  with pet (name, species, active alerts) and room.
- wide: the overview with every field of every type it touches (pet, owner and
  primary vet, alerts with who raised them, problems with their diagnosis code,
  anesthesia logs with their alarms and last 10 vitals). Left out: the log's
  `pet` (the same pet again), the pet's appointments (not part of the overview)
  and connection bookkeeping (cursors, pageInfo, totalCount).

The floor (bench/floor_server.py) takes the same request bodies as VetQL; PostGraphile
has its own documents (bench/postgraphile_target.py) with aliases that put the data
at the same paths. `Params` holds what a run decides at start (clinic, pet, day).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

PAGE = 50  # pets per overview page, appointments per page of today's schedule
QUERIES: tuple[str, ...] = ("overview", "pet", "today", "wide")
OPERATIONS: dict[str, str] = {"overview": "Overview", "pet": "Pet", "today": "Today", "wide": "WideOverview"}
TITLES: dict[str, str] = {
    "overview": f"Patient overview (first {PAGE} pets)",
    "pet": "A single pet with everything",
    "today": f"Today's appointments with pet, alerts and room (first {PAGE})",
    "wide": f"Wide patient overview: every field (first {PAGE} pets)",
}

OVERVIEW = """\
query Overview($first: Int!) {
  pets(first: $first) {
    edges {
      node {
        id
        name
        species
        owner { id fullName }
        alerts(activeOnly: true) { id alertType severity title }
        problems(activeOnly: true) { id problemName diagnosisCode { id code } }
        anesthesiaLogs(first: 5) {
          edges {
            node {
              id
              procedureName
              vitals(last: 10) {
                edges { node { id recordedAt heartRate spo2 etco2 temperature bloodPressureMean } }
              }
            }
          }
        }
      }
    }
  }
}
"""

PET = """\
query Pet($id: ID!) {
  pet(id: $id) {
    id name species breed sex isNeutered dateOfBirth weightKg color microchipId isDeceased
    behavioralNotes preferredAppointmentTime lastVisitDate nextVisitDue createdAt
    owner { id fullName email phone city }
    primaryVet { id fullName email }
    alerts(activeOnly: true) { id alertType severity title message expiresAt createdAt }
    problems(activeOnly: false) {
      id problemName icdCode onsetDate resolvedDate isChronic isActive severity notes
      diagnosisCode { id code term }
    }
    anesthesiaLogs(first: 5) {
      edges {
        node {
          id procedureName anesthesiaProtocol inductionTime maintenanceStart recoveryStart extubationTime
          fullRecoveryTime complications outcome completedAt notes createdAt
          vitals(first: 100) {
            edges {
              node {
                id recordedAt heartRate respiratoryRate spo2 etco2 bloodPressureSystolic
                bloodPressureDiastolic bloodPressureMean temperature anesthesiaDepth ivFluidsRate
              }
            }
          }
        }
      }
    }
    appointments(first: 10) { edges { node { id startTime endTime status reason } } }
  }
}
"""

TODAY = """\
query Today($first: Int!, $from: DateTime!, $before: DateTime!) {
  appointments(first: $first, filter: {startsFrom: $from, startsBefore: $before}) {
    edges {
      node {
        id
        startTime
        endTime
        status
        pet { id name species alerts(activeOnly: true) { id alertType severity title } }
        room { id name }
      }
    }
  }
}
"""

# Every field of Profile, for the owner, the primary vet and (id, name) who raised an alert.
PROFILE_FIELDS = """\
id fullName role email phone city preferredContactMethod timezone locale secondaryPhone
    addressLine1 addressLine2 state postalCode country emergencyContactName emergencyContactPhone
    communicationPreferences { marketing reminders }"""

WIDE = f"""\
query WideOverview($first: Int!) {{
  pets(first: $first) {{
    edges {{
      node {{
        id name species breed sex isNeutered dateOfBirth weightKg color microchipId isDeceased
        behavioralNotes preferredAppointmentTime lastVisitDate nextVisitDue createdAt
        owner {{ ...Person }}
        primaryVet {{ ...Person }}
        alerts(activeOnly: true) {{
          id alertType severity title message isActive expiresAt createdAt createdBy {{ id fullName }}
        }}
        problems(activeOnly: true) {{
          id problemName icdCode onsetDate resolvedDate isChronic isActive severity notes
          diagnosisCode {{ id code term standard }}
        }}
        anesthesiaLogs(first: 5) {{
          edges {{
            node {{
              id procedureName anesthesiaProtocol preAnesthesiaAssessment inductionTime maintenanceStart
              recoveryStart extubationTime fullRecoveryTime complications outcome completedAt notes createdAt
              alarms {{ id kind severity message value threshold raisedAt clearedAt isActive }}
              vitals(last: 10) {{
                edges {{
                  node {{
                    id recordedAt heartRate respiratoryRate spo2 etco2 bloodPressureSystolic
                    bloodPressureDiastolic bloodPressureMean temperature anesthesiaDepth ivFluidsRate notes
                  }}
                }}
              }}
            }}
          }}
        }}
      }}
    }}
  }}
}}

fragment Person on Profile {{
  {PROFILE_FIELDS}
}}
"""

DOCUMENTS: dict[str, str] = {"overview": OVERVIEW, "pet": PET, "today": TODAY, "wide": WIDE}

# Where each query's items sit in a response (every target's, thanks to aliases). A list
# counts its items; an object (the single pet) counts as 1, null as 0.
PATHS: dict[str, tuple[str, ...]] = {
    "overview": ("data", "pets", "edges"),
    "pet": ("data", "pet"),
    "today": ("data", "appointments", "edges"),
    "wide": ("data", "pets", "edges"),
}
PETS_PATH = PATHS["overview"]


@dataclass(frozen=True)
class Params:
    """What a run fixes at its start: whose clinic, which pet, which day."""

    tenant_id: str
    pet_id: str  # the single pet's uuid
    day: str  # YYYY-MM-DD, the clinic's "today"
    day_from: datetime  # that day's first instant in the clinic's time zone (aware)
    day_before: datetime  # the next day's first instant
    day_note: str  # how the day was chosen


def global_id(type_name: str, key: str) -> str:
    """VetQL's global ID (graph/types/node.py `to_global_id`)."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()


def variables(name: str, params: Params, first: int = PAGE) -> dict[str, Any]:
    if name in ("overview", "wide"):
        return {"first": first}
    if name == "pet":
        return {"id": global_id("Pet", params.pet_id)}
    if name == "today":
        return {"first": first, "from": params.day_from.isoformat(), "before": params.day_before.isoformat()}
    raise ValueError(f"unknown query {name!r}")


def body(name: str, params: Params, first: int = PAGE) -> bytes:
    """VetQL's (and the floor's) POST body for one of the queries."""
    return orjson.dumps({"query": DOCUMENTS[name], "variables": variables(name, params, first),
                         "operationName": OPERATIONS[name]})


def overview_body(first: int = PAGE) -> bytes:
    """The POST body of the overview request."""
    return orjson.dumps({"query": OVERVIEW, "variables": {"first": first}, "operationName": "Overview"})


def items_at(document: Any, path: tuple[str, ...]) -> Any:
    """The value at `path`; raises ValueError if a step is missing."""
    node = document
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise ValueError(f"response has no {'.'.join(path)}")
        node = node[key]
    return node


def count_at(document: Any, path: tuple[str, ...]) -> int:
    """Items at `path`: a list's length, 1 for an object, 0 for null; ValueError otherwise."""
    node = items_at(document, path)
    if isinstance(node, list):
        return len(node)
    if isinstance(node, dict):
        return 1
    if node is None:
        return 0
    raise ValueError(f"{'.'.join(path)} is neither a list nor an object")


def pets_in(document: Any, path: tuple[str, ...] = PETS_PATH) -> list[Any]:
    """The list at `path` (the overview's pets by default); raises ValueError if it is not there."""
    node = items_at(document, path)
    if not isinstance(node, list):
        raise ValueError(f"{'.'.join(path)} is not a list")
    return node
