# Shared by the bench scripts (sourced): the jar, the tools, a work directory cleaned up on exit
# with the processes started in it, and the NGINX backend on 127.0.0.1:19001.
# shellcheck shell=bash

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$bench_root/gateway/target/portico-gateway.jar"
[ -f "$jar" ] || (cd "$bench_root" && mvn -q -B -DskipTests package)
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
fi

wd=$(mktemp -d)
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$wd"
}
trap bench_cleanup EXIT

# NGINX answering 200 with a small JSON body to every request, as peers.sh's backend does
bench_backend() {
  cat > "$wd/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $wd/nginx.pid; error_log $wd/nginx.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:19001; keepalive_requests 10000000;
  location / { default_type application/json; return 200 '{"ok":true,"service":"bench"}'; } } }
CONF
  nginx -c "$wd/nginx.conf" & pids+=($!)
}

# waits for the gateway logging to $1 to be ready, or exits showing its log
bench_wait_ready() {
  for _ in $(seq 150); do grep -q "ready: traffic on" "$1" && return 0; sleep 0.2; done
  echo "gateway did not start ($1)" >&2; cat "$1" >&2; exit 1
}

# bench/scale.sh's backends: one NGINX with 50 listeners, 127.0.0.1:19101-19150, each answering
# with its port (scale-config.py spreads the instances over them)
bench_scale_backends() {
  local listen="" p
  for p in $(seq 19101 19150); do listen="$listen listen 127.0.0.1:$p;"; done
  cat > "$wd/backends.conf" <<CONF
worker_processes 1; daemon off; pid $wd/backends.pid; error_log $wd/backends.err;
events { worker_connections 8192; }
http { access_log off; server { $listen keepalive_requests 10000000;
  location / { default_type application/json; return 200 '{"ok":true,"port":\$server_port}'; } } }
CONF
  nginx -c "$wd/backends.conf" & pids+=($!)
}

# $wd/random.lua: wrk asks for a random API of $APIS per request, by the paths scale-config.py
# gives its APIs
bench_random_api_script() {
  cat > "$wd/random.lua" <<'LUA'
local n = tonumber(os.getenv("APIS"))
function init(args) math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000)) end
function request()
  local k = math.random(0, n - 1)
  return wrk.format("GET", "/t" .. (k % 97) .. "/s" .. k .. "/item")
end
LUA
}

# shellcheck source=bench/warm.sh
. "$bench_root/bench/warm.sh"

# the user + system clock ticks a process has used (divide by `getconf CLK_TCK` for seconds)
bench_cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# a wrk latency (850.00us, 1.20ms, 1.01s) in microseconds, from stdin
bench_to_us() {
  awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000000} else print v}'
}

# async-profiler (tools.profiler:async-profiler from Maven Central) unpacked into $wd; sets
# $bench_profiler_lib to its agent library
bench_fetch_profiler() {
  local version=4.2
  mvn -q -B dependency:copy -Dartifact="tools.profiler:async-profiler:$version:jar:linux-x64" \
    -DoutputDirectory="$wd" > /dev/null
  (cd "$wd" && unzip -q -o "async-profiler-$version-linux-x64.jar" 'linux-x64/*')
  bench_profiler_lib="$wd/linux-x64/libasyncProfiler.so"
}

# bench_profiler PID OPTIONS: async-profiler's command OPTIONS (start,event=cpu / stop,file=...) in
# the running JVM PID (jcmd parses name=value arguments: the options go quoted, as one string)
bench_profiler() {
  jcmd "$1" JVMTI.agent_load "$bench_profiler_lib" "\"$2\"" > /dev/null
}
