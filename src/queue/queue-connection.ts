// One way to build BullMQ queues and workers on either backend, so the same code runs on Redis (when
// REDIS_URL is set: BullMQ's default and most battle-tested backend) and on BullMQ's Postgres backend
// (one process, embedded defaults: no Redis needed).
import {
  createPostgresBackend,
  type IQueueBackend,
  type Job,
  Queue,
  type QueueOptions,
  type RedisOptions,
  runMigrations,
  Worker,
  type WorkerOptions,
} from "bullmq";
import pg from "pg";

export type QueueConnection =
  /** `prefix` namespaces the Redis keys (BullMQ's default "bull"), so deployments can share a Redis. */
  | { readonly backend: "redis"; readonly url: string; readonly prefix?: string }
  | { readonly backend: "postgres"; readonly connectionString: string };

/** BullMQ's tables live in their own schema, apart from Prisma's. */
export const BULLMQ_SCHEMA = "bullmq";

// The backend-neutral types callers see: BullMQ's generics default to the Redis backend.
export type DevflowQueue<Data> = Queue<Data, unknown, string, Data, unknown, string, IQueueBackend, unknown>;
export type DevflowWorker<Data, Result> = Worker<Data, Result, string, IQueueBackend>;

type QueueOpts = Omit<QueueOptions, "connection">;
type WorkerOpts = Omit<WorkerOptions, "connection">;

/** Creates BullMQ's schema on a Postgres backend (idempotent; BullMQ serializes it with an advisory lock). */
export async function prepareQueueBackend(connection: QueueConnection): Promise<void> {
  if (connection.backend !== "postgres") return;
  const client = new pg.Client({ connectionString: connection.connectionString });
  await client.connect();
  try {
    await runMigrations(client, BULLMQ_SCHEMA);
  } finally {
    await client.end();
  }
}

/** Options rather than an ioredis instance, so BullMQ owns the connection and closes it on close(). */
function redisOptions(url: string, extra: RedisOptions): RedisOptions {
  return { url, ...extra };
}

function postgresConnection(connectionString: string, max: number) {
  return { connectionString, schema: BULLMQ_SCHEMA, max };
}

/** A producer. In a web process it should fail fast rather than buffer while Redis is away. */
export function createQueue<Data = unknown>(
  connection: QueueConnection,
  name: string,
  options: QueueOpts = {},
): DevflowQueue<Data> {
  if (connection.backend === "redis") {
    const redis = redisOptions(connection.url, { enableOfflineQueue: false });
    return new Queue<Data>(name, {
      ...options,
      ...(connection.prefix ? { prefix: connection.prefix } : {}),
      connection: redis,
    }) as unknown as DevflowQueue<Data>;
  }
  return new Queue(
    name,
    { ...options, connection: postgresConnection(connection.connectionString, 3) },
    createPostgresBackend,
  ) as unknown as DevflowQueue<Data>;
}

export function createWorker<Data = unknown, Result = unknown>(
  connection: QueueConnection,
  name: string,
  processor: (job: Job<Data, Result>) => Promise<Result>,
  options: WorkerOpts = {},
): DevflowWorker<Data, Result> {
  if (connection.backend === "redis") {
    // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null for them.
    const redis = redisOptions(connection.url, { maxRetriesPerRequest: null });
    return new Worker<Data, Result>(name, processor, {
      ...options,
      ...(connection.prefix ? { prefix: connection.prefix } : {}),
      connection: redis,
    }) as unknown as DevflowWorker<Data, Result>;
  }
  // A worker holds one LISTEN connection for good, plus its query pool.
  const max = Math.max(3, (options.concurrency ?? 1) + 2);
  return new Worker(
    name,
    processor,
    { ...options, connection: postgresConnection(connection.connectionString, max) },
    createPostgresBackend,
  ) as unknown as DevflowWorker<Data, Result>;
}

/** For logs and the test banner: never the URL (it may hold a password). */
export function describeQueueConnection(connection: QueueConnection): string {
  return connection.backend === "redis" ? "BullMQ on Redis" : "BullMQ on Postgres";
}
