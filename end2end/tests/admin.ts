// The administrator the "setup" project creates (first-run.setup.ts).
export const admin = { username: "admin", password: process.env.REESTR_E2E_PASSWORD ?? "e2e password, long enough" };
