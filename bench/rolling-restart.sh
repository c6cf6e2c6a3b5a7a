#!/usr/bin/env bash
# Rolling restart under load: two gateway processes behind a real HAProxy (Debian's), on loopback,
# HAProxy health-checking each gateway's /health/ready; a bounded, paced load (wrk,
# bench/rolling-restart.lua) runs while each gateway in turn gets SIGTERM, drains, exits, and is
# started again (the next one only once HAProxy sees the first UP again, as Kubernetes waits for
# readiness with maxUnavailable 0). Beside the paced load, two connections keep a slow request
# (400 ms at the backend) in flight at all times, so that every signal finds requests to drain.
# Reports the failed requests of both (goal: 0) and the latency percentiles of the paced load over
# the whole run, which spans the restarts (from 5 s before the first signal to 5 s after the last
# gateway is back).
#
# usage: bench/rolling-restart.sh [--rounds N] [--connections N] [--pace-ms N] [--delay DURATION]
#                                 [--port-base N] [--kill] [--max-failed N]
#   --rounds N        restart both gateways N times (default 1)
#   --connections N   wrk connections of the paced load (default 8); each waits --pace-ms
#                     (default 20) between requests: about N * 1000 / pace requests/s in all
#   --delay D         gateway.shutdown.delay (default PT1.5S: above HAProxy's 2 failed checks 300 ms
#                     apart, so it stops sending new requests before the listener closes)
#   --port-base N     ports N..N+9 (default 28080): HAProxy N, gateways N+1/N+2 (their management
#                     listeners N+3/N+4), backend N+5 (management N+6), HAProxy stats N+7
#   --kill            the contrast: SIGKILL instead of SIGTERM (no drain)
#   --max-failed N    exit 1 when more than N requests failed (default: report only)
# Prints one line: rolling-restart-result rounds=... signal=... failed=... (both loads) requests=...
#   p50_ms=... p99_ms=... max_ms=... rps=... (paced load) slow_requests=... slow_failed=...
#   haproxy_retries=... haproxy_redispatches=... exits=g1:0 g2:0 (exit statuses after the signal)
# Needs haproxy, wrk, curl (scripts/install-test-tools.sh installs them) and the built jar.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=1 conns=8 pace=20 delay=PT1.5S base=28080 signal=TERM max_failed=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --pace-ms) pace=$2; shift 2 ;;
    --delay) delay=$2; shift 2 ;;
    --port-base) base=$2; shift 2 ;;
    --kill) signal=KILL; shift ;;
    --max-failed) max_failed=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in haproxy wrk curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/install-test-tools.sh installs it)" >&2; exit 2; }
done
jar=$root/gateway/target/portico-gateway.jar
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)

lb=$base stats=$((base + 7)) backend=$((base + 5)) backend_mgmt=$((base + 6))
traffic=([1]=$((base + 1)) [2]=$((base + 2)))
mgmt=([1]=$((base + 3)) [2]=$((base + 4)))
work=$(mktemp -d)
declare -A pid
others=()
started=$SECONDS
say() { printf '[rolling-restart %3ds %s] %s\n' $((SECONDS - started)) "$(date +%H:%M:%S.%3N)" "$*"; }
cleanup() {
  for p in "${pid[@]:-}" "${others[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "[rolling-restart $(date +%H:%M:%S.%3N)] FAIL: $*" >&2; for l in "$work"/*.log; do echo "--- $l" >&2; tail -20 "$l" >&2; done; exit 1; }
for p in $(seq "$base" $((base + 9))); do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || fail "port $p is in use (use --port-base)"
done

wait_ready() {  # wait_ready MGMT_PORT PID NAME
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$1/health/ready" || true)" = 200 ] && return 0
    kill -0 "$2" 2>/dev/null || fail "$3 exited before it was ready"
    sleep 0.1
  done
  fail "$3 not ready after 60 s"
}
haproxy_status() {  # haproxy_status SERVER: UP, DOWN, DOWN 1/2, ... as HAProxy's stats say
  curl -s --max-time 2 "http://127.0.0.1:$stats/stats;csv" | awk -F, -v s="$1" '$1 == "gateways" && $2 == s { print $18 }'
}
await_up() {  # await_up SERVER SECONDS: until HAProxy's health checks have taken it (back) in
  local seen="" deadline=$((SECONDS + $2))
  while [ $SECONDS -lt "$deadline" ]; do
    seen=$(haproxy_status "$1" || true)   # the stats port may not listen yet
    [ "$seen" = UP ] && return 0
    sleep 0.1
  done
  fail "HAProxy does not see $1 UP after $2 s (its stats say '$seen')"
}
haproxy_total() {  # haproxy_total COLUMN: the backend's counter (wretr: retries, wredis: redispatches)
  curl -s "http://127.0.0.1:$stats/stats;csv" | awk -F, -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c || $i == "# " c) col = i }
    $1 == "gateways" && $2 == "BACKEND" { print $col }' || true
}

# the backend: the gateway jar on its built-in default (demo echo behind /demo, ?delayMs=N), one JVM
PORTICO_GATEWAY__ID=backend PORTICO_GATEWAY__EVENTLOOPS=1 PORTICO_DEMO__INSTANCES=1 \
PORTICO_LISTENERS__TRAFFIC__HOST=127.0.0.1 PORTICO_LISTENERS__TRAFFIC__PORT=$backend \
PORTICO_LISTENERS__MANAGEMENT__HOST=127.0.0.1 PORTICO_LISTENERS__MANAGEMENT__PORT=$backend_mgmt \
  java -Xmx256m -jar "$jar" >"$work/backend.log" 2>&1 &
others+=($!)
wait_ready "$backend_mgmt" "${others[0]}" backend

cat >"$work/gateway.yaml" <<YAML
gateway: { eventLoops: 1, shutdown: { delay: $delay, gracePeriod: PT20S } }
listeners:
  traffic: { host: 127.0.0.1 }
  management: { host: 127.0.0.1 }
backends: [ { id: demo, url: "http://127.0.0.1:$backend/demo" } ]
apis: [ { id: demo, path: /demo, backend: demo } ]
YAML
start_gateway() {  # start_gateway N
  PORTICO_CONFIG=$work/gateway.yaml PORTICO_GATEWAY__ID=g$1 \
  PORTICO_LISTENERS__TRAFFIC__PORT=${traffic[$1]} PORTICO_LISTENERS__MANAGEMENT__PORT=${mgmt[$1]} \
    java -Xmx256m -jar "$jar" >>"$work/g$1.log" 2>&1 &
  pid[$1]=$!
}
start_gateway 1
start_gateway 2
wait_ready "${mgmt[1]}" "${pid[1]}" g1
wait_ready "${mgmt[2]}" "${pid[2]}" g2

cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 10s
  option http-keep-alive
  # HAProxy's usual production settings: a refused connection is tried again, on another server
  retries 2
  option redispatch 1
frontend fe
  bind 127.0.0.1:$lb
  default_backend gateways
frontend stats
  bind 127.0.0.1:$stats
  stats enable
  stats uri /stats
backend gateways
  balance roundrobin
  option httpchk
  http-check send meth GET uri /health/ready
  http-check expect status 200
  default-server inter 300ms fall 2 rise 2
  server g1 127.0.0.1:${traffic[1]} check port ${mgmt[1]}
  server g2 127.0.0.1:${traffic[2]} check port ${mgmt[2]}
CFG
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
others+=($!)
await_up g1 30
await_up g2 30
curl -sf "http://127.0.0.1:$lb/demo/hello" >/dev/null || fail "no answer through HAProxy"
say "backend, g1, g2 and HAProxy up; load: $conns connections, one request per ${pace} ms each; signal: SIG$signal"

# the load, until stopped (SIGINT makes wrk print its results and run done())
LABEL=paced DELAY_MS=$pace wrk -t1 -c"$conns" -d600s --timeout 10s -s "$here/rolling-restart.lua" \
  "http://127.0.0.1:$lb" >"$work/wrk.out" 2>&1 &
wrk_pid=$!
LABEL=slow SLOW_MS=400 wrk -t1 -c2 -d600s --timeout 10s -s "$here/rolling-restart.lua" \
  "http://127.0.0.1:$lb" >"$work/wrk-slow.out" 2>&1 &
wrk_slow_pid=$!
sleep 5
exits=""
for r in $(seq "$rounds"); do
  for n in 1 2; do
    t0=$SECONDS
    kill -s "$signal" "${pid[$n]}"
    code=0
    wait "${pid[$n]}" || code=$?
    exits="$exits g$n:$code"
    say "round $r: g$n got SIG$signal, exited $code after $((SECONDS - t0)) s; starting it again"
    start_gateway "$n"
    wait_ready "${mgmt[$n]}" "${pid[$n]}" "g$n"
    await_up "g$n" 60
    say "round $r: g$n ready and UP in HAProxy again"
  done
done
sleep 5
kill -INT "$wrk_pid" "$wrk_slow_pid"
wait "$wrk_pid" || true
wait "$wrk_slow_pid" || true
cat "$work/wrk.out" "$work/wrk-slow.out" >&2
line=$(grep '^paced ' "$work/wrk.out") || fail "wrk printed no result"
slow=$(grep '^slow ' "$work/wrk-slow.out") || fail "wrk (slow requests) printed no result"
field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$2"; }
secs=$(awk '/requests in/ { for (i = 1; i <= NF; i++) if ($i ~ /s,$/) { sub(/s,$/, "", $i); print $i } }' "$work/wrk.out")
requests=$(field requests "$line")
failed=$(( $(field failed "$line") + $(field failed "$slow") ))
rps=$(awk -v n="$requests" -v s="${secs:-0}" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }')
result="rolling-restart-result rounds=$rounds signal=SIG$signal failed=$failed requests=$requests"
result="$result p50_ms=$(field p50_ms "$line") p99_ms=$(field p99_ms "$line") max_ms=$(field max_ms "$line") rps=$rps seconds=${secs:-?}"
result="$result slow_requests=$(field requests "$slow") slow_failed=$(field failed "$slow")"
result="$result haproxy_retries=$(haproxy_total wretr) haproxy_redispatches=$(haproxy_total wredis) exits=${exits# }"
echo "$result"
if [ -n "$max_failed" ] && [ "$failed" -gt "$max_failed" ]; then
  fail "$failed requests failed (at most $max_failed allowed)"
fi
if [ "$signal" = TERM ]; then
  for e in $exits; do [ "${e#*:}" = 0 ] || fail "a gateway did not exit 0 after SIGTERM:$exits"; done
fi
