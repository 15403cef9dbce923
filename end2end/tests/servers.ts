import { spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";

// Reestr processes of a spec's own (the debug binary scripts/test.sh built,
// REESTR_BIN), for what the shared server cannot show: a cold cache, the
// watcher's environment, two replicas.

export const bin = process.env.REESTR_BIN;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/// Waits until the server on `port` answers /healthz; fails with its log.
export async function healthy(port: number, log: string) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      http.get({ host: "127.0.0.1", port, path: "/healthz" }, (r) => resolve(r.statusCode === 200)).on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`reestr on ${port} did not start:\n${fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-2000) : ""}`);
}

/// Starts `reestr serve` on a free port with `config` (a file path) and
/// extra environment; its log goes to test-results/reestr-PORT.log.
export async function startReestr(config: string, env: Record<string, string> = {}): Promise<{ base: string; port: number; process: ChildProcess }> {
  if (!bin) throw new Error("scripts/test.sh sets REESTR_BIN");
  const port = await freePort();
  fs.mkdirSync("test-results", { recursive: true });
  const logPath = `test-results/reestr-${port}.log`;
  const log = fs.openSync(logPath, "w");
  const child = spawn(bin, ["--config", config, "serve", "--listen", `127.0.0.1:${port}`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
  });
  await healthy(port, logPath);
  return { base: `http://127.0.0.1:${port}`, port, process: child };
}
