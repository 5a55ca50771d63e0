"""A caching wrapper around any model backend, stored in one SQLite file.

:class:`CachingBackend` implements the same seam as every backend (``generate`` and ``stream``), so
the coach cannot tell it apart from the model it wraps. Calls are keyed by the model's identity,
the prompt (every message with its role), the generation parameters and the eval's repeat index, so
``--repeat 3`` samples three times and a second run of the same evals makes no model calls at all.

Errors are never cached: a :class:`ModelError` passes through and the next run asks again. A stream
is read to the end before its first piece is passed on, so the cache only ever stores complete
answers (the coach may still stop reading early; it just sees the pieces from memory).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from langchain_core.prompt_values import PromptValue

from coach.models import Backend, BackendProfile, GenerationParams

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    pieces TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


def model_identity(backend: Backend) -> str:
    """What makes two backends give the same answer: name, profile, model name and file."""
    model = getattr(backend, "model", None)
    parts = {
        "name": backend.name,
        "profile": backend.profile,
        "model": model if isinstance(model, str) else "",
        "path": str(getattr(backend, "path", "") or ""),
    }
    return json.dumps(parts, sort_keys=True)


def describe_model(backend: Backend) -> str:
    """A short human name for the model: ``embedded gemma.gguf (completion)``."""
    model = getattr(backend, "model", None)
    path = getattr(backend, "path", None)
    detail = model if isinstance(model, str) else Path(str(path)).name if path else ""
    profile = f" ({backend.profile})" if backend.profile != "none" else ""
    return f"{backend.name} {detail}".strip() + profile


def prompt_key(prompt: PromptValue) -> list[list[str]]:
    """The prompt as (role, text) pairs, so a chat prompt and its flattened string differ."""
    return [[message.type, str(message.content)] for message in prompt.to_messages()] + [
        ["kind", type(prompt).__name__]
    ]


class CallCache:
    """The SQLite store: ``get``/``put`` of answer pieces by key. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(_SCHEMA)

    def get(self, key: str) -> list[str] | None:
        with self._lock:
            row = self._db.execute("SELECT pieces FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else list(json.loads(row[0]))

    def put(self, key: str, model: str, pieces: list[str]) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO calls (key, model, pieces) VALUES (?, ?, ?)",
                (key, model, json.dumps(pieces, ensure_ascii=False)),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachingBackend:
    """``backend`` with answers remembered in ``cache``; ``repeat`` is part of every key.

    ``hits``/``misses`` count this wrapper's calls; ``raw`` keeps every answer it returned (whole
    text), which the runner reads as the raw model output of one case.
    """

    def __init__(self, backend: Backend, cache: CallCache | None, repeat: int = 0) -> None:
        self.backend = backend
        self.cache = cache
        self.repeat = repeat
        self.name = backend.name
        self.profile: BackendProfile = backend.profile
        self.hits = 0
        self.misses = 0
        self.raw: list[str] = []
        self._identity = model_identity(backend)

    def key(self, method: str, prompt: PromptValue, params: GenerationParams) -> str:
        material = {
            "model": self._identity,
            "method": method,
            "prompt": prompt_key(prompt),
            "params": asdict(params),
            "repeat": self.repeat,
        }
        encoded = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        pieces = self._pieces("generate", prompt, params)
        return "".join(pieces)

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        yield from self._pieces("stream", prompt, params)

    def _pieces(self, method: str, prompt: PromptValue, params: GenerationParams) -> list[str]:
        key = self.key(method, prompt, params)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            self.hits += 1
            self.raw.append("".join(cached))
            return cached
        self.misses += 1
        # A ModelError propagates from here, before anything is stored.
        if method == "generate":
            pieces = [self.backend.generate(prompt, params)]
        else:
            pieces = list(self.backend.stream(prompt, params))
        if self.cache is not None:
            self.cache.put(key, self._identity, pieces)
        self.raw.append("".join(pieces))
        return pieces
