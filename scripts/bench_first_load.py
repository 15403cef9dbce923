#!/usr/bin/env python3
"""First load and navigation (issue 20): what a first visit downloads before
a page is interactive, Lighthouse's mobile scores, the first byte of a page
whose registry is slow, and Back between two visited pages.

Run by scripts/bench.sh (or alone, with a seeded registry):

    bench_first_load.py --registry HOST --binary BIN --site DIR --work DIR

Starts one Reestr (release build, open access) over the seeded registry and
a stand-in registry whose catalogue answers after SLOW_SECONDS, then prints
each figure beside its target. Lighthouse 12 and Playwright come from
end2end/node_modules (scripts/setup.sh bench installs Lighthouse).
"""

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
from bench_pages import arguments, free_port, start_reestr  # noqa: E402

SLOW_SECONDS = 3.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_MODULES = os.path.join(ROOT, "end2end", "node_modules")
PAGES = [
    ("/", "/"),
    ("/registries/{id}", "/registries/local"),
    ("/registries/{id}/repositories/{repo}", "/registries/local/repositories/team/app"),
]


class SlowRegistry(BaseHTTPRequestHandler):
    """An OCI registry whose catalogue takes SLOW_SECONDS to answer."""

    def do_GET(self):
        if self.path.startswith("/v2/_catalog"):
            time.sleep(SLOW_SECONDS)
            body = b'{"repositories":["slow/app"]}'
        elif self.path == "/v2/":
            body = b"{}"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def first_byte(base, path):
    """ms to the response head, to the first body bytes, and to the end."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept": "text/html", "Accept-Encoding": "br"})
    resp = conn.getresponse()
    head = time.perf_counter()
    resp.read1(1)
    body = time.perf_counter()
    resp.read()
    done = time.perf_counter()
    conn.close()
    return resp.status, (head - started) * 1000, (body - started) * 1000, (done - started) * 1000


LOADED_SCRIPT = r"""
const { chromium } = require('playwright-core');
(async () => {
  const [base, ...paths] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
                                          args: ['--no-sandbox', '--disable-gpu'] });
  const out = {};
  for (const path of paths) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base + path);
    await page.waitForLoadState('networkidle');
    out[path] = await page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname).filter((p) => /\.(js|wasm)$/.test(p)));
    await context.close();
  }
  console.log(JSON.stringify(out));
  await browser.close();
})();
"""


def first_load_bytes(base, paths, work):
    """The scripts and WASM a first visit of each path fetches until the
    page is hydrated and the network idle (as Chromium loaded them), each
    measured as the server sends it brotli-compressed."""
    script = os.path.join(work, "loaded.cjs")
    with open(script, "w") as f:
        f.write(LOADED_SCRIPT)
    out = subprocess.run(["node", script, base, *paths], check=True, stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, NODE_PATH=NODE_MODULES)).stdout
    loaded = json.loads(out)
    sizes = {}
    for path in paths:
        files = []
        for href in dict.fromkeys(loaded[path]):
            req = urllib.request.Request(base + href, headers={"Accept-Encoding": "br"})
            with urllib.request.urlopen(req, timeout=30) as r:
                files.append((href, len(r.read()), r.headers.get("Content-Encoding", "identity")))
        sizes[path] = files
    return sizes


def lighthouse(url, out):
    """Lighthouse 12, mobile preset (its default), simulated throttling."""
    binary = os.path.join(NODE_MODULES, ".bin", "lighthouse")
    flags = "--headless=new --no-sandbox --disable-gpu"
    subprocess.run(
        [binary, url, "--quiet", "--output=json", f"--output-path={out}", f"--chrome-flags={flags}",
         "--only-categories=performance,accessibility,best-practices"],
        check=True, env=dict(os.environ, CHROME_PATH=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")),
    )
    with open(out) as f:
        report = json.load(f)
    score = lambda c: round((report["categories"][c]["score"] or 0) * 100)  # noqa: E731
    audit = lambda a: report["audits"][a]["numericValue"]  # noqa: E731
    return (score("performance"), score("accessibility"), score("best-practices"),
            audit("largest-contentful-paint"), audit("total-blocking-time"), audit("total-byte-weight"))


BACK_SCRIPT = r"""
const { chromium } = require('playwright-core');
(async () => {
  const [base] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
                                          args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  const results = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(base + '/registries/local?q=team');
    await page.waitForLoadState('networkidle');
    await page.click('table.repos a[href$="/repositories/team/app"]');
    await page.waitForSelector('table.tags');
    let asked = 0;
    const count = (r) => { if (new URL(r.url()).pathname.startsWith('/_fn/')) asked++; };
    page.on('request', count);
    const r = await page.evaluate(async () => {
      const sel = 'table.repos a[href$="/repositories/team/app"]';
      const t0 = performance.now();
      // Frames drawn before the list was back in the document.
      let frames = 0, counting = true;
      const tick = () => { if (counting) { frames++; requestAnimationFrame(tick); } };
      requestAnimationFrame(tick);
      const present = new Promise((ok) => {
        const mo = new MutationObserver(() => { if (document.querySelector(sel)) { mo.disconnect(); ok(); } });
        mo.observe(document.body, { childList: true, subtree: true });
      });
      history.back();
      await present;
      counting = false;
      return { ms: performance.now() - t0, frames };
    });
    await page.waitForTimeout(500);
    page.off('request', count);
    results.push({ ...r, asked });
  }
  console.log(JSON.stringify(results));
  await browser.close();
})();
"""


def back_navigation(base, work):
    script = os.path.join(work, "back.cjs")
    with open(script, "w") as f:
        f.write(BACK_SCRIPT)
    out = subprocess.run(["node", script, base], check=True, stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, NODE_PATH=NODE_MODULES)).stdout
    return json.loads(out)


def main():
    args = arguments().parse_args()
    slow_port = free_port()
    slow = ThreadingHTTPServer(("127.0.0.1", slow_port), SlowRegistry)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    config = os.path.join(args.work, "first-load.yaml")
    with open(config, "w") as f:
        f.write("access: open\nregistries:\n")
        f.write(f"  - id: local\n    baseUrl: http://{args.registry}\n    tls: {{ allowHttp: true }}\n")
        f.write(f"  - id: slow\n    baseUrl: http://127.0.0.1:{slow_port}\n    tls: {{ allowHttp: true }}\n")
    proc, base = start_reestr(args.binary, args.site, config, {})
    try:
        print("\n## First load and navigation (bench_first_load.py)\n")
        status, head, body, done = first_byte(base, "/registries/slow")
        print(f"Cold registry page whose registry answers after {SLOW_SECONDS:.0f} s (`/registries/slow`): "
              f"status {status}; response head {head:.1f} ms, first body bytes {body:.1f} ms "
              f"(target ≤ 50 ms), whole page {done:.0f} ms.\n")

        print("| page | WASM + JS until hydrated (br) | target | files |")
        print("|---|---:|---:|---|")
        loaded = first_load_bytes(base, [path for _, path in PAGES], args.work)
        for label, path in PAGES:
            files = loaded[path]
            total = sum(size for _, size, _ in files)
            wasm = sum(size for h, size, _ in files if h.endswith(".wasm"))
            print(f"| `{label}` | {total / 1024:.0f} KiB | ≤ 195 KiB | {len(files)} files: "
                  f"{wasm / 1024:.0f} KiB WASM, {(total - wasm) / 1024:.0f} KiB JS |")

        print("\n| page | performance | accessibility | best practices | LCP | TBT | bytes |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, path in PAGES:
            perf, a11y, bp, lcp, tbt, weight = lighthouse(base + path, os.path.join(args.work, "lh.json"))
            print(f"| `{label}` | {perf} (≥ 95) | {a11y} | {bp} | {lcp / 1000:.1f} s | {tbt:.0f} ms "
                  f"| {weight / 1024:.0f} KiB |")

        runs = back_navigation(base, args.work)
        frames = [r["frames"] for r in runs]
        asked = sum(r["asked"] for r in runs)
        ms = sorted(r["ms"] for r in runs)
        print(f"\nBack from a repository page to the registry page (5 runs): the list was in the document after "
              f"{', '.join(f'{m:.1f}' for m in ms)} ms, with {frames} frames drawn before it (target: none, "
              f"i.e. the first frame after Back shows it); {asked} server requests in all (target 0 within 30 s).")
    finally:
        proc.terminate()
        proc.wait()
        slow.shutdown()


if __name__ == "__main__":
    main()
