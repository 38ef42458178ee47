#!/usr/bin/env bash
# Installs what the tests need into .venv, lints, and runs the whole suite on SQLite and on
# PostgreSQL (the server on 127.0.0.1:5432, user postgres, database test).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

.venv/bin/ruff check .
.venv/bin/ruff format --check .

PG_URL=${EXPERTNET_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}

echo "== test suite on SQLite"
EXPERTNET_TEST_DATABASE_URL= .venv/bin/python -m pytest -p no:cacheprovider -n "${EXPERTNET_TEST_WORKERS:-2}" "$@"

echo "== test suite on PostgreSQL ($PG_URL)"
if .venv/bin/python - "$PG_URL" <<'PY'
import sys
import sqlalchemy
try:
    sqlalchemy.create_engine(sys.argv[1]).connect().close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  # Browser tests already ran against SQLite; the database-facing suite runs again here.
  EXPERTNET_TEST_DATABASE_URL=$PG_URL .venv/bin/python -m pytest -p no:cacheprovider -n "${EXPERTNET_TEST_WORKERS:-2}" -m "not browser" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI" >&2
  exit 1
else
  echo "skipping the PostgreSQL run: no server (set EXPERTNET_PG_URL)" >&2
fi
