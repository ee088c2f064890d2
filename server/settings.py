"""Configuration from the environment or a `.env` file (CONTRACT.md)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from strawberry.http.websocket_origin import normalize_allowed_origins


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path(".vetql"), validation_alias="VETQL_DATA_DIR")
    jwt_secret: str | None = Field(default=None, validation_alias="VETQL_JWT_SECRET")
    jwt_public_key: str | None = Field(default=None, validation_alias="VETQL_JWT_PUBLIC_KEY")
    jwks_url: str | None = Field(default=None, validation_alias="VETQL_JWKS_URL")
    jwt_audience: str | None = Field(default=None, validation_alias="VETQL_JWT_AUDIENCE")
    jwt_issuer: str | None = Field(default=None, validation_alias="VETQL_JWT_ISSUER")
    # The most connections a process holds, opened as needed and kept (db/engine.py says why not overflow).
    pool_size: int = Field(default=20, validation_alias=AliasChoices("VETQL_POOL_SIZE"))
    # Request transactions (seconds; 0: no limit). Defaults are migration 0013's values for vetql_app.
    statement_timeout: float = Field(default=10.0, validation_alias="VETQL_STATEMENT_TIMEOUT")
    lock_timeout: float = Field(default=2.0, validation_alias="VETQL_LOCK_TIMEOUT")
    idle_in_transaction_timeout: float = Field(default=15.0, validation_alias="VETQL_IDLE_IN_TRANSACTION_TIMEOUT")
    # How long a request waits for a free pooled connection, and for a new connection to open.
    pool_timeout: float = Field(default=0.5, validation_alias="VETQL_POOL_TIMEOUT")
    connect_timeout: float = Field(default=1.0, validation_alias="VETQL_CONNECT_TIMEOUT")
    # How long "this token's subject is an active member" is believed before it is asked again.
    membership_cache_seconds: float = Field(default=5.0, validation_alias="VETQL_MEMBERSHIP_CACHE_SECONDS")
    usage_rollup_seconds: float = Field(default=300.0, validation_alias="VETQL_USAGE_ROLLUP_SECONDS")
    # Reminders (server/reminders.py): how often a pass runs (0: never), and who sends.
    reminder_seconds: float = Field(default=300.0, validation_alias="VETQL_REMINDER_SECONDS")
    reminder_sender: Literal["log", "fcm"] = Field(default="log", validation_alias="VETQL_REMINDER_SENDER")
    fcm_credentials: str | None = Field(default=None, validation_alias="VETQL_FCM_CREDENTIALS")
    fcm_project_id: str | None = Field(default=None, validation_alias="VETQL_FCM_PROJECT_ID")
    fcm_endpoint: str | None = Field(default=None, validation_alias="VETQL_FCM_ENDPOINT")
    # unset: production when DATABASE_URL names a server on another machine, else development
    env: Literal["development", "production"] | None = Field(default=None, validation_alias="VETQL_ENV")
    # unset: on in development, off in production
    graphiql: bool | None = Field(default=None, validation_alias="VETQL_GRAPHIQL")

    # Limits. Rate and connection limits: unset means on in production (the values below), off in
    # development; "" or 0 turns one off in either.
    max_body_bytes: int = Field(default=1_048_576, validation_alias="VETQL_MAX_BODY_BYTES")
    max_ws_message_bytes: int = Field(default=262_144, validation_alias="VETQL_MAX_WS_MESSAGE_BYTES")
    max_connections_per_token: int | None = Field(default=None, validation_alias="VETQL_MAX_CONNECTIONS_PER_TOKEN")
    rate_limit_per_token: str | None = Field(default=None, validation_alias="VETQL_RATE_LIMIT_PER_TOKEN")
    rate_limit_per_address: str | None = Field(default=None, validation_alias="VETQL_RATE_LIMIT_PER_ADDRESS")
    rate_limit_storage: str = Field(default="async+memory://", validation_alias="VETQL_RATE_LIMIT_STORAGE")

    def _in_production(self, value: _T | None, production_default: _T, off: _T) -> _T:
        if value is not None:
            return value
        return production_default if self.production else off

    @property
    def connections_per_token(self) -> int:
        return self._in_production(self.max_connections_per_token, 50, 0)

    @property
    def token_rate(self) -> str:
        return self._in_production(self.rate_limit_per_token, "50/second", "")

    @property
    def address_rate(self) -> str:
        return self._in_production(self.rate_limit_per_address, "200/second", "")

    # a persisted-operation manifest (Apollo's, or a {hash: document} map); with _ONLY, nothing else runs
    trusted_documents: Path | None = Field(default=None, validation_alias="VETQL_TRUSTED_DOCUMENTS")
    trusted_documents_only: bool = Field(default=False, validation_alias="VETQL_TRUSTED_DOCUMENTS_ONLY")

    # browser origins allowed over HTTP (CORS) and WebSocket, comma-separated, exact matches only
    allowed_origins: str = Field(default="", validation_alias="VETQL_ALLOWED_ORIGINS")

    @property
    def origins(self) -> tuple[str, ...]:
        """VETQL_ALLOWED_ORIGINS, as browsers send them (lowercase, no default port); no wildcards."""
        listed = [o.strip() for o in self.allowed_origins.split(",") if o.strip()]
        if any("*" in o for o in listed):
            raise ValueError("VETQL_ALLOWED_ORIGINS takes exact origins such as https://app.example.com, no '*'")
        return tuple(sorted(normalize_allowed_origins(listed)))

    @property
    def production(self) -> bool:
        if self.env is not None:
            return self.env == "production"
        return self.database_url is not None and not _is_loopback(self.database_url)

    # A WebSocket that sends no connection_init within this is closed 4408.
    connection_init_wait_seconds: float = Field(default=5.0, validation_alias="VETQL_CONNECTION_INIT_WAIT_SECONDS")

    # A subscriber whose sends have been blocked this long (it stopped reading) is ended with SLOW_CONSUMER.
    live_send_timeout_seconds: float = Field(default=10.0, validation_alias="VETQL_LIVE_SEND_TIMEOUT_SECONDS")

    # Live events: "postgres" (LISTEN/NOTIFY on one direct connection per process) or NATS server URLs
    # (nats://host:port, comma-separated for a cluster). With NATS every watch is also rung this often, so a
    # doorbell lost between a commit and its publish delays that log's delivery by at most this much.
    broker: str = Field(default="postgres", validation_alias="VETQL_BROKER")
    live_catch_up_seconds: float = Field(default=3.0, validation_alias="VETQL_LIVE_CATCH_UP_SECONDS")
    # The LISTEN connection's own server when DATABASE_URL goes through PgBouncer in transaction mode,
    # where a session's LISTEN would not survive its transaction (default: DATABASE_URL).
    listen_url: str | None = Field(default=None, validation_alias="VETQL_LISTEN_URL")

    @field_validator("broker")
    @classmethod
    def _broker(cls, value: str) -> str:
        value = value.strip()
        if value in ("", "postgres", "postgresql"):
            return "postgres"
        urls = [u.strip() for u in value.split(",") if u.strip()]
        if not urls or not all(urlsplit(u).scheme in ("nats", "tls") and urlsplit(u).hostname for u in urls):
            raise ValueError("VETQL_BROKER is 'postgres' or NATS URLs such as nats://127.0.0.1:4222")
        return ",".join(urls)

    @property
    def nats_servers(self) -> str | None:
        """VETQL_BROKER's NATS URLs, or None for PostgreSQL LISTEN/NOTIFY."""
        return None if self.broker == "postgres" else self.broker

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.production


_T = TypeVar("_T")


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    # no host: a Unix socket (or libpq's default), on this machine
    return host in ("", "localhost", "::1") or host.startswith("127.") or host.startswith("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
