#!/usr/bin/env python3
"""Warm pages under load, shipped front-end bytes and server memory.

Run by scripts/bench.sh after bench_pages.py, against the same seeded
registry. It pushes a 100-tag repository (one image under 100 tags, by
mounting team/app's blobs and putting its manifest), starts one Reestr
(release build; memory cache, or --redis), warms each page, then drives it
with wrk: 32 connections, 2 threads, --duration seconds per page. wrk runs
on the same 2 cores as Reestr, so the figures include its cost. Reports
latency percentiles (to the full response: streamed SSR sends its first
byte earlier) and requests/s; the front end's WASM, JS and CSS as the
server sends them (identity, gzip, br: the server compresses on the fly);
and Reestr's resident memory after the load.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from bench_pages import arguments, get, start_reestr  # noqa: E402

PAGES = [
    ("home", "/"),
    ("registry page (1,057 repositories, first 50)", "/registries/local"),
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


def wrk(url, seconds):
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url], check=True, capture_output=True, text=True
    ).stdout
    pct = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M)}
    rps = re.search(r"^Requests/sec:\s+(\S+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return pct, float(rps.group(1)) if rps else 0.0, int(errors.group(1)) if errors else 0


def ms(text):
    """wrk's `1.23ms` / `456.00us` / `1.02s` in milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


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
            pct, rps, errors = wrk(base + path, args.duration)
            rows.append((name, ms(pct.get("50", "")), ms(pct.get("90", "")), ms(pct.get("99", "")), rps, errors))
        assets = shipped(base, args.site)
        rss = rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()

    tier = "memory + Redis" if args.redis else "memory"
    print(f"\nUnder load: wrk, 32 connections, {args.duration} s per page, warm; cache tier {tier}.\n")
    print("| page | p50 ms | p90 ms | p99 ms | requests/s | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, p50, p90, p99, rps, errors in rows:
        print(f"| {name} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {rps:.0f} | {errors} |")
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
