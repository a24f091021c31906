#!/usr/bin/env bash
# Item generation benchmark (issue 5): items/s on one core and the yield report (cargo bench), then
# POST /api/v1/nclex/generate latency for 5 and 50 items through the real release server (wrk,
# a fresh seed per request so nothing is served from cache).
#
# Floors on a 2-core machine: >= 5,000 items/s per core; p99 <= 20 ms for 5 items; yield >= 20,000.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
PORT="${PORT:-18082}"
command -v wrk >/dev/null || { sudo apt-get install -y -qq wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null; }

BENCH_OUT="$(cargo bench --locked --bench generation 2>/dev/null | tee /dev/stderr | grep '^RESULT')"
RATE=$(sed -E 's/.*items_per_second=([0-9]+).*/\1/' <<<"$BENCH_OUT")
YIELD=$(sed -E 's/.*yield_total=([0-9]+).*/\1/' <<<"$BENCH_OUT")
MODELS=$(sed -E 's/.*models=([0-9]+).*/\1/' <<<"$BENCH_OUT")

if [ -z "${BIN:-}" ]; then cargo build --release --locked -q; BIN="$PWD/target/release/bsn-knowledge"; fi
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "benchmark admin password" > "$WORK/pw"
BSN_STORAGE__DATA_DIR="$WORK/data" BSN_SERVER__HTTP_LISTEN="127.0.0.1:$PORT" BSN_LOGGING__LEVEL=warn \
BSN_RATE_LIMITS__CONTENT_PER_HOUR=1000000 BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE="$WORK/pw" "$BIN" serve > "$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.05; done
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"benchmark admin password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# The first generation request after a start loads the knowledge base and item catalog (kept out
# of start-up so an idle server stays small); time it on its own, then measure the steady state.
FIRST_MS=$(curl -sf -o /dev/null -w '%{time_total}' -X POST "http://127.0.0.1:$PORT/api/v1/nclex/generate" \
  -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
  -d '{"topic":"pharmacology","question_count":5,"seed":1}' | python3 -c 'import sys; print(f"{float(sys.stdin.read())*1000:.0f}")')

latency() { # count -> "rps p50 p99 non2xx"
  cat > "$WORK/post.lua" <<LUA
counter = 0
request = function()
  counter = counter + 1
  local body = '{"topic":"pharmacology","question_count":$1,"item_types":["multiple_choice","multiple_response"],"seed":' .. (counter + math.random(1, 1000000000)) .. '}'
  return wrk.format("POST", "/api/v1/nclex/generate", {["Content-Type"]="application/json", ["Authorization"]="Bearer $TOKEN"}, body)
end
LUA
  wrk -t2 -c"${CONNECTIONS:-4}" -d"${DURATION}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$PORT" > "$WORK/wrk.txt"
  python3 - "$WORK/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {errors.group(1) if errors else 0}")
PY
}
read -r R5 P50_5 P99_5 E5 <<<"$(latency 5)"
read -r R50 P50_50 P99_50 E50 <<<"$(latency 50)"
verdict() { python3 -c "print('ok' if $1 else 'BELOW FLOOR')"; }
printf '\nbsn-knowledge item generation benchmark (%s cores)\n\n' "$(nproc)"
printf '%-40s %14s %12s %s\n' "measure" "value" "floor" "verdict"
printf '%-40s %14s %12s %s\n' "item models" "$MODELS" ">= 80" "$(verdict "$MODELS >= 80")"
printf '%-40s %14s %12s %s\n' "generation, one core (items/s)" "$RATE" ">= 5000" "$(verdict "$RATE >= 5000")"
printf '%-40s %14s %12s %s\n' "distinct valid items (yield)" "$YIELD" ">= 20000" "$(verdict "$YIELD >= 20000")"
printf '%-40s %14s %12s %s\n' "first request after start (loads catalog)" "${FIRST_MS} ms" "" ""
printf '%-40s %14s %12s %s\n' "POST /nclex/generate 5 items p50" "${P50_5} ms" "" ""
printf '%-40s %14s %12s %s\n' "POST /nclex/generate 5 items p99" "${P99_5} ms" "<= 20 ms" "$(verdict "$P99_5 <= 20")"
printf '%-40s %14s %12s %s\n' "POST /nclex/generate 5 items req/s" "$R5" "" ""
printf '%-40s %14s %12s %s\n' "POST /nclex/generate 50 items p50" "${P50_50} ms" "" ""
printf '%-40s %14s %12s %s\n' "POST /nclex/generate 50 items p99" "${P99_50} ms" "" ""
printf '%-40s %14s %12s %s\n' "non-2xx responses" "$((E5 + E50))" "0" "$(verdict "$((E5 + E50)) == 0")"
