#!/usr/bin/env bash
# Installs the .deb on this machine and checks it as an operator would meet it: layout, user,
# permissions, the packaged config accepted by `check-config` as the packaged user, the installed
# binary serving /health (TLS off, loopback port: there is no systemd PID 1 in CI, so it is started
# directly as the packaged user), `systemd-analyze verify` of the installed unit, a backup, the
# pre-upgrade backup of the maintainer script (reinstalling the same version runs the upgrade path),
# `remove` keeping the data and `purge` deleting it. Needs root; refuses to touch a machine that
# already has bsn-knowledge installed.
#
#   packaging/test-deb.sh target/debian/bsn-knowledge_0.1.0-1_amd64.deb
set -euo pipefail
DEB=${1:?usage: packaging/test-deb.sh PATH.deb}
[ "$(id -u)" -eq 0 ] || { echo "error: run as root (it installs a package)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' bsn-knowledge 2>/dev/null | grep -q "installed"; then
  echo "error: bsn-knowledge is already installed here; this test installs and purges it, so run it on a CI or scratch machine" >&2
  exit 1
fi
PID=""
WORK=$(mktemp -d)
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  dpkg --purge bsn-knowledge >/dev/null 2>&1 || true
  rm -rf /var/lib/bsn-knowledge /var/log/bsn-knowledge /etc/bsn-knowledge "$WORK"
  if id bsn-knowledge >/dev/null 2>&1; then userdel bsn-knowledge 2>/dev/null || true; fi
  if getent group bsn-knowledge >/dev/null 2>&1; then groupdel bsn-knowledge 2>/dev/null || true; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

dpkg -i "$DEB" > "$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "dpkg -i"; }
grep -q "Next steps" "$WORK/install.log" || fail "postinst did not print the next steps"
ok "installed; postinst printed the next steps"

[ -x /usr/bin/bsn-knowledge ] || fail "/usr/bin/bsn-knowledge"
case "$(ldd /usr/bin/bsn-knowledge 2>&1 || true)" in
  *"not a dynamic executable"*|*"statically linked"*) ok "installed binary is static" ;;
  *) fail "installed binary is dynamic" ;;
esac
id bsn-knowledge >/dev/null || fail "system user bsn-knowledge missing"
[ "$(getent passwd bsn-knowledge | cut -d: -f7)" = "/usr/sbin/nologin" ] || fail "user shell is not nologin"
[ "$(stat -c '%a %U %G' /etc/bsn-knowledge/config.toml)" = "640 root bsn-knowledge" ] || fail "config.toml is $(stat -c '%a %U %G' /etc/bsn-knowledge/config.toml)"
dpkg-query -W -f='${Conffiles}' bsn-knowledge | grep -q "/etc/bsn-knowledge/config.toml" || fail "config.toml is not a conffile"
for dir in /var/lib/bsn-knowledge /var/log/bsn-knowledge; do
  [ "$(stat -c '%U %G' "$dir")" = "bsn-knowledge bsn-knowledge" ] || fail "$dir owner $(stat -c '%U %G' "$dir")"
done
unit=$(dpkg -L bsn-knowledge | grep '/systemd/system/bsn-knowledge.service$')
[ -f "$unit" ] || fail "unit file not installed"
ok "layout: user, 0640 root:bsn-knowledge conffile, state and log dirs, unit $unit"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
  ok "systemd-analyze verify $unit"
fi
[ "$(dpkg-query -W -f='${Depends}' bsn-knowledge)" = "ca-certificates" ] || fail "depends: $(dpkg-query -W -f='${Depends}' bsn-knowledge)"

runuser -u bsn-knowledge -- bsn-knowledge check-config > "$WORK/effective.toml" 2> "$WORK/check.err" || { cat "$WORK/check.err"; fail "check-config as bsn-knowledge"; }
grep -q 'data_dir = "/var/lib/bsn-knowledge"' "$WORK/effective.toml" || fail "check-config did not use the packaged config"
ok "check-config as the packaged user: $(head -1 "$WORK/check.err")"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u bsn-knowledge -- env BSN_TLS__MODE=off BSN_SERVER__HTTP_LISTEN="127.0.0.1:$PORT" \
  bsn-knowledge serve > "$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  if bsn-knowledge healthcheck --url "http://127.0.0.1:$PORT/health" > "$WORK/health.json" 2>/dev/null; then break; fi
  sleep 0.1
done
grep -q '"status":"healthy"' "$WORK/health.json" || { cat "$WORK/serve.log"; fail "/health of the installed server"; }
ok "installed server answers /health: healthy"
grep -q "created the first admin account" "$WORK/serve.log" || fail "first start did not print the admin password"
ls /var/log/bsn-knowledge/bsn-knowledge.*.log >/dev/null 2>&1 || fail "no log file in /var/log/bsn-knowledge"
ok "first admin password printed; log file written to /var/log/bsn-knowledge"

archive=$(runuser -u bsn-knowledge -- bsn-knowledge backup 2>"$WORK/backup.err") || { cat "$WORK/backup.err"; fail "backup as bsn-knowledge"; }
[ -f "$archive" ] || fail "backup did not write $archive"
ok "online backup as the packaged user: $archive"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

# Reinstalling the same version runs preinst with "upgrade": the maintainer script backs up first.
dpkg -i "$DEB" > "$WORK/upgrade.log" 2>&1 || { cat "$WORK/upgrade.log"; fail "dpkg -i (upgrade)"; }
grep -q "backup written to" "$WORK/upgrade.log" || { cat "$WORK/upgrade.log"; fail "no pre-upgrade backup"; }
ls /var/lib/bsn-knowledge/backups/pre-upgrade-*.tar.gz >/dev/null || fail "pre-upgrade archive missing"
[ "$(stat -c '%U' /var/lib/bsn-knowledge/backups/pre-upgrade-*.tar.gz | head -1)" = "bsn-knowledge" ] || fail "pre-upgrade archive not owned by the service user"
ok "upgrade took a backup first: $(ls /var/lib/bsn-knowledge/backups/pre-upgrade-*.tar.gz)"

dpkg -r bsn-knowledge > /dev/null
[ -f /var/lib/bsn-knowledge/bsn-knowledge.sqlite3 ] || fail "remove deleted the database"
[ -f /etc/bsn-knowledge/config.toml ] || fail "remove deleted the config"
ok "remove keeps the database and the config"
dpkg --purge bsn-knowledge > "$WORK/purge.log"
[ ! -e /var/lib/bsn-knowledge/bsn-knowledge.sqlite3 ] || fail "purge kept the database"
[ ! -e /var/lib/bsn-knowledge/secret_key ] || fail "purge kept the signing secret"
[ ! -e /var/log/bsn-knowledge ] || fail "purge kept the logs"
[ ! -e /etc/bsn-knowledge ] || fail "purge kept /etc/bsn-knowledge"
ls /var/lib/bsn-knowledge/backups/*.tar.gz >/dev/null || fail "purge deleted the backup archives"
ok "purge deletes database, secret, logs and config, keeps backup archives: $(tail -1 "$WORK/purge.log")"
echo "deb test passed"
