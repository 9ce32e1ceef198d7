#!/usr/bin/env bash
# The benchmark suite: measures the broker beside its limits on this machine,
# in one run, and prints each measure next to its baseline as a ratio.
#   (a) a bare gRPC echo server, (b) the vendor simulator called directly,
#   (c) pgbench single-row inserts at the same concurrency; then the broker's
#   quotes (one vendor; three vendors with 20 ms injected latency each) and
#   durable commits.
# Usage: bench/run.sh [--smoke] [--seconds N] [--concurrency N] [--profile DIR]
#                     [--memory N] [--commit-delay MICROSECONDS]
# --smoke: one second per measure, to keep the tools working (CI).
# --profile DIR: records the whole machine with perf during the broker's
#   quote and commit measures and writes each process's top frames there.
# --memory N: the broker's resident memory after a warm-up and after N more
#   quotes (100000 in BENCHMARKS.md).
# --commit-delay: PostgreSQL's commit_delay (with commit_siblings=2), so
#   concurrent synchronous commits share WAL flushes (group commit).
# Always: a saturation curve, the open loop at rising rates until p99 passes
#   50 ms (what one replica holds).
# BROKER=path: another broker binary instead of build/'s (two builds compared).
# Needs PostgreSQL through PG* variables; without them it re-runs itself
# under pg_virtualenv. Stops by itself; everything it starts is stopped.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SECONDS_PER=10
CONCURRENCY=16
SMOKE=0
BUILD=1
PROFILE=""
MEMORY_QUOTES=0
COMMIT_DELAY=0
while (($#)); do
  case "$1" in
    --smoke) SMOKE=1; SECONDS_PER=1 ;;
    --seconds) SECONDS_PER="$2"; shift ;;
    --concurrency) CONCURRENCY="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --profile) PROFILE="$(realpath -m "$2")"; shift ;;
    --memory) MEMORY_QUOTES="$2"; shift ;;
    --commit-delay) COMMIT_DELAY="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ -z "${PGPORT:-}" ]]; then
  args=(--seconds "$SECONDS_PER" --concurrency "$CONCURRENCY")
  ((SMOKE)) && args+=(--smoke)
  ((BUILD)) || args+=(--no-build)
  [[ -n "$PROFILE" ]] && args+=(--profile "$PROFILE")
  args+=(--memory "$MEMORY_QUOTES" --commit-delay "$COMMIT_DELAY")
  # fsync on: pg_virtualenv turns it off, and commits here must be durable.
  # pg_stat_statements counts the statements each operation costs.
  exec pg_virtualenv -o max_connections=200 -o fsync=on \
    -o shared_preload_libraries=pg_stat_statements \
    -o commit_delay="$COMMIT_DELAY" -o commit_siblings=2 -- "$0" "${args[@]}"
fi

if ((BUILD)); then
  "$ROOT/deploy/local/install-deps.sh"
  cmake -S . -B build -G Ninja >/dev/null
  ninja -C build loyalty-broker loyalclient-simulator sailplay-simulator artix-simulator \
    loyalty-loadgen loyalty-echo-server loyalty-vendor-probe >/dev/null
fi
B=build
source "$ROOT/bench/processes.sh"
# Each measure's output is captured: say which one failed.
trap 'echo "bench/run.sh: line $LINENO failed (exit $?)" >&2' ERR

BASE=$((18200 + RANDOM % 500))
LC_PORT=$BASE; LC_SLOW_PORT=$((BASE + 1)); SP_SLOW_PORT=$((BASE + 2)); AX_SLOW_PORT=$((BASE + 3))
ECHO_PORT=$((BASE + 4)); BROKER_PORT=$((BASE + 5))
wait_http() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/__sim/health" >/dev/null && return; sleep 0.05; done; echo "no simulator on $1" >&2; exit 1; }
sim() {  # sim <binary> <port> <seed> [latency_ms]
  "$B/simulators/$1" --port "$2" --seed "$3" 2>>"$WORK/sim.log" &
  PIDS+=($!)
  wait_http "$2"
  if [[ -n "${4:-}" ]]; then
    curl -sf -X POST "http://127.0.0.1:$2/__sim/faults" -d "{\"latency_ms\": $4}" >/dev/null
  fi
}
sim loyalclient-simulator $LC_PORT simulators/loyalclient/data/loyalclient-seed.json
LC_PID=${PIDS[-1]}
sim loyalclient-simulator $LC_SLOW_PORT simulators/loyalclient/data/loyalclient-seed.json 20
sim sailplay-simulator $SP_SLOW_PORT simulators/sailplay/data/sailplay-seed.json 20
sim artix-simulator $AX_SLOW_PORT simulators/artix/data/artix-seed.json 20
"$B/bench/loyalty-echo-server" --listen "127.0.0.1:$ECHO_PORT" 2>>"$WORK/echo.log" &
PIDS+=($!)

export BENCH_ONE_KEY="bench-one-key-0123456789" BENCH_THREE_KEY="bench-three-key-0123456789"
export LC_URL="http://127.0.0.1:$LC_PORT" LC_SLOW_URL="http://127.0.0.1:$LC_SLOW_PORT"
export SP_SLOW_URL="http://127.0.0.1:$SP_SLOW_PORT" AX_SLOW_URL="http://127.0.0.1:$AX_SLOW_PORT"
# Production settings, except logs at warning: one line per call and vendor
# call would otherwise be measured too.
export LOYALTY_GRPC__LISTEN="127.0.0.1:$BROKER_PORT" LOYALTY_METRICS__LISTEN="127.0.0.1:0"
export LOYALTY_LOGGING__LEVEL=warning LOYALTY_DATABASE__POOL_SIZE=$((CONCURRENCY + 4))
export LOYALTY_BROKER__WORKER_THREADS=$((CONCURRENCY * 2))
# BROKER: another broker binary, to compare two builds.
BROKER="${BROKER:-$B/broker/loyalty-broker}"
"$BROKER" migrate >/dev/null 2>&1
"$BROKER" register --stores bench/stores.yaml >/dev/null
"$BROKER" serve 2>"$WORK/broker.log" &
BROKER_PID=$!
PIDS+=($BROKER_PID)
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 100); do listening $BROKER_PORT && break; sleep 0.05; done
listening $BROKER_PORT || { cat "$WORK/broker.log"; exit 1; }

# pgbench: one single-row insert per transaction, synchronous commit (the
# same durability the broker's commits get).
echo "PostgreSQL fsync=$(psql -Atc "SHOW fsync") synchronous_commit=$(psql -Atc "SHOW synchronous_commit") commit_delay=$(psql -Atc "SHOW commit_delay")" >&2
psql -q -c "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, payload text NOT NULL)"
# Where the cluster preloads it (the suite's own cluster does); else no statement counts.
psql -q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" 2>/dev/null || true
echo "INSERT INTO bench_insert (payload) VALUES ('x');" >"$WORK/insert.sql"

field() { python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['$1'])"; }
loadgen() {  # loadgen <target port> <key> <concurrency> <mix> [extra...]
  local port=$1 key=$2 c=$3 mix=$4; shift 4
  "$B/bench/loyalty-loadgen" --target "127.0.0.1:$port" --api-key "$key" --concurrency "$c" \
    --connections 4 --duration "$SECONDS_PER" --mix "$mix" --json "$@"
}
probe() {  # probe <port> <concurrency>
  "$B/bench/loyalty-vendor-probe" --base-url "http://127.0.0.1:$1" --concurrency "$2" \
    --duration "$SECONDS_PER" --json
}

# CPU per operation per process and database work per operation (measure.py).
# With --profile, perf samples the whole machine meanwhile (call graphs).
measured() {  # measured <name> <command...>
  local name=$1; shift
  if [[ -z "$PROFILE" ]]; then
    bench/measure.py --broker "$BROKER_PID" --vendor "$LC_PID" -- "$@"
    return
  fi
  mkdir -p "$PROFILE"
  perf record -a -g -F 499 -o "$PROFILE/$name.data" -- sleep "$SECONDS_PER" \
    >/dev/null 2>&1 &
  local perf_pid=$!
  bench/measure.py --broker "$BROKER_PID" --vendor "$LC_PID" -- "$@"
  wait "$perf_pid" || true
  bench/profile_report.sh "$PROFILE/$name.data" "$BROKER_PID" \
    >"$PROFILE/$name.txt" 2>/dev/null || true
}

echo "== measuring: ${SECONDS_PER}s per measure, concurrency $CONCURRENCY ==" >&2
ECHO_C=$(loadgen $ECHO_PORT x "$CONCURRENCY" quote=1)
VENDOR_1=$(probe $LC_PORT 1)
VENDOR_C=$(measured vendor "$B/bench/loyalty-vendor-probe" --base-url "http://127.0.0.1:$LC_PORT" \
  --concurrency "$CONCURRENCY" --duration "$SECONDS_PER" --json)
VENDOR_BOOK_C=$(measured vendor-book "$B/bench/loyalty-vendor-probe" --book \
  --base-url "http://127.0.0.1:$LC_PORT" --concurrency "$CONCURRENCY" --duration "$SECONDS_PER" --json)
VENDOR_SLOW=$(probe $LC_SLOW_PORT 1)
PGBENCH_TPS=$(pgbench -n -f "$WORK/insert.sql" -c "$CONCURRENCY" -j 2 -T "$SECONDS_PER" 2>/dev/null |
  awk '/^tps/ {print $3; exit}')
QUOTE_1=$(loadgen $BROKER_PORT $BENCH_ONE_KEY 1 quote=1)
QUOTE_C=$(measured quote "$B/bench/loyalty-loadgen" --target "127.0.0.1:$BROKER_PORT" \
  --api-key "$BENCH_ONE_KEY" --concurrency "$CONCURRENCY" --connections 4 \
  --duration "$SECONDS_PER" --mix quote=1 --json)
FANOUT_1=$(loadgen $BROKER_PORT $BENCH_THREE_KEY 1 quote=1)
COMMIT_C=$(measured commit "$B/bench/loyalty-loadgen" --target "127.0.0.1:$BROKER_PORT" \
  --api-key "$BENCH_ONE_KEY" --concurrency "$CONCURRENCY" --connections 4 \
  --duration "$SECONDS_PER" --mix commit=1 --json)

# The saturation curve: open loop at rising rates, each for half a measure,
# until p99 passes 50 ms or errors pass 1%.
SATURATION=""
if ((SMOKE)); then RATES="200 400"; else RATES="250 500 1000 1500 2000 2500 3000 4000 5000 6000 7000 8000 10000"; fi
for rate in $RATES; do
  point=$("$B/bench/loyalty-loadgen" --target "127.0.0.1:$BROKER_PORT" --api-key "$BENCH_ONE_KEY" \
    --rate "$rate" --concurrency 256 --connections 4 \
    --duration "$(( SECONDS_PER > 1 ? SECONDS_PER / 2 : 1 ))" --mix quote=1 --json | tail -1)
  SATURATION+="$rate $point"$'\n'
  python3 -c "import json,sys; x=json.loads(sys.argv[1]); sys.exit(0 if x['p99_ms'] <= 50 and x['errors'] <= 0.01 * max(x['count'], 1) else 1)" "$point" || break
done

# Memory: resident size after a warm-up, then after MEMORY_QUOTES more quotes.
MEMORY=""
if ((MEMORY_QUOTES > 0)); then
  "$B/bench/loyalty-loadgen" --target "127.0.0.1:$BROKER_PORT" --api-key "$BENCH_ONE_KEY" \
    --concurrency "$CONCURRENCY" --connections 4 --count 20000 --mix quote=1 --json >/dev/null
  MEMORY=$(measured memory "$B/bench/loyalty-loadgen" --target "127.0.0.1:$BROKER_PORT" \
    --api-key "$BENCH_ONE_KEY" --concurrency "$CONCURRENCY" --connections 4 \
    --count "$MEMORY_QUOTES" --mix quote=1 --json)
fi
# What the rows written meanwhile take on disk (tables with their indexes and
# TOAST; a partitioned table's own size is its partitions').
STORAGE=$(psql -Atc "
WITH tree(name, tables) AS (VALUES
  ('quote', ARRAY['quotes']),
  ('purchase', ARRAY['purchases', 'purchase_status_history', 'outbox', 'holds',
                     'idempotency_keys']),
  ('journal', ARRAY['vendor_operations'])),
bytes AS (
  SELECT t.name, sum(pg_total_relation_size(r)) AS bytes
  FROM tree t, unnest(t.tables) AS tab,
       LATERAL (SELECT tab::regclass::oid AS r
                UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = tab::regclass) p
  GROUP BY t.name)
SELECT json_build_object(
  'quote_bytes', (SELECT bytes FROM bytes WHERE name = 'quote'),
  'purchase_bytes', (SELECT bytes FROM bytes WHERE name = 'purchase'),
  'journal_bytes', (SELECT bytes FROM bytes WHERE name = 'journal'),
  'quotes', (SELECT count(*) FROM quotes),
  'purchases', (SELECT count(*) FROM purchases),
  'journal_rows', (SELECT count(*) FROM vendor_operations))")
[[ -n "${BENCH_DEBUG:-}" ]] && printf "%s\n" "$ECHO_C" "$VENDOR_1" "$VENDOR_C" "$QUOTE_1" "$QUOTE_C" "$FANOUT_1" "$COMMIT_C" >&2 || true

python3 - "$ECHO_C" "$VENDOR_1" "$VENDOR_C" "$VENDOR_SLOW" "$PGBENCH_TPS" "$QUOTE_1" "$QUOTE_C" \
  "$FANOUT_1" "$COMMIT_C" "$CONCURRENCY" "$VENDOR_BOOK_C" "$SATURATION" "$MEMORY" \
  "$MEMORY_QUOTES" "$STORAGE" <<'PY'
import json, sys
(echo_c, vendor_1, vendor_c, vendor_slow, pg_tps, quote_1, quote_c, fanout_1, commit_c,
 conc, vendor_book_c, saturation, memory, memory_quotes, storage) = sys.argv[1:]
j = lambda s: json.loads(s.strip().splitlines()[-1])
echo_c, vendor_1, vendor_c, vendor_slow = j(echo_c), j(vendor_1), j(vendor_c), j(vendor_slow)
vendor_book_c = j(vendor_book_c)
quote_1, quote_c, fanout_1, commit_c = j(quote_1), j(quote_c), j(fanout_1), j(commit_c)
pg_tps = float(pg_tps or 0)
# What each process spent per operation: stable where throughput is not.
def cpu(x, name):
    c = x["cpu_per_op"][name]
    return f'{c["user_ms"] + c["sys_ms"]:.3f} ({c["user_ms"]:.3f} + {c["sys_ms"]:.3f})'
def per_op(x, name):
    return f'{x[name]:.2f}' if name in x else "n/a"
print("CPU ms per operation, user + system; database work per operation:")
print()
print("| operation | broker | PostgreSQL | vendor simulator | load generator | transactions | WAL flushes | statements | broker thread switches | TCP connections opened |")
print("|---|---|---|---|---|---|---|---|---|---|")
# The load generator's commit quotes first: its commit alone is the
# difference of the two rows.
commit_only = {"cpu_per_op": {n: {k: commit_c["cpu_per_op"][n][k] - quote_c["cpu_per_op"][n][k]
                                  for k in ("user_ms", "sys_ms")} for n in commit_c["cpu_per_op"]}}
for name in ("commits_per_op", "wal_flushes_per_op", "statements_per_op", "broker_switches_per_op",
             "tcp_opens_per_op"):
    if name in commit_c and name in quote_c:
        commit_only[name] = commit_c[name] - quote_c[name]
for label, x in ((f"vendor direct quote (c={conc})", vendor_c),
                 (f"vendor direct booking, retail (c={conc})", vendor_book_c),
                 (f"broker quote, 1 vendor (c={conc})", quote_c),
                 (f"broker commit with its quote (c={conc})", commit_c),
                 ("broker commit alone (difference)", commit_only)):
    broker = cpu(x, "broker") if label.startswith("broker") else "-"
    print(f'| {label} | {broker} | {cpu(x, "postgres")} | {cpu(x, "vendor")} | {cpu(x, "loadgen")} | '
          f'{per_op(x, "commits_per_op")} | {per_op(x, "wal_flushes_per_op")} | '
          f'{per_op(x, "statements_per_op")} | {per_op(x, "broker_switches_per_op")} | '
          f'{per_op(x, "tcp_opens_per_op")} |')
print()
rows = []
def row(measure, value, baseline_name, baseline, target, ok, ratio_text):
    rows.append((measure, value, baseline_name, baseline, ratio_text, target, "yes" if ok else "no"))
add50 = quote_1["p50_ms"] - vendor_1["p50_ms"]
add99 = quote_1["p99_ms"] - vendor_1["p99_ms"]
row("quote, 1 vendor, p50 (c=1)", f'{quote_1["p50_ms"]:.3f} ms', "vendor direct p50",
    f'{vendor_1["p50_ms"]:.3f} ms', "added <= 0.4 ms", add50 <= 0.4, f"+{add50:.3f} ms")
row("quote, 1 vendor, p99 (c=1)", f'{quote_1["p99_ms"]:.3f} ms', "vendor direct p99",
    f'{vendor_1["p99_ms"]:.3f} ms', "added <= 1 ms", add99 <= 1.0, f"+{add99:.3f} ms")
# Artix discounts the cart, so the quote has two phases: every vendor at
# list prices, then LoyalClient and SailPlay on the discounted cart. The
# bound is the sum of the slowest call of each phase.
phases = 2 * vendor_slow["p50_ms"]
fan = fanout_1["p50_ms"] / phases if phases else 0
row("quote, 3 vendors @20 ms, two phases, p50 (c=1)", f'{fanout_1["p50_ms"]:.3f} ms',
    "2 x slowest vendor direct p50", f'{phases:.3f} ms', "<= 1.1 x", fan <= 1.1,
    f"{fan:.2f} x")
q = quote_c["rps"] / vendor_c["rps"] if vendor_c["rps"] else 0
row(f"quotes/s, 1 vendor (c={conc})", f'{quote_c["rps"]:.0f}/s', "vendor direct quotes",
    f'{vendor_c["rps"]:.0f}/s', ">= 0.5 x", q >= 0.5, f"{q:.2f} x")
c = commit_c["rps"] / vendor_book_c["rps"] if vendor_book_c["rps"] else 0
row(f"durable commits/s (c={conc})", f'{commit_c["rps"]:.0f}/s', "vendor direct bookings",
    f'{vendor_book_c["rps"]:.0f}/s', ">= 0.5 x", c >= 0.5, f"{c:.2f} x")
e = quote_c["rps"] / echo_c["rps"] if echo_c["rps"] else 0
row(f"(quotes/s beside bare gRPC echo, c={conc})", f'{quote_c["rps"]:.0f}/s', "bare gRPC echo",
    f'{echo_c["rps"]:.0f}/s', "-", True, f"{e:.2f} x")
p = commit_c["rps"] / pg_tps if pg_tps else 0
row(f"(commits/s beside pgbench, c={conc})", f'{commit_c["rps"]:.0f}/s',
    "pgbench 1-row inserts", f"{pg_tps:.0f}/s", "-", True, f"{p:.2f} x")
errors = sum(x["errors"] for x in (echo_c, quote_1, quote_c, fanout_1, commit_c))
print("| measure | broker | baseline | baseline value | ratio | target | met |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} |")
print()
print(f"quote p50/p90/p99 at c={conc}: {quote_c['p50_ms']:.2f} / {quote_c['p90_ms']:.2f} / "
      f"{quote_c['p99_ms']:.2f} ms; commit p50/p99: {commit_c['p50_ms']:.2f} / "
      f"{commit_c['p99_ms']:.2f} ms; errors across broker runs: {errors}")
if errors:
    for name, x in (("quote c=1", quote_1), ("quote", quote_c), ("fan-out", fanout_1), ("commit", commit_c)):
        if x["errors"]:
            print(f"  {name}: {x['error_codes']}")
print()
print("Saturation, 1-vendor quotes, open loop (calls over 256 in flight count as CLIENT_OVERLOADED):")
print()
print("| rate asked | achieved | p50 | p99 | errors |")
print("|---|---|---|---|---|")
for line in saturation.strip().splitlines():
    rate, point = line.split(" ", 1)
    x = json.loads(point)
    print(f'| {rate}/s | {x["rps"]:.0f}/s | {x["p50_ms"]:.2f} ms | {x["p99_ms"]:.2f} ms | '
          f'{x["errors"]} {x["error_codes"]} |')
for label, x in (("quote", quote_c), ("commit with its quote", commit_c)):
    if x.get("statements"):
        print()
        print(f"Statements per {label} (pg_stat_statements; the suite's own cluster):")
        print()
        for st in x["statements"]:
            print(f'- {st["per_op"]:.2f} x `{st["statement"]}`')
if storage:
    s = json.loads(storage)
    per_quote = s["quote_bytes"] / max(s["quotes"], 1)
    per_purchase = s["purchase_bytes"] / max(s["purchases"], 1)
    per_row = s["journal_bytes"] / max(s["journal_rows"], 1)
    rows_per_quote = s["journal_rows"] / max(s["quotes"], 1)
    # A stated rate: 100 quotes/s and 30 purchases/s around the clock.
    month = 30 * 86400 * (100 * (per_quote + rows_per_quote * per_row) + 30 * per_purchase)
    print()
    print(f'Storage (tables with their indexes): {per_quote:.0f} bytes per quote with its lines, '
          f'programs and discounts ({s["quotes"]} quotes); {per_purchase:.0f} bytes per purchase '
          f'with its lines, programs, discounts, history, holds and stored answer '
          f'({s["purchases"]} purchases); {per_row:.0f} bytes per journal row, '
          f'{rows_per_quote:.2f} rows per quote. A month at 100 quotes/s and 30 purchases/s: '
          f'{month / 2**30:.0f} GiB.')
if memory:
    m = j(memory)
    print()
    print(f'Broker resident memory: {m["broker_rss_kb_before"] / 1024:.1f} MiB after a 20000-quote '
          f'warm-up, {m["broker_rss_kb_after"] / 1024:.1f} MiB after {memory_quotes} more quotes '
          f'({m["errors"]} errors).')
PY
