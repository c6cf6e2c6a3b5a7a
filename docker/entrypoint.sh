#!/bin/sh
# Container entrypoint of the Portico image: picks the configuration file and starts the gateway
# as PID 1 (exec), so SIGTERM from `docker stop` reaches the JVM and the gateway unpublishes its
# registry records and closes its listeners before exiting.
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
