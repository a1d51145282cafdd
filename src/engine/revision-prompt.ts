// The accepted artifacts a phase's prompt carries. A first run's are its own; a revision also gets, from
// the earlier runs of its chain, the newest accepted artifact of each phase it does not run itself (for
// `development`: the approved spec its implementer and reviewer work against).
import type { PrismaClient, Run } from "../db/index.js";
import type { WorkflowDefinition } from "../registry/index.js";
import { chainWhere, firstRunIdOf } from "./revision-chain.js";
import { phasesOf } from "./template-plan.js";

export async function earlierArtifacts(
  prisma: PrismaClient,
  run: Run,
  template: WorkflowDefinition,
  phaseKey: string,
) {
  const own = await prisma.phaseAttempt.findMany({
    where: { runId: run.id, state: "succeeded", phaseKey: { not: phaseKey } },
    orderBy: { finishedAt: "asc" },
  });
  if (run.revision <= 1) return own;
  const revised = phasesOf(template, run).map((phase) => phase.key);
  const before = await prisma.phaseAttempt.findMany({
    where: {
      run: { ...chainWhere(firstRunIdOf(run)), revision: { lt: run.revision } },
      state: "succeeded",
      phaseKey: { notIn: revised },
    },
    orderBy: { finishedAt: "desc" },
  });
  const newest = new Map<string, (typeof before)[number]>();
  for (const attempt of before) if (!newest.has(attempt.phaseKey)) newest.set(attempt.phaseKey, attempt);
  const inherited = [...newest.values()].sort(
    (a, b) => (a.finishedAt?.getTime() ?? 0) - (b.finishedAt?.getTime() ?? 0),
  );
  return [...inherited, ...own];
}
