#!/usr/bin/env bash
# Fuzzes the real server against its own OpenAPI document with schemathesis (`--checks all`) and
# fails on any failure: a 5xx, an undocumented status, a response that does not match its schema, a
# request the document forbids that the server accepts, and so on. Two passes: first the
# operations only a student may use (self-practice, quiz attempts, the adaptive exam, joining a
# cohort), authenticated as a student created through the API; then every operation,
# authenticated as an admin.
#
#   tests/schemathesis.sh [BINARY]
#
# BINARY defaults to target/debug/bsn-knowledge (.ci/run passes the release binary). Needs schemathesis (the version pinned in .ci/run)
# in target/ci-venv, or set SCHEMATHESIS to its path. The run is bounded: SCHEMATHESIS_MAX_EXAMPLES
# cases per operation and phase (default 12; about 1,000 cases in all) and SCHEMATHESIS_MAX_TIME
# seconds for the admin pass (default 300; the student pass gets a third of it). Per-operation
# settings, with the reason for each, are in tests/schemathesis.toml and, for the student pass,
# below.
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
# An account made with `user create` must choose its own password at first sign-in: make that
# change (to the same text) so the fuzzer's token reaches every route.
curl -sS --fail-with-body -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"current_password\": \"$password\", \"new_password\": \"$password\"}" "$base/api/v1/auth/password"

# The first generation request loads the knowledge base and builds the catalog, which a debug
# build takes long for; load it once here rather than in the first fuzzed case.
curl -sS -o /dev/null --max-time 300 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"topic": "heart failure", "question_count": 1}' "$base/api/v1/nclex/generate"

# The student pass: a student created through the API, in a cohort (joined with its enrolment
# code) with a quiz, an attempt of that quiz and an adaptive exam session, so that the fuzzed
# requests reach the handlers' rules instead of stopping at 404.
"$python" - "$base" "$token" >"$work/student.env" <<'PY'
import json
import sys
import time
import urllib.error
import urllib.request

base, admin = sys.argv[1], sys.argv[2]


def call(method, path, token=None, body=None, expect=(200, 201, 204)):
    request = urllib.request.Request(base + path, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=300) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    if status not in expect:
        sys.exit(f"setting up the student pass: {method} {path}: {status} {text[:500]!r}")
    return json.loads(text) if text else None


password = "schemathesis learner password 3"
call("POST", "/api/v1/auth/users", admin,
     {"username": "fuzzlearner", "role": "student", "password": password})
pair = call("POST", "/api/v1/auth/login", body={"username": "fuzzlearner", "password": password})
if pair["password_change_required"]:
    new = password + " changed"
    call("POST", "/api/v1/auth/password", pair["access_token"],
         {"current_password": password, "new_password": new})
    pair = call("POST", "/api/v1/auth/login", body={"username": "fuzzlearner", "password": new})
student = pair["access_token"]
cohort = call("POST", "/api/v1/cohorts", admin, {"name": "Fuzz cohort", "description": ""})["id"]
code = call("GET", f"/api/v1/cohorts/{cohort}/enrolment-code", admin)["code"]
call("POST", "/api/v1/cohorts/join", student, {"code": code})
items = call("POST", "/api/v1/nclex/generate", admin,
             {"topic": "pharmacology", "question_count": 5, "seed": 7})["questions"]
quiz = call("POST", "/api/v1/quizzes", admin,
            {"title": "Fuzz quiz", "item_ids": [item["id"] for item in items],
             "cohort_ids": [cohort]})["id"]
attempt = call("POST", f"/api/v1/quizzes/{quiz}/attempts", student)["attempt_id"]
# The exam's bank is built on first use (503 until it is ready).
for _ in range(600):
    started = call("POST", "/api/v1/cat/sessions", student, {}, expect=(200, 201, 503))
    if started.get("session_id") is not None:
        break
    time.sleep(1)
else:
    sys.exit("setting up the student pass: the adaptive exam's bank was not ready in 600 s")
session = started["session_id"]
print(student, quiz, attempt, items[0]["id"], session)
PY
read -r student_token quiz attempt item session <"$work/student.env"

# The student's operations, pointed at the student's own quiz, attempt, item and session. Logout
# and password changes are not among them (they would end the fuzzer's session). An enrolment
# code the fuzzer makes up matches no cohort, and the attempt and the exam may be ended early by
# a fuzzed submit or answer, so 404 and 409 are expected answers to requests the schema allows.
cat >"$work/student.toml" <<TOML
[[operations]]
include-path-regex = '^/api/v1/quizzes/\{quiz_id\}/attempts$'
parameters = { quiz_id = $quiz }
checks.positive_data_acceptance.expected-statuses = [200, 201, 401, 403, 404, 409, 422, 429]

[[operations]]
include-path-regex = '^/api/v1/attempts/\{attempt_id\}(/submit|/review)?$'
parameters = { attempt_id = $attempt }
checks.positive_data_acceptance.expected-statuses = [200, 401, 403, 404, 409, 422, 429]

[[operations]]
include-path-regex = '^/api/v1/attempts/\{attempt_id\}/responses/\{item_id\}$'
parameters = { attempt_id = $attempt, item_id = "$item" }
checks.positive_data_acceptance.expected-statuses = [200, 401, 403, 404, 409, 422, 429]

[[operations]]
include-path-regex = '^/api/v1/cat/sessions/\{session_id\}/answers$'
parameters = { session_id = $session }
checks.positive_data_acceptance.expected-statuses = [200, 401, 403, 404, 409, 422, 429]

# Rules a schema cannot state, answered with 422 for requests the schema allows: an exam's
# max_items must not be below its min_items; a practice topic must match a knowledge-base subject
# that has items of the requested types.
[[operations]]
include-name-regex = '^POST /api/v1/cat/sessions$'
checks.positive_data_acceptance.expected-statuses = [200, 201, 401, 403, 422, 429, 503]

[[operations]]
include-name-regex = '^POST /api/v1/practice$'
checks.positive_data_acceptance.expected-statuses = [201, 401, 403, 422, 429]

[[operations]]
include-path-regex = '^/api/v1/cohorts/join$'
checks.positive_data_acceptance.expected-statuses = [200, 401, 403, 404, 422, 429]
TOML

status=0
"$schemathesis" --config-file "$work/student.toml" run "$base/openapi.json" \
  --include-path-regex '^/api/v1/(practice|quizzes/\{quiz_id\}/attempts|attempts/.*|cat/sessions.*|cohorts/join)$' \
  --checks all \
  --header "Authorization: Bearer $student_token" \
  --max-examples "$max_examples" \
  --max-time "$((max_time / 3))" \
  --request-timeout 60 \
  --max-response-time 60 \
  --workers 2 \
  --seed "${SCHEMATHESIS_SEED:-20261202}" \
  --no-color || status=$?

# The admin pass runs even when the student pass failed, so that one run reports both.
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
