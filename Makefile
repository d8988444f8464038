# The two commands of the README: `make up` starts the commons; `make test` runs every test.
.PHONY: up test setup bench clean-state

PORT ?= 8000

setup:
	./scripts/setup.sh

up: setup
	.venv/bin/commons up --port $(PORT)

# Tiers in this order; the browser tier last, because sync Playwright keeps an event loop running in the
# main thread for the rest of the session, and asyncio.run() cannot start after it.
TIERS = tests/unit tests/integration tests/notebooks tests/browser

test:
	WITH_BROWSER=1 ./scripts/setup.sh
	.venv/bin/python -m pytest $(TIERS) $(PYTEST_ARGS)

bench: setup
	for b in bench/bench_*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done

clean-state:
	rm -rf var
