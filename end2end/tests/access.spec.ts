import type { Browser, BrowserContextOptions, Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { createHmac } from "node:crypto";
import { admin } from "./admin";
import * as fs from "node:fs";
import { startReestr } from "./servers";

// Signed out, Reestr shows nothing but the login; a password login returns
// to the page asked for; signing out ends the session. Runs hydrated and
// without JavaScript (plain forms).

test.use({ storageState: { cookies: [], origins: [] } });

test("signed out, every page and API route is refused", async ({ request }) => {
  const pages = [
    "/",
    "/registries/local",
    "/registries/local?q=app&sort=size",
    "/registries/local/storage",
    "/registries/local/repositories/team/app",
    "/registries/local/repositories/team/sub/multi/-/tags/latest",
    "/account",
    "/admin/users",
    "/no/such/page",
  ];
  for (const path of pages) {
    const r = await request.get(path, { maxRedirects: 0 });
    expect(r.status(), path).toBe(303);
    expect(r.headers()["location"], path).toMatch(/^\/login/);
  }
  const api = [
    "/api/registries",
    "/api/registries/local",
    "/api/registries/local/storage",
    "/api/registries/local/repositories",
    "/api/registries/local/repositories/team/app",
    "/api/registries/local/repositories/team/app/tags",
    "/api/registries/local/repositories/team/app/tags/1.0",
    "/api/me",
    "/api/tokens",
  ];
  for (const path of api) {
    const r = await request.get(path);
    expect(r.status(), path).toBe(401);
    expect(r.headers()["content-type"], path).toBe("application/problem+json");
  }
  const origin = new URL(process.env.REESTR_E2E_URL ?? "http://localhost:3000").origin;
  for (const path of ["/api/registries/local/resync", "/_fn/overview", "/auth/logout-everywhere", "/auth/tokens"]) {
    const r = await request.post(path, { maxRedirects: 0, headers: { origin }, form: { name: "x" } });
    expect([401, 303], path).toContain(r.status());
    if (r.status() === 303) expect(r.headers()["location"], path).toBe("/login");
  }
  // A form from another site is refused before anything else.
  const forged = await request.post("/auth/login", { headers: { origin: "https://evil.example" }, form: { username: "admin", password: "x" } });
  expect(forged.status()).toBe(403);
});

test("signed out, pages lead to the login and back after it", async ({ page }) => {
  await page.goto("/registries/local?q=app");
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByRole("heading", { name: "Sign in to Reestr" })).toBeVisible();
  const api = await page.request.get("/api/registries");
  expect(api.status()).toBe(401);

  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");

  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/registries\/local\?q=app$/);
  await expect(page.getByRole("link", { name: "team/app", exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("an API token is made on the account page, shown once, and opens the API", async ({ page, request }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.goto("/account");
  await page.getByLabel("Token name").fill(`e2e-${test.info().project.name}`);
  await expect(page.getByLabel("Expires after")).toHaveValue("90");
  await page.getByLabel("Expires after").selectOption("30");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())?.trim() ?? "";
  expect(token).toMatch(/^reestr_/);
  // The table says when it stops working: 30 days from today.
  const row = page.getByRole("row", { name: new RegExp(`e2e-${test.info().project.name}`) });
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await expect(row.getByRole("cell").nth(2)).toContainText(expires);
  await page.screenshot({ path: test.info().outputPath("account-token.png"), fullPage: true });
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).username).toBe(admin.username);
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  page.on("dialog", (d) => d.accept());
  await page.getByRole("button", { name: `Revoke the token e2e-${test.info().project.name}` }).click();
  await expect(page.getByRole("button", { name: `Revoke the token e2e-${test.info().project.name}` })).toHaveCount(0);
  const after = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
});

test("a passkey is added on the account page and signs in alone", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "WebAuthn needs JavaScript");
  // Four sign-ins (argon2 on 2 shared cores) and four ceremonies: more than
  // the default 30 s when the other worker runs the axe sweep beside it.
  test.setTimeout(60_000);
  // A Chrome DevTools virtual authenticator: a platform passkey provider
  // with user verification that always says yes.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto("/login");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("navigation", { name: "Account" })).toBeVisible();

  await page.goto("/account");
  await page.waitForLoadState("networkidle");
  await page.getByLabel("New passkey's name").fill("e2e laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("rowheader", { name: "e2e laptop" })).toBeVisible();

  // Signed out, the passkey alone (no username) signs in again.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(admin.username);

  // Username first, then the passkey: the same.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/$/);

  // Renamed, then removed (after a confirmation); it no longer signs in.
  await page.goto("/account");
  await page.getByLabel("New name for the passkey e2e laptop").fill("e2e desk");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("rowheader", { name: "e2e desk" })).toBeVisible();
  page.on("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Remove the passkey e2e desk" }).click();
  await expect(page.getByText("No passkeys yet.")).toBeVisible();
});


// Signs the administrator in on `page`, invites `name` and lets them join
// in a browser of their own: returns that browser's page, signed in.
async function invitedUser(page: Page, browser: Browser, options: BrowserContextOptions, name: string, password: string): Promise<Page> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.goto("/admin/users");
  await page.getByLabel("Username").fill(name);
  await page.getByRole("button", { name: "Create invitation" }).click();
  const invite = (await page.getByTestId("invitation-link").textContent())?.trim() ?? "";
  const user = await (await browser.newContext({ ...options, storageState: { cookies: [], origins: [] } })).newPage();
  await user.goto(invite);
  await user.getByLabel("Password (12 characters or more)").fill(password);
  await user.getByLabel("Password again").fill(password);
  await user.getByRole("button", { name: "Create my account" }).click();
  await expect(user).toHaveURL(/\/$/);
  return user;
}

test("a reset link from an administrator sets a new password and ends the user's sessions; the account page changes it again", async ({ page, browser, baseURL, javaScriptEnabled }) => {
  // About ten password hashes (argon2) on 2 cores shared with the other
  // worker: 28-32 s, over the default 30 s when a server of another spec
  // starts beside it.
  test.setTimeout(60_000);
  const name = `reset-${test.info().project.name}-${Date.now()}`.slice(0, 60);
  const first = "first password, long enough";
  const second = "second password, long enough";
  const third = "third password, long enough";
  const signIn = async (p: typeof page, username: string, password: string) => {
    await p.goto("/login");
    await p.getByLabel("Username").fill(username);
    await p.getByLabel("Password").fill(password);
    await p.getByRole("button", { name: "Sign in", exact: true }).click();
  };
  const fresh = async () => (await browser.newContext({ baseURL, javaScriptEnabled, storageState: { cookies: [], origins: [] } })).newPage();

  // The administrator invites the user, who joins in a browser of their own.
  const user = await invitedUser(page, browser, { baseURL, javaScriptEnabled }, name, first);

  // A reset link, shown once on the users page, naming its user.
  await page.goto("/admin/users");
  await page.getByRole("button", { name: `Password reset link for ${name}` }).click();
  await expect(page.getByText(`Send this link to ${name}.`)).toBeVisible();
  const link = (await page.getByTestId("reset-link").textContent())?.trim() ?? "";
  expect(link).toMatch(/\/reset\/[A-Za-z0-9_-]{43}$/);
  await page.screenshot({ path: test.info().outputPath("users-reset-link.png"), fullPage: true });

  // Spent in another browser: it is signed in, the user's old session ends.
  const other = await fresh();
  await other.goto(link);
  await expect(other.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await other.getByLabel("Password (12 characters or more)").fill(second);
  await other.getByLabel("Password again").fill(second);
  await other.getByRole("button", { name: "Set the password" }).click();
  await expect(other).toHaveURL(/\/account\?changed=password$/);
  await expect(other.getByRole("status").filter({ hasText: "Your password was changed." })).toBeVisible();
  await user.goto("/");
  await expect(user).toHaveURL(/\/login$/);
  await other.goto(link);
  await other.getByLabel("Password (12 characters or more)").fill(third);
  await other.getByLabel("Password again").fill(third);
  await other.getByRole("button", { name: "Set the password" }).click();
  await expect(other.getByRole("alert")).toHaveText(/This reset link is wrong, used or expired/);

  // The account page changes it again, with the current password.
  await signIn(user, name, second);
  await user.goto("/account");
  await user.getByLabel("Current password").fill("not the current one");
  await user.getByLabel("Password (12 characters or more)").fill(third);
  await user.getByLabel("Password again").fill(third);
  await user.getByRole("button", { name: "Change password" }).click();
  await expect(user.getByRole("alert")).toHaveText("The current password is wrong.");
  await user.getByLabel("Current password").fill(second);
  await user.getByLabel("Password (12 characters or more)").fill(third);
  await user.getByLabel("Password again").fill(third);
  await user.getByRole("button", { name: "Change password" }).click();
  await expect(user).toHaveURL(/\/account\?changed=password$/);
  await user.screenshot({ path: test.info().outputPath("account-password-changed.png"), fullPage: true });
  await other.goto("/account");
  await expect(other).toHaveURL(/\/login/);
  await signIn(other, name, third);
  await expect(other).toHaveURL(/\/$/);
});

test("a viewer scoped to one registry reaches no other by any route", async ({ page, browser, baseURL, javaScriptEnabled }) => {
  test.setTimeout(60_000);
  const name = `scoped-${test.info().project.name}-${Date.now()}`.slice(0, 60);
  const user = await invitedUser(page, browser, { baseURL, javaScriptEnabled }, name, "scoped password, long enough");

  // The administrator limits the new viewer to `local` on the users page.
  await page.goto("/admin/users");
  await page.getByLabel(`Registries of ${name}`).fill("local");
  await page.getByRole("row", { name: new RegExp(name) }).getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) }).getByTestId("grants")).toHaveText("viewer of local");
  await page.screenshot({ path: test.info().outputPath("users-scoped-role.png"), fullPage: true });

  // The home page lists `local` only, at once (the session was live).
  await user.goto("/");
  await expect(user.getByRole("heading", { name: "Local registry" })).toBeVisible();
  await expect(user.getByText("Locked registry")).toHaveCount(0);
  await expect(user.getByText("Offline registry")).toHaveCount(0);

  // Pages: `locked` is not there, exactly as a registry nobody configured.
  for (const path of ["/registries/locked", "/registries/locked/storage", "/registries/locked/repositories/team/app", "/registries/locked/repositories/team/app/-/tags/1.0"]) {
    const resp = await user.goto(path);
    expect(resp?.status(), path).toBe(404);
    await expect(user.getByText("no registry `locked` is configured").first()).toBeVisible();
  }
  await user.screenshot({ path: test.info().outputPath("scoped-viewer-404.png"), fullPage: true });
  expect((await user.goto("/registries/local"))?.status()).toBe(200);

  // REST with the session (and the list), search and storage included.
  const api = user.context().request;
  const listed = await (await api.get("/api/registries")).json();
  expect(listed.map((r: { id: string }) => r.id)).toEqual(["local"]);
  for (const path of ["/api/registries/locked", "/api/registries/locked/repositories?q=app", "/api/registries/locked/storage", "/api/registries/locked/repositories/team%2Fapp/-/tags"]) {
    const resp = await api.get(path);
    expect(resp.status(), path).toBe(404);
    expect((await resp.json()).detail).toBe("no registry `locked` is configured");
  }
  expect((await api.post("/api/registries/locked/resync", { headers: { origin: baseURL ?? "" } })).status()).toBe(404);
  expect((await api.post("/api/registries/local/resync", { headers: { origin: baseURL ?? "" } })).status()).toBe(403);
  expect((await api.get("/api/registries/local/repositories?q=app")).status()).toBe(200);

  // Server functions, as the pages call them.
  for (const [fn, form] of [["registry", { registry: "locked" }], ["storage", { registry: "locked" }], ["tag", { registry: "locked", repository: "team/app", reference: "1.0" }]] as const) {
    const resp = await api.post(`/_fn/${fn}`, { form, headers: { origin: baseURL ?? "" } });
    expect(await resp.text(), fn).toContain("no registry `locked` is configured");
  }
  const overview = await (await api.post("/_fn/overview", { headers: { origin: baseURL ?? "" } })).text();
  expect(overview).toContain("Local registry");
  expect(overview).not.toContain("Locked registry");
});

// RFC 6238 (SHA-1, 30 s, 6 digits) with Node's own crypto: the test's codes
// come from code independent of the server's.
function totp(base32: string, unix: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unix / 30)));
  const h = createHmac("sha1", key).update(counter).digest();
  const at = h[19] & 0x0f;
  const bin = ((h[at] & 0x7f) << 24) | (h[at + 1] << 16) | (h[at + 2] << 8) | h[at + 3];
  return String(bin % 1_000_000).padStart(6, "0");
}

test("an authenticator app is set up on the account page and asked for at every password sign-in", async ({ page, browser, baseURL, javaScriptEnabled }) => {
  const name = `totp-${test.info().project.name}-${Date.now()}`.slice(0, 60);
  const password = "a password for two steps";
  // A user of its own (invited), so the administrator the other tests use keeps one step.
  const user = await invitedUser(page, browser, { baseURL, javaScriptEnabled }, name, password);

  await user.goto("/account");
  await user.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(user.getByRole("img", { name: "QR code of the authenticator key" })).toBeVisible();
  const secret = (await user.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await user.screenshot({ path: test.info().outputPath("two-step-setup.png"), fullPage: true });
  await user.getByLabel("Code from the app").fill(totp(secret, Date.now() / 1000));
  await user.getByRole("button", { name: "Turn on" }).click();
  await expect(user.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await expect(user.getByText("10 recovery codes left.")).toBeVisible();

  await user.getByRole("button", { name: "Sign out", exact: true }).click();
  await user.goto("/login");
  await user.getByLabel("Username").fill(name);
  await user.getByLabel("Password").fill(password);
  await user.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(user).toHaveURL(/\/login\/verify/);
  await expect(user.getByRole("heading", { name: "Enter your sign-in code" })).toBeVisible();
  await user.getByLabel("Code", { exact: true }).fill("000000" === totp(secret, Date.now() / 1000 + 30) ? "111111" : "000000");
  await user.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(user.getByRole("alert")).toHaveText(/That code is wrong or was used already/);
  await user.screenshot({ path: test.info().outputPath("two-step-verify.png"), fullPage: true });
  await user.getByLabel("Code", { exact: true }).fill(totp(secret, Date.now() / 1000 + 30));
  await user.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(user).toHaveURL(/\/$/);
  await user.goto("/account");
  await expect(user.getByText("Signing in with your password also asks for a code")).toBeVisible();
});

// The policy is site-wide, so this runs on a Reestr of its own (its own
// database): the shared server's other tests sign in with passwords.
test("an administrator requires two-step verification; a new user sets it up before the first session", async ({ browser, javaScriptEnabled }) => {
  test.setTimeout(60_000);
  const config = process.env.REESTR_E2E_CONFIG;
  expect(config, "scripts/test.sh sets REESTR_E2E_CONFIG").toBeTruthy();
  fs.mkdirSync("test-results", { recursive: true });
  const data = fs.mkdtempSync("test-results/require-");
  const setupToken = `require-two-step-${Date.now()}`;
  const reestr = await startReestr(config!, { REESTR_DATA_DIR: data, REESTR_SETUP_TOKEN: setupToken });
  const options = { baseURL: reestr.base, javaScriptEnabled, storageState: { cookies: [], origins: [] } };
  const adminContext = await browser.newContext(options);
  const userContext = await browser.newContext(options);
  try {
    const page = await adminContext.newPage();
    await page.goto("/setup");
    await page.getByLabel("Setup token").fill(setupToken);
    await page.getByLabel("Username").fill("root");
    await page.getByLabel("Password (12 characters or more)").fill(admin.password);
    await page.getByLabel("Password again").fill(admin.password);
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expect(page).toHaveURL(/\/$/);

    await page.goto("/admin/users");
    const policy = page.getByLabel("Require two-step verification for password sign-ins");
    await expect(policy).not.toBeChecked();
    await policy.check();
    await page.getByRole("button", { name: "Save policy" }).click();
    await expect(page).toHaveURL(/\/admin\/users#sign-in-policy$/);
    await expect(page.getByLabel("Require two-step verification for password sign-ins")).toBeChecked();
    await page.getByLabel("Username").fill("vera");
    await page.getByRole("button", { name: "Create invitation" }).click();
    const invite = (await page.getByTestId("invitation-link").textContent())?.trim() ?? "";

    const user = await userContext.newPage();
    await user.goto(invite);
    await user.getByLabel("Password (12 characters or more)").fill("vera's long password");
    await user.getByLabel("Password again").fill("vera's long password");
    await user.getByRole("button", { name: "Create my account" }).click();
    await expect(user).toHaveURL(/\/login\/enrol$/);
    await expect(user.getByRole("heading", { name: "Set up two-step verification" })).toBeVisible();
    await expect(user.getByRole("img", { name: "QR code of the authenticator key" })).toBeVisible();
    expect((await userContext.cookies()).map((c) => c.name)).not.toContain("reestr_session");
    const secret = (await user.getByTestId("totp-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await user.screenshot({ path: test.info().outputPath("two-step-required-setup.png"), fullPage: true });
    await user.getByLabel("Code from the app").fill("000000" === totp(secret, Date.now() / 1000) ? "111111" : "000000");
    await user.getByRole("button", { name: "Finish signing in" }).click();
    await expect(user.getByRole("alert")).toHaveText(/That code is wrong or was used already/);
    await user.getByLabel("Code from the app").fill(totp(secret, Date.now() / 1000));
    await user.getByRole("button", { name: "Finish signing in" }).click();
    await expect(user).toHaveURL(/\/account#two-step$/);
    await expect(user.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
    await expect(user.getByText("Your administrator requires it")).toBeVisible();

    await page.reload();
    await expect(page.getByRole("row", { name: /vera/ })).toContainText("password, authenticator app");
  } finally {
    await adminContext.close();
    await userContext.close();
    reestr.process.kill();
  }
});
