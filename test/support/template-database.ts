// One migrated template database per set of migrations; every test file clones it (CREATE DATABASE …
// TEMPLATE), which takes milliseconds where migrating takes a second, and gives each file its own rows.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { applyMigrations, migrationsDirectory, readMigrationList } from "../../src/db/index.js";

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function migrationsFingerprint(): Promise<string> {
  const list = await readMigrationList();
  const hash = createHash("sha256");
  for (const dir of list.migrationDirectories) {
    hash.update(dir.path);
    hash.update(await readFile(join(migrationsDirectory, dir.path, "migration.sql")));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Returns the name of a template database holding every migration, creating it if needed. */
export async function prepareTemplateDatabase(serverUrl: string): Promise<string> {
  const name = `devflow_template_${await migrationsFingerprint()}`;
  const admin = new pg.Client({ connectionString: databaseUrlFor(serverUrl, "postgres") });
  await admin.connect();
  try {
    // Two test runs on one server must not build the same template at once.
    await admin.query("SELECT pg_advisory_lock(hashtext($1))", [name]);
    const found = await admin.query("SELECT datistemplate FROM pg_database WHERE datname = $1", [name]);
    if (found.rows[0]?.datistemplate === true) return name;
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); // a half-built one
    await admin.query(`CREATE DATABASE "${name}"`);
    await applyMigrations({ connectionString: databaseUrlFor(serverUrl, name) });
    // Marked only once complete, so a crash mid-migration is rebuilt next time.
    await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    return name;
  } finally {
    await admin.query("SELECT pg_advisory_unlock(hashtext($1))", [name]).catch(() => {});
    await admin.end();
  }
}
