"""Slow clients against the HTTP server: threads they hold, latency of the others, and whether they are dropped.

Opens ``--slow`` connections that send headers and one byte of a 1,000-byte
body and then nothing more, sends ``--requests`` ordinary requests alongside,
then waits ``--wait`` seconds and counts the slow connections still open.
Run it for the server ``faqbot slack --http`` uses (``waitress``) and, for
comparison, the standard library's thread-per-connection ``wsgiref`` server::

    python benchmarks/http_slow_clients.py --server waitress
    python benchmarks/http_slow_clients.py --server wsgiref
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
import urllib.request
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.slack.http_server import HttpServer


def app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _ThreadPerConnection(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=["waitress", "wsgiref"], default="waitress")
    parser.add_argument("--slow", type=int, default=200, help="slow connections (default 200)")
    parser.add_argument("--requests", type=int, default=100, help="ordinary requests alongside (default 100)")
    parser.add_argument("--wait", type=float, default=13.0, help="seconds before counting open slow ones (default 13)")
    args = parser.parse_args()
    if args.server == "wsgiref":
        server = make_server("127.0.0.1", 0, app, server_class=_ThreadPerConnection, handler_class=_Quiet)
    else:
        server = HttpServer(app, "127.0.0.1", 0)  # the defaults of `faqbot slack --http`
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    before = threading.active_count()
    slow = []
    for _ in range(args.slow):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        slow.append(sock)
    time.sleep(1.0)
    held = threading.active_count() - before
    latencies = []
    for _ in range(args.requests):
        started = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", data=b"{}", timeout=10).read()
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    time.sleep(args.wait)
    still_open = 0
    for sock in slow:
        sock.setblocking(False)
        try:
            still_open += sock.recv(1) != b""
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        sock.close()
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    print(f"server: {args.server}; {args.slow} slow bodies hold {held} threads; {args.requests} requests alongside: "
          f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; slow connections still open after "
          f"{args.wait + 1:.0f} s: {still_open}")


if __name__ == "__main__":
    main()
