// Writes the final report of a terminal run beside its worktree and records it on the run, once.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { diffStat } from "../git/index.js";
import { type DiffSummary, renderFinalReport } from "./render-final-report.js";
import { appendRunEvents } from "./run-events.js";
import { isTerminal } from "./run-states.js";
import { getRunStatus } from "./run-status.js";
import { writeEffects } from "./transition.js";
import { reportPathOf, type WorkerContext, worktreePathOf } from "./worker-context.js";

type ReportContext = Pick<WorkerContext, "prisma" | "workspaceRoot" | "log"> &
  Partial<Pick<WorkerContext, "sessions">>;

/** Writes the report if the run is terminal and has none yet; returns its path (or undefined). */
export async function writeFinalReport(context: ReportContext, runId: string): Promise<string | undefined> {
  const status = await getRunStatus(context.prisma, runId);
  if (!isTerminal(status.run.state)) return undefined;
  if (status.run.reportWrittenAt && status.run.reportPath && existsSync(status.run.reportPath))
    return status.run.reportPath;
  let diff: DiffSummary | undefined;
  const worktree = worktreePathOf(context, runId);
  if (existsSync(worktree)) {
    diff = await diffStat({ worktreePath: worktree, baseRef: `origin/${status.run.baseBranch}` }).catch(
      () => undefined,
    );
  }
  const path = reportPathOf(context, runId);
  await mkdir(dirname(path), { recursive: true });
  const agents = [...new Set(status.sessions.map((session) => session.agent))];
  const unsandboxedAgents = agents.filter((agent) => context.sessions?.sandboxOf(agent) === "none");
  await writeFile(path, renderFinalReport(status, diff, { unsandboxedAgents }));
  await context.prisma.$transaction(async (tx) => {
    const claimed = await tx.run.updateMany({
      where: { id: runId, reportWrittenAt: null },
      data: { reportPath: path, reportWrittenAt: new Date() },
    });
    if (claimed.count === 0) {
      await tx.run.update({ where: { id: runId }, data: { reportPath: path } }); // rewritten file, same report
      return;
    }
    await appendRunEvents(tx, runId, [{ type: "report.written", payload: { path } }]);
    await writeEffects(
      tx,
      runId,
      status.run.installationId === null
        ? []
        : [{ key: `${runId}:report`, kind: "run.report", payload: { path } }],
    );
  });
  context.log.info({ runId, path }, "final report written");
  return path;
}

/** Start-up repair (DESIGN §7 item 6): every terminal run without a report gets one. */
export async function writeMissingReports(context: ReportContext): Promise<string[]> {
  const runs = await context.prisma.run.findMany({
    where: { state: { in: ["completed", "failed", "aborted"] }, reportWrittenAt: null },
    select: { id: true },
  });
  const written: string[] = [];
  for (const run of runs) {
    if (await writeFinalReport(context, run.id)) written.push(run.id);
  }
  return written;
}
