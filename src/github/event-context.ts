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
}

export interface Sender {
  login: string;
  type: string;
}
