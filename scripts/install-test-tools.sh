#!/usr/bin/env bash
# Installs what the test command needs beyond a JDK 17 and Maven, on Debian (as root in CI).
# Safe to run again: it installs only what is missing.
set -euo pipefail
need=()
command -v mvn >/dev/null || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
