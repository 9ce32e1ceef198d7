#!/usr/bin/env bash
# PostgreSQL's instructions per operation, counted by callgrind on every
# backend: the same count for the same schema, statements and load whatever
# else the machine does, where PostgreSQL's CPU seconds per commit move by
# 15-30 % between identical runs on a shared machine. Backends only (the WAL
# writer and the checkpointer, about 1 % of PostgreSQL's CPU in the commit
# measure, are left out); user space only.
# Two runs from a fresh cluster: a warm-up alone, then the same warm-up and
# N operations; the difference is what the N cost. (callgrind's counters
# cannot be zeroed in an idle backend: the request interrupts its system
# call, which PostgreSQL does not survive.) Repeats to 2-3 %.
# Usage: bench/postgres_instructions.sh [--mix quote=1|commit=1] [--count N]
#        [--warmup N] [--keep DIR]   (DIR: the second run's callgrind files)
# Runs its own PostgreSQL cluster (as the postgres user when run as root,
# fsync on, under valgrind), the LoyalClient simulator and the broker
# (build/), at 4 tills. Stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
MIX=commit=1
COUNT=300
WARMUP=500
KEEP=""
while (($#)); do
  case "$1" in
    --mix) MIX="$2"; shift ;;
    --count) COUNT="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --keep) KEEP="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
PG_BIN=/usr/lib/postgresql/15/bin
AS_POSTGRES=()
[[ $(id -u) == 0 ]] && AS_POSTGRES=(runuser -u postgres --)

B=build
# BROKER: another broker binary, to compare two builds.
BROKER="${BROKER:-$B/broker/loyalty-broker}"
source "$ROOT/bench/processes.sh"
chmod 777 "$WORK"
export PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=postgres
stop_cluster() {
  "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
}
# Backends under valgrind write their counts as they end, after the postmaster.
trap 'stop_cluster; sleep 2; cleanup 2>/dev/null' EXIT
export BENCH_ONE_KEY="bench-one-key-0123456789" BENCH_THREE_KEY="bench-three-key-0123456789"
export LOYALTY_METRICS__LISTEN="127.0.0.1:0"
export LOYALTY_LOGGING__LEVEL=warning LOYALTY_DATABASE__POOL_SIZE=8
export LOYALTY_BROKER__WORKER_THREADS=8
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# One run from a fresh cluster: sets COUNTED to the instructions of every
# client backend, each counted when it ends. Not run in a subshell, so that
# what it starts is in PIDS and stopped however the script ends.
run() {
  local operations=$1
  stop_cluster
  rm -rf "$WORK/data" "$WORK"/callgrind.*
  export PGPORT=$((5600 + RANDOM % 300))
  "${AS_POSTGRES[@]}" "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
  # Backends are forked, so each runs under callgrind with its own file.
  "${AS_POSTGRES[@]}" valgrind --tool=callgrind --trace-children=yes \
    --callgrind-out-file="$WORK/callgrind.%p" "$PG_BIN/postgres" -D "$WORK/data" -p "$PGPORT" \
    -k "$WORK" -c listen_addresses=127.0.0.1 -c fsync=on -c autovacuum=off \
    >"$WORK/postgres.log" 2>&1 &
  for _ in $(seq 300); do psql -Atc "SELECT 1" >/dev/null 2>&1 && break; sleep 0.3; done

  local port=$((18800 + RANDOM % 400))
  "$B/simulators/loyalclient-simulator" --port "$port" \
    --seed simulators/loyalclient/data/loyalclient-seed.json 2>/dev/null &
  local simulator=$!
  export LC_URL="http://127.0.0.1:$port" LC_SLOW_URL="http://127.0.0.1:$port"
  export SP_SLOW_URL="http://127.0.0.1:$port" AX_SLOW_URL="http://127.0.0.1:$port"
  export LOYALTY_GRPC__LISTEN="127.0.0.1:$((port + 1))"
  "$BROKER" migrate >/dev/null 2>&1
  "$BROKER" register --stores bench/stores.yaml >/dev/null
  "$BROKER" serve 2>"$WORK/broker.log" &
  local broker=$!
  PIDS+=($simulator $broker)
  for _ in $(seq 300); do listening $((port + 1)) && break; sleep 0.2; done
  listening $((port + 1)) || { cat "$WORK/broker.log" >&2; exit 1; }
  for n in "$WARMUP" "$operations"; do
    ((n > 0)) || continue
    "$B/bench/loyalty-loadgen" --target "127.0.0.1:$((port + 1))" --api-key "$BENCH_ONE_KEY" \
      --concurrency 4 --connections 2 --mix "$MIX" --json --count "$n" | tail -1 >"$WORK/result"
    python3 -c "import json, sys; sys.exit(1 if json.load(open(sys.argv[1]))['errors'] else 0)" \
      "$WORK/result" || { echo "errors: $(cat "$WORK/result")" >&2; exit 1; }
  done
  local backends
  backends=$(psql -Atc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'
                        AND pid <> pg_backend_pid()")
  # With the broker gone its backends end, each writing its count.
  kill "$broker" "$simulator"
  wait "$broker" "$simulator" 2>/dev/null || true
  COUNTED=0
  for pid in $backends; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    COUNTED=$((COUNTED + $(awk '/^summary:/ {print $2; exit}' "$WORK/callgrind.$pid")))
  done
  if [[ -n "$KEEP" ]] && ((operations > 0)); then
    mkdir -p "$KEEP"
    for pid in $backends; do cp "$WORK/callgrind.$pid" "$KEEP/"; done
  fi
}

run 0
WARMED=$COUNTED
run "$COUNT"
MEASURED=$COUNTED
echo "$MIX: $(((MEASURED - WARMED) / COUNT)) PostgreSQL instructions per operation" \
  "($COUNT operations after $WARMUP, at 4 tills)"
