import { test, expect, Page } from "./fixtures";
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import * as http from "node:http";
import * as fs from "node:fs";
import { bin, freePort, healthy } from "./servers";

// Two Reestr processes sharing one Postgres database and one Redis, behind
// one origin (a small proxy here): a passkey registration begun on one
// replica completes on the other, and so does a passkey login; sessions
// made on either open pages on both; failed logins count across both.

const postgres = process.env.REESTR_TEST_POSTGRES;
const redis = process.env.REESTR_E2E_REDIS_URL;
const config = process.env.REESTR_E2E_CONFIG;

test.use({ storageState: { cookies: [], origins: [] } });

test("two replicas: passkey ceremonies, sessions and the throttle span both", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "WebAuthn needs JavaScript");
  expect(bin && postgres && redis && config, "scripts/test.sh sets REESTR_BIN, REESTR_TEST_POSTGRES, REESTR_E2E_REDIS_URL, REESTR_E2E_CONFIG").toBeTruthy();
  test.setTimeout(120_000);
  const db = `reestr_e2e_${process.pid}_${Date.now()}`;
  execFileSync("psql", [postgres!, "-qc", `create database ${db}`]);
  const url = postgres!.replace(/\/[^/]*$/, `/${db}`);
  const token = `replicas-setup-${Date.now()}`;
  const ports = [await freePort(), await freePort()];
  fs.mkdirSync("test-results", { recursive: true });
  const replicas: ChildProcess[] = ports.map((port) => {
    const log = fs.openSync(`test-results/replica-${port}.log`, "w");
    return spawn(bin!, ["--config", config!, "serve", "--listen", `127.0.0.1:${port}`], {
      env: { ...process.env, DATABASE_URL: url, REDIS_URL: redis, REESTR_SETUP_TOKEN: token },
      stdio: ["ignore", log, log],
    });
  });
  const served: { path: string; port: number }[] = [];
  const seen = new Map<string, number>();
  // Ceremony starts go to the first replica, finishes to the second; every
  // other path alternates between the two, each time it is asked for.
  const route = (path: string) => {
    if (path.endsWith("/start")) return ports[0];
    if (path.endsWith("/finish")) return ports[1];
    const n = seen.get(path) ?? 0;
    seen.set(path, n + 1);
    return ports[n % 2];
  };
  const proxy = http.createServer((req, res) => {
    const port = route(req.url ?? "/");
    served.push({ path: req.url ?? "/", port });
    const up = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  const proxyPort = await freePort();
  await new Promise<void>((r) => proxy.listen(proxyPort, "127.0.0.1", r));
  try {
    await Promise.all(ports.map((p) => healthy(p, `test-results/replica-${p}.log`)));
    const base = `http://localhost:${proxyPort}`;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    await page.goto(`${base}/`);
    await expect(page).toHaveURL(/\/setup$/);
    await page.getByLabel("Setup token").fill(token);
    await page.getByLabel("Username").fill("ops");
    await page.getByLabel("Password (12 characters or more)").fill("replica password 1");
    await page.getByLabel("Password again").fill("replica password 1");
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expect(page.getByRole("navigation", { name: "Account" })).toContainText("ops");

    // Pages answered by either replica know the session.
    for (let i = 0; i < 4; i++) {
      await page.goto(`${base}/account`);
      await expect(page.getByRole("heading", { name: "Account" })).toBeVisible();
    }
    expect(new Set(served.filter((s) => s.path === "/account").map((s) => s.port)).size).toBe(2);

    await page.waitForLoadState("networkidle");
    await page.getByLabel("New passkey's name").fill("shared key");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("rowheader", { name: "shared key" })).toBeVisible();
    const reg = served.filter((s) => s.path.startsWith("/auth/passkeys/register/"));
    expect(reg.map((s) => [s.path, s.port])).toEqual([
      ["/auth/passkeys/register/start", ports[0]],
      ["/auth/passkeys/register/finish", ports[1]],
    ]);

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.waitForLoadState("networkidle");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page.getByRole("navigation", { name: "Account" })).toContainText("ops");
    const login = served.filter((s) => s.path.startsWith("/auth/passkeys/login/"));
    expect(login.map((s) => s.port)).toEqual([ports[0], ports[1]]);

    // Failed logins alternate between the replicas; the sixth is throttled.
    const other = await page.context().browser()!.newContext();
    const p2 = await other.newPage();
    for (let i = 0; i < 6; i++) {
      await p2.goto(`${base}/login`);
      await p2.getByLabel("Username").fill("ops");
      await p2.getByLabel("Password").fill("wrong password here");
      await p2.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(p2.getByRole("alert")).toHaveText(
        i < 5 ? "Wrong username or password." : "Too many failed attempts. Wait a few minutes, then try again.",
      );
    }
    const posts = served.filter((s) => s.path === "/auth/login");
    expect(new Set(posts.map((s) => s.port)).size).toBe(2);
    await other.close();
  } finally {
    proxy.close();
    for (const r of replicas) r.kill();
    await new Promise((r) => setTimeout(r, 300));
    try {
      execFileSync("psql", [postgres!, "-qc", `drop database if exists ${db}`]);
    } catch {
      // The next run of scripts/test.sh drops leftovers.
    }
  }
});
