#!/usr/bin/env python3
"""A loopback OTLP/HTTP sink for benchmarks: accepts POST /v1/traces, reads and discards the body,
answers 200 with an empty (valid) ExportTraceServiceResponse, and counts requests and bytes
(printed on SIGTERM/SIGINT). Usage: bench/otlp-sink.py [PORT] (default 14318)."""
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {"exports": 0, "bytes": 0}


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("content-length", "0"))
        self.rfile.read(n)
        counts["exports"] += 1
        counts["bytes"] += n
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def stop(*_):
    print(f"otlp-sink: {counts['exports']} exports, {counts['bytes']} bytes", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 14318), Sink).serve_forever()
