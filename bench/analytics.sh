#!/usr/bin/env bash
# Analytics benchmark (issue 12), through the real release server on loopback: STUDENTS students
# (default 500) x PER_STUDENT scored responses (default 2,000: one million rows) in one cohort,
# written by SQL into the server's migrated data directory while it is stopped, then
#   - uncached student progress, every student once: p50 and p99 (cached p99 beside it),
#   - the cohort report of all the students, uncached, JSON and CSV,
#   - a quiz's item analysis (100 items x every attempt) and one item's,
#   - an on-demand Rasch calibration of every item on all the responses,
#   - the adaptive exam through the server: answer-to-next-item round trips of two full exams on
#     the generated bank (scoring, the committed write and the selection of the next item).
#
# The SQL seed goes through migration 0009's triggers like every stored response, so the
# per-student counts the cohort report reads are kept as they would be by the server.
#
#   BIN=path/to/release/bsn-knowledge bench/analytics.sh
#   STUDENTS=100 PER_STUDENT=500 bench/analytics.sh
#
# Floors: progress p99 <= 50 ms; cohort of 500 <= 1 s; calibration of the bank on a million
# responses <= 60 s; next item p99 <= 10 ms (bench/cat.sh times the selection alone). Other engineers' builds share the cores: the load average is printed beside the
# figures.
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENTS="${STUDENTS:-500}"
PER_STUDENT="${PER_STUDENT:-2000}"
PORT="${PORT:-18093}"
if [ -z "${BIN:-}" ]; then cargo build --release --locked -q; BIN="$PWD/target/release/bsn-knowledge"; fi
WORK="$(mktemp -d)"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/data"
ADMIN_PASSWORD="bench admin password 1"
printf '%s\n' "$ADMIN_PASSWORD" > "$WORK/admin-password"
cat > "$WORK/config.toml" <<EOF
[storage]
data_dir = "$WORK/data"
[server]
http_listen = "127.0.0.1:$PORT"
[logging]
level = "warn"
[auth]
secret_key = "bench-signing-secret-0123456789-abcdefghijklmnop"
[rate_limits]
per_ip_rps = 1000000
per_ip_burst = 1000000
general_per_hour = 1000000
analytics_per_hour = 1000000
assessment_per_hour = 1000000
content_per_hour = 1000000
EOF
start() {
  BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE="$WORK/admin-password" "$BIN" serve --config "$WORK/config.toml" >> "$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$WORK/server.log"; exit 1
}
stop() { kill -TERM "$PID"; wait "$PID" || true; PID=""; }

# First start: migrations and the first admin; then the rows, with the server stopped.
start; stop
SEED_START=$(date +%s.%N)
read -r ROWS _COHORT <<<"$(python3 bench/analytics_driver.py seed "$WORK/data" "$STUDENTS" "$PER_STUDENT")"
SEED_SECS=$(python3 -c "print(f'{$(date +%s.%N) - $SEED_START:.1f}')")
start
read -r N P50 P99 CACHED_P99 COHORT_MS COHORT_CSV_MS QUIZ_MS ITEM_MS QUIZ_ATTEMPTS \
  CAL_MS CAL_RUN_MS CAL_RESPONSES CAL_ITEMS CAL_ITERATIONS CAT_N CAT_P50 CAT_P99 <<<"$(python3 bench/analytics_driver.py measure "$PORT" "$ADMIN_PASSWORD")"

verdict() { python3 -c "print('ok' if $1 else 'BELOW FLOOR')"; }
printf '\nbsn-knowledge analytics benchmark (%s, %s cores, load average %s)\n\n' "$(uname -m)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %12s %12s %s\n' "measure" "value" "floor" "verdict"
printf '%-52s %12s %12s %s\n' "item_responses rows seeded (SQL, server stopped)" "$ROWS" "" "${SEED_SECS} s"
printf '%-52s %12s %12s %s\n' "student progress, uncached, p50 ($N students)" "${P50} ms" "" ""
printf '%-52s %12s %12s %s\n' "student progress, uncached, p99" "${P99} ms" "<= 50 ms" "$(verdict "$P99 <= 50")"
printf '%-52s %12s %12s %s\n' "student progress, cached, p99" "${CACHED_P99} ms" "" ""
printf '%-52s %12s %12s %s\n' "cohort of $STUDENTS, uncached, JSON" "${COHORT_MS} ms" "<= 1000 ms" "$(verdict "$COHORT_MS <= 1000")"
printf '%-52s %12s %12s %s\n' "cohort of $STUDENTS, uncached, CSV" "${COHORT_CSV_MS} ms" "<= 1000 ms" "$(verdict "$COHORT_CSV_MS <= 1000")"
printf '%-52s %12s %12s %s\n' "quiz analysis (100 items, $QUIZ_ATTEMPTS attempts)" "${QUIZ_MS} ms" "" ""
printf '%-52s %12s %12s %s\n' "item analysis (one item)" "${ITEM_MS} ms" "" ""
printf '%-52s %12s %12s %s\n' "calibration: $CAL_ITEMS items, $CAL_RESPONSES responses" "${CAL_MS} ms" "<= 60000 ms" "$(verdict "$CAL_MS <= 60000")"
printf '%-52s %12s %12s %s\n' "  of which estimation run ($CAL_ITERATIONS iterations)" "${CAL_RUN_MS} ms" "" ""
printf '%-52s %12s %12s %s\n' "adaptive exam answer -> next item, p50 ($CAT_N)" "${CAT_P50} ms" "" ""
printf '%-52s %12s %12s %s\n' "adaptive exam answer -> next item, p99" "${CAT_P99} ms" "<= 10 ms" "$(verdict "$CAT_P99 <= 10")"
