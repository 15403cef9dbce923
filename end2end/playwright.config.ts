import { defineConfig } from "@playwright/test";

// The server under test is started by scripts/test.sh (REESTR_E2E_URL).
// Every spec runs twice: hydrated, and with JavaScript off (SSR alone).
const baseURL = process.env.REESTR_E2E_URL ?? "http://localhost:3000";
export const adminState = "test-results/.auth/admin.json";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  // "setup" creates the first administrator through /setup with the token
  // scripts/test.sh gave the server, and keeps the session for the rest.
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts/ },
    { name: "hydrated", dependencies: ["setup"], use: { javaScriptEnabled: true, storageState: adminState } },
    { name: "no-js", dependencies: ["setup"], use: { javaScriptEnabled: false, storageState: adminState } },
  ],
});
