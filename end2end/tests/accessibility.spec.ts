import { test, expect } from "./fixtures";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "node:fs";

// axe-core on every page, in both colour schemes, on desktop and a phone;
// each page's screenshot is kept in end2end/screenshots/ to be looked at.

const pages: [string, string][] = [
  ["home", "/"],
  ["registry", "/registries/local"],
  ["registry-grid", "/registries/local?view=grid&namespace=team"],
  ["repository", "/registries/local/repositories/team/app"],
  ["repository-many-tags", "/registries/local/repositories/big/tags/-"],
  ["tag-index", "/registries/local/repositories/team/sub/multi/-/tags/latest"],
  ["tag-attested", "/registries/local/repositories/team/attested/-/tags/latest"],
  ["tag-sbom", "/registries/local/repositories/team/signed/-/tags/1.0"],
  ["storage", "/registries/local/storage"],
  ["not-found", "/no/such/page"],
  ["login", "/login"],
  ["login-verify", "/login/verify"],
  ["login-enrol", "/login/enrol"],
  ["reset", "/reset/a-link-that-does-not-exist"],
  ["account", "/account"],
  ["users", "/admin/users"],
];

const viewports = { desktop: { width: 1280, height: 900 }, mobile: { width: 390, height: 844 } };

for (const scheme of ["light", "dark"] as const) {
  for (const [size, viewport] of Object.entries(viewports)) {
    test(`no axe violations, ${scheme}, ${size}`, async ({ page, javaScriptEnabled }, info) => {
      // axe runs as a script in the page; the no-JS project serves the same SSR markup.
      test.skip(!javaScriptEnabled, "axe-core needs JavaScript in the page");
      test.setTimeout(180_000);
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, path] of pages) {
        await page.goto(path);
        await page.waitForLoadState("networkidle");
        if (name === "tag-sbom") {
          await page.getByRole("link", { name: "Open SBOM" }).click();
          await expect(page.locator(".sbom-summary")).toBeVisible();
        }
        const results = await new AxeBuilder({ page }).analyze();
        const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
        expect(summary, `${name} (${path})`).toEqual([]);
        if (javaScriptEnabled) {
          const dir = `${__dirname}/../screenshots`;
          fs.mkdirSync(dir, { recursive: true });
          await page.screenshot({ path: `${dir}/${name}-${size}-${scheme}.png`, fullPage: size === "mobile" ? false : true });
        }
      }
    });
  }
}
