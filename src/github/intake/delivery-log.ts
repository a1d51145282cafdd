// The webhook delivery log (WebhookDelivery rows, DESIGN §1), its three operations in one place:
// - record: a delivery arrives. Recorded by its X-GitHub-Delivery id and its event's identity before
//   anything else happens; only a fresh one is acted on. The webhook endpoint stores the verified body
//   with it for the inbox to process.
// - finish: its processing ended. Handled: the outcome is kept and the body dropped. Failed: retried after
//   a backoff, or, once out of attempts, failed for good — kept *with its body*, so an operator can replay
//   it (failed-deliveries.ts). A processed row keeps a body only when it failed for good.
// - forget: the inline path (the GitHub Action) could not handle it: the record goes, so the event is
//   processed when it comes again rather than ignored as seen.
import pg from "pg";
import type { PrismaClient } from "../../db/index.js";
import { createDeliveryInserts, type DeliveryInserts } from "./delivery-inserts.js";
import { eventIdentity, payloadSha256 } from "./event-identity.js";

/** Where the log's statements run: Prisma, or a pg connection (the inbox's, which holds the row's lock). */
export type LogConnection = PrismaClient | Pick<pg.ClientBase, "query">;

/** Runs one statement on Prisma or a pg connection; how many rows it changed. */
async function execute(db: LogConnection, text: string, values: unknown[]): Promise<number> {
  if ("$executeRawUnsafe" in db) return db.$executeRawUnsafe(text, ...values);
  return (await db.query({ text, values })).rowCount ?? 0;
}

export interface DeliveryFacts {
  deliveryId: string;
  event: string;
  action?: string | undefined;
  installationId?: number | undefined;
  repository?: string | undefined;
  payload: unknown;
  /** The verified body, stored for the inbox to process (absent when the caller processes it inline). */
  body?: string | undefined;
  /** Deliveries with the same key are processed in arrival order (see `orderKeyOf`). */
  orderKey?: string | undefined;
}

/** A new delivery; one seen before (GitHub's redelivery, a duplicate); or a replay of another's event. */
export type RecordedDelivery =
  | { kind: "fresh" }
  | { kind: "seen" }
  | { kind: "replay"; eventKey: string; originalDeliveryId: string };

const COLUMNS = `"deliveryId", "event", "action", "installationId", "repository", "payloadSha256", "orderKey"`;
const INSERT_COLUMNS = `${COLUMNS}, "eventKey", "body"`;
const INSERT = `INSERT INTO "WebhookDelivery" (${INSERT_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`;
const INSERT_REPLAY = `INSERT INTO "WebhookDelivery" (${COLUMNS}, "processedAt", "outcome")
  VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8) ON CONFLICT DO NOTHING`;

/** The webhook endpoint's fast path: inserts on connections of its own, concurrent ones grouped. */
export interface DeliveryStore {
  readonly inserts: DeliveryInserts;
  close(): Promise<void>;
}

export function openDeliveryStore(connectionString: string): DeliveryStore {
  // Each insert waits for its commit's WAL flush (the acknowledgement is durable): the statements on
  // their way need connections of their own, never behind the inbox's claims.
  const maxInFlight = 2;
  const pool = new pg.Pool({ connectionString, max: maxInFlight, application_name: "devflow-webhooks" });
  pool.on("error", () => {}); // an idle connection's failure: the next insert opens another
  return {
    inserts: createDeliveryInserts(pool, { columns: INSERT_COLUMNS, maxInFlight }),
    close: () => pool.end(),
  };
}

/**
 * Records a delivery. A fresh one is one insert (through the endpoint's `store` when given). A replay
 * (the same event under another delivery id) is recorded as ignored, so the original delivery and the
 * replay can both be found.
 */
export async function recordDelivery(
  prisma: PrismaClient,
  facts: DeliveryFacts,
  store?: DeliveryStore,
): Promise<RecordedDelivery> {
  const digest = payloadSha256(facts.payload, facts.body);
  const eventKey = eventIdentity(facts.event, facts.payload, digest);
  const row = [
    facts.deliveryId,
    facts.event,
    facts.action ?? null,
    facts.installationId ?? null,
    facts.repository ?? null,
    digest,
    facts.orderKey ?? null,
  ];
  const values = [...row, eventKey, facts.body ?? null];
  // Twice at most: the original's row can vanish between the two statements (its handler failed).
  for (let attempt = 0; attempt < 2; attempt++) {
    const fresh = store ? await store.inserts.insert(values) : (await execute(prisma, INSERT, values)) === 1;
    if (fresh) return { kind: "fresh" };
    const found = await prisma.webhookDelivery.findMany({
      where: { OR: [{ deliveryId: facts.deliveryId }, { eventKey }] },
      select: { deliveryId: true },
    });
    if (found.some((known) => known.deliveryId === facts.deliveryId)) return { kind: "seen" };
    const original = found[0];
    if (!original) continue;
    const outcome = `ignored: replay of delivery ${original.deliveryId}`;
    return (await execute(prisma, INSERT_REPLAY, [...row, outcome])) === 1
      ? { kind: "replay", eventKey, originalDeliveryId: original.deliveryId }
      : { kind: "seen" };
  }
  return { kind: "seen" };
}

/** The delivery was handled: its outcome is kept, its body dropped. */
export async function finishDelivery(db: LogConnection, deliveryId: string, outcome: string): Promise<void> {
  await execute(
    db,
    `UPDATE "WebhookDelivery" SET "processedAt" = now(), "outcome" = $2, "body" = NULL WHERE "deliveryId" = $1`,
    [deliveryId, outcome],
  );
}

export interface DeliveryFailure {
  /** Failed attempts so far, this one included. */
  attempts: number;
  error: string;
  /** Seconds until the next attempt; undefined: none, the delivery failed for good. */
  retryInSeconds?: number;
}

/** The delivery's processing failed: tried again after a backoff, or failed for good (its body kept). */
export async function failDelivery(
  db: LogConnection,
  deliveryId: string,
  failure: DeliveryFailure,
): Promise<void> {
  if (failure.retryInSeconds !== undefined) {
    await execute(
      db,
      `UPDATE "WebhookDelivery" SET "attempts" = $2, "lastError" = $3,
         "notBefore" = now() + make_interval(secs => $4) WHERE "deliveryId" = $1`,
      [deliveryId, failure.attempts, failure.error, failure.retryInSeconds],
    );
    return;
  }
  await execute(
    db,
    `UPDATE "WebhookDelivery" SET "attempts" = $2, "lastError" = $3, "processedAt" = now(), "outcome" = $4
       WHERE "deliveryId" = $1`,
    [deliveryId, failure.attempts, failure.error, failedOutcome(failure.attempts)],
  );
}

export const failedOutcome = (attempts: number) => `failed after ${attempts} attempts`;

/** The inline path could not handle the delivery: its record goes, so it is processed when it comes again. */
export async function forgetDelivery(prisma: PrismaClient, deliveryId: string): Promise<void> {
  await prisma.webhookDelivery.deleteMany({ where: { deliveryId } });
}

/** What the log holds about one delivery, or null when it was never recorded (or forgotten). */
export function deliveryRecord(prisma: PrismaClient, deliveryId: string) {
  return prisma.webhookDelivery.findUnique({
    where: { deliveryId },
    select: { deliveryId: true, processedAt: true, outcome: true },
  });
}
