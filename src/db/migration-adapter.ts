// The driver adapter Prisma's WASM schema engine talks through, with two repairs for adapter-pg 7.10.1
// (../shared/notes/prisma-offline.md, "Drift checks need two workarounds"). Both touch adapter
// internals: re-check them on every Prisma upgrade (test/db/migrations.test.ts fails if they break).
//  1. Introspection returns Postgres's internal `"char"` type (oid 18), which adapter-pg refuses to
//     deserialize. pg already hands it over as a one-character string: we let adapter-pg read it as
//     text, then tell the engine the column is a Character, as it expects (Postgres 18 lists NOT NULL
//     constraints with type 'n', which the engine reads as a char and panics on as text).
//  2. adapter-pg's `executeScript` splits a migration on every ";", which breaks any statement holding one
//     (a function body, a string). Like Prisma's native engine, we send the script whole (Postgres's
//     simple query protocol runs multi-statement scripts).
//  3. adapter-pg's own shadow database ignores the database name when given a connection string (it
//     would run the shadow migrations against the main database) and leaks the database on failure.
//     We create the shadow database ourselves over a separate admin connection and always drop it.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from "@prisma/driver-adapter-utils";
import pg from "pg";

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

interface PerformIoResult {
  fields: { dataTypeID: number }[];
}
interface WithPerformIo {
  performIO(query: unknown): Promise<PerformIoResult>;
  onError(error: unknown): never;
}

function repair(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  const queryable = adapter as unknown as WithPerformIo;
  // queryRaw passes its query object to performIO: key the "char" columns found by it.
  const charColumns = new WeakMap<object, number[]>();
  const performIO = queryable.performIO.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    const found: number[] = [];
    result.fields.forEach((field, index) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        found.push(index);
      }
    });
    if (found.length > 0 && typeof query === "object" && query !== null) charColumns.set(query, found);
    return result;
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query: SqlQuery) => {
    const result = await queryRaw(query);
    for (const index of charColumns.get(query) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      queryable.onError(error);
    }
  };
  return adapter;
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  /** The engine's free() does not end the pools it used; we do, or they keep the process alive. */
  private readonly pools = new Set<pg.Pool>();

  constructor(private readonly connectionString: string) {}

  private newPool(connectionString: string): pg.Pool {
    const pool = new pg.Pool({ connectionString, max: 2 });
    pool.on("error", () => {});
    this.pools.add(pool);
    return pool;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const pool = this.newPool(this.connectionString);
    return repair(await new PrismaPg(pool).connect(), pool);
  }

  async close(): Promise<void> {
    const pools = [...this.pools];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `devflow_shadow_${randomUUID().replaceAll("-", "")}`;
    const admin = new pg.Client({ connectionString: this.connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } catch (error) {
      await admin.end();
      throw error;
    }
    const pool = this.newPool(withDatabase(this.connectionString, database));
    const adapter = repair(await new PrismaPg(pool).connect(), pool);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      try {
        await dispose();
        this.pools.delete(pool);
        await pool.end();
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    };
    return adapter;
  }
}
