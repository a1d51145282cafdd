// queued → preparing → executing: the run's mirror and worktree, then its first phase.
import { existsSync } from "node:fs";
import type { Run } from "../db/index.js";
import { advisoryLockKey } from "../db/index.js";
import { isDevflowError } from "../errors/index.js";
import {
  checkpointRef,
  checkpointTrackingRef,
  createRunWorktree,
  ensureMirror,
  runBranchName,
} from "../git/index.js";
import { openApprovalRequest } from "./approvals.js";
import { releaseEarlierWorktrees } from "./revision-worktree.js";
import { appendRunEvents } from "./run-events.js";
import { failRun, moveTo, moveToPhase } from "./run-moves.js";
import { countActiveRuns } from "./run-queries.js";
import { firstPhase, readDefinition, revisionGate } from "./template-plan.js";
import { type WorkerContext, worktreePathOf } from "./worker-context.js";

/** Takes a queued run onto this host; false (nothing written) while the host has no room for it. */
export async function startPreparing(context: WorkerContext, run: Run): Promise<boolean> {
  return context.prisma.$transaction(async (tx) => {
    if (context.maxActiveRuns !== undefined) {
      // Counted under a per-host lock, so two jobs of this host never both take the last slot.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${advisoryLockKey(`devflow:host-slots:${context.hostId}`)}::bigint)`;
      const active = await countActiveRuns(tx, context.hostId);
      if (active >= context.maxActiveRuns) return false;
    }
    await moveTo(tx, run, "preparing", [{ type: "run.started", payload: { hostId: context.hostId } }], {
      hostId: context.hostId,
      startedAt: new Date(),
    });
    return true;
  });
}

/**
 * Makes sure this host has the run's worktree: from the run's last pushed checkpoint when there is one
 * (another host may have started the run: its checkpoint ref, refs/devflow/runs/<id>), else from the
 * base branch. `headSha` is the worktree's commit.
 */
export async function ensureWorktree(
  context: WorkerContext,
  run: Run,
): Promise<{ worktreePath: string; headSha: string; branch: string }> {
  const worktreePath = worktreePathOf(context, run.id);
  const branch = run.branch ?? (await freshBranchName(context, run));
  const authHeader = await context.gitAuthHeader?.(run);
  const mirror = await ensureMirror({
    mirrorsDir: context.mirrorsDir,
    repository: run.repository,
    cloneUrl: run.cloneUrl ?? run.repository,
    // The base to start from; the run's checkpoint ref and branch in case another host pushed them.
    branches: [run.baseBranch, branch],
    refs: [{ remote: checkpointRef(run.id), local: checkpointTrackingRef(run.id) }],
    ...(authHeader ? { authHeader } : {}),
  });
  const { headSha } = await createRunWorktree({
    mirrorPath: mirror.path,
    worktreePath,
    branch,
    baseBranch: run.baseBranch,
    checkpointRef: checkpointTrackingRef(run.id),
  });
  return { worktreePath, headSha, branch };
}

/**
 * `devflow/<issue>-<slug>`, unless an earlier run already used that name (a second run on the same
 * issue must not continue the first one's checkpoints): then the run id's first 8 characters are added.
 */
async function freshBranchName(context: WorkerContext, run: Run): Promise<string> {
  const name = runBranchName({
    runId: run.id,
    issueNumber: run.issueNumber ?? undefined,
    title: run.title ?? undefined,
  });
  const taken = await context.prisma.run.findFirst({
    where: { branch: name, repository: run.repository, id: { not: run.id } },
    select: { id: true },
  });
  return taken ? `${name}-${run.id.slice(0, 8)}` : name;
}

/**
 * Prepares the worktree and opens the first phase (a revision: its first revision phase, or its gate);
 * bad input (no such branch) fails the run clearly. A revision's worktree starts at its branch's head
 * as fetched now: the pull request's head, commits people pushed to it included.
 */
export async function prepareRun(
  context: WorkerContext,
  run: Run & { template: { definition: unknown } },
): Promise<void> {
  if (run.revision > 1) await releaseEarlierWorktrees(context, run);
  let prepared: Awaited<ReturnType<typeof ensureWorktree>>;
  try {
    prepared = await ensureWorktree(context, run);
  } catch (error) {
    if (isDevflowError(error) && error.class === "bad_input") {
      await context.prisma.$transaction((tx) =>
        failRun(tx, run, { code: error.code, reason: `${error.message} ${error.recoveryHint}` }),
      );
      return;
    }
    throw error; // transient (network, disk): the job is retried
  }
  const template = readDefinition(run.template.definition);
  const phase = firstPhase(template, run);
  const gate = revisionGate(template, run);
  await context.prisma.$transaction(async (tx) => {
    await tx.run.update({
      where: { id: run.id },
      // headSha is where the run's branch is on the remote, set when it is first pushed; a revision
      // starts from its branch as the remote has it, so there it is known at once.
      data: {
        branch: prepared.branch,
        worktreePath: prepared.worktreePath,
        ...(run.revisionOf ? { headSha: prepared.headSha } : {}),
      },
    });
    const event = {
      type: "run.prepared" as const,
      payload: { branch: prepared.branch, headSha: prepared.headSha, hostId: context.hostId },
    };
    if (!phase)
      return failRun(tx, run, {
        code: "template_not_found",
        reason: "The template has no phase.",
        events: [event],
      });
    if (gate) {
      // The revision waits for a human before its first phase; the request is bound to the head it starts at.
      const version = await moveTo(tx, run, "awaiting_approval", [event]);
      if (version === undefined) return undefined;
      const opened = await openApprovalRequest(tx, {
        runId: run.id,
        gateKey: gate,
        phaseId: null,
        headSha: prepared.headSha,
      });
      await appendRunEvents(tx, run.id, [opened.event]);
      return version;
    }
    return moveToPhase(tx, run, phase, { events: [event] });
  });
}

export function hasWorktree(context: WorkerContext, runId: string): boolean {
  return existsSync(worktreePathOf(context, runId));
}
