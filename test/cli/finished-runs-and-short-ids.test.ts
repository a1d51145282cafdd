// Two refusals a newcomer met: `devflow abort` of a run that has already ended printed "aborted" and
// exited 0 (the run stayed as it was); a run id shortened below 4 characters answered "No run 7.".
// Both now exit 2, say what is wrong, and change nothing.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../../src/registry/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { type CliFixture, createCliFixture } from "./cli-fixture.js";

let db: TestDatabase;
let fixture: CliFixture;
let queue: RunQueue;
let engine: DispatchEngine;

beforeAll(async () => {
  db = await createTestDatabase();
  fixture = createCliFixture(db.url);
  await storeRegistry(db.prisma, await loadRegistry(builtinTemplatesDir()), { source: "builtin" });
  const connection = { backend: "postgres", connectionString: db.url } as const;
  await prepareQueueBackend(connection);
  queue = new RunQueue(connection);
  engine = new DispatchEngine({ prisma: db.prisma, queue, log: silentLog });
});
afterAll(async () => {
  await queue.close();
  await db.drop();
  fixture.cleanup();
});

describe("devflow abort of a finished run", () => {
  it("is refused with exit 2, naming the run's state, and changes nothing", async () => {
    const { runId } = await engine.startRun({
      repository: fixture.repo,
      baseBranch: "main",
      requirements: "# Something\n",
    });
    await engine.abort(runId, "alice", "cli");
    const before = await db.prisma.runEvent.count({ where: { runId } });

    const abort = fixture.devflow(["abort", runId.slice(0, 8)]);
    expect(await abort.exited).toBe(2);
    expect(abort.output()).toContain(`Run ${runId} is already aborted: it cannot be aborted.`);
    expect(abort.output()).toContain("(run_finished)");
    expect(abort.output()).not.toContain("aborted by");
    expect(await db.prisma.runEvent.count({ where: { runId } })).toBe(before);
    expect(await db.prisma.approvalDecision.count({ where: { approvalRequest: { runId } } })).toBe(0);
  });
});

describe("a run id shorter than 4 characters", () => {
  it("is refused before any state is opened, saying how many characters are needed", async () => {
    for (const command of [
      ["status", "7"],
      ["abort", "7"],
      ["approve", "ab1"],
      ["logs", "0-1"],
    ]) {
      const dataDir = join(fixture.root, `data-${command[0]}`);
      const devflow = fixture.devflow(command, { DATABASE_URL: undefined, DEVFLOW_DATA_DIR: dataDir });
      expect(await devflow.exited).toBe(2);
      expect(devflow.output()).toContain(
        `"${command[1]}" is too short to name a run: give at least 4 characters of its id.`,
      );
      expect(devflow.output()).toContain("devflow status");
      expect(existsSync(dataDir)).toBe(false);
    }
  });
});
