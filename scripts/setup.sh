#!/usr/bin/env bash
# Prepare a fresh machine: system packages (when root), .venv with pinned requirements, static files.
set -euo pipefail
cd "$(dirname "$0")/.."
want_dev="${1:-}"

if [ "$(id -u)" = "0" ]; then
  missing=()
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  if [ "$want_dev" = "dev" ]; then command -v chromium >/dev/null || missing+=(chromium); fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
else
  command -v ffmpeg >/dev/null || echo "warning: ffmpeg not found; video uploads need it (apt-get install ffmpeg)" >&2
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
req=requirements.txt
[ "$want_dev" = "dev" ] && req=requirements-dev.txt
stamp=".venv/.installed-$(sha256sum requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)-$want_dev"
if [ ! -f "$stamp" ]; then
  echo "==> pip install -r $req"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$req"
  touch "$stamp"
fi
