#!/usr/bin/env bash
# Accounts benchmark (issue 4): login latency (argon2id verification included) and authenticated
# GET /api/v1/auth/me throughput through the real release binary on loopback.
#
#   bench/auth.sh                 # 10 s wrk run, 200 sequential logins
#   DURATION=30 LOGINS=500 bench/auth.sh
#
# Floors on a 2-core machine: authenticated requests >= 15,000 req/s; login p50 <= 150 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
LOGINS="${LOGINS:-200}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT="${PORT:-18081}"

command -v wrk >/dev/null || { echo "installing wrk"; sudo apt-get install -y -qq wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null; }
if [ -z "${BIN:-}" ]; then cargo build --release --locked -q; BIN="$PWD/target/release/bsn-knowledge"; fi
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "benchmark admin password" > "$WORK/admin-password"

# Quotas and per-address buckets are raised so the run measures authentication, not 429s.
BSN_STORAGE__DATA_DIR="$WORK/data" BSN_SERVER__HTTP_LISTEN="127.0.0.1:$PORT" BSN_LOGGING__LEVEL=warn \
BSN_RATE_LIMITS__GENERAL_PER_HOUR=1000000 BSN_RATE_LIMITS__PER_IP_RPS=100000 BSN_RATE_LIMITS__PER_IP_BURST=100000 \
BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE="$WORK/admin-password" \
  "$BIN" serve > "$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.05; done

read -r L_P50 L_P99 L_MEAN TOKEN <<<"$(python3 - "$PORT" "$LOGINS" <<'PY'
import http.client, json, statistics, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
body = json.dumps({"username": "admin", "password": "benchmark admin password"})
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
samples, token = [], None
for _ in range(count):
    started = time.perf_counter()
    conn.request("POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    samples.append((time.perf_counter() - started) * 1000)
    if response.status != 200:
        print(f"login failed: {response.status} {payload[:200]}", file=sys.stderr); sys.exit(1)
    token = json.loads(payload)["access_token"]
samples.sort()
p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
print(f"{p(0.50):.1f} {p(0.99):.1f} {statistics.mean(samples):.1f} {token}")
PY
)"

wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$PORT/api/v1/auth/me" > "$WORK/wrk.txt"
read -r ME_RPS ME_P50 ME_P99 ME_ERR <<<"$(python3 - "$WORK/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {errors.group(1) if errors else 0}")
PY
)"
verdict() { python3 -c "print('ok' if $1 else 'BELOW FLOOR')"; }
printf '\nbsn-knowledge accounts benchmark (%s cores, %s logins, %s connections, %ss)\n\n' "$(nproc)" "$LOGINS" "$CONNECTIONS" "$DURATION"
printf '%-36s %12s %12s %s\n' "measure" "value" "floor" "verdict"
printf '%-36s %12s %12s %s\n' "login p50 (sequential)" "${L_P50} ms" "<= 150 ms" "$(verdict "$L_P50 <= 150")"
printf '%-36s %12s %12s %s\n' "login p99" "${L_P99} ms" "" ""
printf '%-36s %12s %12s %s\n' "login mean" "${L_MEAN} ms" "" ""
printf '%-36s %12s %12s %s\n' "GET /api/v1/auth/me req/s" "$ME_RPS" ">= 15000" "$(verdict "$ME_RPS >= 15000")"
printf '%-36s %12s %12s %s\n' "GET /api/v1/auth/me p50" "${ME_P50} ms" "" ""
printf '%-36s %12s %12s %s\n' "GET /api/v1/auth/me p99" "${ME_P99} ms" "" ""
printf '%-36s %12s %12s %s\n' "GET /api/v1/auth/me non-2xx" "$ME_ERR" "0" "$(verdict "$ME_ERR == 0")"
