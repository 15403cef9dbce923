#!/usr/bin/env python3
"""Page latency and upstream requests, cold and warm, counted at the registry.

Run by scripts/bench.sh, which starts and seeds the registry and builds
Reestr in release mode. For each page this starts a fresh Reestr (empty
cache; with --redis, an emptied Redis) behind a counting proxy in front of
the registry, then:
  cold: the first GET (time to the full body) and the registry requests it made;
  warm: N more GETs, p50/p99, and the registry requests they made (the target is 0).
Prints a Markdown table for BENCHMARKS.md. Standard library only.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES = [
    ("home (health of each registry)", "/"),
    ("registry: first 50 of the whole catalogue", "/registries/local"),
    ("repository: team/app (2 tags)", "/registries/local/repositories/team/app"),
    ("repository: big/tags (10,000 tags, 50 rows)", "/registries/local/repositories/big/tags/-"),
    ("tag: team/app:1.0", "/registries/local/repositories/team/app/-/tags/1.0"),
    ("tag: 2-platform index", "/registries/local/repositories/team/sub/multi/-/tags/latest"),
    ("tag: signed, with SBOM referrer", "/registries/local/repositories/team/signed/-/tags/1.0"),
]


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.n = 0

    def take(self):
        with self.lock:
            n, self.n = self.n, 0
            return n

    def add(self):
        with self.lock:
            self.n += 1


def proxy(upstream, counter):
    """A counting HTTP/1.1 proxy to `upstream` (host:port) on a free port."""
    host, port = upstream.rsplit(":", 1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self):
            counter.add()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        do_GET = do_HEAD = do_POST = do_PUT = forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"127.0.0.1:{server.server_address[1]}"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        status = r.status
    return (time.perf_counter() - start) * 1000, status


def start_reestr(binary, site, config, env_extra):
    port = free_port()
    env = dict(os.environ, LEPTOS_SITE_ROOT=site, LEPTOS_ENV="PROD", RUST_LOG="warn",
               REESTR_API_RATE_PER_MINUTE="0", REESTR_DATA_DIR=os.path.dirname(config), **env_extra)
    proc = subprocess.Popen(
        [binary, "--config", config, "serve", "--listen", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            get(base + "/healthz")
            return proc, base
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("reestr did not start")


def catalog(host):
    """Every repository name of the registry at `host`, following `Link` pages."""
    names, url = [], f"http://{host}/v2/_catalog?n=1000"
    while url:
        with urllib.request.urlopen(url, timeout=60) as r:
            names += json.load(r)["repositories"]
            link = r.headers.get("Link") or ""
        url = f"http://{host}{link[1:link.index('>')]}" if 'rel="next"' in link else None
    return names


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def arguments():
    """The options every benchmark script takes (bench_load.py adds its own)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", required=True, help="host:port of the seeded registry")
    ap.add_argument("--binary", required=True, help="the release reestr binary")
    ap.add_argument("--site", required=True, help="the site folder (target/site)")
    ap.add_argument("--work", required=True, help="a scratch folder")
    return ap


def main():
    ap = arguments()
    ap.add_argument("--warm", type=int, default=50)
    ap.add_argument("--redis", help="redis://… to use as the shared tier (flushed per page)")
    args = ap.parse_args()

    counter = Counter()
    via = proxy(args.registry, counter)
    config = os.path.join(args.work, "bench-registries.yaml")
    with open(config, "w") as f:
        # Open access: the benchmark measures browsing, not logins.
        f.write(f"access: open\nregistries:\n  - id: local\n    baseUrl: http://{via}\n    tls: {{ allowHttp: true }}\n")
    env_extra = {"REDIS_URL": args.redis} if args.redis else {}
    tier = "memory + Redis" if args.redis else "memory"

    rows = []
    for name, path in PAGES:
        if args.redis:
            subprocess.run(["redis-cli", "-u", args.redis, "FLUSHALL"], check=True, stdout=subprocess.DEVNULL)
        proc, base = start_reestr(args.binary, args.site, config, env_extra)
        try:
            counter.take()  # the API document load at start
            cold_ms, status = get(base + path)
            if status != 200:
                sys.exit(f"{path}: HTTP {status}")
            cold_requests = counter.take()
            warm = [get(base + path)[0] for _ in range(args.warm)]
            warm_requests = counter.take()
        finally:
            proc.terminate()
            proc.wait()
        rows.append((name, cold_ms, cold_requests, statistics.median(warm), pct(warm, 99), warm_requests))

    print(f"\nCache tier: {tier}; {args.warm} warm requests per page, one at a time.\n")
    print("| page | cold ms | cold upstream requests | warm p50 ms | warm p99 ms | warm upstream requests |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, cold_ms, cold_n, p50, p99, warm_n in rows:
        print(f"| {name} | {cold_ms:.1f} | {cold_n} | {p50:.1f} | {p99:.1f} | {warm_n} |")


if __name__ == "__main__":
    main()
