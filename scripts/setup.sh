#!/usr/bin/env bash
# Installs everything the commons needs on a fresh Debian 12 machine of this kind; safe to run again.
# - a virtualenv in .venv with the pinned packages (torch first, from its CPU wheel)
# - configurable-http-proxy from npm into .tools/
# - Debian's chromium (for the browser tests) when WITH_BROWSER=1 and we are root, and @axe-core/playwright from
#   npm into .tools/ (its axe-core's axe.min.js is what tests/browser/axe.py runs in the pages)
# - Debian's postgresql (the tests' throwaway server, run from a temp dir; the system cluster is not used) when
#   WITH_POSTGRES=1 and we are root
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
stamp=.venv/.installed-$(sha256sum requirements/pins.txt pyproject.toml | sha256sum | cut -c1-16)

if [ ! -f "$stamp" ]; then
  echo "==> Python environment (.venv): first time takes ~5 minutes"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q "$(grep -E '^torch==' requirements/pins.txt)"
  .venv/bin/pip install -q -r requirements/pins.txt
  .venv/bin/pip install -q --no-deps -e .
  .venv/bin/pip check
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ ! -x .tools/node_modules/.bin/configurable-http-proxy ]; then
  echo "==> configurable-http-proxy (npm) into .tools/"
  mkdir -p .tools
  (cd .tools && npm install --silent --no-audit --no-fund --prefix . configurable-http-proxy@5.3.0 >/dev/null)
fi

if [ "${WITH_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> Debian chromium (browser tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "!! /usr/bin/chromium is missing and we are not root: install it with 'sudo apt-get install chromium'" >&2
    exit 1
  fi
fi

if [ "${WITH_BROWSER:-0}" = 1 ] && [ ! -f .tools/node_modules/axe-core/axe.min.js ]; then
  echo "==> @axe-core/playwright (npm) into .tools/ (accessibility tests)"
  mkdir -p .tools
  # --legacy-peer-deps: the tests drive Chromium from Python Playwright, so npm's playwright-core is not needed
  (cd .tools && npm install --silent --no-audit --no-fund --legacy-peer-deps --prefix . \
     @axe-core/playwright@4.14.0 >/dev/null)
fi

if [ "${WITH_POSTGRES:-0}" = 1 ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> Debian postgresql (the tests' throwaway server)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "!! PostgreSQL is missing and we are not root: install it with 'sudo apt-get install postgresql'" >&2
    exit 1
  fi
fi
echo "==> set-up complete"
