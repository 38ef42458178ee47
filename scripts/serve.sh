#!/usr/bin/env bash
# Installs expertnet into .venv, prepares an embedded SQLite database with demo data and a
# local search index in ./instance, prints a sign-in for each role, and serves the app.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

export EXPERTNET_INSTANCE=${EXPERTNET_INSTANCE:-$PWD/instance}
# Links in mail and notifications point here; set it yourself behind a proxy or a domain name.
export EXPERTNET_BASE_URL=${EXPERTNET_BASE_URL:-http://${HOST:-127.0.0.1}:${PORT:-5000}}
.venv/bin/expertnet init
.venv/bin/expertnet demo --if-empty --experts "${EXPERTNET_DEMO_PEOPLE:-2000}"
.venv/bin/expertnet index sync
exec .venv/bin/expertnet serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
