// A request for changes on a run's pull request (`/devflow revise <what>`, a "changes requested" review),
// from a sender already authorized (DESIGN §2 "Revision"). Recorded once per client token, in one
// transaction that also starts the revision when the chain has ended; while the chain's latest run is
// still active the request is queued, and the transaction that ends that run starts the revision
// (start-revision.ts). Two runs of one chain are never active at once: revisions are never interleaved.

import type { DecisionSource, Prisma, PrismaClient, RevisionRequest } from "../db/index.js";
import { advisoryLockKey } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import { chainWhere, firstRunIdOf, lockLatestOfChain } from "./revision-chain.js";
import { isTerminal, type RunState } from "./run-states.js";
import { startRevision } from "./start-revision.js";
import { readDefinition } from "./template-plan.js";

/** An inline comment of a review, as GitHub gives it (untrusted: it reaches agents fenced as user data). */
export interface RevisionComment {
  path: string;
  /** The line of the file the comment is on; null when GitHub has none (an outdated comment). */
  line: number | null;
  diffHunk: string;
  body: string;
}

export interface RevisionRequestInput {
  /** Any run of the chain: the latest run of the issue or pull request the request was made on. */
  runId: string;
  actor: string;
  source: DecisionSource;
  /** The comment's or review's id (with the command's index): the same request is recorded once. */
  clientToken: string;
  /** The issue or pull request the request was made on. */
  number: number;
  text: string;
  comments?: readonly RevisionComment[];
}

export type RevisionOutcome = {
  requestId: string;
  firstRunId: string;
  /** True when this client token had been recorded before: nothing new was written. */
  replayed: boolean;
} & (
  | { state: "started"; runId: string; revision: number }
  | { state: "queued"; behind: { id: string; revision: number; state: RunState } }
  | { state: "cancelled" }
);

/** Caps on what a request stores (DESIGN §1: every input is bounded). */
export const REVISION_LIMITS = { textChars: 32_000, comments: 50, commentChars: 8_000, hunkChars: 4_000 };

export async function requestRevision(
  prisma: PrismaClient,
  input: RevisionRequestInput,
): Promise<RevisionOutcome> {
  return prisma.$transaction(async (tx) => {
    const run = await tx.run.findUnique({ where: { id: input.runId } });
    if (!run) throw new DevflowError(`No run ${input.runId}.`, { code: "run_not_found" });
    const firstRunId = firstRunIdOf(run);
    const first = await tx.run.findUniqueOrThrow({ where: { id: firstRunId }, include: { template: true } });
    const template = readDefinition(first.template.definition);
    if (!template.revision) {
      throw new DevflowError(
        `Run ${first.id} uses the template ${template.name}@${template.version}, which says nothing about revisions.`,
        { code: "revision_not_supported", details: { runId: first.id } },
      );
    }
    // Requests of one chain are recorded one at a time.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${advisoryLockKey(`devflow:revisions:${firstRunId}`)}::bigint)`;
    const idempotencyKey = `${firstRunId}:${input.clientToken}`;
    const recorded = await tx.revisionRequest.findUnique({ where: { idempotencyKey } });
    if (recorded) return describe(tx, recorded, true);

    const latest = await lockLatestOfChain(tx, firstRunId);
    if (latest.pullRequestNumber === null) {
      throw new DevflowError(`Run ${latest.id} has no pull request yet: there is nothing to revise.`, {
        code: "revision_without_pull_request",
        details: { runId: latest.id },
      });
    }
    await refuseBesideAnotherRun(tx, latest);
    const request = await tx.revisionRequest.create({
      data: {
        firstRunId,
        idempotencyKey,
        actor: input.actor,
        source: input.source,
        number: input.number,
        text: clip(input.text, REVISION_LIMITS.textChars),
        comments: boundedComments(input.comments ?? []) as unknown as Prisma.InputJsonValue,
      },
    });
    if (!isTerminal(latest.state)) return describe(tx, request, false);
    const started = await startRevision(tx, first, latest);
    return {
      requestId: request.id,
      firstRunId,
      replayed: false,
      state: "started",
      runId: started.id,
      revision: started.revision,
    };
  });
}

/** One active run per issue: a revision does not start beside a newer run of the same issue. */
async function refuseBesideAnotherRun(
  tx: Prisma.TransactionClient,
  latest: { id: string; revisionOf: string | null; repository: string; issueNumber: number | null },
) {
  if (latest.issueNumber === null) return;
  const other = await tx.run.findFirst({
    where: {
      repository: latest.repository,
      issueNumber: latest.issueNumber,
      state: { notIn: ["completed", "failed", "aborted"] },
      NOT: chainWhere(firstRunIdOf(latest)),
    },
    select: { id: true, state: true },
  });
  if (other) {
    throw new DevflowError(
      `Issue #${latest.issueNumber} has another active devflow run (${other.id}, ${other.state}).`,
      { code: "run_already_active", details: { runId: other.id } },
    );
  }
}

async function describe(
  tx: Prisma.TransactionClient,
  request: RevisionRequest,
  replayed: boolean,
): Promise<RevisionOutcome> {
  const base = { requestId: request.id, firstRunId: request.firstRunId, replayed };
  if (request.state === "cancelled") return { ...base, state: "cancelled" };
  if (request.state === "started" && request.revisionRunId) {
    const run = await tx.run.findUniqueOrThrow({ where: { id: request.revisionRunId } });
    return { ...base, state: "started", runId: run.id, revision: run.revision };
  }
  const behind = await tx.run.findFirstOrThrow({
    where: chainWhere(request.firstRunId),
    orderBy: { revision: "desc" },
    select: { id: true, revision: true, state: true },
  });
  return { ...base, state: "queued", behind };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (cut at ${max} characters)`;
}

function boundedComments(comments: readonly RevisionComment[]): RevisionComment[] {
  return comments.slice(0, REVISION_LIMITS.comments).map((comment) => ({
    path: clip(comment.path, 1_000),
    line: Number.isInteger(comment.line) ? comment.line : null,
    diffHunk: clip(comment.diffHunk, REVISION_LIMITS.hunkChars),
    body: clip(comment.body, REVISION_LIMITS.commentChars),
  }));
}

/** The inline comments a request stored, read back defensively (the column is plain JSON). */
export function storedComments(value: Prisma.JsonValue): RevisionComment[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (!item || typeof item !== "object" || Array.isArray(item)) return [];
    const c = item as Record<string, unknown>;
    return [
      {
        path: String(c.path ?? ""),
        line: typeof c.line === "number" ? c.line : null,
        diffHunk: String(c.diffHunk ?? ""),
        body: String(c.body ?? ""),
      },
    ];
  });
}
