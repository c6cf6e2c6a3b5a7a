#!/usr/bin/env bash
# What a configuration reload costs traffic: the same wrk load through one gateway, round after
# round, alternately without reloads and while the file is rewritten and reloaded every
# --interval seconds (POST /admin/config/reload; each reload changes an API and a backend, so each
# swaps the routing state). Prints per-variant medians of req/s and p99, the reloads applied, and
# every non-2xx response or socket error wrk saw (there should be none).
#
# usage: bench/reload.sh [--rounds N] [--seconds N] [--warmup N] [--interval S]   (defaults 5, 8, 30, 0.2)
#   Ports: backend NGINX 127.0.0.1:19001, gateway 18087 (management 19097). Needs wrk, nginx, curl.
set -euo pipefail
rounds=5 seconds=8 warmup=30 interval=0.2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_backend

token=bench-reload-admin-token-0001
# version $1 of the file: the API's operations and the backend's timeout differ between versions
write_config() {
  cat > "$wd/gateway.yaml.tmp" <<YAML
listeners: { traffic: { host: 127.0.0.1, port: 18087 }, management: { host: 127.0.0.1, port: 19097 } }
admin: { token: "$token" }
backends:
  - { id: bench, url: "http://127.0.0.1:19001", timeouts: { response: PT${1}S } }
apis:
  - { id: bench, path: /bench, backend: bench }
  - { id: extra-$1, path: /extra-$1, backend: bench }
YAML
  mv "$wd/gateway.yaml.tmp" "$wd/gateway.yaml"
}
write_config 30
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar "$jar" --config "$wd/gateway.yaml" >"$wd/gw.log" 2>&1 & pids+=($!)
bench_wait_ready "$wd/gw.log"

url=http://127.0.0.1:18087/bench/item
echo "warming up ${warmup}s" >&2
wrk -t1 -c32 -d"${warmup}s" "$url" >/dev/null

# parse wrk's text: req/s, p99 in ms, and failures (non-2xx/3xx + socket errors)
run_wrk() {
  local out
  out=$(wrk -t1 -c32 -d"${seconds}s" --latency "$url")
  local rps p99 non2xx errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")
  errors=$(awk '/Socket errors/ {gsub(/,/,""); print $4+$6+$8+$10}' <<<"$out")
  echo "$rps ${p99:-0} $(( ${non2xx:-0} + ${errors:-0} ))"
}

reloads=0
: > "$wd/plain" ; : > "$wd/reloading"
for r in $(seq "$rounds"); do
  read -r rps p99 failed < <(run_wrk)
  echo "$rps $p99 $failed" >> "$wd/plain"
  echo "round $r without reloads: $rps req/s, p99 ${p99} ms, failed $failed" >&2
  (
    v=0 n=0
    end=$(( $(date +%s) + seconds ))
    while [ "$(date +%s)" -lt "$end" ]; do
      v=$(( v % 2 == 0 ? 31 : 30 )); write_config "$v"
      code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
        http://127.0.0.1:19097/admin/config/reload)
      [ "$code" = 200 ] && n=$((n + 1))
      sleep "$interval"
    done
    echo "$n" > "$wd/reloads.$r"
  ) &
  reloader=$!
  read -r rps p99 failed < <(run_wrk)
  wait "$reloader"
  n=$(cat "$wd/reloads.$r"); reloads=$((reloads + n))
  echo "$rps $p99 $failed" >> "$wd/reloading"
  echo "round $r with $n reloads:   $rps req/s, p99 ${p99} ms, failed $failed" >&2
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '%-22s %12s %10s %8s\n' variant "req/s (med)" "p99 ms" failed
for v in plain reloading; do
  printf '%-22s %12s %10s %8s\n' "$v" "$(cut -d' ' -f1 "$wd/$v" | median)" "$(cut -d' ' -f2 "$wd/$v" | median)" \
    "$(awk '{s+=$3} END {print s}' "$wd/$v")"
done
echo "reloads answered 200: $reloads; applied: $(grep -c 'configuration reloaded from' "$wd/gw.log")" \
  "(the rest found the file unchanged)"
