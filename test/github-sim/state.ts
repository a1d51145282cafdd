// The simulator's world: users, installations, repositories (bare git repos on disk), issues and pull
// requests, comments, reactions, labels, check runs, tokens, webhook deliveries and pushes. Tests seed it
// and inspect it; the routes read and change it the way GitHub would.
import { join } from "node:path";
import { commitFiles, initBareRepository } from "./git-repos.js";
import { isoNow, notFound } from "./http.js";
import { openPullRequest, type PullRequestOptions } from "./open-pull-request.js";
import type {
  AppIdentity,
  CheckRunRecord,
  CommentRecord,
  DeliveryRecord,
  InstallationRecord,
  IssueRecord,
  LabelRecord,
  ManifestCodeRecord,
  PullRecord,
  PushRecord,
  RegisteredAppRecord,
  RepoRecord,
  RoleName,
  TokenRecord,
  UserRecord,
  UserType,
} from "./records.js";

export class GitHubState {
  readonly users = new Map<string, UserRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly issues: IssueRecord[] = [];
  readonly comments = new Map<number, CommentRecord>();
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly checkSuites = new Map<string, number>();
  /** Check suite id → slug of the app that created it (its first check run's). */
  readonly checkSuiteCreators = new Map<number, string>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly deliveries: DeliveryRecord[] = [];
  readonly pushes: PushRecord[] = [];
  /** `owner/repo` → login → role. */
  readonly roles = new Map<string, Map<string, RoleName>>();
  readonly app: AppIdentity;
  /** Manifest flow: codes handed out by the "new app" page, and the apps registered from them. */
  readonly manifestCodes = new Map<string, ManifestCodeRecord>();
  readonly registeredApps = new Map<number, RegisteredAppRecord>();
  private lastId = 1000;

  constructor(
    readonly gitRoot: string,
    app: { id: number; slug: string; name: string },
    readonly defaultPermissions: Record<string, "read" | "write">,
  ) {
    const owner = this.user("devflow-owner");
    this.app = { ...app, owner, createdAt: isoNow() };
    this.addBot(`${app.slug}[bot]`);
  }

  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** The user with this login, created on first mention (a `[bot]` suffix makes a Bot). */
  user(login: string, type?: UserType): UserRecord {
    let user = this.users.get(login.toLowerCase());
    if (!user) {
      user = { login, id: this.nextId(), type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") };
      this.users.set(login.toLowerCase(), user);
    }
    return user;
  }

  addBot(login: string): UserRecord {
    const bot = this.user(login, "Bot");
    bot.type = "Bot";
    return bot;
  }

  /** The app's own bot user, the author of everything an installation token writes. */
  appBot(): UserRecord {
    return this.user(`${this.app.slug}[bot]`, "Bot");
  }

  installationFor(owner: string): InstallationRecord {
    const account = this.user(owner);
    for (const installation of this.installations.values())
      if (installation.account === account) return installation;
    const events = ["check_run", "issue_comment", "issues", "pull_request", "pull_request_review", "push"];
    const installation = {
      id: this.nextId(),
      account,
      permissions: { ...this.defaultPermissions },
      events,
      createdAt: isoNow(),
    };
    this.installations.set(installation.id, installation);
    return installation;
  }

  /**
   * Creates a repository (a bare git repository under the simulator's root, with one commit holding
   * `files` on the default branch) and installs the app on its owner. The owner is an Organization
   * unless `ownerType: "User"` (whose owner is then the repository's admin).
   */
  async createRepository(
    owner: string,
    name: string,
    options: {
      defaultBranch?: string;
      files?: Record<string, string>;
      private?: boolean;
      ownerType?: UserType;
    } = {},
  ): Promise<RepoRecord> {
    const fullName = `${owner}/${name}`;
    if (this.repos.has(fullName.toLowerCase())) throw new Error(`repository ${fullName} exists`);
    const ownerUser = this.user(owner, options.ownerType ?? "Organization");
    const gitDir = join(this.gitRoot, owner, `${name}.git`);
    const defaultBranch = options.defaultBranch ?? "main";
    await initBareRepository(gitDir, defaultBranch, options.files ?? { "README.md": `# ${name}\n` });
    const now = isoNow();
    const repo: RepoRecord = {
      id: this.nextId(),
      owner: ownerUser,
      name,
      fullName,
      private: options.private ?? true,
      defaultBranch,
      gitDir,
      installationId: this.installationFor(owner).id,
      createdAt: now,
      pushedAt: now,
      labels: new Map(),
      nextNumber: 1,
    };
    this.repos.set(fullName.toLowerCase(), repo);
    if (ownerUser.type === "User") this.setRole(fullName, owner, "admin");
    return repo;
  }

  /** Commits files to a branch of a repository (as a push by someone else would). */
  async commitFiles(
    fullName: string,
    branch: string,
    files: Record<string, string>,
    message = "Update files",
  ) {
    const repo = this.repo(fullName);
    const sha = await commitFiles(repo.gitDir, branch, files, message);
    repo.pushedAt = isoNow();
    return sha;
  }

  repo(fullName: string): RepoRecord {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw notFound();
    return repo;
  }

  createIssue(fullName: string, options: { title: string; body?: string; user: string; labels?: string[] }) {
    const repo = this.repo(fullName);
    const now = isoNow();
    const issue: IssueRecord = {
      repo,
      id: this.nextId(),
      number: repo.nextNumber++,
      title: options.title,
      body: options.body ?? null,
      user: this.user(options.user).login,
      state: "open",
      labels: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      reactions: [],
    };
    for (const label of options.labels ?? []) this.addLabel(issue, label);
    this.issues.push(issue);
    return issue;
  }

  issue(fullName: string, number: number): IssueRecord {
    const repo = this.repo(fullName);
    const issue = this.issues.find((i) => i.repo === repo && i.number === number);
    if (!issue) throw notFound();
    return issue;
  }

  /**
   * Opens a pull request from `head` into `base` (both branches of the repository) with GitHub's 422s:
   * a missing branch, no commits between them, or an open pull request for the same head already.
   */
  createPullRequest(
    fullName: string,
    options: PullRequestOptions,
  ): Promise<IssueRecord & { pull: PullRecord }> {
    return openPullRequest(this, fullName, options);
  }

  /**
   * Marks a pull request merged (and closed), as the merge button would; the base branch is left as it
   * is (tests of what devflow does with a merged pull request need only the flag).
   */
  markMerged(fullName: string, number: number): void {
    const issue = this.issue(fullName, number);
    if (!issue.pull) throw new Error(`${fullName}#${number} is not a pull request`);
    const now = isoNow();
    issue.state = "closed";
    issue.closedAt = now;
    issue.pull.mergedAt = now;
  }

  pulls(fullName: string): IssueRecord[] {
    const repo = this.repo(fullName);
    return this.issues.filter((i) => i.repo === repo && i.pull);
  }

  label(repo: RepoRecord, name: string): LabelRecord {
    let label = repo.labels.get(name.toLowerCase());
    if (!label) {
      label = { id: this.nextId(), name, color: "ededed", description: null };
      repo.labels.set(name.toLowerCase(), label);
    }
    return label;
  }

  addLabel(issue: IssueRecord, name: string): void {
    const label = this.label(issue.repo, name);
    if (!issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) issue.labels.push(label.name);
    issue.updatedAt = isoNow();
  }

  commentsOn(issue: IssueRecord): CommentRecord[] {
    return [...this.comments.values()].filter((c) => c.issue === issue);
  }

  comment(fullName: string, id: number): CommentRecord {
    const comment = this.comments.get(id);
    if (!comment || comment.issue.repo !== this.repo(fullName)) throw notFound();
    return comment;
  }

  addComment(issue: IssueRecord, body: string, user: string, viaApp = false): CommentRecord {
    const now = isoNow();
    const comment = {
      id: this.nextId(),
      issue,
      body,
      user,
      viaApp,
      createdAt: now,
      updatedAt: now,
      history: [],
      reactions: [],
    };
    this.comments.set(comment.id, comment);
    issue.updatedAt = now;
    return comment;
  }

  /** The check suite of a commit (one per repository and head SHA, created on first use). */
  checkSuiteFor(repo: RepoRecord, headSha: string): number {
    const key = `${repo.fullName}@${headSha}`;
    let id = this.checkSuites.get(key);
    if (id === undefined) {
      id = this.nextId();
      this.checkSuites.set(key, id);
      // The simulator serves one app: every installation token is that app's.
      this.checkSuiteCreators.set(id, this.app.slug);
    }
    return id;
  }

  checkRun(fullName: string, id: number): CheckRunRecord {
    const run = this.checkRuns.get(id);
    if (!run || run.repo !== this.repo(fullName)) throw notFound();
    return run;
  }

  setRole(fullName: string, login: string, role: RoleName): void {
    this.user(login);
    let roles = this.roles.get(fullName.toLowerCase());
    if (!roles) {
      roles = new Map();
      this.roles.set(fullName.toLowerCase(), roles);
    }
    roles.set(login.toLowerCase(), role);
  }

  /** A user's role on a repository: what was set, else `read` on a public repository, else `none`. */
  roleOf(repo: RepoRecord, login: string): RoleName {
    const set = this.roles.get(repo.fullName.toLowerCase())?.get(login.toLowerCase());
    return set ?? (repo.private ? "none" : "read");
  }

  /** Makes every installation token invalid (as if they had expired). */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.expiresAt = new Date(0);
  }
}
