import { createHash } from "node:crypto";
import type { PrismaClient } from "../../db/generated/client.js";

export interface DeliveryFacts {
  deliveryId: string;
  event: string;
  action?: string | undefined;
  installationId?: number | undefined;
  repository?: string | undefined;
  payload: unknown;
}

/**
 * Records a webhook delivery by its X-GitHub-Delivery id before anything else happens. Returns false
 * for a delivery seen before (a redelivery or a duplicate): it is acknowledged and ignored.
 */
export async function recordDelivery(prisma: PrismaClient, facts: DeliveryFacts): Promise<boolean> {
  const inserted = await prisma.webhookDelivery.createMany({
    data: [
      {
        deliveryId: facts.deliveryId,
        event: facts.event,
        action: facts.action ?? null,
        installationId: facts.installationId === undefined ? null : BigInt(facts.installationId),
        repository: facts.repository ?? null,
        payloadSha256: createHash("sha256").update(JSON.stringify(facts.payload)).digest("hex"),
      },
    ],
    skipDuplicates: true,
  });
  return inserted.count === 1;
}

export async function finishDelivery(
  prisma: PrismaClient,
  deliveryId: string,
  outcome: string,
): Promise<void> {
  await prisma.webhookDelivery.update({ where: { deliveryId }, data: { processedAt: new Date(), outcome } });
}
