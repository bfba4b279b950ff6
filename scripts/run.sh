#!/usr/bin/env bash
# Development: Instagram sandbox, task cluster and web server in one terminal; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "==> stopping"
  # Ask each leader to stop (qcluster stops its own workers), then kill whatever is left of
  # each process group (setsid gave every child its own) after a grace period.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
mkdir -p var
# The sandbox comes first: the demo seed connects a sandbox Instagram account.
setsid $PY -m instagram.sandbox --host 127.0.0.1 --port 8100 --state-file var/sandbox-state.json & pids+=($!)
for _ in $(seq 1 40); do  # wait for the sandbox to listen before seeding the demo account
  $PY -c "import socket; socket.create_connection(('127.0.0.1', 8100), 0.5)" 2>/dev/null && break; sleep 0.25
done
$PY manage.py migrate --noinput
$PY manage.py seed_demo
setsid $PY manage.py qcluster & pids+=($!)
setsid $PY manage.py runserver 127.0.0.1:8000 & pids+=($!)
sleep 2
echo
echo "==> Pressroom is running at http://127.0.0.1:8000/  (Ctrl-C stops web, tasks and sandbox)"
echo "    Demo logins (password pressroom-demo): admin, editor, social, client"
wait -n "${pids[@]}"
