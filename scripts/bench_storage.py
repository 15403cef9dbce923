#!/usr/bin/env python3
"""Storage accounting of the 1,000 × 10 catalogue: Reestr against skopeo.

Run by scripts/bench.sh after bench_fill.py --shared filled a registry of its
own. Both sides start from nothing and compute the same numbers: per
repository the tag count, the bytes of its distinct blobs (layers and
configs, each counted once) and its newest image's creation time, and for
the registry the distinct blobs and their bytes.

  Reestr: a fresh release server with an emptied Redis; timed from the
          first GET /api/registries/shared/storage to the finished report.
  skopeo: the script an operator would write without Reestr, running twice
          as many processes at once as there are cores (each waits on the
          network about half its time): `skopeo list-tags` per
          repository, `skopeo inspect --raw` per tag (the manifest names
          every blob and its size), then `skopeo inspect --raw --config` per
          distinct image config (the creation time). Its two phases are
          timed apart, so the manifest-only cost is visible too.

The two results are compared repository by repository; any difference
fails the run.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from bench_pages import arguments, catalog, start_reestr  # noqa: E402


def reestr(args):
    config = os.path.join(args.work, "storage-registries.yaml")
    with open(config, "w") as f:
        f.write(f"access: open\nregistries:\n  - id: shared\n    baseUrl: http://{args.shared}\n"
                "    tls: { allowHttp: true }\n")
    subprocess.run(["redis-cli", "-u", args.redis, "FLUSHALL"], check=True, stdout=subprocess.DEVNULL)
    proc, base = start_reestr(args.binary, args.site, config, {"REDIS_URL": args.redis})
    try:
        started = time.perf_counter()
        while True:
            with urllib.request.urlopen(base + "/api/registries/shared/storage", timeout=60) as r:
                status = json.load(r)
            state = status["progress"]["state"]
            if state == "failed":
                sys.exit(f"storage count failed: {status['progress']}")
            if state == "done":
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait()
    report = status["report"]
    repos = {r["name"]: (r["tags"], r["bytes"], r["newest"]) for r in report["repositories"]}
    return seconds, repos, (report["tags"], report["blobs"], report["totalBytes"])


def skopeo(*argv):
    out = subprocess.run(["skopeo", *argv], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def baseline(host, workers):
    ref = lambda repo, tag="": f"docker://{host}/{repo}" + (f":{tag}" if tag else "")  # noqa: E731
    tls = "--tls-verify=false"
    repos = catalog(host)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        tags = dict(zip(repos, pool.map(lambda r: skopeo("list-tags", tls, ref(r))["Tags"], repos)))
        jobs = [(r, t) for r in repos for t in tags[r]]
        manifests = list(pool.map(lambda j: skopeo("inspect", "--raw", tls, ref(*j)), jobs))
        manifest_s = time.perf_counter() - started
        configs = {}
        for job, m in zip(jobs, manifests):
            configs.setdefault(m["config"]["digest"], job)  # one tag naming each image
        created = dict(zip(configs, pool.map(
            lambda d: skopeo("inspect", "--raw", "--config", tls, ref(*configs[d]))["created"], configs)))
    seconds = time.perf_counter() - started
    per_repo = {}
    every = {}
    for (repo, _), m in zip(jobs, manifests):
        blobs = {d["digest"]: d["size"] for d in [m["config"], *m["layers"]]}
        every.update(blobs)
        tags_n, repo_blobs, newest = per_repo.get(repo, (0, {}, None))
        repo_blobs.update(blobs)
        when = created[m["config"]["digest"]]
        per_repo[repo] = (tags_n + 1, repo_blobs, max(newest or when, when))
    repos_out = {r: (n, sum(b.values()), newest) for r, (n, b, newest) in per_repo.items()}
    return seconds, manifest_s, len(configs), repos_out, (len(jobs), len(every), sum(every.values()))


def main():
    ap = arguments()
    ap.add_argument("--shared", required=True, help="host:port of the registry bench_fill.py --shared filled")
    ap.add_argument("--redis", required=True)
    args = ap.parse_args()
    workers = 2 * (os.cpu_count() or 1)  # skopeo waits on the network about half the time

    r_seconds, r_repos, r_totals = reestr(args)
    s_seconds, s_manifest, s_configs, s_repos, s_totals = baseline(args.shared, workers)

    differ = [n for n in sorted(set(r_repos) | set(s_repos)) if r_repos.get(n) != s_repos.get(n)]
    if differ or r_totals != s_totals:
        for n in differ[:5]:
            print(f"  {n}: reestr {r_repos.get(n)} skopeo {s_repos.get(n)}", file=sys.stderr)
        sys.exit(f"Reestr and skopeo disagree: {len(differ)} repositories differ; totals {r_totals} vs {s_totals}")

    tags, blobs, total = r_totals
    print(f"\nStorage accounting, {len(r_repos):,} repositories × {tags // max(1, len(r_repos))} tags sharing "
          f"layers ({tags:,} tags, {blobs:,} distinct blobs, {total:,} bytes); both sides agree on every "
          "repository's tags, bytes and newest image, and on the totals.\n")
    print("| who | seconds | tags/s | × faster than skopeo |")
    print("|---|---:|---:|---:|")
    print(f"| Reestr (cold cache, Redis tier) | {r_seconds:.1f} | {tags / r_seconds:,.0f} | "
          f"{s_seconds / r_seconds:.1f} |")
    print(f"| skopeo, {workers} processes at once: list-tags, inspect --raw per tag, --config per image "
          f"({s_configs:,} configs) | {s_seconds:.1f} | {tags / s_seconds:,.0f} | 1.0 |")
    print(f"| (of which the manifests alone) | {s_manifest:.1f} | {tags / s_manifest:,.0f} | "
          f"{s_manifest / r_seconds:.1f} against Reestr's whole count |")


if __name__ == "__main__":
    main()
