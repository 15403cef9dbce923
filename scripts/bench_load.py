#!/usr/bin/env python3
"""Warm pages under load, shipped front-end bytes and server memory.

Run by scripts/bench.sh after bench_fill.py, against the same registry. It
pushes a 100-tag repository (one image under 100 tags, by mounting
team/app's blobs and putting its manifest), starts one Reestr (release
build; with --redis, the memory and Redis tiers), warms each page, then
drives it with the load generator (server/examples/loadgen.rs): 32
keep-alive connections, --duration seconds per page. The load generator
runs on the same 2 cores as Reestr, so the figures include its cost.
Reports time to first byte (the response head: streamed SSR sends it before
the body) and to the full body, p50/p90/p99, and requests/s; the front end's
WASM, JS and CSS as the server sends them (identity, gzip, br); and Reestr's
resident memory after the load.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from bench_pages import arguments, get, start_reestr  # noqa: E402

PAGES = [
    ("home", "/"),
    ("registry page (first 50 of the whole catalogue)", "/registries/local"),
    ("repository page: bench/hundred (100 tags)", "/registries/local/repositories/bench/hundred"),
    ("tag page: team/app:1.0", "/registries/local/repositories/team/app/-/tags/1.0"),
    ("repository page: big/tags (10,000 tags)", "/registries/local/repositories/big/tags/-"),
]
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.headers, r.read()


def push_hundred(registry):
    """bench/hundred: team/app:1.0 under tags t000..t099."""
    base = f"http://{registry}/v2"
    _, _, body = request("GET", f"{base}/team/app/manifests/1.0", headers={"Accept": OCI_MANIFEST})
    manifest = json.loads(body)
    for blob in [manifest["config"]] + manifest["layers"]:
        request("POST", f"{base}/bench/hundred/blobs/uploads/?mount={blob['digest']}&from=team/app", data=b"")
    for i in range(100):
        request("PUT", f"{base}/bench/hundred/manifests/t{i:03d}", data=body, headers={"Content-Type": OCI_MANIFEST})


def load(loadgen, url, seconds):
    out = subprocess.run([loadgen, "--connections", "32", "--seconds", str(seconds), url],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def shipped(base, site):
    rows = []
    pkg = os.path.join(site, "pkg")
    for name in sorted(os.listdir(pkg)):
        if not name.endswith((".wasm", ".js", ".css")):
            continue
        sizes = []
        for encoding in ("identity", "gzip", "br"):
            _, headers, body = request("GET", f"{base}/pkg/{name}", headers={"Accept-Encoding": encoding})
            got = headers.get("Content-Encoding", "identity")
            sizes.append(len(body) if got == encoding else None)
        rows.append((name, *sizes))
    return rows


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = arguments()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--redis")
    ap.add_argument("--loadgen", required=True, help="the loadgen example binary")
    args = ap.parse_args()

    push_hundred(args.registry)
    config = os.path.join(args.work, "load-registries.yaml")
    with open(config, "w") as f:
        f.write(f"access: open\nregistries:\n  - id: local\n    baseUrl: http://{args.registry}\n    tls: {{ allowHttp: true }}\n")
    env = {"REDIS_URL": args.redis} if args.redis else {}
    proc, base = start_reestr(args.binary, args.site, config, env)
    try:
        rows = []
        for name, path in PAGES:
            for _ in range(3):  # warm: fill the caches (and their stale-while-refresh copies)
                get(base + path)
            rows.append((name, load(args.loadgen, base + path, args.duration)))
        assets = shipped(base, args.site)
        rss = rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()

    tier = "memory + Redis" if args.redis else "memory"
    print(f"\nUnder load: 32 connections, {args.duration} s per page, warm; cache tier {tier}. "
          "Time to first byte, and to the full body, in ms.\n")
    print("| page | first byte p50 | p90 | p99 | full p50 | full p99 | requests/s | body KB | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        fb, full = r["first_byte_ms"], r["full_ms"]
        print(f"| {name} | {fb['p50']:.1f} | {fb['p90']:.1f} | {fb['p99']:.1f} | {full['p50']:.1f} | "
              f"{full['p99']:.1f} | {r['requests_per_second']:.0f} | {r['mean_body_bytes'] / 1000:.0f} | "
              f"{r['failed']} |")
    print("\nFront end as shipped (bytes on the wire per Accept-Encoding):\n")
    print("| file | identity | gzip | br |")
    print("|---|---:|---:|---:|")
    total = [0, 0, 0]
    for name, *sizes in assets:
        cells = []
        for i, s in enumerate(sizes):
            cells.append(f"{s:,}" if s is not None else "not offered")
            total[i] += s or 0
        print(f"| {name} | {' | '.join(cells)} |")
    print(f"| all | {total[0]:,} | {total[1]:,} | {total[2]:,} |")
    print(f"\nReestr resident memory after the load: {rss / 1024:.1f} MiB.")


if __name__ == "__main__":
    main()
