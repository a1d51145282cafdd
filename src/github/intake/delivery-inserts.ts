// Group commit for the webhook endpoint's one insert. Deliveries that arrive while earlier inserts are on
// their way wait and go together in the next statement: one socket write, one commit and one WAL flush for
// all of them instead of one each. On a busy endpoint that is most of what an acknowledgement costs
// (bench/webhook); a lone delivery still goes at once. Each delivery's promise resolves only once the
// statement that holds it has committed, so an acknowledgement is as durable as before. A statement that
// fails is tried again row by row, so one bad row fails only its own delivery. node-postgres has no
// batching of its own and pg-promise's helpers only build the statement, hence this small module.
import type pg from "pg";

/** The values of one WebhookDelivery row, in `columns` order; the first is the delivery id. */
export type DeliveryRow = readonly unknown[];

export interface DeliveryInserts {
  /** Inserts the row unless its delivery id or event key is known; true when it was inserted. */
  insert(row: DeliveryRow): Promise<boolean>;
}

export interface DeliveryInsertsOptions {
  /** The table's columns the rows give values for. */
  columns: string;
  /** Statements on their way at once (each on a connection of its own). Default 2. */
  maxInFlight?: number;
  /** Rows per statement at most (a power of two). Default 32. */
  maxRows?: number;
}

interface Waiting {
  row: DeliveryRow;
  resolve(inserted: boolean): void;
  reject(error: unknown): void;
}

export function createDeliveryInserts(pool: pg.Pool, options: DeliveryInsertsOptions): DeliveryInserts {
  const maxInFlight = options.maxInFlight ?? 2;
  const maxRows = options.maxRows ?? 32;
  const width = options.columns.split(",").length;
  const waiting: Waiting[] = [];
  let inFlight = 0;

  // Named per row count, so Postgres plans each shape once per connection; each text is built once.
  const statements = new Map<number, { name: string; text: string }>();
  const statement = (rows: number) => {
    let built = statements.get(rows);
    if (!built) {
      const tuples = Array.from(
        { length: rows },
        (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(", ")})`,
      );
      built = {
        name: `devflow-record-deliveries-${rows}`,
        text: `INSERT INTO "WebhookDelivery" (${options.columns}) VALUES ${tuples.join(", ")}
        ON CONFLICT DO NOTHING RETURNING "deliveryId"`,
      };
      statements.set(rows, built);
    }
    return built;
  };

  /** Which of the rows were inserted: of rows sharing a delivery id, only the first can have been. */
  async function insertRows(rows: readonly DeliveryRow[]): Promise<boolean[]> {
    const result = await pool.query<{ deliveryId: string }>({
      ...statement(rows.length),
      values: rows.flat(),
    });
    const inserted = new Set(result.rows.map((row) => row.deliveryId));
    return rows.map((row) => inserted.delete(row[0] as string));
  }

  async function send(batch: Waiting[]): Promise<void> {
    try {
      const inserted = await insertRows(batch.map((w) => w.row));
      for (const [i, w] of batch.entries()) w.resolve(inserted[i] ?? false);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // Which row failed is not said: each goes alone, and only the bad one fails.
      await Promise.all(
        batch.map(async (w) => {
          try {
            w.resolve((await insertRows([w.row]))[0] ?? false);
          } catch (alone) {
            w.reject(alone);
          }
        }),
      );
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && waiting.length > 0) {
      // A power of two rows: few statement shapes, each prepared once per connection and soon warm.
      const batch = waiting.splice(0, 2 ** Math.floor(Math.log2(Math.min(waiting.length, maxRows))));
      inFlight += 1;
      void send(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return {
    insert(row) {
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ row, resolve, reject });
        pump();
      });
    },
  };
}
