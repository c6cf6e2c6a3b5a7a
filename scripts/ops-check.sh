#!/usr/bin/env bash
# Static checks of the operations kit in docker/ (no container engine needed; about 20 s):
#   1. Prometheus: promtool check config (with its rule files), check rules, and the rule unit tests
#      (promtool test rules docker/prometheus/tests/*.yml);
#   2. Grafana: dashboards are valid JSON with unique uids, every panel query parses as PromQL
#      (promtool, Grafana variables substituted) and names only metrics of the gateway's contract;
#   3. compose: docker/docker-compose.yml against the Compose Specification schema, plus mounts,
#      build, depends_on, ports and the service names other files use (docker/tools, npm ci);
#   4. k6: every script type-checks against @types/k6 (docker/k6: npm ci && tsc --noEmit, checkJs);
#   5. Kubernetes: every kustomization of docker/kubernetes renders (kubectl kustomize), every object
#      validates against the API schemas (npm kubernetes-models, unknown fields refused), and ports,
#      probe paths, the config file name, drain timing and secrets agree with the gateway, whose
#      --validate must accept the rendered configuration (docker/tools/check-kubernetes.mjs; needs
#      the jar: scripts/test.sh builds it first);
#   6. shell scripts of the kit parse (and pass shellcheck when it is installed); the benchmarks'
#      profile split (bench/profile-split.py) gives a known profile's figures.
# usage: scripts/ops-check.sh        (called by scripts/test.sh; tools: scripts/install-test-tools.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
started=$SECONDS
say() { printf '[ops-check %3ds] %s\n' $((SECONDS - started)) "$*"; }
fail() { printf '[ops-check] FAIL: %s\n' "$*" >&2; exit 1; }
for tool in promtool node npm jq kubectl java; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-test-tools.sh installs it)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. Prometheus ---------------------------------------------------------------------------
promtool check config docker/prometheus/prometheus.yml >"$work/promtool.log" 2>&1 \
  || { cat "$work/promtool.log" >&2; fail "promtool check config docker/prometheus/prometheus.yml"; }
promtool check rules docker/prometheus/rules/*.yml >"$work/promtool.log" 2>&1 \
  || { cat "$work/promtool.log" >&2; fail "promtool check rules"; }
promtool test rules docker/prometheus/tests/*.yml >"$work/promtool.log" 2>&1 \
  || { cat "$work/promtool.log" >&2; fail "promtool test rules (alert unit tests)"; }
alerts=$(grep -c '^ *- alert:' docker/prometheus/rules/*.yml | awk -F: '{s+=$NF} END {print s}')
# every alert has unit tests
for a in $(grep -h '^ *- alert:' docker/prometheus/rules/*.yml | awk '{print $3}'); do
  grep -q "alertname: $a\$" docker/prometheus/tests/*.yml || fail "alert $a has no unit test in docker/prometheus/tests"
done
say "prometheus: config valid, $alerts alerts valid, unit tests pass (every alert tested)"

# --- 2. Grafana dashboards ----------------------------------------------------------------------
# The gateway's metric contract (docs/operations.md#metrics); histograms also as _bucket/_count/_sum.
contract="portico_request_duration_seconds portico_upstream_duration_seconds portico_requests_in_flight
portico_retries_total portico_circuit_breaker_state portico_circuit_breaker_transitions_total
portico_registry_instances portico_sf_resolutions_total portico_sf_resolution_duration_seconds
portico_access_log_dropped_total portico_ready portico_readiness_degraded portico_draining
portico_drain_abandoned_requests_total"
allowed=$(for m in $contract; do echo "$m"; case "$m" in *_seconds) printf '%s\n' "${m}_bucket" "${m}_count" "${m}_sum" ;; esac; done)
check_names() {  # check_names FILE...: every portico_* name used is in the contract
  local bad
  bad=$(grep -ohE 'portico_[a-z0-9_]+' "$@" | sort -u | grep -vxF "$allowed" || true)
  [ -z "$bad" ] || fail "$* use(s) metrics outside the contract: $(echo "$bad" | tr '\n' ' ')"
}
n=0
for d in docker/grafana/dashboards/*.json; do
  jq -e '.uid and .title and (.panels | length > 0)' "$d" >/dev/null || fail "$d: not a dashboard (uid, title, panels)"
  {
    echo 'groups:'
    echo '  - name: dashboard-queries'
    echo '    rules:'
    jq -r '.. | objects | select(has("expr")) | .expr' "$d" \
      | sed -e 's/\$__rate_interval/1m/g; s/\$__interval/1m/g; s/\$__range/1h/g; s/\$[a-z_]\+/.*/g' \
      | { k=0; while IFS= read -r e; do k=$((k + 1)); printf '      - record: dashboard:query_%d\n        expr: %s\n' "$k" "$(jq -Rn --arg e "$e" '$e')"; done; }
  } >"$work/queries.yml"
  q=$(grep -c 'record:' "$work/queries.yml" || true)
  [ "$q" -gt 0 ] || fail "$d: no queries"
  promtool check rules "$work/queries.yml" >"$work/promtool.log" 2>&1 \
    || { cat "$work/promtool.log" >&2; fail "$d: a panel query does not parse as PromQL"; }
  check_names "$d"
  say "grafana: $(basename "$d"): $(jq '[.panels[] | select(.type != "row")] | length' "$d") panels, $q queries parse, metric names in the contract"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no dashboard in docker/grafana/dashboards"
[ "$(jq -r '.uid' docker/grafana/dashboards/*.json | sort | uniq -d | wc -l)" = 0 ] || fail "duplicate dashboard uid"
check_names docker/prometheus/rules/*.yml docker/k6/*.js docker/k6/lib/*.js

# --- 3. compose -------------------------------------------------------------------------------
(cd docker/tools && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) \
  || { cat "$work/npm.log" >&2; fail "npm ci in docker/tools"; }
(cd docker/tools && node check-compose.mjs) || fail "docker/docker-compose.yml (see above)"
say "compose: checked"

# --- 4. k6 type check -------------------------------------------------------------------------
(cd docker/k6 && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) \
  || { cat "$work/npm.log" >&2; fail "npm ci in docker/k6"; }
(cd docker/k6 && npx --no-install tsc --noEmit -p tsconfig.json) || fail "k6 scripts do not type-check against @types/k6 (see above)"
say "k6: $(ls docker/k6/*.js | wc -l) scripts + lib type-check against @types/k6 $(jq -r '.packages["node_modules/@types/k6"].version' docker/k6/package-lock.json) (tsc $(jq -r '.packages["node_modules/typescript"].version' docker/k6/package-lock.json), checkJs, strict)"

# --- 5. Kubernetes (docker/tools, installed in 3) ----------------------------------------------
(cd docker/tools && node check-kubernetes.mjs) || fail "docker/kubernetes (see above)"

# --- 6. shell scripts -------------------------------------------------------------------------
# the scale benches' default JVM flags are the documented ones (docs/operations.md, Memory at scale)
documented=$(awk '/^java -Xmx/ {on = 1} on {line = line " " $0} on && /-jar / {print line; exit}' docs/operations.md \
  | sed -e 's/\\//g' -e 's/ -jar .*//' -e 's/^ *java //' | tr -s ' ' | sed 's/ *$//')
scripted=$(unset JAVA_OPTS; . bench/scale-flags.sh; printf '%s' "$JAVA_OPTS")
[ -n "$documented" ] && [ "$documented" = "$scripted" ] \
  || fail "bench/scale-flags.sh ($scripted) is not the command line of docs/operations.md#memory-at-scale ($documented)"
sh -n docker/entrypoint.sh || fail "docker/entrypoint.sh does not parse"
sh -n docker/cds-train.sh || fail "docker/cds-train.sh does not parse"
# bench/peers.sh is a copy of ../shared/bench/peers.sh, kept as it is
ours_bench="bench/steady.sh bench/run.sh bench/lib.sh bench/warm.sh bench/scale-flags.sh bench/ab.sh bench/metrics-ab.sh bench/transport-ab.sh bench/tracing-ab.sh bench/reload.sh bench/fabric-import.sh bench/rolling-restart.sh bench/scale.sh bench/scale-ab.sh bench/startup.sh bench/hotpath.sh bench/profile-hotpath.sh bench/grpc-unary.sh"
# shellcheck disable=SC2086
for s in scripts/docker-check.sh scripts/ops-check.sh $ours_bench docker/k6/resilience.sh; do
  bash -n "$s" || fail "$s does not parse"
done
# bench/profile-split.py (bench/profile-hotpath.sh's split by whose code) on a profile whose split is known:
# per 1,000 requests, 4 us of event-loop CPU (kernel 2, Netty 1, the gateway 1 through a JDK call) and a
# compiler thread's 9 us that do not count; 600 B allocated with no gateway frame, 300 in a Vert.x call
# the gateway makes, 100 in the gateway's own code (via the JDK)
loop="java/lang/Thread.run;io/netty/channel/SingleThreadIoEventLoop.run"
cat > "$work/cpu.txt" <<PROFILE
$loop;io/netty/channel/nio/NioIoHandler.run;do_syscall_64_[k] 2000000
$loop;io/netty/handler/codec/http/HttpObjectDecoder.decode 1000000
$loop;io/vertx/core/http/impl/Http1xServerRequest.handleBegin;dev/portico/gateway/pipeline/Exchange.start;java/util/HashMap.get 1000000
CompileBroker::compiler_thread_loop 9000000
PROFILE
cat > "$work/alloc.txt" <<PROFILE
$loop;io/netty/handler/codec/http/HttpObjectDecoder.decode;byte[]_[i] 600000
$loop;dev/portico/gateway/pipeline/Exchange.send;io/vertx/core/http/impl/HttpClientRequestImpl.end;java/util/ArrayList.grow;java.lang.Object[]_[i] 300000
$loop;dev/portico/gateway/pipeline/Exchange.start;java/util/HashMap.resize;java.util.HashMap\$Node[]_[i] 100000
PROFILE
python3 bench/profile-split.py cpu "$work/cpu.txt" 1000 > "$work/cpu.split"
python3 bench/profile-split.py alloc "$work/alloc.txt" 1000 > "$work/alloc.split"
for want in "event-loop CPU per request: 4.00 us" "kernel 2.00 us" "Netty 1.00 us" "own code 1.00 us"; do
  tr -s ' ' < "$work/cpu.split" | grep -qF "$want" || fail "bench/profile-split.py cpu: no '$want' in: $(cat "$work/cpu.split")"
done
for want in "allocated per request: 1000 B" "600 B 60.0 % no frame of the proxy's own" \
  "300 B 30.0 % in Vert.x and Netty calls" "100 B 10.0 % in the proxy's own code"; do
  tr -s ' ' < "$work/alloc.split" | grep -qF "$want" || fail "bench/profile-split.py alloc: no '$want' in: $(cat "$work/alloc.split")"
done
say "bench/profile-split.py: a known profile's split"
if command -v shellcheck >/dev/null; then
  # shellcheck disable=SC2086
  shellcheck -x -S warning docker/entrypoint.sh docker/cds-train.sh scripts/docker-check.sh scripts/ops-check.sh $ours_bench docker/k6/resilience.sh \
    || fail "shellcheck"
  say "shell: scripts parse, shellcheck clean"
else
  say "shell: scripts parse (shellcheck not installed: skipped)"
fi
say "OK"
