// The role devflow works as on its embedded Postgres: not the cluster's superuser (which can run
// programs with `COPY … TO PROGRAM` and read any file the server can), but a plain LOGIN role that
// owns devflow's database and everything in it — enough for Prisma's migrations and BullMQ's schema.
// Clusters made by earlier versions, where devflow worked as the superuser, are handed over on start.
import pg from "pg";

export interface AppRole {
  readonly user: string;
  readonly password: string;
}

const ME = "(SELECT oid FROM pg_roles WHERE rolname = current_user)";

/** SQL identifier, quoted. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * As the superuser (`adminUrl`, any database of the cluster): creates or resets `role` without any
 * privilege attribute, creates `database` owned by it, or hands an existing one over to it with every
 * object in it that the superuser owns.
 */
export async function ensureAppDatabase(adminUrl: string, database: string, role: AppRole): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let handOver = false;
  try {
    const attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
    const exists = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role.user]);
    const verb = exists.rowCount === 0 ? "CREATE" : "ALTER";
    // The password as a literal: utility statements take no parameters (it is base64url, no quotes).
    await admin.query(
      `${verb} ROLE ${ident(role.user)} ${attributes} PASSWORD '${role.password.replaceAll("'", "''")}'`,
    );
    const found = await admin.query<{ owner: string }>(
      "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1",
      [database],
    );
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${ident(database)} OWNER ${ident(role.user)}`);
    } else if (found.rows[0]?.owner !== role.user) {
      await admin.query(`ALTER DATABASE ${ident(database)} OWNER TO ${ident(role.user)}`);
      handOver = true;
    }
  } finally {
    await admin.end();
  }
  if (handOver) await handOverObjects(adminUrl, database, role.user);
}

/**
 * Gives `role` what the superuser owns in `database` (a cluster of an earlier version): schemas, tables
 * with their sequences, views, standalone sequences, types and routines. REASSIGN OWNED cannot do it:
 * the superuser made by initdb owns the system catalogs too.
 */
async function handOverObjects(adminUrl: string, database: string, role: string): Promise<void> {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const to = ident(role);
    const userSchemas =
      "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'";
    await client.query("BEGIN");
    const schemas = await client.query<{ name: string }>(
      `SELECT quote_ident(n.nspname) AS name FROM pg_namespace n WHERE n.nspowner = ${ME} AND ${userSchemas}`,
    );
    for (const { name } of schemas.rows) await client.query(`ALTER SCHEMA ${name} OWNER TO ${to}`);
    // Tables first: a table takes the sequences of its serial and identity columns with it.
    const relations = await client.query<{ name: string; kind: string }>(
      `SELECT c.oid::regclass::text AS name, c.relkind AS kind FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relowner = ${ME} AND ${userSchemas} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        ORDER BY c.relkind = 'S'`,
    );
    const keyword: Record<string, string> = {
      v: "VIEW",
      m: "MATERIALIZED VIEW",
      f: "FOREIGN TABLE",
      S: "SEQUENCE",
    };
    for (const { name, kind } of relations.rows) {
      if (kind === "S") {
        const still = await client.query(
          `SELECT 1 FROM pg_class WHERE oid = $1::regclass AND relowner = ${ME}`,
          [name],
        );
        if (still.rowCount === 0) continue; // moved with its table
      }
      await client.query(`ALTER ${keyword[kind] ?? "TABLE"} ${name} OWNER TO ${to}`);
    }
    const types = await client.query<{ name: string }>(
      `SELECT t.oid::regtype::text AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typowner = ${ME} AND ${userSchemas} AND t.typelem = 0
          AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))`,
    );
    for (const { name } of types.rows) await client.query(`ALTER TYPE ${name} OWNER TO ${to}`);
    const routines = await client.query<{ name: string }>(
      `SELECT p.oid::regprocedure::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proowner = ${ME} AND ${userSchemas}`,
    );
    for (const { name } of routines.rows) await client.query(`ALTER ROUTINE ${name} OWNER TO ${to}`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
