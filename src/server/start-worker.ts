// A worker host: the SessionManager (host lock + recovery) first, then report repair, the reconciler
// and the BullMQ worker. Start-up completes only after recovery (DESIGN §7 item 1).
import type { PrismaClient } from "../db/index.js";
import type { SessionRecovery } from "../engine/index.js";
import {
  advanceRun,
  DispatchEngine,
  type EngineLog,
  openWorkerHost,
  reconcileRuns,
  runsNeedingWorker,
  silentLog,
  type WorkerContext,
  type WorkerHost,
  writeMissingReports,
} from "../engine/index.js";
import type { QueueConnection } from "../queue/index.js";
import { createRunWorker, RunQueue, startWorkerWatchdog } from "../queue/index.js";
import type { Registry } from "../registry/index.js";
import type { SessionAdapter, SessionManager } from "../sessions/index.js";

export interface StartWorkerOptions {
  prisma: PrismaClient;
  connectionString: string;
  queue: QueueConnection;
  hostId: string;
  /** Workspaces (`<dataDir>/workspaces`), mirrors, sessions live under it. */
  dataDir: string;
  /** The default agent's adapter. */
  adapter: SessionAdapter;
  /** Every operator agent's adapter, by name (a repository may choose among them per role). */
  agents?: ReadonlyMap<string, SessionAdapter>;
  registry: Registry;
  defaultAgent?: string;
  /** Runs this host advances at once (DESIGN §7 item 10). */
  maxConcurrentRuns?: number;
  shutdownDrainMs?: number;
  phaseTimeoutMs?: number;
  artifactPollMs?: number;
  reconcileEveryMs?: number;
  gitAuthHeader?: WorkerContext["gitAuthHeader"];
  /** Caps on artifacts and reports (the server config's `limits`). */
  limits?: WorkerContext["limits"];
  /** Limits per run and per phase (the server config's `budgets`). */
  budgets?: WorkerContext["budgets"];
  budgetPollMs?: number;
  /** Where the output of tmux panes goes as their agents work (exec and fake agents take their own). */
  onOutput?: (sessionId: string, lines: string[]) => void;
  log?: EngineLog;
}

export interface RunningWorker {
  readonly engine: DispatchEngine;
  readonly sessions: SessionManager;
  readonly runQueue: RunQueue;
  readonly recovery: SessionRecovery;
  /** Terminal runs whose missing report start-up wrote. */
  readonly finalReportRecovery: string[];
  readonly context: WorkerContext;
  stop(): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? silentLog;
  const runQueue = new RunQueue(options.queue);
  runQueue.queue.on("error", (error) => log.warn({ err: error.message }, "run queue connection error"));
  let host: WorkerHost;
  try {
    // Fails with session_manager_already_running before anything is touched.
    host = await openWorkerHost({
      ...options,
      queue: runQueue,
      defaultAgent: options.defaultAgent ?? "fake",
      concurrency: options.maxConcurrentRuns ?? 4,
      log,
    });
  } catch (error) {
    await runQueue.close();
    throw error;
  }
  const { sessions, context, recovery } = host;
  let finalReportRecovery: string[];
  try {
    finalReportRecovery = await writeMissingReports(context);
    // This host holds its lock, so the process that last advanced its runs is gone: take them back now,
    // under fresh job ids, rather than wait for BullMQ to notice the dead process's jobs have stalled.
    const orphans = await runsNeedingWorker(options.prisma, { hostId: options.hostId, unreported: false });
    const tag = `r${Date.now().toString(36)}`;
    for (const run of orphans) await runQueue.enqueue(run.id, run.version, tag);
    await reconcileRuns(options.prisma, runQueue);
  } catch (error) {
    await host.close();
    await runQueue.close();
    throw error;
  }

  let lastTakenAt = Date.now();
  let active = 0;
  const process = async (job: { data: { runId: string } }) => {
    lastTakenAt = Date.now();
    active += 1;
    try {
      const outcome = await advanceRun(context, job.data.runId);
      // A run that ended is news; a run held elsewhere, parked or gone is the queue doing its job.
      if (outcome === "finished") log.info({ runId: job.data.runId, outcome }, "run advanced");
      else log.debug?.({ runId: job.data.runId, outcome }, "run advanced");
    } finally {
      active -= 1;
    }
  };
  const concurrency = options.maxConcurrentRuns ?? 4;
  const newWorker = () => {
    const created = createRunWorker(options.queue, process, concurrency);
    // Without a listener BullMQ prints a connection's error with console.error, client object and all.
    created.on("error", (error) => log.warn({ err: error.message }, "queue worker connection error"));
    created.on("failed", (job, error) =>
      log.warn(
        { runId: job?.data.runId, attempt: job?.attemptsMade, err: error.message },
        "advancing a run failed; it will be retried",
      ),
    );
    return created;
  };
  let worker = newWorker();
  const stopWatchdog = startWorkerWatchdog({
    waiting: () => runQueue.queue.getWaitingCount(),
    active: () => active,
    lastTakenAt: () => lastTakenAt,
    idleGraceMs: 30_000,
    intervalMs: 10_000,
    onReplace: (waiting) => log.warn({ waiting }, "queue worker idle while jobs wait: replacing it"),
    replace: async () => {
      const stale = worker;
      worker = newWorker();
      lastTakenAt = Date.now();
      await stale.close(true).catch(() => {});
    },
  });
  const reconcileTimer = setInterval(() => {
    reconcileRuns(options.prisma, runQueue).catch((error) =>
      log.warn({ err: (error as Error).message }, "reconcile failed"),
    );
  }, options.reconcileEveryMs ?? 30_000);
  reconcileTimer.unref();

  const engine = new DispatchEngine({ prisma: options.prisma, queue: runQueue, log });
  let stopping: Promise<void> | undefined;
  return {
    engine,
    sessions,
    runQueue,
    recovery,
    finalReportRecovery,
    context,
    stop() {
      stopping ??= (async () => {
        clearInterval(reconcileTimer);
        stopWatchdog();
        // Stop taking jobs, drain in-flight session work under the host lock, then let jobs finish.
        const closing = worker.close();
        await host.close();
        await closing;
        await runQueue.close();
      })();
      return stopping;
    },
  };
}
