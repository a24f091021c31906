#!/usr/bin/env bash
# Fuzzes the real server against its own OpenAPI document with schemathesis (`--checks all`,
# authenticated as an admin) and fails on any failure: a 5xx, an undocumented status, a response
# that does not match its schema, a request the document forbids that the server accepts, and so on.
#
#   tests/schemathesis.sh [BINARY]
#
# BINARY defaults to target/debug/bsn-knowledge (.ci/run passes the release binary). Needs schemathesis (the version pinned in .ci/run)
# in target/ci-venv, or set SCHEMATHESIS to its path. The run is bounded: SCHEMATHESIS_MAX_EXAMPLES
# cases per operation and phase (default 12; about 1,000 cases in all) and SCHEMATHESIS_MAX_TIME
# seconds (default 300). Per-operation settings, with the reason for each, are in
# tests/schemathesis.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-target/debug/bsn-knowledge}
schemathesis=${SCHEMATHESIS:-target/ci-venv/bin/schemathesis}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-12}
max_time=${SCHEMATHESIS_MAX_TIME:-300}
[ -x "$binary" ] || { echo "no server binary at $binary; run cargo build first" >&2; exit 2; }
[ -x "$schemathesis" ] || { echo "no schemathesis at $schemathesis; see .ci/run" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A server of its own: temp data dir, fixed signing secret, loopback on a free port. The fuzzer
# sends thousands of requests from one address and one account within minutes, so the per-IP
# buckets and the per-user hourly quotas are raised for this server only (the limits themselves
# are tested in tests/blackbox/rate_limits.rs).
cat >"$work/config.toml" <<'EOF'
[auth]
secret_key = "schemathesis-signing-secret-0123456789-abcdefghij"
EOF
export BSN_STORAGE__DATA_DIR="$work/data"
limits=(
  BSN_RATE_LIMITS__PER_IP_RPS=100000 BSN_RATE_LIMITS__PER_IP_BURST=100000
  BSN_RATE_LIMITS__CONTENT_PER_IP_RPS=100000 BSN_RATE_LIMITS__CONTENT_PER_IP_BURST=100000
  BSN_RATE_LIMITS__GENERAL_PER_HOUR=1000000 BSN_RATE_LIMITS__CONTENT_PER_HOUR=1000000
  BSN_RATE_LIMITS__ASSESSMENT_PER_HOUR=1000000 BSN_RATE_LIMITS__ANALYTICS_PER_HOUR=1000000
)

# Two accounts made with the CLI before the server starts: the admin the fuzzer signs in as
# (id 1), and a student (id 2) that the operations able to lock an account out (password reset,
# role and active-flag changes) are pointed at instead of the fuzzer's own account.
password="schemathesis admin password 1"
printf '%s\n' "$password" >"$work/admin-password"
printf '%s\n' "schemathesis student password 2" >"$work/student-password"
"$binary" user create --config "$work/config.toml" --username fuzzadmin --role admin \
  --password-file "$work/admin-password" >/dev/null
"$binary" user create --config "$work/config.toml" --username fuzzstudent --role student \
  --password-file "$work/student-password" >/dev/null

env "${limits[@]}" BSN_SERVER__HTTP_LISTEN=127.0.0.1:0 \
  "$binary" serve --config "$work/config.toml" >"$work/server.log" 2>&1 &
server_pid=$!
base=
for _ in $(seq 1 200); do
  base=$(grep -o 'listening on http://[0-9.:]*' "$work/server.log" | head -1 | sed 's/listening on //') || true
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

python=$(dirname "$schemathesis")/python
token=$(curl -sS --fail-with-body -H 'Content-Type: application/json' \
  -d "{\"username\": \"fuzzadmin\", \"password\": \"$password\"}" "$base/api/v1/auth/login" |
  "$python" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

# The first generation request loads the knowledge base and builds the catalog, which a debug
# build takes long for; load it once here rather than in the first fuzzed case.
curl -sS -o /dev/null --max-time 300 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"topic": "heart failure", "question_count": 1}' "$base/api/v1/nclex/generate"

status=0
"$schemathesis" --config-file tests/schemathesis.toml run "$base/openapi.json" \
  --checks all \
  --header "Authorization: Bearer $token" \
  --max-examples "$max_examples" \
  --max-time "$max_time" \
  --request-timeout 60 \
  --max-response-time 60 \
  --workers 2 \
  --seed "${SCHEMATHESIS_SEED:-20261202}" \
  --no-color || status=$?

if grep -q 'panicked' "$work/server.log"; then
  echo "the server panicked during the run:" >&2
  grep -B2 -A5 'panicked' "$work/server.log" >&2
  status=1
fi
exit "$status"
