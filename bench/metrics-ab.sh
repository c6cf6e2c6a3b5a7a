#!/usr/bin/env bash
# What metrics cost (bench/ab.sh with three variants): default metrics, Vert.x's per-request HTTP
# meters on, metrics off (the reference).
#
# usage: bench/metrics-ab.sh [--rounds N] [--seconds N] [--warmup N]     (defaults 7, 8, 30)
exec "$(dirname "$0")/ab.sh" "$@" "default=" "vertx-http=metrics: { vertxHttp: true }" \
  "metrics-off=metrics: { enabled: false }"
