// devflow works on its embedded Postgres as a role that owns its database and nothing more: not the
// cluster's superuser, which could run a program (`COPY … TO PROGRAM`) or read any file the server can.
// A cluster of an earlier version, where devflow worked as the superuser, is handed over on start.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/db/index.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../src/server/embedded-postgres.js";

const dirs: string[] = [];
let marker: string;

beforeAll(async () => {
  marker = join(await freshDir(), "copy-to-program-ran");
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "devflow-pg-role-"));
  await chmod(dir, 0o777); // the postgres user (devflow runs as root here) may write the marker
  dirs.push(dir);
  return dir;
}

async function query(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function superuserUrl(dataDir: string, postgres: EmbeddedPostgres, database: string): string {
  const { user, password } = JSON.parse(readFileSync(join(dataDir, "postgres", "settings.json"), "utf8"));
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/${database}`;
}

/** What a hostile agent holding devflow's DATABASE_URL would try; each must fail for lack of privilege. */
async function expectNoServerPrivileges(connectionString: string): Promise<void> {
  const attempts = [
    `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`,
    "SELECT pg_read_file('/etc/passwd')",
    "CREATE ROLE intruder SUPERUSER LOGIN",
    "ALTER ROLE current_user SUPERUSER",
  ];
  for (const sql of attempts) {
    await expect(query(connectionString, sql), sql).rejects.toMatchObject({ code: "42501" });
  }
  expect(existsSync(marker)).toBe(false);
  const { rows } = await query(
    connectionString,
    "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user",
  );
  expect(rows).toEqual([{ rolsuper: false, rolcreaterole: false, rolcreatedb: false }]);
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Every object in devflow's schemas, with its owner. */
async function owners(connectionString: string): Promise<string[]> {
  const { rows } = await query(
    connectionString,
    `SELECT DISTINCT pg_get_userbyid(owner) AS owner FROM (
       SELECT c.relowner AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'bullmq')
       UNION ALL SELECT t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname IN ('public', 'bullmq')
       UNION ALL SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'bullmq')
       UNION ALL SELECT nspowner FROM pg_namespace WHERE nspname = 'bullmq'
       UNION ALL SELECT datdba FROM pg_database WHERE datname = current_database()) AS objects`,
  );
  return rows.map((row) => row.owner as string);
}

describe("the embedded Postgres role devflow works as", () => {
  it("on a new cluster, owns devflow's database (migrations and the queue schema work) but cannot run a program or read server files; its files are 0600", async () => {
    const dataDir = await freshDir();
    const postgres = await startEmbeddedPostgres({ dataDir });
    try {
      const { connectionString } = postgres;
      await expectNoServerPrivileges(connectionString);
      expect(new URL(connectionString).username).toBe("devflow_app");
      expect((await applyMigrations({ connectionString })).length).toBeGreaterThan(0);
      await prepareQueueBackend({ backend: "postgres", connectionString });
      expect(await owners(connectionString)).toEqual(["devflow_app"]);
      expect(modeOf(join(dataDir, "postgres", "settings.json"))).toBe(0o600);
      expect(modeOf(join(dataDir, "postgres", "postgres.log"))).toBe(0o600);
      expect(modeOf(join(dataDir, "postgres"))).toBe(0o700);
    } finally {
      await postgres.stop();
    }
  });

  it("hands a cluster made by an earlier version (devflow as the superuser) over to the role on its next start", async () => {
    const dataDir = await freshDir();
    const settingsPath = join(dataDir, "postgres", "settings.json");
    const first = await startEmbeddedPostgres({ dataDir });
    await applyMigrations({ connectionString: first.connectionString });
    await prepareQueueBackend({ backend: "postgres", connectionString: first.connectionString });
    // Back to what earlier versions left: everything the superuser's, no role, the old settings file.
    const asSuperuser = superuserUrl(dataDir, first, "devflow");
    await query(
      asSuperuser,
      "REASSIGN OWNED BY devflow_app TO devflow; ALTER DATABASE devflow OWNER TO devflow",
    );
    await query(superuserUrl(dataDir, first, "postgres"), "DROP ROLE devflow_app");
    const { user, password } = JSON.parse(readFileSync(settingsPath, "utf8"));
    writeFileSync(settingsPath, JSON.stringify({ user, password }));
    await chmod(settingsPath, 0o644);
    await chmod(join(dataDir, "postgres", "postgres.log"), 0o644);
    expect(await owners(asSuperuser)).toEqual(["devflow"]);
    await first.stop();

    const next = await startEmbeddedPostgres({ dataDir });
    try {
      const { connectionString } = next;
      expect(new URL(connectionString).username).toBe("devflow_app");
      expect(await owners(connectionString)).toEqual(["devflow_app"]);
      expect(await applyMigrations({ connectionString })).toEqual([]); // schema up to date, as the owner
      await prepareQueueBackend({ backend: "postgres", connectionString });
      await query(connectionString, `UPDATE "Run" SET "title" = "title"`); // writes, as the owner
      expect((await query(connectionString, `SELECT count(*) AS n FROM "Run"`)).rows).toEqual([{ n: "0" }]);
      await expectNoServerPrivileges(connectionString);
      expect(modeOf(settingsPath)).toBe(0o600);
      expect(modeOf(join(dataDir, "postgres", "postgres.log"))).toBe(0o600);
      expect(JSON.parse(readFileSync(settingsPath, "utf8")).app.user).toBe("devflow_app");
    } finally {
      await next.stop();
    }
  });
});
