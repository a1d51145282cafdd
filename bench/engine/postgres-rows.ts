// Rows and bytes in the tables a parked run occupies.
import type pg from "pg";
import { count, mib, table } from "./stats.js";

const TABLES = [
  "Run",
  "RunEvent",
  "PhaseAttempt",
  "Session",
  "PromptDelivery",
  "ApprovalRequest",
  "OutboxEffect",
];

export interface RowFigures {
  tables: Record<string, { rows: number; bytes: number }>;
  databaseBytes: number;
}

export async function parkedRows(pool: pg.Pool): Promise<RowFigures> {
  await pool.query(`VACUUM ANALYZE ${TABLES.map((name) => `"${name}"`).join(", ")}`);
  const tables: RowFigures["tables"] = {};
  for (const name of TABLES) {
    const result = await pool.query<{ rows: string; bytes: string }>(
      `SELECT count(*) AS rows, pg_total_relation_size($1::regclass) AS bytes FROM "${name}"`,
      [`"${name}"`],
    );
    tables[name] = { rows: Number(result.rows[0]?.rows ?? 0), bytes: Number(result.rows[0]?.bytes ?? 0) };
  }
  const size = await pool.query<{ bytes: string }>("SELECT pg_database_size(current_database()) AS bytes");
  return { tables, databaseBytes: Number(size.rows[0]?.bytes ?? 0) };
}

export function rowsTable(before: RowFigures, after: RowFigures): string {
  const rows = TABLES.map((name) => {
    const was = before.tables[name] ?? { rows: 0, bytes: 0 };
    const now = after.tables[name] ?? { rows: 0, bytes: 0 };
    return [`  ${name}`, count(was.rows), count(now.rows), mib(now.bytes)];
  });
  rows.push(["  database", "", "", `${mib(before.databaseBytes)} → ${mib(after.databaseBytes)}`]);
  return table(["table", "rows before", "rows after", "size after (with indexes)"], rows);
}
