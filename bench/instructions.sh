#!/usr/bin/env bash
# Instructions the broker runs per operation, counted by callgrind: the same
# count for the same binary and load whatever else the machine does, where CPU
# seconds move by 20-30 % between identical runs on a shared machine. User
# space only (the kernel's share is not counted).
# Usage: bench/instructions.sh [--mix quote=1|commit=1] [--count N] [--warmup N]
#        [--keep FILE]   (FILE: the measured operations' callgrind profile)
# Needs valgrind and a built tree (build/); PostgreSQL through PG* variables,
# else it re-runs itself under pg_virtualenv. Stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
MIX=quote=1
COUNT=500
WARMUP=300
KEEP=""
while (($#)); do
  case "$1" in
    --mix) MIX="$2"; shift ;;
    --count) COUNT="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --keep) KEEP="$(realpath -m "$2")"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ -z "${PGPORT:-}" ]]; then
  exec pg_virtualenv -- "$0" --mix "$MIX" --count "$COUNT" --warmup "$WARMUP" \
    ${KEEP:+--keep "$KEEP"}
fi
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

B=build
source "$ROOT/bench/processes.sh"

PORT=$((18800 + RANDOM % 400))
"$B/simulators/loyalclient-simulator" --port "$PORT" \
  --seed simulators/loyalclient/data/loyalclient-seed.json 2>/dev/null &
PIDS+=($!)
export BENCH_ONE_KEY="bench-one-key-0123456789" BENCH_THREE_KEY="bench-three-key-0123456789"
export LC_URL="http://127.0.0.1:$PORT" LC_SLOW_URL="http://127.0.0.1:$PORT"
export SP_SLOW_URL="http://127.0.0.1:$PORT" AX_SLOW_URL="http://127.0.0.1:$PORT"
export LOYALTY_GRPC__LISTEN="127.0.0.1:$((PORT + 1))" LOYALTY_METRICS__LISTEN="127.0.0.1:0"
export LOYALTY_LOGGING__LEVEL=warning LOYALTY_DATABASE__POOL_SIZE=8
export LOYALTY_BROKER__WORKER_THREADS=8
# BROKER: another broker binary, to compare two builds.
BROKER="${BROKER:-$B/broker/loyalty-broker}"
"$BROKER" migrate >/dev/null 2>&1
"$BROKER" register --stores bench/stores.yaml >/dev/null
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.%p" \
  "$BROKER" serve 2>"$WORK/broker.log" &
BROKER_PID=$!
PIDS+=($BROKER_PID)
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 300); do listening $((PORT + 1)) && break; sleep 0.2; done
listening $((PORT + 1)) || { cat "$WORK/broker.log"; exit 1; }

loadgen() {
  "$B/bench/loyalty-loadgen" --target "127.0.0.1:$((PORT + 1))" --api-key "$BENCH_ONE_KEY" \
    --concurrency 4 --connections 2 --mix "$MIX" --json --count "$1" | tail -1
}
loadgen "$WARMUP" >/dev/null
callgrind_control --zero "$BROKER_PID" >/dev/null 2>&1
RESULT=$(loadgen "$COUNT")
callgrind_control --dump "$BROKER_PID" >/dev/null 2>&1
# The dump made above is the first numbered part; the rest is start-up and exit.
TOTAL=$(awk '/^summary:/ {print $2; exit}' "$WORK"/callgrind.*.1)
if [[ -n "$KEEP" ]]; then cp "$WORK"/callgrind.*.1 "$KEEP"; fi
python3 -c "
import json, sys
r = json.loads(sys.argv[1])
print(f'{sys.argv[2]}: {int(sys.argv[3]) / int(sys.argv[4]):,.0f} broker instructions per operation '
      f'({sys.argv[4]} operations, {r[\"errors\"]} errors)')
if r['errors']: sys.exit(1)
" "$RESULT" "$MIX" "$TOTAL" "$COUNT"
