"""Servers run as real child processes on loopback ports, for the many-worker and model-server
tests: started, waited for until they answer, and always stopped (their output is shown when one
fails to start)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any ``COACH_*`` setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    return {**env, **extra}


@dataclass
class Child:
    process: subprocess.Popen[bytes]
    output: IO[bytes]
    base: str

    def wait_until_ready(self, path: str, timeout: float = 60) -> str:
        """Poll ``path`` until it answers 200; the base URL, or an error with the output."""
        url = f"{self.base}{path}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return self.base
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.process.kill()
        self.process.wait()
        self.output.seek(0)
        log = self.output.read().decode(errors="replace")
        raise RuntimeError(f"{url} did not answer within {timeout:.0f} s. Output:\n{log[-3000:]}")


@contextmanager
def child(args: list[str], port: int, env: Mapping[str, str]) -> Iterator[Child]:
    """``python args...`` (a server that will listen on ``port``), stopped on the way out."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, *args], env=dict(env), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield Child(process, output, f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def server_process(
    args: list[str], port: int, env: Mapping[str, str], ready_path: str, timeout: float = 60
) -> Iterator[str]:
    """Run a server until it answers 200 on ``ready_path``; yields its base URL."""
    with child(args, port, env) as running:
        yield running.wait_until_ready(ready_path, timeout)
