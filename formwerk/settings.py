"""One settings object for every part of formwerk, read from FORMWERK_* and the CLI."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from form_definitions.catalogue import default_forms_dir


class Settings(BaseSettings):
    """Settings; each can be set as FORMWERK_<NAME> in the environment or as a CLI option."""

    model_config = SettingsConfigDict(env_prefix="FORMWERK_", extra="forbid")

    host: str = Field("127.0.0.1", description="interface to listen on")
    port: int = Field(8000, ge=1, le=65535, description="TCP port to listen on")
    data_dir: Path = Field(Path("var"), description="where submissions and uploads live")
    forms_dir: Path = Field(
        default_factory=default_forms_dir,
        description="folder with authorities.json and services/*.json",
    )
    portal_name: str = Field("Bürgerportal Heideland", description="shown in every page header")
    base_url: str = Field(
        "http://127.0.0.1:8000", description="public URL of the portal (links in receipts)"
    )
    debug: bool = Field(False, description="show tracebacks in the log (never on pages)")
    upload_max_request_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="largest form post with files, in bytes"
    )
    upload_max_file_bytes: int = Field(
        20 * 1024 * 1024, ge=1, description="largest single file, whatever a form allows"
    )
    upload_max_files: int = Field(10, ge=1, description="most files in one post")
    draft_ttl_hours: int = Field(
        168, ge=1, description="drafts and their files are deleted after this many idle hours"
    )
