// Brings what GitHub shows of a run — the sticky comment, the draft PR, the check run — up to the run as
// it is now, with as few writes as that takes: the run is rendered once, a creation carries the current
// body (never create-then-edit), and an object whose rendered content equals what was last sent to it is
// not written at all. Idempotent: GitHub's ids are recorded on the run (by the engine's writer), and a
// create that may have reached GitHub before a crash is looked up instead of made twice.
import type { PrismaClient } from "../../db/index.js";
import { getRunStatus, type RunStatus, recordRunGitHubIds } from "../../engine/index.js";
import type { DeliverOptions } from "./deliver-effect.js";
import { findComment, type Octokit, type Repo, repoOf } from "./effect-octokit.js";
import { renderStatusComment, statusMarker, stickyMarker, writesStickyComment } from "./render-run-output.js";
import { alreadySent, contentSha256, markCreating, readSentOutput, recordSent } from "./sent-output.js";
import { syncCheckRun } from "./sync-check-run.js";

/** What one object's sync did on GitHub. */
export type ObjectWrite = "created" | "updated" | "unchanged";

export interface RunOutputResult {
  [key: string]: unknown;
  commentId?: number;
  comment?: ObjectWrite;
  pullRequest?: number;
  checkRunId?: number;
  checkRun?: ObjectWrite;
}

export async function syncRunOutput(
  prisma: PrismaClient,
  octokit: Octokit,
  runId: string,
  options: DeliverOptions = {},
): Promise<RunOutputResult> {
  const status = await getRunStatus(prisma, runId);
  const { run } = status;
  const repo = repoOf(run.repository);
  const result: RunOutputResult = {};
  // The draft PR once the run's branch is on GitHub (its first gate, or its end); first, so that the
  // comment and the check run rendered next already link it. GitHub refusing it (a repository setting,
  // a transient error) does not keep them from showing the run: the failure is raised after them, and
  // the retry sends only what is still missing.
  let refused: unknown;
  if (run.branch && run.issueNumber && !run.pullRequestNumber && run.headSha) {
    await ensureDraftPullRequest(prisma, octokit, repo, status).then(
      (number) => {
        result.pullRequest = number;
        status.run.pullRequestNumber = number;
      },
      (error: unknown) => {
        refused = error;
      },
    );
  }
  // A revision chain shares one sticky comment, kept by its newest run (render-run-output.ts).
  if (run.issueNumber && writesStickyComment(status))
    Object.assign(result, await syncComment(prisma, octokit, repo, status));
  if (run.headSha) Object.assign(result, await syncCheckRun(prisma, octokit, repo, status, options));
  if (refused !== undefined) throw refused;
  return result;
}

async function syncComment(prisma: PrismaClient, octokit: Octokit, repo: Repo, status: RunStatus) {
  const { run } = status;
  const body = renderStatusComment(status);
  const sha256 = contentSha256(body);
  const sent = await readSentOutput(prisma, run.id, "comment");
  let commentId = run.statusCommentId ? Number(run.statusCommentId) : undefined;
  // A create was started and not recorded: it may have reached GitHub. Only then is the issue read.
  if (!commentId && sent.creating) {
    commentId = await findComment(octokit, repo, run.issueNumber ?? 0, stickyMarker(run));
  }
  if (commentId) {
    if (commentId !== Number(run.statusCommentId ?? 0))
      await recordRunGitHubIds(prisma, run.id, { statusCommentId: commentId });
    if (alreadySent(sent, commentId, sha256)) return { commentId, comment: "unchanged" as const };
    const updated = await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body }).then(
      () => true,
      (error: { status?: number }) => (error.status === 404 ? false : Promise.reject(error)),
    );
    if (updated) {
      await recordSent(prisma, run.id, "comment", commentId, sha256);
      return { commentId, comment: "updated" as const };
    }
    // Deleted by someone: post it again.
  }
  await markCreating(prisma, run.id, "comment", "issue");
  const { data } = await octokit.rest.issues.createComment({
    ...repo,
    issue_number: run.issueNumber ?? 0,
    body,
  });
  await recordRunGitHubIds(prisma, run.id, { statusCommentId: data.id });
  await recordSent(prisma, run.id, "comment", data.id, sha256);
  return { commentId: data.id, comment: "created" as const };
}

/** Opens the draft PR; one that exists already for the branch (a create before a crash) is found. */
async function ensureDraftPullRequest(prisma: PrismaClient, octokit: Octokit, repo: Repo, status: RunStatus) {
  const { run } = status;
  const number = await octokit.rest.pulls
    .create({
      ...repo,
      head: run.branch ?? "",
      base: run.baseBranch,
      draft: true,
      title: `devflow: ${run.title ?? `run ${run.id.slice(0, 8)}`}`,
      body: `Closes #${run.issueNumber}\n\nOpened by devflow for run \`${run.id}\`; the run's progress and final report are in the Checks tab.\n\n${statusMarker(run.id)}`,
    })
    .then(
      ({ data }) => data.number,
      async (error: { status?: number }) => {
        // 422 "A pull request already exists": ask which (anything else is a failure to retry).
        if (error.status !== 422) throw error;
        const open = await octokit.rest.pulls.list({
          ...repo,
          head: `${repo.owner}:${run.branch}`,
          state: "open",
        });
        if (!open.data[0]) throw error;
        return open.data[0].number;
      },
    );
  await recordRunGitHubIds(prisma, run.id, { pullRequestNumber: number });
  return number;
}
