#!/usr/bin/env bash
# The web UI's first-load bytes (compressed) and time to interactive for the sign-in page, the
# item player and a cohort dashboard, in Debian's headless Chromium on loopback (bench/ui.mjs).
#   bench/ui.sh            builds the release binary
#   BIN=path bench/ui.sh   uses that binary
# Floor (issue 15): first load of any page ≤ 250 KB compressed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked
  BIN="${CARGO_TARGET_DIR:-target}/release/bsn-knowledge"
fi
(cd tests/ui && npm ci --no-audit --no-fund --silent)
work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
printf '[server]\nhttp_listen = "127.0.0.1:0"\n[storage]\ndata_dir = "%s/data"\n' "$work" >"$work/config.toml"
"$BIN" serve --config "$work/config.toml" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
  address=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "${address:-}" ] || { cat "$work/server.log" >&2; exit 1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
BSN_BASE="http://$address" \
  BSN_ADMIN_PASSWORD="$(cat "$work/data/initial-admin-password")" node bench/ui.mjs
