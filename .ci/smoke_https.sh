#!/usr/bin/env bash
# HTTPS smoke: nginx with a self-signed certificate (deploy/nginx/shebao.conf.template, HTTP/2) in front of a
# portal process group (SHEBAO_SITES=portal, 2 processes under the multi-process server) and an office process (SHEBAO_SITES=office),
# a task worker, on PostgreSQL (its own database); then the journey of .ci/smoke_https.py and a graceful restart.
# Bounded: a watchdog ends the whole run after SMOKE_TIMEOUT seconds (default 600); everything it started is
# stopped and its database dropped on every exit.
#   bash .ci/smoke_https.sh            (needs PostgreSQL on 127.0.0.1:5432; installs nginx from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="${PY:-$ROOT/.venv/bin/python}"
PG="${SMOKE_PG:-postgres://postgres@127.0.0.1:5432}"
DB="${SMOKE_DB:-shebao_smoke_https}"
PORTAL_PORT="${SMOKE_PORTAL_PORT:-18443}"
OFFICE_PORT="${SMOKE_OFFICE_PORT:-18444}"
WORK="$(mktemp -d /tmp/shebao-smoke.XXXXXX)"
STARTED=$(date +%s)
PIDS=()
say() { printf '[smoke %3ss] %s\n' "$(( $(date +%s) - STARTED ))" "$*"; }

cleanup() {
  status=$?
  trap - EXIT INT TERM
  [ -n "${WATCHDOG:-}" ] && kill "$WATCHDOG" 2>/dev/null || true
  if [ -f "$WORK/nginx.pid" ]; then nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; fi
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$status" != 0 ]; then
    for log in "$WORK"/*.log; do [ -f "$log" ] && { echo "---- $log"; tail -n 40 "$log"; }; done
  fi
  rm -rf "$WORK"
  say "stopped everything it started (exit $status)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
( sleep "${SMOKE_TIMEOUT:-600}"; echo "[smoke] timed out"; kill -TERM $$ ) &
WATCHDOG=$!

if ! command -v nginx >/dev/null 2>&1; then
  say "installing nginx from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
nginx -v 2>&1 | sed 's/^/  /'

say "self-signed certificate"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null

export SHEBAO_DATABASE_URL="$PG/$DB"
export SHEBAO_DATA_DIR="$WORK/var"
export SHEBAO_SECRET_KEY="smoke-$(openssl rand -hex 24)"
export SHEBAO_TRUSTED_PROXIES=1 SHEBAO_HTTPS=1 SHEBAO_LOGIN_IP_MAX_FAILURES=3 SHEBAO_LOGIN_IP_DELAY_SECONDS=3
export SHEBAO_ALLOWED_HOSTS="127.0.0.1,localhost"
export SHEBAO_CSRF_TRUSTED_ORIGINS="https://127.0.0.1:$PORTAL_PORT,https://127.0.0.1:$OFFICE_PORT"
export DJANGO_SETTINGS_MODULE=shebao.settings PGOPTIONS="-c client_min_messages=warning"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
psql "$PG/postgres" -qc "CREATE DATABASE \"$DB\"" >/dev/null

say "demo data on PostgreSQL, static files"
"$PY" -m shebao.cli demo --no-serve --employers 6 --persons 120 >"$WORK/demo.log" 2>&1
INDIVIDUAL="$(grep -oE '用户名 [0-9X]{18}' "$WORK/demo.log" | head -1 | cut -d' ' -f2)"
PASSWORD="$(grep -oE '密码均为 [^)]+' "$WORK/demo.log" | cut -d' ' -f2)"
"$PY" -m shebao.cli manage collectstatic --noinput -v 0

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1="$(free_port)"; O1="$(free_port)"
say "portal: 2 processes (shebao serve --workers 2) on :$P1; office: waitress on :$O1; one worker"
SHEBAO_SITES=portal setsid "$PY" -m shebao.cli serve --workers 2 --threads 4 --port "$P1" --no-migrate --no-worker \
  >"$WORK/portal.log" 2>&1 &
PIDS+=($!); PORTAL_PID=$!
SHEBAO_SITES=office setsid "$PY" -m shebao.cli serve --port "$O1" --no-migrate --no-worker >"$WORK/office.log" 2>&1 &
PIDS+=($!)
setsid "$PY" -m shebao.cli worker >"$WORK/worker.log" 2>&1 &
PIDS+=($!)

PORTAL_LISTEN="127.0.0.1:$PORTAL_PORT" OFFICE_LISTEN="127.0.0.1:$OFFICE_PORT" \
PORTAL_NAME=localhost OFFICE_NAME=localhost \
PORTAL_UPSTREAM="server 127.0.0.1:$P1;" OFFICE_UPSTREAM="server 127.0.0.1:$O1;" \
TLS_CERT="$WORK/tls.crt" TLS_KEY="$WORK/tls.key" STATIC_ROOT="$SHEBAO_DATA_DIR/static" \
  bash deploy/nginx/render.sh >"$WORK/shebao.conf"
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  access_log $WORK/nginx-access.log;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  include $WORK/shebao.conf;
}
NGINX
nginx -p "$WORK" -c "$WORK/nginx.conf" -t 2>&1 | sed 's/^/  /'
nginx -p "$WORK" -c "$WORK/nginx.conf"

PORTAL="https://127.0.0.1:$PORTAL_PORT"; OFFICE="https://127.0.0.1:$OFFICE_PORT"
for _ in $(seq 1 120); do
  curl -skf "$PORTAL/healthz" >/dev/null 2>&1 && curl -skf "$OFFICE/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
say "nginx up: TLS, HTTP/2 and static files"
[ "$(curl -sk --http2 -o /dev/null -w '%{http_version}' "$PORTAL/healthz")" = "2" ] || { echo "no HTTP/2"; exit 1; }
curl -skI "$PORTAL/static/shebao/site.css" | tr -d '\r' | grep -qi '^server: nginx' || { echo "static not from nginx"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORTAL_PORT/healthz")" = "400" ] || true
big="$(head -c 21000000 /dev/zero | curl -sk -o /dev/null -w '%{http_code}' -X POST --data-binary @- "$PORTAL/accounts/login/")"
[ "$big" = "413" ] || { echo "a 21 MB upload to the portal should be refused by nginx (413), got $big"; exit 1; }
echo "  ✓ HTTP/2, static files served by nginx, 21 MB body refused with 413"

say "journey"
"$PY" .ci/smoke_https.py "$PORTAL" "$OFFICE" "$PASSWORD" "$INDIVIDUAL"

say "graceful restart of the portal processes (SIGHUP) under requests"
codes="$WORK/codes"
( for _ in $(seq 1 60); do curl -sk -o /dev/null -w '%{http_code}\n' "$PORTAL/portal/items/Q20/"; done >"$codes" ) &
LOOP=$!
sleep 0.3; kill -HUP "$PORTAL_PID"; wait "$LOOP"
bad="$(grep -vc '^200$' "$codes" || true)"
[ "$bad" = 0 ] || { echo "during the restart $bad of 60 requests failed:"; sort "$codes" | uniq -c; exit 1; }
echo "  ✓ 60 requests across a SIGHUP restart, all 200"
say "smoke journey over HTTPS passed"
