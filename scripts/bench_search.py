#!/usr/bin/env python3
"""Repository search latency over large catalogues, warm.

Run by scripts/bench.sh after bench_fill.py --wide. Two catalogues:
  local: the docker-registry on loopback (over 11,000 repositories, listed
         through /v2/_catalog);
  hub:   100,000 repositories from a Docker Hub stand-in on loopback: its
         `GET /v2/namespaces/{namespace}/repositories` pages (100 a page,
         `next` URLs, the fields of shared/specs/dockerhub-latest.yaml's
         repository listing), four namespaces of 25,000, names and
         descriptions drawn from a fixed vocabulary.
For each, one Reestr (release build, Redis) loads the listing once (cold,
timed), then every query of a fixed set of distinct ones (names, fragments,
typos, one or two letters, misses) is sent once, one at a time, to the
REST API and to the registry page, by the load generator; p50/p99 over the
set. No query repeats, so no answer is a remembered one.
"""

import json
import os
import random
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
from bench_pages import arguments, catalog, get, start_reestr  # noqa: E402

NAMESPACES = ["acme", "data", "infra", "web"]
PER_NAMESPACE = 25_000
WORDS = (
    "api auth billing cache cart catalog checkout cron db edge email events feed gateway geo graph "
    "image index ingest invoice kafka ledger log mail media metrics notify orders payments pdf "
    "postgres proxy queue redis report search session shop sso static stream sync tasks tracing "
    "upload users video web worker"
).split()
KINDS = "service worker job cli ui exporter operator sidecar migrator bot".split()


def hub_names():
    rng = random.Random(100_000)
    names = []
    for ns in NAMESPACES:
        for i in range(PER_NAMESPACE):
            a, b, kind = rng.choice(WORDS), rng.choice(WORDS), rng.choice(KINDS)
            names.append((ns, f"{a}-{b}-{kind}-{i:05d}", f"The {a} {b} {kind} of team {ns}"))
    return names


def hub_mock(names):
    """A Docker Hub stand-in: namespace listings, 100 a page, `next` as a full URL."""
    by_ns = {}
    for ns, name, description in names:
        by_ns.setdefault(ns, []).append((name, description))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            q = urllib.parse.parse_qs(url.query)
            if len(parts) != 4 or parts[:2] != ["v2", "namespaces"] or parts[3] != "repositories" \
                    or parts[2] not in by_ns:
                return self.reply(404, {"message": "object not found"})
            ns = parts[2]
            page = int(q.get("page", ["1"])[0])
            size = min(int(q.get("page_size", ["10"])[0]), 100)
            items = by_ns[ns][(page - 1) * size: page * size]
            more = page * size < len(by_ns[ns])
            host = self.headers.get("Host")
            body = {
                "count": len(by_ns[ns]),
                "next": f"http://{host}/v2/namespaces/{ns}/repositories?page={page + 1}&page_size={size}" if more else None,
                "previous": None,
                "results": [
                    {"name": name, "namespace": ns, "repository_type": "image", "status": 1,
                     "status_description": "active", "description": description, "is_private": False,
                     "star_count": len(name) % 7, "pull_count": (len(description) * 7919) % 100_000,
                     "last_updated": "2026-11-02T09:00:00.000000Z", "date_registered": "2024-01-01T00:00:00Z",
                     "affiliation": "", "media_types": ["application/vnd.oci.image.index.v1+json"],
                     "content_types": ["image"], "categories": []}
                    for name, description in items
                ],
            }
            self.reply(200, body)

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def queries(names, count, seed):
    """`count` distinct queries: whole names, fragments, typos, short ones, misses."""
    rng = random.Random(seed)
    out = []
    seen = set()
    while len(out) < count:
        name = rng.choice(names)
        kind = len(out) % 5
        if kind == 0:
            q = name
        elif kind == 1:
            start = rng.randrange(0, max(1, len(name) - 6))
            q = name[start:start + rng.randint(3, 8)]
        elif kind == 2:
            chars = list(name[: rng.randint(5, 12)])
            i = rng.randrange(len(chars))
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
            q = "".join(chars)
        elif kind == 3:
            q = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 2)))
        else:
            q = "zq" + "".join(rng.choice("xjvkq") for _ in range(4))
        q = q.strip("-/ ")
        if q and q not in seen:
            seen.add(q)
            out.append(q)
    return out


def write_hub_config(path, registry, mock):
    """A registries.yaml (open access) whose `hub` lists the stand-in at
    `mock` through Docker Hub's published document; returns `path`."""
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server", "tests", "fixtures", "specs",
                       "dockerhub-latest.yaml")
    with open(path, "w") as f:
        f.write(f"""access: open
registries:
  - id: hub
    baseUrl: http://{registry}
    tls: {{ allowHttp: true }}
    api:
      profile: dockerhub
      document: {doc}
      baseUrl: {mock}
      namespaces: [{", ".join(NAMESPACES)}]
      maxPages: 2000
      operations:
        listRepositories: {{ method: GET, path: "/v2/namespaces/{{namespace}}/repositories", query: [page, page_size] }}
""")
    return path


def loadgen(binary, urls):
    out = subprocess.run([binary, "--connections", "1", "--requests", str(len(urls)), *urls],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def measure(args, name, config, registry_id, repo_names, redis):
    subprocess.run(["redis-cli", "-u", redis, "FLUSHALL"], check=True, stdout=subprocess.DEVNULL)
    proc, base = start_reestr(args.binary, args.site, config, {"REDIS_URL": redis})
    try:
        cold_ms, status = get(f"{base}/api/registries/{registry_id}/repositories?limit=1")
        if status != 200:
            sys.exit(f"{name}: HTTP {status}")
        with urllib.request.urlopen(f"{base}/api/registries/{registry_id}/repositories?limit=1", timeout=60) as r:
            total = json.load(r)["total"]
        qs = queries(repo_names, args.queries, seed=len(repo_names))
        # Warm the page renderer once (not a measured query).
        get(f"{base}/registries/{registry_id}?q=warm")
        api = loadgen(args.loadgen, [f"{base}/api/registries/{registry_id}/repositories?q={urllib.parse.quote(q)}"
                                     for q in qs])
        page = loadgen(args.loadgen, [f"{base}/registries/{registry_id}?q={urllib.parse.quote(q)}" for q in qs])
    finally:
        proc.terminate()
        proc.wait()
    return name, total, cold_ms, len(qs), api, page


def main():
    ap = arguments()
    ap.add_argument("--redis", required=True)
    ap.add_argument("--loadgen", required=True, help="the loadgen example binary")
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()

    rows = []
    local_config = os.path.join(args.work, "search-local.yaml")
    with open(local_config, "w") as f:
        f.write(f"access: open\nregistries:\n  - id: local\n    baseUrl: http://{args.registry}\n"
                "    tls: { allowHttp: true }\n")
    local_names = catalog(args.registry)
    rows.append(measure(args, "local docker-registry (/v2/_catalog)", local_config, "local", local_names, args.redis))

    names = hub_names()
    mock = hub_mock(names)
    hub_config = write_hub_config(os.path.join(args.work, "search-hub.yaml"), args.registry, mock)
    rows.append(measure(args, "Docker Hub stand-in (100 a page)", hub_config, "hub",
                        [f"{ns}/{n}" for ns, n, _ in names], args.redis))

    print(f"\nRepository search, warm, Redis tier: {args.queries} distinct queries, one at a time "
          "(time to first byte / to the full answer, ms).\n")
    print("| catalogue | repositories | cold listing ms | API p50 | API p99 | page p50 | page p99 | page full p99 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, total, cold_ms, n, api, page in rows:
        if api["failed"] or page["failed"]:
            sys.exit(f"{name}: {api['failed']} API and {page['failed']} page queries failed")
        print(f"| {name} | {total:,} | {cold_ms:.0f} | {api['full_ms']['p50']:.1f} | {api['full_ms']['p99']:.1f} | "
              f"{page['first_byte_ms']['p50']:.1f} | {page['first_byte_ms']['p99']:.1f} | "
              f"{page['full_ms']['p99']:.1f} |")

if __name__ == "__main__":
    main()
