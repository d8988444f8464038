# The two commands of the README: `make up` starts the commons; `make test` runs every test.
.PHONY: up test setup bench clean-state

PORT ?= 8000

setup:
	./scripts/setup.sh

up: setup
	.venv/bin/commons up --port $(PORT)

# scripts/test.sh: the unit tier beside the integration and notebook tiers, then the browser tier in a pytest
# process of its own (sync Playwright holds the main thread's event loop). Every tier must pass.
test:
	WITH_BROWSER=1 WITH_POSTGRES=1 ./scripts/setup.sh
	WITH_POSTGRES=1 ./scripts/test.sh $(PYTEST_ARGS)

bench: setup
	for b in bench/bench_*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done

clean-state:
	rm -rf var

# Kubernetes smoke test (deploy/kubernetes/smoke.sh): installs into a throwaway namespace of the current kubeconfig's
# cluster and checks the hub and the data-api; skips with a message when there is no kubeconfig or kubectl.
.PHONY: k8s-smoke
k8s-smoke:
	./deploy/kubernetes/smoke.sh
