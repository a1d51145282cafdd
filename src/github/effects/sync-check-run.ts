// The run's check run, on the head of the run's branch (Run.headSha, which moves at gates and at the
// end). A new head gets the run's check run anew, created with its full output; the one on the old head
// is closed without buttons (they would decide on what it no longer shows). An update whose output equals
// what was last sent is not sent.
import type { PrismaClient } from "../../db/index.js";
import type { RunStatus } from "../../engine/index.js";
import { readFinalReport, recordRunGitHubIds, runActivity, storedReportOf } from "../../engine/index.js";
import type { DeliverOptions } from "./deliver-effect.js";
import type { Octokit, Repo } from "./effect-octokit.js";
import { renderCheckRun, reviewAnnotations } from "./render-run-output.js";
import {
  alreadySent,
  contentSha256,
  markCreating,
  readSentOutput,
  recordSent,
  type SentOutput,
} from "./sent-output.js";

/**
 * The run's final report as Postgres holds it (written in the transaction that queued this effect), so a
 * web process on another host than the worker shows it too. The worker's file only for a report written
 * before reports were stored, or pruned since: never through a link, never past the report cap, and an
 * unreadable one leaves the summary alone.
 */
async function finalReportOf(
  prisma: PrismaClient,
  run: { id: string; reportPath: string | null },
): Promise<string | undefined> {
  const stored = await storedReportOf(prisma, run.id);
  if (stored) return stored.text;
  return run.reportPath ? readFinalReport(run.reportPath).catch(() => undefined) : undefined;
}

/** GitHub takes at most 50 annotations per request. */
const ANNOTATIONS_PER_REQUEST = 50;

export async function syncCheckRun(
  prisma: PrismaClient,
  octokit: Octokit,
  repo: Repo,
  status: RunStatus,
  options: DeliverOptions = {},
) {
  const { run } = status;
  const headSha = run.headSha ?? "";
  const report = await finalReportOf(prisma, run);
  const runUrl = options.publicUrl ? `${options.publicUrl}/runs/${run.id}` : undefined;
  const activity = await runActivity(prisma, run.id);
  const output = renderCheckRun(status, report, { activity, ...(runUrl ? { runUrl } : {}) });
  const annotations = output.status === "completed" ? reviewAnnotations(status) : [];
  const content = {
    status: output.status,
    ...(output.conclusion ? { conclusion: output.conclusion } : {}),
    output: {
      title: output.title,
      summary: output.summary,
      ...(output.text ? { text: output.text } : {}),
      annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST),
    },
    actions: output.actions,
  };
  const fields = { ...content, ...(output.conclusion ? { completed_at: new Date().toISOString() } : {}) };
  const sha256 = contentSha256({ headSha, content, more: annotations.length });
  const sent = await readSentOutput(prisma, run.id, "check_run");

  const recorded = run.checkRunId ? Number(run.checkRunId) : undefined;
  let checkRunId = recorded !== undefined && run.checkRunHeadSha === run.headSha ? recorded : undefined;
  if (checkRunId === undefined) {
    // A create for this head was started and not recorded: it may have reached GitHub.
    if (sent.creating === headSha) {
      const existing = await octokit.rest.checks.listForRef({ ...repo, ref: headSha, check_name: "devflow" });
      checkRunId = existing.data.check_runs.find((check) => check.external_id === run.id)?.id;
    }
    if (recorded !== undefined && recorded !== checkRunId) {
      await closeSuperseded(prisma, octokit, repo, run.id, recorded, headSha, sent);
    }
  }
  let write: "created" | "updated" | "unchanged";
  if (checkRunId !== undefined && alreadySent(sent, checkRunId, sha256)) {
    write = "unchanged";
  } else if (checkRunId !== undefined) {
    await octokit.rest.checks.update({ ...repo, check_run_id: checkRunId, ...fields });
    write = "updated";
  } else {
    await markCreating(prisma, run.id, "check_run", headSha);
    const { data } = await octokit.rest.checks.create({
      ...repo,
      name: "devflow",
      head_sha: headSha,
      external_id: run.id,
      ...fields,
    });
    checkRunId = data.id;
    write = "created";
  }
  if (write !== "unchanged") {
    for (let start = ANNOTATIONS_PER_REQUEST; start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: checkRunId,
        output: {
          title: output.title,
          summary: output.summary,
          annotations: annotations.slice(start, start + ANNOTATIONS_PER_REQUEST),
        },
      });
    }
  }
  if (checkRunId !== recorded || run.checkRunHeadSha !== run.headSha) {
    await recordRunGitHubIds(prisma, run.id, { checkRun: { id: checkRunId, headSha: run.headSha } });
  }
  if (write !== "unchanged") await recordSent(prisma, run.id, "check_run", checkRunId, sha256);
  return { checkRunId, checkRun: write };
}

/** Closes the check run on the old head, once (what was sent to it is recorded like any output). */
async function closeSuperseded(
  prisma: PrismaClient,
  octokit: Octokit,
  repo: Repo,
  runId: string,
  checkRunId: number,
  headSha: string,
  sent: SentOutput,
): Promise<void> {
  const closing = {
    status: "completed" as const,
    conclusion: "neutral" as const,
    output: { title: "Superseded", summary: `The run moved on to ${headSha}.` },
    actions: [], // its buttons would decide on what this check run no longer shows
  };
  const sha256 = contentSha256(closing);
  if (alreadySent(sent, checkRunId, sha256)) return;
  const closed = await octokit.rest.checks.update({ ...repo, check_run_id: checkRunId, ...closing }).then(
    () => true,
    () => false,
  );
  if (closed) await recordSent(prisma, runId, "check_run", checkRunId, sha256);
}
