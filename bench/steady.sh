#!/usr/bin/env bash
# The steady scenario of docker/k6/steady.js, run with wrk (bench/steady.lua: the same request mix),
# so the numbers exist where k6 does not run.
#
# usage: bench/steady.sh [--url URL] [--seconds N] [--warmup N] [--connections N] [--threads N]
#   Without --url it starts the compose topology on loopback from the host jar (no containers):
#   three demo backends (the gateway jar on its built-in default, ids demo-a/b/c, one event loop
#   each) and the gateway on docker/config/gateway.yaml, whose registry instances are pointed at
#   them by environment overrides; traffic on 127.0.0.1:18580 (management 18590, demos 18581-18583).
#   With --url (e.g. http://localhost:8080 under docker compose) it only loads that gateway.
#   Defaults: --warmup 30 (JIT warm-up, same load, not measured) --seconds 60 --connections 32 --threads 1.
#   Extra JVM flags for the gateway: JAVA_OPTS. Prints wrk's latency distribution and one line
#   "steady-result requests=... rps=... p50_ms=... p99_ms=... errors=... non2xx=...".
# Note: every request crosses two JVMs (gateway -> demo backend, itself a gateway in front of its
# echo verticle), all of them on the same cores as wrk: compare runs of this script, not with
# bench/run.sh (gateway in front of NGINX).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
url="" seconds=60 warmup=30 conns=32 threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url=${2%/}; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; fi; done
  for p in "${pids[@]:-}"; do if [ -n "$p" ]; then wait "$p" 2>/dev/null || true; fi; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() {  # wait_ready NAME MGMT_PORT PID
  for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$2/health/ready" || true)" = 200 ] && return 0
    kill -0 "$3" 2>/dev/null || { echo "$1 exited:" >&2; cat "$work/$1.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "$1 not ready after 60s" >&2; cat "$work/$1.log" >&2; exit 1
}

if [ -z "$url" ]; then
  jar=$root/gateway/target/portico-gateway.jar
  [ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
  i=0
  for d in a b c; do
    i=$((i + 1))
    PORTICO_GATEWAY__ID=demo-$d PORTICO_GATEWAY__EVENTLOOPS=1 PORTICO_DEMO__INSTANCES=1 \
    PORTICO_LISTENERS__TRAFFIC__HOST=127.0.0.1 PORTICO_LISTENERS__TRAFFIC__PORT=$((18580 + i)) \
    PORTICO_LISTENERS__MANAGEMENT__HOST=127.0.0.1 PORTICO_LISTENERS__MANAGEMENT__PORT=$((18590 + i)) \
      java -Xmx256m -jar "$jar" >"$work/demo-$d.log" 2>&1 &
    pids+=($!)
  done
  # shellcheck disable=SC2086
  PORTICO_CONFIG=$root/docker/config/gateway.yaml \
  PORTICO_LISTENERS__TRAFFIC__HOST=127.0.0.1 PORTICO_LISTENERS__TRAFFIC__PORT=18580 \
  PORTICO_LISTENERS__MANAGEMENT__HOST=127.0.0.1 PORTICO_LISTENERS__MANAGEMENT__PORT=18590 \
  PORTICO_REGISTRY__INSTANCES__0__URL=http://127.0.0.1:18581/demo \
  PORTICO_REGISTRY__INSTANCES__1__URL=http://127.0.0.1:18582/demo \
  PORTICO_REGISTRY__INSTANCES__2__URL=http://127.0.0.1:18583/demo \
  PORTICO_BACKENDS__1__URL=http://127.0.0.1:18583/demo \
  PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__HOST=127.0.0.1 PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__PORT=18589 \
    java ${JAVA_OPTS:-} -jar "$jar" >"$work/gateway.log" 2>&1 &
  pids+=($!)
  i=0
  for d in a b c; do i=$((i + 1)); wait_ready "demo-$d" $((18590 + i)) "${pids[$((i - 1))]}"; done
  wait_ready gateway 18590 "${pids[3]}"
  url=http://127.0.0.1:18580
fi

# the topology answers, and /demo reaches every instance
seen=$(for _ in 1 2 3 4 5 6; do curl -sf "$url/demo/items/1" | jq -r '.headers.via'; done | sort -u | tr '\n' ';')
curl -sf "$url/pinned/status" >/dev/null || { echo "$url/pinned/status does not answer 2xx" >&2; exit 1; }
echo "gateway $url answers; /demo Via chains seen: $seen"

if [ "$warmup" -gt 0 ]; then
  echo "warm-up: ${warmup}s (not measured)"
  wrk -t"$threads" -c"$conns" -d"${warmup}s" -s "$here/steady.lua" "$url" >/dev/null
fi
echo "measure: wrk -t$threads -c$conns -d${seconds}s --latency -s bench/steady.lua $url"
wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s "$here/steady.lua" "$url"
