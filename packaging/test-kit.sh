#!/usr/bin/env bash
# Checks the operations kit against real components: the systemd unit (`systemd-analyze verify`,
# and `systemd-analyze security` exposure <= 2.0), the Prometheus rules and the Grafana dashboard's
# queries (`promtool check rules`), and the fail2ban filter (`fail2ban-regex`) against log lines the
# binary wrote in this run, in text and JSON format.
#
#   packaging/test-kit.sh [BINARY]     (default: the static release build)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-$PWD/target/x86_64-unknown-linux-gnu/release/bsn-knowledge}"
[ -x "$BIN" ] || { echo "error: no binary at $BIN (run packaging/build-deb.sh first)" >&2; exit 1; }
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# systemd: verify needs the ExecStart binary to exist, so check a copy that points at this build.
sed "s#/usr/bin/bsn-knowledge#$BIN#" systemd/bsn-knowledge.service > "$WORK/bsn-knowledge.service"
systemd-analyze verify "$WORK/bsn-knowledge.service" || fail "systemd-analyze verify"
ok "systemd-analyze verify systemd/bsn-knowledge.service"
security=$(systemd-analyze security --offline=true systemd/bsn-knowledge.service 2>&1 | grep "Overall exposure level")
score=$(echo "$security" | sed -E 's/.*: ([0-9.]+) .*/\1/')
[ "$(echo "$score <= 2.0" | bc)" -eq 1 ] || fail "$security"
ok "systemd-analyze security: ${security#→ }"

# Prometheus rules and the dashboard's queries.
promtool check rules packaging/monitoring/bsn-knowledge-alerts.yml > "$WORK/promtool.txt" || { cat "$WORK/promtool.txt"; fail "promtool check rules"; }
ok "promtool: $(grep -o 'SUCCESS.*' "$WORK/promtool.txt")"
python3 - packaging/monitoring/grafana-dashboard.json "$WORK/dashboard-rules.yml" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
rules = [{"record": f"dashboard:panel{panel['id']}_{target['refId']}", "expr": target["expr"].replace("$instance", ".*")}
         for panel in dashboard["panels"] for target in panel["targets"]]
assert rules, "the dashboard has no queries"
open(sys.argv[2], "w").write(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}))
PY
promtool check rules "$WORK/dashboard-rules.yml" > /dev/null || fail "a dashboard query does not parse"
ok "grafana dashboard: valid JSON, every query parses"

# fail2ban: real lines from this binary, text format then JSON format.
for format in text json; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BSN_STORAGE__DATA_DIR="$WORK/data-$format" BSN_SERVER__HTTP_LISTEN="127.0.0.1:$PORT" BSN_LOGGING__FORMAT=$format \
    BSN_LOGGING__DIR="$WORK/logs-$format" BSN_RATE_LIMITS__PER_IP_RPS=1 BSN_RATE_LIMITS__PER_IP_BURST=3 \
    "$BIN" serve > "$WORK/stdout-$format.log" 2>&1 &
  PID=$!
  python3 - "$PORT" <<'PY'
import http.client, json, sys, time
port = int(sys.argv[1])
deadline = time.time() + 20
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/health"); c.getresponse().read(); break
    except OSError:
        if time.time() > deadline: sys.exit("server did not start")
        time.sleep(0.05)
# Three failed logins (one with a crafted name), then requests until the per-IP bucket is empty.
for name in ["alice", "bob", 'eve" from 10.9.9.9']:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": name, "password": "wrong password 123"}), {"Content-Type": "application/json"})
    c.getresponse().read()
    time.sleep(1.1)
limited = 0
for _ in range(30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/api/v1/auth/roles"); r = c.getresponse(); r.read()
    limited += r.status == 429
PY
  sleep 0.3
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  log=$(ls "$WORK/logs-$format"/bsn-knowledge.*.log)
  failed=$(grep -c 'Authentication failed for user' "$log" || true)
  limited=$(grep -c 'Rate limit exceeded' "$log" || true)
  [ "$failed" -eq 3 ] || fail "$format: expected 3 failed-login lines, found $failed"
  [ "$limited" -ge 1 ] || fail "$format: no rate-limit lines"
  fail2ban-regex --print-all-matched "$log" "$PWD/packaging/fail2ban/filter.d/bsn-knowledge.conf" > "$WORK/f2b-$format.txt" 2>&1 || { cat "$WORK/f2b-$format.txt"; fail "fail2ban-regex ($format)"; }
  matched=$(sed -n 's/^Lines: .* \([0-9]*\) matched.*/\1/p' "$WORK/f2b-$format.txt")
  [ "$matched" -eq $((failed + limited)) ] || { cat "$WORK/f2b-$format.txt"; fail "$format: fail2ban matched $matched of $((failed + limited)) lines"; }
  # The addresses fail2ban would ban: only the client's, never one written into a user name.
  hosts=$(fail2ban-regex -o ip "$log" "$PWD/packaging/fail2ban/filter.d/bsn-knowledge.conf" 2>/dev/null | sort | uniq -c)
  [ "$(echo "$hosts" | awk '{print $2}' | sort -u)" = "127.0.0.1" ] || fail "$format: fail2ban would ban: $hosts"
  ok "fail2ban-regex ($format log): $matched of $matched lines matched ($failed failed logins, $limited rate-limited requests), every one from 127.0.0.1"
done
echo "kit test passed"
