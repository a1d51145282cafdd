// Deliveries that failed for good (out of attempts, see delivery-log.ts) stay in the log with their body.
// An operator lists them and, once the cause is fixed, replays them: the row is put back in the inbox as
// new (no attempts, due now) and the running inbox processes it once. Only a delivery that failed for
// good can be replayed — checked and changed in one statement per row under its lock — so a second
// replay, or one racing the first, finds it waiting or handled and changes nothing.
import type { PrismaClient } from "../../db/index.js";
import { DevflowError } from "../../errors/index.js";
import { audit } from "./audit.js";

export interface DeliveryListing {
  deliveryId: string;
  event: string;
  repository: string | null;
  receivedAt: Date;
  state: "waiting" | "handled" | "ignored" | "failed";
  attempts: number;
  outcome: string | null;
  lastError: string | null;
}

const LISTED = {
  deliveryId: true,
  event: true,
  action: true,
  repository: true,
  receivedAt: true,
  processedAt: true,
  outcome: true,
  attempts: true,
  lastError: true,
  body: true,
} as const;

type ListedRow = {
  deliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  outcome: string | null;
  attempts: number;
  lastError: string | null;
  body: string | null;
};

function stateOf(row: ListedRow): DeliveryListing["state"] {
  if (row.processedAt === null) return "waiting";
  if (row.body !== null) return "failed"; // the only processed rows that keep their body
  return row.outcome?.startsWith("ignored") ? "ignored" : "handled";
}

function listing(row: ListedRow): DeliveryListing {
  return {
    deliveryId: row.deliveryId,
    event: row.action ? `${row.event}.${row.action}` : row.event,
    repository: row.repository,
    receivedAt: row.receivedAt,
    state: stateOf(row),
    attempts: row.attempts,
    outcome: row.outcome,
    lastError: row.lastError,
  };
}

/** The newest deliveries (only those that failed for good, with `failed`), newest first. */
export async function listDeliveries(
  prisma: PrismaClient,
  options: { failed: boolean; limit: number },
): Promise<DeliveryListing[]> {
  const rows = await prisma.webhookDelivery.findMany({
    where: options.failed ? { processedAt: { not: null }, body: { not: null } } : {},
    orderBy: [{ receivedAt: "desc" }, { deliveryId: "desc" }],
    take: options.limit,
    select: LISTED,
  });
  return rows.map(listing);
}

function notReplayable(row: ListedRow): DevflowError {
  const state = stateOf(row);
  const why =
    state === "waiting"
      ? row.attempts > 0
        ? `is still being retried (${row.attempts} failed attempts so far)`
        : "is waiting to be processed (or was just replayed)"
      : `was ${state === "ignored" ? "ignored" : "handled"} (${row.outcome ?? "no outcome"})`;
  return new DevflowError(
    `Webhook delivery ${row.deliveryId} ${why}: only a delivery that failed for good can be replayed.`,
    { code: "delivery_not_failed", details: { deliveryId: row.deliveryId, state } },
  );
}

/**
 * Puts deliveries that failed for good back in the inbox, all or none: an id that names no delivery, or
 * one that did not fail for good, refuses the whole request and changes nothing. `"all-failed"` replays
 * every delivery that failed for good. Returns the ids replayed; each replay is audited.
 */
export async function replayDeliveries(
  prisma: PrismaClient,
  which: readonly string[] | "all-failed",
  actor: string,
): Promise<string[]> {
  return prisma.$transaction(async (tx) => {
    const ids =
      which === "all-failed"
        ? (
            await tx.webhookDelivery.findMany({
              where: { processedAt: { not: null }, body: { not: null } },
              select: { deliveryId: true },
            })
          ).map((row) => row.deliveryId)
        : [...new Set(which)];
    if (ids.length === 0) return [];
    // Lock the rows first: a replay racing this one waits, then sees them waiting and is refused.
    await tx.$queryRaw`SELECT 1 FROM "WebhookDelivery" WHERE "deliveryId" = ANY(${ids}) FOR UPDATE`;
    const rows = await tx.webhookDelivery.findMany({ where: { deliveryId: { in: ids } }, select: LISTED });
    const missing = ids.filter((id) => !rows.some((row) => row.deliveryId === id));
    if (missing.length > 0) {
      throw new DevflowError(`No webhook delivery ${missing.join(", ")}.`, {
        code: "delivery_not_found",
        details: { deliveryIds: missing },
      });
    }
    const refused = rows.find((row) => stateOf(row) !== "failed");
    if (refused) throw notReplayable(refused);
    await tx.$executeRaw`UPDATE "WebhookDelivery"
      SET "processedAt" = NULL, "outcome" = NULL, "attempts" = 0, "notBefore" = now()
      WHERE "deliveryId" = ANY(${ids}) AND "processedAt" IS NOT NULL AND "body" IS NOT NULL`;
    for (const row of rows) {
      await audit(tx, {
        actor,
        action: "webhook.replayed_by_operator",
        source: "cli",
        outcome: "accepted",
        repository: row.repository,
        details: { deliveryId: row.deliveryId, event: listing(row).event, lastError: row.lastError },
      });
    }
    return ids;
  });
}
