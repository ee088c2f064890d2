"""The patient overview a dashboard asks for, end to end."""

from __future__ import annotations

from tests.conftest import GQL
from tests.world import World

OVERVIEW = """
query Overview($first: Int!) {
  pets(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id name species
      owner { id fullName }
      alerts(activeOnly: true) { alertType severity title isActive }
      problems(activeOnly: true) { problemName diagnosisCode { code term } }
      anesthesiaLogs(first: 20) { totalCount edges { node {
        procedureName outcome
        vitals(last: 10) { totalCount edges { node { recordedAt heartRate spo2 temperature } } }
      } } }
    } }
  }
}
"""


async def test_staff_sees_overview_with_active_alerts_only(gql: GQL, world: World, token) -> None:  # type: ignore[no-untyped-def]
    data = await gql.data(OVERVIEW, {"first": 10}, token(world.a.vet, world.a.tenant, "vet"))
    pets = data["pets"]
    assert pets["totalCount"] == len(world.a.pets)
    firulais = next(e["node"] for e in pets["edges"] if e["node"]["name"] == "Firulais")
    assert [a["alertType"] for a in firulais["alerts"]] == ["AGGRESSIVE", "ALLERGY"]
    assert all(a["isActive"] for a in firulais["alerts"])
    assert [p["problemName"] for p in firulais["problems"]] == ["Problema active"]
    assert firulais["problems"][0]["diagnosisCode"]["code"] == "VN-TEST-1"
    # the world's own surgery (other tests may open more logs on this pet)
    log = next(e["node"] for e in firulais["anesthesiaLogs"]["edges"] if e["node"]["procedureName"] == "Castración")
    vitals = log["vitals"]
    assert vitals["totalCount"] == 30
    heart_rates = [e["node"]["heartRate"] for e in vitals["edges"]]
    assert heart_rates == list(range(100, 110))  # the last ten, oldest first
