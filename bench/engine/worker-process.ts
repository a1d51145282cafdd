// The bench's worker process: a devflow worker host (startWorker with the fake agent) or, for the floor,
// a bare BullMQ worker whose every job adds the next job of its chain. Driven over IPC by worker-host.ts.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createDatabaseClient, type DatabaseClient } from "../../src/db/index.js";
import type { EngineLog } from "../../src/engine/worker-context.js";
import { createQueue, createWorker } from "../../src/queue/queue-connection.js";
import { builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";
import { startWorker } from "../../src/server/start-worker.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import { installGitSpawnMeter } from "./git-spawn-meter.js";
import { installLockConnectMeter } from "./lock-connect-meter.js";
import { installMirrorLockMeter } from "./mirror-lock-meter.js";
import { processCpu } from "./process-cpu.js";
import {
  type ChildMessage,
  FLOOR_JOB_OPTIONS,
  FLOOR_QUEUE,
  FLOOR_STEPS,
  type FloorJob,
  floorJobId,
  type MemoryFigures,
  type Request,
  type WorkerCounts,
  type WorkerInit,
} from "./worker-protocol.js";

const gitStats = installGitSpawnMeter();
const mirrorLockStats = installMirrorLockMeter();
const lockConnectStats = installLockConnectMeter();
const counts: Pick<WorkerCounts, "outcomes" | "byRun" | "warnings"> = {
  outcomes: {},
  byRun: {},
  warnings: [],
};
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

function snapshot(): WorkerCounts {
  const loopDelay = { mean: loop.mean / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
  loop.reset();
  return {
    ...counts,
    git: gitStats(),
    mirrorLock: mirrorLockStats(),
    lockConnects: lockConnectStats(),
    cpu: processCpu(),
    loopDelay,
  };
}
let stop: () => Promise<void> = async () => {};
let adapter: FakeSessionAdapter | undefined;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function note(level: string, details: Record<string, unknown>, message: string): void {
  if (counts.warnings.length < 20) counts.warnings.push(`${level}: ${message} ${JSON.stringify(details)}`);
}

const log: EngineLog = {
  info(details, message) {
    if (message !== "run advanced") return;
    const outcome = String(details.outcome);
    counts.outcomes[outcome] = (counts.outcomes[outcome] ?? 0) + 1;
    const runId = String(details.runId);
    counts.byRun[runId] = [...(counts.byRun[runId] ?? []), outcome];
  },
  warn: (details, message) => note("warn", details, message),
  error: (details, message) => note("error", details, message),
};

async function startEngine(init: Extract<WorkerInit, { mode: "engine" }>): Promise<void> {
  // The pool a deployment gets (createDatabaseClient's default), like start-devflow's worker.
  const database: DatabaseClient = createDatabaseClient(init.databaseUrl, {
    applicationName: "devflow-bench-worker",
  });
  adapter = new FakeSessionAdapter({ writeDelayMs: 0 });
  const worker = await startWorker({
    prisma: database.prisma,
    connectionString: init.databaseUrl,
    queue: init.queue,
    hostId: init.hostId,
    dataDir: init.dataDir,
    adapter,
    registry: await loadRegistry(builtinTemplatesDir()),
    maxConcurrentRuns: init.concurrency,
    reconcileEveryMs: init.reconcileEveryMs,
    ...(init.artifactPollMs !== undefined ? { artifactPollMs: init.artifactPollMs } : {}),
    log,
  });
  stop = async () => {
    await worker.stop();
    await database.close();
  };
}

const floorTargets = new Map<number, { chains: number; done: number }>();

function startFloor(init: Extract<WorkerInit, { mode: "floor" }>): void {
  const queue = createQueue<FloorJob>(init.queue, FLOOR_QUEUE);
  const worker = createWorker<FloorJob, void>(
    init.queue,
    FLOOR_QUEUE,
    async (job) => {
      const { round, chain, step } = job.data;
      if (step < FLOOR_STEPS) {
        const next = { round, chain, step: step + 1 };
        await queue.add("step", next, { ...FLOOR_JOB_OPTIONS, jobId: floorJobId(next) });
      }
      const target = floorTargets.get(round);
      if (!target) return;
      target.done += 1;
      if (target.done === target.chains * FLOOR_STEPS) send({ type: "floor-done", round, at: Date.now() });
    },
    { concurrency: init.concurrency },
  );
  stop = async () => {
    await worker.close();
    await queue.close();
  };
}

function memory(): MemoryFigures {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  const prompts = adapter?.prompts ?? [];
  const chars = prompts.reduce((sum, prompt) => sum + JSON.stringify(prompt).length, 0);
  return { rss, heapUsed, heapTotal, external, fakePrompts: { count: prompts.length, chars } };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.type) {
    case "init":
      if (request.init.mode === "engine") await startEngine(request.init);
      else startFloor(request.init);
      return null;
    case "memory":
      return memory();
    case "counts":
      return snapshot();
    case "floor-round":
      floorTargets.set(request.round, { chains: request.chains, done: 0 });
      return null;
    case "stop":
      await stop();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on("message", (message: { id: number; request: Request }) => {
  handle(message.request).then(
    (value) => send({ type: "reply", id: message.id, ok: true, value }),
    (error: unknown) =>
      send({
        type: "reply",
        id: message.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
