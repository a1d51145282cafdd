// Approve / Reject / Abort / Retry from the dashboard: the same engine calls and the same authorization
// as on GitHub, recorded as decisions from source `dashboard`; every attempt, refused or not, audited.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../db/index.js";
import type { DispatchEngine } from "../engine/index.js";
import { pendingRequestOf, runLocation } from "../engine/index.js";
import { isDevflowError } from "../errors/index.js";
import type { AuthorizationDecision } from "../github/index.js";
import { audit } from "../github/index.js";

export const RUN_ACTIONS = ["approve", "reject", "abort", "retry"] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

export interface ActionRequest {
  runId: string;
  action: string;
  reason: string | undefined;
  actor: string;
  /** How the actor's right to decide is checked (GitHub's permission API, or the loopback operator). */
  authorize: (run: { repository: string; installationId: bigint | null }) => Promise<AuthorizationDecision>;
}

export type ActionOutcome = { ok: true; message: string } | { ok: false; status: number; message: string };

export async function performRunAction(
  prisma: PrismaClient,
  engine: DispatchEngine,
  request: ActionRequest,
): Promise<ActionOutcome> {
  const { runId, actor } = request;
  const run = await runLocation(prisma, runId);
  if (!run) return { ok: false, status: 404, message: "No such run." };
  const record = (outcome: "accepted" | "refused" | "failed", details: Record<string, unknown>) =>
    audit(prisma, {
      actor,
      action: `dashboard.${request.action}`,
      source: "dashboard",
      outcome,
      runId,
      repository: run.repository,
      details,
    });
  if (!(RUN_ACTIONS as readonly string[]).includes(request.action)) {
    await record("refused", { reason: "unknown action" });
    return { ok: false, status: 400, message: `Unknown action; allowed: ${RUN_ACTIONS.join(", ")}.` };
  }
  const action = request.action as RunAction;
  const reason = request.reason?.trim().slice(0, 2000) || undefined;
  if (action === "reject" && !reason) {
    return { ok: false, status: 400, message: "A rejection needs a reason: say what to change." };
  }
  const decision = await request.authorize(run);
  if (!decision.allowed) {
    await record("refused", { reason: decision.reason });
    // 503 when GitHub did not answer: nobody was refused, and the same press may work in a moment.
    const status = decision.unanswered ? 503 : 403;
    return { ok: false, status, message: `${decision.reason} Who may decide here: ${decision.whoMay}.` };
  }
  const clientToken = randomUUID();
  try {
    if (action === "abort") await engine.abort(runId, actor, "dashboard", clientToken, reason);
    else if (action === "retry") await engine.retry(runId, actor, "dashboard", clientToken);
    else {
      const pending = await pendingRequestOf(prisma, runId);
      if (!pending) {
        await record("refused", { reason: "nothing pending" });
        return { ok: false, status: 409, message: "This run is not waiting for a decision (any more)." };
      }
      await engine.decide({
        runId,
        requestId: pending.id,
        action,
        clientToken,
        actor,
        source: "dashboard",
        ...(reason ? { reason } : {}),
      });
    }
  } catch (error) {
    if (!isDevflowError(error)) throw error;
    await record("failed", { code: error.code });
    return { ok: false, status: 409, message: error.message };
  }
  await record("accepted", {});
  return { ok: true, message: `${action} recorded.` };
}
