"""The typed clients follow the schema, the example clients run, and a breaking change is never silent."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from graphql import GraphQLSchema, build_schema, find_breaking_changes, parse, validate

from graph.schema import schema
from tests.conftest import LiveServer
from tests.test_live_protocols import record, start_log
from tests.world import World

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "clients"


def test_typescript_types_were_generated_from_the_current_schema_and_operations() -> None:
    lines = (CLIENTS / "typescript/src/generated/inputs.sha256").read_text().splitlines()
    recorded = {path: digest for digest, path in (line.split("  ", 1) for line in lines)}
    operations = sorted(f"clients/operations/{p.name}" for p in (CLIENTS / "operations").glob("*.graphql"))
    inputs = ["schema.graphql", *operations]
    current = {path: hashlib.sha256((ROOT / path).read_bytes()).hexdigest() for path in inputs}
    assert recorded == current, "schema.graphql or clients/operations changed: run make clients and commit clients/"
    generated = (CLIENTS / "typescript/src/generated/graphql.ts").read_text()
    for name in ("export type VitalSign = ", "export type OverviewQuery = ", "export type WatchVitalsSubscription = "):
        assert name in generated


def test_client_operations_are_valid_against_the_schema() -> None:
    for path in sorted((CLIENTS / "operations").glob("*.graphql")):
        assert validate(schema._schema, parse(path.read_text())) == [], path.name


def _changelog() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index("## Changelog") :]


def _coordinate(description: str, released: GraphQLSchema) -> str:
    """What a change is about: 'Field Pet.weight was removed.' -> Pet.weight; else the first type it names."""
    words = re.findall(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", description)
    dotted = [w for w in words if "." in w]
    named = [w for w in words if w in released.type_map]
    return (dotted or named or [description])[0]


def test_no_breaking_change_against_the_released_schema_unless_the_changelog_says_so() -> None:
    released = build_schema((CLIENTS / "released/schema.graphql").read_text())
    current = build_schema((ROOT / "schema.graphql").read_text())
    breaking_lines = [line for line in _changelog().splitlines() if "breaking" in line.lower()]
    unannounced = []
    for change in find_breaking_changes(released, current):
        # "Field Pet.weight was removed.": the changelog must name Pet.weight on a line that says breaking.
        coordinate = _coordinate(change.description, released)
        if not any(coordinate in line for line in breaking_lines):
            unannounced.append(f"{change.type.name}: {change.description}")
    assert unannounced == [], (
        "Breaking schema changes against clients/released/schema.graphql; name each in a README changelog line"
        " that says 'Breaking' (or release: copy schema.graphql to clients/released/):\n" + "\n".join(unannounced)
    )


def test_the_breaking_change_check_sees_a_removed_field() -> None:
    released = build_schema("type Query { pet: Pet } type Pet { name: String weight: Float }")
    current = build_schema("type Query { pet: Pet } type Pet { name: String }")
    changes = [_coordinate(c.description, released) for c in find_breaking_changes(released, current)]
    assert "Pet.weight" in changes


async def _run(script: str, *args: str, env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(CLIENTS / "python" / script), *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(30):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


async def test_python_example_clients_run_against_a_server(
    live_servers: list[LiveServer], world: World, token  # type: ignore[no-untyped-def]
) -> None:
    server = live_servers[0]
    staff = token(world.a.admin, world.a.tenant, "admin")
    env = {**os.environ, "VETQL_URL": f"{server.url}/graphql", "VETQL_TOKEN": staff}
    overview = json.loads(await _run("overview.py", env=env))
    assert overview["viewer"]["clinic"]["name"] == "Clínica A" and overview["pets"]["totalCount"] >= 1

    log = await start_log(server, staff, world.a.pets[2])
    await record(server, staff, log, [{"heartRate": 80}, {"heartRate": 81}])
    watching = asyncio.create_task(
        _run("watch_vitals.py", log, "--since", "1970-01-01T00:00:00Z", "--count", "3", env=env)
    )
    await asyncio.sleep(1.5)
    await record(server, staff, log, [{"heartRate": 82}])
    printed = await watching
    assert re.findall(r"HR (\d+)", printed) == ["80", "81", "82"]
