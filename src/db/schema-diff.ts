// Compares the Prisma schema with the migrations (replayed in a throwaway shadow database) or with a
// live database. Used to write new migrations (scripts/create-migration.ts) and to prove there is no
// drift (test/db/migrations.test.ts).
import { readFile } from "node:fs/promises";
import type { DiffTarget } from "@prisma/schema-engine-wasm/schema_engine_bg";
import {
  explainEngineError,
  NO_FILTERS,
  openEngineOrExplain,
  readMigrationList,
  schemaPath,
} from "./migrations.js";

export interface SchemaDiff {
  /** True when the two sides describe the same database. */
  same: boolean;
  /** The SQL that turns `from` into `to` (empty when same). */
  sql: string;
}

export type DiffSide =
  | { kind: "empty" }
  | { kind: "migrations"; migrationsDir?: string }
  | { kind: "schema"; path?: string }
  | { kind: "database" };

export async function diffSchemas(
  connectionString: string,
  from: DiffSide,
  to: DiffSide,
): Promise<SchemaDiff> {
  const { engine, close } = await openEngineOrExplain(connectionString);
  try {
    const result = await engine.diff({
      from: await toTarget(from),
      to: await toTarget(to),
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    });
    const sql = result.stdout ?? "";
    return { same: result.exitCode === 0, sql: result.exitCode === 0 ? "" : sql };
  } catch (error) {
    throw explainEngineError(error);
  } finally {
    await close();
  }
}

async function toTarget(side: DiffSide): Promise<DiffTarget> {
  switch (side.kind) {
    case "empty":
      return { tag: "empty" };
    case "migrations":
      return { tag: "migrations", ...(await readMigrationList(side.migrationsDir)) };
    case "schema": {
      const path = side.path ?? schemaPath;
      return { tag: "schemaDatamodel", files: [{ path, content: await readFile(path, "utf8") }] };
    }
    case "database": {
      // The datasource comes from the engine's adapter; the schema only names the provider.
      const path = schemaPath;
      return {
        tag: "schemaDatasource",
        files: [{ path, content: await readFile(path, "utf8") }],
        configDir: ".",
      };
    }
  }
}
