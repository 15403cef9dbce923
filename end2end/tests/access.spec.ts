import { test, expect } from "@playwright/test";
import { admin } from "./admin";

// Signed out, Reestr shows nothing but the login; a password login returns
// to the page asked for; signing out ends the session. Runs hydrated and
// without JavaScript (plain forms).

test.use({ storageState: { cookies: [], origins: [] } });

test("signed out, pages lead to the login and back after it", async ({ page }) => {
  await page.goto("/registries/local?q=app");
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByRole("heading", { name: "Sign in to Reestr" })).toBeVisible();
  const api = await page.request.get("/api/registries");
  expect(api.status()).toBe(401);

  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");

  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/registries\/local\?q=app$/);
  await expect(page.getByRole("link", { name: "team/app", exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("an API token is made on the account page, shown once, and opens the API", async ({ page, request }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.goto("/account");
  await page.getByLabel("Name").fill(`e2e-${test.info().project.name}`);
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())?.trim() ?? "";
  expect(token).toMatch(/^reestr_/);
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
