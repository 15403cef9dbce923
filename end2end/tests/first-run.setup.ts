import { test as setup, expect } from "@playwright/test";
import { adminState } from "../playwright.config";
import { admin } from "./admin";

// The first run, as an operator makes it: every page leads to /setup; a
// wrong token is refused; the token from the server log creates the first
// administrator, who is then signed in. The session is kept for the specs.


setup("first run: set up the administrator with the setup token", async ({ page }) => {
  const token = process.env.REESTR_E2E_SETUP_TOKEN;
  expect(token, "scripts/test.sh sets REESTR_E2E_SETUP_TOKEN").toBeTruthy();
  await page.goto("/registries/local");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up Reestr" })).toBeVisible();

  await page.getByLabel("Setup token").fill("not-the-token");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password (12 characters or more)").fill(admin.password);
  await page.getByLabel("Password again").fill(admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("alert")).toContainText("setup token is wrong");

  await page.getByLabel("Setup token").fill(token!);
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password (12 characters or more)").fill(admin.password);
  await page.getByLabel("Password again").fill(admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(admin.username);
  await page.context().storageState({ path: adminState });
});
