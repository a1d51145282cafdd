// What a handler needs to know about a webhook event and may ask GitHub, as plain values and
// functions: handlers stay testable and the Probot context stays at the edge (app.ts).
export interface RepositoryRef {
  owner: string;
  name: string;
  /** `owner/name`. */
  fullName: string;
  cloneUrl: string;
  defaultBranch: string;
}

export interface EventContext {
  deliveryId: string;
  installationId: number;
  repository: RepositoryRef;
  /** `.github/devflow.yml` from the default branch, parsed (`{}` when absent). */
  loadRepositoryConfig(): Promise<unknown>;
  /** The collaborator permission API's answer for `login`; `{ failed: true }` when GitHub did not answer. */
  permissionOf(login: string): Promise<{ roleName: string; permission: string } | { failed: true }>;
  /** The team slugs among `teams` that `login` belongs to. */
  teamsOf(login: string, teams: readonly string[]): Promise<string[]>;
  /** A pull request's state as GitHub has it now (throws when GitHub does not answer). */
  pullRequestOf(number: number): Promise<PullRequestState>;
  /** A review's inline comments, oldest first, at most `max` (throws when GitHub does not answer). */
  reviewCommentsOf(pull: number, reviewId: number, max: number): Promise<ReviewComment[]>;
}

export interface PullRequestState {
  state: "open" | "closed";
  merged: boolean;
}

/** An inline comment of a review: the file, the line it is on (null when outdated), the diff hunk, the text. */
export interface ReviewComment {
  path: string;
  line: number | null;
  diffHunk: string;
  body: string;
}

export interface Sender {
  login: string;
  type: string;
}

/** The parts of GitHub's `review-comment` a revision uses. */
export function reviewComment(comment: {
  path: string;
  line?: number | null;
  diff_hunk: string;
  body: string;
}): ReviewComment {
  return { path: comment.path, line: comment.line ?? null, diffHunk: comment.diff_hunk, body: comment.body };
}
