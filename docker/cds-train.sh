#!/bin/sh
# Image build step: records the classes a start-up and the first requests load into an AppCDS
# archive (Java 17: -XX:ArchiveClassesAtExit), which the entrypoint's JVM maps at start instead of
# loading and verifying those classes from the jars again (docs/operations.md#the-container-image).
# One start on the built-in default, on loopback with ports the kernel picks (nothing fixed is
# bound in the build), a request through the proxy and to the management API, then SIGTERM: the
# gateway drains, exits 0 and the JVM writes the archive.
#
# usage: cds-train.sh ARCHIVE [JAR]   (in the image, as its USER; JAVA_DEFAULT_OPTS as at run time)
#   JAR defaults to the image's; bench/scale.sh and bench/startup.sh --cds train a checkout's jar
#   the same way, to measure start-up as the image has it.
set -eu
archive=$1
jar=${2:-/opt/portico/portico-gateway.jar}
log=$(mktemp)
# shellcheck disable=SC2086 # JAVA_DEFAULT_OPTS is a list of flags
PORTICO_LISTENERS__TRAFFIC__HOST=127.0.0.1 PORTICO_LISTENERS__TRAFFIC__PORT=0 \
PORTICO_LISTENERS__MANAGEMENT__HOST=127.0.0.1 PORTICO_LISTENERS__MANAGEMENT__PORT=0 \
  java ${JAVA_DEFAULT_OPTS:-} -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error -jar "$jar" >"$log" 2>&1 &
pid=$!
i=0
until grep -q 'ready: traffic on' "$log"; do
  i=$((i + 1))
  if [ "$i" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "cds-train: the gateway did not start:" >&2
    cat "$log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
ready=$(grep 'ready: traffic on' "$log")
traffic=$(echo "$ready" | sed -n 's|.*traffic on http://\([^,]*\), management.*|\1|p')
management=$(echo "$ready" | sed -n 's|.*management on http://\([^,]*\), .*|\1|p')
curl -fsS -o /dev/null --max-time 10 "http://$traffic/demo/hello" || true
curl -fsS -o /dev/null --max-time 10 "http://$management/health/ready" || true
curl -sS -o /dev/null --max-time 10 "http://$management/metrics" || true
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
rm -f "$log"
if [ "$status" != 0 ] || [ ! -s "$archive" ]; then
  echo "cds-train: no archive written (exit status $status)" >&2
  exit 1
fi
