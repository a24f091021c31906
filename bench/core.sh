#!/usr/bin/env bash
# Core benchmark (issue 2): start-up time, idle and peak RSS, and /health and /openapi.json throughput
# and latency through the real release binary on loopback, measured with wrk.
#
#   bench/core.sh            # 10 s per load run
#   DURATION=30 bench/core.sh
#
# Floors on a 2-core machine: /health >= 20,000 req/s with 64 keep-alive connections, p99 < 10 ms,
# idle RSS < 30 MB, ready in < 300 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"

command -v wrk >/dev/null || { echo "installing wrk"; sudo apt-get install -y -qq wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null; }
if [ -z "${BIN:-}" ]; then cargo build --release --locked -q; BIN="$PWD/target/release/bsn-knowledge"; fi
WORK="$(mktemp -d)"
PORT="${PORT:-18080}"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Time from exec to the first healthy /health answer, polled every 2 ms.
START_NS=$(date +%s%N)
BSN_STORAGE__DATA_DIR="$WORK/data" BSN_SERVER__HTTP_LISTEN="127.0.0.1:$PORT" BSN_LOGGING__LEVEL=warn \
  "$BIN" serve > "$WORK/server.log" 2>&1 &
PID=$!
READY_MS=$(python3 - "$PORT" "$START_NS" <<'PY'
import http.client, sys, time
port, start = int(sys.argv[1]), int(sys.argv[2])
deadline = time.time() + 10
while time.time() < deadline:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/health")
        r = c.getresponse()
        body = r.read()
        if r.status == 200 and b'"healthy"' in body:
            print(f"{(time.time_ns() - start) / 1e6:.0f}")
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.002)
print("timeout"); sys.exit(1)
PY
)
sleep 1
IDLE_KB=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)

run_wrk() { # path -> "rps p50_ms p99_ms"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$1" > "$WORK/wrk.txt"
  python3 - "$WORK/wrk.txt" <<'PY'
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
}
read -r H_RPS H_P50 H_P99 H_ERR <<<"$(run_wrk /health)"
read -r O_RPS O_P50 O_P99 O_ERR <<<"$(run_wrk /openapi.json)"
PEAK_KB=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)

verdict() { python3 -c "import sys; print('ok' if $1 else 'BELOW FLOOR')"; }
printf '\nbsn-knowledge core benchmark (%s, %s cores, %s connections, %ss per run)\n\n' "$(uname -m)" "$(nproc)" "$CONNECTIONS" "$DURATION"
printf '%-34s %12s %14s %s\n' "measure" "value" "floor" "verdict"
printf '%-34s %12s %14s %s\n' "ready (exec -> healthy answer)" "${READY_MS} ms" "< 300 ms" "$(verdict "$READY_MS < 300")"
printf '%-34s %12s %14s %s\n' "idle RSS" "$((IDLE_KB / 1024)) MB" "< 30 MB" "$(verdict "$IDLE_KB < 30*1024")"
printf '%-34s %12s %14s %s\n' "GET /health req/s" "$H_RPS" ">= 20000" "$(verdict "$H_RPS >= 20000")"
printf '%-34s %12s %14s %s\n' "GET /health p50" "${H_P50} ms" "" ""
printf '%-34s %12s %14s %s\n' "GET /health p99" "${H_P99} ms" "< 10 ms" "$(verdict "$H_P99 < 10")"
printf '%-34s %12s %14s %s\n' "GET /health non-2xx" "$H_ERR" "0" "$(verdict "$H_ERR == 0")"
printf '%-34s %12s %14s %s\n' "GET /openapi.json req/s" "$O_RPS" "" ""
printf '%-34s %12s %14s %s\n' "GET /openapi.json p50" "${O_P50} ms" "" ""
printf '%-34s %12s %14s %s\n' "GET /openapi.json p99" "${O_P99} ms" "" ""
printf '%-34s %12s %14s %s\n' "peak RSS (after both runs)" "$((PEAK_KB / 1024)) MB" "" ""
