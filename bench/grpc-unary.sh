#!/usr/bin/env bash
# gRPC unary calls through the gateway next to the same calls made directly: a Vert.x gRPC echo
# server (h2c), the gateway in front of it (listener h2c: true, backend protocol: http2), and a
# Vert.x gRPC client keeping N calls in flight for S seconds, direct then through the gateway,
# round after round; prints each run's calls/s and the gateway's share of direct (medians).
#
# usage: bench/grpc-unary.sh [--rounds N] [--seconds N] [--in-flight N] [--warmup N]
#   defaults: 3 rounds of 8 s, 64 calls in flight, 10 s of warm-up per run (not counted). Ports: echo 127.0.0.1:28310,
#   gateway 28311 (management 28312). Runs the programs in bench/grpc on the gateway's test classpath.
set -euo pipefail
rounds=3 seconds=8 inflight=64 warmup=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --in-flight) inflight=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
jar="$root/gateway/target/portico-gateway.jar"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
wd=$(mktemp -d)
pids=()
# shellcheck disable=SC2154 # p is the loop's own variable, inside the trap's string
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$wd"' EXIT
(cd "$root" && mvn -q -B -pl gateway dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$wd/cp") >/dev/null
cp=$(cat "$wd/cp")
java -Dlogback.configurationFile="$here/grpc/logback-quiet.xml" -cp "$cp" "$here/grpc/GrpcBench.java" server 28310 > "$wd/echo.log" 2>&1 & pids+=($!)
cat > "$wd/gateway.yaml" <<YAML
listeners:
  traffic: { host: 127.0.0.1, port: 28311, h2c: true }
  management: { host: 127.0.0.1, port: 28312 }
backends:
  - { id: echo, url: "http://127.0.0.1:28310", protocol: http2, maxConcurrentStreams: 200 }
apis:
  - { id: grpc, path: /bench.Echo, backend: echo }
YAML
java ${JAVA_OPTS:-} -jar "$jar" --config "$wd/gateway.yaml" > "$wd/gateway.log" 2>&1 & pids+=($!)
for _ in $(seq 150); do grep -q "ready: traffic on" "$wd/gateway.log" && grep -q "ready" "$wd/echo.log" && break; sleep 0.2; done
grep -q "ready: traffic on" "$wd/gateway.log" || { cat "$wd/gateway.log" >&2; exit 1; }
# each load run warms its own client JVM up first; the programs' debug logging is not wanted here
load() {
  java -Dlogback.configurationFile="$here/grpc/logback-quiet.xml" -cp "$cp" "$here/grpc/GrpcBench.java" load "$1" \
    "$warmup" "$seconds" "$inflight" | grep '^calls/s'
}
load 28311 >/dev/null
direct=() gateway=()
for r in $(seq "$rounds"); do
  d=$(load 28310); g=$(load 28311)
  echo "round $r  direct:  $d"
  echo "round $r  gateway: $g"
  direct+=("$(echo "$d" | awk '{print $2}')"); gateway+=("$(echo "$g" | awk '{print $2}')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
md=$(median "${direct[@]}"); mg=$(median "${gateway[@]}")
echo "median calls/s: direct $md, through the gateway $mg ($(awk -v g="$mg" -v d="$md" 'BEGIN {printf "%.0f", 100*g/d}')% of direct)"
