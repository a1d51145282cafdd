import type { PrismaClient } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import { chainOf, firstRunIdOf, requestsOfRevision } from "./revision-chain.js";

/**
 * Everything known about a run: the run, its phase attempts, approvals with decisions, sessions, events,
 * the runs of its revision chain and the requests it took as a revision.
 */
export async function getRunStatus(prisma: PrismaClient, runId: string) {
  const run = await prisma.run.findUnique({
    where: { id: runId },
    include: {
      template: { select: { name: true, version: true, hash: true } },
      phases: { orderBy: [{ startedAt: "asc" }, { attempt: "asc" }] },
      approvalRequests: {
        orderBy: { createdAt: "asc" },
        include: { decisions: { orderBy: { createdAt: "asc" } } },
      },
      sessions: { orderBy: { createdAt: "asc" } },
      events: { orderBy: { seq: "asc" } },
    },
  });
  if (!run) throw new DevflowError(`No run ${runId}.`, { code: "run_not_found", details: { runId } });
  const { phases, approvalRequests, sessions, events, ...rest } = run;
  // A revision's chain (the first run and each revision) and what it was asked to change.
  const chain = await chainOf(prisma, firstRunIdOf(run));
  const revisionRequests = run.revision > 1 ? await requestsOfRevision(prisma, run.id) : [];
  return { run: rest, phases, approvals: approvalRequests, sessions, events, chain, revisionRequests };
}

export type RunStatus = Awaited<ReturnType<typeof getRunStatus>>;
