#!/usr/bin/env bash
# Gateway variants side by side, measured so that machine noise cancels out: one gateway per
# variant in front of one NGINX backend, each warmed, then loaded in turn, round after round, in a
# rotating order. Per round, each variant's req/s is divided by the last variant's (the
# reference); the medians of those ratios are printed, with the median of each variant's p99 latency
# (wrk --latency).
#
# usage: bench/ab.sh [--rounds N] [--seconds N] [--warmup N] [--connections N] NAME=YAML...
#   (defaults 7 rounds, 8 s, 30 s of warm-up, 32 connections: wrk -c, warm-up and rounds alike)
#   Each NAME=YAML is a variant: YAML is added to a one-API configuration (e.g.
#   'metrics-off=metrics: { enabled: false }'); the last variant is the reference.
#   Ports: backend 127.0.0.1:19001, gateways 18084+ (management +1010). Needs wrk and nginx
#   (installed from Debian if missing). Extra JVM flags for the gateways: JAVA_OPTS.
set -euo pipefail
rounds=7 seconds=8 warmup=30 conns=32
variants=() fragments=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --*) echo "unknown option $1" >&2; exit 2 ;;
    *=*) variants+=("${1%%=*}"); fragments+=("${1#*=}"); shift ;;
    *) echo "a variant is NAME=YAML, got '$1'" >&2; exit 2 ;;
  esac
done
[ ${#variants[@]} -ge 2 ] || { echo "give at least two variants NAME=YAML" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_backend

n=${#variants[@]}
for i in $(seq 0 $((n - 1))); do
  p=$((18084 + i))
  cat > "$wd/$i.yaml" <<YAML
listeners:
  traffic: { host: 127.0.0.1, port: $p }
  management: { host: 127.0.0.1, port: $((p + 1010)) }
backends: [ { id: bench, url: "http://127.0.0.1:19001" } ]
apis: [ { id: bench, path: /bench, backend: bench } ]
${fragments[$i]}
YAML
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" --config "$wd/$i.yaml" > "$wd/$i.log" 2>&1 & pids+=($!)
done
for i in $(seq 0 $((n - 1))); do
  bench_wait_ready "$wd/$i.log"
done
# C2 needs tens of seconds of traffic on 2 cores: warm each before measuring any
for i in $(seq 0 $((n - 1))); do
  bench_warm "$warmup" wrk -t1 -c"$conns" "http://127.0.0.1:$((18084 + i))/bench/item"
done
for r in $(seq "$rounds"); do
  for k in $(seq 0 $((n - 1))); do
    i=$(( (k + r) % n ))
    out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "http://127.0.0.1:$((18084 + i))/bench/item")
    rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    # wrk's latency distribution line "99%  1.23ms", in milliseconds
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; print v }' <<< "$out")
    echo "$r ${variants[$i]} $rps $p99" >> "$wd/results"
  done
done
python3 - "$wd/results" "${variants[@]}" <<'PY'
import collections, statistics, sys
names = sys.argv[2:]
ref = names[-1]
by = collections.defaultdict(dict)
p99 = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, v, rps, lat = line.split()
    by[r][v] = float(rps)
    p99[r][v] = float(lat)
print(f"{'variant':<14} {'median req/s':>12} {'vs ' + ref:>16} {'median p99 ms':>14}")
for v in names:
    med = statistics.median(by[r][v] for r in by)
    ratio = statistics.median(by[r][v] / by[r][ref] for r in by)
    lat = statistics.median(p99[r][v] for r in p99)
    print(f"{v:<14} {med:>12.0f} {ratio:>16.2f} {lat:>14.2f}")
PY
