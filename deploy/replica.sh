#!/usr/bin/env bash
# A real PostgreSQL streaming replica on this machine: a second cluster on another port, made from the running
# primary with pg_basebackup, replaying its WAL as a hot standby (read-only). Run as root (the cluster runs as
# the postgres user). For the read replica of shebao: SHEBAO_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<db>
#
#   deploy/replica.sh start  [--primary-port 5432] [--port 5433] [--dir /var/lib/postgresql/shebao-replica-5433]
#   deploy/replica.sh status [--primary-port 5432] [--port 5433]
#   deploy/replica.sh stop   [--primary-port 5432] [--port 5433] [--dir …] [--remove]
#                            (--remove deletes the replica's data dir and its replication slot on the primary)
#
# On the primary it needs wal_level replica (the default) and max_wal_senders > 0, and a pg_hba.conf line that
# lets 127.0.0.1 connect for replication: if there is none, `start` adds
#     host replication all 127.0.0.1/32 trust
# and reloads the primary (a development set-up; in production use a replication role with scram-sha-256 and a
# replication slot, see deploy/README.md).
set -euo pipefail
ACTION="${1:-}"; shift || true
PRIMARY_PORT=5432; PORT=5433; DIR=""; REMOVE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --primary-port) PRIMARY_PORT="$2"; shift 2;;
    --port) PORT="$2"; shift 2;;
    --dir) DIR="$2"; shift 2;;
    --remove) REMOVE=1; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
DIR="${DIR:-/var/lib/postgresql/shebao-replica-$PORT}"
# A replication slot keeps on the primary the WAL the replica has not received yet (without it, a busy primary
# recycles WAL during the base backup and the replica can never start streaming). `stop --remove` drops it: a
# slot whose replica is gone makes the primary keep WAL for ever.
SLOT="shebao_replica_$PORT"
PSQL_PRIMARY=(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atq)
PSQL_REPLICA=(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atq)
as_postgres() { runuser -u postgres -- "$@"; }

bindir() {
  local major
  major="$("${PSQL_PRIMARY[@]}" -c 'SHOW server_version_num' | cut -c1-2)"
  echo "/usr/lib/postgresql/$major/bin"
}

case "$ACTION" in
start)
  BIN="$(bindir)"
  [ -x "$BIN/pg_basebackup" ] || { echo "no PostgreSQL server binaries in $BIN" >&2; exit 1; }
  if "${PSQL_REPLICA[@]}" -c 'SELECT 1' >/dev/null 2>&1; then
    echo "something already answers on port $PORT:"; "${PSQL_REPLICA[@]}" -c 'SELECT pg_is_in_recovery()'; exit 0
  fi
  wal_level="$("${PSQL_PRIMARY[@]}" -c 'SHOW wal_level')"
  senders="$("${PSQL_PRIMARY[@]}" -c 'SHOW max_wal_senders')"
  if [ "$wal_level" = minimal ] || [ "$senders" = 0 ]; then
    echo "the primary has wal_level=$wal_level, max_wal_senders=$senders: set replica and > 0, restart it" >&2; exit 1
  fi
  hba="$("${PSQL_PRIMARY[@]}" -c 'SHOW hba_file')"
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "adding 'host replication all 127.0.0.1/32 trust' to $hba and reloading the primary"
    printf '\n# shebao deploy/replica.sh: a local streaming replica\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
    "${PSQL_PRIMARY[@]}" -c 'SELECT pg_reload_conf()' >/dev/null
  fi
  if [ -e "$DIR" ]; then
    echo "$DIR exists: stop and --remove the old replica first" >&2; exit 1
  fi
  mkdir -p "$(dirname "$DIR")"
  echo "pg_basebackup of 127.0.0.1:$PRIMARY_PORT into $DIR …"
  started=$(date +%s)
  as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR" \
    --write-recovery-conf --wal-method=stream --checkpoint=fast --no-sync --create-slot --slot="$SLOT"
  echo "  copied $(du -sh "$DIR" | cut -f1) in $(( $(date +%s) - started )) s"
  # Debian keeps the configuration outside the data directory: the replica gets its own, minimal one.
  as_postgres tee "$DIR/postgresql.conf" >/dev/null <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = 128MB
cluster_name = 'shebao-replica-$PORT'
logging_collector = off
CONF
  as_postgres tee "$DIR/pg_hba.conf" >/dev/null <<CONF
local all all trust
host all all 127.0.0.1/32 trust
CONF
  as_postgres touch "$DIR/pg_ident.conf"
  as_postgres "$BIN/pg_ctl" -D "$DIR" -l "$DIR/replica.log" -w -t 120 start >/dev/null
  for _ in $(seq 1 60); do
    [ "$("${PSQL_REPLICA[@]}" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
    sleep 1
  done
  "$0" status --primary-port "$PRIMARY_PORT" --port "$PORT"
  ;;
status)
  echo "replica on $PORT: in recovery = $("${PSQL_REPLICA[@]}" -c 'SELECT pg_is_in_recovery()')"
  "${PSQL_PRIMARY[@]}" -F ' ' -c "SELECT 'primary sees: ' || application_name, state, 'replay lag bytes',
    pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication"
  ;;
stop)
  BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  [ -f "$DIR/PG_VERSION" ] && BIN="/usr/lib/postgresql/$(cat "$DIR/PG_VERSION")/bin"
  if [ -f "$DIR/postmaster.pid" ]; then as_postgres "$BIN/pg_ctl" -D "$DIR" -m fast -w stop; fi
  if [ "$REMOVE" = 1 ]; then
    rm -rf "$DIR"; echo "removed $DIR"
    dropped="$("${PSQL_PRIMARY[@]}" -c "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots
      WHERE slot_name = '$SLOT' AND NOT active")"
    if [ "$dropped" = 1 ]; then echo "dropped the slot $SLOT on the primary"; fi
  fi
  ;;
*)
  sed -n '2,18p' "$0"; exit 2;;
esac
