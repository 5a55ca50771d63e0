#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine (Python 3.11, pip, gcc) and run it:
# lint, format check, types, then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${COACH_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
# llama-cpp-python compiles llama.cpp from source the first time (about 10 minutes on 2 cores);
# pip caches the built wheel, so later runs on the same machine are quick. A portable build
# (AVX2, no -march=native): the native build crashed in llama_decode on this VM's CPU.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}"
"$venv/bin/python" -m pip install --quiet --editable '.[dev]'
"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check .
"$venv/bin/mypy"
# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium
fi
# The storage and many-worker tests need a real PostgreSQL server: one of their own, stopped on exit.
PYTHON="$venv/bin/python" source tests/postgres.sh
"$venv/bin/python" -m pytest "$@"
