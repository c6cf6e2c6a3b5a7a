#!/usr/bin/env bash
# Runs every test of the project: the Maven build with all unit and integration tests (real
# servers on loopback), then the operations checks that live outside Maven.
# Tools some checks need (promtool, prometheus, redis-server, podman, node, kubectl, haproxy, wrk) are installed by
# scripts/install-test-tools.sh;
# .ci/run calls it first.
set -euo pipefail
cd "$(dirname "$0")/.."
# install (verify, then into the local repository): the JMH benchmarks build against the installed modules
mvn -B -ntp install
# the hot-path benchmarks (bench/jmh, not run here) must keep compiling against the code they measure
mvn -B -ntp -q -f bench/jmh/pom.xml package
# the operations kit (docs/operations.md#checks-in-ci): promtool, dashboards, compose, k6 type check;
# then the container image built with podman and smoke-run (needs the jar the build just made)
# (each step bounded: a hang fails CI with the step's name instead of running out its clock)
timeout --kill-after=10 600 scripts/ops-check.sh
timeout --kill-after=10 1200 scripts/docker-check.sh
# zero-downtime: two gateways behind HAProxy restarted in turn under a paced load, no request may fail
# (docs/operations.md#rolling-restarts; about a minute)
timeout --kill-after=10 600 bench/rolling-restart.sh --max-failed 0
