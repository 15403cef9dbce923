import { spawn } from "node:child_process";
import * as fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { freePort, startReestr } from "./servers";

// Single sign-on through a real OpenID provider (oidc-provider from npm,
// end2end/oidc_provider.mjs) in the browser, with and without JavaScript:
// the button on /login, the provider's own sign-in and consent pages, and
// back to the page asked for, signed in with the role the groups give.

test.use({ storageState: { cookies: [], origins: [] } });

const secret = "the e2e client secret";

async function startProvider(port: number, redirect: string) {
  const child = spawn("node", ["oidc_provider.mjs", String(port), redirect, secret], { stdio: ["ignore", "pipe", "ignore"] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the OpenID provider did not start")), 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready ")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", () => reject(new Error("the OpenID provider exited")));
  });
  return child;
}

/// The provider's own pages: its sign-in form (any password), then consent.
async function atProvider(page: Page, login: string) {
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("sign in with the company's OpenID provider and back to the page asked for", async ({ browser, javaScriptEnabled }) => {
  test.setTimeout(60_000);
  const registries = process.env.REESTR_E2E_CONFIG;
  expect(registries, "scripts/test.sh sets REESTR_E2E_CONFIG").toBeTruthy();
  fs.mkdirSync("test-results", { recursive: true });
  const data = fs.mkdtempSync("test-results/sso-");
  const providerPort = await freePort();
  const config = `${data}/registries.yaml`;
  const signIn = [
    "signIn:",
    "  oidc:",
    "    - id: corp",
    "      displayName: Corp ID",
    `      issuer: http://127.0.0.1:${providerPort}`,
    "      clientId: reestr",
    "      scopes: [profile, email, groups]",
    "      allowSignUp: true",
    "      adminGroups: [reestr-admins]",
    "      viewerGroups: [reestr-viewers]",
    "",
  ].join("\n");
  fs.writeFileSync(config, signIn + fs.readFileSync(registries!, "utf8"));
  const reestr = await startReestr(config, { REESTR_DATA_DIR: data, REESTR_OIDC_CORP_CLIENT_SECRET: secret });
  const provider = await startProvider(providerPort, `${reestr.base}/auth/oidc/corp/callback`);
  const context = await browser.newContext({ baseURL: reestr.base, javaScriptEnabled, storageState: { cookies: [], origins: [] } });
  try {
    const page = await context.newPage();
    // The first account is an administrator (a viewer first would leave Reestr without one).
    await page.goto("/login?next=%2Fregistries%2Flocal");
    await page.getByRole("link", { name: "Sign in with Corp ID" }).click();
    await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${providerPort}/interaction/`));
    await atProvider(page, "admin-ann");
    await expect(page).toHaveURL(/\/registries\/local$/);
    await expect(page.getByRole("navigation", { name: "Account" })).toContainText("admin-ann");
    await expect(page.getByRole("link", { name: "Users" })).toBeVisible();

    // A viewer, in a browser of their own.
    const viewer = await (await browser.newContext({ baseURL: reestr.base, javaScriptEnabled, storageState: { cookies: [], origins: [] } })).newPage();
    // The buttons stream in a Suspense: hydrating them must not panic (an
    // optional view there once did, and the page lost its title).
    const panics: string[] = [];
    viewer.on("console", (m) => {
      if (m.type() === "error" && /hydration|panicked/.test(m.text())) panics.push(m.text().slice(0, 300));
    });
    await viewer.goto("/login");
    await viewer.screenshot({ path: test.info().outputPath("login-with-sso.png"), fullPage: true });
    if (javaScriptEnabled) {
      // As the axe sweep does: once hydrated (the title is the route's).
      await viewer.waitForLoadState("networkidle");
      const results = await new AxeBuilder({ page: viewer }).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help}`), "axe on /login with a provider").toEqual([]);
      expect(panics, "hydrating /login with a provider").toEqual([]);
    }
    await viewer.getByRole("link", { name: "Sign in with Corp ID" }).click();
    await atProvider(viewer, "vic");
    await expect(viewer).toHaveURL(/\/$/);
    await expect(viewer.getByRole("navigation", { name: "Account" })).toContainText("vic");
    await expect(viewer.getByRole("link", { name: "Users" })).toHaveCount(0);

    // Signing out offers to end the provider's session too, and comes back.
    await viewer.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(viewer).toHaveURL(/\/login\?signed_out=corp$/);
    await expect(viewer.getByRole("status").filter({ hasText: "You are signed out of Reestr." })).toBeVisible();
    await viewer.screenshot({ path: test.info().outputPath("login-signed-out-sso.png"), fullPage: true });
    await viewer.getByRole("link", { name: "Sign out of Corp ID too" }).click();
    await viewer.getByRole("button", { name: "Yes, sign me out" }).click();
    await expect(viewer).toHaveURL(new RegExp(`^${reestr.base}/login`));
    await viewer.goto("/");
    await expect(viewer).toHaveURL(/\/login/);
    expect(panics, "hydrating the login pages").toEqual([]);

    // Someone in no group is sent back to the login with the reason.
    const outsider = await (await browser.newContext({ baseURL: reestr.base, javaScriptEnabled, storageState: { cookies: [], origins: [] } })).newPage();
    await outsider.goto("/login");
    await outsider.getByRole("link", { name: "Sign in with Corp ID" }).click();
    await atProvider(outsider, "outsider-olga");
    await expect(outsider).toHaveURL(/\/login\?error=sso-no-group$/);
    await expect(outsider.getByRole("alert")).toHaveText(/in no group with access to Reestr/);
    await outsider.screenshot({ path: test.info().outputPath("login-sso-refused.png"), fullPage: true });
  } finally {
    await context.close();
    provider.kill();
    reestr.process.kill();
  }
});
