#!/usr/bin/env bash
# The unit tests and every libFuzzer target under AddressSanitizer and
# UndefinedBehaviorSanitizer (clang 14), in build-asan/. Each fuzz target
# runs FUZZ_SECONDS (default 15) from its seed corpus: the vendor documents'
# own JSON (tests/fixtures), the local stack's files, and every input that
# once found a fault (fuzz/regressions). A crash stops with the input saved
# in build-asan/fuzz-findings/. fuzz/run_long.sh runs them longer.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
BUILD=build-asan
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOYALTY_SANITIZERS=ON -DLOYALTY_FUZZ=ON >/dev/null
ninja -C "$BUILD" unit_tests all_fuzzers

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "== unit tests under ASan + UBSan"
"$BUILD/tests/unit_tests" --gtest_brief=1

seeds() {  # the read-only seed directories of one target
  case "$1" in
    vendor_wire) echo tests/fixtures/loyalclient tests/fixtures/sailplay tests/fixtures/artix \
      fuzz/regressions/vendor_wire ;;
    decimal) echo fuzz/corpus/decimal ;;
    request_builders) echo fuzz/corpus/request_builders ;;
    request_validation) echo fuzz/corpus/request_validation ;;
  esac
}

mkdir -p "$BUILD/fuzz-findings" "$BUILD/fuzz-seeds/config_files"
# libFuzzer takes directories; the config seeds are files of the local stack.
cp deploy/local/broker.yaml deploy/local/stores.yaml "$BUILD/fuzz-seeds/config_files/"
for target in vendor_wire decimal request_builders request_validation config_files; do
  echo "== $target fuzzer, ${FUZZ_SECONDS}s"
  work="$BUILD/fuzz-corpus/$target"  # grows between runs; seeds stay as committed
  mkdir -p "$work"
  if [[ "$target" == config_files ]]; then
    dirs=("$BUILD/fuzz-seeds/config_files")
  else
    read -r -a dirs <<<"$(seeds "$target")"
  fi
  log="$BUILD/fuzz-findings/$target.log"
  if ! "$BUILD/fuzz/${target}_fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/fuzz-findings/${target}-" \
    "$work" "${dirs[@]}" >"$log" 2>&1; then
    tail -60 "$log"
    echo "$target: a fault was found; the input is in $BUILD/fuzz-findings/" >&2
    exit 1
  fi
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units" "$log" || true
done
echo "sanitized unit tests and fuzz targets: clean"
