import * as fs from "node:fs";
import * as http from "node:http";
import { test, expect, Page } from "./fixtures";
import { freePort, startReestr } from "./servers";

// Pages stream in order, Back draws from the client cache, and paging keeps
// the rows on screen.

/// Reads `url` as a browser would, noting when each marker first arrived
/// (ms after the request).
async function arrivals(url: string, markers: string[]) {
  return await new Promise<{ status: number; seen: Record<string, number> }>((resolve, reject) => {
    const started = Date.now();
    const seen: Record<string, number> = {};
    let body = "";
    http
      .get(url, { headers: { accept: "text/html" } }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          for (const m of markers) if (!(m in seen) && body.includes(m)) seen[m] = Date.now() - started;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, seen }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

/// An OCI registry whose catalogue answers after `delay` ms.
async function slowRegistry(delay: number) {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const answer = (body: object) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.url === "/v2/") answer({});
    else if (req.url?.startsWith("/v2/_catalog")) setTimeout(() => answer({ repositories: ["slow/app"] }), delay);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { port, close: () => server.close() };
}

test("a slow registry's table arrives after the page around it, in place", async ({ page }) => {
  // A Reestr of this test's own, so its cache is cold: the registry's
  // catalogue takes two seconds.
  const registry = await slowRegistry(2000);
  const dir = fs.mkdtempSync("test-results/slow-");
  const config = `${dir}/registries.yaml`;
  fs.writeFileSync(config, `access: open
registries:
  - id: slow
    displayName: Slow registry
    baseUrl: http://127.0.0.1:${registry.port}
    tls: { allowHttp: true }
`);
  const reestr = await startReestr(config, { REESTR_DATA_DIR: dir });
  try {
    // As the network sees it: the heading and search form first, the
    // table when the registry answers.
    const { status, seen } = await arrivals(`${reestr.base}/registries/slow`, ['id="repos-heading"', "slow/app"]);
    expect(status).toBe(200);
    expect(seen['id="repos-heading"']).toBeLessThan(1000);
    expect(seen["slow/app"]).toBeGreaterThan(seen['id="repos-heading"'] + 1000);

    // As a reader sees it, with or without JavaScript: the whole page.
    await page.goto(`${reestr.base}/registries/slow?q=app`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Slow registry");
    await expect(page.getByRole("link", { name: "slow/app" })).toBeVisible();
  } finally {
    reestr.process.kill();
    registry.close();
  }
});

test("Back draws the previous page at once, from the client cache", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "client-side navigation needs JavaScript");
  await page.goto("/registries/local?q=team");
  await expect(page.getByRole("link", { name: "team/app", exact: true })).toBeVisible();
  await page.waitForLoadState("networkidle");
  await page.getByRole("link", { name: "team/app", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("team/app");
  await expect(page.locator("table.tags")).toBeVisible();

  const asked: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/_fn/")) asked.push(r.url());
  });
  // Back, then look after the next frame is drawn.
  const drawn = await page.evaluate(async () => {
    history.back();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return document.querySelector('table.repos a[href$="/repositories/team/app"]') !== null;
  });
  expect(drawn, "the repository list was drawn in the first frame after Back").toBe(true);
  await expect(page).toHaveURL(/\/registries\/local\?q=team$/);
  await page.waitForTimeout(300);
  expect(asked, "Back within 30 s asks the server for nothing").toEqual([]);
});

test("paging keeps the rows on screen until the next ones arrive", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "without JavaScript a page is a new document");
  await page.goto("/registries/local");
  await expect(page.locator(".count")).toHaveText("1–50 of 1056 repositories");
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => {
    const w = window as unknown as { blanked: boolean };
    w.blanked = false;
    new MutationObserver(() => {
      if (!document.querySelector("table.repos")) w.blanked = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page.locator(".count")).toHaveText("51–100 of 1056 repositories");
  expect(await page.evaluate(() => (window as unknown as { blanked: boolean }).blanked)).toBe(false);
});

test("the front end's files are named by content and kept for a year; pages are revalidated", async ({ page }) => {
  const response = await page.goto("/registries/local");
  expect(response?.headers()["cache-control"]).toBe("private, no-cache");
  const html = (await response?.text()) ?? "";
  const files = [...html.matchAll(/<link rel="(?:modulepreload|preload|stylesheet)" href="(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const file of files) {
    expect(file, "a content-hashed name").toMatch(/\/pkg\/reestr\.[A-Za-z0-9_-]{8,}\.(js|wasm|css)$/);
    const got = await page.request.get(file);
    expect(got.status(), file).toBe(200);
    expect(got.headers()["cache-control"], file).toBe("public, max-age=31536000, immutable");
  }
  const missing = await page.request.get("/pkg/reestr.0000000000.js");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["cache-control"]).toBe("no-cache");
});
