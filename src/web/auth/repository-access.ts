// Who may see and steer which run, asked of GitHub as the run's installation: reading needs any
// permission on the repository (cached briefly, so a page of runs is not a burst of calls); deciding
// goes through authorizeSender, the very check a `/approve` comment goes through.

import type { AuthorizationDecision, EventContext, GitHubDeps } from "../../github/index.js";
import { authorizeSender } from "../../github/index.js";

export type RepositoryContextOf = (
  installationId: bigint,
  fullName: string,
) => Promise<EventContext | undefined>;

export class RepositoryAccess {
  readonly #cache = new Map<string, { readable: boolean; until: number }>();

  constructor(
    private readonly contextOf: RepositoryContextOf,
    private readonly deps: GitHubDeps,
    private readonly ttlMs = 60_000,
  ) {}

  /** False for a run without an installation (a local run): GitHub cannot vouch for who may see it. */
  async canRead(login: string, run: { repository: string; installationId: bigint | null }): Promise<boolean> {
    if (run.installationId === null) return false;
    const key = `${login.toLowerCase()}\n${run.repository}`;
    const cached = this.#cache.get(key);
    if (cached && cached.until > Date.now()) return cached.readable;
    const ctx = await this.contextOf(run.installationId, run.repository).catch(() => undefined);
    const answer = ctx ? await ctx.permissionOf(login) : { failed: true as const };
    const readable = !("failed" in answer) && answer.permission !== "none";
    this.#cache.set(key, { readable, until: Date.now() + this.ttlMs });
    return readable;
  }

  /** Asked afresh for every action (never cached): a revoked permission takes effect at once. */
  async mayDecide(
    login: string,
    run: { repository: string; installationId: bigint | null },
  ): Promise<AuthorizationDecision> {
    const refused = (reason: string): AuthorizationDecision => ({
      allowed: false,
      reason,
      whoMay: "nobody here",
    });
    if (run.installationId === null) return refused("This run has no GitHub installation to ask.");
    const ctx = await this.contextOf(run.installationId, run.repository).catch(() => undefined);
    if (!ctx) return refused("devflow could not ask GitHub who may decide, so nothing was decided.");
    const { decides } = await authorizeSender(this.deps, ctx, { login, type: "User" });
    return decides;
  }
}
