#!/usr/bin/env bash
# Two gateways at scale side by side, one difference apart (JVM flags, jar, or the configuration's
# size), so that this machine's noise falls on both alike: bench/scale.sh compares a gateway with
# itself at one API, which is the issue's goal but moves ±10 % between runs; this answers "does
# this flag or change help at 10,000 APIs" instead. Both gateways get bench/scale.sh's backends,
# configuration (bench/scale-config.py) and random-API load (wrk with a Lua script), are warmed,
# then loaded in turn, round after round, in a rotating order. Prints each round and the medians:
# req/s a/b, p99 a/b, and each side's CPU per request (user + system of its JVM, from /proc).
#
# usage: bench/scale-ab.sh [--rounds N] [--seconds N] [--warmup N] [--connections N]
#                          [--format yaml|json] [--jar-a JAR] [--jar-b JAR]
#                          [--java-a FLAGS] [--java-b FLAGS]
#                          [--apis-a N] [--apis-b N] [--per-a N] [--per-b N]
#                          [--backends-a N] [--backends-b N] [--ports-a N] [--ports-b N]
#                          [--env-a "VAR=VALUE..."] [--env-b ...] [--profile DIR]
#   defaults: 6 rounds of 6 s, 30 s of warm-up each, 32 connections, json, this tree's jar,
#   JAVA_OPTS for both, 10,000 APIs of 5 instances each. When JAVA_OPTS is not set at all, both
#   sides get the at-scale flags of docs/operations.md#memory-at-scale (bench/scale-flags.sh; without
#   a heap bound the heap grows past 1 GiB, with the bound alone G1 marks all the time); JAVA_OPTS=""
#   means the JVM's defaults. E.g. huge pages against none:
#     F="-Xmx320m -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=75 -XX:+UnlockExperimentalVMOptions -XX:G1NewSizePercent=40"
#     bench/scale-ab.sh --java-a "$F -XX:+UseTransparentHugePages" --java-b "$F"
#   or one API over 50 instances against one over 5: --apis-a 1 --per-a 50 --apis-b 1 --per-b 5.
#   --backends-X N routes that side's APIs to N backends in turn (default: each API its own; 1: all
#   APIs on one backend of PER instances); --ports-X N puts that side's instances on the first N of
#   the 50 backend ports (default 50; 1: every instance at 127.0.0.1:19101, so that the two sides
#   differ in their APIs, backends and instances but not in the endpoints the connections go to);
#   --env-X sets environment variables for that side's gateway only, e.g. a configuration override:
#   --env-a PORTICO_UPSTREAM__MAXCONNECTIONSPERENDPOINT=2.
#   --profile DIR: async-profiler (CPU, 1 ms; fetched from Maven Central as
#   bench/profile-hotpath.sh does) runs in both gateways through the measured rounds (not the
#   start-ups or warm-ups); their collapsed stacks go to DIR/a.txt and DIR/b.txt (nanoseconds per
#   stack), and the frames whose own CPU per request differs most between a and b are printed
#   (each side's samples over the requests it served in the rounds; the per-request figures above
#   then include the profiler's own cost, about the same on both sides). A frame's time is the
#   frame the sample stopped in: a cache miss shows where the load missed, often a little off
#   (in JIT-compiled code a sample may be attributed to a neighbouring inlined call).
#   Ports: backends 127.0.0.1:19101-19150 (as bench/scale.sh), gateway a 18094 (management 19094),
#   b 18096 (19096). Needs wrk, nginx, python3.
set -euo pipefail
# shellcheck source=bench/scale-flags.sh
. "$(dirname "$0")/scale-flags.sh"
rounds=6 seconds=6 warmup=30 conns=32 format=json
jar_a="" jar_b="" java_a=${JAVA_OPTS:-} java_b=${JAVA_OPTS:-} apis_a=10000 apis_b=10000 per_a=5 per_b=5
backends_a="" backends_b="" env_a="" env_b="" ports_a=50 ports_b=50 profile=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --jar-a) jar_a=$2; shift 2 ;;
    --jar-b) jar_b=$2; shift 2 ;;
    --java-a) java_a=$2; shift 2 ;;
    --java-b) java_b=$2; shift 2 ;;
    --apis-a) apis_a=$2; shift 2 ;;
    --apis-b) apis_b=$2; shift 2 ;;
    --per-a) per_a=$2; shift 2 ;;
    --per-b) per_b=$2; shift 2 ;;
    --backends-a) backends_a=$2; shift 2 ;;
    --backends-b) backends_b=$2; shift 2 ;;
    --ports-a) ports_a=$2; shift 2 ;;
    --ports-b) ports_b=$2; shift 2 ;;
    --env-a) env_a=$2; shift 2 ;;
    --env-b) env_b=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
jar_a=${jar_a:-$jar} jar_b=${jar_b:-$jar}

bench_scale_backends
bench_random_api_script

declare -A port=([a]=18094 [b]=18096) apis=([a]=$apis_a [b]=$apis_b) per=([a]=$per_a [b]=$per_b) \
  jars=([a]=$jar_a [b]=$jar_b) flags=([a]=$java_a [b]=$java_b) pid=() \
  backends=([a]=${backends_a:-$apis_a} [b]=${backends_b:-$apis_b}) envs=([a]=$env_a [b]=$env_b) \
  ports=([a]=$ports_a [b]=$ports_b)
for n in a b; do
  python3 "$here/scale-config.py" "$wd/$n.$format" "$format" "${apis[$n]}" "${per[$n]}" "${port[$n]}" scale-ab-admin-token "${backends[$n]}" "${ports[$n]}"
  echo "$n: ${envs[$n]:+${envs[$n]} }java ${flags[$n]} -jar ${jars[$n]} (${apis[$n]} APIs on ${backends[$n]} backends of ${per[$n]} instances on ${ports[$n]} ports)"
  # started one after the other: two start-ups at scale at once would only time each other
  : > "$wd/$n.log"  # before the launch: the wait below greps it at once
  # shellcheck disable=SC2086 # the flags and variables are lists
  env ${envs[$n]} java ${flags[$n]} -jar "${jars[$n]}" --config "$wd/$n.$format" > "$wd/$n.log" 2>&1 & pids+=($!)
  pid[$n]=$!
  until grep -q "ready: traffic on" "$wd/$n.log"; do
    kill -0 "${pid[$n]}" 2>/dev/null || { echo "gateway $n exited:" >&2; tail -20 "$wd/$n.log" >&2; exit 1; }
    sleep 0.1
  done
done

load() {  # load NAME WRK_ARGS...: the random-API load on gateway NAME
  local name=$1
  shift
  APIS=${apis[$name]} wrk -t1 -c"$conns" "$@" -s "$wd/random.lua" "http://127.0.0.1:${port[$name]}"
}
for n in a b; do bench_warm "$warmup" load "$n"; done
if [ -n "$profile" ]; then
  mkdir -p "$profile"
  profile=$(cd "$profile" && pwd)
  bench_fetch_profiler
  for n in a b; do bench_profiler "${pid[$n]}" "start,event=cpu,interval=1000000"; done
fi
hz=$(getconf CLK_TCK)
echo "round side req/s p99_us cpu_us/req"
for r in $(seq "$rounds"); do
  for n in $( ((r % 2)) && echo "a b" || echo "b a"); do
    c0=$(bench_cpu_ticks "${pid[$n]}")
    out=$(load "$n" -d"${seconds}s" --latency)
    c1=$(bench_cpu_ticks "${pid[$n]}")
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "$r $n $(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}' | bench_to_us)" \
      "$(awk -v t=$((c1 - c0)) -v hz="$hz" -v q="${reqs:-0}" 'BEGIN {printf "%.1f", (q > 0 ? t / hz * 1e6 / q : 0)}')" | tee -a "$wd/rounds"
    echo "$n ${reqs:-0}" >> "$wd/requests"
  done
done
if [ -n "$profile" ]; then
  for n in a b; do
    bench_profiler "${pid[$n]}" "stop,collapsed,total,file=$profile/$n.txt"
  done
  python3 - "$wd/requests" "$profile" <<'PY'
import collections, sys
served = collections.Counter()
for line in open(sys.argv[1]):
    n, q = line.split()
    served[n] += int(q)
own = {}
for n in "ab":
    c = collections.Counter()
    for line in open(f"{sys.argv[2]}/{n}.txt"):
        stack, ns = line.rsplit(" ", 1)
        c[stack.rsplit(";", 1)[-1]] += int(ns)
    own[n] = {k: v / max(served[n], 1) for k, v in c.items()}  # (0: a side that served nothing)
print(f"own CPU per request (ns), the 25 frames where a and b differ most ({sys.argv[2]}/a.txt, b.txt):")
rows = sorted(set(own["a"]) | set(own["b"]), key=lambda k: -abs(own["a"].get(k, 0) - own["b"].get(k, 0)))
for k in rows[:25]:
    a, b = own["a"].get(k, 0), own["b"].get(k, 0)
    print(f"{a:8.0f} {b:8.0f} {a - b:+8.0f}  {k[:110]}")
print(f"{'total':>8} a {sum(own['a'].values()):.0f}, b {sum(own['b'].values()):.0f}")
PY
fi
python3 - "$wd/rounds" <<'PY'
import collections, statistics, sys
r = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    k, n, rps, p99, cpu = line.split()
    r[k][n] = (float(rps), float(p99), float(cpu))
med = lambda f: statistics.median(f(v) for v in r.values())
print(f"medians of {len(r)} rounds: req/s a/b {med(lambda v: v['a'][0] / v['b'][0]):.3f}, "
      f"p99 a/b {med(lambda v: v['a'][1] / v['b'][1]):.3f}, "
      f"CPU per request a {med(lambda v: v['a'][2]):.1f} us, b {med(lambda v: v['b'][2]):.1f} us")
PY
