import { test, expect } from "./fixtures";

// The `locked` registry needs the password scripts/test.sh made (the
// canary): browsing it works, and the fixture checks that no response the
// browser gets carries the secret; the API answers are checked here too.

test("a registry behind credentials is browsed without its secret reaching the browser", async ({ page }) => {
  const canary = process.env.REESTR_E2E_CANARY ?? "";
  expect(canary, "scripts/test.sh sets REESTR_E2E_CANARY").not.toBe("");
  await page.goto("/registries/locked");
  await expect(page.getByRole("link", { name: "team/app", exact: true })).toBeVisible();
  await page.goto("/registries/locked/repositories/team/app/-/tags/1.0");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("team/app:1.0");
  for (const path of ["/api/registries", "/api/registries/locked", "/api/registries/locked/repositories/team/app/tags", "/healthz", "/readyz", "/metrics"]) {
    const r = await page.request.get(path);
    expect(r.status(), path).toBe(200);
    const text = (await r.text()) + JSON.stringify(r.headers());
    expect(text.includes(canary), `${path} carries the registry secret`).toBe(false);
  }
});
