"""Settings, read once from the environment (prefix ``COACH_``) or a ``.env`` file.

Nothing here opens a model or a database: settings are plain data that the CLI and the web app pass
to the pieces that need them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BackendName = Literal["embedded", "openai", "grounded", "fake"]


class Settings(BaseSettings):
    """Every knob of the coach. Each field is documented because ``coach --help`` and the README
    point people here."""

    model_config = SettingsConfigDict(env_prefix="COACH_", env_file=".env", extra="ignore")

    backend: BackendName = Field("embedded", description="Which model backend writes suggestions.")
    model_path: Path | None = Field(
        None,
        description="A GGUF file for the embedded backend; default: the packaged Gemma 3 270M.",
    )
    embedded_profile: Literal["chat", "completion"] = Field(
        "completion",
        description="Prompt profile for the embedded model (completion for base models).",
    )
    lora_path: str | None = Field(
        None,
        description="A GGUF LoRA adapter for the embedded model; default: the coach's own adapter "
        "(coach/data/adapter/coach-lora.gguf) on the default model; empty or none: no adapter.",
    )
    model_threads: int = Field(2, ge=1, description="CPU threads for the embedded model.")
    model_context: int = Field(2048, ge=256, description="Context window of the embedded model.")
    openai_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible server (OpenAI, vLLM, llama.cpp, Ollama).",
    )
    openai_api_key: SecretStr | None = Field(None, description="API key for the OpenAI backend.")
    openai_model: str = Field("gpt-4o-mini", description="Model name for the OpenAI backend.")
    openai_profile: Literal["chat", "completion"] = Field(
        "chat", description="Prompt profile for the OpenAI backend (chat for instruction-tuned)."
    )
    openai_connect_timeout: float = Field(5.0, gt=0, le=5.0, description="Seconds to connect.")
    openai_read_timeout: float = Field(30.0, gt=0, description="Seconds to wait for an answer.")
    openai_deadline: float = Field(
        60.0, gt=0, description="Seconds one answer may take from the remote model, with retries."
    )
    openai_retries: int = Field(
        2, ge=0, le=5, description="Retries of a remote call that failed (429, 5xx, a timeout)."
    )
    openai_breaker_failures: int = Field(
        5, ge=1, description="Failed remote calls in a row that open the circuit breaker."
    )
    openai_breaker_reset: float = Field(
        30.0, gt=0, description="Seconds the open breaker skips the remote model before a trial."
    )
    fallback: Literal["grounded", "embedded"] = Field(
        "grounded",
        description="What answers when the remote (openai) model fails: suggestions built from "
        "the principle cards (grounded) or the embedded model. Never another remote model.",
    )
    embedded_queue: int = Field(
        8, ge=0, le=1000, description="Answers that may wait for the embedded model; more get 503."
    )
    embedded_max_seconds: float = Field(
        30.0, gt=0, le=600, description="Seconds one embedded generation may run before it stops."
    )
    candidates: int = Field(6, ge=1, le=12, description="Model candidates sampled per job.")
    stop_early: bool = Field(
        True,
        description="Stop sampling once enough candidates passed the checks (the same answers, "
        "fewer model calls); evals turn it off to grade every candidate.",
    )
    temperature: float = Field(0.8, ge=0, le=2)
    max_tokens: int = Field(60, ge=8, le=1024, description="Token cap per candidate.")
    chat_max_tokens: int = Field(220, ge=16, le=2048, description="Token cap for a chat answer.")
    seed: int | None = Field(None, description="Sampling seed; set it for repeatable output.")
    history_turns: int = Field(
        6, ge=0, le=50, description="Earlier chat exchanges sent to the model."
    )
    top_k: int = Field(4, ge=1, le=20, description="Principle cards retrieved per job.")
    max_input_chars: int = Field(4000, ge=100, description="Longest message accepted.")
    locale: str = Field("US", description="Which crisis resources the safety screen shows.")
    # -- evals (``coach eval``) ----------------------------------------------------------------
    eval_cases_dir: Path = Field(Path("evals/cases"), description="Folder of eval case files.")
    eval_out_dir: Path = Field(
        Path("runs/evals"), description="Where eval runs are written (one folder per run)."
    )
    eval_cache: Path | None = Field(
        Path("runs/cache/eval-calls.sqlite3"),
        description="SQLite file caching the evals' model calls; empty to turn the cache off.",
    )
    eval_gates: Path = Field(
        Path("evals/gates.yaml"),
        description="Thresholds an eval run must meet (minimum pass rates).",
    )
    eval_workers: int = Field(4, ge=1, le=64, description="Parallel cases for remote backends.")
    eval_min_recall: float = Field(
        0.5, ge=0, le=1, description="Share of a case's expected principles retrieved or cited."
    )
    judge_url: str | None = Field(None, description="OpenAI-compatible endpoint of the eval judge.")
    judge_model: str | None = Field(None, description="Model name of the eval judge.")
    judge_api_key: SecretStr | None = Field(None, description="API key for the eval judge.")
    # -- web service (``coach serve``) ----------------------------------------------------------
    environment: Literal["development", "production"] = Field(
        default="production",
        description="development allows a placeholder session secret; production refuses one.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///./coach.sqlite3",
        description="SQLAlchemy async URL of the conversation store (PostgreSQL works the same).",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the session cookie; unset: random per process (lost on restart).",
    )
    session_days: int = Field(
        default=180, ge=1, le=730, description="How long a session cookie lasts."
    )
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set it behind TLS)."
    )
    # -- limits, privacy ---------------------------------------------------------------------------
    max_body_bytes: int = Field(
        262_144, ge=1024, description="Largest request body accepted; larger ones get 413."
    )
    rate_per_session: int = Field(
        30, ge=1, description="Answers one session may ask for per minute (429 after that)."
    )
    rate_per_address: int = Field(
        120, ge=1, description="Answers one client address may ask for per minute (429 after)."
    )
    encryption_key: SecretStr | None = Field(
        None,
        description="Fernet key(s) that encrypt message text at rest; comma-separated to rotate "
        '(the first encrypts). Make one with python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"',
    )
    retention_days: int | None = Field(
        None, ge=1, description="Delete conversations untouched for this many days (unset: keep)."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use (never at import)."""
    return Settings()
