#!/usr/bin/env bash
# Service Fabric import at scale: a simulated cluster (one stateful service of N UniformInt64Range
# partitions x R replicas, served with the real management REST shapes: paged lists, one
# ResolvePartition per partition) imported by a gateway started with -Xmx; per size, prints the time
# until /health/ready passes, the import cycle's own duration, the process's RSS (now and peak), the
# live heap after a full GC, and how many blocked-thread warnings the gateway logged.
#
# usage: bench/fabric-import.sh [--sizes "1000 10000"] [--replicas 3] [--xmx 512m] [--parallelism 8] [--page-size 500]
#   Ports: simulated cluster 127.0.0.1:38090, gateway 38080 (management 38081). Needs curl and a JDK (jcmd).
#   Heavy: run it under the shared lock, flock /work/notes/cpu.lock bench/fabric-import.sh
set -euo pipefail
sizes="1000 10000" replicas=3 xmx=512m parallelism=8 page=500
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --replicas) replicas=$2; shift 2 ;;
    --xmx) xmx=$2; shift 2 ;;
    --parallelism) parallelism=$2; shift 2 ;;
    --page-size) page=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/gateway/target/portico-gateway.jar"
tests=$(ls "$root"/service-fabric-adapter/target/portico-service-fabric-adapter-*-tests.jar 2>/dev/null | head -1 || true)
if [ ! -f "$jar" ] || [ -z "$tests" ]; then
  (cd "$root" && mvn -q -B -DskipTests package)
  tests=$(ls "$root"/service-fabric-adapter/target/portico-service-fabric-adapter-*-tests.jar | head -1)
fi
wd=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$wd"
}
trap cleanup EXIT
token=bench-fabric-import-token-0001
cat > "$wd/gateway.yaml" <<YAML
listeners: { traffic: { host: 127.0.0.1, port: 38080 }, management: { host: 127.0.0.1, port: 38081 } }
admin: { token: "$token" }
backends:
  - id: orders
    url: "fabric:/Bench/Orders"
    serviceFabricCluster:
      managementEndpoints: [ "http://127.0.0.1:38090" ]
      importer: { interval: PT1H, requestTimeout: PT30S, parallelism: $parallelism }
apis:
  - { id: orders, path: /orders, backend: orders, set-backend-service: { sf-partition-key: "segment:0" } }
YAML

kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
printf '%-11s %9s %10s %10s %10s %10s %8s %s\n' partitions replicas "ready ms" "cycle ms" "RSS MiB" "peak MiB" "heap MiB" "blocked"
for n in $sizes; do
  java -cp "$jar:$tests" dev.portico.fabric.testing.FakeClusterServer --port 38090 --partitions "$n" \
    --replicas "$replicas" --page-size "$page" > "$wd/sim.log" 2>&1 & sim=$!; pids+=("$sim")
  for _ in $(seq 150); do grep -q listening "$wd/sim.log" && break; sleep 0.2; done
  started=$(date +%s%N)
  # shellcheck disable=SC2086
  java -Xmx"$xmx" ${JAVA_OPTS:-} -jar "$jar" --config "$wd/gateway.yaml" > "$wd/gw.log" 2>&1 & gw=$!; pids+=("$gw")
  code=000
  for _ in $(seq 2400); do
    code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:38081/health/ready || true)
    [ "$code" = 200 ] && break
    kill -0 "$gw" 2>/dev/null || { echo "the gateway died:" >&2; tail -20 "$wd/gw.log" >&2; exit 1; }
    sleep 0.25
  done
  [ "$code" = 200 ] || { echo "not ready after 10 minutes" >&2; exit 1; }
  ready=$(( ($(date +%s%N) - started) / 1000000 ))
  cycle=$(curl -s -H "Authorization: Bearer $token" http://127.0.0.1:38081/admin/service-fabric/importers \
    | tr ',{' '\n\n' | awk -F: '/"durationMs"/ {gsub(/ /, "", $2); print $2; exit}')
  rss=$(( $(kb "$gw" VmRSS) / 1024 )); peak=$(( $(kb "$gw" VmHWM) / 1024 ))
  heap=$(jcmd "$gw" GC.class_histogram 2>/dev/null | awk '/^Total/ {printf "%d", $3 / 1048576}')
  blocked=$(grep -c "has been blocked" "$wd/gw.log" || true)
  printf '%-11s %9s %10s %10s %10s %10s %8s %s\n' "$n" "$((n * replicas))" "$ready" "${cycle:-?}" "$rss" "$peak" \
    "${heap:-?}" "$blocked"
  kill "$gw" "$sim"; wait "$gw" "$sim" 2>/dev/null || true
  pids=()
done
echo "(-Xmx$xmx, importer parallelism $parallelism; heap: live bytes after a full GC, with the import done and indexed)"
