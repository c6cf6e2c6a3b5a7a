#!/usr/bin/env bash
# What metrics cost, measured so that machine noise cancels out: three gateways run side by side
# in front of one NGINX backend (default metrics, metrics.vertxHttp on, metrics off), each warmed,
# then loaded in turn, round after round, in a rotating order. Per round, each variant's req/s is
# divided by metrics-off's; the medians of those ratios are printed.
#
# usage: bench/metrics-ab.sh [--rounds N] [--seconds N] [--warmup N]     (defaults 7, 8, 30)
#   Ports: backend 127.0.0.1:19001, gateways 18084-18086 (management 19094-19096). Needs wrk and
#   nginx (installed from Debian if missing). Extra JVM flags for the gateways: JAVA_OPTS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
jar="$root/gateway/target/portico-gateway.jar"
rounds=7 seconds=8 warmup=30
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
fi

wd=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$wd"
}
trap cleanup EXIT

cat > "$wd/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $wd/nginx.pid; error_log $wd/nginx.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:19001; keepalive_requests 10000000;
  location / { default_type application/json; return 200 '{"ok":true,"service":"bench"}'; } } }
CONF
nginx -c "$wd/nginx.conf" & pids+=($!)

variants=(default vertx-http metrics-off)
declare -A port=([default]=18084 [vertx-http]=18085 [metrics-off]=18086)
declare -A metrics=([default]="{}" [vertx-http]="{ vertxHttp: true }" [metrics-off]="{ enabled: false }")
for v in "${variants[@]}"; do
  p=${port[$v]}
  cat > "$wd/$v.yaml" <<YAML
listeners:
  traffic: { host: 127.0.0.1, port: $p }
  management: { host: 127.0.0.1, port: $((p + 1010)) }
metrics: ${metrics[$v]}
backends: [ { id: bench, url: "http://127.0.0.1:19001" } ]
apis: [ { id: bench, path: /bench, backend: bench } ]
YAML
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" --config "$wd/$v.yaml" > "$wd/$v.log" 2>&1 & pids+=($!)
done
for v in "${variants[@]}"; do
  for _ in $(seq 150); do grep -q "ready: traffic on" "$wd/$v.log" && break; sleep 0.2; done
  grep -q "ready: traffic on" "$wd/$v.log" || { echo "gateway $v did not start" >&2; cat "$wd/$v.log" >&2; exit 1; }
done
# C2 needs tens of seconds of traffic on 2 cores: warm each before measuring any
for v in "${variants[@]}"; do
  wrk -t1 -c32 -d"${warmup}s" "http://127.0.0.1:${port[$v]}/bench/item" > /dev/null
done
for r in $(seq "$rounds"); do
  for i in 0 1 2; do
    v=${variants[$(( (i + r) % 3 ))]}
    rps=$(wrk -t1 -c32 -d"${seconds}s" "http://127.0.0.1:${port[$v]}/bench/item" | awk '/Requests\/sec/ {print $2}')
    echo "$r $v $rps" >> "$wd/results"
  done
done
python3 - "$wd/results" <<'PY'
import collections, statistics, sys
by = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, v, rps = line.split()
    by[r][v] = float(rps)
print(f"{'variant':<12} {'median req/s':>12} {'vs metrics-off':>15}")
for v in ["default", "vertx-http", "metrics-off"]:
    med = statistics.median(by[r][v] for r in by)
    ratio = statistics.median(by[r][v] / by[r]["metrics-off"] for r in by)
    print(f"{v:<12} {med:>12.0f} {ratio:>15.2f}")
PY
