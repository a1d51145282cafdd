// The worker side of the engine inside the action's one process: the same SessionManager, worker
// context and advanceRun as a worker host, fed by an in-process queue instead of BullMQ. A run is
// stepped until it waits for a human, ends, or another job holds it.
import { randomUUID } from "node:crypto";
import type { ServerConfig } from "../config/server-config.js";
import type { PrismaClient } from "../db/generated/client.js";
import { type AdvanceOutcome, advanceRun } from "../engine/advance-run.js";
import { DispatchEngine } from "../engine/dispatch-engine.js";
import { runsNeedingWorker } from "../engine/run-queries.js";
import type { EngineLog } from "../engine/worker-context.js";
import { openWorkerHost } from "../engine/worker-host.js";
import type { Registry } from "../registry/index.js";
import { createSessionAdapter } from "../sessions/create-session-adapter.js";
import { InProcessQueue } from "./in-process-queue.js";

export interface ActionEngineOptions {
  prisma: PrismaClient;
  connectionString: string;
  registry: Registry;
  config: ServerConfig;
  /** The agent every role runs with. */
  agent: string;
  dataDir: string;
  /** Unique per job: runners are ephemeral, so no later job is "the same host". */
  hostId: string;
  /** `AUTHORIZATION: …` header for git with the workflow token. */
  gitAuthHeader: string;
  log: EngineLog;
}

export interface ActionEngine {
  readonly engine: DispatchEngine;
  readonly queue: InProcessQueue;
  /** Queues the repository's runs that need a worker (a job that died mid-phase left them working). */
  queueUnfinished(repository: string): Promise<void>;
  /** Advances every queued run; returns what became of each. */
  advanceQueued(): Promise<Map<string, AdvanceOutcome>>;
  stop(): Promise<void>;
}

export function actionHostId(env: { runId: string; runAttempt: string }): string {
  return `actions-${env.runId}-${env.runAttempt}-${randomUUID().slice(0, 8)}`;
}

export async function startActionEngine(options: ActionEngineOptions): Promise<ActionEngine> {
  const agent = options.config.agents[options.agent];
  if (!agent) throw new Error(`validated agent ${options.agent} is not in the config`);
  const queue = new InProcessQueue();
  const phaseTimeoutSeconds = options.config.engine.phaseTimeoutSeconds;
  const host = await openWorkerHost({
    prisma: options.prisma,
    connectionString: options.connectionString,
    queue,
    hostId: options.hostId,
    dataDir: options.dataDir,
    adapter: createSessionAdapter(agent, options.dataDir),
    defaultAgent: options.agent,
    registry: options.registry,
    shutdownDrainMs: options.config.engine.shutdownDrainSeconds * 1000,
    ...(phaseTimeoutSeconds ? { phaseTimeoutMs: phaseTimeoutSeconds * 1000 } : {}),
    gitAuthHeader: async () => options.gitAuthHeader,
    log: options.log,
  });
  const { context } = host;
  const engine = new DispatchEngine({ prisma: options.prisma, queue, log: options.log });
  return {
    engine,
    queue,
    async queueUnfinished(repository) {
      const runs = await runsNeedingWorker(options.prisma, { repository });
      for (const run of runs) await queue.enqueue(run.id);
    },
    async advanceQueued() {
      const outcomes = new Map<string, AdvanceOutcome>();
      for (let runId = queue.take(); runId !== undefined; runId = queue.take()) {
        const outcome = await advanceRun(context, runId);
        outcomes.set(runId, outcome);
        options.log.info({ runId, outcome }, "run advanced");
      }
      return outcomes;
    },
    stop: () => host.close(),
  };
}
