#!/usr/bin/env bash
# PostgreSQL's instructions per operation, counted by callgrind on every
# backend: the same count for the same schema, statements and load whatever
# else the machine does, where PostgreSQL's CPU seconds per commit move by
# 15-30 % between identical runs on a shared machine. Backends only (the WAL
# writer and the checkpointer, about 1 % of PostgreSQL's CPU in the commit
# measure, are left out); user space only.
# Usage: bench/postgres_instructions.sh [--mix quote=1|commit=1] [--count N]
#        [--keep DIR]   (DIR: the backends' callgrind files, for
#                        callgrind_annotate)
# Runs its own PostgreSQL cluster (as the postgres user, fsync on, under
# valgrind), the LoyalClient simulator and the broker (build/), at 4 tills.
# Stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
MIX=commit=1
COUNT=300
KEEP=""
while (($#)); do
  case "$1" in
    --mix) MIX="$2"; shift ;;
    --count) COUNT="$2"; shift ;;
    --keep) KEEP="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
PG_BIN="$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)"
[[ -x "$PG_BIN/postgres" ]] || PG_BIN=/usr/lib/postgresql/15/bin
AS_POSTGRES=()
[[ $(id -u) == 0 ]] && AS_POSTGRES=(runuser -u postgres --)

B=build
source "$ROOT/bench/processes.sh"
chmod 777 "$WORK"
export PGHOST=127.0.0.1 PGPORT=$((5600 + RANDOM % 300)) PGUSER=postgres PGDATABASE=postgres
stop_cluster() {
  "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
}
trap 'stop_cluster; cleanup' EXIT

"${AS_POSTGRES[@]}" "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
# Backends are forked, so each runs under callgrind with its own file.
"${AS_POSTGRES[@]}" valgrind --tool=callgrind --trace-children=yes \
  --callgrind-out-file="$WORK/callgrind.%p" "$PG_BIN/postgres" -D "$WORK/data" -p "$PGPORT" \
  -k "$WORK" -c listen_addresses=127.0.0.1 -c fsync=on -c autovacuum=off \
  >"$WORK/postgres.log" 2>&1 &
for _ in $(seq 300); do psql -Atc "SELECT 1" >/dev/null 2>&1 && break; sleep 0.3; done

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
"$B/broker/loyalty-broker" migrate >/dev/null 2>&1
"$B/broker/loyalty-broker" register --stores bench/stores.yaml >/dev/null
"$B/broker/loyalty-broker" serve 2>"$WORK/broker.log" &
BROKER_PID=$!
PIDS+=($BROKER_PID)
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 300); do listening $((PORT + 1)) && break; sleep 0.2; done
listening $((PORT + 1)) || { cat "$WORK/broker.log"; exit 1; }

loadgen() {
  "$B/bench/loyalty-loadgen" --target "127.0.0.1:$((PORT + 1))" --api-key "$BENCH_ONE_KEY" \
    --concurrency 4 --connections 2 --mix "$MIX" --json --count "$1" | tail -1
}
loadgen 200 >/dev/null
BACKENDS=$(psql -Atc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'
                      AND pid <> pg_backend_pid()")
STARTED=$(psql -Atc "SELECT now()")
callgrind_control --zero >/dev/null 2>&1
# An idle backend takes the request when it next runs; woken, it does nothing else.
kill -USR1 $BACKENDS
sleep 0.5
RESULT=$(loadgen "$COUNT")
# Only backends that ran a statement since count: one idle all along never
# took the request, and its count is its start-up.
MEASURED=$(psql -Atc "SELECT pid FROM pg_stat_activity WHERE pid IN ($(echo $BACKENDS | tr ' ' ','))
                      AND state_change >= '$STARTED'")
# With the broker gone its backends end, each writing its count.
kill "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null || true
for pid in $BACKENDS; do
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
done
TOTAL=0
for pid in $MEASURED; do
  n=$(awk '/^summary:/ {print $2; exit}' "$WORK/callgrind.$pid")
  TOTAL=$((TOTAL + n))
  if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP" && cp "$WORK/callgrind.$pid" "$KEEP/"; fi
done
python3 -c "
import json, sys
r = json.loads(sys.argv[1])
print(f'{sys.argv[2]}: {int(sys.argv[3]) / int(sys.argv[4]):,.0f} PostgreSQL instructions per '
      f'operation ({sys.argv[4]} operations, {sys.argv[5]} backends, {r[\"errors\"]} errors)')
if r['errors']: sys.exit(1)
" "$RESULT" "$MIX" "$TOTAL" "$COUNT" "$(echo $MEASURED | wc -w)"
