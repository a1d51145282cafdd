// What every worker needs before it can advance a run, in one place for the three kinds of worker (a
// worker host, `devflow run`'s local worker, the GitHub Action's job): the SessionManager with its host
// lock and start-up recovery (DESIGN §7 item 1: recovery completes before anything else runs), the
// pooled run locks, and the WorkerContext handed to advanceRun.
import { join } from "node:path";
import type { PrismaClient } from "../db/index.js";
import { AdvisoryLockPool } from "../db/index.js";
import type { AdvanceQueue } from "../queue/index.js";
import type { Registry } from "../registry/index.js";
import type { SessionAdapter } from "../sessions/index.js";
import { SessionManager } from "../sessions/index.js";
import { recoverRunsOfFailedSessions, type SessionRecovery } from "./recover-runs.js";
import type { EngineLog, WorkerContext } from "./worker-context.js";

export interface WorkerHostOptions {
  prisma: PrismaClient;
  /** For the host lock's and the run locks' own connections. */
  connectionString: string;
  queue: AdvanceQueue;
  hostId: string;
  /** Workspaces, mirrors and sessions live under it. */
  dataDir: string;
  /** The default agent's adapter. */
  adapter: SessionAdapter;
  /** Every operator agent's adapter, by name (a repository may choose among them per role). */
  agents?: ReadonlyMap<string, SessionAdapter>;
  defaultAgent: string;
  registry: Registry;
  /** Runs advanced at once: the run-lock connections kept open for reuse. */
  concurrency?: number;
  shutdownDrainMs?: number;
  phaseTimeoutMs?: number;
  artifactPollMs?: number;
  gitAuthHeader?: WorkerContext["gitAuthHeader"];
  limits?: WorkerContext["limits"];
  /** The server config's `budgets`. */
  budgets?: WorkerContext["budgets"];
  budgetPollMs?: number;
  /** Where the output of sessions whose adapter streams it (tmux panes) goes (transcripts in Postgres). */
  onOutput?: (sessionId: string, lines: string[]) => void;
  log: EngineLog;
}

export interface WorkerHost {
  readonly sessions: SessionManager;
  readonly context: WorkerContext;
  readonly recovery: SessionRecovery;
  /** Drains in-flight session work (bounded), releases the host lock, closes the run-lock connections. */
  close(): Promise<void>;
}

/** Takes the host lock and recovers this host's sessions; throws `session_manager_already_running`. */
export async function openWorkerHost(options: WorkerHostOptions): Promise<WorkerHost> {
  const { log } = options;
  const sessions = new SessionManager({
    prisma: options.prisma,
    connectionString: options.connectionString,
    hostId: options.hostId,
    adapter: options.adapter,
    ...(options.agents ? { agents: options.agents } : {}),
    sessionsDir: join(options.dataDir, "sessions"),
    ...(options.shutdownDrainMs !== undefined ? { shutdownDrainMs: options.shutdownDrainMs } : {}),
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    log: (message, details) => log.warn(details ?? {}, message),
  });
  const report = await sessions.initialize();
  let recovery: SessionRecovery;
  try {
    recovery = await recoverRunsOfFailedSessions(options.prisma, report, {
      workspaceRoot: join(options.dataDir, "workspaces"),
      registry: options.registry,
      ...(options.limits ? { limits: options.limits } : {}),
    });
  } catch (error) {
    await sessions.shutdown();
    throw error;
  }
  const runLocks = new AdvisoryLockPool(options.connectionString, {
    maxIdle: (options.concurrency ?? 1) + 1,
    applicationName: "devflow-run-lock",
  });
  const context: WorkerContext = {
    prisma: options.prisma,
    runLocks,
    queue: options.queue,
    sessions,
    hostId: options.hostId,
    workspaceRoot: join(options.dataDir, "workspaces"),
    mirrorsDir: join(options.dataDir, "mirrors"),
    registry: options.registry,
    defaultAgent: options.defaultAgent,
    log,
    ...(options.phaseTimeoutMs !== undefined ? { phaseTimeoutMs: options.phaseTimeoutMs } : {}),
    ...(options.artifactPollMs !== undefined ? { artifactPollMs: options.artifactPollMs } : {}),
    ...(options.gitAuthHeader ? { gitAuthHeader: options.gitAuthHeader } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.concurrency !== undefined ? { maxActiveRuns: options.concurrency } : {}),
    ...(options.budgets ? { budgets: options.budgets } : {}),
    ...(options.budgetPollMs !== undefined ? { budgetPollMs: options.budgetPollMs } : {}),
  };
  let closing: Promise<void> | undefined;
  return {
    sessions,
    context,
    recovery,
    close() {
      closing ??= sessions.shutdown().finally(() => runLocks.close());
      return closing;
    },
  };
}
