#!/usr/bin/env bash
# The whole test suite (`make test` runs this after set-up). The unit tier needs no servers and runs beside the
# integration and notebook tiers (which share one real hub); the browser tier runs last in a pytest process of its
# own (sync Playwright keeps an event loop running in the main thread). First the gates: ruff (lint and format
# check); mypy (its cache in .mypy_cache) runs beside the tiers; after them, the unit tier's branch coverage against
# the floor in pyproject.toml. Exits non-zero if any gate or tier fails (every one runs, so one run shows them all).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p test-artifacts
start=$(date +%s)
LINTED=(commons_kernel hub/commons_hub tests bench scripts)

echo "==> ruff check (lint)"
"$PY" -m ruff check "${LINTED[@]}"
lint=$?
echo "==> ruff format --check"
"$PY" -m ruff format --check "${LINTED[@]}"
format=$?
# mypy runs beside the tiers (cold, it takes minutes); its report is shown after them.
"$PY" -m mypy > test-artifacts/mypy.log 2>&1 &
mypy_pid=$!

rm -f test-artifacts/.coverage test-artifacts/.coverage.*
"$PY" -m coverage run -m pytest tests/unit -p no:cacheprovider "$@" > test-artifacts/unit.log 2>&1 &
unit_pid=$!
"$PY" -m pytest tests/integration tests/notebooks -p no:cacheprovider "$@"
servers=$?
wait "$unit_pid"
unit=$?
wait "$mypy_pid"
types=$?
echo "==> mypy (commons_kernel, commons_hub; ran alongside):"
tail -n 30 test-artifacts/mypy.log
echo "==> unit tier (ran alongside; full log in test-artifacts/unit.log):"
tail -n 40 test-artifacts/unit.log
"$PY" -m pytest tests/browser -p no:cacheprovider "$@"
browser=$?

echo "==> unit tier branch coverage (full table in test-artifacts/coverage.txt, pages in test-artifacts/coverage-html)"
"$PY" -m coverage html -q -d test-artifacts/coverage-html >/dev/null 2>&1
"$PY" -m coverage report > test-artifacts/coverage.txt 2>&1
coverage=$?
grep -E "^TOTAL|failure|No data" test-artifacts/coverage.txt
if [ "$#" -gt 0 ]; then
  echo "    (pytest arguments were given, so only part of the unit tier ran: the floor is not applied)"
  coverage=0
fi

echo "==> gates: ruff check exit $lint, ruff format exit $format, mypy exit $types, coverage exit $coverage"
echo "==> tiers: unit exit $unit, integration+notebooks exit $servers, browser exit $browser ($(( $(date +%s) - start )) s)"
[ "$lint" = 0 ] && [ "$format" = 0 ] && [ "$types" = 0 ] && [ "$coverage" = 0 ] &&
  [ "$unit" = 0 ] && [ "$servers" = 0 ] && [ "$browser" = 0 ]
