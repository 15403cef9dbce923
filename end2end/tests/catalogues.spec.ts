import { test, expect } from "./fixtures";

// GitHub Packages, GitLab and Quay through their shipped profiles, against
// stand-ins that answer as their documents describe (end2end/stand_in.py),
// beside the seeded registry's /v2/ for manifests. Each runs hydrated and
// with JavaScript disabled.

const registries = [
  { id: "ghcr", name: "GitHub Packages (stand-in)", description: "The team's app, from its GitHub repository", pushed: "2026-11-27 15:30 UTC" },
  { id: "gitlab", name: "GitLab (stand-in)", description: null, pushed: "2026-11-26 09:15 UTC" },
  { id: "quay", name: "Quay (stand-in)", description: "The team's app, on Quay", pushed: "2025-11-27 15:30 UTC" },
];

for (const r of registries) {
  test(`${r.id}: a catalogue API's repositories, tags and push times`, async ({ page }) => {
    await page.goto(`/registries/${r.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(r.name);
    await expect(page.getByRole("link", { name: "team/app", exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: "team/signed", exact: true })).toBeVisible();
    if (r.description) {
      await expect(page.getByText(r.description).first()).toBeVisible();
    }
    await page.goto(`/registries/${r.id}/repositories/team/app`);
    const table = page.locator("table.tags");
    await expect(table.getByRole("columnheader", { name: "Pushed" })).toBeVisible();
    // Digests and platforms from /v2/, push times from the catalogue API.
    const row = table.locator('tr[data-tag="1.0"]');
    await expect(row).toContainText("linux/amd64");
    await expect(row).toContainText(r.pushed);
  });
}

test("quay: the registry scanner's findings in the tags table and on the tag page", async ({ page }) => {
  await page.goto("/registries/quay/repositories/team/app");
  const table = page.locator("table.tags");
  await expect(table.getByRole("columnheader", { name: "Vulnerabilities" })).toBeVisible();
  const findings = table.locator('tr[data-tag="1.0"] .findings');
  await expect(findings).toHaveText(/1 critical\s+2 high\s+1 low/);
  await expect(findings).toHaveAttribute("aria-label", "Vulnerabilities: 1 critical, 2 high, 1 low");
  // Quay says when a tag was pushed, never when it was pulled: no empty column.
  await expect(table.getByRole("columnheader", { name: "Pulled" })).toHaveCount(0);
  await page.goto("/registries/quay/repositories/team/app/-/tags/1.0");
  await expect(page.locator("dd.vulnerabilities")).toContainText("2 high");
  // Registries whose API reports no scans have no such column.
  await page.goto("/registries/ghcr/repositories/team/app");
  await expect(page.locator("table.tags").getByRole("columnheader", { name: "Pushed" })).toBeVisible();
  await expect(page.locator("table.tags").getByRole("columnheader", { name: "Vulnerabilities" })).toHaveCount(0);
});
