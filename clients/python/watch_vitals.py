"""Live vitals of one anesthesia log with gql over graphql-transport-ws.

    VETQL_TOKEN=... python clients/python/watch_vitals.py <anesthesia log id> [--since ISO] [--count N]

Needs `pip install "gql[websockets]"`. After a dropped connection it subscribes again with `since` a little
before the newest reading it has seen and drops readings it already printed (same id): none missed or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gql import Client, gql
from gql.transport.exceptions import TransportError
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

OPERATIONS = Path(__file__).resolve().parent.parent / "operations"
URL = os.environ.get("VETQL_URL", "http://127.0.0.1:8000/graphql").replace("http", "ws", 1)
# Readings may be taken slightly out of order: resume a little before the newest seen, drop repeats by id.
RESUME_MARGIN = timedelta(minutes=5)


async def watch(log: str, since: str | None, count: int | None) -> None:
    token = os.environ["VETQL_TOKEN"]
    document = gql((OPERATIONS / "watch_vitals.graphql").read_text())
    seen: set[str] = set()
    while True:
        transport = WebsocketsTransport(
            url=URL, init_payload={"authorization": f"Bearer {token}"}, subprotocols=["graphql-transport-ws"]
        )
        try:
            async with Client(transport=transport) as session:
                variables: dict[str, Any] = {"log": log, "since": since}
                async for data in session.subscribe(document, variable_values=variables):
                    reading = data["vitalsRecorded"]
                    newest = datetime.fromisoformat(reading["recordedAt"])
                    since = (newest - RESUME_MARGIN).isoformat()
                    if reading["id"] in seen:
                        continue
                    seen.add(reading["id"])
                    print(reading["recordedAt"], "HR", reading["heartRate"], "SpO2", reading["spo2"], flush=True)
                    if count is not None and len(seen) >= count:
                        return
        except (TransportError, ConnectionClosed, OSError) as exc:
            print(f"connection lost ({exc.__class__.__name__}); resuming since {since}", flush=True)
            await asyncio.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", help="global ID of the AnesthesiaLog")
    parser.add_argument("--since", default=None, help="first replay readings taken after this instant")
    parser.add_argument("--count", type=int, default=None, help="stop after this many readings")
    args = parser.parse_args()
    asyncio.run(watch(args.log, args.since, args.count))


if __name__ == "__main__":
    main()
