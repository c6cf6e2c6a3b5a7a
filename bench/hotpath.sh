#!/usr/bin/env bash
# The hot path next to its yardsticks, in one run: NGINX as a reverse proxy, the bare Vert.x raw
# proxy (../shared/peers/vertx-proxy, built into a temporary directory), and the gateway with the
# full feature path on (a registry service, a circuit breaker, a retry policy, default metrics:
# bench/gateway-bench-full.yaml), optionally next to a baseline gateway jar. All in front of the
# same NGINX backend, each warmed, then loaded in turn, round after round, in a rotating order
# (noise from other processes falls on every target alike); medians are printed.
#
# usage: bench/hotpath.sh [--connections N] [--rounds N] [--seconds N] [--warmup N] [--baseline JAR]
#                         [--config YAML] [--baseline-config YAML] [--jar JAR]
#                         [--baseline-java-opts FLAGS]
#   --jar: the gateway's jar instead of this tree's (e.g. to compare two saved builds).
#   --baseline-java-opts: the baseline's JVM flags instead of the gateway's (JAVA_OPTS), e.g. ""
#   for the JVM's defaults; with no --baseline, the baseline is this tree's jar with those flags
#   (the same jar with and without a flag set, side by side).
#   --config/--baseline-config: the gateway's (the baseline's) configuration instead of
#   bench/gateway-bench-full.yaml, e.g. one with another `gateway.eventLoops` (its ports are
#   rewritten as for the default one: 18090/19090 must be the ones in the file). With
#   --baseline-config and no --baseline, the baseline is this tree's jar with that configuration.
#   defaults: 32 connections, 7 rounds of 8 s, 30 s of warm-up per target (in runs of at most 5 s:
#   bench/warm.sh, so that reconnecting is compiled before the rounds). Ports: backend
#   127.0.0.1:19001, NGINX proxy 19002, Vert.x raw proxy 19005, gateway 18090 (baseline 18091),
#   management +1000. Needs wrk and nginx (installed from Debian if missing), Maven for the peer.
#   JVM flags for the gateways: JAVA_OPTS (both, unless --baseline-java-opts).
# Prints per target: req/s, p50 and p99 (us), the CPU the proxy process used per request (us, user
# + system, from /proc: a figure that machine noise disturbs less than req/s), its ratio to NGINX
# and to the raw Vert.x proxy (medians of the per-round ratios), p99 over NGINX's, its resident
# set after each round (MiB; NGINX: its workers'), and for the JVMs that CPU split: loop_us/req is
# the Vert.x event-loop threads' share (the request path itself), jit_us/req the C1/C2 compiler
# threads' (JIT work that still runs after the warm-up, and how much lands in a round varies;
# compare code changes by loop_us/req).
set -euo pipefail
conns=32 rounds=7 seconds=8 warmup=30 baseline="" config="" baseline_config="" jar_arg=""
java_opts=${JAVA_OPTS:-} baseline_java_opts="" baseline_java_opts_set=""
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) conns=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --jar) jar_arg=$(realpath "$2"); shift 2 ;;
    --config) config=$(realpath "$2"); shift 2 ;;
    --baseline-config) baseline_config=$(realpath "$2"); shift 2 ;;
    --baseline-java-opts) baseline_java_opts=$2 baseline_java_opts_set=1; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
[ -z "$jar_arg" ] || jar=$jar_arg
peer_src=${VERTX_PEER:-$bench_root/../shared/peers/vertx-proxy}
[ -d "$peer_src" ] || { echo "the Vert.x raw proxy is not at $peer_src (set VERTX_PEER)" >&2; exit 2; }
cp -r "$peer_src" "$wd/peer" && chmod -R u+w "$wd/peer"
(cd "$wd/peer" && mvn -q -B -DskipTests package)

bench_backend
cat > "$wd/proxy.conf" <<CONF
worker_processes 2; daemon off; pid $wd/proxy.pid; error_log $wd/proxy.err;
events { worker_connections 8192; }
http { access_log off;
  upstream be { server 127.0.0.1:19001; keepalive 128; keepalive_requests 10000000; }
  server { listen 127.0.0.1:19002; keepalive_requests 10000000;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
nginx -c "$wd/proxy.conf" & pids+=($!)
java -jar "$wd/peer/target/vertx-proxy-peer-1.jar" raw 19005 2 > "$wd/peer.log" 2>&1 & pids+=($!)
names=(nginx vertx-raw) urls=(http://127.0.0.1:19002/bench/item http://127.0.0.1:19005/bench/item)
# the process whose CPU is counted: NGINX's workers are children of its master
procs=("nginx-proxy" "${pids[-1]}")

start_gateway() {  # start_gateway NAME JAR PORT YAML JVM-FLAGS
  sed "s/18090/$3/; s/19090/$(($3 + 1000))/" "$4" > "$wd/$1.yaml"
  echo "$1: java $5 -jar $2" >&2
  # shellcheck disable=SC2086
  java $5 -jar "$2" --config "$wd/$1.yaml" > "$wd/$1.log" 2>&1 & pids+=($!)
  names+=("$1"); urls+=("http://127.0.0.1:$3/bench/item"); procs+=("${pids[-1]}")
}
full="$here/gateway-bench-full.yaml"
start_gateway gateway "$jar" 18090 "${config:-$full}" "$java_opts"
[ -n "$baseline" ] || [ -z "$baseline_config$baseline_java_opts_set" ] || baseline=$jar
[ -n "$baseline_java_opts_set" ] || baseline_java_opts=$java_opts
[ -z "$baseline" ] || start_gateway baseline "$baseline" 18091 "${baseline_config:-$full}" "$baseline_java_opts"
for n in gateway ${baseline:+baseline}; do bench_wait_ready "$wd/$n.log"; done
for u in "${urls[@]}"; do
  for _ in $(seq 50); do curl -sf "$u" >/dev/null && break; sleep 0.2; done
  curl -sf "$u" >/dev/null || { echo "$u does not answer 2xx" >&2; exit 1; }
done

cpu_ticks() {  # user+system clock ticks of a process (NGINX proxy: its workers)
  if [ "$1" = nginx-proxy ]; then
    local master; master=$(cat "$wd/proxy.pid")
    for p in $(pgrep -P "$master"); do bench_cpu_ticks "$p"; done | awk '{s += $1} END {print s + 0}'
  else
    bench_cpu_ticks "$1"
  fi
}
rss_kib() {  # resident set of a process (NGINX proxy: its workers), KiB
  local ps=$1
  [ "$1" != nginx-proxy ] || ps=$(pgrep -P "$(cat "$wd/proxy.pid")")
  for p in $ps; do awk '/^VmRSS/ {print $2}' "/proc/$p/status"; done | awk '{s += $1} END {print s + 0}'
}
split_ticks() {  # "event-loop JIT" ticks of a JVM's threads (its Vert.x event loops; C1 and C2 compilers)
  if [ "$1" = nginx-proxy ]; then echo "0 0"; return; fi
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{sub(/.*\) /, ""); print $12 + $13}' "$t/stat" 2>/dev/null)"
  done | awk '/^vert\.x-eventloo/ {l += $NF} /^C[12] CompilerThre/ {j += $NF} END {print l + 0, j + 0}'
}
n=${#names[@]}
# C2 needs tens of seconds of traffic on 2 cores: warm each before measuring any
for k in $(seq 0 $((n - 1))); do bench_warm "$warmup" wrk -t1 -c"$conns" "${urls[$k]}"; done
hz=$(getconf CLK_TCK)
for r in $(seq "$rounds"); do
  for kk in $(seq 0 $((n - 1))); do
    k=$(( (kk + r) % n ))
    c0=$(cpu_ticks "${procs[$k]}") s0=$(split_ticks "${procs[$k]}")
    out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "${urls[$k]}")
    c1=$(cpu_ticks "${procs[$k]}") s1=$(split_ticks "${procs[$k]}")
    loop=$(( (${s1% *} - ${s0% *}) * 1000000 / hz )) jit=$(( (${s1#* } - ${s0#* }) * 1000000 / hz ))
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}' | bench_to_us)
    p99=$(echo "$out" | awk '$1=="99%" {print $2}' | bench_to_us)
    bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    echo "$r ${names[$k]} $rps $p50 $p99 $(( (c1 - c0) * 1000000 / hz )) $reqs ${bad:-0} $(rss_kib "${procs[$k]}") $loop $jit" >> "$wd/results"
  done
done
echo "wrk -t1 -c$conns -d${seconds}s, $rounds rotating rounds, medians (gateway: bench/gateway-bench-full.yaml)"
python3 - "$wd/results" "${names[@]}" <<'PY'
import collections, statistics, sys
names = sys.argv[2:]
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, n, rps, p50, p99, cpu_us, reqs, bad, rss, loop_us, jit_us = line.split()
    q = max(1, int(reqs))
    rows[n][r] = (float(rps), float(p50), float(p99), float(cpu_us) / q, int(bad), int(rss) / 1024,
                  float(loop_us) / q, float(jit_us) / q)
def ratio(n, ref, i):
    return statistics.median(rows[n][r][i] / rows[ref][r][i] for r in rows[n])
print(f"{'target':<10} {'req/s':>8} {'p50_us':>7} {'p99_us':>7} {'cpu_us/req':>10} {'vs_nginx':>8} {'vs_vxraw':>8} {'p99/nginx':>9} {'non2xx':>6} {'rss_mib':>7} {'loop_us/req':>11} {'jit_us/req':>10}")
for n in names:
    col = lambda i: statistics.median(v[i] for v in rows[n].values())
    print(f"{n:<10} {col(0):>8.0f} {col(1):>7.0f} {col(2):>7.0f} {col(3):>10.1f} {ratio(n, 'nginx', 0):>8.2f}"
          f" {ratio(n, 'vertx-raw', 0):>8.2f} {ratio(n, 'nginx', 2):>9.2f} {sum(v[4] for v in rows[n].values()):>6} {col(5):>7.0f}"
          + (f" {'-':>11} {'-':>10}" if n == 'nginx' else f" {col(6):>11.1f} {col(7):>10.1f}"))
PY
