#!/usr/bin/env bash
# Sets up and runs the broker's local stack on a fresh Debian machine:
# installs packages, builds, starts a PostgreSQL cluster in .local/pgdata,
# the vendor simulators and the broker, then plays a sample checkout at a
# LoyalClient store, a SailPlay store and an Artix + SailPlay store.
# Leaves the stack running until Ctrl-C (or exits after the checkout with
# --once).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
ONCE=0
[[ "${1:-}" == "--once" ]] && ONCE=1

"$ROOT/deploy/local/install-deps.sh"
cmake -S . -B build -G Ninja >/dev/null
ninja -C build loyalty-broker loyalclient-simulator sailplay-simulator artix-simulator loyalty-checkout-demo

STATE="$ROOT/.local"
mkdir -p "$STATE"
PGDATA="$STATE/pgdata"
PGPORT="${PGPORT:-55432}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
# The server refuses to run as root: the cluster belongs to the postgres user.
RUN_AS=()
[[ "$(id -u)" == "0" ]] && RUN_AS=(runuser -u postgres --)
if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
  chown postgres "$STATE" 2>/dev/null || true
  "${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -A trust -U loyalty >/dev/null
fi
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$STATE/postgres.log" -w \
  -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" status >/dev/null 2>&1 ||
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$STATE/postgres.log" -w \
    -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null || {
    # Say why here: most often the port is taken (55432 lies in Linux's range
    # of ports given to outgoing connections, so a client may hold it a while).
    echo "PostgreSQL did not start; the end of $STATE/postgres.log:" >&2
    tail -n 4 "$STATE/postgres.log" >&2
    echo "Try again in a minute, or on another port: PGPORT=55433 $0 $*" >&2
    exit 1
  }
export PGHOST=127.0.0.1 PGPORT PGUSER=loyalty PGDATABASE=postgres

export STORE_001_API_KEY="${STORE_001_API_KEY:-demo-store-001-key-please-change}"
export LOYALCLIENT_APIKEY=lc-demo-apikey-0001
export LOYALCLIENT_URL=http://127.0.0.1:18081
export STORE_002_API_KEY="${STORE_002_API_KEY:-demo-store-002-key-please-change}"
export SAILPLAY_URL=http://127.0.0.1:18082
export SAILPLAY_DEPARTMENT_KEY=sp-demo-department-key-219 SAILPLAY_PIN_CODE=104443
export STORE_003_API_KEY="${STORE_003_API_KEY:-demo-store-003-key-please-change}"
export ARTIX_URL=http://127.0.0.1:18083

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

build/simulators/loyalclient-simulator --port 18081 \
  --seed simulators/loyalclient/data/loyalclient-seed.json 2>"$STATE/loyalclient.log" &
PIDS+=($!)
build/simulators/sailplay-simulator --port 18082 \
  --seed simulators/sailplay/data/sailplay-seed.json 2>"$STATE/sailplay.log" &
PIDS+=($!)
build/simulators/artix-simulator --port 18083 \
  --seed simulators/artix/data/artix-seed.json 2>"$STATE/artix.log" &
PIDS+=($!)
build/broker/loyalty-broker --config deploy/local/broker.yaml migrate
build/broker/loyalty-broker --config deploy/local/broker.yaml register --stores deploy/local/stores.yaml
# The operators' service on its own port, with a token made for this run.
export LOYALTY_ADMIN_TOKEN
LOYALTY_ADMIN_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "local-operator $(printf %s "$LOYALTY_ADMIN_TOKEN" | sha256sum | cut -d' ' -f1)" >"$STATE/admin-tokens"
export LOYALTY_ADMIN__LISTEN=127.0.0.1:50052 LOYALTY_ADMIN__TOKENS_FILE="$STATE/admin-tokens"
build/broker/loyalty-broker --config deploy/local/broker.yaml serve 2>"$STATE/broker.log" &
PIDS+=($!)
for _ in $(seq 50); do
  grep -q broker_started "$STATE/broker.log" 2>/dev/null && break
  sleep 0.1
done

echo
echo "== Sample checkout at store-001 (LoyalClient) =="
build/broker/loyalty-checkout-demo --target 127.0.0.1:50051 --api-key "$STORE_001_API_KEY"
echo
echo "== Sample checkout at store-002 (SailPlay) =="
build/broker/loyalty-checkout-demo --target 127.0.0.1:50051 --api-key "$STORE_002_API_KEY"
echo
echo "== Sample checkout at store-003 (Artix promotions, SailPlay points) =="
build/broker/loyalty-checkout-demo --target 127.0.0.1:50051 --api-key "$STORE_003_API_KEY"
echo
echo "== What an operator sees of store-001 (admin service, no secrets) =="
build/broker/loyalty-broker --config deploy/local/broker.yaml admin show-store --store store-001
echo
echo "Broker log: $STATE/broker.log   PostgreSQL: psql -h 127.0.0.1 -p $PGPORT -U loyalty postgres"
if [[ "$ONCE" == "1" ]]; then exit 0; fi
echo "Admin: LOYALTY_ADMIN_TOKEN=$LOYALTY_ADMIN_TOKEN build/broker/loyalty-broker --config deploy/local/broker.yaml admin attention"
echo "The stack keeps running; Ctrl-C stops it."
wait
