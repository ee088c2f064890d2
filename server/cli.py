"""The `vetql` command line: serve, migrate, demo, token, schema."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from urllib.parse import quote, urlencode

from server.settings import Settings

DEMO_CLINIC = "clinica-san-roque"
FIRST_QUERY = """query Overview {
  viewer { role clinic { name } }
  pets(first: 5, filter: {hasActiveAlerts: true}) {
    totalCount
    nodes {
      name species
      owner { fullName phone }
      alerts { alertType severity title }
      problems { problemName diagnosisCode { code term } }
      anesthesiaLogs(first: 1) {
        nodes { procedureName outcome vitals(last: 5) { nodes { recordedAt heartRate spo2 } } }
      }
    }
  }
}
"""


def _migrate(url: str) -> None:
    from db import migrate

    print("==> applying migrations", flush=True)
    migrate.upgrade(url)
    print(f"    at revision {migrate.head_revision()}", flush=True)


async def _demo_admin(url: str) -> uuid.UUID | None:
    import asyncpg

    from db import demo_store, urls

    conn = await asyncpg.connect(urls.plain(url))
    try:
        return await demo_store.first_profile(conn, DEMO_CLINIC, "admin")
    finally:
        await conn.close()


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from server.database import database_url

    _migrate(database_url(settings))
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from db import urls
    from demo.clinics import load_demo
    from server.database import database_url

    url = database_url(settings)
    _migrate(url)
    if args.if_empty and asyncio.run(_demo_admin(url)) is not None:
        print("==> demo data already loaded (run `vetql demo` to reload it)", flush=True)
        return 0
    print(f"==> loading demo data: {args.clinics} clinics x {args.pets} pets", flush=True)
    summary = asyncio.run(load_demo(urls.plain(url), clinics=args.clinics, pets=args.pets, progress=True))
    for clinic in summary.clinics:
        print(f"    {clinic.tenant_id}: admin profile {clinic.admin_id}", flush=True)
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    from server.auth import parse_ttl, sign

    if settings.production:
        print(
            "vetql token: refused in production (VETQL_ENV=production, or DATABASE_URL on another machine): "
            "tokens come from your identity provider; set VETQL_ENV=development on a development machine",
            file=sys.stderr,
        )
        return 2
    try:
        token = sign(settings, sub=args.sub, tenant_id=args.tenant, role=args.role, ttl=parse_ttl(args.ttl))
    except ValueError as exc:
        print(f"vetql token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def cmd_schema(settings: Settings, args: argparse.Namespace) -> int:
    from graph.schema import schema

    print(schema.as_str())
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server.auth import sign
    from server.database import database_url
    from server.logging import configure_logging

    url = database_url(settings)
    _migrate(url)
    base = f"http://{args.host}:{args.port}/graphql"
    if settings.graphiql_enabled:
        print(f"==> GraphiQL: {base}", flush=True)
    if settings.production:
        print("==> production mode: no GraphiQL (unless VETQL_GRAPHIQL=true), no dev tokens", flush=True)
    elif not (settings.jwks_url or settings.jwt_public_key):
        admin = asyncio.run(_demo_admin(url))
        if admin is not None:
            from datetime import timedelta

            token = sign(settings, sub=admin, tenant_id=DEMO_CLINIC, role="admin", ttl=timedelta(hours=8))
            headers = json.dumps({"Authorization": f"Bearer {token}"})
            link = f"{base}?{urlencode({'q': FIRST_QUERY, 'headers': headers}, quote_via=quote)}"
            print(f"==> demo staff token ({DEMO_CLINIC}, admin, 8h): {token}", flush=True)
            print("==> GraphiQL with that token and a first query filled in:", flush=True)
            print(f"    {link}", flush=True)
    configure_logging()
    uvicorn.run(
        "server.asgi:create",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        # Access lines would carry query strings: GraphiQL links hold a token, GET variables clinical text.
        access_log=False,
        timeout_graceful_shutdown=10,
        # Subscription messages are small JSON: per-message deflate saved little and cost CPU on every
        # send plus a zlib context per connection that grew toward ~300 KB with use.
        ws_per_message_deflate=False,
        # a WebSocket message larger than this closes the connection (1009) before it is buffered whole
        ws_max_size=settings.max_ws_message_bytes,
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vetql", description="VetQL: GraphQL for veterinary clinics.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, then serve HTTP + WebSocket")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply migrations; a second run changes nothing").set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load demo data (Paraguayan clinics), with progress")
    demo.add_argument("--clinics", type=int, default=3)
    demo.add_argument("--pets", type=int, default=60, help="pets per clinic")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if the demo clinic exists")
    demo.set_defaults(func=cmd_demo)

    token = sub.add_parser("token", help="print a signed JWT for development")
    token.add_argument("--sub", type=uuid.UUID, required=True, help="profile UUID")
    token.add_argument("--tenant", default=None, help="clinic id (not for --role platform)")
    token.add_argument("--role", required=True, choices=["owner", "vet", "admin", "platform"])
    token.add_argument("--ttl", default="8h", help="lifetime, e.g. 30m, 8h, 2d")
    token.set_defaults(func=cmd_token)

    sub.add_parser("schema", help="print the SDL").set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.func(Settings(), args))


if __name__ == "__main__":
    sys.exit(main())
