#!/usr/bin/env bash
# Builds the static release binary (once; bench/backup.sh and the .deb reuse it) and the .deb from
# it, checks that the binary is static and small enough, and runs lintian on the package.
#
#   packaging/build-deb.sh        # prints the path of the .deb on its last line
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-gnu
BIN="target/$TARGET/release/bsn-knowledge"
MAX_BYTES=$((30 * 1024 * 1024))

# +crt-static with an explicit --target: build scripts and proc-macros stay dynamic, the binary
# links glibc statically (appliance-notes §4).
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$TARGET" >&2

linkage=$(ldd "$BIN" 2>&1 || true)
case "$linkage" in
  *"not a dynamic executable"*|*"statically linked"*) echo "static binary: ldd says: $(echo "$linkage" | tr -d '\t')" >&2 ;;
  *) echo "error: $BIN is dynamically linked:" >&2; echo "$linkage" >&2; exit 1 ;;
esac
size=$(stat -c %s "$BIN")
echo "binary size: $size bytes ($((size / 1024 / 1024)) MiB, stripped)" >&2
if [ "$size" -gt "$MAX_BYTES" ]; then
  echo "error: the binary is larger than 30 MiB" >&2; exit 1
fi

command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked >&2
deb=$(cargo deb --no-build --target "$TARGET" --output target/debian/ 2>&1 | tail -1)
[ -f "$deb" ] || { echo "error: cargo deb did not produce a package: $deb" >&2; exit 1; }

if command -v lintian >/dev/null 2>&1; then
  # The package ships its overrides (packaging/debian/lintian-overrides), each justified there.
  lintian --fail-on error,warning "$deb" 2>&1 | grep -v "running with root privileges" >&2 || true
  lintian --fail-on error,warning "$deb" >/dev/null 2>&1 || { echo "error: lintian found problems" >&2; exit 1; }
  echo "lintian: clean (overrides justified in packaging/debian/lintian-overrides)" >&2
fi
echo "$deb"
