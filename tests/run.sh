#!/usr/bin/env bash
# Runs every test: installs the Debian packages, builds, then runs ctest
# against a throwaway PostgreSQL cluster (pg_virtualenv).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
"$ROOT/deploy/local/install-deps.sh"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build
# pg_virtualenv sets PG* for a fresh cluster and removes it afterwards.
pg_virtualenv -o "max_connections=200" -- ctest --test-dir build --output-on-failure -j2 "$@"
