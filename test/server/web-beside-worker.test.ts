// `devflow start web` only dispatches (DESIGN §1): it never takes a host's SessionManager lock, so it
// starts and answers next to a worker of the same host id that holds that lock, and leaves it held.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tryAdvisoryLock } from "../../src/db/advisory-lock.js";
import { findFreePort } from "../../src/server/free-port.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import { SessionManager } from "../../src/sessions/session-manager.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { spawnDevflow, waitForHealthy } from "../support/devflow-process.js";

let db: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "devflow-web-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("devflow start web", () => {
  it("starts beside a worker holding its host's lock, and leaves the lock with the worker", async () => {
    const hostId = `web-host-${Date.now()}`;
    const worker = new SessionManager({
      prisma: db.prisma,
      connectionString: db.url,
      hostId,
      adapter: new FakeSessionAdapter(),
      sessionsDir: join(dataDir, "worker-sessions"),
    });
    await worker.initialize();
    const port = await findFreePort();
    const web = spawnDevflow(["start", "web"], {
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      DEVFLOW_DATA_DIR: dataDir,
      DEVFLOW_HOST_ID: hostId,
    });
    try {
      const health = await waitForHealthy(port, web);
      expect(health).toMatchObject({ status: "ready", role: "web", hostId });
      expect(web.output()).not.toContain("session_manager_already_running");
      // The worker still holds its lock: nobody else can take it.
      const other = await tryAdvisoryLock(db.url, `devflow:session-manager:${hostId}`);
      expect(other).toBeUndefined();
    } finally {
      web.child.kill("SIGINT");
      await web.exited;
      await worker.shutdown();
    }
  }, 120_000);
});
