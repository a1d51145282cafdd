// Delivers one outbox effect to GitHub. Every delivery is idempotent: ids GitHub gave us are stored on
// the run, and a create that may have happened before a crash is found again by its marker (comments,
// PRs) or its external id (check runs) instead of being made twice.
import type { ProbotOctokit } from "probot";
import type { OutboxEffect, PrismaClient } from "../../db/generated/client.js";
import { readFinalReport } from "../../engine/final-report.js";
import { type Effect, readEffect } from "../../engine/outbox.js";
import { runActivity } from "../../engine/phase-activity.js";
import { recordRunGitHubIds } from "../../engine/run-github-ids.js";
import { getRunStatus, type RunStatus } from "../../engine/run-status.js";
import { DevflowError } from "../../errors/index.js";
import {
  renderCheckRun,
  renderStatusComment,
  reviewAnnotations,
  statusMarker,
  stickyMarker,
  writesStickyComment,
} from "./render-run-output.js";

export type Octokit = InstanceType<typeof ProbotOctokit>;

interface Repo {
  owner: string;
  repo: string;
}

function repoOf(fullName: string): Repo {
  const [owner = "", repo = ""] = fullName.split("/");
  return { owner, repo };
}

export interface DeliverOptions {
  /** devflow's public address (DEVFLOW_PUBLIC_URL): the check run links to the run's dashboard page. */
  readonly publicUrl?: string;
}

/** Delivers one stored effect; a kind this switch does not know throws `effect_kind_unknown`. */
export async function deliverEffect(
  prisma: PrismaClient,
  octokit: Octokit,
  row: OutboxEffect,
  options: DeliverOptions = {},
): Promise<Record<string, unknown>> {
  const effect = readEffect(row);
  switch (effect.kind) {
    case "run.status":
    case "run.report":
      if (!row.runId) return { skipped: "no run" };
      return syncRun(prisma, octokit, row.runId, options);
    case "reaction":
      return react(octokit, effect);
    case "comment.reply":
      return reply(octokit, row.key, effect);
    default:
      return unknownKind(row, effect);
  }
}

function unknownKind(row: OutboxEffect, effect: never): never {
  throw new DevflowError(`Outbox effect ${row.id} has a kind no delivery handles.`, {
    code: "effect_kind_unknown",
    details: { effectId: row.id, kind: (effect as { kind?: unknown }).kind },
  });
}

async function react(octokit: Octokit, effect: Extract<Effect, { kind: "reaction" }>) {
  const repo = repoOf(effect.repository);
  // GitHub answers an existing identical reaction with 200: reacting twice is harmless.
  const { data } =
    effect.target.type === "comment"
      ? await octokit.rest.reactions.createForIssueComment({
          ...repo,
          comment_id: effect.target.id,
          content: effect.content,
        })
      : await octokit.rest.reactions.createForIssue({
          ...repo,
          issue_number: effect.target.number,
          content: effect.content,
        });
  return { reactionId: data.id };
}

async function reply(octokit: Octokit, key: string, effect: Extract<Effect, { kind: "comment.reply" }>) {
  const repo = repoOf(effect.repository);
  const marker = `<!-- devflow:reply:${key} -->`;
  const existing = await findComment(octokit, repo, effect.issueNumber, marker);
  if (existing) return { commentId: existing };
  const { data } = await octokit.rest.issues.createComment({
    ...repo,
    issue_number: effect.issueNumber,
    body: `${effect.body}\n\n${marker}`,
  });
  return { commentId: data.id };
}

async function findComment(
  octokit: Octokit,
  repo: Repo,
  issueNumber: number,
  marker: string,
): Promise<number | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  return comments.find((comment) => comment.body?.includes(marker))?.id;
}

/** Brings the sticky comment, the draft PR and the check run up to the run's current state. */
async function syncRun(
  prisma: PrismaClient,
  octokit: Octokit,
  runId: string,
  options: DeliverOptions,
): Promise<Record<string, unknown>> {
  const status = await getRunStatus(prisma, runId);
  const { run } = status;
  const repo = repoOf(run.repository);
  const result: Record<string, unknown> = {};
  // A revision chain shares one sticky comment, kept by its newest run (render-run-output.ts).
  if (run.issueNumber && writesStickyComment(status))
    result.commentId = await syncComment(prisma, octokit, repo, status);
  if (
    run.branch &&
    run.issueNumber &&
    !run.pullRequestNumber &&
    status.phases.some((p) => p.state === "succeeded")
  ) {
    result.pullRequest = await ensureDraftPullRequest(prisma, octokit, repo, status);
  }
  if (run.headSha) result.checkRunId = await syncCheckRun(prisma, octokit, repo, status, options);
  return result;
}

async function syncComment(prisma: PrismaClient, octokit: Octokit, repo: Repo, status: RunStatus) {
  const { run } = status;
  const body = renderStatusComment(status);
  let commentId = run.statusCommentId
    ? Number(run.statusCommentId)
    : await findComment(octokit, repo, run.issueNumber ?? 0, stickyMarker(run));
  if (commentId) {
    const updated = await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body }).then(
      () => true,
      (error: { status?: number }) => (error.status === 404 ? false : Promise.reject(error)),
    );
    if (!updated) commentId = undefined; // deleted by someone: post it again
  }
  if (!commentId) {
    const { data } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: run.issueNumber ?? 0,
      body,
    });
    commentId = data.id;
  }
  await recordRunGitHubIds(prisma, run.id, { statusCommentId: commentId });
  return commentId;
}

async function ensureDraftPullRequest(prisma: PrismaClient, octokit: Octokit, repo: Repo, status: RunStatus) {
  const { run } = status;
  const open = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${run.branch}`, state: "open" });
  let number = open.data[0]?.number;
  if (!number) {
    const { data } = await octokit.rest.pulls.create({
      ...repo,
      head: run.branch ?? "",
      base: run.baseBranch,
      draft: true,
      title: `devflow: ${run.title ?? `run ${run.id.slice(0, 8)}`}`,
      body: `Closes #${run.issueNumber}\n\nOpened by devflow for run \`${run.id}\`; the run's progress and final report are in the Checks tab.\n\n${statusMarker(run.id)}`,
    });
    number = data.number;
  }
  await recordRunGitHubIds(prisma, run.id, { pullRequestNumber: number });
  return number;
}

async function syncCheckRun(
  prisma: PrismaClient,
  octokit: Octokit,
  repo: Repo,
  status: RunStatus,
  options: DeliverOptions,
) {
  const { run } = status;
  // Never through a link, never past the report cap: an unreadable report leaves the summary alone.
  const report = run.reportPath ? await readFinalReport(run.reportPath).catch(() => undefined) : undefined;
  const runUrl = options.publicUrl ? `${options.publicUrl}/runs/${run.id}` : undefined;
  const activity = await runActivity(prisma, run.id);
  const output = renderCheckRun(status, report, { activity, ...(runUrl ? { runUrl } : {}) });
  const annotations = output.status === "completed" ? reviewAnnotations(status) : [];
  const fields = {
    status: output.status,
    ...(output.conclusion ? { conclusion: output.conclusion, completed_at: new Date().toISOString() } : {}),
    output: {
      title: output.title,
      summary: output.summary,
      ...(output.text ? { text: output.text } : {}),
      annotations: annotations.slice(0, 50),
    },
    actions: output.actions,
  };
  let checkRunId = run.checkRunId && run.checkRunHeadSha === run.headSha ? Number(run.checkRunId) : undefined;
  if (!checkRunId) {
    // A new head (a checkpoint) gets the run's check run anew; the one on the old head is closed.
    const existing = await octokit.rest.checks.listForRef({
      ...repo,
      ref: run.headSha ?? "",
      check_name: "devflow",
    });
    checkRunId = existing.data.check_runs.find((check) => check.external_id === run.id)?.id;
    if (run.checkRunId && Number(run.checkRunId) !== checkRunId) {
      await octokit.rest.checks
        .update({
          ...repo,
          check_run_id: Number(run.checkRunId),
          status: "completed",
          conclusion: "neutral",
          output: { title: "Superseded", summary: `The run moved on to ${run.headSha}.` },
          actions: [], // its buttons would decide on what this check run no longer shows
        })
        .catch(() => undefined);
    }
  }
  if (checkRunId) {
    await octokit.rest.checks.update({ ...repo, check_run_id: checkRunId, ...fields });
  } else {
    const { data } = await octokit.rest.checks.create({
      ...repo,
      name: "devflow",
      head_sha: run.headSha ?? "",
      external_id: run.id,
      ...fields,
    });
    checkRunId = data.id;
  }
  // GitHub takes at most 50 annotations per request: the rest go in further updates.
  for (let start = 50; start < annotations.length; start += 50) {
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: checkRunId,
      output: {
        title: output.title,
        summary: output.summary,
        annotations: annotations.slice(start, start + 50),
      },
    });
  }
  await recordRunGitHubIds(prisma, run.id, { checkRun: { id: checkRunId, headSha: run.headSha } });
  return checkRunId;
}
