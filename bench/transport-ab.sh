#!/usr/bin/env bash
# What Netty's native epoll transport brings (bench/ab.sh with two variants): gateway.nativeTransport
# true against the default, the JDK's NIO transport (the reference).
#
# usage: bench/transport-ab.sh [--rounds N] [--seconds N] [--warmup N]   (defaults 7, 8, 30)
exec "$(dirname "$0")/ab.sh" "$@" "native=gateway: { nativeTransport: true }" "jdk="
