// A fresh database per measurement on the machine's Postgres server, migrated through the same code
// users go through, with the built-in templates stored; dropped at the end.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { applyMigrations, createDatabaseClient, type DatabaseClient } from "../../src/db/index.js";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../../src/registry/index.js";
import { onAbort } from "./abort-cleanup.js";

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** The bench's own client (the "web" side: start, decide, observe). */
  readonly client: DatabaseClient;
  drop(): Promise<void>;
}

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(serverUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

export async function createBenchDatabase(serverUrl: string, label: string): Promise<BenchDatabase> {
  const name = `devflow_bench_${label}_${randomBytes(4).toString("hex")}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrlFor(serverUrl, name);
  const forget = onAbort(() => drop());
  const drop = () =>
    withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
      forget,
    );
  try {
    await applyMigrations({ connectionString: url });
    const client = createDatabaseClient(url, { applicationName: "devflow-bench" });
    await storeRegistry(client.prisma, await loadRegistry(builtinTemplatesDir()), { source: "builtin" });
    return {
      name,
      url,
      client,
      async drop() {
        await client.close().catch(() => {});
        await drop();
      },
    };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

/** The server's version line, e.g. "PostgreSQL 15.20". */
export async function postgresVersion(serverUrl: string): Promise<string> {
  return withAdmin(serverUrl, async (admin) => {
    const result = await admin.query<{ version: string }>("SELECT version() AS version");
    return (result.rows[0]?.version ?? "unknown").split(" on ")[0] ?? "unknown";
  });
}
