// Real Postgres (a database per file), real git, a real queue backend and the fake agent: what an
// engine test needs, built through the same code users go through.
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import type { RunState } from "../../src/engine/run-states.js";
import type { QueueConnection } from "../../src/queue/queue-connection.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { builtinTemplatesDir, loadRegistry, type Registry, storeRegistry } from "../../src/registry/index.js";
import { type StartWorkerOptions, startWorker } from "../../src/server/start-worker.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import type { SessionAdapter } from "../../src/sessions/session-adapter.js";
import { createGitRemote } from "../builders/git-remote.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export interface QueueBackendCase {
  name: string;
  connection: (db: TestDatabase) => QueueConnection;
}

/** Every queue backend this test run has: Postgres always, Redis when the run has one. */
export function queueBackends(): QueueBackendCase[] {
  const cases: QueueBackendCase[] = [
    { name: "Postgres", connection: (db) => ({ backend: "postgres", connectionString: db.url }) },
  ];
  const redisUrl = inject("redisUrl");
  // A key prefix of this file's own: test files share one Redis, and must never take each other's jobs.
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  if (redisUrl)
    cases.push({ name: "Redis", connection: () => ({ backend: "redis", url: redisUrl, prefix }) });
  return cases;
}

export interface EngineHarness {
  db: TestDatabase;
  registry: Registry;
  tempDir(prefix: string): string;
  gitRemote(): string;
  /** A unique host id, so tests in one file never share a SessionManager lock. */
  hostId(): string;
  worker(
    options: Partial<StartWorkerOptions> & { queue: QueueConnection; adapter?: SessionAdapter },
  ): ReturnType<typeof startWorker>;
  cleanup(): Promise<void>;
}

export async function createEngineHarness(): Promise<EngineHarness> {
  const db = await createTestDatabase();
  const registry = await loadRegistry(builtinTemplatesDir());
  await storeRegistry(db.prisma, registry, { source: "builtin" });
  const dirs: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const tempDir = (prefix: string) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), `devflow-${prefix}-`)));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    return dir;
  };
  return {
    db,
    registry,
    tempDir,
    gitRemote() {
      const remote = createGitRemote();
      dirs.push(...remote.cleanupDirs);
      return remote.path;
    },
    hostId: () => `test-host-${randomUUID().slice(0, 8)}`,
    async worker(options) {
      await prepareQueueBackend(options.queue);
      const running = await startWorker({
        prisma: db.prisma,
        connectionString: db.url,
        hostId: options.hostId ?? `test-host-${randomUUID().slice(0, 8)}`,
        dataDir: options.dataDir ?? tempDir("data"),
        adapter: options.adapter ?? new FakeSessionAdapter({ writeDelayMs: 5 }),
        registry,
        artifactPollMs: 20,
        reconcileEveryMs: 60_000,
        ...options,
      });
      stops.push(() => running.stop());
      return running;
    },
    async cleanup() {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      await db.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls the run until it is in one of `states` (the engine is asynchronous by design). */
export async function waitForRunState(
  db: TestDatabase,
  runId: string,
  states: RunState | RunState[],
  timeoutMs = 20_000,
) {
  const wanted = Array.isArray(states) ? states : [states];
  const deadline = Date.now() + timeoutMs;
  let last: RunState | undefined;
  while (Date.now() < deadline) {
    const run = await db.prisma.run.findUnique({ where: { id: runId } });
    last = run?.state;
    if (run && wanted.includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const events = await db.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
  throw new Error(
    `run ${runId} did not reach ${wanted.join("|")} (last: ${last}). Events:\n${events.map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.payload)}`).join("\n")}`,
  );
}

export async function eventTypes(db: TestDatabase, runId: string): Promise<string[]> {
  const events = await db.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
  return events.map((event) => event.type);
}
