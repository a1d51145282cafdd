// The records the simulator's state holds, one interface per GitHub object it keeps.

export type RoleName = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type UserType = "User" | "Bot" | "Organization";

export interface UserRecord {
  login: string;
  id: number;
  type: UserType;
}

export interface InstallationRecord {
  id: number;
  account: UserRecord;
  permissions: Record<string, "read" | "write">;
  events: string[];
  createdAt: string;
}

export interface RepoRecord {
  id: number;
  owner: UserRecord;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  gitDir: string;
  installationId: number;
  createdAt: string;
  pushedAt: string;
  labels: Map<string, LabelRecord>;
  nextNumber: number;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface ReactionRecord {
  id: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface IssueRecord {
  repo: RepoRecord;
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: string;
  state: "open" | "closed";
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  reactions: ReactionRecord[];
  /** Set when the issue is a pull request. */
  pull?: PullRecord;
}

export interface PullRecord {
  id: number;
  head: string;
  base: string;
  /** The head and base commits when last read (kept when a branch is deleted, as GitHub keeps them). */
  headSha: string;
  baseSha: string;
  draft: boolean;
  maintainerCanModify: boolean;
  reviews: ReviewRecord[];
  /** Set when the pull request was merged (it is then closed too). */
  mergedAt: string | null;
}

export interface ReviewRecord {
  id: number;
  user: string;
  body: string | null;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
  commitId: string;
  submittedAt: string;
  /** The review's inline comments, each on a line of the pull request's diff. */
  comments: ReviewCommentRecord[];
}

export interface ReviewCommentRecord {
  id: number;
  path: string;
  /** The line of the head's version of the file (the diff's right side). */
  line: number;
  /** The diff hunk up to that line, as GitHub gives it. */
  diffHunk: string;
  body: string;
  commitId: string;
  createdAt: string;
}

export interface CommentRecord {
  id: number;
  issue: IssueRecord;
  body: string;
  user: string;
  /** Set when an installation token wrote the comment (the comment is then by the app's bot user). */
  viaApp: boolean;
  createdAt: string;
  updatedAt: string;
  /** Every body the comment had before its current one, oldest first (edits, not re-posts). */
  history: string[];
  reactions: ReactionRecord[];
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRecord {
  id: number;
  repo: RepoRecord;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Annotation[];
  actions: { label: string; description: string; identifier: string }[];
  checkSuiteId: number;
  /** Every request body that created or updated the run, in order. */
  updates: Record<string, unknown>[];
}

export interface TokenRecord {
  token: string;
  installationId: number;
  expiresAt: Date;
}

export interface PushRecord {
  repo: string;
  /** Who pushed: the bot of the app whose installation token authenticated the push. */
  pusher?: string;
  updates: { ref: string; before: string | null; after: string | null }[];
  at: string;
}

export interface DeliveryRecord {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  deliveredAt: string;
  redelivery: boolean;
  duration: number;
  status: string;
  statusCode: number;
  target: string;
  requestHeaders: Record<string, string>;
  payload: string;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
}

export interface AppIdentity {
  id: number;
  slug: string;
  name: string;
  owner: UserRecord;
  createdAt: string;
}

/** A manifest POSTed to the "new app" page, waiting for its one-time code to be converted. */
export interface ManifestCodeRecord {
  code: string;
  manifest: Record<string, unknown>;
  owner: UserRecord;
  expiresAt: number;
}

/** An app registered from a manifest (GitHub keeps its secrets; the simulator keeps them for tests). */
export interface RegisteredAppRecord {
  app: AppIdentity;
  manifest: Record<string, unknown>;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  /** PEM (PKCS#1, as GitHub hands it out). */
  pem: string;
}
