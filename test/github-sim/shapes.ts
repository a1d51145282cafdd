// JSON shapes of users, repositories, apps, installations, labels and reactions exactly as GitHub's REST
// API returns them (the tests validate every one against the OpenAPI description).
import type {
  AppIdentity,
  InstallationRecord,
  LabelRecord,
  ReactionRecord,
  RepoRecord,
  RoleName,
  UserRecord,
} from "./records.js";

/** Where the simulator is: `api` is the REST base URL (…/api/v3 on GHE), `web` the host's root. */
export interface Urls {
  api: string;
  web: string;
}

export const nodeId = (kind: string, id: number) => Buffer.from(`0:${kind}${id}`).toString("base64");

export function userJson(urls: Urls, user: UserRecord) {
  const url = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  const html =
    user.type === "Bot"
      ? `${urls.web}/apps/${user.login.replace(/\[bot\]$/, "")}`
      : `${urls.web}/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: `${urls.web}/avatars/u/${user.id}?v=4`,
    gravatar_id: "",
    url,
    html_url: html,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: user.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** `full-repository` (GET /repos/{owner}/{repo}); `repository` (in pull requests) is the same minus counts. */
export function repoJson(urls: Urls, repo: RepoRecord, full = true) {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const host = new URL(urls.web).host;
  const base = {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    owner: userJson(urls, repo.owner),
    html_url: `${urls.web}/${repo.fullName}`,
    description: null,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    pushed_at: repo.pushedAt,
    git_url: `git://${host}/${repo.fullName}.git`,
    ssh_url: `git@${host}:${repo.fullName}.git`,
    clone_url: `${urls.web}/${repo.fullName}.git`,
    svn_url: `${urls.web}/${repo.fullName}`,
    homepage: null,
    size: 1,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? "private" : "public",
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: repo.defaultBranch,
  };
  if (!full) return base;
  const organization = repo.owner.type === "Organization" ? { organization: userJson(urls, repo.owner) } : {};
  return { ...base, ...organization, network_count: 0, subscribers_count: 0 };
}

/** The `integration` shape of GET /app and of `app` on check runs and app-written comments. */
export function appJson(urls: Urls, app: AppIdentity, permissions: Record<string, string>, events: string[]) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("App", app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, "0")}`,
    owner: userJson(urls, app.owner),
    name: app.name,
    description: "devflow (simulated)",
    external_url: `${urls.web}/apps/${app.slug}`,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions,
    events,
  };
}

export function installationJson(urls: Urls, app: AppIdentity, installation: InstallationRecord) {
  return {
    id: installation.id,
    client_id: `Iv1.${app.id.toString(16).padStart(16, "0")}`,
    account: userJson(urls, installation.account),
    repository_selection: "all",
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/organizations/${installation.account.login}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: installation.account.id,
    target_type: installation.account.type === "Organization" ? "Organization" : "User",
    permissions: installation.permissions,
    events: installation.events,
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function labelJson(urls: Urls, repo: RepoRecord, label: LabelRecord) {
  return {
    id: label.id,
    node_id: nodeId("Label", label.id),
    url: `${urls.api}/repos/${repo.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

export function reactionJson(urls: Urls, reaction: ReactionRecord, user: UserRecord) {
  return {
    id: reaction.id,
    node_id: nodeId("Reaction", reaction.id),
    user: userJson(urls, user),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}

export const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"] as const;

export function reactionRollup(url: string, reactions: ReactionRecord[]) {
  const counts = Object.fromEntries(
    REACTIONS.map((r) => [r, reactions.filter((x) => x.content === r).length]),
  );
  return { url, total_count: reactions.length, ...counts };
}

/** `permission` is the legacy base role: maintain reads as write, triage as read. */
export function legacyPermission(role: RoleName): "admin" | "write" | "read" | "none" {
  if (role === "maintain") return "write";
  if (role === "triage") return "read";
  return role;
}

export function rolePermissions(role: RoleName) {
  const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(role);
  return { admin: rank >= 5, maintain: rank >= 4, push: rank >= 3, triage: rank >= 2, pull: rank >= 1 };
}
