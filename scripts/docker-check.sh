#!/usr/bin/env bash
# Builds the gateway's container image (docker/Dockerfile) and smoke-runs it, without a Docker
# engine or an image registry: podman builds with --isolation=chroot --pull=never on top of a local
# stand-in for the Dockerfile's pinned base (../shared/container/standin-base.sh: Debian + OpenJDK
# 17 + curl, tagged under the base's name), and ../shared/container/smoke-run.sh runs the image's
# ENTRYPOINT on the host network, chrooted into the image, as its USER, with its ENV.
#
# usage: scripts/docker-check.sh          (as root; called by scripts/test.sh after the Maven build)
#   env: SHARED_DIR (default: <repo>/../shared), PORT_BASE (default 18480; uses PORT_BASE..+14),
#        KEEP_IMAGES=1 to keep the built images.
#
# Checks, in order (each failure says which and shows the gateway's log):
#   1. the image builds on a pinned base tag; the third-party jars, Portico's modules and the
#      application jar are separate layers; it has a HEALTHCHECK on /health/live (needs --format
#      docker), a non-root numeric USER, ports 8080 and 9090 exposed;
#   2. the image on its built-in default (ports moved by env overrides), with -Xshare:on so the JVM
#      must map the image's AppCDS archive (docker/cds-train.sh): /health/ready = 200, the
#      HEALTHCHECK command itself passes inside the image's filesystem, /demo/hello answers the
#      demo JSON through the proxy, /metrics (when the gateway has it) answers Prometheus text with
#      portico_request_duration_seconds, the JVM runs as a non-root user with the container flags;
#      then the image as Kubernetes runs it (read-only root filesystem, a tmpfs on /tmp): it starts and
#      proxies, and SIGTERM to its PID 1 (what docker/podman stop and the kubelet send) with a
#      request in flight drains: readiness 503, the request completes, exit status 0;
#   3. an invalid configuration stops the container with exit status 2;
#   4. the compose topology on loopback: three "demo backend" containers (the same image, built-in
#      default, ids demo-a/b/c) and a gateway using docker/config/gateway.yaml copied to
#      /etc/portico/gateway.yaml (as compose mounts it), its registry instances pointed at loopback
#      by env overrides: /demo reaches all three instances, /pinned reaches demo-c, /fabric and the
#      Service-Fabric-reverse-proxy listener (PORT_BASE+6) route by partition key; then demo-b is
#      stopped and the share of failed requests is reported (resilience; informational, it depends
#      on the gateway's retries and circuit breakers);
#   5. when the gateway has /metrics and prometheus is installed: Prometheus on
#      docker/prometheus/prometheus.yml (targets moved to loopback) scrapes that gateway, the alerting
#      rules evaluate without error, and every dashboard query runs (the core ones with data).
# First run: about 2 minutes for the stand-in (debootstrap); then about a minute.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
shared=${SHARED_DIR:-$root/../shared}
container_tools=$shared/container
base=${PORT_BASE:-18480}
image=localhost/portico/gateway:check
image_compose=localhost/portico/gateway-compose:check
jar=gateway/target/portico-gateway.jar
work=$(mktemp -d)
pids=()
started=$SECONDS

say() { printf '[docker-check %3ds] %s\n' $((SECONDS - started)) "$*"; }
fail() {
  printf '[docker-check] FAIL: %s\n' "$*" >&2
  for log in "$work"/*.log; do
    [ -s "$log" ] || continue
    printf -- '--- %s (last 40 lines) ---\n' "$(basename "$log")" >&2
    tail -n 40 "$log" >&2
  done
  exit 1
}

# --- processes: each smoke-run is its own session (setsid), so it can be stopped as a group ----
stop_run() {  # stop one run: SIGTERM to the gateway (the child of smoke-run; else the process), then the group
  local p=$1 child
  kill -0 "$p" 2>/dev/null || return 0
  child=$(pgrep -P "$p" || true)
  kill -TERM "${child:-$p}" 2>/dev/null || true
  for _ in $(seq 75); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$p" 2>/dev/null; then kill -TERM -- "-$p" 2>/dev/null || true; sleep 1; kill -KILL -- "-$p" 2>/dev/null || true; fi
  wait "$p" 2>/dev/null || true
}
ro_mounts=""
cleanup() {
  local rc=$?
  for p in "${pids[@]:-}"; do [ -n "$p" ] && stop_run "$p"; done
  for mnt in $ro_mounts; do umount "$mnt" 2>/dev/null || true; done
  # containers left by a smoke-run that was killed hard: unmount and remove (only our images')
  for img in "$image" "$image_compose"; do
    for c in $(podman ps -a -q --filter "ancestor=$img" 2>/dev/null); do
      m=$(podman mount "$c" 2>/dev/null || true)
      [ -n "$m" ] && { umount "$m/proc" 2>/dev/null || true; umount "$m/dev" 2>/dev/null || true; }
      podman umount "$c" >/dev/null 2>&1 || true
      podman rm -f "$c" >/dev/null 2>&1 || true
    done
  done
  if [ "${KEEP_IMAGES:-0}" != 1 ]; then podman rmi -f "$image_compose" "$image" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_run NAME IMAGE [ARG...]: smoke-run in the background with $work/NAME.env, log $work/NAME.log
start_run() {
  local name=$1; shift
  ENV_FILE="$work/$name.env" setsid bash "$container_tools/smoke-run.sh" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
}
pid_of() { eval "echo \${pid_$1}"; }
wait_ready() {  # wait_ready NAME MGMT_PORT SECONDS
  local name=$1 port=$2 limit=$3 code
  for _ in $(seq $((limit * 5))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/health/ready" || true)
    [ "$code" = 200 ] && return 0
    kill -0 "$(pid_of "$name")" 2>/dev/null || fail "$name exited before it was ready"
    sleep 0.2
  done
  fail "$name: /health/ready on port $port did not answer 200 within ${limit}s (last: $code)"
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- tools and inputs -------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || fail "run as root (podman build, mount and chroot need it)"
[ -f "$container_tools/standin-base.sh" ] \
  || fail "no $container_tools/standin-base.sh (set SHARED_DIR to the shared folder)"
command -v jq >/dev/null || fail "jq is needed (scripts/install-test-tools.sh installs it)"
if [ ! -f "$jar" ]; then
  say "no $jar: building it (mvn -q -B -DskipTests package)"
  mvn -q -B -ntp -DskipTests package
fi
for p in $(seq "$base" $((base + 14))); do port_free "$p" || fail "port $p is in use (set PORT_BASE)"; done

# the base the Dockerfile pins (ARG JRE_IMAGE=...): a tag with the JRE's full version
jre_image=$(sed -n 's/^ARG JRE_IMAGE=//p' docker/Dockerfile)
[[ "$jre_image" =~ :[0-9]+\.[0-9]+\.[0-9]+[^:]*$ ]] || fail "docker/Dockerfile must pin its base to a full version tag, has '$jre_image'"
say "stand-in base image for $jre_image (first run: debootstrap, ~2 min)"
bash "$container_tools/standin-base.sh" jre "$jre_image" 2>&1 | grep -v '^Getting\|^Copying\|^Writing\|^Storing' || true
podman image exists "docker.io/library/$jre_image" || fail "stand-in $jre_image was not tagged"

# --- 1. build -------------------------------------------------------------------------------
say "podman build -f docker/Dockerfile (context: repository root)"
podman build --isolation=chroot --pull=never --format docker --ignorefile docker/Dockerfile.dockerignore \
  -f docker/Dockerfile -t "$image" . >"$work/build.log" 2>&1 || fail "image build failed"
hc=$(podman image inspect --format '{{json .HealthCheck}}' "$image")
[ "$(jq -r '.Test[0] // empty' <<<"$hc")" = CMD-SHELL ] || fail "image has no HEALTHCHECK (built without --format docker?): $hc"
hc_cmd=$(jq -r '.Test[1]' <<<"$hc")
# liveness: an unhealthy container gets replaced; readiness is 503 on purpose while draining
grep -q '/health/live' <<<"$hc_cmd" || fail "HEALTHCHECK does not probe /health/live: $hc_cmd"
user=$(podman image inspect --format '{{.Config.User}}' "$image")
[[ "$user" =~ ^[1-9][0-9]*(:[0-9]+)?$ ]] || fail "image USER must be a numeric non-root uid, is '$user'"
exposed=$(podman image inspect --format '{{json .Config.ExposedPorts}}' "$image")
for p in 8080/tcp 9090/tcp; do jq -e --arg p "$p" 'has($p)' <<<"$exposed" >/dev/null || fail "port $p not exposed: $exposed"; done
# dependencies and application in separate layers: one COPY each, and no Portico jar among the dependencies
history=$(podman history --no-trunc --format '{{.CreatedBy}}' "$image")
[ "$(grep -c 'COPY dir:.* in /opt/portico/lib/' <<<"$history")" = 2 ] \
  || fail "expected two layers into /opt/portico/lib (dependencies, then Portico's modules): $history"
[ "$(grep -c 'COPY file:.* in /opt/portico/portico-gateway.jar' <<<"$history")" = 1 ] \
  || fail "expected the application jar in a layer of its own: $history"
layers_cid=$(podman create "$image")
layers_mnt=$(podman mount "$layers_cid")
shopt -s nullglob
module_jars=("$layers_mnt"/opt/portico/lib/portico-*.jar)
all_jars=("$layers_mnt"/opt/portico/lib/*.jar)
shopt -u nullglob
modules=${#module_jars[@]}
deps=$((${#all_jars[@]} - modules))
podman umount "$layers_cid" >/dev/null; podman rm -f "$layers_cid" >/dev/null 2>&1
[ "$modules" = "$(ls gateway/target/app | wc -l)" ] || fail "the image has $modules Portico modules in /opt/portico/lib"
say "built $image on $jre_image: USER $user, EXPOSE 8080 9090, HEALTHCHECK $hc_cmd; layers: $deps dependency jars, $modules Portico modules, the application jar"

# --- 2. built-in default ----------------------------------------------------------------------
t=$base m=$((base + 10))
# -Xshare:on: the JVM refuses to start unless it maps the image's AppCDS archive (a JVM left to its
# default, -Xshare:auto, would start without an archive it cannot use and only lose the speed)
printf 'PORTICO_LISTENERS__TRAFFIC__PORT=%s\nPORTICO_LISTENERS__MANAGEMENT__PORT=%s\nJAVA_OPTS=-Xshare:on\n' "$t" "$m" >"$work/default.env"
say "smoke-run on the built-in default (traffic $t, management $m; JAVA_OPTS=-Xshare:on)"
start_run default "$image"
wait_ready default "$m" 60
say "/health/ready = 200; the JVM maps the image's class data archive (-Xshare:on)"

# the HEALTHCHECK command, run as the image would run it: in its filesystem, as its USER, with its ENV
hc_cid=$(podman create "$image")
hc_mnt=$(podman mount "$hc_cid")
mkdir -p "$hc_mnt/dev" && mount --bind /dev "$hc_mnt/dev"
mapfile -t hc_env < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" | sed '/^$/d'; cat "$work/default.env")
set +e
chroot --userspec="${user%%:*}:${user##*:}" "$hc_mnt" /usr/bin/env -i "${hc_env[@]}" /bin/sh -c "$hc_cmd"
hc_rc=$?
set -e
umount "$hc_mnt/dev"; podman umount "$hc_cid" >/dev/null; podman rm -f "$hc_cid" >/dev/null 2>&1
[ "$hc_rc" = 0 ] || fail "the image's HEALTHCHECK command failed (exit $hc_rc) against a ready gateway"
say "HEALTHCHECK command passes inside the image (exit 0)"

body=$(curl -sS --max-time 5 -H 'X-Request-Id: docker-check-1' "http://127.0.0.1:$t/demo/hello?x=1") || fail "GET /demo/hello failed"
jq -e '.service == "demo-echo" and .path == "/hello" and .method == "GET" and (.instance | startswith("demo-echo-"))
       and .headers["x-request-id"] == "docker-check-1" and (.headers.via | test("^1\\.1 "))' <<<"$body" >/dev/null \
  || fail "GET /demo/hello did not return the demo echo JSON: $body"
say "proxied GET /demo/hello -> $(jq -c '{service, instance, path}' <<<"$body")"
code=$(curl -s -o "$work/problem.json" -w '%{http_code}' "http://127.0.0.1:$t/nowhere")
{ [ "$code" = 404 ] && jq -e '.reason == "OperationNotFound"' "$work/problem.json" >/dev/null; } \
  || fail "GET /nowhere: expected 404 OperationNotFound, got $code $(cat "$work/problem.json")"

code=$(curl -s -o "$work/metrics.txt" -w '%{http_code}' "http://127.0.0.1:$m/metrics")
metrics_present=0
if [ "$code" = 200 ]; then
  metrics_present=1
  grep -q '^portico_request_duration_seconds_bucket{' "$work/metrics.txt" \
    || fail "/metrics answers but has no portico_request_duration_seconds histogram after a proxied request"
  say "/metrics: $(grep -c '^portico_' "$work/metrics.txt") portico_* samples, $(grep -c '^jvm_' "$work/metrics.txt") jvm_*"
else
  say "/metrics: HTTP $code (the gateway has no metrics endpoint yet; skipped)"
fi

java_pid=$(pgrep -P "$(pid_of default)" || true)
[ -n "$java_pid" ] || fail "cannot find the gateway process"
uid=$(awk '/^Uid:/ {print $2}' "/proc/$java_pid/status")
[ "$uid" != 0 ] || fail "the gateway runs as root"
tr '\0' ' ' <"/proc/$java_pid/cmdline" | grep -q -- '-XX:MaxRAMPercentage=75.0 .*-XX:+ExitOnOutOfMemoryError .*-XX:+UseTransparentHugePages' \
  || fail "the JVM does not carry the container flags: $(tr '\0' ' ' <"/proc/$java_pid/cmdline")"
say "gateway runs as uid $uid with the container JVM flags"
stop_run "$(pid_of default)"
grep -q 'Stopping service discovery\|Discovery bridges stopped' "$work/default.log" || say "(note: no clean-stop line in the log)"

# --- 2b. as Kubernetes runs it: read-only root filesystem, tmpfs on /tmp; SIGTERM drains --------
# The image's filesystem bind-mounted read-only, a tmpfs on /tmp (the emptyDir of
# docker/kubernetes), then the entrypoint as the image's USER with its ENV, on the host network.
t2=$((base + 7)) m2=$((base + 8))
ro_cid=$(podman create "$image")
ro_image=$(podman mount "$ro_cid")
mkdir -p "$ro_image/proc" "$ro_image/dev" "$ro_image/tmp"
ro_root=$work/ro-root
mkdir -p "$ro_root"
mount --bind "$ro_image" "$ro_root" && mount -o remount,bind,ro "$ro_root" || fail "cannot bind-mount the image read-only"
mount -t tmpfs -o size=64m,mode=1777 tmpfs "$ro_root/tmp" && mount -t proc proc "$ro_root/proc" && mount --bind /dev "$ro_root/dev" \
  || fail "cannot mount /tmp, /proc, /dev into the read-only root"
ro_mounts="$ro_root/dev $ro_root/proc $ro_root/tmp $ro_root"
touch "$ro_root/opt/portico/probe" 2>/dev/null && fail "the root filesystem is writable"
mapfile -t ro_env < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" | sed '/^$/d')
ro_env+=("PORTICO_LISTENERS__TRAFFIC__PORT=$t2" "PORTICO_LISTENERS__MANAGEMENT__PORT=$m2")
workdir=$(podman image inspect --format '{{.Config.WorkingDir}}' "$image")
setsid chroot --userspec="${user%%:*}:${user##*:}" "$ro_root" /usr/bin/env -i "${ro_env[@]}" \
  /bin/sh -c 'cd "$1" && shift && exec "$@"' ro "$workdir" /usr/local/bin/portico-entrypoint >"$work/readonly.log" 2>&1 &
ro_pid=$!
pids+=("$ro_pid")
# shellcheck disable=SC2034 # read through pid_of (wait_ready, fail)
pid_readonly=$ro_pid
wait_ready readonly "$m2" 60
[ "$(cat "/proc/$ro_pid/comm")" = java ] || fail "the entrypoint did not exec the JVM (PID 1 would be $(cat "/proc/$ro_pid/comm"), which would not pass signals on)"
curl -sf --max-time 20 "http://127.0.0.1:$t2/demo/hello" >/dev/null || fail "the read-only gateway does not proxy"
# a request in flight (the demo backend answers after 8 s), then SIGTERM to PID 1, as docker/podman stop send
curl -s -o "$work/inflight.json" -w '%{http_code}' --max-time 60 "http://127.0.0.1:$t2/demo/slow?delayMs=8000" >"$work/inflight.code" &
inflight=$!
# seen once is enough (checking again after the loop raced the request's end on a loaded machine)
seen_in_flight=
for _ in $(seq 200); do
  if curl -s --max-time 2 "http://127.0.0.1:$m2/metrics" | grep -q '^portico_requests_in_flight{api="demo"} [1-9]'; then
    seen_in_flight=1
    break
  fi
  sleep 0.1
done
[ -n "$seen_in_flight" ] || fail "the slow request never showed in portico_requests_in_flight"
stop_started=$SECONDS
kill -TERM "$ro_pid"
ready_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$m2/health/ready" || true)
wait "$inflight" || true
set +e
wait "$ro_pid"
ro_rc=$?
set -e
for mnt in $ro_mounts; do umount "$mnt" 2>/dev/null || true; done
ro_mounts=""
podman umount "$ro_cid" >/dev/null; podman rm -f "$ro_cid" >/dev/null 2>&1
[ "$ready_code" = 503 ] || fail "readiness answered $ready_code right after SIGTERM, not 503"
[ "$(cat "$work/inflight.code")" = 200 ] && jq -e '.path == "/slow"' "$work/inflight.json" >/dev/null \
  || fail "the request in flight at SIGTERM did not complete: $(cat "$work/inflight.code") $(cat "$work/inflight.json")"
[ "$ro_rc" = 0 ] || fail "after SIGTERM the gateway exited $ro_rc, not 0"
! grep -qi 'read-only file system\| WARN \| ERROR ' "$work/readonly.log" || fail "the gateway complained on a read-only root filesystem"
say "read-only root + tmpfs /tmp: ready, proxies; SIGTERM to PID 1 (java) with a request in flight: readiness 503, the request completed (200), exit 0 after $((SECONDS - stop_started)) s"
: >"$work/readonly.log"

# --- 3. invalid configuration: exit status 2 ----------------------------------------------------
printf 'PORTICO_LISTENERS__TRAFFIC__PORT=%s\nPORTICO_LISTENERS__MANAGEMENT__PORT=%s\nPORTICO_BACKENDS__0__URL=ftp://nowhere\n' "$t" "$m" >"$work/invalid.env"
set +e
ENV_FILE="$work/invalid.env" timeout 60 bash "$container_tools/smoke-run.sh" "$image" >"$work/invalid.log" 2>&1
rc=$?
set -e
{ [ "$rc" = 2 ] && grep -q 'invalid configuration' "$work/invalid.log"; } \
  || fail "an invalid configuration should exit with status 2 and say so (got $rc)"
say "invalid configuration -> exit 2: $(grep -m1 -- '  - ' "$work/invalid.log" | sed 's/^ *//')"
: >"$work/invalid.log"

# --- 4. the compose topology on loopback ----------------------------------------------------------
cat >"$work/Containerfile" <<EOF
FROM $image
COPY gateway.yaml /etc/portico/gateway.yaml
EOF
cp docker/config/gateway.yaml "$work/gateway.yaml"
podman build --isolation=chroot --pull=never --format docker -f "$work/Containerfile" -t "$image_compose" "$work" >"$work/build-compose.log" 2>&1 \
  || fail "building the compose-config image failed"
: >"$work/build-compose.log"; : >"$work/build.log"
i=0
for d in a b c; do
  i=$((i + 1))
  printf 'PORTICO_GATEWAY__ID=demo-%s\nPORTICO_GATEWAY__EVENTLOOPS=1\nPORTICO_DEMO__INSTANCES=1\nJAVA_OPTS=-Xmx96m -XX:TieredStopAtLevel=1\nPORTICO_LISTENERS__TRAFFIC__PORT=%s\nPORTICO_LISTENERS__MANAGEMENT__PORT=%s\n' \
    "$d" $((base + i)) $((base + 10 + i)) >"$work/demo_$d.env"
  start_run "demo_$d" "$image"
done
{
  printf 'PORTICO_LISTENERS__TRAFFIC__PORT=%s\nPORTICO_LISTENERS__MANAGEMENT__PORT=%s\n' $((base + 4)) $((base + 14))
  printf 'PORTICO_REGISTRY__INSTANCES__%s__URL=http://127.0.0.1:%s/demo\n' 0 $((base + 1)) 1 $((base + 2)) 2 $((base + 3))
  printf 'PORTICO_BACKENDS__1__URL=http://127.0.0.1:%s/demo\n' $((base + 3))
  printf 'PORTICO_LISTENERS__SERVICEFABRICREVERSEPROXY__PORT=%s\n' $((base + 6))
} >"$work/gateway.env"
say "compose topology: demo-a/b/c on ports $((base + 1))-$((base + 3)), gateway (docker/config/gateway.yaml) on $((base + 4))"
start_run gateway "$image_compose"
i=0
for d in a b c; do i=$((i + 1)); wait_ready "demo_$d" $((base + 10 + i)) 90; done
wait_ready gateway $((base + 14)) 90
grep -q 'config: /etc/portico/gateway.yaml' "$work/gateway.log" || fail "the gateway did not pick up /etc/portico/gateway.yaml"
g=$((base + 4))
seen=""
for _ in $(seq 12); do
  body=$(curl -sS --max-time 5 "http://127.0.0.1:$g/demo/hello") || fail "GET /demo/hello through the compose gateway failed"
  via=$(jq -r '.headers.via' <<<"$body") || fail "not JSON: $body"
  [[ "$via" =~ ^1\.1\ portico,\ 1\.1\ (demo-[abc])$ ]] || fail "unexpected Via chain '$via' in $body"
  seen="$seen ${BASH_REMATCH[1]}"
done
for d in demo-a demo-b demo-c; do grep -q "$d" <<<"$seen" || fail "/demo never reached $d (saw:$seen)"; done
body=$(curl -sS --max-time 5 "http://127.0.0.1:$g/pinned/x")
[ "$(jq -r '.headers.via' <<<"$body")" = "1.1 portico, 1.1 demo-c" ] || fail "/pinned did not reach demo-c: $body"
say "/demo reaches demo-a, demo-b and demo-c (12 requests:$seen); /pinned reaches demo-c"
# the partitioned Service Fabric demo service: by partition key, replica type, and the reverse-proxy listener
body=$(curl -sS --max-time 5 "http://127.0.0.1:$g/fabric/orders/42")
[ "$(jq -r '.instance' <<<"$body")" = orders-0-99-primary ] || fail "/fabric/orders/42 did not reach the primary of [0,99]: $body"
body=$(curl -sS --max-time 5 "http://127.0.0.1:$g/fabric/orders/250/replica")
[ "$(jq -r '.instance' <<<"$body")" = orders-200-299-secondary ] || fail "/fabric/orders/250/replica did not reach a secondary of [200,299]: $body"
body=$(curl -sS --max-time 5 "http://127.0.0.1:$((base + 6))/Demo/Orders/orders/150?PartitionKind=Int64Range&PartitionKey=150")
[ "$(jq -r '.instance + " " + .path' <<<"$body")" = "orders-100-199-primary /orders/150" ] \
  || fail "the reverse-proxy listener did not route /Demo/Orders/orders/150 to the primary of [100,199]: $body"
code=$(curl -s -o "$work/problem.json" -w '%{http_code}' "http://127.0.0.1:$g/fabric/orders/300")
{ [ "$code" = 400 ] && jq -e '.reason == "PartitionResolutionFailure"' "$work/problem.json" >/dev/null; } \
  || fail "/fabric/orders/300: expected 400 PartitionResolutionFailure, got $code $(cat "$work/problem.json")"
say "Service Fabric demo: /fabric routes by partition key and replica type, the reverse-proxy listener on $((base + 6)) too"

stop_run "$(pid_of demo_b)"
ok=0 bad=0 reasons=""
for _ in $(seq 30); do
  code=$(curl -s -o "$work/r.json" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$g/demo/after-stop" || true)
  if [ "$code" = 200 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); reasons="$reasons $code/$(jq -r '.reason // "?"' "$work/r.json" 2>/dev/null)"; fi
done
say "resilience (informational): demo-b stopped, then 30 requests: $ok ok, $bad failed$( [ -n "$reasons" ] && echo " ($(tr ' ' '\n' <<<"$reasons" | sed '/^$/d' | sort | uniq -c | awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}'))")"

# --- 5. Prometheus scraping the compose gateway, with the kit's rules and dashboard queries -------
# docker/prometheus/prometheus.yml with its targets moved to loopback and 1s intervals; the rules
# must evaluate without error and the dashboard's queries must run, those on the core request,
# upstream, in-flight and registry metrics returning data. Needs /metrics and the prometheus binary.
prom_port=$((base + 5))
if [ "$metrics_present" != 1 ]; then
  say "prometheus: skipped (the gateway has no /metrics yet)"
elif ! command -v prometheus >/dev/null; then
  say "prometheus: skipped (no prometheus binary; scripts/install-test-tools.sh installs it)"
else
  mkdir -p "$work/prom"
  cp -r docker/prometheus/rules "$work/prom/"
  sed -e "s/gateway:9090/127.0.0.1:$((base + 14))/; s/localhost:9090/127.0.0.1:$prom_port/" \
      -e 's/scrape_interval: .*/scrape_interval: 1s/; s/evaluation_interval: .*/evaluation_interval: 1s/' \
      docker/prometheus/prometheus.yml >"$work/prom/prometheus.yml"
  setsid prometheus --config.file="$work/prom/prometheus.yml" --storage.tsdb.path="$work/prom/data" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
  pids+=($!)
  pid_prometheus=$!
  api() { curl -sS --max-time 5 --data-urlencode "query=$1" "http://127.0.0.1:$prom_port/api/v1/query"; }
  for _ in $(seq 100); do
    [ "$(api 'sum(up{job="portico"})' 2>/dev/null | jq -r '.data.result[0].value[1] // empty' 2>/dev/null)" = 1 ] \
      && [ "$(api 'count(portico_request_duration_seconds_count{job="portico"})' 2>/dev/null | jq -r '.data.result | length' 2>/dev/null)" = 1 ] && break
    kill -0 "$pid_prometheus" 2>/dev/null || fail "prometheus exited"
    sleep 0.3
  done
  [ "$(api 'sum(up{job="portico"})' | jq -r '.data.result[0].value[1] // empty')" = 1 ] \
    || fail "prometheus (docker/prometheus/prometheus.yml, job portico) does not scrape the gateway"
  for _ in $(seq 40); do  # rules evaluated at least once, then some traffic to rate over
    [ "$(curl -s "http://127.0.0.1:$prom_port/api/v1/rules" | jq '[.data.groups[].rules[] | select(.lastEvaluation | startswith("0001"))] | length')" = 0 ] && break
    sleep 0.3
  done
  # ok traffic on both APIs, plus unmatched paths so the error panels have a series (retries hide backend errors)
  for _ in $(seq 20); do curl -s -o /dev/null "http://127.0.0.1:$g/demo/items/1"; curl -s -o /dev/null "http://127.0.0.1:$g/pinned/x"; curl -s -o /dev/null "http://127.0.0.1:$g/nowhere"; done
  sleep 3
  bad_rules=$(curl -s "http://127.0.0.1:$prom_port/api/v1/rules" | jq -r '.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.lastError)"')
  [ -z "$bad_rules" ] || fail "alerting rules do not evaluate against the gateway's metrics: $bad_rules"
  nq=0 empty=""
  # shellcheck disable=SC2016 # the sed below replaces Grafana variables literally
  while IFS= read -r e; do
    nq=$((nq + 1))
    r=$(api "$e") || fail "dashboard query failed: $e"
    [ "$(jq -r .status <<<"$r")" = success ] || fail "dashboard query errs against real metrics: $e: $(jq -r .error <<<"$r")"
    if [ "$(jq '.data.result | length' <<<"$r")" = 0 ]; then
      if grep -qE 'portico_(request_duration|upstream_duration|requests_in_flight|registry_instances)' <<<"$e"; then
        fail "dashboard query returns no data after traffic (label or metric drift?): $e"
      fi
      empty="$empty $(grep -oE 'portico_[a-z_]+|jvm_[a-z_]+' <<<"$e" | head -1)"
    fi
  done < <(jq -r '.. | objects | select(has("expr")) | .expr' docker/grafana/dashboards/*.json \
             | sed -e 's/\$__rate_interval/1m/g; s/\$__interval/1m/g; s/\$__range/1h/g; s/\$job/portico/g; s/\$[a-z_]\+/.*/g')
  alerts=$(curl -s "http://127.0.0.1:$prom_port/api/v1/alerts" | jq -r '[.data.alerts[] | "\(.labels.alertname)(\(.state))"] | join(" ")')
  say "prometheus: scrapes the gateway; $(curl -s "http://127.0.0.1:$prom_port/api/v1/rules" | jq '[.data.groups[].rules[]] | length') rules evaluate; $nq dashboard queries run$( [ -n "$empty" ] && echo " (no data yet for$(tr ' ' '\n' <<<"$empty" | sed '/^$/d' | sort -u | sed 's/^/ /' | tr -d '\n'))"); alerts: ${alerts:-none}"
  stop_run "$pid_prometheus"
fi

say "OK: image builds, runs non-root, is ready, proxies, health-checks, rejects bad config; compose topology routes (${SECONDS}s)"
