// JSON shapes of pull requests: `pull-request-simple` in lists, `pull-request` for one, with head and
// base read from the repository's git refs (a push to the head branch moves `head.sha`).
import { commitsBetween, diffStat, resolveRef } from "./git-repos.js";
import { authorAssociation } from "./issue-shapes.js";
import type { IssueRecord, PullRecord } from "./records.js";
import { labelJson, nodeId, repoJson, type Urls, userJson } from "./shapes.js";
import type { GitHubState } from "./state.js";

type PullIssue = IssueRecord & { pull: PullRecord };

/** Refreshes the head and base SHAs from git (kept as they were when a branch is gone). */
export async function refreshShas(issue: PullIssue): Promise<void> {
  const { gitDir } = issue.repo;
  issue.pull.headSha = (await resolveRef(gitDir, `refs/heads/${issue.pull.head}`)) ?? issue.pull.headSha;
  issue.pull.baseSha = (await resolveRef(gitDir, `refs/heads/${issue.pull.base}`)) ?? issue.pull.baseSha;
}

export async function pullSimpleJson(state: GitHubState, urls: Urls, issue: PullIssue) {
  await refreshShas(issue);
  const { repo, pull } = issue;
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.web}/${repo.fullName}/pull/${issue.number}`;
  const self = `${api}/pulls/${issue.number}`;
  const branch = (ref: string, sha: string) => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: userJson(urls, repo.owner),
    repo: repoJson(urls, repo, false),
  });
  const link = (href: string) => ({ href });
  return {
    url: self,
    id: pull.id,
    node_id: nodeId("PullRequest", pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${issue.number}`,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${issue.number}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(urls, state.user(issue.user)),
    body: issue.body,
    labels: issue.labels.map((name) => labelJson(urls, repo, state.label(repo, name))),
    milestone: null,
    active_lock_reason: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branch(pull.head, pull.headSha),
    base: branch(pull.base, pull.baseSha),
    _links: {
      self: link(self),
      html: link(html),
      issue: link(`${api}/issues/${issue.number}`),
      comments: link(`${api}/issues/${issue.number}/comments`),
      review_comments: link(`${self}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${self}/commits`),
      statuses: link(`${api}/statuses/${pull.headSha}`),
    },
    author_association: authorAssociation(state, repo, issue.user),
    auto_merge: null,
    draft: pull.draft,
  };
}

export async function pullJson(state: GitHubState, urls: Urls, issue: PullIssue) {
  const simple = await pullSimpleJson(state, urls, issue);
  const { gitDir } = issue.repo;
  const { headSha, baseSha } = issue.pull;
  const stat = await diffStat(gitDir, baseSha, headSha);
  return {
    ...simple,
    merged: issue.pull.mergedAt !== null,
    mergeable: issue.state === "open" ? true : null,
    rebaseable: issue.state === "open" ? true : null,
    mergeable_state: issue.pull.draft ? "draft" : "clean",
    merged_by: null,
    comments: state.commentsOn(issue).length,
    review_comments: 0,
    maintainer_can_modify: issue.pull.maintainerCanModify,
    commits: await commitsBetween(gitDir, baseSha, headSha),
    additions: stat.additions,
    deletions: stat.deletions,
    changed_files: stat.changedFiles,
  };
}
