#!/usr/bin/env python3
"""Does a worst-case search hold the server? `/healthz` while searches run.

Run by scripts/bench.sh. Serves the 100,000-repository Docker Hub stand-in
of bench_search.py, starts one Reestr (release build, memory tier only),
loads the listing once, then measures `/healthz` one request at a time
(every 20 ms) for --seconds alone, and again while 8 threads send distinct
worst-case searches back to back: 10 words, 200 characters (the longest
search Reestr accepts), each one new so no remembered order answers it.
Reports /healthz p50/p99/max for both, and how many searches ran and
their p50. Issue 18: a search used to be scored on the async workers.
"""

import os
import random
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from bench_pages import arguments, get, pct, start_reestr  # noqa: E402
from bench_search import WORDS, hub_mock, hub_names, write_hub_config  # noqa: E402

SEARCHERS = 8


def health_probe(base, seconds):
    """/healthz every 20 ms for `seconds`; the latencies, ms."""
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        ms, status = get(f"{base}/healthz")
        if status != 200:
            sys.exit(f"/healthz answered {status}")
        out.append(ms)
        time.sleep(0.02)
    return out


def worst_query(rng, n):
    """Ten words, exactly 200 characters, new every time."""
    words = [rng.choice(WORDS) + rng.choice(WORDS) for _ in range(9)] + [f"x{n}"]
    q = " ".join(words)
    return (q + "z" * 200)[:200] if len(q) < 200 else q[:200]


def main():
    ap = arguments()
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    mock = hub_mock(hub_names())
    config = write_hub_config(os.path.join(args.work, "isolation-hub.yaml"), args.registry, mock)
    proc, base = start_reestr(args.binary, args.site, config, {})
    try:
        get(f"{base}/api/registries/hub/repositories?limit=1")  # the listing, once
        alone = health_probe(base, args.seconds)
        stop = threading.Event()
        searches = []

        def search(seed):
            rng, n = random.Random(seed), 0
            while not stop.is_set():
                n += 1
                q = urllib.parse.quote(worst_query(rng, seed * 1_000_000 + n))
                ms, status = get(f"{base}/api/registries/hub/repositories?q={q}&limit=20")
                if status != 200:
                    sys.exit(f"a search answered {status}")
                searches.append(ms)

        threads = [threading.Thread(target=search, args=(i,), daemon=True) for i in range(SEARCHERS)]
        for t in threads:
            t.start()
        time.sleep(1)
        busy = health_probe(base, args.seconds)
        stop.set()
        for t in threads:
            t.join()
    finally:
        proc.terminate()
        proc.wait()
    print(f"\n/healthz, one at a time every 20 ms for {args.seconds:.0f} s, on 100,000 repositories "
          f"(Docker Hub stand-in), ms:\n")
    print("| while | probes | p50 | p99 | max |")
    print("|---|---:|---:|---:|---:|")
    for label, xs in [("idle", alone), (f"{SEARCHERS} worst-case searches run", busy)]:
        print(f"| {label} | {len(xs)} | {pct(xs, 50):.1f} | {pct(xs, 99):.1f} | {max(xs):.1f} |")
    print(f"\nSearches: {len(searches)} in about {args.seconds + 1:.0f} s, p50 {pct(searches, 50):.0f} ms, "
          f"p99 {pct(searches, 99):.0f} ms.")


if __name__ == "__main__":
    main()
