import { test, expect } from "./fixtures";

// Only meaningful with JavaScript: after hydration, links navigate on the
// client. A full reload would wipe the marker set on window.
test("navigation after hydration happens without a full page load", async ({ page, browserName }, info) => {
  test.skip(info.project.name === "no-js", "needs JavaScript");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto("/");
  await page.waitForLoadState("networkidle");
  await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
  let documentRequests = 0;
  page.on("request", (r) => { if (r.resourceType() === "document") documentRequests++; });
  await page.locator('[data-registry="local"]').getByRole("link", { name: "Local registry" }).click();
  await expect(page).toHaveURL(/\/registries\/local$/);
  await expect(page.locator(".count")).toHaveText("1–50 of 1056 repositories");
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
  expect(documentRequests).toBe(0);
  expect(errors).toEqual([]);
  expect(browserName).toBe("chromium");
});
