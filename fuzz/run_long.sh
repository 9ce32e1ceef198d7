#!/usr/bin/env bash
# The fuzz targets for longer than the test run gives them (default 10 min
# each); the corpus each grows stays in build-asan/fuzz-corpus/ for the next
# run. Add any input that found a fault to fuzz/regressions/<target>/.
set -euo pipefail
FUZZ_SECONDS="${FUZZ_SECONDS:-600}" exec "$(dirname "$0")/../tests/sanitized.sh"
