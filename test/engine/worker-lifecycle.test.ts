// DESIGN §7 items 3, 9 and 10: who takes the host lock, how shutdown drains, how many runs a host runs.

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import type { PromptEnvelope } from "../../src/sessions/prompt-envelope.js";
import type { SentPrompt, SessionHandle } from "../../src/sessions/session-adapter.js";
import { SessionManager } from "../../src/sessions/session-manager.js";
import {
  createEngineHarness,
  type EngineHarness,
  queueBackends,
  waitForRunState,
} from "../support/engine-harness.js";

let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

const postgresQueue = () => ({ backend: "postgres" as const, connectionString: harness.db.url });

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function advisoryLocksHeld(): Promise<number> {
  const client = new pg.Client({ connectionString: harness.db.url });
  await client.connect();
  try {
    const result = await client.query(
      // This file's database only: other test files hold locks of their own on the same server.
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    return result.rows[0].n as number;
  } finally {
    await client.end();
  }
}

function manager(hostId: string) {
  return new SessionManager({
    prisma: harness.db.prisma,
    connectionString: harness.db.url,
    hostId,
    adapter: new FakeSessionAdapter(),
    sessionsDir: harness.tempDir("sessions"),
  });
}

describe("worker lifecycle (DESIGN §7)", () => {
  it("3: the dispatch engine records and enqueues without ever taking a SessionManager lock", async () => {
    const connection = postgresQueue();
    await prepareQueueBackend(connection);
    const queue = new RunQueue(connection);
    try {
      const web = new DispatchEngine({ prisma: harness.db.prisma, queue, log: silentLog });
      const before = await advisoryLocksHeld();
      const { runId } = await web.startRun({
        repository: harness.gitRemote(),
        baseBranch: "main",
        requirements: "Dispatch only",
      });
      expect(await advisoryLocksHeld()).toBe(before);
      expect((await web.getStatus(runId)).run.state).toBe("queued");
      expect(await queue.heldJobs()).toBeGreaterThan(0);
      // The host's lock is free for its worker.
      const hostManager = manager(harness.hostId());
      await hostManager.initialize();
      await hostManager.shutdown();
      await web.abort(runId, "test"); // leaves the next tests' workers nothing of this run to prompt
    } finally {
      await queue.close();
    }
  });

  it("9: shutdown keeps the host lock until an in-flight prompt send has drained", async () => {
    const started = deferred();
    const release = deferred();
    class SlowSend extends FakeSessionAdapter {
      override async sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
        started.resolve();
        await release.promise;
        return super.sendPrompt(handle, envelope);
      }
    }
    const hostId = harness.hostId();
    const worker = await harness.worker({
      queue: postgresQueue(),
      hostId,
      adapter: new SlowSend({ writeDelayMs: 5 }),
      shutdownDrainMs: 10_000,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Slow send",
    });
    await started.promise;
    const stopping = worker.stop();
    await expect(manager(hostId).initialize()).rejects.toMatchObject({
      code: "session_manager_already_running",
    });
    release.resolve();
    await stopping;
    const next = manager(hostId);
    await expect(next.initialize()).resolves.toMatchObject({ failedSessions: [] });
    await next.shutdown();
    expect(await harness.db.prisma.promptDelivery.count({ where: { runId } })).toBe(1);
  });

  it("9: shutdown keeps the host lock until an in-flight artifact poll has drained", async () => {
    const hostId = harness.hostId();
    const worker = await harness.worker({
      queue: postgresQueue(),
      hostId,
      adapter: new FakeSessionAdapter({ writeDelayMs: 1_500 }),
      shutdownDrainMs: 10_000,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Slow agent",
    });
    await expect
      .poll(async () => harness.db.prisma.runEvent.count({ where: { runId, type: "artifact.expected" } }), {
        timeout: 10_000,
      })
      .toBe(1);
    const stopping = worker.stop();
    await expect(manager(hostId).initialize()).rejects.toMatchObject({
      code: "session_manager_already_running",
    });
    await stopping;
    // The poll drained with the artifact accepted, not abandoned.
    expect(await harness.db.prisma.runEvent.count({ where: { runId, type: "artifact.accepted" } })).toBe(1);
    const next = manager(hostId);
    await next.initialize();
    await next.shutdown();
  });

  it.each(queueBackends())(
    "10: maxConcurrentRuns bounds the runs a host advances at once ($name)",
    async (backend) => {
      let active = 0;
      let peak = 0;
      class Counting extends FakeSessionAdapter {
        override async sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
          active += 1;
          peak = Math.max(peak, active);
          setTimeout(() => {
            active -= 1;
          }, 250);
          return super.sendPrompt(handle, envelope);
        }
      }
      const worker = await harness.worker({
        queue: backend.connection(harness.db),
        adapter: new Counting({ writeDelayMs: 250 }),
        maxConcurrentRuns: 2,
      });
      const remote = harness.gitRemote();
      const runIds: string[] = [];
      for (let i = 0; i < 5; i++) {
        runIds.push(
          (await worker.engine.startRun({ repository: remote, baseBranch: "main", requirements: `Run ${i}` }))
            .runId,
        );
      }
      for (const runId of runIds) await waitForRunState(harness.db, runId, "awaiting_approval", 30_000);
      // Without the cap all five would run at once; with it, never more than two.
      expect(peak).toBeLessThanOrEqual(2);
      expect(peak).toBeGreaterThan(0);
    },
  );
});
