#!/bin/sh
# Container entrypoint of the Portico image: picks the configuration file and starts the gateway
# as PID 1 (exec, no shell left in between), so SIGTERM from `docker stop` / `podman stop` / the
# kubelet reaches the JVM, which drains: readiness 503, listeners closed after
# gateway.shutdown.delay, requests in flight finished, registry records unpublished, exit 0.
#
# Configuration, first match wins:
#   --config FILE among the arguments (CMD), or PORTICO_CONFIG=FILE in the environment;
#   /etc/portico/gateway.yaml (or .json) when one is mounted there;
#   else the built-in default (local registry, two demo backends behind /demo).
# Extra JVM flags: JAVA_OPTS (added after JAVA_DEFAULT_OPTS, so they win).
set -eu
jar=/opt/portico/portico-gateway.jar
if [ -z "${PORTICO_CONFIG:-}" ]; then
  for f in /etc/portico/gateway.yaml /etc/portico/gateway.yml /etc/portico/gateway.json; do
    if [ -f "$f" ]; then
      PORTICO_CONFIG=$f
      export PORTICO_CONFIG
      break
    fi
  done
fi
# JAVA_DEFAULT_OPTS and JAVA_OPTS are word-split on purpose (lists of flags)
# shellcheck disable=SC2086
exec java ${JAVA_DEFAULT_OPTS:-} ${JAVA_OPTS:-} -jar "$jar" "$@"
