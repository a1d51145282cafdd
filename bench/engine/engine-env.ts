// One engine under test: a fresh database, a fresh git remote and data directory, a worker host in a
// process of its own, and the bench's "web" side (a DispatchEngine on its own RunQueue, as the web
// process has) that starts runs and decides.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { prepareQueueBackend, type QueueConnection } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { onAbort } from "./abort-cleanup.js";
import { type BenchDatabase, createBenchDatabase } from "./bench-database.js";
import { createGitRemote } from "./git-fixture.js";
import { redisServer } from "./machine.js";
import type { BackendName, BenchOptions } from "./options.js";
import { WorkerHost } from "./worker-host.js";

/** Redis keys under a prefix of the bench's own, so a devflow sharing this Redis never sees its jobs. */
export function queueConnection(backend: BackendName, redisUrl: string, databaseUrl: string) {
  const prefix = `devflow-bench-${randomBytes(3).toString("hex")}`;
  const connection: QueueConnection =
    backend === "redis"
      ? { backend: "redis", url: redisUrl, prefix }
      : { backend: "postgres", connectionString: databaseUrl };
  return connection;
}

export function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `devflow-bench-${prefix}-`)));
  chmodSync(dir, 0o755);
  return dir;
}

export class EngineEnv {
  readonly engine: DispatchEngine;
  readonly runQueue: RunQueue;
  private worker: WorkerHost | undefined;
  private readonly forgetQueue: () => void;
  /** The local redis-server's process id (Redis backend), for CPU figures. */
  redisPid: number | undefined;

  private constructor(
    readonly backend: BackendName,
    readonly db: BenchDatabase,
    readonly queue: QueueConnection,
    readonly remote: string,
    private readonly root: string,
    private readonly options: BenchOptions,
  ) {
    this.runQueue = new RunQueue(queue);
    this.forgetQueue = onAbort(async () => {
      await this.runQueue.queue.obliterate({ force: true }).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    });
    this.engine = new DispatchEngine({ prisma: db.client.prisma, queue: this.runQueue, log: silentLog });
  }

  static async open(backend: BackendName, options: BenchOptions, label: string): Promise<EngineEnv> {
    const db = await createBenchDatabase(options.serverUrl, `${label}_${backend}`);
    const root = tempDir(label);
    try {
      const queue = queueConnection(backend, options.redisUrl, db.url);
      await prepareQueueBackend(queue);
      const env = new EngineEnv(backend, db, queue, createGitRemote(root), root, options);
      if (backend === "redis") env.redisPid = (await redisServer(options.redisUrl))?.pid;
      return env;
    } catch (error) {
      await db.drop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  get host(): WorkerHost {
    if (!this.worker) throw new Error("the worker host is not started");
    return this.worker;
  }

  /** Starts the devflow worker host (startWorker, fake agent) in a process of its own. */
  async startHost(reconcileEveryMs: number): Promise<WorkerHost> {
    this.worker = await WorkerHost.start({
      mode: "engine",
      databaseUrl: this.db.url,
      queue: this.queue,
      hostId: `bench-${randomBytes(4).toString("hex")}`,
      dataDir: join(this.root, "data"),
      concurrency: this.options.concurrency,
      artifactPollMs: this.options.artifactPollMs,
      reconcileEveryMs,
    });
    return this.worker;
  }

  /** Process ids of the services serving this engine: its database's Postgres backends, redis-server. */
  async servicePids(): Promise<{ postgres: number[]; redis: number[] }> {
    const result = await this.db.client.pool.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
    );
    const redis = this.redisPid !== undefined && Number.isFinite(this.redisPid) ? [this.redisPid] : [];
    return { postgres: result.rows.map((row) => row.pid), redis };
  }

  runInput(index: number) {
    return {
      repository: this.remote,
      baseBranch: "main",
      requirements: `# Bench run ${index}\n\nAdd a note file (the fake agent writes it).`,
    };
  }

  async close(): Promise<void> {
    await this.worker?.stop().catch((error) => console.error(`  (worker stop: ${error})`));
    await this.runQueue.queue.obliterate({ force: true }).catch(() => {});
    this.forgetQueue();
    await this.runQueue.close().catch(() => {});
    await this.db.drop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
