#!/usr/bin/env bash
# What tracing costs (bench/ab.sh with three variants): spans for every request (100 %), for 1 %
# of new traces, and tracing off (the reference). Spans are exported over OTLP/HTTP to a loopback
# sink (bench/otlp-sink.py on 127.0.0.1:14318) that reads and discards them, so the export's own
# work is in the figures; the sink's count of exports and bytes is printed at the end.
#
# usage: bench/tracing-ab.sh [--rounds N] [--seconds N] [--warmup N]   (defaults 7, 8, 30)
# Run it under the shared lock on a shared machine: flock /work/notes/cpu.lock bench/tracing-ab.sh
set -euo pipefail
here=$(dirname "$0")
python3 "$here/otlp-sink.py" 14318 & sink=$!
trap 'kill "$sink" 2>/dev/null || true; wait "$sink" 2>/dev/null || true' EXIT
endpoint='endpoint: "http://127.0.0.1:14318/v1/traces"'
"$here/ab.sh" "$@" \
  "on-100=tracing: { enabled: true, $endpoint, samplingRatio: 1.0 }" \
  "on-1=tracing: { enabled: true, $endpoint, samplingRatio: 0.01 }" \
  "off="
