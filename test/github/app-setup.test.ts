// Setup without credentials, as an operator does it: `devflow start` with no APP_ID serves the setup
// page; its form goes to GitHub (the simulator, in GHE mode), GitHub redirects back with a one-time
// code, devflow turns it into credentials saved in the data directory (0600) and mounts the app at once
// — and again on the next start. Only a callback carrying this server's `state` is honoured.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findFreePort } from "../../src/server/free-port.js";
import { type GitHubSimulator, startGitHubSimulator } from "../github-sim/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { type DevflowProcess, spawnDevflow, waitForHealthy } from "../support/devflow-process.js";

const appYml = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;

let sim: GitHubSimulator;
let database: TestDatabase;
let dataDir: string;
let devflow: DevflowProcess | undefined;
let port: number;

beforeAll(async () => {
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  sim = await startGitHubSimulator({ appId: 1, privateKey, webhookSecret: "the-existing-app", ghe: true });
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "devflow-setup-"));
});

afterAll(async () => {
  await stopDevflow();
  await sim.close();
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function startDevflow(): Promise<DevflowProcess> {
  port = await findFreePort();
  devflow = spawnDevflow(["start"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    GHE_HOST: sim.gheHost,
    GHE_PROTOCOL: "http",
    DEVFLOW_DATA_DIR: dataDir,
    DEVFLOW_HOST_ID: "setup-test",
  });
  await waitForHealthy(port, devflow);
  return devflow;
}

async function stopDevflow() {
  if (devflow && devflow.child.exitCode === null) {
    devflow.child.kill("SIGTERM");
    expect(await devflow.exited).toBe(0);
  }
}

function unescapeHtml(text: string): string {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** The setup link's token, as devflow printed it in its log. */
async function setupToken(): Promise<string> {
  await expect.poll(() => /\/setup\?token=([\w-]+)/.exec(devflow?.output() ?? "")?.[1]).toBeDefined();
  return /\/setup\?token=([\w-]+)/.exec(devflow?.output() ?? "")?.[1] ?? "";
}

/** The setup page's form: where it posts and the manifest it carries. */
async function setupForm(): Promise<{ action: string; manifest: Record<string, unknown> }> {
  const page = await fetch(`http://127.0.0.1:${port}/setup?token=${await setupToken()}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form id="register" action="([^"]+)" method="post">/.exec(html)?.[1];
  const manifest = /<input type="hidden" name="manifest" value="([^"]+)">/.exec(html)?.[1];
  expect(action).toBeDefined();
  expect(manifest).toBeDefined();
  return { action: unescapeHtml(action ?? ""), manifest: JSON.parse(unescapeHtml(manifest ?? "")) };
}

/** What the browser does: POST the form to GitHub, which redirects back to devflow with ?code=&state=. */
async function submitToGitHub(form: { action: string; manifest: unknown }): Promise<string> {
  const res = await fetch(form.action, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ manifest: JSON.stringify(form.manifest) }).toString(),
  });
  expect(res.status).toBe(302);
  return res.headers.get("location") ?? "";
}

/** A signed delivery to devflow: GitHub's ping, or (event "issues") a labeled issue outside any installation. */
async function deliver(secret: string, event: "ping" | "issues" = "ping") {
  const payload =
    event === "ping"
      ? { zen: "Design for failure.", hook_id: 1 }
      : { action: "labeled", label: { name: "devflow" }, sender: { login: "alice", type: "User" } };
  return sim.webhooks.deliver(event, payload, {
    target: `http://127.0.0.1:${port}/api/github/webhooks`,
    signWith: secret,
  });
}

const savedFile = () => join(dataDir, "github-app.json");

describe("devflow start without GitHub App credentials", () => {
  it("serves the setup page with app.yml's manifest for this server, and says where to go", async () => {
    await startDevflow();
    expect(devflow?.output()).toContain(`open http://127.0.0.1:${port}/setup`);
    const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/setup");

    const { action, manifest } = await setupForm();
    expect(action).toMatch(new RegExp(`^http://${sim.gheHost}/settings/apps/new\\?state=[\\w-]{20,}$`));
    expect(manifest).toMatchObject({
      name: appYml.name,
      description: appYml.description,
      public: false,
      default_permissions: appYml.default_permissions,
      default_events: appYml.default_events,
      hook_attributes: { url: `http://127.0.0.1:${port}/api/github/webhooks`, active: true },
      redirect_url: `http://127.0.0.1:${port}/setup/callback`,
      // The dashboard's sign-in returns there (the App's user authorization).
      callback_urls: [`http://127.0.0.1:${port}/sign-in/callback`],
    });

    // Behind a reverse proxy the public address is the forwarded one.
    const proxied = await fetch(`http://127.0.0.1:${port}/setup?token=${await setupToken()}`, {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "devflow.example.com" },
    });
    expect(await proxied.text()).toContain("https://devflow.example.com/api/github/webhooks");
  });

  it("says whose app it becomes: the user's own, or the organization's named with ?org=", async () => {
    const token = await setupToken();
    const own = await (await fetch(`http://127.0.0.1:${port}/setup?token=${token}`)).text();
    expect(own).toContain("The app will belong to your own account.");
    const html = await (await fetch(`http://127.0.0.1:${port}/setup?token=${token}&org=acme`)).text();
    expect(html).toContain("The app will belong to the organization <strong>acme</strong>");
    expect(html).toContain("on GitHub for acme</button>");
    expect(html).toContain(`/organizations/acme/settings/apps/new?state=`);
    expect(html).not.toContain("your own account.");
  });

  it("refuses a callback that this server's page did not start, saving nothing", async () => {
    const { manifest } = await setupForm();
    // A code GitHub really issued, but the state was made up (someone else's registration).
    const back = new URL(
      await submitToGitHub({ action: `${sim.webUrl}/settings/apps/new?state=forged`, manifest }),
    );
    const res = await fetch(back, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("was not started from this devflow");
    const missing = await fetch(`http://127.0.0.1:${port}/setup/callback`, { redirect: "manual" });
    expect(missing.status).toBe(400);
    expect(() => statSync(savedFile())).toThrow();
    expect(sim.state.registeredApps.size).toBe(0);
  });

  it("says so when GitHub refuses the code, saving nothing", async () => {
    const callback = await submitToGitHub(await setupForm());
    sim.script.failNext("POST", "/app-manifests/{code}/conversions", {
      status: 422,
      message: "Code expired",
    });
    const res = await fetch(callback, { redirect: "manual" });
    expect(res.status).toBe(502);
    const page = await res.text();
    expect(page).toContain("GitHub refused to turn the registration code into credentials (HTTP 422");
    expect(page).toContain("register the app again");
    expect(() => statSync(savedFile())).toThrow();
  });

  it("registers the app through GitHub, saves its credentials 0600 in the data directory and accepts its webhooks at once", async () => {
    const form = await setupForm();
    const callback = await submitToGitHub(form);
    expect(callback).toMatch(new RegExp(`^http://127.0.0.1:${port}/setup/callback\\?code=\\w+&state=`));
    const res = await fetch(callback, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${sim.webUrl}/apps/devflow/installations/new`);

    const [registered] = [...sim.state.registeredApps.values()];
    expect(registered?.manifest).toEqual(form.manifest);
    expect(statSync(savedFile()).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(savedFile(), "utf8"));
    expect(saved).toMatchObject({
      appId: registered?.app.id,
      slug: "devflow",
      webhookSecret: registered?.webhookSecret,
      privateKey: registered?.pem,
      githubUrl: sim.webUrl,
    });

    expect((await deliver(registered?.webhookSecret ?? "")).status).toBe(200);
    expect((await deliver("the-existing-app")).status).toBe(401);
    const page = await fetch(`http://127.0.0.1:${port}/setup`);
    expect(await page.text()).toContain("devflow is registered");

    const output = devflow?.output() ?? "";
    for (const secret of [
      registered?.webhookSecret,
      registered?.clientSecret,
      registered?.pem.split("\n")[1],
    ]) {
      expect(output).not.toContain(secret);
    }
  });

  it("runs as the saved app on the next start: a signed webhook is accepted and recorded", async () => {
    await stopDevflow();
    await startDevflow();
    const [registered] = [...sim.state.registeredApps.values()];
    expect(devflow?.output()).toContain("GitHub App credentials saved by the setup page");
    expect(devflow?.output()).not.toContain("/setup to register");
    // Handled by devflow's app (recorded, then ignored: it names no repository or installation).
    const delivery = await deliver(registered?.webhookSecret ?? "", "issues");
    expect(delivery.status).toBe(200);
    const recorded = () =>
      database.prisma.webhookDelivery.findUnique({ where: { deliveryId: delivery.guid } });
    expect(await recorded()).toMatchObject({ event: "issues", action: "labeled" });
    // Recorded before the answer, processed after it.
    await expect.poll(async () => (await recorded())?.outcome).toContain("ignored");
    expect((await deliver("wrong-secret")).status).toBe(401);
  });
});
