// Parked runs as rows: copies of one real run parked at its gate (the run, its events, phase attempts,
// sessions, prompt deliveries and its pending approval request), every id renewed. What part (b)
// measures is what such runs cost, and rows made through Prisma from a real run cost what real ones do.
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "../../src/db/generated/client.js";

interface RunRows {
  run: unknown;
  phaseAttempt: unknown[];
  session: unknown[];
  promptDelivery: unknown[];
  approvalRequest: unknown[];
  runEvent: unknown[];
}

/** JSON without nulls (optional columns default to null; Prisma wants JsonNull markers for Json ones). */
function serialize(rows: RunRows): string {
  return JSON.stringify(rows, (_key, value) =>
    value === null ? undefined : typeof value === "bigint" ? value.toString() : value,
  );
}

export async function cloneParkedRuns(
  prisma: PrismaClient,
  sourceRunId: string,
  copies: number,
  batchSize = 200,
): Promise<void> {
  const where = { runId: sourceRunId };
  const [run, phaseAttempt, session, promptDelivery, approvalRequest, events] = await Promise.all([
    prisma.run.findUniqueOrThrow({ where: { id: sourceRunId } }),
    prisma.phaseAttempt.findMany({ where }),
    prisma.session.findMany({ where }),
    prisma.promptDelivery.findMany({ where }),
    prisma.approvalRequest.findMany({ where }),
    prisma.runEvent.findMany({ where }),
  ]);
  if (run.state !== "awaiting_approval" || !approvalRequest.some((request) => request.state === "pending")) {
    throw new Error(`run ${sourceRunId} is not parked at a gate (${run.state})`);
  }
  const runEvent = events.map(({ id: _id, ...event }) => event);
  const template = serialize({ run, phaseAttempt, session, promptDelivery, approvalRequest, runEvent });
  // Every id that names one of the source run's rows, wherever it appears (keys, branch, paths, payloads).
  const ids = [
    run.id,
    ...[phaseAttempt, session, promptDelivery, approvalRequest].flat().map((row) => row.id),
  ];

  for (let done = 0; done < copies; done += batchSize) {
    const batch: RunRows[] = [];
    for (let index = done; index < Math.min(copies, done + batchSize); index++) {
      let text = template;
      for (const id of ids) text = text.replaceAll(id, randomUUID());
      batch.push(JSON.parse(text) as RunRows);
    }
    const all = (key: keyof RunRows): unknown[] =>
      batch.flatMap((rows): unknown[] => {
        const value = rows[key];
        return Array.isArray(value) ? value : [value];
      });
    await prisma.run.createMany({ data: all("run") as Prisma.RunCreateManyInput[] });
    await prisma.phaseAttempt.createMany({
      data: all("phaseAttempt") as Prisma.PhaseAttemptCreateManyInput[],
    });
    await prisma.session.createMany({ data: all("session") as Prisma.SessionCreateManyInput[] });
    await prisma.promptDelivery.createMany({
      data: all("promptDelivery") as Prisma.PromptDeliveryCreateManyInput[],
    });
    await prisma.approvalRequest.createMany({
      data: all("approvalRequest") as Prisma.ApprovalRequestCreateManyInput[],
    });
    await prisma.runEvent.createMany({ data: all("runEvent") as Prisma.RunEventCreateManyInput[] });
  }
}
