import { test, expect, Page } from "./fixtures";

// Journeys through the seeded registry (end2end/registry.sh). Each runs
// hydrated and with JavaScript disabled (see playwright.config.ts).

async function hydrated(page: Page) {
  // The hydrate script sets no marker of its own; wait until the WASM has
  // been fetched and instantiated and the page is idle.
  await page.waitForLoadState("networkidle");
}

test("the home page shows a card per registry with its health", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle("Registries · Reestr");
  const local = page.locator('[data-registry="local"]');
  await expect(local.getByRole("heading", { name: "Local registry" })).toBeVisible();
  await expect(local.locator(".badge")).toHaveText("Healthy");
  const offline = page.locator('[data-registry="offline"]');
  await expect(offline.locator(".badge")).toHaveText("Unreachable");
  await expect(offline.getByRole("status")).toContainText("cannot connect");
});

test("a registry lists its repositories page by page", async ({ page }) => {
  await page.goto("/registries/local");
  // The title comes from the route parameter (pages::title_param).
  await expect(page).toHaveTitle("local · Reestr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Local registry");
  await expect(page.locator(".count")).toHaveText("1–50 of 1056 repositories");
  await expect(page.getByRole("link", { name: "bulk/repo-0000" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(page).toHaveURL(/\/registries\/local\?page=2$/);
  await expect(page.locator(".count")).toHaveText("51–100 of 1056 repositories");
  await expect(page.getByRole("link", { name: "bulk/repo-0050" })).toBeVisible();
});

test("a nested repository shows its tags and a tag its platforms", async ({ page }) => {
  await page.goto("/registries/local?page=22");
  await hydrated(page);
  await page.getByRole("link", { name: "team/sub/multi" }).click();
  await expect(page).toHaveURL(/\/registries\/local\/repositories\/team\/sub\/multi$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("team/sub/multi");
  const row = page.locator('tr[data-tag="latest"]');
  await expect(row).toContainText("linux/amd64, linux/arm64/v8");
  await expect(row.locator("code")).toHaveText(/^sha256:[0-9a-f]{12}$/);
  await row.getByRole("link", { name: "latest" }).click();
  await expect(page).toHaveURL(/\/team\/sub\/multi\/-\/tags\/latest$/);
  await expect(page.getByRole("heading", { name: "Platforms" })).toBeVisible();
  const platforms = page.locator("table.platforms tbody tr");
  await expect(platforms).toHaveCount(2);
  await expect(platforms.nth(1)).toContainText("arm64");
  await expect(platforms.nth(1)).toContainText("v8");
});

test("a tag page shows manifest, layers and labels", async ({ page }) => {
  await page.goto("/registries/local/repositories/team/app/-/tags/1.0");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("team/app:1.0");
  await expect(page.locator(".facts").first()).toContainText("application/vnd.oci.image.manifest.v1+json");
  await expect(page.locator("table.layers tbody tr")).toHaveCount(1);
  await expect(page.locator("table.labels")).toContainText("org.opencontainers.image.title");
  await expect(page.locator("table.labels")).toContainText("https://example.com/app");
  await expect(page.getByText("2026-01-02 03:04 UTC")).toBeVisible();
});

test("a repository shows its image's labels, with the source as a link", async ({ page }) => {
  await page.goto("/registries/local/repositories/team/app");
  const labels = page.locator("details", { hasText: "Labels of latest" });
  await labels.locator("summary").click();
  await expect(labels.locator("table.labels")).toContainText("org.opencontainers.image.title");
  await expect(labels.getByRole("link", { name: "https://example.com/app" })).toBeVisible();
});

test("an unreachable registry shows an inline error, not a broken page", async ({ page }) => {
  await page.goto("/registries/offline");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Offline registry");
  await expect(page.getByRole("alert")).toContainText("Registry unavailable");
});

test("a card lists the API operations and resyncs its schema", async ({ page }, info) => {
  await page.goto("/");
  const card = page.locator('[data-registry="local"]');
  await expect(card.locator(".operations summary")).toHaveText("API operations: 6 of 6 found");
  await card.locator(".operations summary").click();
  await expect(card.locator(".operations li.found")).toHaveCount(6);
  await expect(card.locator(".operations")).toContainText("listTags found GET /v2/{name}/tags/list");
  if (info.project.name === "hydrated") {
    await hydrated(page);
    // A resync asks first; refused, nothing is sent.
    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await card.getByRole("button", { name: "Resync schema" }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain("every cached listing is dropped");
    await expect(page.locator(".toast-region")).not.toContainText("reloaded");
    page.once("dialog", (d) => void d.accept());
    await card.getByRole("button", { name: "Resync schema" }).click();
    await expect(page.locator(".toast-region")).toHaveText(
      "Local registry: OCI Distribution API (read-only subset) 1.1 reloaded: 6 of 6 operations found",
    );
    await expect(page).toHaveURL(/\/$/);
  } else {
    // Without JavaScript the form posts and the server sends the browser back.
    await card.getByRole("button", { name: "Resync schema" }).click();
    await expect(page).toHaveURL(/localhost:\d+\/\??$/);
    await expect(page.locator('[data-registry="local"] .badge')).toHaveText("Healthy");
  }
});
