// Each test file gets a database of its own, cloned from the migrated template: files run in parallel
// and never see each other's rows.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDatabaseClient, type PrismaClient } from "../../src/db/index.js";
import { databaseUrlFor } from "./template-database.js";

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly prisma: PrismaClient;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: databaseUrlFor(inject("postgresServerUrl"), "postgres") });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A new, empty database (no migrations applied). */
export async function createEmptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `devflow_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrlFor(inject("postgresServerUrl"), name),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

/** A new database holding every migration, with a Prisma client on it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `devflow_test_${randomBytes(6).toString("hex")}`;
  const template = inject("templateDatabase");
  await withAdmin(async (admin) => {
    // CREATE DATABASE … TEMPLATE fails while another clone of the same template is starting; retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        const busy = (error as { code?: string }).code === "55006"; // object_in_use
        if (!busy || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  });
  const url = databaseUrlFor(inject("postgresServerUrl"), name);
  const client = createDatabaseClient(url, { maxConnections: 5, applicationName: "devflow-test" });
  return {
    name,
    url,
    prisma: client.prisma,
    async drop() {
      await client.close();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
