"""`python -m bench.floor_server --port P`: the raw-SQL floor behind a tiny Starlette app on uvicorn.

Same front half as VetQL (uvicorn, Starlette, the same token verification
and claims), then one SQL statement whose result is the response body: the
request's operationName (Overview, Pet, Today, WideOverview) picks the statement.
DATABASE_URL and VETQL_JWT_SECRET come from the environment.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.floor import fetch
from db import urls
from server.auth import AuthError, TokenVerifier
from server.settings import Settings


def create_app(database_url: str, settings: Settings) -> Starlette:
    verifier = TokenVerifier(settings)
    pool: dict[str, asyncpg.Pool[Any]] = {}

    async def graphql(request: Request) -> Response:
        try:
            claims = verifier.verify_header(request.headers.get("authorization"))
        except AuthError as exc:
            return JSONResponse({"errors": [{"message": str(exc)}]}, 401)
        if claims is None or claims.tenant_id is None:
            return JSONResponse({"errors": [{"message": "a clinic token is required"}]}, 401)
        payload = orjson.loads(await request.body())
        variables = payload.get("variables") or {}
        operation = str(payload.get("operationName") or "Overview")
        async with pool["db"].acquire() as conn:
            body = await fetch(conn, orjson.dumps(claims.as_json_claims()).decode(), claims.tenant_id, operation,
                               variables)
        return Response(body, media_type="application/json")

    async def readyz(request: Request) -> Response:
        async with pool["db"].acquire() as conn:
            await conn.fetchval("SELECT 1")
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # As VetQL's pool: up to 20 connections, JIT off, statements prepared once per connection.
        pool["db"] = await asyncpg.create_pool(
            urls.plain(database_url), min_size=1, max_size=20,
            server_settings={"application_name": "vetql-bench-floor", "jit": "off"},
        )
        try:
            yield
        finally:
            await pool["db"].close()

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/readyz", readyz)], lifespan=lifespan
    )


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="bench.floor_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        print("bench.floor_server: DATABASE_URL must be set", file=sys.stderr)
        return 2
    app = create_app(database_url, Settings())
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
