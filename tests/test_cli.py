"""The `vetql` command line as a newcomer meets it: pipes, tokens, a busy port, help, the first screen."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from db import migrate
from demo.clinics import load_demo
from server.app import create_app
from server.auth import sign
from server.cli import DEMO_CLINIC, FIRST_QUERY, _demo_users
from server.settings import Settings
from tests.conftest import TEST_SECRET, free_port

ROOT = Path(__file__).resolve().parent.parent


def vetql(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, **kw: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "VETQL_JWT_SECRET": TEST_SECRET, **(env or {})}, **kw,
    )


@pytest.fixture(scope="module")
def demo_url(server_url: str) -> str:
    """A database with one small demo clinic (the demo clinic), of this module's own."""
    import asyncio

    from db import urls
    from tests.conftest import fresh_database

    database = fresh_database(server_url, "vetql_cli_demo")
    migrate.upgrade(database)
    asyncio.run(load_demo(urls.plain(database), clinics=1, pets=30, progress=False))
    return database


def test_schema_piped_into_a_reader_that_stops_early_prints_no_traceback() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "server.cli", "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # as `| head` does, here before the schema is printed (imports take a while)
        assert process.wait(60) == 141
        assert process.stderr.read() == b""


@pytest.mark.parametrize("role", ["owner", "vet", "admin"])
def test_token_for_a_clinic_role_needs_a_tenant(role: str) -> None:
    result = vetql("token", "--sub", "00000000-0000-0000-0000-000000000001", "--role", role)
    assert result.returncode == 2 and result.stdout == ""
    assert "needs --tenant" in result.stderr


def test_platform_token_takes_no_tenant() -> None:
    result = vetql("token", "--sub", "00000000-0000-0000-0000-000000000001", "--role", "platform", "--tenant", "x")
    assert result.returncode == 2 and "leave out --tenant" in result.stderr
    ok = vetql("token", "--sub", "00000000-0000-0000-0000-000000000001", "--role", "platform")
    assert ok.returncode == 0 and jwt.decode(ok.stdout.strip(), TEST_SECRET, ["HS256"])["role"] == "platform"


@pytest.mark.parametrize("role", ["admin", "vet", "owner"])
def test_token_for_a_named_demo_user(demo_url: str, role: str) -> None:
    result = vetql("token", "--demo", role, env={"DATABASE_URL": demo_url})
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), TEST_SECRET, ["HS256"])
    assert claims["role"] == role and claims["tenant_id"] == DEMO_CLINIC
    assert result.stdout.count("\n") == 1  # the token alone, for TOKEN=$(vetql token --demo vet)


def test_serve_on_a_busy_port_says_so_before_printing_anything() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = vetql("serve", "--port", str(port), env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_help_shows_every_default() -> None:
    serve = vetql("serve", "--help").stdout
    assert "(default: 127.0.0.1)" in serve and "(default: 8000)" in serve and "(default: 1)" in serve
    demo = vetql("demo", "--help").stdout
    assert "(default: 3)" in demo and "(default: 60)" in demo
    assert "(default: 8h)" in vetql("token", "--help").stdout


def test_readme_first_query_is_the_links_query() -> None:
    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```graphql\n(.*?)```", readme, re.S)
    assert first is not None
    assert first.group(1) == FIRST_QUERY


async def test_first_query_shows_the_patient_in_surgery_first(demo_url: str, tmp_path: Path) -> None:
    users = await _demo_users(demo_url)
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path)
    token = sign(settings, sub=users["admin"], tenant_id=DEMO_CLINIC, role="admin", ttl=timedelta(hours=1))
    app = create_app(settings, demo_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
        body = (await http.post("/graphql", json={"query": FIRST_QUERY},
                                headers={"Authorization": f"Bearer {token}"})).json()
    await app.state.engine.dispose()
    assert body.get("errors") is None, body
    first = body["data"]["pets"]["nodes"][0]
    log = first["anesthesiaLogs"]["nodes"][0]
    assert log["outcome"] is None and len(log["vitals"]["nodes"]) == 5  # under way, with its latest readings


def test_serve_prints_links_and_tokens_for_admin_vet_and_owner(demo_url: str) -> None:
    port = free_port()
    env = {**os.environ, "VETQL_JWT_SECRET": TEST_SECRET, "DATABASE_URL": demo_url, "VETQL_USAGE_ROLLUP_SECONDS": "0"}
    lines = []
    with subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    ) as process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                lines.append(line)
                if "Application startup complete" in line or len(lines) > 40:
                    break
        finally:
            process.terminate()
            lines.extend(process.stdout)  # what shutting down prints, too
            process.wait(20)
    text = "".join(lines)
    assert f"GraphiQL: http://127.0.0.1:{port}/graphql" in text
    assert f"Monitor:  http://127.0.0.1:{port}/monitor" in text
    for role in ("admin", "vet", "owner"):
        token = re.search(rf"^    {role} +(\S+)$", text, re.M)
        assert token is not None, text
        assert jwt.decode(token.group(1), TEST_SECRET, ["HS256"])["role"] == role
    assert text.count("migrat") <= 1 and "remaining pids" not in text


async def test_graphiql_offers_the_demo_token_in_development_only(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.engine import create_engine
    from server.pages import Pages

    engine = create_engine(demo_url, pool_size=1)
    try:
        pages = Pages(Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path), engine)
        token = await pages.demo_token()
        assert token is not None and jwt.decode(token, TEST_SECRET, ["HS256"])["role"] == "admin"
        monkeypatch.setenv("VETQL_ENV", "production")
        assert await Pages(Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path), engine).demo_token() is None
    finally:
        await engine.dispose()


def test_serve_in_production_prints_no_tokens(demo_url: str, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from server.cli import _print_welcome

    monkeypatch.setenv("VETQL_ENV", "production")
    _print_welcome(Settings(jwt_secret=TEST_SECRET), demo_url, "127.0.0.1", 8000)
    printed = capsys.readouterr().out
    assert "VetQL on http://127.0.0.1:8000" in printed and "eyJ" not in printed and "/monitor" not in printed


def test_demo_prints_ready_tokens_for_its_admin_vet_and_owner(server_url: str) -> None:
    import asyncio

    import asyncpg

    from db import urls
    from tests.conftest import fresh_database

    database = fresh_database(server_url, "vetql_cli_demo_tokens")
    result = vetql("demo", "--clinics", "1", "--pets", "20", env={"DATABASE_URL": database}, timeout=300)
    assert result.returncode == 0, result.stderr

    async def member(sub: str, role: str) -> bool:
        conn = await asyncpg.connect(urls.plain(database))
        try:
            found = await conn.fetchval(
                "SELECT count(*) FROM profiles WHERE tenant_id = $1 AND id = $2 AND role = $3 AND is_active",
                DEMO_CLINIC, uuid.UUID(sub), role,
            )  # fmt: skip
            return bool(found)
        finally:
            await conn.close()

    for role in ("admin", "vet", "owner"):
        token = re.search(rf"^    {role} +(\S+)$", result.stdout, re.M)
        assert token is not None, result.stdout
        claims = jwt.decode(token.group(1), TEST_SECRET, ["HS256"])
        assert (claims["role"], claims["tenant_id"]) == (role, DEMO_CLINIC)
        assert asyncio.run(member(claims["sub"], role))
