#!/usr/bin/env bash
# Development: set up .venv, then hand over to scripts/supervise.py (sandbox, migrate, demo seed, task
# cluster, web server; one Ctrl-C, SIGTERM or SIGHUP stops them all within seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
case ",${PRESSROOM_RUN_SKIP:-}," in
  *,setup,*) ;;
  *) bash scripts/setup.sh ;;
esac
# exec: no bash left between the signal and the supervisor (bash traps raced with a second signal).
exec .venv/bin/python scripts/supervise.py
