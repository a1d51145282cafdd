// The worker side of `devflow run`, in the CLI's own process, for one run: a SessionManager (its host
// lock, start-up recovery of the run's sessions, drain on shutdown) and the WorkerContext advanceRun
// needs. There is no BullMQ worker here: the CLI advances its own run only, never another run of a
// shared store; the host id is the machine's plus the run's, so two `devflow run`s (or a `devflow start`
// on the same machine) never contend for one lock, and `--resume` finds the run's sessions again.
import { join } from "node:path";
import type { AgentConfig, ServerConfig } from "../config/server-config.js";
import { AdvisoryLockPool } from "../db/advisory-lock-pool.js";
import { type AdvanceOutcome, advanceRun } from "../engine/advance-run.js";
import type { WorkerContext } from "../engine/worker-context.js";
import { DevflowError, isDevflowError } from "../errors/index.js";
import type { Registry } from "../registry/index.js";
import { createSessionAdapter } from "../sessions/create-session-adapter.js";
import type { SessionRecovery } from "../sessions/recover-host-sessions.js";
import { SessionManager } from "../sessions/session-manager.js";
import type { StateStore } from "./state-store.js";

export interface LocalWorkerOptions {
  store: StateStore;
  runId: string;
  /** The machine's host id (DEVFLOW_HOST_ID or the hostname). */
  hostId: string;
  dataDir: string;
  registry: Registry;
  config: ServerConfig;
  agentName: string;
  agent: AgentConfig;
}

export interface LocalWorker {
  readonly recovery: SessionRecovery;
  readonly context: WorkerContext;
  advance(): Promise<AdvanceOutcome>;
  /** Drains in-flight prompt sends and artifact polls (bounded by the config), then releases the lock. */
  stop(): Promise<void>;
}

export function cliHostId(hostId: string, runId: string): string {
  return `${hostId}.cli.${runId}`;
}

export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const { store, config } = options;
  const hostId = cliHostId(options.hostId, options.runId);
  const sessions = new SessionManager({
    prisma: store.prisma,
    connectionString: store.services.databaseUrl,
    hostId,
    adapter: createSessionAdapter(options.agent, options.dataDir),
    sessionsDir: join(options.dataDir, "sessions"),
    shutdownDrainMs: config.engine.shutdownDrainSeconds * 1000,
    log: (message, details) => store.log.warn(details ?? {}, message),
  });
  let recovery: SessionRecovery;
  try {
    recovery = await sessions.initialize();
  } catch (error) {
    if (isDevflowError(error, "session_manager_already_running")) {
      throw new DevflowError(`Run ${options.runId} is being run by another devflow process.`, {
        code: "run_busy",
        recoveryHint: `Let that process finish, or stop it (Ctrl-C) and continue here with \`devflow run --resume ${options.runId}\`.`,
        details: { runId: options.runId },
      });
    }
    throw error;
  }
  // One run, one lock: a pool of one connection, closed with the worker.
  const runLocks = new AdvisoryLockPool(store.services.databaseUrl, {
    maxIdle: 1,
    applicationName: "devflow-run-lock",
  });
  const context: WorkerContext = {
    prisma: store.prisma,
    runLocks,
    queue: store.queue,
    sessions,
    hostId,
    workspaceRoot: join(options.dataDir, "workspaces"),
    mirrorsDir: join(options.dataDir, "mirrors"),
    registry: options.registry,
    defaultAgent: options.agentName,
    log: store.log,
    ...(config.engine.phaseTimeoutSeconds
      ? { phaseTimeoutMs: config.engine.phaseTimeoutSeconds * 1000 }
      : {}),
  };
  let stopping: Promise<void> | undefined;
  return {
    recovery,
    context,
    advance: () => advanceRun(context, options.runId),
    stop() {
      stopping ??= sessions.shutdown().finally(() => runLocks.close());
      return stopping;
    },
  };
}
