// Starting revision N + 1 of a run (DESIGN §2 "Revision"): a new queued run linked to the chain's first
// run, on the same branch, pull request and sticky comment, taking every request queued for the chain.
// Terminal runs stay terminal. Called in the transaction that records a request for an ended chain, and
// in the transaction that ends the chain's active run (so a queued request is never left behind).
import type { Prisma, Run } from "../db/index.js";
import { writeEffects } from "./outbox.js";
import { firstRunIdOf } from "./revision-chain.js";
import { appendRunEvents } from "./run-events.js";
import type { TerminalState } from "./run-states.js";

type Tx = Prisma.TransactionClient;

/** Creates the revision that follows `latest` (the chain's newest run, ended) with the queued requests. */
export async function startRevision(tx: Tx, first: Run, latest: Run): Promise<Run> {
  const queued = await tx.revisionRequest.findMany({
    where: { firstRunId: first.id, state: "queued" },
    orderBy: { createdAt: "asc" },
    select: { id: true, actor: true },
  });
  const revision = latest.revision + 1;
  const run = await tx.run.create({
    data: {
      templateHash: first.templateHash,
      repository: first.repository,
      cloneUrl: first.cloneUrl,
      installationId: first.installationId,
      issueNumber: first.issueNumber,
      pullRequestNumber: latest.pullRequestNumber ?? first.pullRequestNumber,
      statusCommentId: latest.statusCommentId ?? first.statusCommentId,
      baseBranch: first.baseBranch,
      branch: latest.branch ?? first.branch,
      requirements: first.requirements,
      title: first.title,
      gates: first.gates,
      ...(first.agents !== null ? { agents: first.agents as Prisma.InputJsonValue } : {}),
      ...(first.scenarios !== null ? { scenarios: first.scenarios as Prisma.InputJsonValue } : {}),
      revisionOf: first.id,
      revision,
    },
  });
  await tx.revisionRequest.updateMany({
    where: { id: { in: queued.map((request) => request.id) }, state: "queued" },
    data: { state: "started", revisionRunId: run.id, startedAt: new Date() },
  });
  const template = await tx.workflowTemplate.findUniqueOrThrow({
    where: { hash: first.templateHash },
    select: { name: true, version: true },
  });
  await appendRunEvents(tx, run.id, [
    {
      type: "run.created",
      payload: {
        template: `${template.name}@${template.version}`,
        repository: run.repository,
        revisionOf: first.id,
        revision,
        after: latest.id,
        requestedBy: [...new Set(queued.map((request) => request.actor))],
      },
    },
  ]);
  // The sticky comment and the check run say at once that revision N + 1 is on its way.
  await writeEffects(tx, { runId: run.id, installationId: run.installationId }, [
    { key: `${run.id}:status:v0`, effect: { kind: "run.status", state: "queued", phaseKey: null } },
  ]);
  return run;
}

/**
 * The chain's active run has just ended (same transaction): requests queued behind it start the next
 * revision, unless it was aborted — an abort means stop, so they are cancelled and their authors told.
 */
export async function afterRunEnded(tx: Tx, runId: string, state: TerminalState): Promise<void> {
  const ended = await tx.run.findUniqueOrThrow({ where: { id: runId } });
  const firstRunId = firstRunIdOf(ended);
  const queued = await tx.revisionRequest.findMany({
    where: { firstRunId, state: "queued" },
    select: { id: true, actor: true, number: true },
  });
  if (queued.length === 0) return;
  if (state === "aborted") {
    await tx.revisionRequest.updateMany({
      where: { id: { in: queued.map((request) => request.id) } },
      data: { state: "cancelled" },
    });
    await writeEffects(
      tx,
      { runId: ended.id, installationId: ended.installationId },
      queued.map((request) => ({
        key: `${request.id}:cancelled`,
        effect: {
          kind: "comment.reply" as const,
          repository: ended.repository,
          issueNumber: request.number,
          body: `@${request.actor} your revision request was not started: devflow run \`${ended.id}\`, which it waited behind, was aborted. If the change is still wanted, ask again with \`/devflow revise <what to change>\`.`,
        },
      })),
    );
    return;
  }
  const first = ended.revisionOf
    ? await tx.run.findUniqueOrThrow({ where: { id: ended.revisionOf } })
    : ended;
  await startRevision(tx, first, ended);
}
