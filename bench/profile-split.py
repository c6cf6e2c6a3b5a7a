#!/usr/bin/env python3
"""Splits bench/profile-hotpath.sh's collapsed stacks by whose code spent them, per request.

usage: bench/profile-split.py cpu|alloc FILE REQUESTS [OWN_PREFIX]

FILE holds async-profiler's collapsed stacks with totals (nanoseconds for cpu, bytes for alloc);
OWN_PREFIX is the frame prefix of the proxy's own code (default dev/portico/: the gateway; the bare
Vert.x raw proxy's is peer/).

cpu: the event-loop threads' CPU per request (us), by the innermost frame's owner: the kernel, the
proxy's own code, Vert.x, Netty, or the JVM (a JDK frame counts for the nearest caller that is one
of those: a HashMap lookup the gateway makes is the gateway's). The profiler's own cost is in it.

alloc: bytes per request in three parts: allocated with no frame of the proxy's own on the stack
(Vert.x and Netty reading, decoding and writing: what any proxy on Vert.x pays), inside the Vert.x
and Netty calls the proxy's code makes (making the upstream request, copying headers into Vert.x's
maps, ending the response), and in the proxy's own code (with the JDK code it calls).
"""
import collections
import sys

OWNERS = (("io/netty/", "Netty"), ("io/vertx/", "Vert.x"))


def stacks(path):
    with open(path) as f:
        for line in f:
            stack, n = line.rstrip("\n").rsplit(" ", 1)
            yield stack.split(";"), int(n)


def owner(frames, own):
    """The innermost frame's owner, JDK frames counting for their caller."""
    for frame in reversed(frames):
        if frame.startswith(own):
            return "own code"
        for prefix, name in OWNERS:
            if frame.startswith(prefix):
                return name
    return "JVM and JDK"


def cpu(path, requests, own):
    split = collections.Counter()
    for frames, n in stacks(path):
        # the event loops only: Netty's loop runs every request's code (not the compilers or GC)
        if not any("EventLoop" in f for f in frames[:8]):
            continue
        split["kernel" if frames[-1].endswith("_[k]") else owner(frames, own)] += n
    total = sum(split.values())
    print(f"event-loop CPU per request: {total / 1000 / requests:.2f} us, of which")
    for name, n in split.most_common():
        print(f"  {name:<12} {n / 1000 / requests:6.2f} us  {100 * n / total:5.1f} %")


def alloc(path, requests, own):
    split = collections.Counter()
    for frames, n in stacks(path):
        frames = frames[:-1]  # the last is the allocated class
        mine = [i for i, f in enumerate(frames) if f.startswith(own)]
        if not mine:
            split["no frame of the proxy's own on the stack (Vert.x, Netty)"] += n
        elif owner(frames[mine[-1] :], own) == "own code":
            split["in the proxy's own code"] += n
        else:
            split["in Vert.x and Netty calls the proxy's code makes"] += n
    total = sum(split.values())
    print(f"allocated per request: {total / requests:.0f} B, of which")
    for name, n in split.most_common():
        print(f"  {n / requests:6.0f} B  {100 * n / total:5.1f} %  {name}")


def main(argv):
    if len(argv) not in (4, 5) or argv[1] not in ("cpu", "alloc"):
        sys.exit(__doc__.split("\n\n")[1])
    requests = int(argv[3])
    if requests <= 0:
        sys.exit("REQUESTS must be a positive count")
    own = argv[4] if len(argv) == 5 else "dev/portico/"
    (cpu if argv[1] == "cpu" else alloc)(argv[2], requests, own)


if __name__ == "__main__":
    main(sys.argv)
