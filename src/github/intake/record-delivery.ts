import type pg from "pg";
import type { PrismaClient } from "../../db/generated/client.js";
import { eventIdentity, payloadSha256 } from "./event-identity.js";

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

/**
 * Records a webhook delivery by its X-GitHub-Delivery id and its event's identity before anything else
 * happens. Only a fresh delivery is acted on. A replay (the same event under another delivery id) is
 * recorded as ignored, so the original delivery and the replay can both be found.
 */
export async function recordDelivery(
  prisma: PrismaClient,
  facts: DeliveryFacts,
  /** The webhook endpoint's fast path: one plain insert, Prisma only when it meets a conflict. */
  pool?: pg.Pool,
): Promise<RecordedDelivery> {
  const eventKey = eventIdentity(facts.event, facts.payload);
  if (pool) {
    const inserted = await pool.query(
      `INSERT INTO "WebhookDelivery" ("deliveryId", "event", "action", "installationId", "repository",
         "payloadSha256", "orderKey", "eventKey", "body")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        facts.deliveryId,
        facts.event,
        facts.action ?? null,
        facts.installationId ?? null,
        facts.repository ?? null,
        payloadSha256(facts.payload),
        facts.orderKey ?? null,
        eventKey,
        facts.body ?? null,
      ],
    );
    if (inserted.rowCount === 1) return { kind: "fresh" };
  }
  const row = {
    deliveryId: facts.deliveryId,
    event: facts.event,
    action: facts.action ?? null,
    installationId: facts.installationId === undefined ? null : BigInt(facts.installationId),
    repository: facts.repository ?? null,
    payloadSha256: payloadSha256(facts.payload),
    orderKey: facts.orderKey ?? null,
  };
  // Twice at most: the original's row can vanish between the two statements (its handler failed).
  for (let attempt = 0; attempt < 2; attempt++) {
    const inserted = await prisma.webhookDelivery.createMany({
      data: [{ ...row, eventKey, body: facts.body ?? null }],
      skipDuplicates: true,
    });
    if (inserted.count === 1) return { kind: "fresh" };
    const seen = await prisma.webhookDelivery.findUnique({
      where: { deliveryId: facts.deliveryId },
      select: { deliveryId: true },
    });
    if (seen) return { kind: "seen" };
    const original = await prisma.webhookDelivery.findUnique({
      where: { eventKey },
      select: { deliveryId: true },
    });
    if (!original) continue;
    const replay = await prisma.webhookDelivery.createMany({
      data: [
        {
          ...row,
          processedAt: new Date(),
          outcome: `ignored: replay of delivery ${original.deliveryId}`,
        },
      ],
      skipDuplicates: true,
    });
    return replay.count === 1
      ? { kind: "replay", eventKey, originalDeliveryId: original.deliveryId }
      : { kind: "seen" };
  }
  return { kind: "seen" };
}

export async function finishDelivery(
  prisma: PrismaClient,
  deliveryId: string,
  outcome: string,
): Promise<void> {
  await prisma.webhookDelivery.update({ where: { deliveryId }, data: { processedAt: new Date(), outcome } });
}
