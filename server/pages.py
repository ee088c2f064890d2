"""The browser pages VetQL serves itself, GraphiQL and the anesthesia monitor, with every asset they load."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from db.demo_users import demo_users_in
from server.graphiql_examples import examples
from server.settings import Settings

STATIC = Path(__file__).with_name("static")
DEMO_CLINIC = "clinica-san-roque"
# Nothing from outside: scripts, styles, fonts (GraphiQL's are data: URIs in its CSS) and connections
# (HTTP and the same-origin WebSocket) all come from this server. Styles allow inline attributes, which
# React and CodeMirror set; no inline script runs (the pages' configuration is a JSON data block).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_IMMUTABLE = "public, max-age=31536000, immutable"
_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json"}
_DEMO_TOKEN_TTL = timedelta(hours=8)


def _security_headers(cache: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


@lru_cache(maxsize=256)
def _digest(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:16]


def asset_url(relative: str) -> str:
    """`/static/<relative>?v=<digest>`: the digest changes with the file, so the URL may be cached for a year."""
    return f"/static/{relative}?v={_digest(relative)}"


def _static_file(relative: str) -> Path | None:
    path = (STATIC / relative).resolve()
    if not path.is_relative_to(STATIC.resolve()) or not path.is_file() or path.suffix not in _MEDIA:
        return None
    return path


async def _static(request: Request) -> Response:
    relative = request.path_params["path"]
    path = _static_file(relative)
    if path is None:
        return Response("Not found", 404, media_type="text/plain")
    versioned = request.query_params.get("v") == _digest(relative)
    return Response(
        path.read_bytes(), media_type=_MEDIA[path.suffix],
        headers=_security_headers(_IMMUTABLE if versioned else "no-cache"),
    )


def _render(template: str, config: Mapping[str, object]) -> str:
    html = (STATIC / template).read_text(encoding="utf-8")
    for name in _asset_names(html):
        html = html.replace("{{asset:" + name + "}}", asset_url(name))
    # JSON inside <script type="application/json">: `<` escaped so no text can close the element.
    return html.replace("{{config}}", json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"))


def _asset_names(html: str) -> list[str]:
    names, start = [], 0
    while (i := html.find("{{asset:", start)) >= 0:
        end = html.index("}}", i)
        names.append(html[i + 8 : end])
        start = end
    return names


def _html(body: str) -> HTMLResponse:
    return HTMLResponse(body, headers=_security_headers("no-store"))


def is_production(settings: Settings) -> bool:
    """Production mode (server/settings.py): no demo token, no development help."""
    return settings.production


class Pages:
    """What the pages need from the server: settings (development or not) and the engine (demo users)."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.engine = engine
        self._demo: tuple[float, str] | None = None

    async def demo_token(self) -> str | None:
        """An admin token of the demo clinic, in development with a local signing key; else None."""
        s = self.settings
        if is_production(s) or s.jwks_url or s.jwt_public_key:
            return None
        if self._demo is not None and self._demo[0] > time.monotonic():
            return self._demo[1]
        from server.auth import sign

        try:
            users = await demo_users_in(self.engine, DEMO_CLINIC)
        except Exception:  # no demo data, or a login that may not read it: the page simply has no token
            return None
        admin: uuid.UUID | None = users.get("admin")
        if admin is None:
            return None
        token = sign(s, sub=admin, tenant_id=DEMO_CLINIC, role="admin", ttl=_DEMO_TOKEN_TTL)
        self._demo = (time.monotonic() + _DEMO_TOKEN_TTL.total_seconds() - 3600, token)
        return token

    async def graphiql(self, request: Request) -> Response:
        token = await self.demo_token()
        headers = json.dumps({"Authorization": f"Bearer {token}"}) if token else ""
        config = {"examples": examples(), "headers": headers}
        return _html(_render("graphiql/index.html", config))

    async def monitor(self, request: Request) -> Response:
        return _html(_render("monitor/index.html", {"graphql": "/graphql"}))


class OwnGraphiQL:
    """Mixin for the GraphQL view: GraphiQL from VetQL's own assets instead of Strawberry's unpkg page."""

    async def render_graphql_ide(self, request: Request) -> Response:
        pages: Pages = request.app.state.pages
        return await pages.graphiql(request)


def mount(app: Starlette, settings: Settings, engine: AsyncEngine, *, monitor: bool = True) -> None:
    """Add /static/* (the pages' assets) and /monitor; GraphiQL itself is the view's (see OwnGraphiQL)."""
    pages = app.state.pages = Pages(settings, engine)
    app.router.routes.append(Route("/static/{path:path}", _static, methods=["GET", "HEAD"]))
    if monitor:
        app.router.routes.append(Route("/monitor", pages.monitor, methods=["GET", "HEAD"]))
