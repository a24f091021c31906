#!/usr/bin/env bash
# The web UI in a real browser: starts the real binary on loopback with a fresh data directory
# and drives Debian's headless Chromium through it with Playwright (tests/ui/ui.mjs), with
# axe-core on every page. Screenshots go to target/ui-artifacts/.
#
#   tests/ui/run.sh [BINARY]
#
# BINARY defaults to target/debug/bsn-knowledge. Needs chromium (Debian) and Node.js; the npm
# packages are installed from tests/ui/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-target/debug/bsn-knowledge}
[ -x "$binary" ] || { echo "no binary at $binary" >&2; exit 2; }
[ -x /usr/bin/chromium ] || { echo "Debian's chromium is not installed" >&2; exit 2; }
(cd tests/ui && npm ci --no-audit --no-fund --silent)

work=$(mktemp -d)
artifacts="$PWD/target/ui-artifacts"
rm -rf "$artifacts" && mkdir -p "$artifacts"
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cat >"$work/config.toml" <<TOML
[server]
http_listen = "127.0.0.1:0"
[storage]
data_dir = "$work/data"
TOML
"$binary" serve --config "$work/config.toml" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
  address=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "${address:-}" ] || { cat "$work/server.log" >&2; echo "the server did not start" >&2; exit 1; }

BSN_BASE="http://$address" BSN_ADMIN_PASSWORD="$(cat "$work/data/initial-admin-password")" \
  BSN_ARTIFACTS="$artifacts" node tests/ui/ui.mjs || { echo "--- server log" >&2; tail -50 "$work/server.log" >&2; exit 1; }
