// The worker side of `devflow run`, in the CLI's own process, for one run: a SessionManager (its host
// lock, start-up recovery of the run's sessions, drain on shutdown) and the WorkerContext advanceRun
// needs. There is no BullMQ worker here: the CLI advances its own run only, never another run of a
// shared store; the host id is the machine's plus the run's, so two `devflow run`s (or a `devflow start`
// on the same machine) never contend for one lock, and `--resume` finds the run's sessions again.
import type { AgentConfig, ServerConfig } from "../config/index.js";
import type { SessionRecovery, WorkerContext } from "../engine/index.js";
import { type AdvanceOutcome, advanceRun, openWorkerHost, type WorkerHost } from "../engine/index.js";
import { DevflowError, isDevflowError } from "../errors/index.js";
import type { Registry } from "../registry/index.js";
import { createSessionAdapter } from "../sessions/index.js";
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
  if (options.agent.preset !== "fake" && options.agent.sandbox === "none") {
    store.log.warn(
      { agent: options.agentName },
      `agent ${options.agentName} runs WITHOUT a sandbox (sandbox: none in the server config)`,
    );
  }
  let host: WorkerHost;
  try {
    host = await openWorkerHost({
      prisma: store.prisma,
      connectionString: store.services.databaseUrl,
      queue: store.queue,
      hostId,
      dataDir: options.dataDir,
      adapter: createSessionAdapter(
        options.agent,
        options.dataDir,
        config.sandbox,
        config.limits,
        config.prices,
      ),
      defaultAgent: options.agentName,
      registry: options.registry,
      shutdownDrainMs: config.engine.shutdownDrainSeconds * 1000,
      ...(config.engine.phaseTimeoutSeconds
        ? { phaseTimeoutMs: config.engine.phaseTimeoutSeconds * 1000 }
        : {}),
      limits: config.limits,
      budgets: config.budgets,
      log: store.log,
    });
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
  const { context, recovery } = host;
  return {
    recovery,
    context,
    advance: () => advanceRun(context, options.runId),
    stop: () => host.close(),
  };
}
