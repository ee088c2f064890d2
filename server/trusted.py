"""Trusted documents: operations known in advance, sent by their hash instead of their text.

The manifest is loaded once at start (VETQL_TRUSTED_DOCUMENTS), in either format the usual tools
write:

- Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`):
  `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", ...}]}`
- GraphQL Code Generator's client preset `persisted-documents.json` (and Relay's): `{"<hash>": "<document>"}`

A client sends `documentId` (GraphQL over HTTP's trusted documents; `sha256:<hash>` or the bare
hash) or Apollo's `extensions.persistedQuery.sha256Hash`, in a POST body or GET parameters. With
VETQL_TRUSTED_DOCUMENTS_ONLY, a document sent as text runs only if it is in the manifest.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter
from strawberry.http import GraphQLRequestData


class Refused(Exception):
    """A request the trusted-document rules refuse: HTTP `status`, GraphQL `code`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        super().__init__(message)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TrustedDocuments:
    def __init__(self, documents: dict[str, str], only: bool) -> None:
        self.documents = documents  # id -> document text
        self.only = only
        self._known_texts = {_sha256(text) for text in documents.values()}

    @classmethod
    def load(cls, path: Path, only: bool) -> TrustedDocuments:
        manifest = orjson.loads(path.read_bytes())
        if isinstance(manifest, dict) and manifest.get("format") == "apollo-persisted-query-manifest":
            documents = {str(op["id"]): str(op["body"]) for op in manifest.get("operations", [])}
        elif isinstance(manifest, dict) and all(isinstance(v, str) for v in manifest.values()):
            documents = {str(k): v for k, v in manifest.items()}
        else:
            raise ValueError(f"{path}: neither an Apollo persisted query manifest nor a {{hash: document}} map")
        return cls(documents, only)

    def allows_text(self, query: str) -> bool:
        return not self.only or _sha256(query) in self._known_texts

    async def apply(self, request: AsyncHTTPRequestAdapter, data: GraphQLRequestData) -> GraphQLRequestData:
        """The request with its document looked up; raises Refused for an unknown id or untrusted text."""
        wanted = await _document_id(request, data)
        if wanted is not None:
            document = self.documents.get(wanted.removeprefix("sha256:"))
            if document is None:
                raise Refused(400, "PERSISTED_QUERY_NOT_FOUND", "No trusted document has this id.")
            if data.query is not None and data.query != document:
                raise Refused(400, "BAD_REQUEST", "The document sent is not the one with this id.")
            return dataclasses.replace(data, query=document)
        if data.query is not None and not self.allows_text(data.query):
            raise Refused(
                400, "PERSISTED_QUERY_REQUIRED", "This server runs trusted documents only: send a documentId."
            )
        return data


async def _document_id(request: AsyncHTTPRequestAdapter, data: GraphQLRequestData) -> str | None:
    persisted = (data.extensions or {}).get("persistedQuery")
    if isinstance(persisted, dict) and isinstance(persisted.get("sha256Hash"), str):
        return str(persisted["sha256Hash"])
    if request.method == "GET":
        value = request.query_params.get("documentId")
        return value if isinstance(value, str) else None
    if data.query is not None:
        return None
    body: Any = orjson.loads(await request.get_body())  # small: a request without a document
    value = body.get("documentId") if isinstance(body, dict) else None
    if value is not None and not isinstance(value, str):
        raise Refused(400, "BAD_REQUEST", "`documentId` must be a string.")
    return value
