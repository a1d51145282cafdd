// Approval requests (DESIGN §2): one per gate and attempt, each bound to what it shows — the artifact's
// sha256 and the run branch's head SHA.
import type { Prisma, PrismaClient } from "../db/index.js";
import type { NewRunEvent } from "./run-events.js";

type Tx = Prisma.TransactionClient;
type Db = PrismaClient | Tx;

export function approvalRequestKey(runId: string, gateKey: string, phaseId: string | null, attempt: number) {
  return `${runId}:${gateKey}:${phaseId ?? ""}:${attempt}`;
}

export interface OpenRequestInput {
  runId: string;
  gateKey: string;
  phaseId: string | null;
  artifactSha256?: string | null;
  headSha?: string | null;
}

/** Opens (or finds, when replayed) the request for a gate; returns it and its event. */
export async function openApprovalRequest(tx: Tx, input: OpenRequestInput) {
  const previous = await tx.approvalRequest.count({
    where: { runId: input.runId, gateKey: input.gateKey, phaseId: input.phaseId },
  });
  const attempt = previous + 1;
  const request = await tx.approvalRequest.create({
    data: {
      runId: input.runId,
      gateKey: input.gateKey,
      phaseId: input.phaseId,
      attempt,
      idempotencyKey: approvalRequestKey(input.runId, input.gateKey, input.phaseId, attempt),
      artifactSha256: input.artifactSha256 ?? null,
      headSha: input.headSha ?? null,
    },
  });
  const event: NewRunEvent = {
    type: "approval.requested",
    payload: { requestId: request.id, gateKey: input.gateKey, phaseId: input.phaseId, attempt },
  };
  return { request, event };
}

/** The run's newest pending request, with the phase attempt whose artifact it shows. */
export function pendingRequestOf(db: Db, runId: string) {
  return db.approvalRequest.findFirst({
    where: { runId, state: "pending" },
    orderBy: { createdAt: "desc" },
    include: { phase: true },
  });
}

/** A request's state now, or null when there is no such request. */
export async function requestStateOf(db: Db, requestId: string) {
  const request = await db.approvalRequest.findUnique({ where: { id: requestId }, select: { state: true } });
  return request?.state ?? null;
}
