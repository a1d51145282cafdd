// Coalescing a run's output (DESIGN §3 "only the newest status is sent"): a run effect is delivered by
// rendering the run as it is now, so it also says everything the run's other pending run effects say.
// Their ids are read before the run is rendered (an effect commits with its transition, so whatever was
// read is in the render); after the delivery, that effect and those ids are marked delivered in one
// transaction, the others as coalesced into it. A crash before that transaction leaves all of them
// pending: the next claim renders the run again and sends only what differs from what was last sent.
// Replies and reactions are never coalesced.
import type { OutboxEffect, PrismaClient } from "../../db/index.js";

export const RUN_EFFECT_KINDS: readonly string[] = ["run.status", "run.report"];

export function isRunEffect(effect: Pick<OutboxEffect, "kind" | "runId">): boolean {
  return effect.runId !== null && RUN_EFFECT_KINDS.includes(effect.kind);
}

/** The run's other pending run effects, which delivering `effect` will cover. */
export async function coveredRunEffects(prisma: PrismaClient, effect: OutboxEffect): Promise<string[]> {
  if (!isRunEffect(effect)) return [];
  const rows = await prisma.outboxEffect.findMany({
    where: {
      runId: effect.runId,
      state: "pending",
      kind: { in: [...RUN_EFFECT_KINDS] },
      id: { not: effect.id },
    },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

/** Marks `effect` delivered with GitHub's answer, and `covered` as coalesced into it: both or neither. */
export async function markDelivered(
  prisma: PrismaClient,
  effect: OutboxEffect,
  result: Record<string, unknown>,
  covered: readonly string[],
): Promise<void> {
  const deliveredAt = new Date();
  await prisma.$transaction([
    // lastError stays: what went wrong before the delivery is history worth keeping.
    prisma.outboxEffect.update({
      where: { id: effect.id },
      data: { state: "delivered", deliveredAt, result: result as object },
    }),
    prisma.outboxEffect.updateMany({
      where: { id: { in: [...covered] }, state: "pending" },
      data: { state: "delivered", deliveredAt, result: { coalescedInto: effect.id } },
    }),
  ]);
}
