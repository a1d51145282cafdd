// Provides the database and the queue connection for start-up and tests: the operator's DATABASE_URL
// and REDIS_URL when set, otherwise services devflow starts itself (DESIGN §5).
import { DevflowError } from "../errors/index.js";
import type { QueueConnection } from "../queue/index.js";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { findRedisServer, spawnRedisServer } from "./redis-server.js";

export type QueueOrigin = "REDIS_URL" | "spawned redis-server" | "Postgres";

export interface ServicesOptions {
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  /** devflow's data directory; the embedded Postgres lives in it. */
  dataDir: string;
  /**
   * Without REDIS_URL: "postgres" queues on BullMQ's Postgres backend (one process, embedded
   * defaults); "spawn-redis" starts a redis-server from PATH when there is one, else uses Postgres.
   */
  withoutRedisUrl: "postgres" | "spawn-redis";
  /** When another devflow process runs the embedded Postgres: refuse (servers) or share it (the CLI). */
  embeddedWhenInUse?: "refuse" | "share";
  log?: (line: string) => void;
}

export interface Services {
  readonly databaseUrl: string;
  /** The embedded Postgres's superuser URL (test set-up only); undefined with DATABASE_URL. */
  readonly adminDatabaseUrl?: string;
  readonly databaseOrigin: "DATABASE_URL" | "embedded Postgres";
  readonly queue: QueueConnection;
  readonly queueOrigin: QueueOrigin;
  /** Stops what this call started (never the operator's own services), last started first. */
  stop(): Promise<void>;
}

export async function startServices(options: ServicesOptions): Promise<Services> {
  const log = options.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    let databaseUrl = options.databaseUrl;
    let adminDatabaseUrl: string | undefined;
    let databaseOrigin: Services["databaseOrigin"] = "DATABASE_URL";
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({
        dataDir: options.dataDir,
        whenInUse: options.embeddedWhenInUse ?? "refuse",
        log,
      });
      stops.push(() => embedded.stop());
      databaseUrl = embedded.connectionString;
      adminDatabaseUrl = embedded.adminConnectionString;
      databaseOrigin = "embedded Postgres";
    }

    let queue: QueueConnection = { backend: "postgres", connectionString: databaseUrl };
    let queueOrigin: QueueOrigin = "Postgres";
    if (options.redisUrl) {
      queue = { backend: "redis", url: options.redisUrl };
      queueOrigin = "REDIS_URL";
    } else if (options.withoutRedisUrl === "spawn-redis" && findRedisServer()) {
      const redis = await spawnRedisServer();
      stops.push(() => redis.stop());
      queue = { backend: "redis", url: redis.url };
      queueOrigin = "spawned redis-server";
    }
    return {
      databaseUrl,
      ...(adminDatabaseUrl ? { adminDatabaseUrl } : {}),
      databaseOrigin,
      queue,
      queueOrigin,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    if (error instanceof DevflowError) throw error;
    throw new DevflowError(
      `Starting devflow's services failed: ${(error as Error)?.message ?? String(error)}`,
      {
        code: "internal_error",
        cause: error,
      },
    );
  }
}
