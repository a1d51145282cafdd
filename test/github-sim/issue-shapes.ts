// JSON shapes of issues and issue comments as GitHub's REST API returns them.
import type { CommentRecord, IssueRecord, RepoRecord } from "./records.js";
import { appJson, labelJson, nodeId, reactionRollup, type Urls, userJson } from "./shapes.js";
import type { GitHubState } from "./state.js";

/** How GitHub describes an author's relation to the repository (never a basis for authorization). */
export function authorAssociation(state: GitHubState, repo: RepoRecord, login: string) {
  if (repo.owner.login.toLowerCase() === login.toLowerCase()) return "OWNER";
  const role = state.roleOf(repo, login);
  if (role === "none" || role === "read")
    return state.issues.some((i) => i.user === login) ? "CONTRIBUTOR" : "NONE";
  return repo.owner.type === "Organization" ? "MEMBER" : "COLLABORATOR";
}

export function issueJson(state: GitHubState, urls: Urls, issue: IssueRecord) {
  const api = `${urls.api}/repos/${issue.repo.fullName}/issues/${issue.number}`;
  const kind = issue.pull ? "pull" : "issues";
  const html = `${urls.web}/${issue.repo.fullName}/${kind}/${issue.number}`;
  const pullUrls = issue.pull && {
    pull_request: {
      url: `${urls.api}/repos/${issue.repo.fullName}/pulls/${issue.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: null,
    },
    draft: issue.pull.draft,
  };
  return {
    url: api,
    repository_url: `${urls.api}/repos/${issue.repo.fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    id: issue.id,
    node_id: nodeId(issue.pull ? "PullRequest" : "Issue", issue.id),
    number: issue.number,
    title: issue.title,
    user: userJson(urls, state.user(issue.user)),
    labels: issue.labels.map((name) => labelJson(urls, issue.repo, state.label(issue.repo, name))),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: state.commentsOn(issue).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: authorAssociation(state, issue.repo, issue.user),
    active_lock_reason: null,
    ...pullUrls,
    body: issue.body,
    closed_by: null,
    reactions: reactionRollup(`${api}/reactions`, issue.reactions),
    timeline_url: `${api}/timeline`,
    performed_via_github_app: null,
    state_reason: issue.state === "closed" ? "completed" : null,
  };
}

export function commentJson(state: GitHubState, urls: Urls, comment: CommentRecord) {
  const repo = comment.issue.repo;
  const api = `${urls.api}/repos/${repo.fullName}/issues/comments/${comment.id}`;
  const kind = comment.issue.pull ? "pull" : "issues";
  const installation = state.installations.get(repo.installationId);
  const app =
    comment.viaApp && installation
      ? appJson(urls, state.app, installation.permissions, installation.events)
      : null;
  return {
    url: api,
    html_url: `${urls.web}/${repo.fullName}/${kind}/${comment.issue.number}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${comment.issue.number}`,
    id: comment.id,
    node_id: nodeId("IssueComment", comment.id),
    user: userJson(urls, state.user(comment.user)),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: authorAssociation(state, repo, comment.user),
    body: comment.body,
    reactions: reactionRollup(`${api}/reactions`, comment.reactions),
    performed_via_github_app: app,
  };
}
