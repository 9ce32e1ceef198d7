#!/usr/bin/env bash
# The broker past one machine, on one machine: etcd, two PostgreSQL 15 nodes
# under Patroni with synchronous replication, HAProxy leading database
# connections to the current primary, three broker replicas, and HAProxy in
# front of them as the tills' gRPC entry point. The configuration files
# beside this script are the ones real hosts use; only addresses differ.
#
#   deploy/ha/stack.sh up [--stores FILE] [--simulators]
#   deploy/ha/stack.sh status | primary | env | logs
#   deploy/ha/stack.sh wait-sync           # until a synchronous standby follows
#   deploy/ha/stack.sh kill-primary        # kill -9 the primary's PostgreSQL
#   deploy/ha/stack.sh kill-broker N       # kill -9 broker replica N (1-3)
#   deploy/ha/stack.sh start-broker N
#   deploy/ha/stack.sh down                # stops everything, removes its data
#
# HA_DIR (default /tmp/loyalty-ha) holds data, logs and pids; HA_BASE_PORT
# (default 26000, below the kernel's ephemeral range) is the first of the
# ports it uses (see ports below).
# Needs the built binaries (cmake -S . -B build -G Ninja && ninja -C build)
# and the Debian packages etcd-server, patroni, haproxy and postgresql-15.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/deploy/ha"
HA_DIR="${HA_DIR:-/tmp/loyalty-ha}"
BASE="${HA_BASE_PORT:-26000}"
BIN="${LOYALTY_BUILD_DIR:-$ROOT/build}"

# Ports, from HA_BASE_PORT.
ETCD_CLIENT=$((BASE + 0)) ETCD_PEER=$((BASE + 1))
PG_PORT=([1]=$((BASE + 10)) [2]=$((BASE + 11)))
PG_API=([1]=$((BASE + 20)) [2]=$((BASE + 21)))
DB_ENTRY=$((BASE + 30)) GRPC_ENTRY=$((BASE + 40)) HAPROXY_STATS=$((BASE + 41))
BROKER_GRPC=([1]=$((BASE + 50)) [2]=$((BASE + 51)) [3]=$((BASE + 52)))
BROKER_READY=([1]=$((BASE + 60)) [2]=$((BASE + 61)) [3]=$((BASE + 62)))
BROKER_METRICS=([1]=$((BASE + 70)) [2]=$((BASE + 71)) [3]=$((BASE + 72)))
declare -A SIMULATOR_PORT=([loyalclient]=$((BASE + 81)) [sailplay]=$((BASE + 82))
  [artix]=$((BASE + 83)))

# Passwords of this throwaway stack; real hosts set their own.
SUPERUSER_PASSWORD="${HA_SUPERUSER_PASSWORD:-ha-superuser-local-only}"
REPLICATION_PASSWORD="${HA_REPLICATION_PASSWORD:-ha-replication-local-only}"
BROKER_PASSWORD="${HA_BROKER_PASSWORD:-ha-broker-local-only}"

# The stack is self-contained: PG* variables of the caller's (a test
# cluster's password, say) would reach Patroni's pg_basebackup and psql and
# override what the stack sets.
while read -r name; do unset "$name"; done < <(compgen -e | grep '^PG' || true)

log() { echo "[ha] $*" >&2; }
die() {
  log "$*"
  exit 1
}

pidfile() { echo "$HA_DIR/pids/$1.pid"; }
alive() { [[ -f "$(pidfile "$1")" ]] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }

# Starts a long-running process in its own session, output to logs/NAME.log.
spawn() {
  local name=$1
  shift
  setsid "$@" >>"$HA_DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# Waits until `cmd` succeeds, at most `seconds`.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local until=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < until)) || die "gave up waiting for $what (logs in $HA_DIR/logs)"
    sleep 0.2
  done
}

http_status() { curl -s -o /dev/null -m 1 -w '%{http_code}' "$1" || true; }
is_primary() { [[ "$(http_status "http://127.0.0.1:${PG_API[$1]}/primary")" == 200 ]]; }
has_sync_standby() {
  curl -s -m 1 "http://127.0.0.1:${PG_API[$1]}/cluster" | grep -q '"role": *"sync_standby"'
}
primary_node() {
  local n
  for n in 1 2; do is_primary "$n" && echo "$n" && return 0; done
  return 1
}
primary_with_sync_standby() {
  local n
  n=$(primary_node) && has_sync_standby "$n"
}
wait_sync() { wait_for 90 "a synchronous standby" primary_with_sync_standby; }

start_etcd() {
  spawn etcd etcd --name ha-etcd --data-dir "$HA_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
    --initial-cluster "ha-etcd=http://127.0.0.1:$ETCD_PEER" --log-level warn
  wait_for 20 etcd curl -sf "http://127.0.0.1:$ETCD_CLIENT/health"
}

# PostgreSQL refuses to run as root: Patroni and its nodes run as postgres.
AS_POSTGRES=()
[[ "$(id -u)" == 0 ]] && AS_POSTGRES=(setpriv --reuid postgres --regid postgres --init-groups)

start_patroni() {
  local n=$1
  spawn "patroni$n" "${AS_POSTGRES[@]}" env HOME="$HA_DIR/pg" \
    PATRONI_NAME="pg$n" \
    PATRONI_RESTAPI_LISTEN="127.0.0.1:${PG_API[$n]}" \
    PATRONI_RESTAPI_CONNECT_ADDRESS="127.0.0.1:${PG_API[$n]}" \
    PATRONI_POSTGRESQL_LISTEN="127.0.0.1:${PG_PORT[$n]}" \
    PATRONI_POSTGRESQL_CONNECT_ADDRESS="127.0.0.1:${PG_PORT[$n]}" \
    PATRONI_POSTGRESQL_DATA_DIR="$HA_DIR/pg/node$n" \
    PATRONI_POSTGRESQL_PGPASS="$HA_DIR/pg/pgpass$n" \
    PATRONI_POSTGRESQL_BIN_DIR="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)" \
    PATRONI_ETCD3_HOSTS="127.0.0.1:$ETCD_CLIENT" \
    PATRONI_SUPERUSER_USERNAME=postgres PATRONI_SUPERUSER_PASSWORD="$SUPERUSER_PASSWORD" \
    PATRONI_REPLICATION_USERNAME=replicator PATRONI_REPLICATION_PASSWORD="$REPLICATION_PASSWORD" \
    PATRONI_LOG_LEVEL=WARNING \
    patroni "$HERE/patroni.yml"
}

start_db_haproxy() {
  spawn haproxy-db env HA_DB_LISTEN="127.0.0.1:$DB_ENTRY" \
    HA_PG1="127.0.0.1:${PG_PORT[1]}" HA_PG2="127.0.0.1:${PG_PORT[2]}" \
    HA_PG1_API="${PG_API[1]}" HA_PG2_API="${PG_API[2]}" \
    haproxy -db -f "$HERE/haproxy-db.cfg"
}

start_grpc_haproxy() {
  spawn haproxy-grpc env HA_GRPC_LISTEN="127.0.0.1:$GRPC_ENTRY" \
    HA_STATS_LISTEN="127.0.0.1:$HAPROXY_STATS" \
    HA_BROKER1="127.0.0.1:${BROKER_GRPC[1]}" HA_BROKER1_READY="${BROKER_READY[1]}" \
    HA_BROKER2="127.0.0.1:${BROKER_GRPC[2]}" HA_BROKER2_READY="${BROKER_READY[2]}" \
    HA_BROKER3="127.0.0.1:${BROKER_GRPC[3]}" HA_BROKER3_READY="${BROKER_READY[3]}" \
    haproxy -db -f "$HERE/haproxy-grpc.cfg"
}

# libpq through the database entry; target_session_attrs refuses a node
# that is no longer primary should the entry lag behind a switch.
database_url() {
  echo "host=127.0.0.1 port=$DB_ENTRY dbname=loyalty user=loyalty target_session_attrs=read-write"
}

# The broker binary as every replica and command of the stack runs it.
BROKER=(env PGPASSWORD="$BROKER_PASSWORD" LOYALTY_DATABASE__URL="$(database_url)"
  "$BIN/broker/loyalty-broker" --config "$HERE/broker.yaml")

start_broker() {
  local n=$1
  spawn "broker$n" env LOYALTY_GRPC__LISTEN="127.0.0.1:${BROKER_GRPC[$n]}" \
    LOYALTY_GRPC__READINESS_LISTEN="127.0.0.1:${BROKER_READY[$n]}" \
    LOYALTY_METRICS__LISTEN="127.0.0.1:${BROKER_METRICS[$n]}" "${BROKER[@]}" serve
  wait_for 30 "broker $n" curl -sf "http://127.0.0.1:${BROKER_READY[$n]}/ready"
}

start_simulators() {
  local vendor
  for vendor in loyalclient sailplay artix; do
    spawn "$vendor" "$BIN/simulators/$vendor-simulator" --port "${SIMULATOR_PORT[$vendor]}" \
      --seed "$ROOT/simulators/$vendor/data/$vendor-seed.json"
  done
  export LOYALCLIENT_URL="http://127.0.0.1:${SIMULATOR_PORT[loyalclient]}"
  export SAILPLAY_URL="http://127.0.0.1:${SIMULATOR_PORT[sailplay]}"
  export ARTIX_URL="http://127.0.0.1:${SIMULATOR_PORT[artix]}"
  export LOYALCLIENT_APIKEY=lc-demo-apikey-0001
  export SAILPLAY_DEPARTMENT_KEY=sp-demo-department-key-219 SAILPLAY_PIN_CODE=104443
  export STORE_001_API_KEY="${STORE_001_API_KEY:-demo-store-001-key-please-change}"
  export STORE_002_API_KEY="${STORE_002_API_KEY:-demo-store-002-key-please-change}"
  export STORE_003_API_KEY="${STORE_003_API_KEY:-demo-store-003-key-please-change}"
}

# psql as the superuser, through the database entry.
SUPERUSER_PSQL=(env PGPASSWORD="$SUPERUSER_PASSWORD" psql -h 127.0.0.1 -p "$DB_ENTRY" -U postgres
  -v ON_ERROR_STOP=1 -qtA)

# The broker's role and database, made once on the primary.
create_broker_database() {
  local psql=("${SUPERUSER_PSQL[@]}")
  "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'loyalty'" | grep -q 1 ||
    "${psql[@]}" -d postgres -c "CREATE ROLE loyalty LOGIN CREATEROLE PASSWORD '$BROKER_PASSWORD'"
  "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'loyalty'" | grep -q 1 ||
    "${psql[@]}" -d postgres -c "CREATE DATABASE loyalty OWNER loyalty"
  "${psql[@]}" -d loyalty -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
}

up() {
  local stores="" simulators=0
  while (($#)); do
    case $1 in
      --stores) stores=$2 && shift 2 ;;
      --simulators) simulators=1 && shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ -x "$BIN/broker/loyalty-broker" ]] || die "build first: ninja -C build"
  alive etcd && die "already up in $HA_DIR (stack.sh down first)"
  rm -rf "$HA_DIR"
  mkdir -p "$HA_DIR"/{pids,logs,pg,etcd}
  chmod 755 "$HA_DIR"
  [[ "$(id -u)" == 0 ]] && chown postgres "$HA_DIR/pg"
  start_etcd
  start_patroni 1
  wait_for 60 "the first PostgreSQL node to lead" is_primary 1
  start_patroni 2
  start_db_haproxy
  wait_sync
  wait_for 20 "the database entry" "${SUPERUSER_PSQL[@]}" -d postgres -c "SELECT 1"
  create_broker_database
  "${BROKER[@]}" migrate >>"$HA_DIR/logs/migrate.log" 2>&1
  ((simulators)) && start_simulators
  [[ -n "$stores" ]] && "${BROKER[@]}" register --stores "$stores" >>"$HA_DIR/logs/register.log" 2>&1
  local n
  for n in 1 2 3; do start_broker "$n"; done
  start_grpc_haproxy
  wait_for 20 "the gRPC entry" bash -c "echo >/dev/tcp/127.0.0.1/$GRPC_ENTRY"
  log "up: gRPC entry 127.0.0.1:$GRPC_ENTRY, database entry 127.0.0.1:$DB_ENTRY," \
    "primary pg$(primary_node)"
}

down() {
  local f
  for f in "$HA_DIR"/pids/*.pid; do
    [[ -f "$f" ]] || continue
    kill -9 -- "-$(cat "$f")" 2>/dev/null || kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  # A node's postmaster and backends outlive a killed Patroni.
  for f in "$HA_DIR"/pg/node*/postmaster.pid; do
    [[ -f "$f" ]] && kill_postgres "$(head -1 "$f")"
  done
  sleep 0.5
  rm -rf "$HA_DIR"
}

# kill -9 of a postmaster and every backend, as when its host fails. The
# backends are listed first: once the postmaster is gone they are no longer
# its children, and killed first they would make it restart them.
kill_postgres() {
  local postmaster=$1 backends
  backends=$(pgrep -P "$postmaster" || true)
  kill -9 "$postmaster" 2>/dev/null || true
  # shellcheck disable=SC2086  # one pid a word
  [[ -z "$backends" ]] || kill -9 $backends 2>/dev/null || true
}

# kill -9 of the primary's PostgreSQL. Patroni on that node sees the crash
# and hands the leader key to the synchronous standby
# (primary_start_timeout: 0).
kill_primary() {
  local n
  n=$(primary_node) || die "no primary now"
  kill_postgres "$(head -1 "$HA_DIR/pg/node$n/postmaster.pid")"
  echo "pg$n"
}

status() {
  local n
  for n in 1 2; do
    echo "pg$n: $(curl -s -m 1 "http://127.0.0.1:${PG_API[$n]}/patroni" | head -c 300 || echo down)"
  done
  for n in 1 2 3; do
    echo "broker$n: $(http_status "http://127.0.0.1:${BROKER_READY[$n]}/ready")"
  done
}

# What a client of the stack needs: the PG* variables of the database entry
# (as the broker) and the gRPC entry.
print_env() {
  echo "export PGHOST=127.0.0.1 PGPORT=$DB_ENTRY PGDATABASE=loyalty PGUSER=loyalty" \
    "PGPASSWORD=$BROKER_PASSWORD"
  echo "export HA_GRPC_ENTRY=127.0.0.1:$GRPC_ENTRY"
  echo "export HA_BROKER_READY_PORTS=${BROKER_READY[1]},${BROKER_READY[2]},${BROKER_READY[3]}"
  echo "export HA_PATRONI_PORTS=${PG_API[1]},${PG_API[2]}"
}

# The last lines of every log, for a failed test's report.
print_logs() {
  local f
  for f in "$HA_DIR"/logs/*.log; do
    echo "== $f"
    tail -n 15 "$f"
  done
}

case "${1:-}" in
  up) shift && up "$@" ;;
  down) down ;;
  status) status ;;
  primary) echo "pg$(primary_node)" ;;
  env) print_env ;;
  logs) print_logs ;;
  wait-sync) wait_sync ;;
  kill-primary) kill_primary ;;
  kill-broker) kill -9 "$(cat "$(pidfile "broker$2")")" && echo "broker$2" ;;
  start-broker) start_broker "$2" ;;
  *) sed -n '2,20p' "$0" && exit 2 ;;
esac
