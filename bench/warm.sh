# shellcheck shell=bash
# Sourced by bench/lib.sh and bench/run.sh.

# bench_warm SECONDS CMD...: runs CMD (a wrk command line without -d) for SECONDS of warm-up, in runs
# of at most 5 s: each run's end closes its connections and the next opens new ones, so the JIT
# has seen (and compiled) the paths of a closing and a new connection before the measured rounds,
# whose own reconnects otherwise deoptimize hot code in their first rounds (LogCompilation: class
# and type-check traps in Vert.x and Netty in the first three rounds after one 20 s warm-up, none
# after four 5 s ones)
bench_warm() {
  local left=$1 d
  shift
  while [ "$left" -gt 0 ]; do
    d=$(( left < 5 ? left : 5 ))
    "$@" -d"${d}s" > /dev/null
    left=$(( left - d ))
  done
}
