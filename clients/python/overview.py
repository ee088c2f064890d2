"""The patient overview with gql over HTTP: `VETQL_TOKEN=... python clients/python/overview.py`.

Needs `pip install "gql[httpx]"`. VETQL_URL defaults to http://127.0.0.1:8000/graphql (make run).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport

OPERATIONS = Path(__file__).resolve().parent.parent / "operations"
URL = os.environ.get("VETQL_URL", "http://127.0.0.1:8000/graphql")


async def main() -> None:
    token = os.environ["VETQL_TOKEN"]
    transport = HTTPXAsyncTransport(url=URL, headers={"Authorization": f"Bearer {token}"})
    async with Client(transport=transport) as session:
        data = await session.execute(gql((OPERATIONS / "overview.graphql").read_text()))
    print(json.dumps(data, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
