// Applies prisma/migrations offline through Prisma's WASM schema engine, recording each migration in
// `_prisma_migrations` exactly as `prisma migrate deploy` does (same checksums), so either tool can
// take over a database from the other.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { MigrationList, SchemaFilter } from "@prisma/schema-engine-wasm/schema_engine_bg";
import { DevflowError } from "../errors/index.js";
import { openSchemaEngine } from "./schema-engine.js";

/** The repository's `prisma/` directory; the same path from `src/db/` (tsx) and `dist/db/` (built). */
export const prismaDirectory = resolve(fileURLToPath(new URL("../../prisma", import.meta.url)));
export const migrationsDirectory = join(prismaDirectory, "migrations");
export const schemaPath = join(prismaDirectory, "schema.prisma");

export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

export async function readMigrationList(baseDir: string = migrationsDirectory): Promise<MigrationList> {
  if (!existsSync(baseDir)) {
    throw new DevflowError(`No migrations directory at ${baseDir}.`, { code: "migrations_missing" });
  }
  const entries = await readdir(baseDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: await readFile(join(baseDir, name, "migration.sql"), "utf8") },
      },
    })),
  );
  const lockfilePath = join(baseDir, "migration_lock.toml");
  return {
    baseDir,
    lockfile: {
      path: "migration_lock.toml",
      content: existsSync(lockfilePath) ? await readFile(lockfilePath, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

export interface ApplyMigrationsOptions {
  connectionString: string;
  migrationsDir?: string;
  log?: (line: string) => void;
}

/** Applies every pending migration; returns the names applied (empty when up to date). */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<string[]> {
  const migrationsList = await readMigrationList(options.migrationsDir);
  if (migrationsList.migrationDirectories.length === 0) {
    throw new DevflowError(`The migrations directory ${migrationsList.baseDir} holds no migration.`, {
      code: "migrations_missing",
    });
  }
  const { engine, close } = await openEngineOrExplain(options.connectionString, options.log);
  try {
    const output = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return output.appliedMigrationNames;
  } catch (error) {
    throw explainEngineError(error);
  } finally {
    await close();
  }
}

export async function openEngineOrExplain(connectionString: string, log?: (line: string) => void) {
  try {
    return await openSchemaEngine(log ? { connectionString, log } : { connectionString });
  } catch (error) {
    throw new DevflowError(`Could not connect to the database to migrate it: ${firstLine(error)}`, {
      code: "database_unreachable",
      cause: error,
    });
  }
}

interface EngineError {
  code?: string;
  message?: string;
}

/** Engine errors carry a Rust span trace; keep the readable first line and the Prisma code. */
export function explainEngineError(error: unknown): DevflowError {
  const engineError = (error ?? {}) as EngineError;
  if (engineError.code === "P3009") {
    return new DevflowError(`A migration failed earlier and was never finished: ${firstLine(error)}`, {
      code: "migration_previously_failed",
      cause: error,
      details: { prismaCode: "P3009" },
    });
  }
  return new DevflowError(`Migrating the database failed: ${firstLine(error)}`, {
    code: "migration_failed",
    cause: error,
    details: engineError.code ? { prismaCode: engineError.code } : {},
  });
}

/** The readable part of an engine error: its lines up to the Rust span trace ("   0: …"), on one line. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines: string[] = [];
  for (const line of message.split("\n")) {
    if (/^\s+\d+: /.test(line)) break;
    if (line.trim() !== "") lines.push(line.trim());
  }
  return lines.join(" — ") || "unknown error";
}
