#!/usr/bin/env bash
# make prod-check: the production configuration (gunicorn, DEBUG=false, PostgreSQL, S3 via moto, two task
# clusters, the sandbox as Instagram) started on this machine and driven over HTTP; see scripts/prod_check.py.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
exec bash scripts/with_postgres.sh timeout 600 .venv/bin/python scripts/prod_check.py
