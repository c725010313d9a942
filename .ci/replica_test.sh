#!/usr/bin/env bash
# The read-replica test against a real streaming replica, self-contained: a throw-away primary cluster (initdb,
# port 5434) and its replica made by deploy/replica.sh (pg_basebackup, port 5435), both under a temporary
# directory; the test (shebao/core/tests/test_replica.py); then both clusters stopped and removed on every exit.
# Leaves the machine's own PostgreSQL untouched. Bounded by REPLICA_TIMEOUT seconds (default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
P="${REPLICA_PRIMARY_PORT:-5434}"; R="${REPLICA_PORT:-5435}"
WORK="$(mktemp -d /tmp/shebao-replica.XXXXXX)"; chown postgres "$WORK"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_postgres() { runuser -u postgres -- "$@"; }
cleanup() {
  status=$?
  trap - EXIT INT TERM
  [ -n "${WATCHDOG:-}" ] && kill "$WATCHDOG" 2>/dev/null || true
  bash deploy/replica.sh stop --primary-port "$P" --port "$R" --dir "$WORK/replica" >/dev/null 2>&1 || true
  [ -f "$WORK/primary/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$WORK/primary" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$WORK"
  echo "[replica] stopped and removed both clusters (exit $status)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
( sleep "${REPLICA_TIMEOUT:-600}"; echo "[replica] timed out"; kill -TERM $$ ) &
WATCHDOG=$!

as_postgres "$BIN/initdb" -D "$WORK/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$WORK/primary/postgresql.conf" <<CONF
port = $P
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
wal_level = replica
max_wal_senders = 5
fsync = off
CONF
as_postgres "$BIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
bash deploy/replica.sh start --primary-port "$P" --port "$R" --dir "$WORK/replica"
psql -h 127.0.0.1 -p "$P" -U postgres -qc 'CREATE DATABASE shebao_replica_ci' >/dev/null
SHEBAO_DATABASE_URL="postgres://postgres@127.0.0.1:$P/shebao_replica_ci" \
SHEBAO_TEST_REPLICA_SERVER="postgres://postgres@127.0.0.1:$R" \
  .venv/bin/pytest shebao/core/tests/test_replica.py -rA
