"""Configuration from the environment or a `.env` file (CONTRACT.md)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path(".vetql"), validation_alias="VETQL_DATA_DIR")
    jwt_secret: str | None = Field(default=None, validation_alias="VETQL_JWT_SECRET")
    jwt_public_key: str | None = Field(default=None, validation_alias="VETQL_JWT_PUBLIC_KEY")
    jwks_url: str | None = Field(default=None, validation_alias="VETQL_JWKS_URL")
    jwt_audience: str | None = Field(default=None, validation_alias="VETQL_JWT_AUDIENCE")
    jwt_issuer: str | None = Field(default=None, validation_alias="VETQL_JWT_ISSUER")
    pool_size: int = Field(default=10, validation_alias=AliasChoices("VETQL_POOL_SIZE"))
    usage_rollup_seconds: float = Field(default=300.0, validation_alias="VETQL_USAGE_ROLLUP_SECONDS")

    # A WebSocket that sends no connection_init within this is closed 4408.
    connection_init_wait_seconds: float = Field(default=5.0, validation_alias="VETQL_CONNECTION_INIT_WAIT_SECONDS")

    # A subscriber whose sends have been blocked this long (it stopped reading) is ended with SLOW_CONSUMER.
    live_send_timeout_seconds: float = Field(default=10.0, validation_alias="VETQL_LIVE_SEND_TIMEOUT_SECONDS")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
