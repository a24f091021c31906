#!/usr/bin/env bash
# Backup benchmark (issue 6): time and size of an online backup of a database with one million rows
# while a write load runs through the real server, and the write throughput lost during the backup.
#
#   bench/backup.sh                 # 1,000,000 rows, 8 concurrent login clients
#   ROWS=200000 CLIENTS=4 bench/backup.sh
#
# The database is created by the real binary (first start + migrations), then filled quickly with
# SQL: users (all with the admin's password hash, so they can log in), refresh tokens and audit
# entries. The write load is logins through the API: each verifies a password (Argon2id) and commits a
# refresh token, an audit entry and the last-login time. Throughput is measured for BASELINE seconds
# without a backup, then while `bsn-knowledge backup` runs beside the server.
#
# Floors on a 2-core machine: backup <= 30 s; logins/s during the backup >= 70% of the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${ROWS:-1000000}"
CLIENTS="${CLIENTS:-8}"
BASELINE="${BASELINE:-10}"
PORT="${PORT:-18081}"
TARGET=x86_64-unknown-linux-gnu

command -v sqlite3 >/dev/null || { echo "installing sqlite3"; sudo apt-get install -y -qq sqlite3 >/dev/null 2>&1 || apt-get install -y -qq sqlite3 >/dev/null; }
# The same static release build as the .deb (packaging/build-deb.sh).
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked -q --target "$TARGET"
BIN="$PWD/target/$TARGET/release/bsn-knowledge"
WORK="$(mktemp -d)"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

PASSWORD="bench admin password 1"
printf '%s\n' "$PASSWORD" > "$WORK/admin-password"
cat > "$WORK/config.toml" <<EOF
[server]
http_listen = "127.0.0.1:$PORT"
[storage]
data_dir = "$WORK/data"
[rate_limits]
per_ip_rps = 100000
per_ip_burst = 100000
general_per_hour = 1000000
[auth]
lockout_threshold = 100
[logging]
level = "warn"
EOF

start_server() {
  BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE="$WORK/admin-password" "$BIN" --config "$WORK/config.toml" serve >> "$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do
    "$BIN" healthcheck --url "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  cat "$WORK/server.log"; echo "server did not start" >&2; exit 1
}
stop_server() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

# 1. A real database, created and migrated by the binary, then filled.
start_server
stop_server
USERS=$((ROWS / 50))
TOKENS=$((ROWS * 28 / 100))
AUDIT=$((ROWS - USERS - TOKENS))
FILL_START=$(date +%s.%N)
sqlite3 "$WORK/data/bsn-knowledge.sqlite3" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $USERS)
INSERT INTO users (username, display_name, email, role, password_hash, created_at, updated_at)
SELECT 'student' || i, 'Student ' || i, 'student' || i || '@example.edu', 'student',
       (SELECT password_hash FROM users WHERE username = 'admin'), '2026-09-01T08:00:00Z', '2026-09-01T08:00:00Z'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $TOKENS)
INSERT INTO refresh_tokens (token_hash, user_id, family_id, issued_at, expires_at, used_at)
SELECT lower(hex(randomblob(32))), 2 + (i % $USERS), lower(hex(randomblob(16))),
       '2026-10-01T08:00:00Z', '2026-10-15T08:00:00Z', CASE WHEN i % 3 = 0 THEN '2026-10-02T08:00:00Z' END
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $AUDIT)
INSERT INTO audit_log (at, actor_id, actor, action, target, ip, details)
SELECT '2026-10-01T08:00:00Z', 2 + (i % $USERS), 'student' || (i % $USERS),
       CASE i % 4 WHEN 0 THEN 'login' WHEN 1 THEN 'login_failed' WHEN 2 THEN 'token_refreshed' ELSE 'logout' END,
       'user:' || (2 + (i % $USERS)), '10.' || (i % 250) || '.' || (i % 199) || '.' || (i % 97),
       '{"user_agent":"Mozilla/5.0 (X11; Linux x86_64)","request_id":"' || lower(hex(randomblob(8))) || '"}'
FROM n;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
FILL_SECONDS=$(echo "$(date +%s.%N) - $FILL_START" | bc)
TOTAL_ROWS=$(sqlite3 "$WORK/data/bsn-knowledge.sqlite3" "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM refresh_tokens) + (SELECT count(*) FROM audit_log)")
DB_BYTES=$(stat -c %s "$WORK/data/bsn-knowledge.sqlite3")

# 2. Serve it and run the login load; back up in the middle.
start_server
python3 - "$PORT" "$CLIENTS" "$BASELINE" "$BIN" "$WORK" "$USERS" "$PASSWORD" > "$WORK/result.txt" <<'PY'
import http.client, json, subprocess, sys, threading, time
port, clients, baseline, binary, work, users, password = sys.argv[1:]
port, clients, baseline, users = int(port), int(clients), float(baseline), int(users)
done = []          # completion times of acknowledged logins
errors = [0]
stop = threading.Event()
lock = threading.Lock()

def worker(k):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = k
    while not stop.is_set():
        body = json.dumps({"username": "student%d" % (1 + i % users), "password": password})
        i += clients
        try:
            conn.request("POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            with lock:
                if response.status == 200:
                    done.append(time.monotonic())
                else:
                    errors[0] += 1
        except OSError:
            with lock:
                errors[0] += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
for t in threads:
    t.start()
time.sleep(2)                       # warm-up
base_start = time.monotonic()
time.sleep(baseline)
base_end = time.monotonic()
started = time.monotonic()
backup = subprocess.run([binary, "--config", work + "/config.toml", "backup"], capture_output=True, text=True)
ended = time.monotonic()
time.sleep(2)
stop.set()
for t in threads:
    t.join(timeout=35)
if backup.returncode != 0:
    print("BACKUP_FAILED", backup.stderr.strip().replace("\n", " "))
    sys.exit(1)
path = backup.stdout.strip()
import os
size = os.path.getsize(path)
with lock:
    base = sum(1 for t in done if base_start <= t < base_end) / (base_end - base_start)
    during = sum(1 for t in done if started <= t < ended) / (ended - started)
print(f"BACKUP_SECONDS={ended - started:.2f}")
print(f"ARCHIVE_BYTES={size}")
print(f"BASE_RPS={base:.1f}")
print(f"DURING_RPS={during:.1f}")
print(f"ERRORS={errors[0]}")
print(f"ARCHIVE={path}")
PY
stop_server
# shellcheck disable=SC1090
. <(grep -E '^[A-Z_]+=' "$WORK/result.txt")
RATIO=$(echo "scale=1; 100 * $DURING_RPS / $BASE_RPS" | bc)
INTEGRITY=$(tar -xzf "$ARCHIVE" -O data/bsn-knowledge.sqlite3 > "$WORK/check.sqlite3" && sqlite3 "$WORK/check.sqlite3" "PRAGMA integrity_check")
ARCHIVED_ROWS=$(sqlite3 "$WORK/check.sqlite3" "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM refresh_tokens) + (SELECT count(*) FROM audit_log)")

pass() { if [ "$(echo "$1" | bc)" -eq 1 ]; then echo "PASS"; else echo "FAIL"; fi; }
echo
echo "Backup benchmark ($(nproc) cores, $CLIENTS login clients, static release binary)"
printf '%-44s %16s %12s\n' "measure" "value" "floor"
printf '%-44s %16s %12s\n' "rows (users + refresh tokens + audit)" "$TOTAL_ROWS" ""
printf '%-44s %16s %12s\n' "database size" "$((DB_BYTES / 1024 / 1024)) MiB" ""
printf '%-44s %16s %12s\n' "fill time (SQL)" "${FILL_SECONDS%.*} s" ""
printf '%-44s %16s %12s  %s\n' "backup time (online, verified)" "$BACKUP_SECONDS s" "<= 30 s" "$(pass "$BACKUP_SECONDS <= 30")"
printf '%-44s %16s %12s\n' "archive size (tar.gz)" "$((ARCHIVE_BYTES / 1024 / 1024)) MiB" ""
printf '%-44s %16s %12s\n' "logins/s before the backup" "$BASE_RPS" ""
printf '%-44s %16s %12s\n' "logins/s during the backup" "$DURING_RPS" ""
printf '%-44s %16s %12s  %s\n' "throughput kept during the backup" "$RATIO %" ">= 70 %" "$(pass "$RATIO >= 70")"
printf '%-44s %16s %12s\n' "failed logins / errors" "$ERRORS" ""
printf '%-44s %16s %12s\n' "archived rows / integrity_check" "$ARCHIVED_ROWS / $INTEGRITY" ""
