#!/usr/bin/env bash
# The unit and core tests and every libFuzzer target under AddressSanitizer and
# UndefinedBehaviorSanitizer (clang 14), in build-asan/. Each fuzz target
# starts from its seed corpus: the vendor documents' own JSON
# (tests/fixtures), the local stack's files, and every input that once found
# a fault (fuzz/regressions). By default a fixed number of runs from a fixed
# seed (about 15 s each; the same inputs every time, so a test run never
# fails by luck); FUZZ_SECONDS=N explores for N seconds from a random seed
# instead (fuzz/run_long.sh). A crash stops with the input saved in
# build-asan/fuzz-findings/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
FUZZ_SECONDS="${FUZZ_SECONDS:-}"
BUILD=build-asan
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOYALTY_SANITIZERS=ON -DLOYALTY_FUZZ=ON -DLOYALTY_WERROR=ON >/dev/null
ninja -C "$BUILD" unit_tests core_tests all_fuzzers

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "== unit and core tests under ASan + UBSan"
"$BUILD/tests/unit_tests" --gtest_brief=1
"$BUILD/tests/core_tests" --gtest_brief=1

runs() {  # deterministic runs of one target: about 15 s each here
  case "$1" in
    vendor_wire) echo 8000 ;;
    decimal) echo 2000000 ;;
    request_builders) echo 60000 ;;
    request_validation) echo 300000 ;;
    config_files) echo 20000 ;;
    json_writer) echo 400000 ;;
    http_answer) echo 2500000 ;;
  esac
}

seeds() {  # the read-only seed directories of one target
  case "$1" in
    vendor_wire) echo tests/fixtures/loyalclient tests/fixtures/sailplay tests/fixtures/artix \
      fuzz/regressions/vendor_wire ;;
    decimal) echo fuzz/corpus/decimal ;;
    request_builders) echo fuzz/corpus/request_builders ;;
    request_validation) echo fuzz/corpus/request_validation ;;
    http_answer) echo fuzz/corpus/http_answer ;;
  esac
}

mkdir -p "$BUILD/fuzz-findings" "$BUILD/fuzz-seeds/config_files"
# libFuzzer takes directories; the config seeds are files of the local stack.
cp deploy/local/broker.yaml deploy/local/stores.yaml "$BUILD/fuzz-seeds/config_files/"
for target in vendor_wire decimal request_builders request_validation config_files json_writer \
  http_answer; do
  if [[ -n "$FUZZ_SECONDS" ]]; then
    budget=(-max_total_time="$FUZZ_SECONDS")
    echo "== $target fuzzer, ${FUZZ_SECONDS}s"
  else
    budget=(-seed=1 -runs="$(runs "$target")")
    echo "== $target fuzzer, $(runs "$target") runs from seed 1"
  fi
  # Grows between exploring runs; a deterministic run starts from the seeds.
  work="$BUILD/fuzz-corpus/$target"
  [[ -z "$FUZZ_SECONDS" ]] && rm -rf "$work"
  mkdir -p "$work"
  if [[ "$target" == config_files ]]; then
    dirs=("$BUILD/fuzz-seeds/config_files" fuzz/regressions/config_files)
  else
    read -r -a dirs <<<"$(seeds "$target")"
  fi
  log="$BUILD/fuzz-findings/$target.log"
  if ! "$BUILD/fuzz/${target}_fuzzer" "${budget[@]}" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/fuzz-findings/${target}-" \
    "$work" "${dirs[@]}" >"$log" 2>&1; then
    tail -60 "$log"
    echo "$target: a fault was found; the input is in $BUILD/fuzz-findings/" >&2
    exit 1
  fi
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units" "$log" || true
done
echo "sanitized unit tests and fuzz targets: clean"
