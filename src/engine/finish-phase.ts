// The end of a phase attempt: an accepted artifact becomes a checkpoint (commit + push) and the run
// moves to its gate, its next phase or its end. (A failed attempt: fail-attempt.ts.) Every checkpoint is
// pushed to the run's own ref (refs/devflow/runs/<id>); the run's branch — the pull request's head, which
// GitHub gives a new check run each time it moves — follows only at a gate and at the end, and
// `Run.headSha` is where that branch is. Once the run completes, its checkpoint ref is deleted (a failed
// run keeps its own, for a retry).
import type { PhaseAttempt, Prisma, Run } from "../db/index.js";
import { isDevflowError } from "../errors/index.js";
import {
  checkpointRef,
  commitCheckpoint,
  deleteCheckpointRef,
  headCommit,
  pushCheckpoint,
} from "../git/index.js";
import type { WorkflowDefinition, WorkflowPhase } from "../registry/index.js";
import { openApprovalRequest } from "./approvals.js";
import { attemptDiffStat } from "./attempt-diff-stat.js";
import { appendRunEvents, type NewRunEvent } from "./run-events.js";
import { completeRun, moveTo, moveToPhase } from "./run-moves.js";
import { phaseAfter, rejectionTarget } from "./template-plan.js";
import { mirrorPathOf, type WorkerContext } from "./worker-context.js";

export interface AcceptedArtifact {
  value: unknown;
  sha256: string;
  worktreePath: string;
}

export async function acceptArtifact(
  context: WorkerContext,
  run: Run,
  template: WorkflowDefinition,
  phase: WorkflowPhase,
  attempt: PhaseAttempt,
  artifact: AcceptedArtifact,
): Promise<void> {
  // The checkpoint's trailer names the attempt: a replayed job finds its commit instead of adding one.
  const trailer = `Devflow-Checkpoint: ${attempt.id}`;
  const mirrorPath = mirrorPathOf(context, run.repository);
  const worktree = { mirrorPath, worktreePath: artifact.worktreePath };
  // Tampering found while reading it stops here (advanceRun fails the run); git's own failure does not.
  const head = await headCommit(worktree).catch((error: unknown) => {
    if (isDevflowError(error)) throw error;
    return { sha: "", message: "" };
  });
  const sha = head.message.includes(trailer)
    ? head.sha
    : (
        await commitCheckpoint({
          ...worktree,
          message: `devflow: ${phase.key} (attempt ${attempt.attempt})\n\nDevflow-Run: ${run.id}\n${trailer}`,
        })
      ).sha;
  const diffStat = await attemptDiffStat(context, run, worktree);
  const gated = phase.gate !== undefined && run.gates.includes(phase.gate);
  const changes = reviewRequestsChanges(artifact.value);
  const next =
    changes && phase.onReject ? rejectionTarget(template, phase.key) : phaseAfter(template, phase.key, run);
  // People need to see this head: at a gate (what they decide on) and at the end (what they merge).
  const moveBranch = gated || next === undefined;
  const authHeader = await context.gitAuthHeader?.(run);
  const remoteUrl = run.cloneUrl ?? run.repository;
  await pushCheckpoint({
    mirrorPath,
    branch: run.branch ?? "",
    runId: run.id,
    moveBranch,
    remoteUrl,
    sha,
    ...(authHeader ? { authHeader } : {}),
  });

  const moved = await context.prisma
    .$transaction(async (tx) => {
      const claimed = await tx.phaseAttempt.updateMany({
        where: { id: attempt.id, state: "running" },
        data: {
          state: "succeeded",
          finishedAt: new Date(),
          artifact: artifact.value as Prisma.InputJsonValue,
          artifactSha256: artifact.sha256,
          checkpointSha: sha,
          ...(diffStat === undefined ? {} : { diffStat }),
        },
      });
      if (claimed.count === 0) return undefined;
      if (moveBranch) await tx.run.update({ where: { id: run.id }, data: { headSha: sha } });
      const events: NewRunEvent[] = [
        {
          type: "artifact.accepted",
          payload: { phaseKey: phase.key, attempt: attempt.attempt, sha256: artifact.sha256 },
        },
        {
          type: "checkpoint.pushed",
          payload: { sha, ref: checkpointRef(run.id), branch: moveBranch ? run.branch : null },
        },
        { type: "phase.completed", payload: { phaseKey: phase.key, attempt: attempt.attempt } },
      ];
      if (gated && phase.gate) {
        const version = await moveTo(tx, run, "awaiting_approval", events);
        if (version === undefined) throw new RunMovedError();
        const { event } = await openApprovalRequest(tx, {
          runId: run.id,
          gateKey: phase.gate,
          phaseId: attempt.id,
          artifactSha256: artifact.sha256,
          headSha: sha,
        });
        await appendRunEvents(tx, run.id, [event]);
        return version;
      }
      if (changes && phase.onReject && next) return moveToPhase(tx, run, next, { feedback: changes, events });
      return next ? moveToPhase(tx, run, next, { events }) : completeRun(tx, run, events);
    })
    .catch((error) => {
      if (error instanceof RunMovedError) return undefined;
      throw error;
    });
  // Waiting is free: a run at a gate keeps no session.
  if (moved !== undefined && gated) await context.sessions.stopRunSessions(run.id);
  // A completed run's branch holds its last checkpoint: its checkpoint ref is clutter on the remote now.
  // Best effort: a ref left behind (a failed push, a crash just here) costs nothing.
  if (moved !== undefined && !gated && next === undefined) {
    await deleteCheckpointRef({ mirrorPath, runId: run.id, remoteUrl, ...(authHeader ? { authHeader } : {}) })
      .then((deleted) => {
        if (deleted) context.log.debug?.({ runId: run.id }, "checkpoint ref deleted: the run completed");
      })
      .catch((error: unknown) =>
        context.log.warn(
          { runId: run.id, err: error instanceof Error ? error.message : String(error) },
          "could not delete a completed run's checkpoint ref; it stays on the remote, harmlessly",
        ),
      );
  }
}

class RunMovedError extends Error {}

/** Review findings as feedback when a review artifact asks for changes. */
function reviewRequestsChanges(value: unknown): string | undefined {
  if (!value || typeof value !== "object") return undefined;
  const review = value as { verdict?: unknown; summary?: unknown; findings?: unknown };
  if (review.verdict !== "request_changes") return undefined;
  const findings = Array.isArray(review.findings) ? review.findings : [];
  const lines = findings.map((finding) => {
    const f = finding as { path?: string; line?: number; severity?: string; message?: string };
    return `- [${f.severity ?? "note"}] ${f.path ?? ""}${f.line ? `:${f.line}` : ""} — ${f.message ?? ""}`;
  });
  return [`Review requested changes: ${String(review.summary ?? "")}`, ...lines].join("\n");
}
