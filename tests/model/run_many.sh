#!/usr/bin/env bash
# Runs the model-based checkout test over many seeds against a throwaway
# PostgreSQL; prints the seed of any failing run. Usage:
#   tests/model/run_many.sh [seeds (default 20)] [flows per seed (default 1000)]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SEEDS="${1:-20}"
FLOWS="${2:-1000}"
ninja -C "$ROOT/build" model_tests >/dev/null
# shellcheck disable=SC2016
pg_virtualenv -o "max_connections=200" -- bash -c '
  failed=()
  for seed in $(seq 1 "$1"); do
    if ! LOYALTY_MODEL_SEED=$seed LOYALTY_MODEL_FLOWS=$2 "$3/build/tests/model_tests" \
        >"/tmp/model-seed-$seed.log" 2>&1; then
      failed+=("$seed"); echo "seed $seed FAILED (log: /tmp/model-seed-$seed.log)"
    else
      grep "^model:" "/tmp/model-seed-$seed.log"; rm -f "/tmp/model-seed-$seed.log"
    fi
  done
  echo "$(( $1 - ${#failed[@]} )) passed, ${#failed[@]} failed"
  [[ ${#failed[@]} -eq 0 ]]
' _ "$SEEDS" "$FLOWS" "$ROOT"
