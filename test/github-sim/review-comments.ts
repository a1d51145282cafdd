// Reviews with inline comments, as GitHub keeps them: each comment sits on a line of the pull request's
// diff (GitHub refuses any other line), and carries the diff hunk up to that line. `review-comment` JSON
// for the "list comments for a review" endpoint.
import { git } from "./git-repos.js";
import { isoNow } from "./http.js";
import { authorAssociation } from "./issue-shapes.js";
import { refreshShas } from "./pull-shapes.js";
import type { IssueRecord, PullRecord, ReviewCommentRecord, ReviewRecord } from "./records.js";
import { nodeId, reactionRollup, type Urls, userJson } from "./shapes.js";
import type { GitHubState } from "./state.js";

type PullIssue = IssueRecord & { pull: PullRecord };

export interface NewReview {
  user: string;
  body: string | null;
  state: ReviewRecord["state"];
  /** Inline comments on lines of the head's side of the diff. */
  comments?: { path: string; line: number; body: string }[];
}

/** Stores a review on the pull request's current head; an inline comment off the diff throws, as GitHub refuses it. */
export async function addReview(
  state: GitHubState,
  issue: PullIssue,
  review: NewReview,
): Promise<ReviewRecord> {
  await refreshShas(issue);
  const { headSha, baseSha } = issue.pull;
  const comments: ReviewCommentRecord[] = [];
  for (const comment of review.comments ?? []) {
    comments.push({
      id: state.nextId(),
      path: comment.path,
      line: comment.line,
      diffHunk: await diffHunkAt(issue.repo.gitDir, baseSha, headSha, comment.path, comment.line),
      body: comment.body,
      commitId: headSha,
      createdAt: isoNow(),
    });
  }
  const record: ReviewRecord = {
    id: state.nextId(),
    user: state.user(review.user).login,
    body: review.body,
    state: review.state,
    commitId: headSha,
    submittedAt: isoNow(),
    comments,
  };
  issue.pull.reviews.push(record);
  return record;
}

/** The hunk of `base...head`'s diff of `path` that shows `line` (head side), cut after that line. */
async function diffHunkAt(gitDir: string, base: string, head: string, path: string, line: number) {
  const diff = await git(["--git-dir", gitDir, "diff", "--unified=3", base, head, "--", path]);
  let hunk: string[] | undefined;
  let newLine = 0;
  for (const text of diff.split("\n")) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (header) {
      hunk = [text];
      newLine = Number(header[1]) - 1;
      continue;
    }
    if (!hunk || text.startsWith("\\")) continue;
    hunk.push(text);
    if (text.startsWith("-")) continue;
    newLine += 1;
    if (newLine === line) return hunk.join("\n");
  }
  throw new Error(`pull_request_review_thread.line must be part of the diff: ${path} line ${line}`);
}

export function reviewCommentJson(
  state: GitHubState,
  urls: Urls,
  issue: PullIssue,
  review: ReviewRecord,
  comment: ReviewCommentRecord,
) {
  const { repo } = issue;
  const api = `${urls.api}/repos/${repo.fullName}`;
  const pullUrl = `${api}/pulls/${issue.number}`;
  const html = `${urls.web}/${repo.fullName}/pull/${issue.number}#discussion_r${comment.id}`;
  const self = `${api}/pulls/comments/${comment.id}`;
  return {
    url: self,
    pull_request_review_id: review.id,
    id: comment.id,
    node_id: nodeId("PullRequestReviewComment", comment.id),
    diff_hunk: comment.diffHunk,
    path: comment.path,
    position: comment.diffHunk.split("\n").length - 1,
    original_position: comment.diffHunk.split("\n").length - 1,
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    user: userJson(urls, state.user(review.user)),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: authorAssociation(state, repo, review.user),
    _links: { self: { href: self }, html: { href: html }, pull_request: { href: pullUrl } },
    reactions: reactionRollup(`${self}/reactions`, []),
    start_line: null,
    original_start_line: null,
    start_side: null,
    line: comment.line,
    original_line: comment.line,
    side: "RIGHT",
    subject_type: "line",
  };
}
