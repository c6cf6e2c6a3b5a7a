#!/usr/bin/env bash
# Whole-gateway throughput next to NGINX and HAProxy: the same backend and the same wrk load, one run.
#
# usage: bench/run.sh [peers.sh options...]       e.g. bench/run.sh --rounds 5 --seconds 10
#   Builds the gateway jar if missing, starts it with bench/gateway-bench.yaml (traffic on
#   127.0.0.1:18080, /bench -> http://127.0.0.1:19001, the backend peers.sh starts), then runs
#   bench/peers.sh (a copy of ../shared/bench/peers.sh) with --gateway, after a JIT warm-up of
#   BENCH_WARMUP_SECONDS (default 45) of the same load, in runs of at most 5 s (bench/warm.sh).
#   Extra JVM flags: JAVA_OPTS.
#   Prints peers.sh's table: median req/s, p50, p99 per target and the ratio to NGINX.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
jar="$root/gateway/target/portico-gateway.jar"
config=${BENCH_CONFIG:-$here/gateway-bench.yaml}
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
log=$(mktemp)
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar "$jar" --config "$config" >"$log" 2>&1 &
gw=$!
trap 'kill $gw 2>/dev/null || true; wait $gw 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q "ready: traffic on" "$log" && break
  kill -0 $gw 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
grep -q "ready: traffic on" "$log" || { echo "gateway did not start" >&2; cat "$log" >&2; exit 1; }
# Warm the JVM first: on a 2-core machine C2 needs ~30-40 s of traffic to compile the request path,
# and peers.sh would otherwise measure the JIT, not the gateway. The backend is not up yet, so warm
# against a throwaway NGINX on the same port that peers.sh then takes over.
warm=${BENCH_WARMUP_SECONDS:-45}
if [ "$warm" -gt 0 ]; then
  command -v wrk >/dev/null && command -v nginx >/dev/null || \
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light haproxy >/dev/null; }
  wd=$(mktemp -d)
  cat > "$wd/warm.conf" <<CONF
worker_processes 1; daemon off; pid $wd/warm.pid; error_log $wd/warm.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:19001; keepalive_requests 10000000;
  location / { default_type application/json; return 200 '{"ok":true,"service":"warmup"}'; } } }
CONF
  nginx -c "$wd/warm.conf" & warm_pid=$!
  sleep 0.5
  # shellcheck source=bench/warm.sh
  . "$here/warm.sh"
  bench_warm "$warm" wrk -t1 -c32 http://127.0.0.1:18080/bench/item
  kill $warm_pid; wait $warm_pid 2>/dev/null || true; rm -rf "$wd"
fi
"$here/peers.sh" --gateway http://127.0.0.1:18080/bench/item "$@"
