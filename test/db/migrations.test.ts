import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, diffSchemas, migrationsDirectory, readMigrationList } from "../../src/db/index.js";
import { schemaPath } from "../../src/db/migrations.js";
import { isDevflowError } from "../../src/errors/index.js";
import { createEmptyDatabase } from "../support/database.js";

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("offline migrations through Prisma's WASM schema engine", () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let firstApply: string[];

  beforeAll(async () => {
    db = await createEmptyDatabase();
    firstApply = await applyMigrations({ connectionString: db.url });
  });
  afterAll(() => db.drop());

  it("applies every migration in prisma/migrations to an empty database", async () => {
    const list = await readMigrationList();
    expect(firstApply).toEqual(list.migrationDirectories.map((dir) => dir.path));
    expect(firstApply.length).toBeGreaterThan(0);
  });

  it("records them in _prisma_migrations with the checksums `prisma migrate deploy` uses", async () => {
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      db.url,
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    for (const row of rows) {
      const sql = await readFile(join(migrationsDirectory, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).not.toBeNull();
    }
    expect(rows.map((row) => row.migration_name)).toEqual(firstApply);
  });

  it("changes nothing when applied a second time", async () => {
    const before = await query(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    expect(await applyMigrations({ connectionString: db.url })).toEqual([]);
    expect(await query(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name')).toEqual(before);
  });

  it("leaves the database exactly as schema.prisma describes it (no drift)", async () => {
    const diff = await diffSchemas(db.url, { kind: "database" }, { kind: "schema" });
    expect(diff.sql).toBe("");
    expect(diff.same).toBe(true);
  });

  it("replays the migrations in a shadow database to the same schema, and drops the shadow database", async () => {
    const diff = await diffSchemas(db.url, { kind: "migrations" }, { kind: "schema" });
    expect(diff).toEqual({ same: true, sql: "" });
    const leftovers = await query(
      db.url,
      "SELECT datname FROM pg_database WHERE datname LIKE 'devflow_shadow_%'",
    );
    expect(leftovers).toEqual([]);
  });

  it("catches a schema change that has no migration", async () => {
    const dir = await mkdtemp(join(tmpdir(), "devflow-schema-"));
    const changed = join(dir, "schema.prisma");
    const original = await readFile(schemaPath, "utf8");
    await writeFile(changed, original.replace("model AuditEntry {", "model AuditEntry {\n  extra String?"));
    const diff = await diffSchemas(db.url, { kind: "database" }, { kind: "schema", path: changed });
    expect(diff.same).toBe(false);
    expect(diff.sql).toContain('ADD COLUMN     "extra" TEXT');
  });
});

describe("a migration that fails", () => {
  it("is reported as migration_failed, and the next run refuses until a human repairs it", async () => {
    const db = await createEmptyDatabase();
    try {
      const dir = await mkdtemp(join(tmpdir(), "devflow-migrations-"));
      await cp(migrationsDirectory, dir, { recursive: true });
      await mkdir(join(dir, "99990101000000_broken"));
      await writeFile(
        join(dir, "99990101000000_broken", "migration.sql"),
        "ALTER TABLE no_such_table ADD COLUMN x int;",
      );

      const first = await applyMigrations({ connectionString: db.url, migrationsDir: dir }).catch((e) => e);
      expect(isDevflowError(first, "migration_failed")).toBe(true);
      expect(first.message).toContain("no_such_table");
      expect(first.message.split("\n")).toHaveLength(1);

      const second = await applyMigrations({ connectionString: db.url, migrationsDir: dir }).catch((e) => e);
      expect(isDevflowError(second, "migration_previously_failed")).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it("is reported as database_unreachable when the database does not answer", async () => {
    const error = await applyMigrations({ connectionString: "postgresql://nobody@127.0.0.1:1/none" }).catch(
      (e) => e,
    );
    expect(isDevflowError(error, "database_unreachable")).toBe(true);
  });
});
