#!/usr/bin/env bash
# Same-run HTTPS comparison of the appliance's edge against Debian's nginx and Caddy: the same
# static file, the same certificate, TLS on loopback. Measures keep-alive throughput (wrk), the
# new-connection case (wrk with "Connection: close": one full TLS handshake per request),
# p99 latency and resident memory, then prints a table and the ratios against the floors:
#   keep-alive HTTPS >= 0.9x nginx and >= 1.0x Caddy; handshake rate >= 0.8x nginx.
#
# Usage: [ROUNDS=3] bench/edge.sh [duration_secs] [connections]      (defaults: 10 64)
# Needs: cargo, openssl, and Debian packages nginx, caddy, wrk (installed if missing, as root).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-10}"
CONNECTIONS="${2:-64}"
ROUNDS="${ROUNDS:-3}"
CORES="$(nproc)"
THREADS="$CORES"
ASSET="assets/static/app.css"
URL_PATH="/static/app.css"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
for tool in nginx:nginx caddy:caddy wrk:wrk openssl:openssl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "building the release binary..."
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/bsn-knowledge"

WORK="$(mktemp -d)"
chmod 755 "$WORK" # nginx workers run unprivileged and must read the web root
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# One certificate for all three: ECDSA P-256 for bench.test and 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=bench.test" -addext "subjectAltName=DNS:bench.test,IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/www/static"
cp "$ASSET" "$WORK/www/static/app.css"

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# --- the appliance -------------------------------------------------------------------------
BSN_PORT="$(free_port)"
cat >"$WORK/bsn.toml" <<EOF
[server]
http_listen = "127.0.0.1:$(free_port)"
https_listen = "127.0.0.1:$BSN_PORT"
[tls]
mode = "files"
cert_file = "$WORK/cert.pem"
key_file = "$WORK/key.pem"
[storage]
data_dir = "$WORK/bsn-data"
[logging]
level = "warn"
EOF
"$BIN" serve --config "$WORK/bsn.toml" >"$WORK/bsn.log" 2>&1 &
BSN_PID=$!
PIDS+=("$BSN_PID")

# --- nginx (worker_processes = cores) ------------------------------------------------------
NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $CORES;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  types { text/css css; }
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    root $WORK/www;
  }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")

# --- Caddy ---------------------------------------------------------------------------------
CADDY_PORT="$(free_port)"
cat >"$WORK/Caddyfile" <<EOF
{
  admin off
  auto_https off
  default_sni bench.test
  skip_install_trust
  storage file_system $WORK/caddy-data
}
https://127.0.0.1:$CADDY_PORT, https://bench.test:$CADDY_PORT {
  tls $WORK/cert.pem $WORK/key.pem
  root * $WORK/www
  file_server
}
EOF
XDG_DATA_HOME="$WORK/caddy-xdg" XDG_CONFIG_HOME="$WORK/caddy-xdg" \
  caddy run --config "$WORK/Caddyfile" --adapter caddyfile >"$WORK/caddy.log" 2>&1 &
CADDY_PID=$!
PIDS+=("$CADDY_PID")

wait_port "$BSN_PORT"; wait_port "$NGINX_PORT"; wait_port "$CADDY_PORT"
want="$(sha256sum <"$ASSET")"
for port in "$BSN_PORT" "$NGINX_PORT" "$CADDY_PORT"; do
  for attempt in $(seq 1 100); do
    body="$(curl -sk --resolve "bench.test:$port:127.0.0.1" "https://bench.test:$port$URL_PATH" | sha256sum)"
    [ "$body" = "$want" ] && break
    [ "$attempt" -eq 100 ] && { echo "port $port does not serve the asset" >&2; exit 1; }
    sleep 0.1
  done
done

rss_kb() { # total resident memory of a process and its children
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# wrk prints "Requests/sec: N" and, with --latency, a "99%  Xms" line.
run_wrk() { # port, extra header args...
  local port=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" \
    "https://bench.test:$port$URL_PATH" 2>&1
}
to_ms() { # wrk latency like 1.23ms / 850.00us / 1.01s -> ms
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v+0 } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } else print v }'
}

# wrk resolves bench.test through /etc/hosts only if present; point it at loopback via a
# per-run hosts entry when possible, else fall back to 127.0.0.1 (all three accept both).
if ! getent hosts bench.test >/dev/null 2>&1; then
  if [ -w /etc/hosts ]; then
    echo "127.0.0.1 bench.test" >>/etc/hosts
    trap 'sed -i "/ bench.test$/d" /etc/hosts; cleanup' EXIT
  fi
fi
getent hosts bench.test >/dev/null 2>&1 || { echo "cannot resolve bench.test; add it to /etc/hosts" >&2; exit 1; }

declare -A KA_RPS KA_P99 NC_RPS NC_P99 RSS PORT PID
PORT=([bsn]=$BSN_PORT [nginx]=$NGINX_PORT [caddy]=$CADDY_PORT)
PID=([bsn]=$BSN_PID [nginx]=$NGINX_PID [caddy]=$CADDY_PID)
for name in bsn nginx caddy; do
  KA_RPS[$name]=0; NC_RPS[$name]=0
  run_wrk "${PORT[$name]}" >/dev/null # warm-up
done
better() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
# Rounds alternate between the servers so background load hits all three alike; the best
# round of each counts.
for round in $(seq 1 "$ROUNDS"); do
  for name in bsn nginx caddy; do
    echo "round $round/$ROUNDS: $name (keep-alive, then a new connection per request)..."
    out="$(run_wrk "${PORT[$name]}")"
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    if better "$rps" "${KA_RPS[$name]}"; then
      KA_RPS[$name]="$rps"
      KA_P99[$name]="$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")"
    fi
    out="$(run_wrk "${PORT[$name]}" -H 'Connection: close')"
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    if better "$rps" "${NC_RPS[$name]}"; then
      NC_RPS[$name]="$rps"
      NC_P99[$name]="$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")"
    fi
    RSS[$name]="$(rss_kb "${PID[$name]}")"
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v f="$2" 'BEGIN { print (r >= f) ? "PASS" : "FAIL" }'; }

echo
echo "HTTPS, best of $ROUNDS rounds of $DURATION s, $CONNECTIONS connections, $THREADS wrk threads, $CORES cores, asset $(stat -c %s "$ASSET") bytes"
printf '%-8s %14s %10s %16s %10s %10s\n' server "keep-alive r/s" "p99 ms" "handshakes/s" "p99 ms" "RSS MiB"
for name in bsn nginx caddy; do
  printf '%-8s %14s %10s %16s %10s %10s\n' "$name" "${KA_RPS[$name]}" "${KA_P99[$name]}" \
    "${NC_RPS[$name]}" "${NC_P99[$name]}" "$(awk -v k="${RSS[$name]}" 'BEGIN {printf "%.1f", k/1024}')"
done
echo
r1="$(ratio "${KA_RPS[bsn]}" "${KA_RPS[nginx]}")"
r2="$(ratio "${KA_RPS[bsn]}" "${KA_RPS[caddy]}")"
r3="$(ratio "${NC_RPS[bsn]}" "${NC_RPS[nginx]}")"
r4="$(ratio "${NC_RPS[bsn]}" "${NC_RPS[caddy]}")"
printf 'keep-alive  bsn/nginx %s (floor 0.9: %s)   bsn/caddy %s (floor 1.0: %s)\n' "$r1" "$(verdict "$r1" 0.9)" "$r2" "$(verdict "$r2" 1.0)"
printf 'handshakes  bsn/nginx %s (floor 0.8: %s)   bsn/caddy %s\n' "$r3" "$(verdict "$r3" 0.8)" "$r4"
