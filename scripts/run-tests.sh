#!/usr/bin/env bash
# Runs the whole suite. Node and hub are two Django projects, so each has its
# own pytest process (one settings module per process); shared/, end-to-end and
# operations tests need no Django settings of their own.
#
# SYSTRAITE_TEST_PG: the PostgreSQL server the tests use (a database per suite
# is created and dropped by pytest-django). SYSTRAITE_TEST_REDIS_URL: Redis.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export SYSTRAITE_TEST_PG=${SYSTRAITE_TEST_PG:-postgres://postgres@127.0.0.1:5432}
export SYSTRAITE_TEST_REDIS_URL=${SYSTRAITE_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
export SYSTRAITE_ENV=test
mkdir -p var/test-output
status=0
failed=()

run_suite() {
  local name=$1; shift
  echo "=== suite: $name"
  "$@"
  local rc=$?
  if [ $rc -ne 0 ]; then status=1; failed+=("$name (exit $rc)"); fi
}

run_suite lint $PY -m ruff check node hub shared tests bench scripts
run_suite shared $PY -m pytest tests/shared "$@"
run_suite node env DJANGO_SETTINGS_MODULE=node.config.settings \
  DATABASE_URL="$SYSTRAITE_TEST_PG/systraite_node" SYSTRAITE_VAR_DIR="$PWD/var/test-node" \
  $PY -m pytest tests/node "$@"
run_suite hub env DJANGO_SETTINGS_MODULE=hub.config.settings \
  DATABASE_URL="$SYSTRAITE_TEST_PG/systraite_hub" SYSTRAITE_VAR_DIR="$PWD/var/test-hub" \
  $PY -m pytest tests/hub "$@"
run_suite e2e+ops $PY -m pytest tests/e2e tests/ops "$@"

if [ $status -ne 0 ]; then
  echo "FAILED suites: ${failed[*]}"
fi
exit $status
