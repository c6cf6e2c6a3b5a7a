#!/usr/bin/env bash
# The gateway at scale next to itself small, in one run: 10,000 APIs routing to 10,000 registry
# services of 5 instances each (50,000 instances, published at start from the configuration),
# against the same gateway with one API (one service of 5 instances). Prints, with the goals of
# issue 13: start-up time, resident memory, req/s and p99 with the load spread over random APIs
# (wrk with a Lua script; the small gateway gets the same script over its one API), and how long
# a registry change takes to be routed (publish, status DOWN/UP, unpublish through the admin API,
# seen by requests).
#
# usage: bench/scale.sh [--apis N] [--per-api N] [--format yaml|json] [--rounds N] [--seconds N]
#                       [--warmup N] [--connections N] [--changes N] [--startups N] [--jar JAR]
#                       [--histo FILE] [--cds]
#   defaults: 10000 APIs, 5 instances each, yaml, 5 rounds of 8 s, 30 s warm-up, 32 connections,
#   20 change cycles (4 changes each), 3 start-ups of the scale gateway (the start-up figure is
#   their median: one start-up is as noisy as one round of load; the first ones are stopped once
#   ready, the last one serves the load). --jar measures another build (e.g. a baseline; give it
#   --format json if it cannot read a large YAML file). --histo writes the scale gateway's live set
#   (jmap -histo:live, a full GC) to FILE at the end and prints its total (and, with
#   JAVA_OPTS=-XX:NativeMemoryTracking=summary, the native memory summary to FILE.nmt). --cds first
#   trains an AppCDS archive as the container image's build does (docker/cds-train.sh: the built-in
#   default, one request) and starts both gateways with it, as the image does. JVM flags: JAVA_OPTS,
#   or when it is not set the at-scale flags of docs/operations.md#memory-at-scale
#   (bench/scale-flags.sh); JAVA_OPTS="" for the JVM's defaults.
#   Ports: backends 127.0.0.1:19101-19150 (one NGINX: 50 listeners, each answering its port), scale
#   gateway 18094 (management 19094), small gateway 18095 (19095). Needs wrk, nginx, python3.
# The instances of a service sit on 5 of the 50 backend ports, so the upstream connection pools
# stay warm under load (50 endpoints per event loop): the figures are the gateway's own costs of
# scale (routing, snapshots, memory), not those of connecting to 50,000 hosts. Every instance still
# has its own breaker and endpoint state (backend x endpoint).
set -euo pipefail
# shellcheck source=bench/scale-flags.sh
. "$(dirname "$0")/scale-flags.sh"
apis=10000 per=5 format=yaml rounds=5 seconds=8 warmup=30 conns=32 changes=20 startups=3
jar_arg="" histo="" cds=""
while [ $# -gt 0 ]; do
  case "$1" in
    --apis) apis=$2; shift 2 ;;
    --per-api) per=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --changes) changes=$2; shift 2 ;;
    --startups) startups=$2; shift 2 ;;
    --jar) jar_arg=$2; shift 2 ;;
    --histo) histo=$2; shift 2 ;;
    --cds) cds=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
[ -z "$jar_arg" ] || jar=$jar_arg
token=scale-bench-admin-token

# --- backends: 50 NGINX listeners, each answering with its port --------------------------------
bench_scale_backends

# --- configurations --------------------------------------------------------------------------
python3 "$here/scale-config.py" "$wd/scale.$format" "$format" "$apis" "$per" 18094 "$token"
python3 "$here/scale-config.py" "$wd/small.$format" "$format" 1 "$per" 18095 "$token"
bench_random_api_script

# --- start-up ----------------------------------------------------------------------------------
echo "JVM flags: ${JAVA_OPTS:-none (the defaults)}"
if [ -n "$cds" ]; then
  JAVA_DEFAULT_OPTS="${JAVA_OPTS:-}" sh "$here/../docker/cds-train.sh" "$wd/portico.jsa" "$jar"
  JAVA_OPTS="${JAVA_OPTS:-} -XX:SharedArchiveFile=$wd/portico.jsa"
  echo "AppCDS archive trained as the image's build does: $(du -m "$wd/portico.jsa" | cut -f1) MB"
fi
start() {  # start NAME: the seconds from launch to the gateway's "ready" line go to $wd/NAME.startup
  local t0 t1
  t0=$(date +%s%N)
  : > "$wd/$1.log"  # before the launch: the wait below greps it at once
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" --config "$wd/$1.$format" > "$wd/$1.log" 2>&1 & pids+=($!)
  until grep -q "ready: traffic on" "$wd/$1.log"; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "the $1 gateway exited:" >&2; tail -20 "$wd/$1.log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}' > "$wd/$1.startup"
}
rss_mib() { awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
[[ "$startups" =~ ^[1-9][0-9]*$ ]] || { echo "--startups takes a count of at least 1, got '$startups'" >&2; exit 2; }
for i in $(seq "$startups"); do
  start scale
  pid_scale=${pids[-1]}
  cat "$wd/scale.startup" >> "$wd/scale.startups"
  echo >> "$wd/scale.startups"
  if [ "$i" -lt "$startups" ]; then
    kill "$pid_scale"
    wait "$pid_scale" 2>/dev/null || true
  fi
done
rss_ready=$(rss_mib "$pid_scale")
start small
pid_small=${pids[-1]}
startup_scale=$(sort -n "$wd/scale.startups" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : sprintf("%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2)}')
echo "start-up: scale ${startup_scale} s (median of $startups: $(tr '\n' ' ' < "$wd/scale.startups")s; RSS ${rss_ready} MiB at the last one's ready), small $(cat "$wd/small.startup") s"

# --- throughput and latency, rotating rounds ---------------------------------------------------
load() {  # load NAME WRK_ARGS...: the random-API load on gateway NAME
  local port n name=$1
  shift
  if [ "$name" = scale ]; then port=18094 n=$apis; else port=18095 n=1; fi
  APIS=$n wrk -t1 -c"$conns" "$@" -s "$wd/random.lua" "http://127.0.0.1:$port"
}
for n in scale small; do bench_warm "$warmup" load "$n"; done
hz=$(getconf CLK_TCK)
for r in $(seq "$rounds"); do
  for n in $( ((r % 2)) && echo "scale small" || echo "small scale"); do
    if [ "$n" = scale ]; then p=$pid_scale; else p=$pid_small; fi
    c0=$(bench_cpu_ticks "$p")
    out=$(load "$n" -d"${seconds}s" --latency)
    c1=$(bench_cpu_ticks "$p")
    echo "$r $n $(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="50%" {print $2}' | bench_to_us)" \
      "$(echo "$out" | awk '$1=="99%" {print $2}' | bench_to_us) $(( (c1 - c0) * 1000000 / hz ))" \
      "$(echo "$out" | awk '/requests in/ {print $1}') $(echo "$out" | awk '/Non-2xx/ {print $NF}')" >> "$wd/rounds"
  done
done
rss_loaded=$(rss_mib "$pid_scale")
rss_peak=$(hwm_mib "$pid_scale")
# the scrape after load: every API has been hit, so each has its request and upstream histograms
curl -s -o /dev/null -w 'scrape after load: %{size_download} bytes in %{time_total} s\n' \
  "http://127.0.0.1:19094/metrics"

# --- registry changes routed -------------------------------------------------------------------
python3 - "$changes" "$token" > "$wd/changes" <<'PY'
import http.client, json, sys, time
cycles, token = int(sys.argv[1]), sys.argv[2]
traffic = http.client.HTTPConnection("127.0.0.1", 18094, timeout=10)
admin = http.client.HTTPConnection("127.0.0.1", 19094, timeout=10)
auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
def call(method, path, body=None):
    admin.request(method, path, body=None if body is None else json.dumps(body), headers=auth)
    r = admin.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit("admin %s %s: %d %s" % (method, path, r.status, data[:200]))
    return json.loads(data) if data else None
def port():
    traffic.request("GET", "/probe/x")
    r = traffic.getresponse()
    data = r.read()
    return json.loads(data).get("port") if r.status == 200 else None
def until(predicate, streak=1, bound=10.0):
    """seconds until `streak` answers in a row satisfy predicate (the change is routed)"""
    t0, seen = time.perf_counter(), 0
    while True:
        seen = seen + 1 if predicate(port()) else 0
        if seen >= streak:
            return time.perf_counter()
        if time.perf_counter() - t0 > bound:
            raise SystemExit("a change was not routed within %.0f s" % bound)
a = call("POST", "/admin/registry", {"service": "probe", "url": "http://127.0.0.1:19101"})["id"]
until(lambda p: p == 19101)
for _ in range(cycles):
    t = time.perf_counter(); b = call("POST", "/admin/registry", {"service": "probe", "url": "http://127.0.0.1:19150"})["id"]
    print("publish", until(lambda p: p == 19150) - t)
    # round-robin alternates the two: three of the new one in a row means the old one is out
    t = time.perf_counter(); call("PUT", "/admin/registry/%s/status" % a, {"status": "DOWN"})
    print("status-down", until(lambda p: p == 19150, streak=3) - t)
    t = time.perf_counter(); call("PUT", "/admin/registry/%s/status" % a, {"status": "UP"})
    print("status-up", until(lambda p: p == 19101) - t)
    t = time.perf_counter(); call("DELETE", "/admin/registry/%s" % b)
    print("unpublish", until(lambda p: p == 19101, streak=3) - t)
PY

if [ -n "$histo" ]; then
  jmap -histo:live "$pid_scale" > "$histo"
  # the native side too, when the JVM tracks it (JAVA_OPTS=-XX:NativeMemoryTracking=summary)
  jcmd "$pid_scale" VM.native_memory summary > "$histo.nmt" 2>&1 || true
  awk '$1 == "Total" {printf "live set after load (jmap -histo:live): %.1f MB in %d objects\n", $3 / 1e6, $2}' "$histo"
fi

# --- summary -----------------------------------------------------------------------------------
python3 - "$wd/rounds" "$wd/changes" "$startup_scale" "$rss_loaded" "$rss_peak" "$apis" "$per" "$format" "$startups" <<'PY'
import collections, statistics, sys
rounds = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    f = line.split()
    r, n, rps, p50, p99, cpu, reqs = f[0], f[1], float(f[2]), float(f[3]), float(f[4]), float(f[5]), int(f[6])
    rounds[n][r] = (rps, p50, p99, cpu / max(1, reqs), int(f[7]) if len(f) > 7 else 0)
med = lambda n, i: statistics.median(v[i] for v in rounds[n].values())
ratio = lambda i: statistics.median(rounds["scale"][r][i] / rounds["small"][r][i] for r in rounds["scale"])
changes = collections.defaultdict(list)
for line in open(sys.argv[2]):
    kind, secs = line.split()
    changes[kind].append(float(secs) * 1000)
every = [v for vs in changes.values() for v in vs]
startup, rss, peak = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
apis, per, fmt, startups = int(sys.argv[6]), int(sys.argv[7]), sys.argv[8], int(sys.argv[9])
print(f"\n{apis} APIs, {apis * per} instances ({fmt}) vs 1 API; medians of {len(rounds['scale'])} rotating rounds")
print(f"{'':<8} {'req/s':>8} {'p50_us':>7} {'p99_us':>7} {'cpu_us/req':>10} {'non2xx':>6}")
for n in ("scale", "small"):
    print(f"{n:<8} {med(n, 0):>8.0f} {med(n, 1):>7.0f} {med(n, 2):>7.0f} {med(n, 3):>10.1f} {sum(v[4] for v in rounds[n].values()):>6}")
for kind, vs in changes.items():
    print(f"change routed, {kind:<12} median {statistics.median(vs):6.1f} ms  max {max(vs):6.1f} ms  ({len(vs)})")
ok = lambda b: "yes" if b else "NO"
print("\ngoal                                   measured        met")
print(f"req/s scale / small >= 0.95            {ratio(0):<15.2f} {ok(ratio(0) >= 0.95)}")
print(f"p99 scale / small <= 1.5               {ratio(2):<15.2f} {ok(ratio(2) <= 1.5)}")
print(f"{'start-up < 3 s (median of %d)' % startups:<39}{startup:<15.2f} {ok(startup < 3)}")
print(f"RSS < 512 MiB (after load; peak)       {str(rss) + '; ' + str(peak):<15} {ok(rss < 512)}")
print(f"change routed: median < 100 ms         {statistics.median(every):<15.1f} {ok(statistics.median(every) < 100)}")
print(f"change routed: max < 250 ms            {max(every):<15.1f} {ok(max(every) < 250)}")
PY
