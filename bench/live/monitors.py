"""Load over HTTP: anesthesia monitors recording at 1 Hz per log, and the batch-ingest measure.

Both run in their own process (pinned to the load CPU) and send `recordVitals` mutations
as a monitor would. A monitor reading carries its counter and send time in `notes`
("SEQ SEND_TIME") and a clientReadingId "LOG-SEQ", so a retry after a timeout is not
stored twice.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from typing import Any

import httpx
import orjson
import uvloop

from bench.live.server import pin

RECORD = (
    "mutation Record($input: RecordVitalsInput!) {"
    " recordVitals(input: $input) { duplicates userErrors { field code message } } }"
)
RETRIES = 5
WARM_UP_RETRIES = 20
LATE_GRACE = 10.0  # seconds after the window during which late ticks are still sent


@dataclass(frozen=True)
class MonitorSpec:
    base_url: str
    token: str
    log_ids: list[str]
    start_at: float  # wall time of the first tick
    duration: float
    first_seq: int
    period: float
    cpus: frozenset[int] | None
    batch: int = 1  # readings per recordVitals call (a fast monitor uploads a few at a time)


@dataclass
class Reading:
    log: int
    seq: int
    sent: float  # wall time the successful attempt was sent
    responded: float  # wall time its response was read
    attempts: int
    ok: bool
    duplicates: int = 0
    error: str = ""


@dataclass
class MonitorResult:
    readings: list[Reading] = field(default_factory=list)
    late_ticks: int = 0  # ticks that started more than 100 ms after they were due
    skipped_ticks: int = 0  # ticks of the window not sent by LATE_GRACE after it ended


def client(base_url: str, token: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(10.0),
    )


async def post(http: httpx.AsyncClient, log_id: str, vitals: list[dict[str, Any]]) -> tuple[int, str]:
    """(duplicates, error) of one recordVitals call; error is empty on success."""
    body = orjson.dumps({"query": RECORD, "variables": {"input": {"anesthesiaLogId": log_id, "vitals": vitals}}})
    try:
        response = await http.post("/graphql", content=body)
    except httpx.HTTPError as exc:
        return 0, f"{type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return 0, f"HTTP {response.status_code}: {response.text[:200]}"
    data = orjson.loads(response.content)
    if data.get("errors"):
        return 0, f"errors: {data['errors']!r}"[:300]
    payload = data["data"]["recordVitals"]
    if payload["userErrors"]:
        return 0, f"userErrors: {payload['userErrors']!r}"[:300]
    return int(payload["duplicates"]), ""


def reading(log: int, seq: int, sent: float) -> dict[str, Any]:
    return {
        "heartRate": 80 + seq % 40,
        "spo2": 98.0,
        "temperature": 37.5,
        "notes": f"{seq} {sent:.6f}",
        "clientReadingId": f"{log}-{seq}",
    }


async def record_one(http: httpx.AsyncClient, log: int, log_id: str, seq: int, retries: int = RETRIES) -> Reading:
    """One reading, retried with the same clientReadingId until stored."""
    error = ""
    for attempt in range(1, retries + 1):
        sent = time.time()
        duplicates, error = await post(http, log_id, [reading(log, seq, sent)])
        responded = time.time()
        if not error:
            return Reading(log, seq, sent, responded, attempt, True, duplicates)
        await asyncio.sleep(0.1 * attempt)
    return Reading(log, seq, sent, time.time(), retries, False, error=error)


async def record_batch(http: httpx.AsyncClient, log: int, log_id: str, first: int, n: int) -> list[Reading]:
    """n readings in one call, retried with the same clientReadingIds until stored."""
    error = ""
    for attempt in range(1, RETRIES + 1):
        sent = time.time()
        duplicates, error = await post(http, log_id, [reading(log, first + i, sent) for i in range(n)])
        responded = time.time()
        if not error:
            return [Reading(log, first + i, sent, responded, attempt, True, duplicates) for i in range(n)]
        await asyncio.sleep(0.1 * attempt)
    return [Reading(log, first + i, sent, time.time(), RETRIES, False, error=error) for i in range(n)]


async def _monitors(spec: MonitorSpec) -> MonitorResult:
    result = MonitorResult()
    n = len(spec.log_ids)
    end = spec.start_at + spec.duration
    async with client(spec.base_url, spec.token, n + 4) as http:

        async def monitor(log: int) -> None:
            due = spec.start_at + log * spec.period / n  # spread the logs over the period
            seq = spec.first_seq
            while due < end:
                if time.time() > end + LATE_GRACE:  # too far behind a server that cannot keep up: stop
                    result.skipped_ticks += 1
                    due += spec.period
                    continue
                delay = due - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -0.1:
                    result.late_ticks += 1
                if spec.batch > 1:
                    result.readings.extend(await record_batch(http, log, spec.log_ids[log], seq, spec.batch))
                else:
                    result.readings.append(await record_one(http, log, spec.log_ids[log], seq))
                seq += spec.batch
                due += spec.period

        await asyncio.gather(*(monitor(i) for i in range(n)))
    return result


def run_monitors(spec: MonitorSpec, out: Queue[Any]) -> None:
    """Process entry point: record at 1 Hz per log until the duration is over, then report."""
    pin(spec.cpus)
    out.put(("monitors", uvloop.run(_monitors(spec))))


async def warm_up(base_url: str, token: str, log_ids: list[str]) -> list[Reading]:
    """Reading 0 of every log: once every subscriber has it, every subscription is live."""
    async with client(base_url, token, len(log_ids)) as http:
        # while 1,000 subscribes load the server, a warm-up reading may be refused as retryable for a while
        readings = (record_one(http, i, gid, 0, retries=WARM_UP_RETRIES) for i, gid in enumerate(log_ids))
        return list(await asyncio.gather(*readings))


# --- ingest ------------------------------------------------------------------


@dataclass(frozen=True)
class IngestSpec:
    base_url: str
    token: str
    log_ids: list[str]
    tasks: int
    batch: int
    duration: float
    start_at: float
    cpus: frozenset[int] | None
    # With subscribers watching: per log the next counter, so the readings carry "SEQ SEND_TIME" notes
    # like the monitors' and the subscribers' checks cover them too. None: no notes.
    next_seq: dict[int, int] | None = None


@dataclass
class IngestResult:
    batches: list[tuple[float, float, int, str]] = field(default_factory=list)  # sent, responded, stored, error
    readings: list[Reading] = field(default_factory=list)  # with next_seq: every reading sent


async def _ingest(spec: IngestSpec) -> IngestResult:
    result = IngestResult()
    end = spec.start_at + spec.duration
    async with client(spec.base_url, spec.token, spec.tasks) as http:

        async def task(j: int) -> None:
            logs = list(range(j, len(spec.log_ids), spec.tasks))  # each task has its own logs: no row-lock waits
            k = 0
            delay = spec.start_at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            while time.time() < end:
                log = logs[k % len(logs)]
                sent = time.time()
                if spec.next_seq is None:
                    vitals = [
                        {
                            "heartRate": 80 + r % 40,
                            "spo2": 98.0,
                            "temperature": 37.5,
                            "clientReadingId": f"ingest-{j}-{k}-{r}",
                        }
                        for r in range(spec.batch)
                    ]
                else:
                    first = spec.next_seq[log]
                    vitals = [reading(log, first + r, sent) for r in range(spec.batch)]
                _, error = await post(http, spec.log_ids[log], vitals)
                responded = time.time()
                result.batches.append((sent, responded, 0 if error else spec.batch, error))
                if spec.next_seq is not None:
                    first = spec.next_seq[log]
                    result.readings.extend(
                        Reading(log, first + r, sent, responded, 1, not error, error=error) for r in range(spec.batch)
                    )
                    spec.next_seq[log] = first + spec.batch
                k += 1

        await asyncio.gather(*(task(j) for j in range(spec.tasks)))
    return result


def run_ingest(spec: IngestSpec, out: Queue[Any]) -> None:
    """Process entry point: batches of `batch` readings from `tasks` concurrent clients."""
    pin(spec.cpus)
    out.put(("ingest", uvloop.run(_ingest(spec))))
