// devflow's server processes (`devflow start [all|web|worker]`): services, migrations, the registry,
// the health endpoint, and by role the dispatch engine (web) and/or a worker host, and the GitHub app —
// or, without credentials, the setup page that registers it.
import {
  DEFAULT_HOST,
  type Environment,
  loadServerConfig,
  UNREGISTERED_HOST,
  unsandboxedAgents,
} from "../config/index.js";
import { applyMigrations, createDatabaseClient, type DatabaseClient } from "../db/index.js";
import { DispatchEngine } from "../engine/index.js";
import { readSavedAppCredentials } from "../github/index.js";
import { describeQueueConnection, prepareQueueBackend, RunQueue } from "../queue/index.js";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../registry/index.js";
import { createSessionAdapter } from "../sessions/index.js";
import { createTranscriptWriter, createWebDashboard, pruneTranscripts } from "../web/index.js";
import { type GitHubSide, startGitHubSide } from "./github-side.js";
import { type HealthServer, startHealthServer } from "./health-server.js";
import type { Logger } from "./logger.js";
import { secureDataDir } from "./secure-data-dir.js";
import { startServices } from "./services.js";
import { startWorker } from "./start-worker.js";

export type ServerRole = "all" | "web" | "worker";

export interface RunningDevflow {
  readonly url: string;
  readonly port: number;
  readonly engine: DispatchEngine;
  /** Stops everything this process started, in reverse order; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartDevflowOptions {
  env: Environment;
  logger: Logger;
  role?: ServerRole;
}

export async function startDevflow({
  env,
  logger,
  role = "all",
}: StartDevflowOptions): Promise<RunningDevflow> {
  const startedAt = performance.now();
  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup.run();
        } catch (error) {
          logger.warn({ err: error, step: cleanup.name }, "shutdown step failed");
        }
      }
    })();
    return stopping;
  };

  // Bad configuration stops start-up before anything is started or written.
  const config = loadServerConfig(env.configPath);
  // GitHub App credentials: the environment's, else those the setup page saved in the data directory.
  const saved = env.github ? undefined : readSavedAppCredentials(env.dataDir);
  let github: GitHubSide | undefined;
  let health: HealthServer | undefined;
  try {
    // Unregistered and HOST unset: loopback only, so the setup page is not offered to the network.
    const unregistered = !env.github && !saved && role !== "worker";
    health = await startHealthServer(env.port, env.host ?? (unregistered ? UNREGISTERED_HOST : DEFAULT_HOST));
    const server = health;
    cleanups.push({ name: "health server", run: () => server.close() });
    logger.info({ url: `${health.url}/healthz` }, "health endpoint listening (503 until start-up is done)");

    const tightened = secureDataDir(env.dataDir);
    if (tightened.length > 0) logger.warn({ paths: tightened }, "closed the data directory to other users");
    const services = await startServices({
      databaseUrl: env.databaseUrl,
      redisUrl: env.redisUrl,
      dataDir: env.dataDir,
      withoutRedisUrl: "postgres",
      log: (line) => logger.info(line),
    });
    cleanups.push({ name: "services", run: () => services.stop() });
    logger.info({ database: services.databaseOrigin, queue: services.queueOrigin }, "services ready");

    const applied = await applyMigrations({ connectionString: services.databaseUrl });
    logger.info({ applied }, applied.length > 0 ? "database migrated" : "database schema up to date");
    await prepareQueueBackend(services.queue);

    const database: DatabaseClient = createDatabaseClient(services.databaseUrl, {
      applicationName: "devflow-web",
    });
    cleanups.push({ name: "database client", run: () => database.close() });
    const registry = await loadRegistry(builtinTemplatesDir());
    const stored = await storeRegistry(database.prisma, registry, { source: "builtin" });
    const templates = [...registry.workflows.keys()];
    logger.info({ templates, inserted: stored.inserted }, "registry loaded");

    let engine: DispatchEngine;
    let runQueue: RunQueue;
    if (role === "web") {
      const queue = new RunQueue(services.queue);
      runQueue = queue;
      cleanups.push({ name: "run queue", run: () => queue.close() });
      engine = new DispatchEngine({ prisma: database.prisma, queue, log: logger });
    } else {
      // The agents' output goes to Postgres as it is produced, so any web process can stream it.
      const transcripts = createTranscriptWriter({
        prisma: database.prisma,
        chunkBytes: config.transcriptChunkBytes,
        onError: (error, sessionId) =>
          logger.warn({ sessionId, err: error.message }, "a transcript chunk was not stored"),
      });
      // Every operator agent gets its adapter: a repository may pick any of them per role.
      const agents = new Map(
        Object.entries(config.agents).map(([name, agent]) => [
          name,
          createSessionAdapter(
            agent,
            env.dataDir,
            config.sandbox,
            config.limits,
            config.prices,
            transcripts.onOutput,
          ),
        ]),
      );
      cleanups.push({ name: "transcript chunks", run: () => transcripts.flush() }); // after the worker stops
      for (const name of unsandboxedAgents(config)) {
        logger.warn(
          { agent: name },
          `agent ${name} runs WITHOUT a sandbox (sandbox: none in the server config): it sees devflow's data directory and its processes can outlive their phase`,
        );
      }
      const defaultAdapter = agents.get(config.defaultAgent);
      if (!defaultAdapter) throw new Error("validated config lost its default agent");
      const worker = await startWorker({
        prisma: database.prisma,
        connectionString: services.databaseUrl,
        queue: services.queue,
        hostId: env.hostId,
        dataDir: env.dataDir,
        adapter: defaultAdapter,
        agents,
        registry,
        defaultAgent: config.defaultAgent,
        maxConcurrentRuns: config.maxConcurrentRuns,
        reconcileEveryMs: config.engine.reconcileEverySeconds * 1000,
        shutdownDrainMs: config.engine.shutdownDrainSeconds * 1000,
        ...(config.engine.phaseTimeoutSeconds
          ? { phaseTimeoutMs: config.engine.phaseTimeoutSeconds * 1000 }
          : {}),
        // Asked per run, so an app registered on the setup page while running is used at once.
        gitAuthHeader: async (run) => github?.gitAuthHeader(run),
        limits: config.limits,
        budgets: config.budgets,
        onOutput: transcripts.onOutput,
        log: logger,
      });
      cleanups.push({ name: "worker", run: () => worker.stop() });
      engine = worker.engine;
      runQueue = worker.runQueue;
      logger.info(
        { hostId: env.hostId, recovery: worker.recovery, reports: worker.finalReportRecovery },
        "worker ready",
      );
    }

    github = await startGitHubSide({
      env,
      saved,
      role,
      server,
      deps: { prisma: database.prisma, engine, serverConfig: config, log: logger },
      databaseUrl: services.databaseUrl,
      log: logger,
    });
    cleanups.push({ name: "github app", run: () => github?.stop() ?? Promise.resolve() });
    if (role !== "worker") {
      // Transcripts (and, when configured, reports) of runs finished past the retention go, hourly.
      const prune = () =>
        pruneTranscripts(database.prisma, config.retention).then(
          (pruned) => pruned.chunks + pruned.reports > 0 && logger.info(pruned, "old transcripts pruned"),
          (error: Error) => logger.warn({ err: error.message }, "pruning old transcripts failed"),
        );
      void prune();
      const pruning = setInterval(prune, 3600_000);
      pruning.unref();
      cleanups.push({ name: "transcript retention", run: async () => clearInterval(pruning) });
      const side = github;
      github.addRoute(
        createWebDashboard({
          prisma: database.prisma,
          engine,
          log: logger,
          dataDir: env.dataDir,
          ...(env.oauthClient ? { oauthClient: env.oauthClient } : {}),
          githubEnterprise: env.githubEnterprise,
          repositoryContext: (installationId, fullName) => side.repositoryContext(installationId, fullName),
          deps: { prisma: database.prisma, engine, serverConfig: config, log: logger },
          queueCounts: () => runQueue.queue.getJobCounts(),
          queues: [runQueue.queue],
          admins: config.dashboard.admins,
          appOwner: () => side.appOwner(),
        }),
      );
    }

    const startupMs = Math.round(performance.now() - startedAt);
    health.setState("ready", {
      role,
      database: services.databaseOrigin,
      queue: describeQueueConnection(services.queue),
      templates,
      hostId: env.hostId,
      startupMs,
    });
    logger.info({ url: health.url, startupMs }, "devflow is ready");
    github.announce();
    cleanups.push({ name: "mark stopping", run: async () => server.setState("stopping") });
    return { url: health.url, port: health.port, engine, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
