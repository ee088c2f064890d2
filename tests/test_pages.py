"""GraphiQL and the monitor page are served from VetQL's own assets: nothing from outside, cached for long."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

import httpx
from graphql import parse, validate

from graph.schema import schema
from server.graphiql_examples import examples
from server.pages import CSP, STATIC

HTML = {"accept": "text/html"}


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


async def test_graphiql_page_loads_only_its_own_assets_under_a_strict_csp(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    html = response.text
    assert response.headers["content-security-policy"] == CSP
    assert "default-src 'none'" in CSP and "https:" not in CSP and "*" not in CSP
    assert "unpkg" not in html and "https://" not in html and "http://" not in html
    assets = _assets(html)
    assert any("graphiql.min.js" in a for a in assets) and any("index.umd.js" in a for a in assets)
    for url in assets:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable", url
        assert asset.headers["x-content-type-options"] == "nosniff"


async def test_monitor_page_loads_only_its_own_assets(client: httpx.AsyncClient) -> None:
    response = await client.get("/monitor")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert "https://" not in response.text
    assets = _assets(response.text)
    assert any("uPlot.iife.min.js" in a for a in assets) and any("monitor.js" in a for a in assets)
    for url in assets:
        assert (await client.get(url)).status_code == 200, url


async def test_an_asset_without_its_digest_is_not_cached_for_long(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/graphiql/graphiql.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


async def test_static_route_serves_nothing_outside_its_folder(client: httpx.AsyncClient) -> None:
    for path in ("/static/../pages.py", "/static/%2e%2e/pages.py", "/static/vendor/react/LICENSE", "/static/nope.js"):
        assert (await client.get(path)).status_code == 404, path


def test_vendored_assets_match_their_manifest() -> None:
    vendor = STATIC / "vendor"
    manifest = json.loads((vendor / "manifest.json").read_text())
    listed = {a["file"] for a in manifest["assets"]}
    on_disk = {str(p.relative_to(vendor)) for p in vendor.rglob("*") if p.is_file() and p.suffix in (".js", ".css")}
    assert listed == on_disk
    for asset in manifest["assets"]:
        assert asset["version"] and asset["license"] and asset["package"], asset
        digest = hashlib.sha256((vendor / asset["file"]).read_bytes()).hexdigest()
        assert digest == asset["sha256"], f"{asset['file']} differs from its manifest: run scripts/refresh-assets.sh"


def test_graphiql_examples_are_valid_operations() -> None:
    graphql_schema = schema._schema
    for example in examples():
        errors = validate(graphql_schema, parse(example["query"]))
        assert errors == [], (example["query"][:40], errors)
        if example["variables"]:
            json.loads(example["variables"])


def test_the_package_ships_every_static_file() -> None:
    patterns = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["server"]
    shipped = {p for pattern in patterns for p in STATIC.parent.glob(pattern) if p.is_file()}
    assert shipped == {p for p in STATIC.rglob("*") if p.is_file()}
