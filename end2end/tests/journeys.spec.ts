import { test, expect, Page } from "./fixtures";

// The catalogue journeys of issue 4, as a user does them. Those that need
// the WASM (keyboard shortcuts, clipboard) run in the hydrated project only;
// the rest also run with JavaScript disabled.

async function hydrated(page: Page) {
  await page.waitForLoadState("networkidle");
}

const registryHost = process.env.REESTR_TEST_REGISTRY ?? "";

test("find a repository by search and share its URL", async ({ page, browser }) => {
  await page.goto("/registries/local");
  await hydrated(page);
  await page.getByRole("searchbox", { name: "Search" }).fill("multi");
  await page.getByRole("searchbox", { name: "Search" }).press("Enter");
  await expect(page).toHaveURL(/\/registries\/local\?q=multi/);
  await expect(page.getByRole("link", { name: "team/sub/multi", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "bulk/repo-0000" })).toHaveCount(0);

  // The shared link restores the same view in a fresh browser context.
  const shared = page.url();
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto(shared);
  await expect(second.getByRole("searchbox", { name: "Search" })).toHaveValue("multi");
  await expect(second.getByRole("link", { name: "team/sub/multi", exact: true })).toBeVisible();
  await other.close();
});

test("the grid layout and namespace filter are links too", async ({ page }) => {
  await page.goto("/registries/local?namespace=team");
  await expect(page.locator(".count")).toHaveText("1–4 of 4 repositories");
  await page.getByRole("link", { name: "Grid" }).click();
  await expect(page).toHaveURL(/namespace=team&view=grid|view=grid.*namespace=team/);
  await expect(page.locator(".repo-grid li")).toHaveCount(4);
});

test("open a tag using only the keyboard", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "keyboard shortcuts need the WASM");
  await page.goto("/registries/local/repositories/team/app");
  await hydrated(page);
  await page.keyboard.press("j");
  await expect(page.locator("tr[data-tag='1.0']")).toBeFocused();
  await page.keyboard.press("j");
  await expect(page.locator("tr[data-tag='latest']")).toBeFocused();
  await page.keyboard.press("k");
  await expect(page.locator("tr[data-tag='1.0']")).toBeFocused();
  await page.keyboard.press("End");
  await expect(page.locator("tr[data-tag='latest']")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/registries\/local\/repositories\/team\/app\/-\/tags\/latest$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("team/app:latest");

  // `/` focuses the tag filter.
  await page.goto("/registries/local/repositories/big/tags/-");
  await hydrated(page);
  await page.keyboard.press("/");
  await expect(page.getByRole("searchbox", { name: "Filter tags" })).toBeFocused();
});

test("copy a pull command", async ({ page, context, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "the clipboard needs the WASM");
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/registries/local/repositories/team/app");
  await hydrated(page);
  await page.getByText("podman", { exact: true }).click();
  await page.getByRole("button", { name: "Copy the podman pull command by digest" }).click();
  await expect(page.getByRole("button", { name: "Copy the podman pull command by digest" })).toHaveText("Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toMatch(new RegExp(`^podman pull --tls-verify=false ${registryHost}/team/app@sha256:[0-9a-f]{64}$`));

  // Beside it, the login and push commands for the same client.
  await page.getByRole("button", { name: "Copy the podman push command" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    `podman push --tls-verify=false ${registryHost}/team/app:latest`,
  );
  await expect(page.getByText(`podman login --tls-verify=false ${registryHost}`, { exact: true })).toBeVisible();

  // `c` on a row copies that tag's docker pull command.
  await page.keyboard.press("j");
  await page.keyboard.press("c");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`docker pull ${registryHost}/team/app:1.0`);
});

test("open an SBOM and search its packages", async ({ page, javaScriptEnabled }) => {
  await page.goto("/registries/local/repositories/team/signed/-/tags/1.0");
  const referrers = page.getByRole("region", { name: "Referrers" });
  await expect(referrers.locator("tr[data-kind='SBOM']")).toContainText("referrers tag");
  await expect(referrers.locator("tr[data-kind='Signature']")).toContainText("cosign tag");
  await hydrated(page);
  await referrers.getByRole("link", { name: "Open SBOM" }).click();
  await expect(page).toHaveURL(/\?sbom=sha256:[0-9a-f]{64}#sbom$/);
  const sbom = page.getByRole("region", { name: /^SBOM/ });
  await expect(sbom.locator(".sbom-summary")).toHaveText("SPDX-2.3 · team/signed · 5 packages");
  await expect(sbom.locator("tbody tr")).toHaveCount(5);
  if (javaScriptEnabled) {
    await sbom.getByRole("searchbox", { name: "Filter packages" }).fill("ssl");
    await expect(sbom.locator("tbody tr")).toHaveCount(1);
    await expect(sbom.locator("tbody tr")).toContainText("Apache-2.0");
  }
});

test("referrer and signature tags are hidden until asked for", async ({ page }) => {
  await page.goto("/registries/local/repositories/team/signed");
  await expect(page.locator("tr[data-tag]")).toHaveCount(1);
  await page.getByRole("link", { name: "Show them" }).click();
  await expect(page).toHaveURL(/artifacts=1/);
  await expect(page.locator("tr[data-tag]")).toHaveCount(3);
});

test.describe("on a 390 px wide phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("search, open a repository and its SBOM without sideways scrolling", async ({ page }) => {
    await page.goto("/registries/local");
    await page.getByRole("searchbox", { name: "Search" }).fill("signed");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/q=signed/);
    await page.getByRole("link", { name: "team/signed", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("team/signed");
    await page.getByRole("link", { name: "1.0", exact: true }).click();
    await page.getByRole("link", { name: "Open SBOM" }).click();
    await expect(page.locator(".sbom-summary")).toContainText("5 packages");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Inputs are at least 16 px (no zoom on focus) and targets at least 44 px.
    await page.goto("/registries/local");
    const input = page.getByRole("searchbox", { name: "Search" });
    expect(await input.evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(16);
    expect((await input.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
  });
});

test("10,000 tags scroll in a virtual table that keeps its place", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "the virtual table replaces the paged one after hydration");
  await page.goto("/registries/local/repositories/big/tags/-");
  await hydrated(page);
  const table = page.locator("table.tags-virtual");
  await expect(table).toHaveAttribute("aria-rowcount", "10001");
  await expect(page.locator(".count")).toHaveText("10000 tags");
  // Only the rows in view (plus a margin) exist, and they get their details.
  const rendered = await table.locator("tbody tr[data-tag]").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);
  await expect(table.locator("tr[data-tag='t-00000'] code")).toHaveText(/^sha256:[0-9a-f]{12}/);

  // The keyboard reaches the last tag; the rows it passes are rendered on the way.
  await page.keyboard.press("j");
  await expect(page.locator("tr[data-tag='t-00000']")).toBeFocused();
  await page.keyboard.press("PageDown");
  await expect(page.locator("tr[data-tag='t-00010']")).toBeFocused();
  await page.keyboard.press("End");
  await expect(page.locator("tr[data-tag='t-09999']")).toBeFocused();
  await expect(page.locator("tr[data-tag='t-09999'] code")).toHaveText(/^sha256:/);
  expect(await table.locator("tbody tr[data-tag]").count()).toBeLessThan(100);

  // Scrolling to the middle loads that part and records the place in the URL.
  const wrap = page.locator(".tags-virtual-wrap");
  await wrap.evaluate((el) => { el.scrollTop = 5000 * 41; });
  await expect(page.locator("tr[data-tag='t-05005'] code")).toHaveText(/^sha256:/);
  await expect(page).toHaveURL(/[?&]page=100&at=4999\b/);
  await page.locator("tr[data-tag='t-05005'] a").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("big/tags:t-05005");
  await page.goBack();
  await expect(page.locator("tr[data-tag='t-05005']")).toBeVisible();
  await page.screenshot({ path: `${__dirname}/../screenshots/virtual-tags-middle.png` });
});

test("storage used: progress while counting, then totals with a chart and a table", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "the page checks back on its own only with the WASM");
  test.setTimeout(120_000);
  await page.goto("/registries/local");
  await page.getByRole("link", { name: "Storage used" }).click();
  await expect(page).toHaveURL(/\/registries\/local\/storage$/);
  // Navigated in the browser: the title still follows the route parameter.
  await expect(page).toHaveTitle("Storage · local · Reestr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Storage");
  // Counting 1,056 repositories and 11,000 tags takes a while on a cold cache.
  await expect(page.locator(".storage-total")).toBeVisible({ timeout: 100_000 });
  await expect(page.getByRole("img", { name: "Largest repositories by stored bytes" })).toBeVisible();
  const table = page.getByRole("table", { name: "Repositories by stored bytes" });
  await expect(table.locator("tbody tr")).toHaveCount(50);
  await expect(page.locator(".storage-progress")).not.toContainText("Counting");
  await page.screenshot({ path: `${__dirname}/../screenshots/storage-done.png`, fullPage: true });
});
