// An approval is bound to what was shown (DESIGN §2): the request records the artifact's sha256 and the
// run branch's head SHA, and a decision applies only while both still match. When either moved on (a
// push, a new artifact of the gate's phase), the request is superseded and a new one opened for what is
// current, in the decision's transaction; the late decider is told why (approval_stale).
import type { ApprovalRequest, Prisma } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import { openApprovalRequest } from "./approval-requests.js";
import { writeEffects } from "./outbox.js";
import { appendRunEvents } from "./run-events.js";
import type { RunState } from "./run-states.js";

type Tx = Prisma.TransactionClient;

export interface StaleApproval {
  gateKey: string;
  shownHeadSha: string | null;
  headSha: string | null;
  shownArtifactSha256: string | null;
  artifactSha256: string | null;
  /** The request opened for what is current now, when the run still waits at the gate. */
  newRequestId: string | null;
}

type RunNow = { id: string; state: RunState; headSha: string | null; installationId: bigint | null };

/** The newest accepted artifact of the request's phase: what an approver must have seen. */
async function currentArtifact(tx: Tx, runId: string, request: ApprovalRequest) {
  if (!request.phaseId) return undefined;
  const shown = await tx.phaseAttempt.findUnique({
    where: { id: request.phaseId },
    select: { phaseKey: true },
  });
  if (!shown) return undefined;
  return tx.phaseAttempt.findFirst({
    where: { runId, phaseKey: shown.phaseKey, state: "succeeded" },
    orderBy: { attempt: "desc" },
    select: { id: true, artifactSha256: true },
  });
}

/** Supersedes the request when what it showed is no longer current; undefined while it still holds. */
export async function supersedeIfStale(
  tx: Tx,
  run: RunNow,
  request: ApprovalRequest,
): Promise<StaleApproval | undefined> {
  const artifact = await currentArtifact(tx, run.id, request);
  const headMoved = request.headSha !== null && run.headSha !== null && request.headSha !== run.headSha;
  const artifactMoved =
    request.artifactSha256 !== null &&
    artifact !== undefined &&
    artifact !== null &&
    artifact.artifactSha256 !== request.artifactSha256;
  if (!headMoved && !artifactMoved) return undefined;
  await tx.approvalRequest.update({
    where: { id: request.id },
    data: { state: "superseded", decidedAt: new Date() },
  });
  const stale: StaleApproval = {
    gateKey: request.gateKey,
    shownHeadSha: request.headSha,
    headSha: run.headSha,
    shownArtifactSha256: request.artifactSha256,
    artifactSha256: artifact?.artifactSha256 ?? request.artifactSha256,
    newRequestId: null,
  };
  const { newRequestId: _, ...facts } = stale;
  const events = [{ type: "approval.superseded" as const, payload: { requestId: request.id, ...facts } }];
  if (run.state === "awaiting_approval") {
    const opened = await openApprovalRequest(tx, {
      runId: run.id,
      gateKey: request.gateKey,
      phaseId: artifact?.id ?? request.phaseId,
      artifactSha256: stale.artifactSha256,
      headSha: run.headSha,
    });
    stale.newRequestId = opened.request.id;
    events.push(opened.event as (typeof events)[number]);
    // The sticky comment and the check run show the new request (and so what to decide on now).
    await writeEffects(tx, { runId: run.id, installationId: run.installationId }, [
      {
        key: `${run.id}:status:request:${opened.request.id}`,
        effect: { kind: "run.status", state: run.state, phaseKey: null },
      },
    ]);
  }
  await appendRunEvents(tx, run.id, events);
  return stale;
}

export function staleApprovalError(stale: StaleApproval): DevflowError {
  const changes: string[] = [];
  if (stale.shownHeadSha && stale.headSha && stale.shownHeadSha !== stale.headSha) {
    changes.push(
      `it was for commit ${stale.shownHeadSha.slice(0, 7)}, but the run's branch is now at ${stale.headSha.slice(0, 7)}`,
    );
  }
  if (stale.shownArtifactSha256 !== stale.artifactSha256) {
    changes.push(
      `it showed artifact sha256 ${stale.shownArtifactSha256?.slice(0, 12)}, but the current artifact is ${stale.artifactSha256?.slice(0, 12)}`,
    );
  }
  const next = stale.newRequestId ? " A new request for the current version is open." : "";
  return new DevflowError(`The "${stale.gateKey}" request was superseded: ${changes.join("; ")}.${next}`, {
    code: "approval_stale",
    details: { ...stale },
  });
}
