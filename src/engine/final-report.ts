// Writes the final report of a terminal run beside its worktree and records it on the run, once.
import { existsSync } from "node:fs";
import { lstat } from "node:fs/promises";
import { dirname } from "node:path";
import { DEFAULT_INPUT_LIMITS } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { diffStat } from "../git/index.js";
import { budgetViewOf } from "./budget-report.js";
import { budgetsOf } from "./budget-watch.js";
import { FileRefusal, readContainedFile, writeContainedFile } from "./contained-file.js";
import { cutToBytes } from "./cut-to-bytes.js";
import { writeEffects } from "./outbox.js";
import { usageOfRun } from "./record-usage.js";
import { type DiffSummary, renderFinalReport } from "./render-final-report.js";
import { appendRunEvents } from "./run-events.js";
import { isTerminal } from "./run-states.js";
import { getRunStatus } from "./run-status.js";
import { mirrorPathOf, reportPathOf, type WorkerContext, worktreePathOf } from "./worker-context.js";

type ReportContext = Pick<WorkerContext, "prisma" | "workspaceRoot" | "mirrorsDir" | "log" | "limits"> &
  Partial<Pick<WorkerContext, "sessions" | "budgets">>;

/** Writes the report if the run is terminal and has none yet; returns its path (or undefined). */
export async function writeFinalReport(context: ReportContext, runId: string): Promise<string | undefined> {
  const status = await getRunStatus(context.prisma, runId);
  if (!isTerminal(status.run.state)) return undefined;
  if (status.run.reportWrittenAt && status.run.reportPath && (await isPlainFile(status.run.reportPath)))
    return status.run.reportPath;
  let diff: DiffSummary | undefined;
  const worktree = worktreePathOf(context, runId);
  if (existsSync(worktree)) {
    diff = await diffStat({
      mirrorPath: mirrorPathOf(context, status.run.repository),
      worktreePath: worktree,
      baseRef: `origin/${status.run.baseBranch}`,
    }).catch(() => undefined);
  }
  const path = reportPathOf(context, runId);
  const maxBytes = context.limits?.reportBytes ?? DEFAULT_INPUT_LIMITS.reportBytes;
  const agents = [...new Set(status.sessions.map((session) => session.agent))];
  const unsandboxedAgents = agents.filter((agent) => context.sessions?.sandboxOf(agent) === "none");
  const usage = await usageOfRun(context.prisma, runId);
  const phaseKeys = status.phases.map((phase) => phase.phaseKey);
  const budget = await budgetViewOf(context.prisma, budgetsOf(context), status.run, phaseKeys);
  const text = capped(renderFinalReport(status, diff, { unsandboxedAgents, usage, budget }), maxBytes);
  try {
    // Through a new file renamed over the path: whatever was planted there is replaced, never followed.
    await writeContainedFile(path, text, context.workspaceRoot);
  } catch (error) {
    if (error instanceof FileRefusal) throw unsafeReport(path, error);
    throw error;
  }
  await context.prisma.$transaction(async (tx) => {
    // The text in Postgres is the truth any web host shows; the file is this host's copy.
    await tx.runReport.upsert({ where: { runId }, create: { runId, text }, update: { text } });
    const claimed = await tx.run.updateMany({
      where: { id: runId, reportWrittenAt: null },
      data: { reportPath: path, reportWrittenAt: new Date() },
    });
    if (claimed.count === 0) {
      await tx.run.update({ where: { id: runId }, data: { reportPath: path } }); // rewritten file, same report
      return;
    }
    await appendRunEvents(tx, runId, [{ type: "report.written", payload: { path } }]);
    await writeEffects(tx, { runId, installationId: status.run.installationId }, [
      { key: `${runId}:report`, effect: { kind: "run.report", path } },
    ]);
  });
  context.log.info({ runId, path }, "final report written");
  return path;
}

/**
 * The report at `path` as text: opened without following a link, as a regular file with one name, and
 * read only up to `maxBytes`. Undefined when there is none; `report_path_unsafe` when it must not be read.
 */
export async function readFinalReport(
  path: string,
  maxBytes: number = DEFAULT_INPUT_LIMITS.reportBytes,
): Promise<string | undefined> {
  try {
    return (await readContainedFile(path, { root: dirname(path), maxBytes }))?.toString("utf8");
  } catch (error) {
    if (error instanceof FileRefusal) throw unsafeReport(path, error);
    throw error;
  }
}

function unsafeReport(path: string, refusal: FileRefusal): DevflowError {
  return new DevflowError(`The final report was neither followed nor read: ${refusal.message}.`, {
    code: "report_path_unsafe",
    details: { path, refusal: refusal.kind },
  });
}

/** A report over `maxBytes` is cut there, saying so (on a character boundary). */
function capped(report: string, maxBytes: number): string {
  return cutToBytes(
    report,
    maxBytes,
    () => `\n\n… The report was cut at ${maxBytes} bytes (limits.reportBytes in the server config).\n`,
  );
}

async function isPlainFile(path: string): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  return stats?.isFile() === true && stats.nlink === 1;
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
