import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client.js";

export type { PrismaClient } from "./generated/client.js";

export interface DatabaseClient {
  readonly prisma: PrismaClient;
  /** The pool under Prisma, for the few things Prisma cannot do (advisory locks, LISTEN). */
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseClientOptions {
  /** Upper bound of connections; size it deliberately (embedded Postgres allows 100 in all). */
  maxConnections?: number;
  applicationName?: string;
}

/** A Prisma client on its own pg pool, which `close()` ends (Prisma does not end a pool it was given). */
export function createDatabaseClient(
  connectionString: string,
  options: DatabaseClientOptions = {},
): DatabaseClient {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? "devflow",
  });
  // An idle client losing its connection (Postgres restarted) must not crash the process; the next
  // query reconnects or fails with a clear error where it is made.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
