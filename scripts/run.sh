#!/usr/bin/env bash
# Development: web server, task cluster and Instagram sandbox in one terminal; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py seed_demo
pids=()
stop() { trap - INT TERM EXIT; echo; echo "==> stopping"; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT
if [ -f instagram/sandbox/__main__.py ]; then
  $PY -m instagram.sandbox --host 127.0.0.1 --port 8100 --state-file var/sandbox-state.json & pids+=($!)
fi
$PY manage.py qcluster & pids+=($!)
$PY manage.py runserver 127.0.0.1:8000 & pids+=($!)
sleep 2
echo
echo "==> Pressroom is running at http://127.0.0.1:8000/  (Ctrl-C stops web, tasks and sandbox)"
echo "    Demo logins (password pressroom-demo): admin, editor, social, client"
wait -n "${pids[@]}"
