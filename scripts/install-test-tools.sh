#!/usr/bin/env bash
# Installs what the test command needs beyond a JDK 17 and Maven, on Debian (as root in CI).
# Safe to run again: it installs only what is missing.
set -euo pipefail
need=()
command -v mvn >/dev/null || need+=(maven)
# podman and debootstrap: scripts/docker-check.sh builds and smoke-runs the image on a local stand-in base
command -v podman >/dev/null || need+=(podman)
command -v debootstrap >/dev/null || need+=(debootstrap)
# jq, node and npm: scripts/ops-check.sh (k6 type check, compose schema check) and docker-check.sh
command -v jq >/dev/null || need+=(jq)
command -v npm >/dev/null || need+=(nodejs npm)
# wrk: the load of bench/rolling-restart.sh (run by scripts/test.sh); kubectl (Debian's kubernetes-client,
# whose kustomize renders docker/kubernetes for scripts/ops-check.sh; a newer kubectl does as well)
command -v wrk >/dev/null || need+=(wrk)
command -v kubectl >/dev/null || need+=(kubernetes-client)
# shellcheck: scripts/ops-check.sh lints the kit's shell scripts with it (and only parses them without)
command -v shellcheck >/dev/null || need+=(shellcheck)
# dnsmasq: the DNS SRV registry source's tests run their own DNS server on a loopback port. The package
# dnsmasq-base is the binary alone, without the service (so no daemon starts on port 53 at install).
{ command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ]; } || need+=(dnsmasq-base)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# promtool and prometheus: the metrics tests check the exposition and scrape the gateway with a real
# server. redis-server: the shared-registry tests start their own Redis on a free loopback port.
# haproxy: bench/rolling-restart.sh puts two gateways behind it on loopback.
# Without recommends (prometheus-node-exporter); policy-rc.d keeps the packages' daemons from
# starting (on ports 9090 and 6379) when there is an init system.
daemons=()
{ command -v promtool >/dev/null && command -v prometheus >/dev/null; } || daemons+=(prometheus)
command -v redis-server >/dev/null || daemons+=(redis-server)
command -v haproxy >/dev/null || daemons+=(haproxy)
if [ ${#daemons[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  policy=/usr/sbin/policy-rc.d own_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${daemons[@]}" >/dev/null
  [ -z "$own_policy" ] || rm -f "$policy"
fi
