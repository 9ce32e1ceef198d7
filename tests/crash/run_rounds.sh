#!/usr/bin/env bash
# kill -9 of the broker under load, many times: the crash test with more
# rounds than CI runs (default 100), against a throwaway PostgreSQL.
#   tests/crash/run_rounds.sh [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build crash_recovery_test loyalty-broker
LOYALTY_CRASH_ROUNDS="${1:-100}" pg_virtualenv -o "max_connections=200" -- \
  build/tests/crash_recovery_test 2>&1 | grep -v '^ts='
