#!/usr/bin/env python3
"""The configuration bench/scale.sh and bench/startup.sh run: N APIs routing to N registry services
of PER instances each (published at start from the file), plus a "probe" API on a service with no
instances. An instance's URL is one of 50 loopback ports (19101-19150, scale.sh's NGINX listeners).

usage: scale-config.py PATH yaml|json APIS PER PORT TOKEN [BACKENDS [PORTS]]
  (management on PORT + 1000)
  BACKENDS: the APIs route to the first BACKENDS backends in turn (API i to backend i % BACKENDS;
  default: each API its own); every backend and service is declared either way.
  PORTS: the instances' URLs go round the first PORTS of the 50 ports (default 50; 1: every
  instance is http://127.0.0.1:19101).
"""
import json
import sys

path, fmt, n, per, port, token = (sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                                  int(sys.argv[5]), sys.argv[6])
routed = int(sys.argv[7]) if len(sys.argv) > 7 else n
if not 1 <= routed <= n:
    sys.exit("BACKENDS must be between 1 and APIS (%d), got %d" % (n, routed))
PORTS, BASE = int(sys.argv[8]) if len(sys.argv) > 8 else 50, 19101
if not 1 <= PORTS <= 50:
    sys.exit("PORTS must be between 1 and 50, got %d" % PORTS)


def url(s, j):
    return "http://127.0.0.1:%d" % (BASE + (s * per + j) % PORTS)


listeners = {"traffic": {"host": "127.0.0.1", "port": port},
             "management": {"host": "127.0.0.1", "port": port + 1000}}
instances = [{"service": "s%d" % s, "url": url(s, j)} for s in range(n) for j in range(per)]
backends = [{"id": "b%d" % s, "url": "s%d" % s} for s in range(n)] + [{"id": "probe", "url": "probe"}]
api_list = [{"id": "a%d" % s, "path": "/t%d/s%d" % (s % 97, s), "backend": "b%d" % (s % routed),
             "retry": {"count": 2}} for s in range(n)] + [{"id": "probe", "path": "/probe", "backend": "probe"}]
if fmt == "json":
    with open(path, "w") as f:
        json.dump({"listeners": listeners, "admin": {"token": token}, "registry": {"instances": instances},
                   "backends": backends, "apis": api_list}, f)
    sys.exit(0)
# YAML written by hand in flow style: one line per entry, as a person would keep a large file
with open(path, "w") as f:
    f.write("listeners:\n  traffic: { host: 127.0.0.1, port: %d }\n  management: { host: 127.0.0.1, port: %d }\n"
            % (port, port + 1000))
    f.write("admin: { token: %s }\nregistry:\n  instances:\n" % token)
    for i in instances:
        f.write('    - { service: %s, url: "%s" }\n' % (i["service"], i["url"]))
    f.write("backends:\n")
    for b in backends:
        f.write("  - { id: %s, url: %s }\n" % (b["id"], b["url"]))
    f.write("apis:\n")
    for a in api_list:
        retry = ", retry: { count: 2 }" if "retry" in a else ""
        f.write("  - { id: %s, path: %s, backend: %s%s }\n" % (a["id"], a["path"], a["backend"], retry))
