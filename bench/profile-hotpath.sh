#!/usr/bin/env bash
# The gateway's hot path under load, profiled with async-profiler (from Maven Central,
# tools.profiler:async-profiler): the full feature path (bench/gateway-bench-full.yaml) in front of
# the NGINX backend, warmed with wrk, then profiled (attached with jcmd, no restart) for one load
# run per event: cpu (where the time goes) and alloc (what is allocated, and how much per request).
#
# usage: bench/profile-hotpath.sh [--jar JAR] [--peer] [--connections N] [--seconds N] [--warmup N]
#                                 [--out DIR]
#   defaults: the built jar, 32 connections, 10 s per profile, 20 s of warm-up, output in ./profile.
#   --peer profiles the bare Vert.x raw proxy of bench/hotpath.sh (../shared/peers/vertx-proxy, or
#   VERTX_PEER; built into a temporary directory) instead of the gateway, under the same load: the
#   floor Vert.x's own HTTP server and client set, e.g. for bytes allocated per request.
#   Ports: backend 127.0.0.1:19001, gateway 18090 (management 19090) or the raw proxy 19005, as
#   bench/hotpath.sh: run it under the same lock as the other benchmarks.
# Prints the requests of each run, and for alloc the bytes allocated per request (async-profiler's
# estimate: the sampled allocations weighted by size, total over the run / wrk's request count).
# Then each run split by whose code spent it (bench/profile-split.py): the event loops' CPU per
# request in the kernel, Netty, Vert.x and the proxy's own code; the bytes per request allocated
# with no frame of the proxy's own on the stack (Vert.x and Netty reading, decoding, writing),
# inside the Vert.x and Netty calls its code makes, and in its own code (profiler cost included).
# Writes per event a flame graph (.html) and collapsed stacks (.txt). CPU samples every 1 ms
# (CPU_INTERVAL_NS to change it).
set -euo pipefail
conns=32 seconds=10 warmup=20 out=profile jar_arg="" peer=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar_arg=$2; shift 2 ;;
    --peer) peer=1; shift ;;
    --connections) conns=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
[ -z "$jar_arg" ] || jar=$jar_arg
mkdir -p "$out"
out=$(cd "$out" && pwd)
bench_fetch_profiler

bench_backend
if [ -n "$peer" ]; then
  # as bench/hotpath.sh builds and starts it
  peer_src=${VERTX_PEER:-$bench_root/../shared/peers/vertx-proxy}
  [ -d "$peer_src" ] || { echo "the Vert.x raw proxy is not at $peer_src (set VERTX_PEER)" >&2; exit 2; }
  cp -r "$peer_src" "$wd/peer" && chmod -R u+w "$wd/peer"
  (cd "$wd/peer" && mvn -q -B -DskipTests package)
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$wd/peer/target/vertx-proxy-peer-1.jar" raw 19005 2 > "$wd/gateway.log" 2>&1 & pids+=($!)
  gw=${pids[-1]}
  for _ in $(seq 150); do grep -q "^listening" "$wd/gateway.log" && break; sleep 0.2; done
  grep -q "^listening" "$wd/gateway.log" || { echo "the raw proxy did not start" >&2; cat "$wd/gateway.log" >&2; exit 1; }
  url=http://127.0.0.1:19005/bench/item
  own_prefix=peer/
else
  cp "$here/gateway-bench-full.yaml" "$wd/gateway.yaml"
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" --config "$wd/gateway.yaml" > "$wd/gateway.log" 2>&1 & pids+=($!)
  gw=${pids[-1]}
  bench_wait_ready "$wd/gateway.log"
  url=http://127.0.0.1:18090/bench/item
  own_prefix=dev/portico/
fi
for _ in $(seq 50); do curl -sf "$url" >/dev/null && break; sleep 0.2; done
bench_warm "$warmup" wrk -t1 -c"$conns" "$url"
for event in cpu alloc; do
  opts="start,event=$event"
  [ "$event" != cpu ] || opts="$opts,interval=${CPU_INTERVAL_NS:-1000000}"
  bench_profiler "$gw" "$opts"
  reqs=$(wrk -t1 -c"$conns" -d"${seconds}s" "$url" | awk '/requests in/ {print $1}')
  bench_profiler "$gw" "stop,file=$out/$event.html"
  bench_profiler "$gw" "dump,collapsed,total,file=$out/$event.txt"
  line="$event: $reqs requests"
  if [ "$event" = alloc ]; then
    bytes=$(awk '{s += $NF} END {printf "%.0f", s}' "$out/$event.txt")
    line="$line, $bytes bytes allocated (sampled estimate), $(( bytes / reqs )) B/request"
  fi
  echo "$line"
  # whose code: the kernel, Vert.x, Netty or the proxy's own (bench/profile-split.py)
  python3 "$here/profile-split.py" "$event" "$out/$event.txt" "$reqs" "$own_prefix"
done
log=gateway.log
[ -z "$peer" ] || log=vertx-raw.log
cp "$wd/gateway.log" "$out/$log"
echo "flame graphs and collapsed stacks in $out (and the process's log, $log)"
