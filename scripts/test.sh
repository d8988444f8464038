#!/usr/bin/env bash
# The whole test suite (`make test` runs this after set-up). The unit tier needs no servers and runs beside the
# integration and notebook tiers (which share one real hub); the browser tier runs last in a pytest process of its
# own (sync Playwright keeps an event loop running in the main thread). Exits non-zero if any tier fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p test-artifacts
start=$(date +%s)

"$PY" -m pytest tests/unit -p no:cacheprovider "$@" > test-artifacts/unit.log 2>&1 &
unit_pid=$!
"$PY" -m pytest tests/integration tests/notebooks -p no:cacheprovider "$@"
servers=$?
wait "$unit_pid"
unit=$?
echo "==> unit tier (ran alongside; full log in test-artifacts/unit.log):"
tail -n 40 test-artifacts/unit.log
"$PY" -m pytest tests/browser -p no:cacheprovider "$@"
browser=$?

echo "==> tiers: unit exit $unit, integration+notebooks exit $servers, browser exit $browser ($(( $(date +%s) - start )) s)"
[ "$unit" = 0 ] && [ "$servers" = 0 ] && [ "$browser" = 0 ]
