"""The patient overview a clinic dashboard refreshes all day: what every target is asked."""

from __future__ import annotations

from typing import Any

import orjson

PAGE = 50  # pets per overview page

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

# Where the list of pets sits in VetQL's (and the floor's) response.
PETS_PATH: tuple[str, ...] = ("data", "pets", "edges")


def overview_body(first: int = PAGE) -> bytes:
    """The POST body of the overview request."""
    return orjson.dumps({"query": OVERVIEW, "variables": {"first": first}, "operationName": "Overview"})


def pets_in(document: Any, path: tuple[str, ...] = PETS_PATH) -> list[Any]:
    """The pet list of a response document; raises ValueError if it is not there."""
    node = document
    for key in path:
        if not isinstance(node, dict) or key not in node:
            raise ValueError(f"response has no {'.'.join(path)}")
        node = node[key]
    if not isinstance(node, list):
        raise ValueError(f"{'.'.join(path)} is not a list")
    return node
