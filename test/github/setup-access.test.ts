// Issue 11, point 7: a fresh devflow (no GitHub App credentials) registers as the app of whoever reaches
// its setup page first. So the page is served only through the link with a one-time token that devflow
// prints in its log, and with HOST unset devflow listens on loopback until it is registered.
// 127.0.0.2 is loopback too, but a server bound to 127.0.0.1 does not answer there: it stands in for
// "another interface" on any Linux machine.
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../src/server/free-port.js";
import { type GitHubSimulator, startGitHubSimulator } from "../github-sim/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { type DevflowProcess, spawnDevflow, waitForHealthy } from "../support/devflow-process.js";

let sim: GitHubSimulator;
let database: TestDatabase;
const started: { devflow: DevflowProcess; dataDir: string }[] = [];

beforeAll(async () => {
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  sim = await startGitHubSimulator({ appId: 1, privateKey, webhookSecret: "unused", ghe: true });
  database = await createTestDatabase();
});

afterAll(async () => {
  for (const { devflow, dataDir } of started) {
    if (devflow.child.exitCode === null) devflow.child.kill("SIGTERM");
    await devflow.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
  await sim.close();
  await database.drop();
});

/** `devflow start` without credentials; HOST only when given (HOST: undefined unsets an inherited one). */
async function startUnregistered(host?: string): Promise<{ devflow: DevflowProcess; port: number }> {
  const port = await findFreePort();
  const dataDir = await mkdtemp(join(tmpdir(), "devflow-setup-access-"));
  const devflow = spawnDevflow(["start"], {
    PORT: String(port),
    HOST: host,
    DATABASE_URL: database.url,
    GHE_HOST: sim.gheHost,
    GHE_PROTOCOL: "http",
    DEVFLOW_DATA_DIR: dataDir,
    DEVFLOW_HOST_ID: `setup-access-${port}`,
  });
  started.push({ devflow, dataDir });
  await waitForHealthy(port, devflow);
  return { devflow, port };
}

/** Whether anything accepts a TCP connection at address:port. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function tokenFromLog(devflow: DevflowProcess): Promise<string> {
  const link = /\/setup\?token=([\w-]+)/;
  await expect.poll(() => link.exec(devflow.output())?.[1]).toBeDefined();
  return link.exec(devflow.output())?.[1] ?? "";
}

function unescapeHtml(text: string): string {
  return text.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&amp;", "&");
}

describe("a devflow that is not registered yet", () => {
  let devflow: DevflowProcess;
  let port: number;
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    ({ devflow, port } = await startUnregistered());
  }, 90_000);

  it("listens on loopback only, and says so in its log", async () => {
    expect(await accepts("127.0.0.1", port)).toBe(true);
    expect(await accepts("127.0.0.2", port)).toBe(false);
    await expect.poll(() => devflow.output()).toContain("devflow listens on 127.0.0.1 only until then");
  });

  it("answers /setup without the token, or with another, 403 with where to find the link and no state", async () => {
    for (const path of ["/setup", "/setup?token=guessed", "/setup?org=acme", "/setup?token="]) {
      const page = await fetch(`${base()}${path}`);
      expect(page.status).toBe(403);
      const html = await page.text();
      expect(html).toContain("Open the setup link from devflow");
      expect(html).toContain("/setup?token=");
      expect(html).not.toContain("state=");
      expect(html).not.toContain("<form");
    }
    // The root sends a browser to the setup page, which asks for the link in the same way.
    const root = await fetch(`${base()}/`);
    expect(root.status).toBe(403);
  });

  it("serves the page through the link printed in its log, and registering opens it to every interface", async () => {
    const token = await tokenFromLog(devflow);
    const page = await fetch(`${base()}/setup?token=${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = unescapeHtml(/<form id="register" action="([^"]+)"/.exec(html)?.[1] ?? "");
    const manifest = unescapeHtml(/name="manifest" value="([^"]+)"/.exec(html)?.[1] ?? "");
    expect(action).toMatch(/\/settings\/apps\/new\?state=[\w-]{20,}$/);
    expect(html).toContain(`/setup?token=${token}&amp;org=`);

    // The browser posts the form to GitHub, which sends it back with a code and the state.
    const github = await fetch(action, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ manifest }).toString(),
    });
    expect(github.status).toBe(302);
    const callback = await fetch(github.headers.get("location") ?? "", { redirect: "manual" });
    expect(callback.status).toBe(302);
    expect(sim.state.registeredApps.size).toBe(1);

    // Registered: GitHub must reach the webhook endpoint now, so devflow listens everywhere.
    await expect.poll(() => accepts("127.0.0.2", port)).toBe(true);
    expect((await fetch(`http://127.0.0.2:${port}/healthz`)).status).toBe(200);
  });
});

describe("HOST set explicitly", () => {
  it("is where an unregistered devflow listens", async () => {
    const { port } = await startUnregistered("0.0.0.0");
    expect(await accepts("127.0.0.2", port)).toBe(true);
  }, 90_000);
});
