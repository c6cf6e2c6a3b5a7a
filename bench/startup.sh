#!/usr/bin/env bash
# Start-up at scale, A/B: the configuration of bench/scale.sh (10,000 APIs routing to 10,000
# registry services of 5 instances each, 50,000 instances published at start from the file), and
# for each round one start-up per jar, in turn, from launch to the gateway's "ready" line. Prints
# each start-up (wall seconds, CPU seconds of the JVM and its RSS at ready) and the median per jar.
# No load, no backends: the gateway is stopped once ready.
#
# usage: bench/startup.sh [--apis N] [--per-api N] [--format yaml|json] [--rounds N] [--cds]
#                         [[--java FLAGS] JAR...]
#   defaults: 10000 APIs, 5 instances each, yaml, 3 rounds, this checkout's jar. JAVA_OPTS adds JVM
#   flags to every start (when it is not set at all: the at-scale flags of
#   docs/operations.md#memory-at-scale, bench/scale-flags.sh; JAVA_OPTS="" for the JVM's defaults);
#   --java FLAGS sets them instead for the jars named after it (the same jar may be named twice, to
#   compare two sets of flags). --cds: each jar starts with an AppCDS archive
#   of its own, trained first (with its flags) as the container image's build does
#   (docker/cds-train.sh), i.e. start-up as the image has it.
#   Ports: 28494 (traffic), 29494 (management).
set -euo pipefail
# shellcheck source=bench/scale-flags.sh
. "$(dirname "$0")/scale-flags.sh"
apis=10000 per=5 format=yaml rounds=3 jars=() opts=() cds="" java=${JAVA_OPTS:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --apis) apis=$2; shift 2 ;;
    --per-api) per=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --cds) cds=1; shift ;;
    --java) java=$2; shift 2 ;;
    --*) echo "unknown argument $1" >&2; exit 2 ;;
    *) jars+=("$1"); opts+=("$java"); shift ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
[ ${#jars[@]} -gt 0 ] || { jars=("$root/gateway/target/portico-gateway.jar"); opts=("$java"); }
for j in "${jars[@]}"; do [ -f "$j" ] || { echo "no such jar: $j" >&2; exit 2; }; done
wd=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$wd"' EXIT

# the configuration scale.sh writes for its scale gateway (same services, URLs, APIs and paths)
python3 "$root/bench/scale-config.py" "$wd/scale.$format" "$format" "$apis" "$per" 28494 startup-bench-admin-token

# --cds: an archive per jar, trained with the same flags as the start-ups
cds_opts=()
for k in "${!jars[@]}"; do
  cds_opts[k]=""
  if [ -n "$cds" ]; then
    JAVA_DEFAULT_OPTS="${opts[$k]}" sh "$root/docker/cds-train.sh" "$wd/cds-$k.jsa" "${jars[$k]}"
    cds_opts[k]="-XX:SharedArchiveFile=$wd/cds-$k.jsa"
  fi
done

# a jar as the report names it: with its flags when --java gave any
label() {
  if [ -n "${opts[$1]}" ] && [ "${opts[$1]}" != "${JAVA_OPTS:-}" ]; then
    printf '%s [%s]' "${jars[$1]}" "${opts[$1]}"
  else
    printf '%s' "${jars[$1]}"
  fi
}

hz=$(getconf CLK_TCK)
for r in $(seq "$rounds"); do
  for k in "${!jars[@]}"; do
    log="$wd/run-$r-$k.log"
    : >"$log"  # before the launch: the wait below greps it at once
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # the flags are a list
    java ${opts[k]} ${cds_opts[k]} -jar "${jars[$k]}" --config "$wd/scale.$format" >"$log" 2>&1 &
    pid=$!
    until grep -q "ready: traffic on" "$log"; do
      kill -0 "$pid" 2>/dev/null || { echo "the gateway exited:" >&2; tail -20 "$log" >&2; exit 1; }
      sleep 0.02
    done
    t1=$(date +%s%N)
    cpu=$(awk -v hz="$hz" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$pid/stat")
    rss=$(awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
    echo "$k $wall" >>"$wd/walls"
    printf 'round %d  %s: %s s to ready, CPU %s s, RSS %s MiB\n' "$r" "$(label "$k")" "$wall" "$cpu" "$rss"
  done
done
for k in "${!jars[@]}"; do
  printf 'median of %d (%s, %s APIs, %s instances): %s s  %s\n' "$rounds" "$format" "$apis" $((apis * per)) \
    "$(awk -v k="$k" '$1 == k {print $2}' "$wd/walls" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')" \
    "$(label "$k")"
done
