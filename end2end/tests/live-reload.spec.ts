import { test, expect } from "./fixtures";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { Duplex } from "node:stream";
import { freePort, startReestr } from "./servers";

// `cargo leptos watch` reloads the browser through a WebSocket to its
// reload port; the Content-Security-Policy must let a debug build under
// the watcher (LEPTOS_WATCH) connect to it. Here the debug server runs as
// the watcher starts it, and a WebSocket endpoint on the reload port sends
// what cargo-leptos sends after a page's source changed: {"all": true}.

const config = process.env.REESTR_E2E_CONFIG;

test.use({ storageState: { cookies: [], origins: [] } });

/// A one-connection WebSocket endpoint (RFC 6455 handshake, text frames).
function reloadSocket(port: number) {
  let client: Duplex | undefined;
  let connected: () => void = () => {};
  const ready = new Promise<void>((r) => (connected = r));
  const server = http.createServer((_, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket) => {
    const key = req.headers["sec-websocket-key"] ?? "";
    const accept = crypto.createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    client = socket;
    connected();
  });
  server.listen(port, "127.0.0.1");
  return {
    ready,
    send(text: string) {
      const payload = Buffer.from(text);
      client?.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
    },
    close() {
      client?.destroy();
      server.close();
    },
  };
}

test("under cargo leptos watch, a changed page reloads the browser", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "the reload script needs JavaScript");
  expect(config, "scripts/test.sh sets REESTR_E2E_CONFIG").toBeTruthy();
  const reloadPort = await freePort();
  const socket = reloadSocket(reloadPort);
  const data = fs.mkdtempSync("test-results/watch-");
  const refused: string[] = [];
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) refused.push(m.text());
  });
  const reestr = await startReestr(config!, { LEPTOS_WATCH: "ON", LEPTOS_RELOAD_PORT: String(reloadPort), REESTR_DATA_DIR: data });
  try {
    const first = await page.goto(`${reestr.base}/login`);
    expect(first?.headers()["content-security-policy"]).toContain(`ws://*:${reloadPort}`);
    await socket.ready;
    const reloaded = page.waitForEvent("load");
    socket.send(JSON.stringify({ all: true }));
    await reloaded;
    expect(refused).toEqual([]);
  } finally {
    socket.close();
    reestr.process.kill();
  }
});
