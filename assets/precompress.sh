#!/usr/bin/env bash
# Regenerates the committed precompressed variants (.gz with gzip -9 -n, .br with brotli -q 11)
# of the web UI's entry script. Run it after changing assets/static/app.js; a unit test fails when
# a .gz no longer matches its original. Other assets are compressed by the server when sent.
set -euo pipefail
cd "$(dirname "$0")/static"
for file in app.js; do
  gzip -9 -n -c "$file" >"$file.gz"
  brotli -q 11 -f -o "$file.br" "$file"
done
