# The JVM flags docs/operations.md#memory-at-scale gives a `java -jar` launch at 10,000 APIs and
# 50,000 instances (a heap bound, G1's marking threshold and young generation floor, huge pages,
# C2's thresholds). Sourced by the scale benches (scale.sh, scale-ab.sh, startup.sh): JAVA_OPTS
# gets them when it is not set at all; JAVA_OPTS="" measures the JVM's defaults, and any other
# value is taken as it is. Keep in step with that section (ops-check compares the two).
# shellcheck shell=bash
# shellcheck disable=SC2034 # used by the scripts that source this file
BENCH_SCALE_JAVA_OPTS="-Xmx320m -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=75 -XX:+UseTransparentHugePages -XX:+UnlockExperimentalVMOptions -XX:G1NewSizePercent=40 -XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=1800 -XX:Tier4CompileThreshold=45000 -XX:Tier4BackEdgeThreshold=120000"
: "${JAVA_OPTS=$BENCH_SCALE_JAVA_OPTS}"
