// The worker side of the engine inside the action's one process: the same SessionManager, worker
// context and advanceRun as a worker host, fed by an in-process queue instead of BullMQ. A run is
// stepped until it waits for a human, ends, another job holds it, or this job has run its one phase:
// a job starts at most one phase (or continues the one an earlier job left), so no job timeout cuts a
// phase; the next event or the workflow's schedule continues the run.
import { randomUUID } from "node:crypto";
import type { ServerConfig } from "../config/index.js";
import type { PrismaClient } from "../db/index.js";
import type { EngineLog, WorkerContext } from "../engine/index.js";
import {
  type AdvanceOutcome,
  advanceRun,
  DispatchEngine,
  openWorkerHost,
  restartClockOfUnstartedPhase,
  runHasEnded,
  runsNeedingWorker,
} from "../engine/index.js";
import type { Registry } from "../registry/index.js";
import { createSessionAdapter } from "../sessions/index.js";
import { InProcessQueue } from "./in-process-queue.js";

export interface ActionEngineOptions {
  prisma: PrismaClient;
  connectionString: string;
  registry: Registry;
  config: ServerConfig;
  /** The agent every role runs with. */
  agent: string;
  /** Overrides every phase's timeout so that a phase fits the job (see phase-budget.ts). */
  phaseTimeoutSeconds?: number;
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
  advanceQueued(): Promise<Map<string, JobOutcome>>;
  /** This job has sent a phase its prompt: it starts no other phase. */
  readonly phaseRun: boolean;
  stop(): Promise<void>;
}

/** `next_job`: this job ran its one phase; the run's next phase waits for the next job. */
export type JobOutcome = AdvanceOutcome | "next_job";

export function actionHostId(env: { runId: string; runAttempt: string }): string {
  return `actions-${env.runId}-${env.runAttempt}-${randomUUID().slice(0, 8)}`;
}

export async function startActionEngine(options: ActionEngineOptions): Promise<ActionEngine> {
  const agent = options.config.agents[options.agent];
  if (!agent) throw new Error(`validated agent ${options.agent} is not in the config`);
  const queue = new InProcessQueue();
  const { phaseTimeoutSeconds } = options;
  const host = await openWorkerHost({
    prisma: options.prisma,
    connectionString: options.connectionString,
    queue,
    hostId: options.hostId,
    dataDir: options.dataDir,
    adapter: createSessionAdapter(agent, options.dataDir, options.config.sandbox),
    defaultAgent: options.agent,
    registry: options.registry,
    shutdownDrainMs: options.config.engine.shutdownDrainSeconds * 1000,
    ...(phaseTimeoutSeconds ? { phaseTimeoutMs: phaseTimeoutSeconds * 1000 } : {}),
    gitAuthHeader: async () => options.gitAuthHeader,
    budgets: options.config.budgets,
    log: options.log,
  });
  const budget = { phaseRun: false };
  const context = onePhasePerJob(host.context, budget);
  const engine = new DispatchEngine({ prisma: options.prisma, queue, log: options.log });
  return {
    engine,
    queue,
    async queueUnfinished(repository) {
      const runs = await runsNeedingWorker(options.prisma, { repository });
      for (const run of runs) await queue.enqueue(run.id);
    },
    async advanceQueued() {
      const outcomes = new Map<string, JobOutcome>();
      for (let runId = queue.take(); runId !== undefined; runId = queue.take()) {
        if (!budget.phaseRun) await restartClockOfUnstartedPhase(options.prisma, runId);
        let outcome: JobOutcome = await advanceRun(context, runId);
        if (outcome === "shutting_down" && !host.context.sessions.isClosing) {
          // Stopped by the one-phase budget. A run that has just ended still gets its final report
          // now: an ended run starts no phase.
          const ended = await runHasEnded(options.prisma, runId);
          outcome = ended ? await advanceRun(host.context, runId) : "next_job";
        }
        outcomes.set(runId, outcome);
        options.log.info({ runId, outcome }, "run advanced");
      }
      return outcomes;
    },
    get phaseRun() {
      return budget.phaseRun;
    },
    stop: () => host.close(),
  };
}

/**
 * The worker context with a session manager that reads as closing once a prompt was sent in this job:
 * advanceRun looks at `isClosing` only between steps, so the phase under way finishes and the run stops
 * before its next one.
 */
function onePhasePerJob(context: WorkerContext, budget: { phaseRun: boolean }): WorkerContext {
  const real = context.sessions;
  const sessions = new Proxy(real, {
    get(target, property) {
      if (property === "isClosing") return target.isClosing || budget.phaseRun;
      if (property === "sendPrompt") {
        return (...args: Parameters<typeof real.sendPrompt>) => {
          budget.phaseRun = true;
          return target.sendPrompt(...args);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...context, sessions };
}
