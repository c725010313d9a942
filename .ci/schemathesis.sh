#!/usr/bin/env bash
# Schemathesis against the REST API's own OpenAPI document on a running server: a fresh SQLite database with a
# small demo data set, a server on a free local port, one pass with an employer token over the employer
# operations and one with a staff token over the office operations. Every operation, a bounded number of
# examples, checks: no server error, responses conform to the schema. Exit status non-zero on any failure.
#   .ci/schemathesis.sh            (uses .venv; SHEBAO_SCHEMATHESIS_EXAMPLES=N to change the bound, default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
ST="$PWD/.venv/bin/schemathesis"
EXAMPLES="${SHEBAO_SCHEMATHESIS_EXAMPLES:-15}"
WORK="$(mktemp -d)"
export SHEBAO_DATA_DIR="$WORK"
export SHEBAO_DATABASE_URL=""
export SHEBAO_API_RATE="1000000/min"
export SHEBAO_IDENTITY_LOOKUPS_PER_USER=1000000 SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER=1000000  # validate H01/H02 freely
export SHEBAO_SITES=all
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$PY" manage.py demo --employers 12 --persons 240 --no-serve >"$WORK/demo.log"
EMPLOYER_TOKEN="$("$PY" manage.py api_token employer_admin --name schemathesis --days 7)"
STAFF_TOKEN="$("$PY" manage.py api_token reviewer --by office_admin --roles is_reviewer --name schemathesis --days 7)"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$PY" manage.py serve --host 127.0.0.1 --port "$PORT" --no-migrate --no-worker >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
BASE="http://127.0.0.1:$PORT/api/v1"
# The tokens work (so the run below tests the operations, not just 401s).
curl -fsS -o /dev/null -H "Authorization: Bearer $EMPLOYER_TOKEN" "$BASE/queries/Q02"
curl -fsS -o /dev/null -H "Authorization: Bearer $STAFF_TOKEN" "$BASE/office/declarations"
SCHEMA="$BASE/openapi.json"
COMMON=(--checks not_a_server_error,response_schema_conformance --max-examples "$EXAMPLES" --seed 20261126
        --workers 2 --no-color --suppress-health-check all --generation-database none)

status=0
cd "$WORK"  # schemathesis keeps its caches in the working directory: not in the repository
"$ST" run "$SCHEMA" "${COMMON[@]}" -H "Authorization: Bearer $EMPLOYER_TOKEN" \
  --exclude-path-regex '^/api/v1/office/' || status=$?
"$ST" run "$SCHEMA" "${COMMON[@]}" -H "Authorization: Bearer $STAFF_TOKEN" \
  --include-path-regex '^/api/v1/office/' || status=$?
if grep -q "Traceback" "$WORK/server.log"; then
  echo "server log has a traceback:"; grep -B2 -A30 "Traceback" "$WORK/server.log" | head -80; status=1
fi
exit $status
