#!/usr/bin/env python3
"""Slowloris against a running gateway: sends a request head one byte per second on one connection
while other requests run, and prints when and how the gateway cut it off (docs/edge.md).
Usage: bench/slowloris.py [port]   (default 18080; the gateway serves the demo API /demo)"""
import socket, sys, time, threading, urllib.request
port = int(sys.argv[1]) if len(sys.argv) > 1 else 18080
head = b"GET /demo/slow HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"p" * 200 + b"\r\n\r\n"
s = socket.create_connection(("127.0.0.1", port))
opened = time.monotonic()
served = [0, 0]
stop = False
def others():
    while not stop:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/demo/hello", timeout=5) as r:
                served[0 if r.status == 200 else 1] += 1
        except Exception:
            served[1] += 1
        time.sleep(0.05)
t = threading.Thread(target=others); t.start()
s.settimeout(1.0)
got = b""
sent = 0
while True:
    try:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        break
    if sent < len(head):
        try:
            s.send(head[sent:sent + 1]); sent += 1
        except (BrokenPipeError, ConnectionResetError):
            break
cut = time.monotonic() - opened
stop = True; t.join()
print(f"cut off after {cut:.2f} s, {sent} bytes of the head sent; other requests meanwhile: {served[0]} OK, {served[1]} failed")
print(got.decode("latin-1"))
