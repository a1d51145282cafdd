// `npm start` with no DATABASE_URL: an embedded Postgres in the data directory, migrations, the
// registry, /healthz, the setup page (no GitHub App credentials yet) — and a clean stop on Ctrl-C, as a
// user runs it.
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../src/server/free-port.js";
import { isProcessAlive } from "../../src/server/processes.js";
import { spawnDevflow, waitForHealthy } from "../support/devflow-process.js";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "devflow-start-"));
  await chmod(dataDir, 0o755);
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function postmasterPid(): number {
  return Number(readFileSync(join(dataDir, "postgres", "data", "postmaster.pid"), "utf8").split("\n")[0]);
}

async function startDevflow() {
  const port = await findFreePort();
  const devflow = spawnDevflow(["start"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    DEVFLOW_DATA_DIR: dataDir,
  });
  const health = await waitForHealthy(port, devflow);
  return { port, devflow, health };
}

describe("devflow start with embedded defaults", () => {
  it("answers /healthz 200 once migrated and the templates are loaded, serves the setup page, and stops its Postgres on Ctrl-C", async () => {
    const { port, devflow, health } = await startDevflow();
    expect(health).toMatchObject({
      status: "ready",
      database: "embedded Postgres",
      queue: "BullMQ on Postgres",
      templates: ["development@2"],
    });
    expect(devflow.output()).toContain("initializing an embedded Postgres");
    // No GitHub App credentials on a fresh machine: the setup page registers the app.
    // The page is served only through the one-time link devflow logs.
    const link = new RegExp(`open (http://127\\.0\\.0\\.1:${port}/setup\\?token=[\\w-]+)`).exec(
      devflow.output(),
    );
    expect(link).not.toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/setup`)).status).toBe(403);
    const setup = await fetch(link?.[1] ?? "");
    expect(setup.status).toBe(200);
    const html = await setup.text();
    expect(html).toContain('name="manifest"');
    expect(html).toContain(`http://127.0.0.1:${port}/api/github/webhooks`);
    const postgres = postmasterPid();
    expect(isProcessAlive(postgres)).toBe(true);

    devflow.child.kill("SIGINT");
    expect(await devflow.exited).toBe(0);
    expect(isProcessAlive(postgres)).toBe(false);
    expect(devflow.output()).toContain("devflow stopped");
  });

  it("reuses the data directory on the next start", async () => {
    const { devflow } = await startDevflow();
    expect(devflow.output()).not.toContain("initializing an embedded Postgres");
    expect(devflow.output()).toContain("database schema up to date");
    devflow.child.kill("SIGTERM");
    expect(await devflow.exited).toBe(0);
  });

  it("refuses a data directory that a live devflow is using, and leaves that one running", async () => {
    const { port, devflow } = await startDevflow();
    const second = spawnDevflow(["start"], {
      PORT: String(await findFreePort()),
      HOST: "127.0.0.1",
      DEVFLOW_DATA_DIR: dataDir,
    });
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain("data_dir_in_use");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    devflow.child.kill("SIGINT");
    expect(await devflow.exited).toBe(0);
  });

  it("recovers from a devflow killed with SIGKILL that left its Postgres running", async () => {
    const { devflow } = await startDevflow();
    const orphan = postmasterPid();
    devflow.child.kill("SIGKILL");
    await devflow.exited;
    expect(isProcessAlive(orphan)).toBe(true);

    const { devflow: next, health } = await startDevflow();
    expect(health.status).toBe("ready");
    expect(next.output()).toContain(`left running by an earlier devflow process`);
    expect(isProcessAlive(orphan)).toBe(false);
    next.child.kill("SIGINT");
    expect(await next.exited).toBe(0);
  });

  it("stops at once on a bad environment, naming the variable, before touching the data directory", async () => {
    const fresh = join(dataDir, "never-created");
    const devflow = spawnDevflow(["start"], { PORT: "70000", DEVFLOW_DATA_DIR: fresh });
    expect(await devflow.exited).toBe(2);
    expect(devflow.output()).toContain("PORT: expected");
    expect(devflow.output()).toContain("invalid_environment");
    expect(existsSync(fresh)).toBe(false);
  });
});
