"""PostGraphile v5 as a benchmark target: installed from npm by the bench, never a dependency of VetQL.

`install()` puts two small npm projects under bench/.work/ (git-ignored):

- bench/.work/node22/: the Node.js 22 binary from the npm registry. The `node@22`
  package only fetches it in a preinstall script (which npm 11 no longer runs
  for dependencies unless approved), by installing `node-<platform>-<arch>@22`;
  that package ships the binary itself, so it is installed directly.
- bench/.work/postgraphile/: `postgraphile@^5` (with its grafserv, @dataplan/pg and
  the `pg` adaptor) and `jsonwebtoken`, plus a copy of bench/postgraphile/server.mjs.

Both run `npm install --no-audit --no-fund` once: a stamp of the package.json they
were installed from makes a second run skip them. If Node 22 cannot be installed or
does not start, PostGraphile runs on the machine's `node`, and `Runtime.node_note`
says so; if PostGraphile itself cannot be installed, `Unavailable` says what failed.

Also here: the overview query in PostGraphile's schema, and the comparison of its
answer with VetQL's (same pets, owners, problems, logs and vitals; alerts may
differ because PostGraphile has no "not expired" filter: see `OVERVIEW`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.query import PAGE, pets_in
from bench.server import REPO, WORK

SOURCE = Path(__file__).resolve().parent / "postgraphile" / "server.mjs"
PGL_DIR = WORK / "postgraphile"
NODE_DIR = WORK / "node22"
NODE_MAJOR = 22
PGL_PACKAGES = {"postgraphile": "^5", "jsonwebtoken": "^9"}
NPM_INSTALL = ("npm", "install", "--no-audit", "--no-fund")
PORT = 8767

# The patient overview in PostGraphile's (Amber preset) schema. Aliases give the
# response VetQL's field names, so the pet list sits at the same path and the JSON
# sizes compare. Differences that PostGraphile's generated schema imposes:
# - alerts: `condition: {isActive: true}` only. VetQL's activeOnly also drops alerts
#   whose expires_at has passed; PostGraphile's conditions are equality only, and
#   that would need a computed column or a plugin in the database. Nothing was
#   added to the database, so PostGraphile may return more alerts (counted below).
# - alerts and problems are connections ({nodes: [...]}) rather than lists, in
#   PostGraphile's default order (primary key) rather than by severity / onset.
# - the last 10 vitals come newest first (orderBy RECORDED_AT_DESC, first: 10);
#   VetQL's vitals(last: 10) are the same 10, oldest first.
# - ids are PostGraphile's node ids (base64 of ["Type", tenant, uuid]), enums are
#   plain text (species "dog", not "DOG"), numerics are strings (BigFloat).
OVERVIEW = """\
query Overview($first: Int!) {
  pets: allPets(first: $first, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) {
    edges {
      node {
        id
        name
        species
        owner: profileByTenantIdAndOwnerId { id fullName }
        alerts: patientAlertsByTenantIdAndPetId(condition: {isActive: true}) {
          nodes { id alertType severity title }
        }
        problems: patientProblemsByTenantIdAndPetId(condition: {isActive: true}) {
          nodes { id problemName diagnosisCode: diagnosisCodeByDiagnosisCodeId { id code } }
        }
        anesthesiaLogs: anesthesiaLogsByTenantIdAndPetId(first: 5, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) {
          edges {
            node {
              id
              procedureName
              vitals: anesthesiaVitalsByTenantIdAndAnesthesiaLogId(
                first: 10, orderBy: [RECORDED_AT_DESC, PRIMARY_KEY_DESC]
              ) {
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

PETS_PATH: tuple[str, ...] = ("data", "pets", "edges")


def overview_body(first: int = PAGE) -> bytes:
    return orjson.dumps({"query": OVERVIEW, "variables": {"first": first}, "operationName": "Overview"})


class Unavailable(Exception):
    """PostGraphile cannot be installed or started here; the message says what failed."""


@dataclass(frozen=True)
class Runtime:
    node: str  # the node binary that runs PostGraphile
    node_version: str
    node_note: str  # where that node came from; says FALLBACK when it is not the Node 22 from npm
    postgraphile_version: str
    server_script: Path

    def describe(self) -> str:
        return f"PostGraphile {self.postgraphile_version} on Node {self.node_version} ({self.node_note})"


def _node_package() -> str:
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower())
    return f"node-{sys.platform}-{arch}"


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _npm_install(directory: Path, dependencies: dict[str, str], description: str) -> bool:
    """`npm install` the dependencies into `directory` unless the same set is installed; True if it ran."""
    manifest = orjson.dumps({
        "name": f"vetql-bench-{directory.name}",
        "private": True,
        "description": description,
        "type": "module",
        "dependencies": dependencies,
    }, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    stamp = directory / ".installed"
    digest = hashlib.sha256(manifest).hexdigest()
    if (directory / "node_modules").is_dir() and stamp.exists() and stamp.read_text().strip() == digest:
        return False
    npm = shutil.which("npm")
    command = " ".join(NPM_INSTALL)
    if npm is None:
        raise Unavailable(f"`{command}` in {_relative(directory)}: npm is not on PATH")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "package.json").write_bytes(manifest + b"\n")
    stamp.unlink(missing_ok=True)
    log = directory / "npm-install.log"
    print(f"==> {command} in {_relative(directory)}: {', '.join(f'{k}@{v}' for k, v in dependencies.items())}"
          f" (log: {_relative(log)})", flush=True)
    try:
        done = subprocess.run([npm, *NPM_INSTALL[1:]], cwd=directory, capture_output=True, timeout=900,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise Unavailable(f"`{command}` in {_relative(directory)} did not finish in 900 s") from exc
    log.write_bytes(done.stdout + b"\n--- stderr ---\n" + done.stderr)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.decode(errors="replace").strip().splitlines()[-15:])
        raise Unavailable(f"`{command}` in {_relative(directory)} exited with {done.returncode}:\n{tail}")
    stamp.write_text(digest + "\n")
    return True


def _version(node: str) -> str | None:
    try:
        done = subprocess.run([node, "--version"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.decode(errors="replace").strip()
    return text if done.returncode == 0 and text.startswith("v") else None


def _node22() -> tuple[str, str, str]:
    """The Node 22 from npm, else the machine's node: (binary, version, note)."""
    package = _node_package()
    problem: str
    try:
        _npm_install(NODE_DIR, {package: f"^{NODE_MAJOR}"}, f"Node.js {NODE_MAJOR} for PostGraphile (bench only)")
    except Unavailable as exc:
        problem = str(exc)
    else:
        binary = NODE_DIR / "node_modules" / package / "bin" / "node"
        version = _version(str(binary))
        if version is not None and version.startswith(f"v{NODE_MAJOR}."):
            return str(binary), version, f"{package} from npm"
        problem = f"{_relative(binary)} --version gave {version or 'nothing (it did not run)'}"
    machine = shutil.which("node")
    version = _version(machine) if machine else None
    if machine is None or version is None:
        raise Unavailable(f"no Node.js: Node {NODE_MAJOR} from npm failed ({problem}) and there is no `node` on PATH")
    return machine, version, f"FALLBACK to the machine's node: Node {NODE_MAJOR} from npm failed: {problem}"


def install() -> Runtime:
    """Install (once) and return how to run PostGraphile; raises Unavailable with what failed."""
    node, node_version, note = _node22()
    _npm_install(PGL_DIR, dict(PGL_PACKAGES), "PostGraphile v5 as a benchmark peer of VetQL (bench only)")
    try:
        meta = orjson.loads((PGL_DIR / "node_modules" / "postgraphile" / "package.json").read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise Unavailable(f"postgraphile is not in {_relative(PGL_DIR)}/node_modules after npm install: {exc}") from exc
    script = PGL_DIR / "server.mjs"  # next to node_modules, so its imports resolve there
    source = SOURCE.read_bytes()
    if not script.exists() or script.read_bytes() != source:
        script.write_bytes(source)
    return Runtime(node, node_version, note, str(meta.get("version", "?")), script)


def command(runtime: Runtime, port: int = PORT) -> list[str]:
    return [runtime.node, str(runtime.server_script), "--port", str(port)]


def server_env(base: dict[str, str], database_url: str) -> dict[str, str]:
    """The bench's server environment, plus what PostGraphile needs: a libpq URL and production mode."""
    from db import urls

    return {**base, "DATABASE_URL": urls.plain(database_url), "NODE_ENV": "production"}


# ---------------------------------------------------------------- the answer, against VetQL's


def fetch(url: str, body: bytes, token: str) -> bytes:
    """One overview request, as the load generator sends it."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Authorization": f"Bearer {token}"}
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        raise Unavailable(f"no answer from {url}: {exc}") from exc
    if response.status_code != 200:
        raise Unavailable(f"{url} answered HTTP {response.status_code}: {response.content[:500]!r}")
    return response.content


def _uuid(global_id: str) -> str:
    """The row's uuid in a VetQL ("Type:uuid") or PostGraphile (["Type", ..., uuid]) global id."""
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/")).decode()
    except (binascii.Error, UnicodeDecodeError):
        return global_id
    if raw.startswith("["):
        parts = json.loads(raw)
        return str(parts[-1])
    return raw.partition(":")[2] or raw


def _items(value: Any) -> list[Any]:
    """A list field, whether a plain list (VetQL) or a connection's nodes / edges (PostGraphile)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if "nodes" in value:
            return list(value["nodes"])
        if "edges" in value:
            return [edge["node"] for edge in value["edges"]]
    return []


@dataclass
class Comparison:
    pets: int
    response_bytes: int
    same_rows: bool  # pets, owners, problems (with codes), logs and their last 10 vitals
    difference: str | None
    alerts_vetql: int
    alerts_postgraphile: int
    alerts_only_postgraphile: int  # active but expired: VetQL leaves them out

    def describe(self, vetql_bytes: int) -> str:
        alerts = (f"active alerts: VetQL {self.alerts_vetql}, PostGraphile {self.alerts_postgraphile}"
                  + (f" ({self.alerts_only_postgraphile} expired ones, which PostGraphile's condition "
                     "cannot exclude)" if self.alerts_only_postgraphile else " (same)"))
        rows = "yes" if self.same_rows else f"NO: {self.difference}"
        return (f"PostGraphile returns {self.pets} pets, {self.response_bytes:,} bytes of JSON "
                f"(VetQL {vetql_bytes:,} bytes, {self.response_bytes / vetql_bytes:.2f}x); "
                f"same pets, owners, problems, logs and vitals as VetQL: {rows}; {alerts}")


def compare(vetql_body: bytes, pgl_body: bytes) -> Comparison:
    """PostGraphile's overview against VetQL's, row by row (by uuid), field values where both have them."""
    mine = pets_in(orjson.loads(vetql_body))
    document = orjson.loads(pgl_body)
    if isinstance(document, dict) and document.get("errors"):
        raise Unavailable(f"PostGraphile answered with errors: {orjson.dumps(document['errors'])[:500]!r}")
    theirs = pets_in(document, PETS_PATH)
    difference: str | None = None
    alerts_v = alerts_p = alerts_extra = 0

    def differ(where: str, a: object, b: object) -> None:
        nonlocal difference
        if difference is None and a != b:
            difference = f"{where}: VetQL {a!r}, PostGraphile {b!r}"

    differ("pets", len(mine), len(theirs))
    for i, (p, q) in enumerate(zip(mine, theirs, strict=False)):
        a, b = p["node"], q["node"]
        differ(f"pet {i}", (_uuid(a["id"]), a["name"]), (_uuid(b["id"]), b["name"]))
        differ(f"pet {i} owner", (_uuid(a["owner"]["id"]), a["owner"]["fullName"]),
               (_uuid(b["owner"]["id"]), b["owner"]["fullName"]))
        va = {_uuid(x["id"]) for x in _items(a["alerts"])}
        vb = {_uuid(x["id"]) for x in _items(b["alerts"])}
        alerts_v += len(va)
        alerts_p += len(vb)
        alerts_extra += len(vb - va)
        differ(f"pet {i} alerts VetQL has that PostGraphile lacks", set(), va - vb)
        differ(f"pet {i} problems",
               sorted((_uuid(x["id"]), x["problemName"], (x["diagnosisCode"] or {}).get("code"))
                      for x in _items(a["problems"])),
               sorted((_uuid(x["id"]), x["problemName"], (x["diagnosisCode"] or {}).get("code"))
                      for x in _items(b["problems"])))
        logs_a, logs_b = _items(a["anesthesiaLogs"]), _items(b["anesthesiaLogs"])
        differ(f"pet {i} anesthesia logs", [_uuid(x["id"]) for x in logs_a], [_uuid(x["id"]) for x in logs_b])
        for j, (la, lb) in enumerate(zip(logs_a, logs_b, strict=False)):
            differ(f"pet {i} log {j} vitals",
                   sorted((_uuid(v["id"]), v["heartRate"]) for v in _items(la["vitals"])),
                   sorted((_uuid(v["id"]), v["heartRate"]) for v in _items(lb["vitals"])))
    return Comparison(len(theirs), len(pgl_body), difference is None, difference, alerts_v, alerts_p, alerts_extra)
