"""Deployment settings from the environment (ports, paths); domain config lives in YAML."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROWD_MONITOR_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(default=8000, ge=0, le=65535, description="HTTP port (0: any free port).")
    data_dir: Path = Field(default=Path("data"), description="Where the store and recordings live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default: SQLite in data_dir.",
    )
    sample_cache: Path = Field(
        default=Path.home() / ".cache" / "crowd-monitor",
        description="Where downloaded sample clips are cached (outside the repo).",
    )
    admin_password: SecretStr | None = Field(
        default=None,
        description="Password of the 'admin' user created when there are no users yet; "
        "unset: a random one, printed once at that first start.",
    )
    session_ttl_s: float = Field(
        default=12 * 3600.0, gt=0, le=30 * 86400.0, description="How long a login lasts."
    )
