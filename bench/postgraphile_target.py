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

Also here: the four queries in PostGraphile's schema (`DOCUMENTS`), and the
comparison of its answers with VetQL's (`compare`): every value VetQL returns,
matched row by row by uuid, after normalizing what the two schemas print
differently; alerts may differ because PostGraphile has no "not expired"
condition: see `OVERVIEW`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.query import OPERATIONS, PAGE, PATHS, Params, items_at
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

# A single pet with everything (bench/query.py PET): by (tenant, row id), as VetQL's
# pet(id) reads it. Problems: all (VetQL's activeOnly: false), in primary key order;
# vitals: the first 100, oldest first; appointments: the first 10 by start time.
PET = """\
query Pet($tenantId: String!, $rowId: UUID!) {
  pet: petByTenantIdAndRowId(tenantId: $tenantId, rowId: $rowId) {
    id name species breed sex isNeutered dateOfBirth weightKg color microchipId isDeceased
    behavioralNotes preferredAppointmentTime lastVisitDate nextVisitDue createdAt
    owner: profileByTenantIdAndOwnerId { id fullName email phone city }
    primaryVet: profileByTenantIdAndPrimaryVetId { id fullName email }
    alerts: patientAlertsByTenantIdAndPetId(condition: {isActive: true}) {
      nodes { id alertType severity title message expiresAt createdAt }
    }
    problems: patientProblemsByTenantIdAndPetId {
      nodes {
        id problemName icdCode onsetDate resolvedDate isChronic isActive severity notes
        diagnosisCode: diagnosisCodeByDiagnosisCodeId { id code term }
      }
    }
    anesthesiaLogs: anesthesiaLogsByTenantIdAndPetId(first: 5, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) {
      edges {
        node {
          id procedureName anesthesiaProtocol inductionTime maintenanceStart recoveryStart extubationTime
          fullRecoveryTime complications outcome completedAt notes createdAt
          vitals: anesthesiaVitalsByTenantIdAndAnesthesiaLogId(first: 100, orderBy: [RECORDED_AT_ASC, SEQ_ASC]) {
            edges {
              node {
                id recordedAt heartRate respiratoryRate spo2 etco2 bloodPressureSystolic
                bloodPressureDiastolic bloodPressureMean temperature anesthesiaDepth ivFluidsRate
              }
            }
          }
        }
      }
    }
    appointments: appointmentsByTenantIdAndPetId(first: 10, orderBy: [START_TIME_ASC, PRIMARY_KEY_ASC]) {
      edges { node { id startTime endTime status reason } }
    }
  }
}
"""

# Today's appointments (bench/query.py TODAY): startsFrom / startsBefore are the range
# condition bench/postgraphile/server.mjs adds to AppointmentCondition (the Amber preset's
# conditions are equality only). RLS keeps the list to the caller's clinic, as for allPets.
TODAY = """\
query Today($first: Int!, $from: Datetime!, $before: Datetime!) {
  appointments: allAppointments(
    first: $first, orderBy: [START_TIME_ASC, PRIMARY_KEY_ASC], condition: {startsFrom: $from, startsBefore: $before}
  ) {
    edges {
      node {
        id
        startTime
        endTime
        status
        pet: petByTenantIdAndPetId {
          id name species
          alerts: patientAlertsByTenantIdAndPetId(condition: {isActive: true}) {
            nodes { id alertType severity title }
          }
        }
        room: examRoomByTenantIdAndRoomId { id name }
      }
    }
  }
}
"""

# The wide overview (bench/query.py WIDE): the overview's rows with every field, mapped as
# OVERVIEW is (alerts' expiry, connections, orders, ids, enums, numerics). Besides:
# - communicationPreferences is the jsonb column itself ({"marketing": ..., "reminders": ...});
#   VetQL's object defaults an absent key to true, so `compare` reads it that way (_WIDE_DEFAULTS).
# - alarms in the order raised (RAISED_AT_ASC, PRIMARY_KEY_ASC), as VetQL's; their isActive
#   is the field bench/postgraphile/server.mjs adds (cleared_at IS NULL).
WIDE = """\
query WideOverview($first: Int!) {
  pets: allPets(first: $first, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) {
    edges {
      node {
        id name species breed sex isNeutered dateOfBirth weightKg color microchipId isDeceased
        behavioralNotes preferredAppointmentTime lastVisitDate nextVisitDue createdAt
        owner: profileByTenantIdAndOwnerId { ...Person }
        primaryVet: profileByTenantIdAndPrimaryVetId { ...Person }
        alerts: patientAlertsByTenantIdAndPetId(condition: {isActive: true}) {
          nodes {
            id alertType severity title message isActive expiresAt createdAt
            createdBy: profileByTenantIdAndCreatedBy { id fullName }
          }
        }
        problems: patientProblemsByTenantIdAndPetId(condition: {isActive: true}) {
          nodes {
            id problemName icdCode onsetDate resolvedDate isChronic isActive severity notes
            diagnosisCode: diagnosisCodeByDiagnosisCodeId { id code term standard }
          }
        }
        anesthesiaLogs: anesthesiaLogsByTenantIdAndPetId(first: 5, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) {
          edges {
            node {
              id procedureName anesthesiaProtocol preAnesthesiaAssessment inductionTime maintenanceStart
              recoveryStart extubationTime fullRecoveryTime complications outcome completedAt notes createdAt
              alarms: anesthesiaAlarmsByTenantIdAndAnesthesiaLogId(orderBy: [RAISED_AT_ASC, PRIMARY_KEY_ASC]) {
                nodes { id kind severity message value threshold raisedAt clearedAt isActive }
              }
              vitals: anesthesiaVitalsByTenantIdAndAnesthesiaLogId(
                first: 10, orderBy: [RECORDED_AT_DESC, SEQ_DESC]
              ) {
                edges {
                  node {
                    id recordedAt heartRate respiratoryRate spo2 etco2 bloodPressureSystolic
                    bloodPressureDiastolic bloodPressureMean temperature anesthesiaDepth ivFluidsRate notes
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

fragment Person on Profile {
  id fullName role email phone city preferredContactMethod timezone locale secondaryPhone
  addressLine1 addressLine2 state postalCode country emergencyContactName emergencyContactPhone
  communicationPreferences
}
"""

DOCUMENTS: dict[str, str] = {"overview": OVERVIEW, "pet": PET, "today": TODAY, "wide": WIDE}
# List fields PostGraphile returns in the reverse of VetQL's order by design (see OVERVIEW: the last
# 10 vitals, newest first); `compare` checks that the order is exactly reversed.
REVERSED: dict[str, frozenset[str]] = {"overview": frozenset({"vitals"}), "wide": frozenset({"vitals"})}
# Object fields whose keys PostGraphile may leave out (a jsonb column) and the value VetQL gives them then.
_WIDE_DEFAULTS: dict[str, dict[str, Any]] = {"communicationPreferences": {"marketing": True, "reminders": True}}
PETS_PATH: tuple[str, ...] = PATHS["overview"]


def body(name: str, params: Params, first: int = PAGE) -> bytes:
    """PostGraphile's POST body for one of the bench's queries."""
    values: dict[str, object]
    if name in ("overview", "wide"):
        values = {"first": first}
    elif name == "pet":
        values = {"tenantId": params.tenant_id, "rowId": params.pet_id}
    elif name == "today":
        values = {"first": first, "from": params.day_from.isoformat(), "before": params.day_before.isoformat()}
    else:
        raise ValueError(f"unknown query {name!r}")
    return orjson.dumps({"query": DOCUMENTS[name], "variables": values, "operationName": OPERATIONS[name]})


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


def _items(value: Any) -> list[Any] | None:
    """A list field's items, whether a plain list (VetQL) or a connection's nodes / edges; None if not a list."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if "nodes" in value and isinstance(value["nodes"], list):
            return list(value["nodes"])
        if "edges" in value and isinstance(value["edges"], list):
            return [edge["node"] for edge in value["edges"]]
    return None


_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _same_scalar(key: str, a: Any, b: Any) -> bool:
    """Equal once what the two schemas print differently is set aside: global ids (compared by uuid),
    enum case ("DOG" / "dog"), numerics (VetQL floats, PostGraphile BigFloat strings) and
    timestamps (the same instant in any offset)."""
    if a is None or b is None:
        return a is None and b is None
    if key == "id" and isinstance(a, str) and isinstance(b, str):
        return _uuid(a) == _uuid(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) or isinstance(b, int | float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    if isinstance(a, str) and isinstance(b, str):
        if _ISO_INSTANT.match(a) and _ISO_INSTANT.match(b):
            try:
                return datetime.fromisoformat(a) == datetime.fromisoformat(b)
            except ValueError:
                return a == b
        return a == b or a.casefold() == b.casefold()
    return bool(a == b)


@dataclass
class Comparison:
    query: str
    items: int  # at the query's path
    response_bytes: int
    values: int = 0  # scalar values compared
    differences: list[str] = field(default_factory=list)  # all but the first few are counted only
    difference_count: int = 0
    # list fields (by name) -> uuids PostGraphile returns that VetQL does not
    extras: dict[str, list[str]] = field(default_factory=dict)
    explained: dict[str, str] = field(default_factory=dict)  # list field -> why those extras are there
    unordered: set[str] = field(default_factory=set)  # list fields compared as sets (orders differ by design)
    reversed_ok: frozenset[str] = frozenset()  # list fields expected in reverse order (REVERSED)
    reversed_seen: set[str] = field(default_factory=set)
    # object fields (by name) -> the values VetQL gives keys PostGraphile's jsonb leaves out (_WIDE_DEFAULTS)
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def same_rows(self) -> bool:
        return self.difference_count == 0

    def describe(self, vetql_bytes: int) -> str:
        lines = [f"PostGraphile, {self.query}: {self.items} item(s), {self.response_bytes:,} bytes of JSON "
                 f"(VetQL {vetql_bytes:,} bytes, {self.response_bytes / vetql_bytes:.2f}x); "
                 f"{self.values:,} values compared with VetQL's: "
                 + ("all equal" if self.same_rows else f"{self.difference_count} DIFFER")]
        lines += [f"  differs: {d}" for d in self.differences]
        for name, ids in sorted(self.extras.items()):
            why = self.explained.get(name, "not explained")
            distinct = len(set(ids))
            times = f"{len(ids)}" + (f" ({distinct} distinct: a pet can appear twice)" if distinct != len(ids) else "")
            lines.append(f"  PostGraphile returns {times} {name} VetQL leaves out: {why}")
        if self.reversed_seen:
            names = ", ".join(sorted(self.reversed_seen))
            lines.append(f"  in reverse order by design (newest first, the same rows): {names}")
        if self.unordered:
            names = ", ".join(sorted(self.unordered))
            lines.append(f"  compared as sets (PostGraphile orders them by primary key): {names}")
        return "\n".join(lines)


class _Differ:
    def __init__(self, comparison: Comparison) -> None:
        self.c = comparison

    def differ(self, where: str, what: str) -> None:
        self.c.difference_count += 1
        if len(self.c.differences) < 5:
            self.c.differences.append(f"{where}: {what}")

    def walk(self, where: str, key: str, a: Any, b: Any) -> None:
        items_a = _items(a) if isinstance(a, list | dict) else None
        if items_a is not None and (isinstance(a, list) or "edges" in a or "nodes" in a):
            items_b = _items(b)
            if items_b is None:
                self.differ(where, f"VetQL has a list, PostGraphile {b!r:.80}")
                return
            self.rows(where, key, items_a, items_b, ordered=not isinstance(a, list))
        elif isinstance(a, dict):
            if not isinstance(b, dict):
                self.differ(where, f"VetQL has an object, PostGraphile {b!r:.80}")
                return
            b = {**self.c.defaults.get(key, {}), **b}
            for k, v in a.items():
                if k not in b:
                    self.differ(f"{where}.{k}", "PostGraphile has no such field")
                else:
                    self.walk(f"{where}.{k}", k, v, b[k])
        else:
            self.c.values += 1
            if not _same_scalar(key, a, b):
                self.differ(where, f"VetQL {a!r}, PostGraphile {b!r}")

    def rows(self, where: str, key: str, a: list[Any], b: list[Any], *, ordered: bool) -> None:
        keyed = all(isinstance(x, dict) and "id" in x for x in [*a, *b])
        if not keyed:
            if len(a) != len(b):
                self.differ(where, f"{len(a)} items in VetQL's, {len(b)} in PostGraphile's")
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                self.walk(f"{where}[{i}]", key, x, y)
            return
        mine = {_uuid(x["id"]): x for x in a}
        theirs = {_uuid(y["id"]): y for y in b}
        missing = [u for u in mine if u not in theirs]
        if missing:
            self.differ(where, f"{len(missing)} rows VetQL has that PostGraphile lacks, e.g. {missing[0]}")
        extra = [u for u in theirs if u not in mine]
        if extra:
            self.c.extras.setdefault(key, []).extend(extra)
        if ordered:
            common = [u for u in mine if u in theirs]
            other = [u for u in theirs if u in mine]
            if common != other:
                if key in self.c.reversed_ok and common == other[::-1]:
                    self.c.reversed_seen.add(key)
                else:
                    self.differ(where, "the same rows in a different order")
        elif len(a) > 1:
            self.c.unordered.add(key)
        for i, (u, x) in enumerate(mine.items()):
            if u in theirs:
                self.walk(f"{where}[{i}]", key, x, theirs[u])


def compare(query: str, vetql_body: bytes, pgl_body: bytes,
            explain: Callable[[str, list[str]], str] | None = None) -> Comparison:
    """PostGraphile's answer against VetQL's: every value VetQL returns, rows matched by uuid.

    `explain(field, uuids)` says why PostGraphile returns rows of a list field that VetQL leaves out
    (e.g. alerts that are active but expired)."""
    document = orjson.loads(pgl_body)
    if not isinstance(document, dict):
        raise Unavailable(f"PostGraphile answered {pgl_body[:300]!r}")
    if document.get("errors"):
        raise Unavailable(f"PostGraphile answered with errors: {orjson.dumps(document['errors'])[:500]!r}")
    path = PATHS[query]
    mine, theirs = items_at(orjson.loads(vetql_body), path), items_at(document, path)
    count = len(theirs) if isinstance(theirs, list) else int(theirs is not None)
    comparison = Comparison(query, count, len(pgl_body), reversed_ok=REVERSED.get(query, frozenset()),
                            defaults=_WIDE_DEFAULTS if query == "wide" else {})
    _Differ(comparison).walk(".".join(path), path[-1], mine, theirs)
    if explain is not None:
        for name, ids in comparison.extras.items():
            comparison.explained[name] = explain(name, sorted(set(ids)))
    return comparison
