#!/usr/bin/env bash
# Runs docker/k6/resilience.js under docker compose and fails one demo backend instance mid-test:
# `docker compose stop INSTANCE` at FAIL_AT seconds, `docker compose start INSTANCE` at RECOVER_AT.
# Exits with k6's status: 0 when every threshold held (also while the instance was down).
#
# usage: docker/k6/resilience.sh [INSTANCE]        (default demo-b; needs Docker with compose v2)
#   env: RATE (default 100), DURATION (default 3m), FAIL_AT (default 60), RECOVER_AT (default 120),
#        P99_MS (default 500), MAX_ERROR_RATE (default 0.01)
# Watch it live: Grafana http://localhost:3000 (breaker state, error reasons, retries), and
# Prometheus http://localhost:9091/alerts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
compose=(docker compose -f "$here/../docker-compose.yml")
instance=${1:-demo-b}
fail_at=${FAIL_AT:-60}
recover_at=${RECOVER_AT:-120}
[ "$recover_at" -gt "$fail_at" ] || { echo "RECOVER_AT must be after FAIL_AT" >&2; exit 2; }

"${compose[@]}" up -d --wait gateway demo-a demo-b demo-c prometheus grafana
restore() { "${compose[@]}" start "$instance" >/dev/null 2>&1 || true; }
trap restore EXIT

"${compose[@]}" --profile load run --rm \
  -e RATE="${RATE:-100}" -e DURATION="${DURATION:-3m}" -e FAIL_AT="$fail_at" -e RECOVER_AT="$recover_at" \
  -e P99_MS="${P99_MS:-500}" -e MAX_ERROR_RATE="${MAX_ERROR_RATE:-0.01}" \
  k6 run /scripts/resilience.js &
k6=$!
# k6 takes a second or two to start its scenario clock; stop the instance just after k6's FAIL_AT
sleep $((fail_at + 2))
echo "resilience: stopping $instance at ~${fail_at}s"
"${compose[@]}" stop "$instance"
sleep $((recover_at - fail_at))
echo "resilience: starting $instance again at ~${recover_at}s"
"${compose[@]}" start "$instance"
rc=0
wait "$k6" || rc=$?
echo "resilience: k6 exited with status $rc ($([ "$rc" = 0 ] && echo 'thresholds held' || echo 'a threshold failed'))"
exit "$rc"
