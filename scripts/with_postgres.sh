#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster (Debian's PG 15 binaries),
# started on a free loopback port and removed afterwards, whatever the command's outcome.
set -euo pipefail
bindir="$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)"
[ -x "$bindir/initdb" ] || bindir=/usr/lib/postgresql/15/bin
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
dir="$(mktemp -d /tmp/pressroom-pg.XXXXXX)"
run=()
if [ "$(id -u)" = "0" ]; then
  chown postgres "$dir"
  run=(runuser -u postgres --)  # PostgreSQL refuses to run as root
fi
cleanup() {
  "${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${run[@]}" "$bindir/initdb" -D "$dir/data" -U pressroom --auth=trust -E UTF8 >/dev/null
"${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
"${run[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U pressroom pressroom
export DATABASE_URL="postgres://pressroom@127.0.0.1:$port/pressroom"
echo "    PostgreSQL on 127.0.0.1:$port"
"$@"
