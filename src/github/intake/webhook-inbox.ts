// The durable webhook inbox (DESIGN §1): the endpoint stores each verified delivery here by its
// X-GitHub-Delivery and answers GitHub at once; this processor takes them out and hands them to the app.
// A delivery is claimed by a row lock inside a transaction on a connection of its own, held while it is
// processed: a process killed mid-way (even with SIGKILL) loses its connection, Postgres drops the lock,
// and the delivery is claimed again at once — by another web process, or by this one after its restart.
// Deliveries that share an order key (one issue or pull request) are processed one at a time, in the
// order they arrived; others side by side. A failed delivery is retried with backoff, and is marked
// failed after `maxAttempts` so it no longer holds back the deliveries after it (`devflow deliveries
// replay` puts it back). What is written about a delivery is delivery-log.ts's.
import pg from "pg";
import type { EngineLog } from "../../engine/index.js";
import { failDelivery, finishDelivery } from "./delivery-log.js";

export interface InboxDelivery {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

export interface InboxProcessorOptions {
  connectionString: string;
  /** Processes one delivery; resolves with the outcome recorded on its row, rejects to retry it. */
  process(delivery: InboxDelivery): Promise<string>;
  log: EngineLog;
  /** Deliveries processed at once (each holds a database connection). Default 4. */
  concurrency?: number;
  /** How often to look for deliveries stored by other processes or due again. Default 500 ms. */
  pollMs?: number;
  /** Attempts before a delivery is marked failed. Default 6 (about a minute of backoff). */
  maxAttempts?: number;
  /** Called once a delivery is marked failed for good, before that commits (tells its sender). */
  failedForGood?(delivery: InboxDelivery, attempts: number): Promise<void>;
  /**
   * The webhook endpoint's load (acknowledgement-load.ts): answering GitHub comes first, so while
   * deliveries arrive in a burst the processor waits as long as this says before it claims a delivery.
   */
  acknowledgements?: { waitBeforeStarting(lastStartedAt: number): number };
  /**
   * A wake-up (a delivery just stored) claims after this long, not at once: the first deliveries of a
   * burst come before the burst can be told, and a claim started then would compete with the rest.
   * Default 20 ms.
   */
  settleMs?: number;
}

export interface InboxProcessor {
  /** A delivery was just stored: look now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

interface ClaimedRow {
  deliveryId: string;
  event: string;
  body: string;
  attempts: number;
}

/** Deliveries about one issue or pull request share a key and are processed in order. */
export function orderKeyOf(payload: unknown): string | undefined {
  const p = payload as {
    repository?: { full_name?: string };
    issue?: { number?: number };
    pull_request?: { number?: number };
    check_run?: { pull_requests?: { number?: number }[] };
  };
  const repository = p.repository?.full_name;
  if (!repository) return undefined;
  const number = p.issue?.number ?? p.pull_request?.number ?? p.check_run?.pull_requests?.[0]?.number;
  return number === undefined ? undefined : `${repository}#${number}`;
}

// The oldest due delivery that no earlier unprocessed delivery of its order key holds back. Rows stored
// without a body (processed inline by the GitHub Action, or before the inbox) are not the inbox's.
const CLAIM = `
  SELECT "deliveryId", "event", "body", "attempts" FROM "WebhookDelivery" d
  WHERE d."processedAt" IS NULL AND d."body" IS NOT NULL AND d."notBefore" <= now()
    AND NOT EXISTS (
      SELECT 1 FROM "WebhookDelivery" e
      WHERE e."orderKey" = d."orderKey" AND e."processedAt" IS NULL AND e."body" IS NOT NULL
        AND (e."receivedAt", e."deliveryId") < (d."receivedAt", d."deliveryId"))
  ORDER BY d."receivedAt", d."deliveryId"
  LIMIT 1
  FOR UPDATE OF d SKIP LOCKED`;

/** @octokit/webhooks wraps handler errors in an AggregateError: the messages inside say what failed. */
export function failureMessage(error: unknown): string {
  const inner = (error as { errors?: unknown[] }).errors ?? [error];
  return inner.map((cause) => (cause as Error)?.message ?? String(cause)).join("; ");
}

async function claim(pool: pg.Pool): Promise<{ client: pg.PoolClient; row: ClaimedRow } | undefined> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<ClaimedRow>(CLAIM);
    const row = rows[0];
    if (row) return { client, row };
    await client.query("ROLLBACK");
    client.release();
    return undefined;
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}

async function processClaimed(
  options: InboxProcessorOptions,
  client: pg.PoolClient,
  row: ClaimedRow,
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 6;
  let broken: Error | undefined;
  try {
    let outcome: string | undefined;
    let failure: string | undefined;
    let delivery: InboxDelivery | undefined;
    try {
      delivery = { id: row.deliveryId, name: row.event, payload: JSON.parse(row.body) };
      outcome = await options.process(delivery);
    } catch (error) {
      failure = failureMessage(error).slice(0, 2000);
    }
    if (failure === undefined) {
      await finishDelivery(client, row.deliveryId, outcome ?? "handled");
    } else {
      const attempts = row.attempts + 1;
      const exhausted = attempts >= maxAttempts;
      await failDelivery(client, row.deliveryId, {
        attempts,
        error: failure,
        ...(exhausted ? {} : { retryInSeconds: Math.min(300, 2 ** attempts) }),
      });
      options.log[exhausted ? "error" : "warn"](
        { deliveryId: row.deliveryId, event: row.event, attempts, err: failure },
        exhausted
          ? "webhook delivery failed for good; later deliveries of its issue go on"
          : "webhook delivery failed; it will be retried",
      );
      // Its sender is told; a notice that cannot be written is logged, and the failure stands.
      if (exhausted && delivery)
        await options
          .failedForGood?.(delivery, attempts)
          .catch((error) =>
            options.log.error(
              { deliveryId: row.deliveryId, err: (error as Error).message },
              "could not tell the sender of a failed webhook delivery",
            ),
          );
    }
    await client.query("COMMIT");
  } catch (error) {
    // The connection failed: the row stays unprocessed and unlocked, and is claimed again.
    broken = error as Error;
    options.log.warn({ deliveryId: row.deliveryId, err: broken.message }, "inbox connection failed");
  } finally {
    client.release(broken);
  }
}

export function startInboxProcessor(options: InboxProcessorOptions): InboxProcessor {
  const concurrency = options.concurrency ?? 4;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: concurrency,
    application_name: "devflow-inbox",
  });
  pool.on("error", () => {}); // an idle connection's failure: the next claim opens another
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const inFlight = new Set<Promise<void>>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
      for (const running of inFlight) void running.then(done);
    });
  let lastClaimAt = 0;
  const loop = (async () => {
    while (!stopped) {
      if (inFlight.size >= concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const wait = options.acknowledgements?.waitBeforeStarting(lastClaimAt) ?? 0;
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      lastClaimAt = Date.now();
      const claimed = await claim(pool).catch((error) => {
        options.log.warn({ err: (error as Error).message }, "inbox: could not claim a delivery");
        return undefined;
      });
      if (!claimed) {
        await pause(options.pollMs ?? 500);
        continue;
      }
      const running = processClaimed(options, claimed.client, claimed.row).finally(() =>
        inFlight.delete(running),
      );
      inFlight.add(running);
    }
    await Promise.all(inFlight);
  })();
  const settleMs = options.settleMs ?? 20;
  let settling: NodeJS.Timeout | undefined;
  return {
    wake() {
      // One timer for all the wake-ups that come while it runs.
      settling ??= setTimeout(() => {
        settling = undefined;
        woken = true;
        wakeUp?.();
      }, settleMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(settling);
      wakeUp?.();
      await loop;
      await pool.end();
    },
  };
}
