#!/usr/bin/env bash
# Practice benchmark (issue 11), through the real release server on loopback with synchronous = FULL:
#   - single-row durable commits/s the disk allows (SQLite, WAL, synchronous = FULL, same directory),
#   - acknowledged answer saves/s with 200 students answering at once (wrk, 200 connections) and
#     the p99 of one save,
#   - 150 students starting the same quiz within one second: p99 of the start,
#   - submit of a 150-item attempt: p99.
#
#   bench/practice.sh            # 10 s answer run
#   DURATION=30 bench/practice.sh
#   BSN_BIN=path/to/release/bsn-knowledge bench/practice.sh   # use an already built binary
#
# Floors: >= 5,000 acknowledged answers/s (beating the disk's single-row commits/s takes group
# commit); save p99 <= 20 ms; 150-item submit p99 <= 50 ms; 150 concurrent starts p99 <= 200 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-200}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18091}"

command -v wrk >/dev/null || { echo "installing wrk"; sudo apt-get install -y -qq wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null; }
# BSN_BIN: a release binary built elsewhere (e.g. with CARGO_TARGET_DIR); otherwise build one here.
if [ -n "${BSN_BIN:-}" ]; then BIN="$BSN_BIN"
else cargo build --release --locked -q; BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/bsn-knowledge"; fi
[ -x "$BIN" ] || { echo "no executable at $BIN" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
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
content_per_hour = 1000000
assessment_per_hour = 1000000
EOF
BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE="$WORK/admin-password" "$BIN" serve --config "$WORK/config.toml" > "$WORK/server.log" 2>&1 &
PID=$!

# Disk: single-row durable commits per second in the server's own data directory.
DISK_COMMITS=$(python3 bench/practice_driver.py disk "$WORK/data")
# Setup (200 students in a cohort, a 150-item blueprint quiz), 150 concurrent starts, the answer
# list for wrk, then (after wrk) submits.
python3 bench/practice_driver.py setup "$PORT" "$ADMIN_PASSWORD" "$WORK" > "$WORK/setup.txt"
read -r START_P50 START_P99 START_SPAN <<<"$(cat "$WORK/setup.txt")"

PRACTICE_SAVES="$WORK/saves.tsv" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/practice.lua "http://127.0.0.1:$PORT" > "$WORK/wrk.txt" \
  || { cat "$WORK/wrk.txt"; exit 1; }
read -r SAVE_RPS SAVE_P50 SAVE_P99 SAVE_ERR <<<"$(python3 - "$WORK/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {errors.group(1) if errors else 0}")
PY
)"
# The same 200 connections offering a fixed rate (PACED_RATE saves/s in all, default 5,000, the
# throughput floor): the latency of one save at that load, without the queueing of a closed loop.
PACED_RATE="${PACED_RATE:-5000}"
PRACTICE_DELAY_MS=$(python3 -c "print(round($CONNECTIONS * 1000 / $PACED_RATE))") PRACTICE_SAVES="$WORK/saves.tsv" \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/practice.lua "http://127.0.0.1:$PORT" > "$WORK/wrk-paced.txt" \
  || { cat "$WORK/wrk-paced.txt"; exit 1; }
read -r PACED_RPS PACED_P50 PACED_P99 PACED_ERR <<<"$(python3 - "$WORK/wrk-paced.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {errors.group(1) if errors else 0}")
PY
)"
read -r SUBMIT_P50 SUBMIT_P99 SUBMIT_N <<<"$(python3 bench/practice_driver.py submit "$PORT" "$WORK")"
STORED=$(python3 bench/practice_driver.py count "$WORK/data")

verdict() { python3 -c "print('ok' if $1 else 'BELOW FLOOR')"; }
printf '\nbsn-knowledge practice benchmark (%s, %s cores, %s connections, %ss answer run, synchronous = FULL)\n\n' "$(uname -m)" "$(nproc)" "$CONNECTIONS" "$DURATION"
printf '%-46s %12s %12s %s\n' "measure" "value" "floor" "verdict"
printf '%-46s %12s %12s %s\n' "disk: single-row durable commits/s" "$DISK_COMMITS" "" ""
printf '%-46s %12s %12s %s\n' "acknowledged answer saves/s (200 students)" "$SAVE_RPS" ">= 5000" "$(verdict "$SAVE_RPS >= 5000")"
printf '%-46s %12s %12s %s\n' "  ratio to single-row commits/s" "$(python3 -c "print(f'{$SAVE_RPS / max($DISK_COMMITS, 1):.1f}x')")" "" ""
printf '%-46s %12s %12s %s\n' "save p50, closed loop (as fast as it goes)" "${SAVE_P50} ms" "" ""
printf '%-46s %12s %12s %s\n' "save p99, closed loop" "${SAVE_P99} ms" "" ""
printf '%-46s %12s %12s %s\n' "save non-2xx" "$SAVE_ERR" "0" "$(verdict "$SAVE_ERR == 0")"
printf '%-46s %12s %12s %s\n' "paced run: saves/s offered $PACED_RATE, served" "$PACED_RPS" "" ""
printf '%-46s %12s %12s %s\n' "save p50, paced" "${PACED_P50} ms" "" ""
printf '%-46s %12s %12s %s\n' "save p99, paced" "${PACED_P99} ms" "<= 20 ms" "$(verdict "$PACED_P99 <= 20")"
printf '%-46s %12s %12s %s\n' "paced save non-2xx" "$PACED_ERR" "0" "$(verdict "$PACED_ERR == 0")"
printf '%-46s %12s %12s %s\n' "answer_history rows on disk after the run" "$STORED" "" ""
printf '%-46s %12s %12s %s\n' "150 concurrent starts: span of the burst" "${START_SPAN} ms" "<= 1000 ms" "$(verdict "$START_SPAN <= 1000")"
printf '%-46s %12s %12s %s\n' "150 concurrent starts: p50" "${START_P50} ms" "" ""
printf '%-46s %12s %12s %s\n' "150 concurrent starts: p99" "${START_P99} ms" "<= 200 ms" "$(verdict "$START_P99 <= 200")"
printf '%-46s %12s %12s %s\n' "submit of a 150-item attempt: p50 (n=$SUBMIT_N)" "${SUBMIT_P50} ms" "" ""
printf '%-46s %12s %12s %s\n' "submit of a 150-item attempt: p99" "${SUBMIT_P99} ms" "<= 50 ms" "$(verdict "$SUBMIT_P99 <= 50")"
