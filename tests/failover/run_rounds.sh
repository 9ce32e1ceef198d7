#!/usr/bin/env bash
# The failover test with more primary losses than CI runs (default 10):
# each round kills the PostgreSQL primary under commit load and waits for
# the old primary to follow again as synchronous standby before the next.
#   tests/failover/run_rounds.sh [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
"$ROOT/deploy/local/install-deps.sh"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build failover_test loyalty-broker
LOYALTY_FAILOVER_ROUNDS="${1:-10}" build/tests/failover_test 2>&1 | grep -v '^ts='
