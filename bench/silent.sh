#!/usr/bin/env bash
# Connection-exhaustion benchmark (issue 10, item 7), through the real release server on loopback:
# SILENT connections that never send a byte, from many loopback source addresses (100 each, below
# the 512-per-address cap), while /health is fetched on a new connection every 50 ms from
# 127.0.0.1, from before the flood until every silent connection has been closed by the server.
# Prints a table: /health p50/p95/p99/max and failures during the flood, the connections and
# descriptors the server held at most, and how long after the last was opened it had closed them.
#
#   bench/silent.sh                 # 20,000 silent connections
#   SILENT=5000 bench/silent.sh
#   BSN_BIN=path/to/release/bsn-knowledge bench/silent.sh   # use an already built binary
#
# Floor: every /health answered within 100 ms throughout. The driver spreads the silent
# connections over several processes, each under the hard open-file limit. The server caps its
# connections 1,024 below its own limit: where SILENT is more than that, the server closes the
# longest-waiting silent connections to make room for new ones, and the output counts them.
set -euo pipefail
cd "$(dirname "$0")/.."
SILENT="${SILENT:-20000}"

if [ -n "${BSN_BIN:-}" ]; then BIN="$BSN_BIN"
else cargo build --release --locked -q; BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/bsn-knowledge"; fi
[ -x "$BIN" ] || { echo "no executable at $BIN" >&2; exit 2; }
# Both the server and the driver inherit this.
ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d)"
PID=
trap 'if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
cat > "$WORK/config.toml" <<EOF
[storage]
data_dir = "$WORK/data"
[server]
http_listen = "127.0.0.1:0"
[logging]
level = "info"
[auth]
secret_key = "bench-signing-secret-0123456789-abcdefghijklmnop"
EOF
"$BIN" serve --config "$WORK/config.toml" > "$WORK/server.log" 2>&1 &
PID=$!
ADDR=
for _ in $(seq 1 200); do
  ADDR=$(grep -o 'listening on http://[0-9.:]*' "$WORK/server.log" | head -1 | sed 's|listening on http://||') || true
  [ -n "$ADDR" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$ADDR" ] || { echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; open-file limit $(ulimit -n)"
grep -m1 -o "connection limits.*" "$WORK/server.log" || true
python3 bench/silent_driver.py "$ADDR" "$PID" "$SILENT"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "\"Too many open files\" in the server log: $(grep -c 'Too many open files' "$WORK/server.log" || true) times"
echo "silent connections closed to make room at the cap (last logged count): $(grep -o 'evicted=[0-9]*' "$WORK/server.log" | tail -1 | cut -d= -f2)"
