#!/usr/bin/env bash
# The whole suite, twice: on SQLite, then on a throwaway PostgreSQL 15 cluster on a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
export PYTHONUNBUFFERED=1
PYTEST=(.venv/bin/python -m pytest -q "$@")

echo "==> ruff"
.venv/bin/ruff check .

echo "==> tests on SQLite"
env -u DATABASE_URL "${PYTEST[@]}"

echo "==> tests on PostgreSQL 15"
bash scripts/with_postgres.sh "${PYTEST[@]}"
