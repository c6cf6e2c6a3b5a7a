# Shared by the bench scripts (sourced): the jar, the tools, a work directory cleaned up on exit
# with the processes started in it, and the NGINX backend on 127.0.0.1:19001.
# shellcheck shell=bash

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$bench_root/gateway/target/portico-gateway.jar"
[ -f "$jar" ] || (cd "$bench_root" && mvn -q -B -DskipTests package)
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
fi

wd=$(mktemp -d)
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$wd"
}
trap bench_cleanup EXIT

# NGINX answering 200 with a small JSON body to every request, as peers.sh's backend does
bench_backend() {
  cat > "$wd/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $wd/nginx.pid; error_log $wd/nginx.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:19001; keepalive_requests 10000000;
  location / { default_type application/json; return 200 '{"ok":true,"service":"bench"}'; } } }
CONF
  nginx -c "$wd/nginx.conf" & pids+=($!)
}

# waits for the gateway logging to $1 to be ready, or exits showing its log
bench_wait_ready() {
  for _ in $(seq 150); do grep -q "ready: traffic on" "$1" && return 0; sleep 0.2; done
  echo "gateway did not start ($1)" >&2; cat "$1" >&2; exit 1
}
