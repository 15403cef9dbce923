import { test as base, expect, Page } from "@playwright/test";

// Every spec uses this `test`: it watches every response the browser gets
// and fails the test if the registry canary secret (the password
// scripts/test.sh gives the `locked` registry) appears in a header or a
// body. Secrets never reach the browser.

const canary = process.env.REESTR_E2E_CANARY;

export const test = base.extend<{ canaryWatch: void }>({
  canaryWatch: [
    async ({ page }, use) => {
      const leaks: string[] = [];
      const pending: Promise<void>[] = [];
      if (canary) {
        page.on("response", (resp) => {
          pending.push(
            (async () => {
              const headers = JSON.stringify(await resp.allHeaders().catch(() => ({})));
              const body = await resp.text().catch(() => "");
              if (headers.includes(canary) || body.includes(canary)) leaks.push(resp.url());
            })(),
          );
        });
      }
      await use();
      await Promise.all(pending);
      expect(leaks, "the registry secret reached the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
export type { Page };
