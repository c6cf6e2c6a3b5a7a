#!/usr/bin/env bash
# Gateway variants side by side, measured so that machine noise cancels out: one gateway per
# variant in front of one NGINX backend, each warmed, then loaded in turn, round after round, in a
# rotating order. Per round, each variant's req/s is divided by the last variant's (the
# reference); the medians of those ratios are printed.
#
# usage: bench/ab.sh [--rounds N] [--seconds N] [--warmup N] NAME=YAML... (defaults 7, 8, 30)
#   Each NAME=YAML is a variant: YAML is added to a one-API configuration (e.g.
#   'metrics-off=metrics: { enabled: false }'); the last variant is the reference.
#   Ports: backend 127.0.0.1:19001, gateways 18084+ (management +1010). Needs wrk and nginx
#   (installed from Debian if missing). Extra JVM flags for the gateways: JAVA_OPTS.
set -euo pipefail
rounds=7 seconds=8 warmup=30
variants=() fragments=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
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
  wrk -t1 -c32 -d"${warmup}s" "http://127.0.0.1:$((18084 + i))/bench/item" > /dev/null
done
for r in $(seq "$rounds"); do
  for k in $(seq 0 $((n - 1))); do
    i=$(( (k + r) % n ))
    rps=$(wrk -t1 -c32 -d"${seconds}s" "http://127.0.0.1:$((18084 + i))/bench/item" | awk '/Requests\/sec/ {print $2}')
    echo "$r ${variants[$i]} $rps" >> "$wd/results"
  done
done
python3 - "$wd/results" "${variants[@]}" <<'PY'
import collections, statistics, sys
names = sys.argv[2:]
ref = names[-1]
by = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, v, rps = line.split()
    by[r][v] = float(rps)
print(f"{'variant':<14} {'median req/s':>12} {'vs ' + ref:>16}")
for v in names:
    med = statistics.median(by[r][v] for r in by)
    ratio = statistics.median(by[r][v] / by[r][ref] for r in by)
    print(f"{v:<14} {med:>12.0f} {ratio:>16.2f}")
PY
