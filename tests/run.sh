#!/usr/bin/env bash
# Runs every test: installs the Debian packages, builds, runs ctest against
# a throwaway PostgreSQL cluster (pg_virtualenv), then the unit tests and the
# fuzz targets under ASan + UBSan (tests/sanitized.sh; FUZZ_SECONDS each).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
"$ROOT/deploy/local/install-deps.sh"
cmake -S . -B build -G Ninja -DLOYALTY_WERROR=ON >/dev/null
ninja -C build
# pg_virtualenv sets PG* for a fresh cluster and removes it afterwards.
pg_virtualenv -o "max_connections=200" -- ctest --test-dir build --output-on-failure -j2 "$@"
"$ROOT/tests/sanitized.sh"
