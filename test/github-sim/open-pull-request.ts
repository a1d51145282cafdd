// Opening a pull request as GitHub does: both branches must exist in the repository's git, the head
// must have commits the base lacks, and one open pull request per head and base.
import { commitsBetween, resolveRef } from "./git-repos.js";
import { validationFailed } from "./http.js";
import type { IssueRecord, PullRecord } from "./records.js";
import type { GitHubState } from "./state.js";

export interface PullRequestOptions {
  title: string;
  body?: string;
  /** A branch of the repository, optionally as `owner:branch`. */
  head: string;
  base: string;
  draft?: boolean;
  /** The author's login (the app's bot when an installation token opens it). */
  user: string;
}

export async function openPullRequest(
  state: GitHubState,
  fullName: string,
  options: PullRequestOptions,
): Promise<IssueRecord & { pull: PullRecord }> {
  const repo = state.repo(fullName);
  const head = options.head.replace(new RegExp(`^${repo.owner.login}:`, "i"), "");
  const headSha = await resolveRef(repo.gitDir, `refs/heads/${head}`);
  if (!headSha) throw validationFailed("PullRequest", "head", "invalid");
  const baseSha = await resolveRef(repo.gitDir, `refs/heads/${options.base}`);
  if (!baseSha) throw validationFailed("PullRequest", "base", "invalid");
  const open = state
    .pulls(fullName)
    .find((p) => p.state === "open" && p.pull?.head === head && p.pull.base === options.base);
  if (open) {
    const message = `A pull request already exists for ${repo.owner.login}:${head}.`;
    throw validationFailed("PullRequest", "head", "custom", message);
  }
  if ((await commitsBetween(repo.gitDir, baseSha, headSha)) === 0) {
    throw validationFailed("PullRequest", "head", "custom", `No commits between ${options.base} and ${head}`);
  }
  const issue = state.createIssue(fullName, { title: options.title, body: options.body, user: options.user });
  const pull: PullRecord = {
    id: state.nextId(),
    head,
    base: options.base,
    headSha,
    baseSha,
    draft: options.draft ?? false,
    maintainerCanModify: false,
    reviews: [],
    mergedAt: null,
  };
  issue.pull = pull;
  return issue as IssueRecord & { pull: PullRecord };
}
